//! Configs tagged by a `"name"` field (`{"name": "Adam", "lr": 0.01}`), read without serde's
//! internally-tagged machinery.
//!
//! serde's `#[serde(tag = "name")]` buffers every value into its private `Content` type and
//! instantiates a large `ContentDeserializer::deserialize_any` for every visitor, which made
//! up a third of the wasm binary. `tagged_enum!` keeps that attribute for serializing only and
//! reads through a twin enum in serde's default (externally tagged) form: the JSON value is
//! re-tagged from `{"name": N, ...rest}` to `{N: rest}` and handed to the twin, which
//! `#[serde(remote)]` makes construct the real enum. The accepted input and the messages
//! (unknown names and fields with the allowed values) are the same.

use serde_json::{Map, Value};

/// `{"name": N, ...rest}` becomes `{N: {...rest}}`.
pub fn retag(value: Value) -> Result<Value, String> {
    let Value::Object(mut map) = value else {
        return Err(format!("invalid type: {}, expected an object with a \"name\" field", kind(&value)));
    };
    match map.remove("name") {
        Some(Value::String(name)) => {
            let mut outer = Map::new();
            outer.insert(name, Value::Object(map));
            Ok(Value::Object(outer))
        }
        Some(other) => Err(format!("invalid type: {} for `name`, expected a string", kind(&other))),
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

/// Defines an enum serialized as `{"name": Variant, ...fields}` and read through a twin enum
/// (see the module header). Usage: `tagged_enum! { #[attrs] pub enum Name via Twin = "Name" {
/// Variant { fields }, Other(Type), ... } }`.
#[macro_export]
macro_rules! tagged_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident via $twin:ident = $remote:literal {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $( { $( $(#[$fmeta:meta])* $field:ident : $fty:ty ),* $(,)? } )? $( ( $nty:ty ) )?
            ),* $(,)?
        }
    ) => {
        #[derive(serde::Serialize)]
        #[serde(tag = "name")]
        $(#[$meta])*
        pub enum $name {
            $( $(#[$vmeta])* $variant $( { $( $(#[$fmeta])* $field: $fty ),* } )? $( ($nty) )? ),*
        }

        #[derive(serde::Deserialize)]
        #[serde(remote = $remote)]
        $(#[$meta])*
        #[allow(dead_code, clippy::large_enum_variant)]
        enum $twin {
            $( $(#[$vmeta])* $variant $( { $( $(#[$fmeta])* $field: $fty ),* } )? $( ($nty) )? ),*
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let retagged = $crate::tagged::retag(value).map_err(<D::Error as serde::de::Error>::custom)?;
                $twin::deserialize(retagged).map_err(<D::Error as serde::de::Error>::custom)
            }
        }
    };
}
