//! The largest inputs the core accepts, in one place.
//!
//! Every text that comes from outside (a JSON config, a page link's hash, a reference case, the
//! user's CSV data, inline `linreg`/`logreg` data, a custom function) is checked against its cap before it is
//! parsed, so an oversized input costs a length comparison, not a parse. Nesting is capped too:
//! every recursion over a decoded value (deserialization, cloning, dropping, locating an error)
//! is then bounded by these depths, never by the input.
//!
//! - JSON text: `serde_json` stops at 128 levels of arrays and objects by itself.
//! - URL hash: parentheses and dotted keys (`stop=loss_plateau.tol:1e-9`) each nest at most
//!   [`MAX_URL_NESTING`] deep.

use crate::config::validate::ValidationErrors;

/// Largest JSON config text, in bytes (2 MiB): room for a CSV text at its cap, with escapes.
pub const MAX_CONFIG_BYTES: usize = 2 << 20;

/// Largest page link or URL hash, in bytes (4 MiB): room for a CSV text at its cap written
/// with percent escapes.
pub const MAX_HASH_BYTES: usize = 4 << 20;

/// Largest CSV data text (`problem.data.text`), in bytes (1 MiB). Its rows are limited by
/// [`crate::data::MAX_POINTS`] as well.
pub const MAX_CSV_BYTES: usize = 1 << 20;

/// Most points of inline `linreg`/`logreg` data (`problem.data.x`), as for generated data.
pub const MAX_INLINE_POINTS: usize = crate::data::MAX_POINTS as usize;

/// Largest reference case file, in bytes (64 MiB): a case carries its expected trajectory,
/// which replay reads past without keeping it.
pub const MAX_CASE_BYTES: usize = 64 << 20;

/// Deepest nesting of parentheses, and longest dotted key, in a URL hash.
pub const MAX_URL_NESTING: usize = 32;

/// Longest custom function text (`problem.f` of `{"name": "custom"}`), in characters.
pub const MAX_EXPRESSION_CHARS: usize = 500;

/// Deepest nesting of a custom function: of its parser's recursion and of its tree of
/// operations, so that every walk over the tree is bounded.
pub const MAX_EXPRESSION_DEPTH: usize = 64;

/// The message for a text over its cap: `at most 1048576 bytes, got 52428800`.
pub fn too_long(cap: usize, got: usize) -> String {
    format!("at most {cap} bytes, got {got}")
}

/// Checks the length of a text at `path` against `cap` before it is parsed.
pub fn check_len(path: &str, text: &str, cap: usize) -> Result<(), ValidationErrors> {
    if text.len() > cap {
        Err(ValidationErrors::one(path, too_long(cap, text.len())))
    } else {
        Ok(())
    }
}
