//! Where in a config a structural error is: the path of the field that serde refused.
//!
//! Configs are read from a `serde_json::Value`, whose errors carry no position. Rather than
//! wrap every deserializer in a path tracker (which doubled the deserialization code in the
//! wasm binary), the path is found after the fact, only when reading failed: first the
//! smallest config object that fails on its own (`runs[1].optimizer`, a Lookahead's `inner`,
//! a SequentialLR child, `problem.model`, `stop`), then, inside it, the field the message
//! names: an unknown field `k`, the value an "invalid type/value" message quotes, an unknown
//! variant's string, or an array of the length an "invalid length" message gives.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::RunConfig;
use crate::data::DataConfig;
use crate::model::{ModelConfig, Regularization};
use crate::monitor::StopConfig;
use crate::optim::OptimizerConfig;
use crate::problem::{ProblemConfig, ViewBox};
use crate::schedule::ScheduleConfig;

fn fails<T: DeserializeOwned>(value: &Value) -> bool {
    serde_json::from_value::<T>(value.clone()).is_err()
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// The path of the field an error `message` of reading `root` as an experiment is about.
pub fn locate_in_experiment(root: &Value, message: &str) -> String {
    let (path, part) = failing_experiment_part(root);
    refine(&path, part, message)
}

fn failing_experiment_part(root: &Value) -> (String, &Value) {
    if let Some(problem) = root.get("problem") {
        if fails::<ProblemConfig>(problem) {
            return failing_problem_part("problem".into(), problem);
        }
    }
    if let Some(Value::Array(runs)) = root.get("runs") {
        for (i, run) in runs.iter().enumerate() {
            if fails::<RunConfig>(run) {
                let path = format!("runs[{i}]");
                if let Some(o) = run.get("optimizer").filter(|o| fails::<OptimizerConfig>(o)) {
                    return failing_optimizer_part(join(&path, "optimizer"), o);
                }
                if let Some(s) = run.get("schedule").filter(|s| fails::<ScheduleConfig>(s)) {
                    return failing_schedule_part(join(&path, "schedule"), s);
                }
                return (path, run);
            }
        }
    }
    if let Some(stop) = root.get("stop").filter(|s| fails::<StopConfig>(s)) {
        return ("stop".into(), stop);
    }
    if let Some(view) = root.get("view").filter(|v| fails::<ViewBox>(v)) {
        return ("view".into(), view);
    }
    (String::new(), root)
}

fn failing_problem_part(path: String, problem: &Value) -> (String, &Value) {
    if problem.get("name").and_then(Value::as_str) == Some("model") {
        if let Some(d) = problem.get("data").filter(|d| fails::<DataConfig>(d)) {
            return (join(&path, "data"), d);
        }
        if let Some(m) = problem.get("model").filter(|m| fails::<ModelConfig>(m)) {
            return (join(&path, "model"), m);
        }
        if let Some(r) = problem.get("regularization").filter(|r| fails::<Regularization>(r)) {
            return (join(&path, "regularization"), r);
        }
    }
    (path, problem)
}

fn failing_optimizer_part(path: String, optimizer: &Value) -> (String, &Value) {
    if let Some(inner) = optimizer.get("inner").filter(|i| fails::<OptimizerConfig>(i)) {
        return failing_optimizer_part(join(&path, "inner"), inner);
    }
    (path, optimizer)
}

fn failing_schedule_part(path: String, schedule: &Value) -> (String, &Value) {
    if let Some(Value::Array(children)) = schedule.get("schedulers") {
        for (j, child) in children.iter().enumerate() {
            if fails::<ScheduleConfig>(child) {
                return failing_schedule_part(format!("{path}.schedulers[{j}]"), child);
            }
        }
    }
    (path, schedule)
}

/// The text between the first pair of backticks after `prefix`, or of double quotes.
fn quoted<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?;
    let start = rest.find(['`', '"'])?;
    let close = rest.as_bytes()[start] as char;
    let tail = &rest[start + 1..];
    tail.find(close).map(|end| &tail[..end])
}

/// Narrows `path` (the failing part `part`) to the field the message is about.
fn refine(path: &str, part: &Value, message: &str) -> String {
    if let Some(field) = quoted(message, "unknown field ") {
        return match part {
            Value::Object(map) if map.contains_key(field) => join(path, field),
            _ => find(part, path, &|_, key| key == Some(field)).unwrap_or_else(|| path.to_string()),
        };
    }
    if let Some(variant) = quoted(message, "unknown variant ") {
        let target = Value::String(variant.to_string());
        return find(part, path, &|v, _| *v == target).unwrap_or_else(|| path.to_string());
    }
    if let Some(rest) = message.strip_prefix("invalid length ") {
        let length: Option<usize> = rest.split(|c: char| !c.is_ascii_digit()).next().and_then(|n| n.parse().ok());
        if let Some(length) = length {
            let is_it = |v: &Value, _: Option<&str>| matches!(v, Value::Array(items) if items.len() == length);
            return find(part, path, &is_it).unwrap_or_else(|| path.to_string());
        }
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some(text) = quoted(rest, "") {
                let is_it = |v: &Value, _: Option<&str>| match v {
                    Value::String(s) => rest.starts_with("string") && s == text,
                    Value::Number(n) => {
                        n.to_string() == text || n.as_f64().zip(text.parse::<f64>().ok()).is_some_and(|(a, b)| a == b)
                    }
                    Value::Bool(b) => b.to_string() == text,
                    _ => false,
                };
                return find(part, path, &is_it).unwrap_or_else(|| path.to_string());
            }
            let kind = |v: &Value| match v {
                Value::Null => "null",
                Value::Bool(_) => "boolean",
                Value::Array(_) => "sequence",
                Value::Object(_) => "map",
                _ => "",
            };
            let is_it =
                |v: &Value, key: Option<&str>| key.is_some() && !kind(v).is_empty() && rest.starts_with(kind(v));
            return find(part, path, &is_it).unwrap_or_else(|| path.to_string());
        }
    }
    path.to_string()
}

/// Depth-first search for the first value (with the key it is stored under) that matches.
fn find(value: &Value, path: &str, is_it: &dyn Fn(&Value, Option<&str>) -> bool) -> Option<String> {
    match value {
        Value::Object(map) => map.iter().find_map(|(key, v)| {
            let here = join(path, key);
            if is_it(v, Some(key)) {
                Some(here)
            } else {
                find(v, &here, is_it)
            }
        }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, v)| {
            let here = format!("{path}[{i}]");
            if is_it(v, None) {
                Some(here)
            } else {
                find(v, &here, is_it)
            }
        }),
        _ => None,
    }
}
