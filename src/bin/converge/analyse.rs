//! `converge analyse CONFIG.json`: runs every analysis named in the config's `analysis` section
//! (`convergence::analysis::section`) to its end and prints the results as one JSON document:
//! basins as the outcome list and the grid of outcome indices, the learning-rate sweep as one row
//! per learning rate and run, seed bands as the mean and spread per recorded step, the doctor's
//! diagnoses with the step where each applies, critical points with location, kind and value.

use std::io::Write;
use std::path::Path;

use convergence::analysis::section::analyse;

use crate::cli::{load, Failure};

/// Runs the analyses of the config at `config` (or of the link `url`) and prints them.
pub fn run(config: Option<&Path>, url: Option<&str>) -> Result<(), Failure> {
    let experiment = load(config, url)?;
    if experiment.analysis.is_none() {
        return Err(Failure(
            "the config has no \"analysis\" section; add one, e.g. \"analysis\": {\"critical_points\": {}, \"doctor\": true}"
                .to_string(),
        ));
    }
    let report = analyse(&experiment).map_err(|e| Failure(format!("invalid analysis:\n{e}")))?;
    let text = serde_json::to_string(&report).map_err(|e| Failure(format!("cannot write the analyses: {e}")))?;
    writeln!(std::io::stdout().lock(), "{text}").map_err(|e| Failure(format!("cannot write the analyses: {e}")))
}
