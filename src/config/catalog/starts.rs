//! The page's starting choices: what the page puts in an experiment when the visitor adds
//! something without saying what yet. A new run (its label stem, optimizer with its learning
//! rate, and schedule), the landscape and the dataset a switch between "Loss landscape" and
//! "Model on data" starts from, the model a task starts with, and the units of a first hidden
//! layer. They are choices of the page, not defaults of the config reader (a config must name
//! its optimizer and its problem), so they are written here once and read by the page through
//! the catalogue; the tests below check that each one is an experiment the core accepts.

use serde_json::{json, Value};

/// A new run's label stem (the page adds " 2", " 3", ... to keep labels unique).
const RUN_LABEL: &str = "run";

/// A new run's optimizer: gradient descent at a rate that is stable on every landscape's
/// starting view.
const RUN_OPTIMIZER: (&str, f64) = ("SGD", 0.01);

/// The landscape a switch back from "Model on data" starts from.
const LANDSCAPE: &str = "quadratic";

/// The dataset a switch to "Model on data" starts from.
const DATASET: &str = "circle";

/// The model a task starts with, by task.
const MODEL_FOR_TASK: [(&str, &str); 2] = [("classification", "mlp"), ("regression", "polynomial")];

/// The units of a hidden layer added to a network without one (a layer added after others
/// copies the last one's units).
const LAYER_UNITS: usize = 4;

/// The starting choices, under the names the page reads.
pub fn starts() -> Value {
    let (optimizer, lr) = RUN_OPTIMIZER;
    json!({
        "run": {
            "label": RUN_LABEL,
            "optimizer": { "name": optimizer, "lr": lr },
            "schedule": { "name": "constant" },
        },
        "landscape": { "name": LANDSCAPE },
        "dataset": DATASET,
        "model_for_task": crate::json::object_from(
            MODEL_FOR_TASK.iter().map(|(task, model)| ((*task).to_string(), Value::from(*model))),
        ),
        "layer_units": LAYER_UNITS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Experiment;

    fn accepted(config: Value) -> Experiment {
        let text = config.to_string();
        Experiment::from_json(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn a_new_run_on_the_starting_landscape_is_an_experiment_the_core_accepts() {
        let starts = starts();
        let experiment = accepted(json!({ "problem": starts["landscape"], "runs": [starts["run"]] }));
        assert_eq!(experiment.runs[0].label, RUN_LABEL);
        assert_eq!(experiment.runs[0].optimizer.name(), RUN_OPTIMIZER.0);
        assert_eq!(experiment.problem.name(), LANDSCAPE);
    }

    #[test]
    fn each_tasks_starting_model_fits_the_starting_data_and_the_layer_limits() {
        let starts = starts();
        let catalog = crate::config::catalog::catalog().unwrap();
        let task_of = |name: &str| catalog.datasets.iter().find(|d| d.name == name).map(|d| d.extra["task"].clone());
        let starting_task = task_of(DATASET).unwrap();
        let model = &starts["model_for_task"][starting_task.as_str().unwrap()];
        accepted(json!({
            "problem": { "name": "model", "data": { "name": DATASET }, "model": { "name": model } },
            "runs": [starts["run"]],
        }));
        for (task, model) in MODEL_FOR_TASK {
            let entry = catalog.models.iter().find(|m| m.name == model).unwrap();
            assert!(entry.extra["tasks"].as_array().unwrap().iter().any(|t| t == task), "{model} does not do {task}");
        }
        let hidden = vec![LAYER_UNITS; 1];
        accepted(json!({
            "problem": { "name": "model", "data": { "name": DATASET }, "model": { "name": "mlp", "hidden": hidden } },
            "runs": [starts["run"]],
        }));
        assert!(LAYER_UNITS <= catalog.model_limits["maxUnits"].as_u64().unwrap() as usize);
    }
}
