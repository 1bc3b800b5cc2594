//! The input caps of `convergence::config::limits`: texts over their cap are rejected from their length,
//! before parsing, with a message naming the field; nesting is bounded so that no input can
//! overflow the stack of a recursion over the decoded value.

use convergence::config::limits::{MAX_CONFIG_BYTES, MAX_CSV_BYTES, MAX_INLINE_POINTS};
use convergence::config::Experiment;
use serde_json::json;

fn messages(text: &str) -> Vec<String> {
    match Experiment::from_json(text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.0.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_config_over_the_cap_is_rejected_before_parsing() {
    // Not JSON at all: a parser would complain about the syntax, the cap does first.
    let text = "{".repeat(MAX_CONFIG_BYTES + 1);
    assert_eq!(messages(&text), [format!("config: at most {MAX_CONFIG_BYTES} bytes, got {}", MAX_CONFIG_BYTES + 1)]);
    // Just under the cap, the text is parsed.
    let text = "{".repeat(MAX_CONFIG_BYTES);
    assert!(messages(&text)[0].starts_with("invalid JSON"), "{:?}", messages(&text));
}

#[test]
fn csv_text_over_its_cap_names_the_field() {
    let text = "1,2\n".repeat(MAX_CSV_BYTES / 4 + 1);
    let config = json!({
        "problem": {"name": "model", "data": {"name": "csv", "text": text}, "model": {"name": "linear"}},
        "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.1}}],
    });
    let found = messages(&config.to_string());
    let expected = format!("problem.data.text: at most {MAX_CSV_BYTES} bytes, got {}", text.len());
    assert!(found.contains(&expected), "{found:?}");
}

#[test]
fn inline_data_over_its_cap_names_the_field() {
    let n = MAX_INLINE_POINTS + 1;
    let config = json!({
        "problem": {"name": "linreg", "data": {"x": vec![1.0; n], "y": vec![2.0; n]}},
        "runs": [{"label": "sgd", "x0": [0.0, 0.0], "optimizer": {"name": "SGD", "lr": 0.1}}],
    });
    assert_eq!(
        messages(&config.to_string()),
        [format!("problem.data.x: must contain at most {MAX_INLINE_POINTS} points, got {n}")]
    );
    let config = json!({
        "problem": {"name": "logreg", "data": {"x": vec![[1.0, 0.0]; n], "y": vec![1.0; n]}},
        "runs": [{"label": "sgd", "x0": [0.0, 0.0, 0.0], "optimizer": {"name": "SGD", "lr": 0.1}}],
    });
    assert_eq!(
        messages(&config.to_string()),
        [format!("problem.data.x: must contain at most {MAX_INLINE_POINTS} points, got {n}")]
    );
}

#[test]
fn deeply_nested_json_stops_at_the_parser_depth_limit() {
    // serde_json's parser stops at 128 levels, so nothing deeper reaches deserialization,
    // cloning, dropping or the error locator.
    let depth = 100_000;
    let text = format!(
        r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [], "a": {}{}}}"#,
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let found = messages(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("invalid JSON: recursion limit exceeded"), "{found:?}");
    // 100 levels parse, and the unknown field is reported with its path.
    let text =
        format!(r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [], "a": {}{}}}"#, "[".repeat(100), "]".repeat(100));
    let found = messages(&text);
    assert!(found[0].contains("unknown field `a`"), "{found:?}");
}
