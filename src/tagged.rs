//! Configs tagged by a `"name"` field (`{"name": "Adam", "lr": 0.01}`), read by a small
//! field reader instead of serde's derived visitors.
//!
//! serde's `#[serde(tag = "name")]` buffers every value into its private `Content` type, and
//! its derived visitors generate a large state machine per struct variant; together they were
//! most of the wasm binary. `tagged_enum!` keeps serde's derive for *writing* (the same JSON
//! shape) and generates the reading side: the `name` picks the variant, each field is read
//! with `serde_json::from_value` (one small function per field type) or takes its default,
//! and any field left over is an error. The messages are serde's own:
//! "unknown variant `Adamm`, expected one of `SGD`, ...", "unknown field `c`, expected `a` or
//! `b`", "missing field `step_size`".
//!
//! Syntax: each variant is `Variant as "json-name" { field as "json-key": Type = default, ... }`
//! (`= default` is optional; without it the field is required) or `Variant as "json-name"(Type)`
//! for a variant holding another config.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Splits `{"name": N, ...rest}` into N and the other fields.
pub fn split_tag(value: Value) -> Result<(String, Map<String, Value>), String> {
    let Value::Object(mut map) = value else {
        return Err(format!("invalid type: {}, expected an object with a \"name\" field", kind(&value)));
    };
    match map.remove("name") {
        Some(Value::String(name)) => Ok((name, map)),
        Some(other) => Err(format!("invalid type: {}, expected a string", kind(&other))),
        None => Err("missing field `name`".to_string()),
    }
}

fn kind(value: &Value) -> &'static str {
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

/// "unknown variant `x`, expected one of ...".
pub fn unknown_variant(name: &str, allowed: &[&str]) -> String {
    format!("unknown variant `{name}`, expected {}", expected(allowed))
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
    pub fn optional<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, String> {
        match self.map.remove(key) {
            Some(value) => serde_json::from_value(value).map(Some).map_err(|e| e.to_string()),
            None => Ok(None),
        }
    }

    /// Reads `key`, which must be present.
    pub fn required<T: DeserializeOwned>(&mut self, key: &str) -> Result<T, String> {
        self.optional(key)?.ok_or_else(|| format!("missing field `{key}`"))
    }

    /// Fails on any field not in `allowed`.
    pub fn finish(self, allowed: &[&str]) -> Result<(), String> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(key) if allowed.is_empty() => Err(format!("unknown field `{key}`, there are no fields")),
            Some(key) => Err(format!("unknown field `{key}`, expected {}", expected(allowed))),
        }
    }

    /// The remaining fields as one object (for a variant holding another config).
    pub fn into_value(self) -> Value {
        Value::Object(self.map)
    }
}

/// Defines an enum written as `{"name": ..., ...fields}` and read by `Fields` (see the module
/// header for the syntax).
#[macro_export]
macro_rules! tagged_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident via $twin:ident = $remote:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident as $vname:literal
                    $( { $( $(#[$fmeta:meta])* $field:ident as $key:literal : $fty:ty $(= $default:expr)? ),* $(,)? } )?
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
                $variant $( { $( $(#[$fmeta])* #[serde(rename = $key)] $field: $fty ),* } )? $( ($nty) )?
            ),*
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                Self::from_tagged(value).map_err(<D::Error as serde::de::Error>::custom)
            }
        }

        impl $name {
            /// Reads the config from its JSON value.
            fn from_tagged(value: serde_json::Value) -> Result<Self, String> {
                let (tag, fields) = $crate::tagged::split_tag(value)?;
                #[allow(unused_mut)]
                let mut fields = $crate::tagged::Fields::new(fields);
                match tag.as_str() {
                    $(
                        $vname => {
                            $(
                                let config = $name::$variant {
                                    $( $field: $crate::tagged_enum!(@field fields, $key, $fty $(, $default)?), )*
                                };
                                fields.finish(&[$($key),*])?;
                                return Ok(config);
                            )?
                            $(
                                let inner: $nty = serde_json::from_value(fields.into_value()).map_err(|e| e.to_string())?;
                                return Ok($name::$variant(inner));
                            )?
                        }
                    )*
                    other => Err($crate::tagged::unknown_variant(other, &[$($vname),*])),
                }
            }
        }
    };
    (@field $fields:ident, $key:literal, $fty:ty, $default:expr) => {
        $fields.optional::<$fty>($key)?.unwrap_or_else(|| $default)
    };
    (@field $fields:ident, $key:literal, $fty:ty) => {
        $fields.required::<$fty>($key)?
    };
}
