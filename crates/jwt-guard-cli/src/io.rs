//! Reading arguments and standard input; writing standard output; stable JSON.

use std::borrow::Cow;
use std::fmt::Write as _;
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

/// Writes `text` and a newline to standard output, [escaped](escape_hidden).
pub(crate) fn print_line(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match writeln!(out, "{}", escape_hidden(text)).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Failure::StdoutClosed),
        Err(e) => Err(Failure::setup(format!(
            "cannot write to standard output: {e}"
        ))),
    }
}

/// Writes `text` and a newline to standard error, [escaped](escape_hidden) (a closed standard
/// error is ignored: there is nowhere left to say so).
pub(crate) fn eprint_line(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", escape_hidden(text));
}

/// `text` with every character that does not print, except the newline, written as a JSON
/// escape: `\u` and four lowercase hex digits (a UTF-16 surrogate pair beyond U+FFFF, as JSON
/// has it). Everything the CLI prints goes through here, token content included, so a token
/// cannot move the cursor, recolour, retitle or clear the terminal (C0 and C1 controls, ESC,
/// CSI U+009B, DEL), reorder what is shown (bidi embeddings, overrides and isolates U+202A-U+202E,
/// U+2066-U+2069, marks), or hide text (zero-width spaces and joiners, tag characters, soft
/// hyphen, BOM).
///
/// JSON output stays JSON with the same values: serde_json has already escaped the C0
/// controls, quote and backslash inside strings, and outside strings it writes only printable
/// ASCII, spaces and newlines, so whatever this escapes is inside a string. Free text uses the
/// same escapes, and token values in it are JSON-quoted, so a newline from a token never starts
/// a line.
pub(crate) fn escape_hidden(text: &str) -> Cow<'_, str> {
    if text.chars().all(|c| c == '\n' || prints(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if c == '\n' || prints(c) {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{unit:04x}");
            }
        }
    }
    Cow::Owned(out)
}

/// Whether `c` prints as a visible character (or the space). ASCII: `' '..='~'`. Beyond ASCII:
/// whether Rust's own `Debug` for strings keeps it as is, which it does for all but the code
/// points of the general categories Cc (controls), Cf (format: bidi controls, zero-width
/// characters, tags, ...), Zl, Zp (line and paragraph separators), Zs other than the space
/// (no-break and other spaces), Co (private use), Cs and Cn (unassigned). Asked after a
/// letter: `Debug` also escapes a combining mark that begins a string, and those print (with
/// the character before them: accents, the vowel signs of Devanagari, ...).
fn prints(c: char) -> bool {
    if c.is_ascii() {
        return matches!(c, ' '..='~');
    }
    let mut pair = String::with_capacity(5);
    pair.push('a');
    pair.push(c);
    pair.escape_debug().nth(1) == Some(c)
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
    fn hidden_characters_become_json_escapes() {
        assert_eq!(escape_hidden("plain text\nline 2"), "plain text\nline 2");
        assert!(matches!(
            escape_hidden("caf\u{e9} \u{1f511}"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_hidden("\u{1b}[2J\u{9b}\u{85}\u{7f}\t\r\u{0}"),
            "\\u001b[2J\\u009b\\u0085\\u007f\\u0009\\u000d\\u0000"
        );
        assert_eq!(
            escape_hidden("\u{202e}\u{2066}\u{200b}\u{200d}\u{feff}\u{ad}\u{a0}\u{2028}"),
            "\\u202e\\u2066\\u200b\\u200d\\ufeff\\u00ad\\u00a0\\u2028"
        );
        // Beyond the BMP: a tag character, private use, unassigned.
        assert_eq!(
            escape_hidden("\u{e0041}\u{f0000}\u{e0080}"),
            "\\udb40\\udc41\\udb80\\udc00\\udb40\\udc80"
        );
        // Combining marks print with the character before them, even first.
        assert_eq!(
            escape_hidden("\u{301}e\u{301} \u{938}\u{94d}"),
            "\u{301}e\u{301} \u{938}\u{94d}"
        );
    }

    #[test]
    fn escaped_json_is_json_with_the_same_value() {
        let value = serde_json::json!({"k\u{85}\u{202e}": ["\u{9b}\u{e0041}\u{1b}\n\"\\"]});
        for text in [json_line(value.clone()), json_pretty(value.clone())] {
            let escaped = escape_hidden(&text);
            assert!(
                escaped
                    .chars()
                    .all(|c| c == '\n' || (' '..='~').contains(&c)),
                "{escaped}"
            );
            assert_eq!(serde_json::from_str::<Value>(&escaped).unwrap(), value);
        }
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
