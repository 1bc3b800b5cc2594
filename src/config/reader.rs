//! Strict reading of configs, with the path of the first problem.
//!
//! Two steps, both strict where serde_json is lenient:
//! - `parse_json` turns JSON text into a `serde_json::Value` and refuses a key given twice in
//!   one object (serde_json keeps the last value), naming its path:
//!   `runs[0].optimizer.lr: duplicate key`. The path is a chain of stack frames, written out
//!   only when a duplicate is found.
//! - `from_value` reads a config type from a `Value` through `Reader`, a deserializer that
//!   accepts only an object where a struct or map is expected and only an array where a
//!   sequence or tuple is expected (serde_json also reads a struct from an array of its fields
//!   in order), and rejects an array with surplus elements. An error is a `ReadError` whose path
//!   grows on its way up: each object level adds its key, each array level its index, so
//!   `runs[0].x0[0]: must be a number, got null` needs no search afterwards.
//!
//! The `{"name": ...}`-tagged configs (`tagged.rs`) read their fields with `from_value` too, but
//! their `Deserialize` impl is generic over the deserializer, so a `ReadError` must cross it as
//! `D::Error::custom`. It does so in its alternate form (`{:#}`): a NUL, the byte length of the
//! path, a NUL, the path and the message, which `ReadError::custom` takes apart again. Every
//! other message (serde's own, built from `format_args!` or plain strings) ignores the alternate
//! flag and never starts with a NUL; any other deserializer sees the plain form `path: message`.

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::{Map, Number, Value};

use crate::config::validate::ValidationErrors;

/// The message of a key given twice in one object.
pub const DUPLICATE_KEY: &str = "duplicate key";

/// A structural problem in a config value, with the path of the field it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// Where the problem is, relative to the value being read (`runs[0].x0[1]`; empty for the
    /// value itself).
    pub path: String,
    /// What is wrong, in serde's words.
    pub message: String,
}

impl ReadError {
    /// An error about the value being read itself.
    pub fn new(message: impl Into<String>) -> Self {
        ReadError { path: String::new(), message: message.into() }
    }

    /// The same error seen from the object that holds the value under `key`.
    pub fn under_key(mut self, key: &str) -> Self {
        self.path = if self.path.is_empty() {
            key.to_string()
        } else if self.path.starts_with('[') {
            format!("{key}{}", self.path)
        } else {
            format!("{key}.{}", self.path)
        };
        self
    }

    /// The same error seen from the array that holds the value at `index`.
    pub fn under_index(mut self, index: usize) -> Self {
        self.path = if self.path.is_empty() || self.path.starts_with('[') {
            format!("[{index}]{}", self.path)
        } else {
            format!("[{index}].{}", self.path)
        };
        self
    }

    /// The error as the validation errors of a config.
    pub fn into_errors(self) -> ValidationErrors {
        ValidationErrors::one(self.path, self.message)
    }

    /// Takes apart the alternate form written by `fmt` (see the module header).
    fn from_relayed(text: &str) -> Option<Self> {
        let rest = text.strip_prefix('\0')?;
        let (length, rest) = rest.split_once('\0')?;
        let length: usize = length.parse().ok()?;
        let path = rest.get(..length)?;
        let message = rest.get(length..)?;
        Some(ReadError { path: path.to_string(), message: message.to_string() })
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            write!(f, "\0{}\0{}{}", self.path.len(), self.path, self.message)
        } else if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        let text = format!("{message:#}");
        ReadError::from_relayed(&text).unwrap_or_else(|| ReadError::new(text))
    }

    /// serde's message, except that a JSON `null` is called so rather than "unit value", and a
    /// number's Rust type is said in words ("must be a number, got string \"abc\"", not
    /// "expected f64").
    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        let unexpected = match unexpected {
            Unexpected::Unit => Unexpected::Other("null"),
            other => other,
        };
        let expected = expected.to_string();
        match plain_type(&expected) {
            Some(words) => ReadError::new(format!("must be {words}, got {unexpected}")),
            None => ReadError::new(format!("invalid type: {unexpected}, expected {expected}")),
        }
    }
}

/// A primitive type as serde names it ("f64", "u64", "a boolean"), in words for people.
fn plain_type(expected: &str) -> Option<&'static str> {
    match expected {
        "f64" | "f32" => Some("a number"),
        "u64" | "u32" | "u16" | "u8" | "usize" => Some("a whole number (0 or more)"),
        "i64" | "i32" => Some("a whole number"),
        "a boolean" => Some("true or false"),
        "a string" => Some("text in quotes"),
        _ => None,
    }
}

/// Reads a config type from a JSON value, strictly (see the module header).
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, ReadError> {
    T::deserialize(Reader(value))
}

/// What serde calls the kind of `value` in "invalid type" messages.
fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(b) => Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Unexpected::Str(s),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

/// `deserialize_*` methods that do what another one does.
macro_rules! forward_to {
    ($($target:ident: $($method:ident)*;)*) => {
        $($(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
                self.$target(visitor)
            }
        )*)*
    };
}

/// The strict deserializer over a borrowed JSON value.
struct Reader<'a>(&'a Value);

impl<'a> Reader<'a> {
    /// The visitor's "invalid type" error for this value.
    fn refuse<'de, V: Visitor<'de>, T>(&self, visitor: &V) -> Result<T, ReadError> {
        Err(de::Error::invalid_type(unexpected(self.0), visitor))
    }
}

impl<'de, 'a> de::Deserializer<'de> for Reader<'a> {
    type Error = ReadError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Number(n) => visit_number(n, visitor),
            Value::String(s) => visitor.visit_str(s),
            Value::Array(items) => visit_array(items, visitor),
            Value::Object(map) => visit_object(map, visitor),
        }
    }

    // Each kind of value has its own method rather than `deserialize_any`, so that the code
    // generated for each visitor handles one kind only.

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(*b),
            _ => self.refuse(&visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Number(n) => visit_number(n, visitor),
            _ => self.refuse(&visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::String(s) => visitor.visit_str(s),
            _ => self.refuse(&visitor),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            _ => self.refuse(&visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Object(map) => visit_object(map, visitor),
            _ => self.refuse(&visitor),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.0 {
            Value::Array(items) => visit_array(items, visitor),
            _ => self.refuse(&visitor),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        // Only unit variants, written as their name, occur in configs.
        match self.0 {
            Value::String(s) => visitor.visit_enum(s.as_str().into_deserializer()),
            _ => self.refuse(&visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! { char bytes byte_buf identifier ignored_any }

    forward_to! {
        deserialize_f64: deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128
            deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_u128 deserialize_f32;
        deserialize_str: deserialize_string;
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_unit(visitor)
    }
}

/// A number as serde_json's own `Value` hands it over: unsigned, negative, or float.
fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, ReadError> {
    match (n.as_u64(), n.as_i64()) {
        (Some(u), _) => visitor.visit_u64(u),
        (None, Some(i)) => visitor.visit_i64(i),
        _ => visitor.visit_f64(n.as_f64().unwrap_or(f64::NAN)),
    }
}

/// Hands the elements of an array to `visitor`; any left over is an error.
fn visit_array<'de, V: Visitor<'de>>(items: &[Value], visitor: V) -> Result<V::Value, ReadError> {
    let mut access = Items { items: items.iter(), index: 0 };
    let value = visitor.visit_seq(&mut access)?;
    match access.items.len() {
        0 => Ok(value),
        _ => Err(de::Error::invalid_length(items.len(), &"fewer elements in array")),
    }
}

/// Hands the entries of an object to `visitor`; any left over is an error.
fn visit_object<'de, V: Visitor<'de>>(map: &Map<String, Value>, visitor: V) -> Result<V::Value, ReadError> {
    let mut access = Entries { entries: map.iter(), pending: None };
    let value = visitor.visit_map(&mut access)?;
    match access.entries.len() {
        0 => Ok(value),
        _ => Err(de::Error::invalid_length(map.len(), &"fewer elements in map")),
    }
}

/// The elements of an array, each error marked with its index.
struct Items<'a> {
    items: std::slice::Iter<'a, Value>,
    index: usize,
}

impl<'de, 'a> SeqAccess<'de> for Items<'a> {
    type Error = ReadError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, ReadError> {
        let Some(item) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(Reader(item)).map(Some).map_err(|e| e.under_index(index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of an object, each error marked with its key.
struct Entries<'a> {
    entries: serde_json::map::Iter<'a>,
    pending: Option<(&'a str, &'a Value)>,
}

impl<'de, 'a> MapAccess<'de> for Entries<'a> {
    type Error = ReadError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, ReadError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.pending = Some((key, value));
        let key_reader: de::value::StrDeserializer<'_, ReadError> = key.as_str().into_deserializer();
        seed.deserialize(key_reader).map(Some).map_err(|e| e.under_key(key))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, ReadError> {
        match self.pending.take() {
            Some((key, value)) => seed.deserialize(Reader(value)).map_err(|e| e.under_key(key)),
            None => Err(ReadError::new("a value was read before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// Parses JSON text into a value, refusing a key given twice in one object (see the module
/// header). Any other problem is `invalid JSON: ...` with serde_json's line and column.
pub fn parse_json(text: &str) -> Result<Value, ValidationErrors> {
    let duplicate = Cell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = Unique { at: &Place::Root, duplicate: &duplicate }
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value));
    parsed.map_err(|e| match duplicate.take() {
        Some(path) => ValidationErrors::one(path, DUPLICATE_KEY),
        None => ValidationErrors::one("", format!("invalid JSON: {e}")),
    })
}

/// Where a value being parsed sits: a chain through the enclosing objects and arrays.
enum Place<'p> {
    Root,
    Key(&'p Place<'p>, &'p str),
    Index(&'p Place<'p>, usize),
}

impl ReadError {
    /// The path of this error seen from the root of `place`'s chain.
    fn under(self, place: &Place<'_>) -> String {
        match place {
            Place::Root => self.path,
            Place::Key(parent, key) => self.under_key(key).under(parent),
            Place::Index(parent, index) => self.under_index(*index).under(parent),
        }
    }
}

/// Builds a `Value` like serde_json's own, refusing duplicate keys and recording the path of
/// the first one in `duplicate`.
struct Unique<'p> {
    at: &'p Place<'p>,
    duplicate: &'p Cell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let at = Place::Index(self.at, items.len());
            match seq.next_element_seed(Unique { at: &at, duplicate: self.duplicate })? {
                Some(item) => items.push(item),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let at = Place::Key(self.at, &key);
            if object.contains_key(&key) {
                self.duplicate.set(Some(ReadError::new(DUPLICATE_KEY).under(&at)));
                return Err(de::Error::custom(DUPLICATE_KEY));
            }
            let value = map.next_value_seed(Unique { at: &at, duplicate: self.duplicate })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}
