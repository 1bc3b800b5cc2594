//! One setting of an experiment changed by its path, for the widget's `el.set(path, value)`:
//! `set_path(config, "runs[0].optimizer.lr", "0.2")` writes the value at that path (the paths
//! of validation errors, read by `search::space::parse_path`) and validates the whole
//! experiment again. Every problem names its path, so an author sees which setting was refused.

use crate::config::validate::ValidationErrors;
use crate::config::Experiment;
use crate::search::space::{parse_path, set_at};

/// The experiment `config_json` with `value_json` (JSON text) at `path`, validated, as JSON.
pub fn set_path(config_json: &str, path: &str, value_json: &str) -> Result<String, ValidationErrors> {
    let mut config = Experiment::from_json(config_json)?.to_value();
    crate::config::limits::check_len(path, value_json, crate::config::limits::MAX_CONFIG_BYTES)?;
    let value = crate::config::reader::parse_json(value_json)
        .map_err(|e| ValidationErrors::one(path, format!("the value is not JSON ({e})")))?;
    let steps = parse_path(path).map_err(|e| ValidationErrors::one(path, e))?;
    set_at(&mut config, &steps, value).map_err(|e| ValidationErrors::one(path, e))?;
    let changed = Experiment::from_value(config)?;
    changed.validate()?;
    Ok(changed.to_json())
}
