//! Deciding a condition on raw JSON text, as the verifier's claims pass keeps it: one JSON
//! Pointer step at a time, strings compared borrowed, arrays split into their raw elements once.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::Condition;
use crate::token::BorrowedStr;

impl Condition<'_> {
    /// [`Condition::holds`] for a value kept as raw JSON text (`null` included), parsing no
    /// more of it than the condition needs: a string without escapes is compared borrowed, an
    /// array is split into its raw elements once.
    pub(super) fn holds_raw(self, raw: &RawValue) -> bool {
        let text = raw.get().trim_start();
        match text.as_bytes().first() {
            Some(b'"') => match serde_json::from_str::<&str>(text) {
                Ok(s) => self.holds_for_str(s),
                Err(_) => self.holds(serde_json::from_str::<Value>(text).ok().as_ref()),
            },
            Some(b'[') => match self {
                // The values of a rule are scalars: an array equals none of them.
                Condition::Equals(_) | Condition::OneOf(_) => false,
                Condition::Present(present) => present,
                Condition::Contains(_) | Condition::ContainsAny(_) | Condition::ContainsAll(_) => {
                    let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) else {
                        return false;
                    };
                    let has = |e: &Value| items.iter().any(|item| raw_equals(item, e));
                    match self {
                        Condition::Contains(e) => has(e),
                        Condition::ContainsAny(all) => all.iter().any(has),
                        Condition::ContainsAll(all) => all.iter().all(has),
                        _ => false,
                    }
                }
            },
            Some(b'{') => matches!(self, Condition::Present(true)),
            _ => self.holds(serde_json::from_str::<Value>(text).ok().as_ref()),
        }
    }
}

/// Whether a raw JSON value equals a scalar, a string without escapes compared borrowed.
fn raw_equals(item: &RawValue, expected: &Value) -> bool {
    let text = item.get().trim_start();
    match (expected, text.as_bytes().first()) {
        (Value::String(s), Some(b'"')) => match serde_json::from_str::<&str>(text) {
            Ok(found) => found == s,
            Err(_) => serde_json::from_str::<String>(text).is_ok_and(|found| found == *s),
        },
        (Value::String(_), _) => false,
        _ => serde_json::from_str::<Value>(text).is_ok_and(|found| found == *expected),
    }
}

/// One step of a JSON Pointer into a raw value: the member `token` names (in an object; the
/// last one if repeated, as a parsed object keeps it) or the element at index `token` (in an
/// array), others skipped without being kept.
struct Step<'t> {
    token: &'t str,
}

pub(super) fn step<'de>(raw: &'de RawValue, token: &str) -> Option<&'de RawValue> {
    let mut de = serde_json::Deserializer::from_str(raw.get());
    Step { token }.deserialize(&mut de).ok().flatten()
}

impl<'de> DeserializeSeed<'de> for Step<'_> {
    type Value = Option<&'de RawValue>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Step<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(BorrowedStr(name)) = map.next_key()? {
            if name == self.token {
                found = Some(map.next_value::<&'de RawValue>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // RFC 6901: an index is `0` or digits without a leading zero.
        let index = (self.token == "0" || !self.token.starts_with('0'))
            .then(|| self.token.parse::<usize>().ok())
            .flatten();
        let mut found = None;
        let mut i = 0usize;
        loop {
            if Some(i) == index {
                match seq.next_element::<&'de RawValue>()? {
                    Some(item) => found = Some(item),
                    None => break,
                }
            } else if seq.next_element::<IgnoredAny>()?.is_none() {
                break;
            }
            i = i.saturating_add(1);
        }
        Ok(found)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::ClaimRule;
    use serde_json::json;

    #[test]
    fn raw_values_decide_as_parsed_values_do() {
        let rules = [
            ClaimRule::claim("x").equals("caf\u{e9}"),
            ClaimRule::claim("x").one_of(["a b", "caf\u{e9}"]),
            ClaimRule::claim("x").contains("caf\u{e9}"),
            ClaimRule::claim("x").contains_any([json!(1), json!("q\"r")]),
            ClaimRule::claim("x").contains_all([json!(true), json!("a")]),
            ClaimRule::claim("x").equals(1),
            ClaimRule::claim("x").equals(false),
            ClaimRule::claim("x").present(true),
            ClaimRule::claim("x").present(false),
        ];
        let texts = [
            r#""caf\u00e9""#,
            r#""café""#,
            r#""a b""#,
            r#"["caf\u00e9", "z"]"#,
            r#"[1, 2]"#,
            r#"[1.0]"#,
            r#"["q\"r"]"#,
            r#"[true, "a"]"#,
            r#"[true, "\u0061"]"#,
            r#"1"#,
            r#"1.0"#,
            r#"false"#,
            r#"{"a": 1}"#,
            r#"null"#,
            r#" "a b c" "#,
        ];
        for rule in &rules {
            let condition = rule.pick().unwrap();
            for text in texts {
                let raw = serde_json::from_str::<&RawValue>(text).unwrap();
                let value: Value = serde_json::from_str(text).unwrap();
                assert_eq!(
                    condition.holds_raw(raw),
                    condition.holds(Some(&value)),
                    "{rule:?} on {text}"
                );
            }
        }
        let raw = serde_json::from_str::<&RawValue>(
            r#"{"a": {"b": [10, {"c": "x"}]}, "a": {"b": [20, {"c": "y"}]}, "d~/": 1}"#,
        )
        .unwrap();
        let walk = |path: &[&str]| {
            let mut at = Some(raw);
            for token in path {
                at = at.and_then(|r| step(r, token));
            }
            at.map(|r| r.get().to_owned())
        };
        // The last of a repeated member, as a parsed object keeps it.
        assert_eq!(walk(&["a", "b", "1", "c"]).as_deref(), Some(r#""y""#));
        assert_eq!(walk(&["a", "b", "0"]).as_deref(), Some("20"));
        assert_eq!(walk(&["a", "b", "01"]), None);
        assert_eq!(walk(&["a", "b", "2"]), None);
        assert_eq!(walk(&["a", "b", "0", "x"]), None);
        assert_eq!(walk(&["d~/"]).as_deref(), Some("1"));
    }
}
