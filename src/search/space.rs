//! The search space: numeric hyperparameters addressed by their path in the experiment config
//! (`runs[0].optimizer.lr`, `runs[0].optimizer.betas[0]`, `problem.regularization.l2`,
//! `problem.batch_size`, `problem.model.hidden[1]`, and for an MLP's shape
//! `problem.model.width`, every hidden layer's units, and `problem.model.depth`, the number of
//! hidden layers), each with a range and a scale or a list of choices, sampled with the portable
//! generator (`crate::data::Rng`).
//!
//! Sampling, with u = `Rng::uniform()` in [0, 1) and k = `Rng::range_u32`:
//! - linear real: `low + (high - low) u`;
//! - log real: `exp(ln low + (ln high - ln low) u)` (log-uniform; `crate::math` so that native
//!   and wasm agree bit for bit);
//! - linear integer: `low + k(high - low + 1)`, uniform over the whole numbers of [low, high];
//! - log integer: `floor(exp(ln low + (ln(high + 1) - ln low) u))`, capped at high;
//! - choices: `choices[k(len)]`.
//!
//! A sample is applied to the experiment's JSON value (missing object fields are created, so
//! an omitted hyperparameter can be searched too) and read back through `Experiment::from_value`
//! and `Experiment::validate`, so a value the experiment cannot take is an error naming the
//! space entry and the config path, never a silent clamp.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Number, Value};

use crate::config::tagged::kind;
use crate::config::validate::{join, ValidationErrors, Validator};
use crate::config::Experiment;
use crate::data::Rng;
use crate::math::{exp, ln};

/// How a range is sampled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// Uniform in the value.
    #[default]
    Linear,
    /// Uniform in the logarithm of the value (learning rates, weight decay).
    Log,
}

/// One searched hyperparameter: `{"path": "runs[0].optimizer.lr", "low": 1e-4, "high": 1,
/// "scale": "log"}`, `{"path": "problem.model.hidden[0]", "low": 2, "high": 32, "integer": true}`
/// or `{"path": "runs[0].optimizer.momentum", "choices": [0, 0.5, 0.9]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Where the value goes in the experiment config.
    pub path: String,
    /// Lower end of the range (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    /// Upper end of the range (exclusive for reals, inclusive for integers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// Linear or log.
    #[serde(default)]
    pub scale: Scale,
    /// Whole numbers only.
    #[serde(default, skip_serializing_if = "is_false")]
    pub integer: bool,
    /// A list of values to choose from, instead of a range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Value>>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Most parameters one search may vary.
pub const MAX_PARAMETERS: usize = 32;
/// Most choices one parameter may list.
pub const MAX_CHOICES: usize = 256;
/// Largest magnitude of an integer range end (exact in f64 and in i64).
const MAX_INTEGER: f64 = 9_007_199_254_740_992.0;

/// One step of a config path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// An object field.
    Key(String),
    /// An array element.
    Index(usize),
}

/// Parses `runs[0].optimizer.betas[1]` into its steps.
pub fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    for (n, part) in path.split('.').enumerate() {
        let (key, mut rest) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        let ok_key = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok_key {
            return Err(format!("\"{path}\" is not a config path like runs[0].optimizer.lr (part {})", n + 1));
        }
        steps.push(Step::Key(key.to_string()));
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(|| format!("\"{path}\": missing ']'"))?;
            let index = rest[1..close].parse::<usize>().map_err(|_| format!("\"{path}\": bad index in {rest}"))?;
            steps.push(Step::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(format!("\"{path}\": unexpected \"{rest}\""));
            }
        }
    }
    Ok(steps)
}

/// The units of every hidden layer of an MLP, as one hyperparameter (the network's width).
pub const WIDTH_PATH: &str = "problem.model.width";
/// The number of hidden layers of an MLP (its depth): layers added take the first layer's
/// width.
pub const DEPTH_PATH: &str = "problem.model.depth";

/// Sets the width or the depth of the MLP's `hidden` list in `root`.
fn set_shape(root: &mut Value, path: &str, value: &Value) -> Result<(), String> {
    let n = value.as_u64().ok_or_else(|| format!("{path} must be a whole number, got {value}"))?;
    let hidden = root
        .get_mut("problem")
        .and_then(|p| p.get_mut("model"))
        .and_then(|m| m.get_mut("hidden"))
        .and_then(Value::as_array_mut)
        .ok_or_else(|| format!("{path} needs an mlp model (problem.model.hidden)"))?;
    if path == WIDTH_PATH {
        hidden.iter_mut().for_each(|units| *units = Value::from(n));
    } else {
        let first = hidden.first().cloned().unwrap_or_else(|| Value::from(8));
        hidden.resize(usize::try_from(n).unwrap_or(usize::MAX).min(1 << 10), first);
    }
    Ok(())
}

/// Sets `value` at `steps` in `root`, creating missing object fields.
pub fn set_at(root: &mut Value, steps: &[Step], value: Value) -> Result<(), String> {
    let Some((last, init)) = steps.split_last() else {
        return Err("empty path".to_string());
    };
    let mut node = root;
    for step in init {
        node = match (step, node) {
            (Step::Key(k), Value::Object(map)) => map.entry(k.clone()).or_insert_with(|| Value::Object(Map::new())),
            (Step::Index(i), Value::Array(items)) => {
                let len = items.len();
                items.get_mut(*i).ok_or_else(|| format!("index {i} is out of range (the array has {len} items)"))?
            }
            (Step::Key(k), other) => return Err(format!("cannot take field `{k}` of {}", kind(other))),
            (Step::Index(i), other) => return Err(format!("cannot take item {i} of {}", kind(other))),
        };
    }
    match (last, node) {
        (Step::Key(k), Value::Object(map)) => {
            map.insert(k.clone(), value);
            Ok(())
        }
        (Step::Index(i), Value::Array(items)) => {
            let len = items.len();
            let slot =
                items.get_mut(*i).ok_or_else(|| format!("index {i} is out of range (the array has {len} items)"))?;
            *slot = value;
            Ok(())
        }
        (Step::Key(k), other) => Err(format!("cannot set field `{k}` of {}", kind(other))),
        (Step::Index(i), other) => Err(format!("cannot set item {i} of {}", kind(other))),
    }
}

/// The value at `steps` in `root`, if there is one.
pub fn get_at<'v>(root: &'v Value, steps: &[Step]) -> Option<&'v Value> {
    steps.iter().try_fold(root, |node, step| match step {
        Step::Key(k) => node.get(k.as_str()),
        Step::Index(i) => node.get(*i),
    })
}

/// The value at `steps` in `root`, if there is one, to change.
pub fn get_at_mut<'v>(root: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    steps.iter().try_fold(root, |node, step| match step {
        Step::Key(k) => node.get_mut(k.as_str()),
        Step::Index(i) => node.get_mut(*i),
    })
}

/// A JSON number for a finite float, or for a whole number written as an integer.
pub fn number(x: f64, integer: bool) -> Value {
    if integer && x.fract() == 0.0 && x.abs() <= MAX_INTEGER {
        if x >= 0.0 {
            return Value::Number(Number::from(x as u64));
        }
        return Value::Number(Number::from(x as i64));
    }
    Number::from_f64(x).map_or(Value::Null, Value::Number)
}

impl Parameter {
    /// True for a real range, which population-based training may perturb.
    pub fn is_real_range(&self) -> bool {
        self.choices.is_none() && !self.integer
    }

    /// Draws one value.
    pub fn sample(&self, rng: &mut Rng) -> Value {
        if let Some(choices) = &self.choices {
            let n = u32::try_from(choices.len()).unwrap_or(u32::MAX);
            return choices.get(rng.range_u32(n) as usize).cloned().unwrap_or(Value::Null);
        }
        let (low, high) = (self.low.unwrap_or(0.0), self.high.unwrap_or(0.0));
        let x = match (self.scale, self.integer) {
            (Scale::Linear, false) => rng.uniform_in(low, high),
            (Scale::Log, false) => exp(ln(low) + (ln(high) - ln(low)) * rng.uniform()),
            (Scale::Linear, true) => {
                let span = u32::try_from((high - low) as u64 + 1).unwrap_or(u32::MAX);
                low + f64::from(rng.range_u32(span))
            }
            (Scale::Log, true) => {
                let x = exp(ln(low) + (ln(high + 1.0) - ln(low)) * rng.uniform()).floor();
                x.min(high).max(low)
            }
        };
        number(x, self.integer)
    }

    /// Checks the range or the choices, recording problems under `path` (`search.space[i]`).
    fn validate_shape(&self, path: &str, v: &mut Validator) {
        if let Err(e) = parse_path(&self.path) {
            v.error(join(path, "path"), e);
        } else if self.path.starts_with("search") {
            v.error(join(path, "path"), "the search cannot vary its own settings");
        }
        if let Some(choices) = &self.choices {
            v.require(
                self.low.is_none() && self.high.is_none() && !self.integer && self.scale == Scale::Linear,
                path,
                "give either choices or a range (low, high, scale, integer), not both",
            );
            v.require(
                (1..=MAX_CHOICES).contains(&choices.len()),
                join(path, "choices"),
                format!("give 1 to {MAX_CHOICES} choices, got {}", choices.len()),
            );
            return;
        }
        let (Some(low), Some(high)) = (self.low, self.high) else {
            v.error(path, "needs low and high, or choices");
            return;
        };
        let finite = v.finite(join(path, "low"), low) & v.finite(join(path, "high"), high);
        if !finite {
            return;
        }
        v.require(low < high, path, format!("needs low < high, got low {low} and high {high}"));
        if self.scale == Scale::Log {
            v.require(low > 0.0, join(path, "low"), format!("must be > 0 on a log scale, got {low}"));
        }
        if self.integer {
            for (field, x) in [("low", low), ("high", high)] {
                v.require(
                    x.fract() == 0.0 && x.abs() <= MAX_INTEGER,
                    join(path, field),
                    format!("must be a whole number for an integer range, got {x}"),
                );
            }
            v.require(
                high - low < f64::from(u32::MAX),
                path,
                format!("an integer range may span at most {} values", u32::MAX),
            );
        }
    }

    /// The values checked against the experiment: both ends of a range (for an integer range
    /// and a real one alike, since every sample lies between them) or every choice.
    fn probes(&self) -> Vec<Value> {
        match &self.choices {
            Some(choices) => choices.clone(),
            None => [self.low, self.high].iter().flatten().map(|x| number(*x, self.integer)).collect(),
        }
    }
}

/// Applies `values` (one per parameter, in order) to the experiment and validates the result.
/// The search section is dropped from the result, which is the experiment a trial trains.
pub fn apply(base: &Experiment, parameters: &[Parameter], values: &[Value]) -> Result<Experiment, ValidationErrors> {
    let mut root = base.to_value();
    if let Value::Object(map) = &mut root {
        map.remove("search");
    }
    let mut v = Validator::new();
    for (i, (p, value)) in parameters.iter().zip(values).enumerate() {
        let outcome = match p.path.as_str() {
            WIDTH_PATH | DEPTH_PATH => set_shape(&mut root, &p.path, value),
            path => parse_path(path).and_then(|steps| set_at(&mut root, &steps, value.clone())),
        };
        if let Err(e) = outcome {
            v.error(format!("search.space[{i}].path"), format!("{}: {e}", p.path));
        }
    }
    v.finish()?;
    let experiment = Experiment::from_value(root)?;
    experiment.validate()?;
    Ok(experiment)
}

/// Checks every parameter: its shape, then each end of its range (or each choice) applied
/// alone to the base experiment. Problems are recorded under `search.space[i]`, with the
/// config path and the experiment's own message.
pub fn validate(parameters: &[Parameter], base: &Experiment, run: usize, v: &mut Validator) {
    v.require(
        (1..=MAX_PARAMETERS).contains(&parameters.len()),
        "search.space",
        format!("give 1 to {MAX_PARAMETERS} parameters, got {}", parameters.len()),
    );
    for (i, p) in parameters.iter().enumerate() {
        let path = format!("search.space[{i}]");
        let mut local = Validator::new();
        p.validate_shape(&path, &mut local);
        if let Err(errors) = local.finish() {
            errors.0.into_iter().for_each(|e| v.error(e.path, e.message));
            continue;
        }
        let other_run = match parse_path(&p.path).ok().as_deref() {
            Some([Step::Key(k), Step::Index(r), ..]) if k == "runs" => *r != run,
            _ => false,
        };
        if other_run {
            v.error(join(&path, "path"), format!("{}: the search trains run {run} only", p.path));
            continue;
        }
        if parameters[..i].iter().any(|q| q.path == p.path) {
            v.error(join(&path, "path"), format!("{} is searched twice", p.path));
            continue;
        }
        for probe in p.probes() {
            // The other parameters keep the experiment's own values.
            if let Err(errors) = apply(base, std::slice::from_ref(p), std::slice::from_ref(&probe)) {
                for e in errors.0 {
                    v.error(&path, format!("{} = {probe}: {e}", p.path));
                }
                break;
            }
        }
    }
}
