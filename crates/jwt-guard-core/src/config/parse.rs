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

use serde::de::DeserializeOwned;

mod fault;
mod node;

pub(crate) use fault::*;
use node::*;

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
