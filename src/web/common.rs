//! What both wasm boundaries share (`src/web.rs` for the page, `src/web/lab.rs` for the analysis
//! worker): the panic hook that keeps the last panic's message for the page's "internal error"
//! alert, and the conversions of errors, values and step counts between Rust and JavaScript.

use wasm_bindgen::prelude::*;

/// The message of the last panic, for the page's "internal error" alert.
static LAST_PANIC: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

#[wasm_bindgen(start)]
fn start() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = info.to_string();
        }
        console_error_panic_hook::hook(info);
    }));
}

/// The message of the last panic in this instance ("" if none): after a trap the page shows it
/// and moves to a fresh instance.
#[wasm_bindgen]
pub fn last_panic() -> String {
    LAST_PANIC.lock().map(|last| last.clone()).unwrap_or_default()
}

/// An error for JavaScript, with `message` as its text.
pub fn js_error(message: impl std::fmt::Display) -> JsError {
    JsError::new(&message.to_string())
}

/// A value as a JS value (plain objects and arrays, as JSON would give).
pub fn to_js<T: serde::Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(js_error)
}

/// A step count from JS as a whole number of steps (NaN and negative numbers are 0; large ones
/// saturate).
pub fn whole_step(step: f64) -> u64 {
    if step.is_nan() || step <= 0.0 {
        0
    } else {
        step.floor() as u64
    }
}
