//! Reading a config text (TOML or JSON) with errors that say where and why, never what the text
//! holds there: a config holds secrets, and its errors end up in CI logs and log collectors.
//!
//! The format crates' own errors cannot be shown. toml's `Display` prints the source line with
//! a caret under it (and its `Debug` holds the whole input); serde's messages quote the value at
//! fault (`invalid type: string "...", expected ...`, `unknown variant `...``) in TOML and JSON
//! alike. So a text is read in up to three passes:
//!
//! 1. The format crate deserializes the target type. Its answer is the one that counts: what
//!    it accepts is exactly what `toml::from_str` / `serde_json::from_str` accept. On an error,
//!    only its position (toml's byte span, serde_json's line and column) is kept.
//! 2. The format crate reads the text into a [`Node`] tree, which accepts any value: an error
//!    here is a syntax error (an unterminated string, a broken inline table, a duplicate TOML
//!    key), reported with its position only.
//! 3. The target type is deserialized from the tree through [`Node`]'s own `Deserializer`,
//!    whose error type is [`Fault`]: serde hands it the category (`invalid_type`,
//!    `unknown_field`, ...), the [`Unexpected`] value, of which only the kind is kept, and what
//!    was expected; each map and sequence level adds its key or index to the path on the way
//!    out.

use std::fmt;
use std::path::Path;

use serde::de::value::{MapAccessDeserializer, StrDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Expected, IntoDeserializer, MapAccess, SeqAccess,
    Unexpected, Visitor,
};
use serde::{Deserialize, Deserializer};

/// The format of a config text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigFormat {
    /// TOML.
    Toml,
    /// JSON.
    Json,
}

impl ConfigFormat {
    /// JSON for a file name ending in `.json` (in any case), TOML for anything else.
    pub fn for_path(path: &Path) -> ConfigFormat {
        let is_json = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        if is_json {
            ConfigFormat::Json
        } else {
            ConfigFormat::Toml
        }
    }

    /// `"TOML"` or `"JSON"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigFormat::Toml => "TOML",
            ConfigFormat::Json => "JSON",
        }
    }
}

impl fmt::Display for ConfigFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is wrong in a config text (see [`ErrorKind::ConfigText`](crate::ErrorKind::ConfigText)).
/// No variant holds a value of the text: a wrong value is described by its kind (`an
/// integer`), an unknown name by the accepted ones.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigProblem {
    /// The text is not valid TOML or JSON: an unterminated string, a broken table, a
    /// duplicate TOML key, ...
    Syntax,
    /// A value of the wrong type.
    InvalidType {
        /// What the field takes (`a string`, `a sequence`, `u64`, `struct Jwk`, ...).
        expected: String,
        /// The kind of value found (`an integer`, `a string`, `a map`, ...), never the value.
        found: &'static str,
    },
    /// A value of the right type that the field does not take (a negative size, ...).
    InvalidValue {
        /// What the field takes.
        expected: String,
        /// The kind of value found, never the value.
        found: &'static str,
    },
    /// A sequence of the wrong length.
    InvalidLength {
        /// What the field takes.
        expected: String,
        /// How many elements there are.
        len: usize,
    },
    /// A key the table does not have.
    UnknownField {
        /// The key, when it is a near miss of an accepted one (a typo such as `secrte`); any
        /// other key is not repeated, since it may be a value written where a key belongs.
        name: Option<String>,
        /// The accepted key it is a near miss of.
        did_you_mean: Option<&'static str>,
        /// The accepted keys.
        expected: &'static [&'static str],
    },
    /// A name that is not one of the accepted ones (an algorithm, ...); the name is not kept.
    UnknownVariant {
        /// The accepted names.
        expected: &'static [&'static str],
    },
    /// A required key is absent.
    MissingField(&'static str),
    /// A key is given twice (JSON; in TOML this is a syntax error).
    DuplicateField(&'static str),
    /// A reason from this crate's own checks (fixed text, never a value of the text).
    Other(String),
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigProblem::Syntax => f.write_str("syntax error"),
            ConfigProblem::InvalidType { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            ConfigProblem::InvalidValue { expected, found } => {
                write!(f, "invalid value ({found}), expected {expected}")
            }
            ConfigProblem::InvalidLength { expected, len } => {
                write!(f, "{len} elements, expected {expected}")
            }
            ConfigProblem::UnknownField {
                name: Some(name),
                did_you_mean: Some(accepted),
                ..
            } => write!(f, "unknown field `{name}`, did you mean `{accepted}`?"),
            ConfigProblem::UnknownField { expected, .. } => {
                f.write_str("unknown field, ")?;
                write_one_of(f, expected)
            }
            ConfigProblem::UnknownVariant { expected } => {
                f.write_str("unknown value, ")?;
                write_one_of(f, expected)
            }
            ConfigProblem::MissingField(name) => write!(f, "missing field `{name}`"),
            ConfigProblem::DuplicateField(name) => write!(f, "duplicate field `{name}`"),
            ConfigProblem::Other(reason) => f.write_str(reason),
        }
    }
}

fn write_one_of(f: &mut fmt::Formatter<'_>, names: &[&str]) -> fmt::Result {
    match names {
        [] => f.write_str("there are none"),
        [one] => write!(f, "expected `{one}`"),
        [first, rest @ ..] => {
            write!(f, "expected one of `{first}`")?;
            rest.iter().try_for_each(|name| write!(f, ", `{name}`"))
        }
    }
}

/// Why a config text could not be read, with the position (1-based; 0 when unknown).
#[derive(Debug)]
pub(crate) struct TextError {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) field: String,
    pub(crate) problem: ConfigProblem,
}

/// Deserializes `T` from `text`; see the module doc for the passes.
pub(crate) fn from_text<T: DeserializeOwned>(
    text: &str,
    format: ConfigFormat,
) -> Result<T, TextError> {
    let (line, column) = match format {
        ConfigFormat::Toml => match toml::from_str::<T>(text) {
            Ok(value) => return Ok(value),
            Err(e) => toml_position(text, &e),
        },
        ConfigFormat::Json => match serde_json::from_str::<T>(text) {
            Ok(value) => return Ok(value),
            Err(e) => (e.line(), e.column()),
        },
    };
    let tree = match format {
        ConfigFormat::Toml => toml::from_str::<Node>(text).map_err(|e| toml_position(text, &e)),
        ConfigFormat::Json => {
            serde_json::from_str::<Node>(text).map_err(|e| (e.line(), e.column()))
        }
    };
    let tree = match tree {
        Ok(tree) => tree,
        Err((line, column)) => {
            return Err(TextError {
                line,
                column,
                field: String::new(),
                problem: ConfigProblem::Syntax,
            });
        }
    };
    let (field, problem) = match T::deserialize(tree) {
        Err(fault) => (fault.path(), fault.problem),
        // The format crate refused what the tree accepts (they should agree): say where.
        Ok(_) => (
            String::new(),
            ConfigProblem::Other("invalid value".to_owned()),
        ),
    };
    Err(TextError {
        line,
        column,
        field,
        problem,
    })
}

/// Where and why `T` refuses a JSON text, found without keeping any value of it: pass 3 of the
/// module doc on a JSON text, for the claims of a token ([`crate::ClaimsMismatchDetail`]).
pub(crate) struct JsonFault {
    /// `org.members[2].role` (as [`Fault::path`] writes it, claim names such as
    /// `["https://example.com/roles"]` kept); for a missing field, the path of the map that
    /// lacks it.
    pub(crate) path: String,
    pub(crate) problem: ConfigProblem,
    /// For a missing field: what it takes, found by reading the text once more with the field
    /// set to `null` (`None` when that did not say).
    pub(crate) missing_expects: Option<String>,
}

/// What `T` says about `json` read as a [`Node`] tree (only called after serde_json refused
/// it: the error path, never a successful read). `None` when the text cannot be read into a
/// tree (nested deeper than serde_json reads) or `T` takes the tree (the passes disagree).
pub(crate) fn json_fault<T: DeserializeOwned>(json: &[u8]) -> Option<JsonFault> {
    let tree = serde_json::from_slice::<Node>(json).ok()?;
    let fault = T::deserialize(tree).err()?;
    let missing_expects = match &fault.problem {
        ConfigProblem::MissingField(name) => probe_missing::<T>(json, &fault.path, name),
        _ => None,
    };
    Some(JsonFault {
        path: write_path(&fault.path, true),
        problem: fault.problem,
        missing_expects,
    })
}

/// What the field `name` that the map at `at` (innermost first) lacks takes: `T` is read once
/// more with the field set to `null`, and its complaint about that `null` names what it wanted.
/// Any new fault is about that field: every other entry was read without fault the first time.
/// Inside a `#[serde(flatten)]` struct serde gives no path, so the fault is at `at` itself.
fn probe_missing<T: DeserializeOwned>(json: &[u8], at: &[Segment], name: &str) -> Option<String> {
    let mut tree = serde_json::from_slice::<Node>(json).ok()?;
    let mut node = &mut tree;
    for segment in at.iter().rev() {
        node = match (node, segment) {
            (Node::Map(entries), Segment::Key(key)) => {
                entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)?
            }
            (Node::Seq(items), Segment::Index(index)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    let Node::Map(entries) = node else {
        return None;
    };
    entries.push((name.to_owned(), Node::Null));
    let fault = T::deserialize(tree).err()?;
    let at_field = fault.path.split_first().is_some_and(|(first, rest)| {
        matches!(first, Segment::Key(key) if key == name) && rest == at
    });
    match fault.problem {
        ConfigProblem::InvalidType { expected, found }
        | ConfigProblem::InvalidValue { expected, found }
            if at_field || (fault.path == at && found == "null") =>
        {
            Some(expected)
        }
        _ => None,
    }
}

/// The 1-based line and column (in characters) where a toml error starts; (0, 0) if unknown.
fn toml_position(text: &str, error: &toml::de::Error) -> (usize, usize) {
    let Some(span) = error.span() else {
        return (0, 0);
    };
    let before = text.get(..span.start).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
    let line = before.matches('\n').count() + 1;
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

/// Any value of a TOML or JSON text, as the format crate hands it over. Holds the text's
/// values (secrets included): no `Debug`, and it never leaves this module.
enum Node {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(String),
    /// A TOML date or time (no config field takes one).
    Datetime,
    Seq(Vec<Node>),
    /// Entries in the text's order, duplicates kept (so JSON's reach the target type).
    Map(Vec<(String, Node)>),
}

/// The key toml uses to hand a datetime to `deserialize_any` (`toml_datetime`'s private
/// `FIELD`).
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::I64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::U64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::F64(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        Node::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
        while let Some(key) = map.next_key::<String>()? {
            if key == TOML_DATETIME_KEY && entries.is_empty() {
                map.next_value::<de::IgnoredAny>()?;
                return Ok(Node::Datetime);
            }
            entries.push((key, map.next_value()?));
        }
        Ok(Node::Map(entries))
    }
}

impl Node {
    /// What serde calls this kind of value, for an error that must not quote it.
    fn unexpected(&self) -> Unexpected<'static> {
        match self {
            Node::Null => Unexpected::Unit,
            Node::Bool(_) => Unexpected::Bool(false),
            Node::I64(_) | Node::U64(_) => Unexpected::Unsigned(0),
            Node::F64(_) => Unexpected::Float(0.0),
            Node::Str(_) => Unexpected::Str(""),
            Node::Datetime => Unexpected::Other("a datetime"),
            Node::Seq(_) => Unexpected::Seq,
            Node::Map(_) => Unexpected::Map,
        }
    }
}

impl<'de> Deserializer<'de> for Node {
    type Error = Fault;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fault> {
        match self {
            Node::Null => visitor.visit_unit(),
            Node::Bool(v) => visitor.visit_bool(v),
            Node::I64(v) => visitor.visit_i64(v),
            Node::U64(v) => visitor.visit_u64(v),
            Node::F64(v) => visitor.visit_f64(v),
            Node::Str(v) => visitor.visit_string(v),
            Node::Datetime => Err(de::Error::invalid_type(
                Unexpected::Other("a datetime"),
                &visitor,
            )),
            Node::Seq(items) => {
                let len = items.len();
                let mut seq = NodeSeq {
                    items: items.into_iter(),
                    index: 0,
                };
                let value = visitor.visit_seq(&mut seq)?;
                match seq.items.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(len, &"fewer elements")),
                }
            }
            Node::Map(entries) => {
                let len = entries.len();
                let mut map = NodeMap {
                    entries: entries.into_iter(),
                    value: None,
                };
                let value = visitor.visit_map(&mut map)?;
                match map.entries.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(len, &"fewer entries")),
                }
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fault> {
        match self {
            Node::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Fault> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Fault> {
        match self {
            // A unit variant; the enum's identifier visitor reports an unknown name.
            Node::Str(name) => visitor.visit_enum(name.into_deserializer()),
            // `{"Variant": value}`, as serde_json and toml take a variant with data.
            Node::Map(entries) if entries.len() == 1 => {
                visitor.visit_enum(MapAccessDeserializer::new(NodeMap {
                    entries: entries.into_iter(),
                    value: None,
                }))
            }
            other => Err(de::Error::invalid_type(other.unexpected(), &visitor)),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Fault> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier
    }
}

struct NodeSeq {
    items: std::vec::IntoIter<Node>,
    index: usize,
}

impl<'de> SeqAccess<'de> for NodeSeq {
    type Error = Fault;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Fault> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(item)
            .map(Some)
            .map_err(|fault| fault.within(Segment::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct NodeMap {
    entries: std::vec::IntoIter<(String, Node)>,
    /// The entry whose key was just handed out, waiting for `next_value_seed`.
    value: Option<(String, Node)>,
}

impl<'de> MapAccess<'de> for NodeMap {
    type Error = Fault;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Fault> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        // An unknown key fails here: its `Fault` names the key only if it is a near miss.
        let deserializer: StrDeserializer<'_, Fault> = key.as_str().into_deserializer();
        let key_value = seed.deserialize(deserializer)?;
        self.value = Some((key, value));
        Ok(Some(key_value))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Fault> {
        let Some((key, value)) = self.value.take() else {
            return Err(de::Error::custom("a value was asked for before its key"));
        };
        seed.deserialize(value)
            .map_err(|fault| fault.within(Segment::Key(key)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// One step of a field path.
#[derive(Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

/// A deserialization error that holds no value of the text: the problem and the path to it.
#[derive(Debug)]
pub(crate) struct Fault {
    /// Innermost first (each level pushes its step on the way out).
    path: Vec<Segment>,
    problem: ConfigProblem,
}

impl Fault {
    fn new(problem: ConfigProblem) -> Fault {
        Fault {
            path: Vec::new(),
            problem,
        }
    }

    fn within(mut self, segment: Segment) -> Fault {
        self.path.push(segment);
        self
    }

    /// `keys[1].secret`. A key that does not look like a field name (a key the target type
    /// took without knowing it) is shown as `?`.
    fn path(&self) -> String {
        write_path(&self.path, false)
    }
}

/// `keys[1].secret` from `path` (innermost first). A key that does not look like a field name
/// is `?`; with `claim_names`, a claim name such as `https://example.com/roles` (namespaced
/// claims, RFC 7519 §4.2) is kept in brackets, `["https://example.com/roles"]`: a token's claim
/// names are chosen by its issuer, where a config's keys are typed by hand next to secrets.
fn write_path(path: &[Segment], claim_names: bool) -> String {
    let mut out = String::new();
    for segment in path.iter().rev() {
        match segment {
            Segment::Key(key) if is_name(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Key(key) if claim_names && is_claim_name(key) => {
                out.push_str(&format!("[\"{key}\"]"));
            }
            Segment::Key(_) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
            Segment::Index(index) => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

/// Whether a key looks like a claim name, namespaced ones included: at most 80 characters of
/// ASCII letters, digits and `_-.:/~@+#`.
fn is_claim_name(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 80
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-.:/~@+#".contains(&b))
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.path() {
            path if path.is_empty() => write!(f, "{}", self.problem),
            path => write!(f, "`{path}`: {}", self.problem),
        }
    }
}

impl std::error::Error for Fault {}

impl de::Error for Fault {
    /// Only this crate's own `Deserialize` impls call `custom` here (with fixed text: the
    /// format crates are not involved in this pass), so the message is kept.
    fn custom<T: fmt::Display>(msg: T) -> Fault {
        Fault::new(ConfigProblem::Other(msg.to_string()))
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Fault {
        Fault::new(ConfigProblem::InvalidType {
            expected: expected.to_string(),
            found: kind_of(unexpected),
        })
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Fault {
        Fault::new(ConfigProblem::InvalidValue {
            expected: expected.to_string(),
            found: kind_of(unexpected),
        })
    }

    fn invalid_length(len: usize, expected: &dyn Expected) -> Fault {
        Fault::new(ConfigProblem::InvalidLength {
            expected: expected.to_string(),
            len,
        })
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Fault {
        Fault::new(ConfigProblem::UnknownVariant { expected })
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Fault {
        let did_you_mean = near_miss(field, expected);
        Fault::new(ConfigProblem::UnknownField {
            name: did_you_mean.map(|_| field.to_owned()),
            did_you_mean,
            expected,
        })
    }

    fn missing_field(field: &'static str) -> Fault {
        Fault::new(ConfigProblem::MissingField(field))
    }

    fn duplicate_field(field: &'static str) -> Fault {
        Fault::new(ConfigProblem::DuplicateField(field))
    }
}

/// The kind of an unexpected value, without its payload.
fn kind_of(unexpected: Unexpected<'_>) -> &'static str {
    match unexpected {
        Unexpected::Bool(_) => "a boolean",
        Unexpected::Unsigned(_) | Unexpected::Signed(_) => "an integer",
        Unexpected::Float(_) => "a float",
        Unexpected::Char(_) => "a character",
        Unexpected::Str(_) => "a string",
        Unexpected::Bytes(_) => "bytes",
        Unexpected::Unit => "null",
        Unexpected::Option => "an optional value",
        Unexpected::NewtypeStruct => "a newtype struct",
        Unexpected::Seq => "a sequence",
        Unexpected::Map => "a map",
        Unexpected::Enum
        | Unexpected::UnitVariant
        | Unexpected::NewtypeVariant
        | Unexpected::TupleVariant
        | Unexpected::StructVariant => "an enum",
        Unexpected::Other("a datetime") => "a datetime",
        Unexpected::Other(_) => "a value",
    }
}

/// Whether a key looks like a field name: short, ASCII letters, digits, `_` and `-`.
fn is_name(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 40
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The accepted name `key` is a typo of: at most two edits away, or one a prefix of the other
/// (`leeway` for `leeway_secs`). A key that is no near miss is never repeated: it could be a
/// value (a secret) written where a key belongs.
fn near_miss(key: &str, accepted: &'static [&'static str]) -> Option<&'static str> {
    if !is_name(key) {
        return None;
    }
    accepted
        .iter()
        .filter_map(|name| {
            let distance = edit_distance(key, name);
            let prefix =
                key.len().min(name.len()) >= 3 && (name.starts_with(key) || key.starts_with(name));
            (distance <= 2 || prefix).then_some((distance, *name))
        })
        .min()
        .map(|(_, name)| name)
}

/// Levenshtein distance over bytes (both are ASCII names here).
fn edit_distance(a: &str, b: &str) -> usize {
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = i;
        let mut left = i + 1;
        for (above, cb) in row.iter_mut().skip(1).zip(b.bytes()) {
            let value = if ca == cb {
                diagonal
            } else {
                1 + diagonal.min(left).min(*above)
            };
            diagonal = *above;
            *above = value;
            left = value;
        }
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("secrte", "secret"), 2);
        assert_eq!(edit_distance("algoritms", "algorithms"), 1);
        assert_eq!(edit_distance("", "kid"), 3);
        assert_eq!(edit_distance("kid", "kid"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn only_near_misses_are_named() {
        const FIELDS: &[&str] = &["kid", "secret", "secret_env", "leeway_secs"];
        assert_eq!(near_miss("secrte", FIELDS), Some("secret"));
        assert_eq!(near_miss("secret-env", FIELDS), Some("secret_env"));
        assert_eq!(near_miss("leeway", FIELDS), Some("leeway_secs"));
        assert_eq!(near_miss("secret_environment", FIELDS), Some("secret_env"));
        assert_eq!(near_miss("kd", FIELDS), Some("kid"));
        assert_eq!(near_miss("an-unrelated-key-or-a-secret", FIELDS), None);
        assert_eq!(near_miss("secret with spaces", FIELDS), None);
    }

    #[test]
    fn positions_count_characters_from_one() {
        // The closing quote is missing at the end of line 2, after 6 characters (7 bytes).
        let text = "a = 1\nb = \"é\n";
        let err = toml::from_str::<Node>(text)
            .err()
            .map(|e| toml_position(text, &e));
        assert_eq!(err, Some((2, 7)));
    }
}
