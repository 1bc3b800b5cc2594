//! The learning-rate schedules as the page presents them: formula and each field's label and
//! starting value; names and defaults come from `ScheduleConfig`.

use serde_json::{Map, Value};

use super::{check_rows, fields_of, read_back, Entry, Words, WORDS};
use crate::schedule::ScheduleConfig;

/// One schedule's formula, by name.
const FORMULAS: [(&str, &str); 14] = [
    ("constant", "lr_t = lr"),
    ("StepLR", "lr_t = lr · γ^⌊t / step_size⌋"),
    ("MultiStepLR", "lr_t = lr · γ^(milestones passed)"),
    ("ExponentialLR", "lr_t = lr · γ^t"),
    ("CosineAnnealingLR", "lr_t = η_min + (lr − η_min)(1 + cos πt/T_max)/2"),
    ("CosineAnnealingWarmRestarts", "cosine from lr to η_min, restarted after T_0, T_0·T_mult, … steps"),
    ("ConstantLR", "lr_t = lr · factor for t < total_iters, then lr"),
    ("LinearLR", "factor goes linearly from start_factor to end_factor over total_iters steps"),
    ("PolynomialLR", "lr_t = lr · (1 − t/total_iters)^power"),
    ("LambdaLR", "inverse_time: lr/(1 + t/t0) · inverse_sqrt: lr/√(t + 1)"),
    ("SequentialLR", "one schedule after another, each restarted at its milestone"),
    ("OneCycleLR", "warm up to max_lr, then anneal far below (ignores lr)"),
    ("CyclicLR", "triangle waves between base_lr and max_lr (ignores lr)"),
    ("ReduceLROnPlateau", "lr × factor when the loss stalls for patience steps"),
];

/// The page's starting values where torch has no default, and the fields' words.
const FIELDS: [Words; 19] = [
    Words { key: "step_size", of: &["StepLR"], initial: "100", ..WORDS },
    Words {
        key: "milestones",
        of: &["MultiStepLR"],
        label: "milestones (comma-separated steps)",
        kind: "ints",
        initial: "[100, 200]",
        ..WORDS
    },
    Words {
        key: "milestones",
        of: &["SequentialLR"],
        label: "milestones (comma-separated steps)",
        kind: "ints",
        initial: "[50]",
        ..WORDS
    },
    // The child schedules are edited as a list, not as a field; their starting value (a linear
    // warm-up over the first milestone's 50 steps, then cosine annealing) is the catalogue's
    // `children`, the list a new SequentialLR starts with on the page.
    Words {
        key: "schedulers",
        kind: "schedules",
        initial: r#"[{"name": "LinearLR", "start_factor": 0.1, "total_iters": 50}, {"name": "CosineAnnealingLR", "T_max": 500}]"#,
        ..WORDS
    },
    Words { key: "gamma", of: &["ExponentialLR"], initial: "0.99", ..WORDS },
    Words { key: "T_max", initial: "500", ..WORDS },
    Words { key: "T_0", initial: "100", ..WORDS },
    Words {
        key: "lambda",
        initial: r#""inverse_time""#,
        options: &[
            (Some("inverse_time"), "inverse_time: 1 / (1 + t/t0)"),
            (Some("inverse_sqrt"), "inverse_sqrt: 1 / √(t + 1)"),
        ],
        ..WORDS
    },
    Words {
        key: "t0",
        label: "t0 (inverse_time only)",
        kind: "optnumber",
        initial: "100",
        hide_if: Some(("lambda", "inverse_sqrt")),
        ..WORDS
    },
    Words { key: "max_lr", of: &["OneCycleLR", "CyclicLR"], initial: "0.1", ..WORDS },
    Words { key: "total_steps", initial: "1000", ..WORDS },
    Words { key: "base_lr", initial: "0.01", ..WORDS },
    Words { key: "anneal_strategy", options: &[(Some("cos"), "cos"), (Some("linear"), "linear")], ..WORDS },
    Words { key: "cycle_momentum", help: "cycle momentum (or β₁) inversely to the lr", ..WORDS },
    Words { key: "step_size_down", label: "step_size_down (empty: = step_size_up)", kind: "optnumber", ..WORDS },
    Words {
        key: "mode",
        of: &["CyclicLR"],
        options: &[
            (Some("triangular"), "triangular"),
            (Some("triangular2"), "triangular2"),
            (Some("exp_range"), "exp_range"),
        ],
        ..WORDS
    },
    Words { key: "mode", of: &["ReduceLROnPlateau"], options: &[(Some("min"), "min"), (Some("max"), "max")], ..WORDS },
    Words { key: "threshold_mode", options: &[(Some("rel"), "rel"), (Some("abs"), "abs")], ..WORDS },
    Words { key: "patience", help: "steps without improvement before the lr is cut", ..WORDS },
];

/// Every schedule of `ScheduleConfig`, in the config's order. SequentialLR's child schedules
/// are edited as a list of schedules, not as a field: `children` is the list it starts with.
pub fn entries() -> Result<Vec<Entry>, String> {
    let names = ScheduleConfig::NAMES;
    let listed: Vec<&str> = FORMULAS.iter().map(|f| f.0).collect();
    if names != listed.as_slice() {
        return Err(format!("catalogue: the schedules listed ({listed:?}) are not the config's ({names:?})"));
    }
    check_rows("schedule", &FIELDS, names, ScheduleConfig::keys_of)?;
    let mut entries = Vec::new();
    for (name, formula) in FORMULAS {
        let keys = ScheduleConfig::keys_of(name).unwrap_or(&[]);
        let mut fields = fields_of(name, keys, &FIELDS, read_back::<ScheduleConfig>)?;
        let mut extra = Map::new();
        if let Some(children) = fields.iter().find(|f| f.kind == "schedules") {
            extra.insert("children".into(), children.initial.clone().unwrap_or(Value::Array(Vec::new())));
            fields.retain(|f| f.kind != "schedules");
        }
        entries.push(Entry { name, title: name, formula, extra, fields, ..Entry::default() });
    }
    Ok(entries)
}
