//! Reading arguments and standard input; writing standard output; stable JSON.

use std::fs;
use std::io::{self, IsTerminal as _, Read as _, Write as _};
use std::path::Path;

use serde_json::Value;

use crate::failure::Failure;

/// Reads all of standard input as UTF-8.
pub(crate) fn read_stdin(what: &str) -> Result<String, Failure> {
    let mut text = String::new();
    io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| Failure::setup(format!("cannot read the {what} from standard input: {e}")))?;
    Ok(text)
}

/// Whether standard input is a terminal (nothing was piped in).
pub(crate) fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

/// Reads a file, with an error that names it.
pub(crate) fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, Failure> {
    fs::read(path)
        .map_err(|e| Failure::setup(format!("cannot read {what} {}: {e}", path.display())))
}

/// The token from the argument, or from standard input when it is `-` or absent (and standard
/// input is not a terminal); surrounding whitespace and a leading `Bearer ` (any case) are
/// removed.
pub(crate) fn token_argument(arg: Option<String>) -> Result<String, Failure> {
    let text = match arg {
        Some(token) if token != "-" => token,
        Some(_) => read_stdin("token")?,
        // Nothing piped in: say so rather than wait for typing.
        None if stdin_is_terminal() => String::new(),
        None => read_stdin("token")?,
    };
    let token = strip_bearer(text.trim()).to_owned();
    if token.is_empty() {
        return Err(Failure::setup(
            "no token given (pass it as an argument, or on standard input with `-`)",
        ));
    }
    Ok(token)
}

/// `Bearer xyz` → `xyz` (the scheme is case-insensitive, RFC 7235 §2.1).
fn strip_bearer(text: &str) -> &str {
    match text.split_once(|c: char| c.is_ascii_whitespace()) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim_start(),
        _ => text,
    }
}

/// Writes `text` and a newline to standard output.
pub(crate) fn print_line(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Failure::StdoutClosed),
        Err(e) => Err(Failure::setup(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// `value` with every object's members sorted by name, at every depth (whatever serde_json's
/// `preserve_order` feature says), so output does not depend on the build.
pub(crate) fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut map: serde_json::Map<String, Value> =
                map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            map.sort_keys();
            Value::Object(map)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// One-line JSON with sorted members.
pub(crate) fn json_line(value: Value) -> String {
    // Serializing a `Value` cannot fail (its keys are strings).
    serde_json::to_string(&sorted(value)).unwrap_or_default()
}

/// Pretty JSON (two-space indent) with sorted members.
pub(crate) fn json_pretty(value: Value) -> String {
    serde_json::to_string_pretty(&sorted(value)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_prefix() {
        assert_eq!(strip_bearer("Bearer a.b.c"), "a.b.c");
        assert_eq!(strip_bearer("bearer   a.b.c"), "a.b.c");
        assert_eq!(strip_bearer("BEARER\ta.b.c"), "a.b.c");
        assert_eq!(strip_bearer("a.b.c"), "a.b.c");
        assert_eq!(strip_bearer("Basic a.b.c"), "Basic a.b.c");
        assert_eq!(strip_bearer("Bearertoken"), "Bearertoken");
    }

    #[test]
    fn json_is_sorted_at_every_depth() {
        let value = serde_json::json!({"z": 1, "a": {"y": [{"d": 1, "c": 2}], "b": true}});
        assert_eq!(
            json_line(value),
            r#"{"a":{"b":true,"y":[{"c":2,"d":1}]},"z":1}"#
        );
    }
}
