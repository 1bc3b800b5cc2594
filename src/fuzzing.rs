//! The fuzz entry points: one function per input format, shared by the cargo-fuzz targets in
//! `fuzz/fuzz_targets/` and by `tests/fuzz_regressions.rs`, which replays every input that once
//! crashed or hung without libFuzzer.
//!
//! Each function takes arbitrary bytes, feeds them to the core as its users would (a JSON config
//! file, a URL hash, an uploaded CSV) and checks the properties the core documents for accepted
//! input. None of them panics on its own: a broken property is returned as `Err` with a
//! description, and the fuzz target turns it into a crash. A panic or a hang inside the core is
//! itself the finding. The work per input is bounded: a session takes at most `STEPS` steps per
//! run.

use crate::config::urlstate;
use crate::config::validate::Validator;
use crate::config::Experiment;
use crate::data::{DataConfig, Task, MAX_POINTS, MIN_POINTS};
use crate::run::session::Session;

/// Steps every run of an accepted config takes (each step is bounded work for every optimizer
/// except one configured to iterate for very long inside a step, such as L-BFGS with a huge
/// `max_iter`).
pub const STEPS: u64 = 3;

/// A JSON config file: parse and validate it; if it is accepted, build a session, step it, and
/// check that `step(STEPS)` equals `STEPS` calls of `step(1)` and that `reset` followed by the
/// same steps reproduces the same snapshot, bit for bit. Bytes that are not UTF-8 are ignored
/// (a config file is text).
pub fn config_json(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    let Ok(experiment) = Experiment::from_json(text) else {
        return Ok(());
    };
    check_session(experiment)
}

/// A URL hash (or a whole link): decode it; if it is accepted, check the documented round trip
/// (`decode(encode(x)) == x` with every float bit, and `encode` of the result gives the same
/// hash again), then run the experiment as `config_json` does.
pub fn url_hash(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    let Ok(experiment) = urlstate::decode(text) else {
        return Ok(());
    };
    let hash = urlstate::encode(&experiment);
    let back = urlstate::decode(&hash).map_err(|e| format!("the re-encoded hash {hash:?} does not decode: {e}"))?;
    // Debug prints every f64 in its shortest round-trip form, -0.0 included, so equal Debug
    // output means equal bits.
    if back != experiment || format!("{back:?}") != format!("{experiment:?}") {
        return Err(format!("the round trip through {hash:?} changed the experiment: {experiment:?} -> {back:?}"));
    }
    let again = urlstate::encode(&back);
    if again != hash {
        return Err(format!("encoding is not stable: {hash:?} then {again:?}"));
    }
    check_session(experiment)
}

/// An uploaded CSV text: validate it as the `text` of `{"name": "csv"}` data and read it into a
/// dataset. Reading never panics, accepted or not; for an accepted text the dataset must have
/// between MIN_POINTS and MAX_POINTS points of finite numbers, the task and input size the
/// config reports, and labels 0 or 1 for classification. Bytes that are not UTF-8 are ignored.
pub fn csv_import(data: &[u8]) -> Result<(), String> {
    let Ok(text) = std::str::from_utf8(data) else {
        return Ok(());
    };
    let config = DataConfig::Csv { text: text.to_string() };
    let mut v = Validator::new();
    config.validate("text", &mut v);
    let accepted = v.finish().is_ok();
    let task = config.task();
    let input_dim = config.input_dim();
    let dataset = config.generate(0);
    if !accepted {
        return Ok(());
    }
    let n = dataset.len();
    if !(MIN_POINTS as usize..=MAX_POINTS as usize).contains(&n) {
        return Err(format!("an accepted CSV gave {n} points"));
    }
    if dataset.task != task || dataset.input_dim != input_dim {
        return Err(format!(
            "the dataset is {:?} with {} inputs, the config says {task:?} with {input_dim}",
            dataset.task, dataset.input_dim
        ));
    }
    if dataset.inputs.len() != n * input_dim {
        return Err(format!("{} inputs for {n} points of {input_dim}", dataset.inputs.len()));
    }
    if let Some(x) = dataset.inputs.iter().chain(&dataset.targets).find(|x| !x.is_finite()) {
        return Err(format!("an accepted CSV gave the number {x}"));
    }
    if task == Task::Classification {
        if let Some(label) = dataset.targets.iter().find(|&&y| y != 0.0 && y != 1.0) {
            return Err(format!("an accepted CSV gave the label {label}"));
        }
    }
    Ok(())
}

/// Steps an accepted experiment and checks that stepping is additive and reset is complete.
fn check_session(experiment: Experiment) -> Result<(), String> {
    let mut at_once = Session::new(experiment.clone());
    let fresh = snapshot_json(&at_once);
    at_once.step(STEPS);
    let after = snapshot_json(&at_once);

    let mut one_by_one = Session::new(experiment);
    for _ in 0..STEPS {
        one_by_one.step(1);
    }
    let single = snapshot_json(&one_by_one);
    if single != after {
        return Err(format!("step({STEPS}) gave {after}\n{STEPS} x step(1) gave {single}"));
    }

    at_once.reset();
    let reset = snapshot_json(&at_once);
    if reset != fresh {
        return Err(format!("after reset {reset}\nfresh {fresh}"));
    }
    at_once.step(STEPS);
    let replayed = snapshot_json(&at_once);
    if replayed != after {
        return Err(format!("after reset and step({STEPS}) {replayed}\nfirst time {after}"));
    }
    Ok(())
}

/// The snapshot as JSON: floats in their shortest round-trip form and non-finite ones as
/// strings, so equal text means equal bits.
fn snapshot_json(session: &Session) -> String {
    crate::json::to_string(&session.snapshot())
}
