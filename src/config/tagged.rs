//! Configs tagged by a `"name"` field (`{"name": "Adam", "lr": 0.01}`), read by a small
//! field reader instead of serde's derived visitors.
//!
//! serde's `#[serde(tag = "name")]` buffers every value into its private `Content` type, and
//! its derived visitors generate a large state machine per struct variant; together they were
//! most of the wasm binary. `tagged_enum!` keeps serde's derive for *writing* (the same JSON
//! shape) and generates the reading side: the `name` picks the variant, each field is read
//! with the strict `reader::from_value` (one small function per field type) or takes its
//! default, and any field left over is an error. The messages are serde's own, each with the
//! path of the field inside the tagged object: `name: unknown variant `Adamm`, expected one of
//! `SGD`, ...`, `c: unknown field `c`, expected `a` or `b``, `missing field `step_size``,
//! `inner.lr: must be a number, got string "x"`.
//!
//! Syntax: each variant is `Variant as "json-name" { field: Type = default, ... }` or
//! `Variant as "json-name"(Type)` for a variant holding another config. A field's JSON key is
//! its name unless written `field as "json-key": Type` (`T_max`, `A`, `lambda`); `= default`
//! is optional, and without it the field is required. The macro also generates the variants'
//! names (`NAMES`, `name()`) and their fields' keys (`keys_of`), which the page's catalogue
//! (`catalog.rs`) reads, so a name or a key is written once.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::config::reader::{from_value, ReadError};

/// A variant's field keys, each with whether it is required (has no default).
pub type Keys = &'static [(&'static str, bool)];

/// What `tagged_enum!` generates for every config it defines, so that code such as the page's
/// catalogue can walk any of them.
pub trait Tagged: Sized + serde::Serialize {
    /// Every variant's JSON name, in declaration order.
    fn names() -> &'static [&'static str];
    /// The JSON keys of a variant's fields, each with whether it is required.
    fn keys(name: &str) -> Option<Keys>;
    /// Reads the config from its JSON value.
    fn read(value: Value) -> Result<Self, ReadError>;
}

/// Splits `{"name": N, ...rest}` into N and the other fields.
pub fn split_tag(value: Value) -> Result<(String, Map<String, Value>), ReadError> {
    let Value::Object(mut map) = value else {
        let message = format!("invalid type: {}, expected an object with a \"name\" field", kind(&value));
        return Err(ReadError::new(message));
    };
    match map.remove("name") {
        Some(Value::String(name)) => Ok((name, map)),
        Some(other) => Err(ReadError::new(format!("must be text in quotes, got {}", kind(&other))).under_key("name")),
        None => Err(ReadError::new("missing field `name`")),
    }
}

/// What a JSON value is, in words ("a number", "an array").
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// serde's wording of the allowed values: "`a`", "`a` or `b`", "one of `a`, `b`, `c`".
fn expected(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        many => format!("one of {}", many.join(", ")),
    }
}

/// "unknown variant `x`, expected one of ...", at the `name` field.
pub fn unknown_variant(name: &str, allowed: &[&str]) -> ReadError {
    ReadError::new(format!("unknown variant `{name}`, expected {}", expected(allowed))).under_key("name")
}

/// The fields of one tagged object, read one by one.
pub struct Fields {
    map: Map<String, Value>,
}

impl Fields {
    /// The fields left after the tag.
    pub fn new(map: Map<String, Value>) -> Self {
        Fields { map }
    }

    /// Reads `key` if present.
    pub fn optional<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, ReadError> {
        match self.map.remove(key) {
            Some(value) => from_value(&value).map(Some).map_err(|e| e.under_key(key)),
            None => Ok(None),
        }
    }

    /// Reads `key`, which must be present.
    pub fn required<T: DeserializeOwned>(&mut self, key: &str) -> Result<T, ReadError> {
        self.optional(key)?.ok_or_else(|| ReadError::new(format!("missing field `{key}`")))
    }

    /// Fails on any field not in `allowed`, at that field.
    pub fn finish(self, allowed: &[&str]) -> Result<(), ReadError> {
        let Some(key) = self.map.keys().next() else {
            return Ok(());
        };
        let message = if allowed.is_empty() {
            format!("unknown field `{key}`, there are no fields")
        } else {
            format!("unknown field `{key}`, expected {}", expected(allowed))
        };
        Err(ReadError::new(message).under_key(key))
    }

    /// The remaining fields as one object (for a variant holding another config).
    pub fn into_value(self) -> Value {
        Value::Object(self.map)
    }
}

/// Defines an enum written as `{"name": ...}` and read by `Fields` (see the module header for
/// the syntax), with its variants' names (`NAMES`, `name()`) and fields (`keys_of`).
#[macro_export]
macro_rules! tagged_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident as $vname:literal
                    $( { $( $(#[$fmeta:meta])* $field:ident $(as $key:literal)? : $fty:ty $(= $default:expr)? ),* $(,)? } )?
                    $( ( $nty:ty ) )?
            ),* $(,)?
        }
    ) => {
        #[derive(serde::Serialize)]
        #[serde(tag = "name")]
        $(#[$meta])*
        pub enum $name {
            $(
                $(#[$vmeta])*
                #[serde(rename = $vname)]
                $variant $( { $( $(#[$fmeta])* $(#[serde(rename = $key)])? $field: $fty ),* } )? $( ($nty) )?
            ),*
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                // `reader::Reader` takes the path back out of the message (see `reader.rs`).
                Self::from_tagged(value).map_err(<D::Error as serde::de::Error>::custom)
            }
        }

        impl $name {
            /// Every variant's JSON name, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$($vname),*];

            /// The JSON name of this variant (its `"name"` tag).
            pub fn name(&self) -> &'static str {
                match self {
                    $( $name::$variant { .. } => $vname, )*
                }
            }

            /// The JSON keys of a variant's fields, each with whether it is required (has no
            /// default); `None` for an unknown name, and no keys for a variant holding another
            /// config.
            pub fn keys_of(name: &str) -> Option<&'static [(&'static str, bool)]> {
                match name {
                    $(
                        $vname => Some(&[
                            $( $( ($crate::tagged_enum!(@key $field $(, $key)?), $crate::tagged_enum!(@required $($default)?)), )* )?
                        ]),
                    )*
                    _ => None,
                }
            }

            /// Reads the config from its JSON value.
            fn from_tagged(value: serde_json::Value) -> Result<Self, $crate::config::reader::ReadError> {
                let (tag, fields) = $crate::config::tagged::split_tag(value)?;
                #[allow(unused_mut)]
                let mut fields = $crate::config::tagged::Fields::new(fields);
                match tag.as_str() {
                    $(
                        $vname => {
                            $(
                                let config = $name::$variant {
                                    $( $field: $crate::tagged_enum!(@field fields, $crate::tagged_enum!(@key $field $(, $key)?), $fty $(, $default)?), )*
                                };
                                fields.finish(&[$($crate::tagged_enum!(@key $field $(, $key)?)),*])?;
                                return Ok(config);
                            )?
                            $(
                                let inner: $nty = $crate::config::reader::from_value(&fields.into_value())?;
                                return Ok($name::$variant(inner));
                            )?
                        }
                    )*
                    other => Err($crate::config::tagged::unknown_variant(other, Self::NAMES)),
                }
            }
        }

        impl $crate::config::tagged::Tagged for $name {
            fn names() -> &'static [&'static str] {
                Self::NAMES
            }
            fn keys(name: &str) -> Option<&'static [(&'static str, bool)]> {
                Self::keys_of(name)
            }
            fn read(value: serde_json::Value) -> Result<Self, $crate::config::reader::ReadError> {
                Self::from_tagged(value)
            }
        }
    };
    (@key $field:ident, $key:literal) => { $key };
    (@key $field:ident) => { stringify!($field) };
    (@required $default:expr) => { false };
    (@required) => { true };
    (@field $fields:ident, $key:expr, $fty:ty, $default:expr) => {
        $fields.optional::<$fty>($key)?.unwrap_or_else(|| $default)
    };
    (@field $fields:ident, $key:expr, $fty:ty) => {
        $fields.required::<$fty>($key)?
    };
}
