//! `converge hyperband` and `converge search`: the hyperparameter search of
//! `convergence::search`, natively on every core.
//!
//! `search` opens and closes stages with `Search::advance(0)` and trains each stage's trials
//! on `--threads` threads (default: `std::thread::available_parallelism`), taking trials from
//! a shared queue. Trials are independent and stages close in a fixed order, so the output is
//! the same for any thread count, and the same as the page's chunked `advance(budget)`.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use convergence::config::Experiment;
use convergence::search::{hyperband, Search, Trial};

use crate::cli::Failure;

/// Prints Hyperband's plan for (R, eta) as JSON.
pub fn plan(max_resource: u64, eta: u64) -> Result<(), Failure> {
    if !(1..=hyperband::MAX_RESOURCE).contains(&max_resource) {
        return Err(Failure(format!(
            "--max-resource: must be in [1, {}], got {max_resource}",
            hyperband::MAX_RESOURCE
        )));
    }
    if !(2..=hyperband::MAX_ETA).contains(&eta) {
        return Err(Failure(format!("--eta: must be in [2, {}], got {eta}", hyperband::MAX_ETA)));
    }
    let plan = hyperband::plan(max_resource, eta);
    let text = serde_json::to_string(&plan).map_err(|e| Failure(e.to_string()))?;
    writeln!(std::io::stdout().lock(), "{text}").map_err(|e| Failure(e.to_string()))
}

/// Trains every trial of a stage to its target on `threads` threads.
fn train_stage(trials: &mut [Trial], threads: usize) {
    if threads <= 1 || trials.len() <= 1 {
        trials.iter_mut().for_each(|t| {
            t.train(u64::MAX);
        });
        return;
    }
    let queue = Mutex::new(trials.iter_mut());
    std::thread::scope(|scope| {
        for _ in 0..threads.min(trials_len(&queue)) {
            scope.spawn(|| loop {
                // The lock is released at the end of this statement, before training.
                let next = match queue.lock() {
                    Ok(mut q) => q.next(),
                    Err(_) => None,
                };
                let Some(trial) = next else {
                    break;
                };
                trial.train(u64::MAX);
            });
        }
    });
}

fn trials_len(queue: &Mutex<std::slice::IterMut<'_, Trial>>) -> usize {
    queue.lock().map_or(1, |q| q.len())
}

/// Runs the search section of the config and prints the results as JSON.
pub fn search(config: &Path, threads: Option<usize>) -> Result<(), Failure> {
    let text =
        std::fs::read_to_string(config).map_err(|e| Failure(format!("cannot read {}: {e}", config.display())))?;
    let experiment =
        Experiment::from_json(&text).map_err(|e| Failure(format!("invalid config {}:\n{e}", config.display())))?;
    let mut search =
        Search::new(&experiment).map_err(|e| Failure(format!("invalid config {}:\n{e}", config.display())))?;
    let threads = match threads {
        Some(0) => return Err(Failure("--threads: must be >= 1, got 0".to_string())),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    while !search.advance(0) {
        train_stage(search.stage_mut(), threads);
    }
    writeln!(std::io::stdout().lock(), "{}", search.results_json()).map_err(|e| Failure(e.to_string()))
}
