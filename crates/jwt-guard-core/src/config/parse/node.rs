//! The value tree a config (or claims) text is re-read into after its parser refused it, and a
//! `Deserializer` over it whose errors are [`Fault`]s: they carry the path, never a value.

use std::fmt;

use serde::de::value::{MapAccessDeserializer, StrDeserializer};
use serde::de::{
    self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor,
};
use serde::{Deserialize, Deserializer};

use super::*;

/// Any value of a TOML or JSON text, as the format crate hands it over. Holds the text's
/// values (secrets included): no `Debug`, and it never leaves this module.
pub(super) enum Node {
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
pub(super) const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

pub(super) struct NodeVisitor;

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
    pub(super) fn unexpected(&self) -> Unexpected<'static> {
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

pub(super) struct NodeSeq {
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

pub(super) struct NodeMap {
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
