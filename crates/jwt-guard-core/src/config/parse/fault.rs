//! [`Fault`]: a deserialization error that keeps the path and the category of what went wrong,
//! never the value (serde hands it the value; only its kind is kept).

use std::fmt;

use serde::de::{self, Expected, Unexpected};

use super::*;

/// One step of a field path.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Segment {
    Key(String),
    Index(usize),
}

/// A deserialization error that holds no value of the text: the problem and the path to it.
#[derive(Debug)]
pub(crate) struct Fault {
    /// Innermost first (each level pushes its step on the way out).
    pub(super) path: Vec<Segment>,
    pub(super) problem: ConfigProblem,
}

impl Fault {
    pub(super) fn new(problem: ConfigProblem) -> Fault {
        Fault {
            path: Vec::new(),
            problem,
        }
    }

    pub(super) fn within(mut self, segment: Segment) -> Fault {
        self.path.push(segment);
        self
    }

    /// `keys[1].secret`. A key that does not look like a field name (a key the target type
    /// took without knowing it) is shown as `?`.
    pub(super) fn path(&self) -> String {
        write_path(&self.path, false)
    }
}

/// `keys[1].secret` from `path` (innermost first). A key that does not look like a field name
/// is `?`; with `claim_names`, a claim name such as `https://example.com/roles` (namespaced
/// claims, RFC 7519 §4.2) is kept in brackets, `["https://example.com/roles"]`: a token's claim
/// names are chosen by its issuer, where a config's keys are typed by hand next to secrets.
pub(super) fn write_path(path: &[Segment], claim_names: bool) -> String {
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
pub(super) fn is_claim_name(key: &str) -> bool {
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
pub(super) fn kind_of(unexpected: Unexpected<'_>) -> &'static str {
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
pub(super) fn is_name(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 40
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The accepted name `key` is a typo of: at most two edits away, or one a prefix of the other
/// (`leeway` for `leeway_secs`). A key that is no near miss is never repeated: it could be a
/// value (a secret) written where a key belongs.
pub(super) fn near_miss(key: &str, accepted: &'static [&'static str]) -> Option<&'static str> {
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
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
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
