//! JSON text of the core's output types, whose serialization cannot fail.
//!
//! serde_json's serializer fails in three ways only: the writer fails, a map has a key that is
//! neither a string nor a number, or a `Serialize` implementation returns its own error. None of
//! them can happen for the types that implement [`InfallibleJson`]: the text goes into a
//! `String` (whose writer never fails), their maps are keyed by strings, and their `Serialize`
//! implementations are derived or write numbers and strings only (non-finite floats become
//! `null` or, through `snapshot::Num`, strings, never an error). Types whose serialization can
//! fail, such as the streamed traces of `trace.rs`, which refuse to be written twice, must not
//! implement the trait; their writers return the error instead.
//!
//! Should a future change break that promise, the text says so (`{"error": "..."}`) rather than
//! being empty, and the tests, which read the output of every such type, fail.

use serde::Serialize;

/// A type whose JSON serialization cannot fail (see the module comment for why).
pub trait InfallibleJson: Serialize {}

/// A JSON value serializes as it was built.
impl InfallibleJson for serde_json::Value {}

/// A list of such values (the page's report and hover rows, the sweep's points).
impl<T: InfallibleJson> InfallibleJson for [T] {}

/// Compact JSON text of `value`.
pub fn to_string<T: InfallibleJson + ?Sized>(value: &T) -> String {
    match serde_json::to_string(value) {
        Ok(text) => text,
        Err(error) => broken(&error).to_string(),
    }
}

/// `value` as a JSON value.
pub fn to_value<T: InfallibleJson + ?Sized>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_else(|error| broken(&error))
}

/// The object that stands for output a serializer refused to write, naming the reason.
fn broken(error: &serde_json::Error) -> serde_json::Value {
    serde_json::json!({ "error": format!("JSON serialization failed, which is a bug: {error}") })
}

/// A JSON object of `pairs`, the last value of a repeated key winning: what `collect()` gives,
/// without the sort that `collect()` compiles for every iterator type (`math::order`).
pub fn object_from(
    pairs: impl IntoIterator<Item = (String, serde_json::Value)>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut object = serde_json::Map::new();
    for (key, value) in pairs {
        object.insert(key, value);
    }
    object
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A type that breaks the promise, to see the error text.
    struct Refuses;

    impl Serialize for Refuses {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no"))
        }
    }

    impl InfallibleJson for Refuses {}

    #[test]
    fn object_from_is_collect() {
        let pairs =
            || ["b", "a", "b", "c"].into_iter().enumerate().map(|(i, k)| (k.to_string(), serde_json::Value::from(i)));
        let collected: serde_json::Map<String, serde_json::Value> = pairs().collect();
        assert_eq!(object_from(pairs()), collected);
    }

    #[test]
    fn a_broken_promise_is_an_error_object_not_an_empty_string() {
        let text = to_string(&Refuses);
        assert_eq!(text, r#"{"error":"JSON serialization failed, which is a bug: no"}"#);
        assert_eq!(to_value(&Refuses)["error"], "JSON serialization failed, which is a bug: no");
    }
}
