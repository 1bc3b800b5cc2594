//! The PyTorch scripts of `converge pytorch`: for every run of every config in `tests/torch/`,
//! the script's text must equal its golden file in `tests/golden/pytorch/` (regenerate an
//! intended change with `GOLDEN_UPDATE=1 cargo test --test pytorch`). `make test-torch` runs
//! the scripts with torch and compares their numbers with `converge run`.

use std::path::PathBuf;

use convergence::config::Experiment;
use convergence::export::pytorch::script;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_script_matches_its_golden_file() {
    let mut configs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/torch"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    configs.sort();
    assert!(configs.len() >= 10, "the torch configs are missing");
    let golden = root().join("tests/golden/pytorch");
    let update = std::env::var_os("GOLDEN_UPDATE").is_some();
    let mut checked = 0;
    for config in &configs {
        let experiment = Experiment::from_json(&std::fs::read_to_string(config).unwrap()).unwrap();
        let stem = config.file_stem().unwrap().to_string_lossy().to_string();
        for index in 0..experiment.runs.len() {
            let text = script(&experiment, index).unwrap();
            let path = golden.join(format!("{stem}__{index}.py"));
            if update {
                std::fs::create_dir_all(&golden).unwrap();
                std::fs::write(&path, &text).unwrap();
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()));
            assert_eq!(text, expected, "{} changed; if intended, regenerate with GOLDEN_UPDATE=1", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 50, "{checked} scripts");
}

#[test]
fn what_torch_cannot_reproduce_is_refused_with_the_field_named() {
    let lion = r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "l", "optimizer": {"name": "Lion"}}]}"#;
    let error = script(&Experiment::from_json(lion).unwrap(), 0).unwrap_err();
    assert_eq!(error, "optimizer.name: Lion is not in torch.optim, so no script can reproduce it with torch");
    let hd = r#"{"problem": {"name": "model", "data": {"name": "moons"}}, "runs": [{"label": "a", "optimizer": {"name": "AdamHD"}}]}"#;
    let error = script(&Experiment::from_json(hd).unwrap(), 0).unwrap_err();
    assert_eq!(error, "optimizer.name: AdamHD is not in torch.optim, so no script can reproduce it with torch");
    let missing = r#"{"problem": {"name": "booth"}, "runs": [{"label": "a", "optimizer": {"name": "Adam"}}]}"#;
    assert_eq!(script(&Experiment::from_json(missing).unwrap(), 3).unwrap_err(), "run: there is no run 3");
}

#[test]
fn lbfgs_on_minibatches_gets_the_closure_of_the_playgrounds_lbfgs_and_only_it() {
    let config = |batch: &str| {
        format!(
            r#"{{"problem": {{"name": "model", "data": {{"name": "moons"}}, "batch_size": {batch}}},
                "runs": [{{"label": "a", "optimizer": {{"name": "LBFGS"}}}}]}}"#
        )
    };
    let minibatch = script(&Experiment::from_json(&config("10")).unwrap(), 0).unwrap();
    assert!(minibatch.contains("def minibatch_lbfgs_closure():"), "the closure is written");
    assert!(minibatch.contains("        loss = f(p) if calls[0] == 1 else objective(p)\n"));
    assert!(minibatch.contains("        optimizer.step(minibatch_lbfgs_closure())\n"), "and used by the step");
    assert!(!minibatch.contains("optimizer.step(evaluate)"));
    let full = script(&Experiment::from_json(&config("null")).unwrap(), 0).unwrap();
    assert!(!full.contains("minibatch_lbfgs_closure"), "full batch: the plain closure");
    assert!(full.contains("        optimizer.step(evaluate)\n"));
}

#[test]
fn a_script_states_the_run_and_its_settings() {
    let text = script(
        &Experiment::from_json(
            r#"{"problem": {"name": "quadratic", "b": 4}, "runs": [{"label": "gd", "x0": [1, 2],
                "optimizer": {"name": "SGD", "lr": 0.25}, "schedule": {"name": "StepLR", "step_size": 7}}],
                "stop": {"max_steps": 123, "grad_norm": null}}"#,
        )
        .unwrap(),
        0,
    )
    .unwrap();
    for line in [
        "    return 0.5 * (1.0 * (x * x) + 4.0 * (y * y))",
        "p = torch.tensor([1.0, 2.0], requires_grad=True)",
        "optimizer = torch.optim.SGD([p], lr=0.25, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, foreach=False)",
        "scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=7, gamma=0.1)",
        "MAX_STEPS = 123",
        "GRAD_NORM = None",
    ] {
        assert!(text.lines().any(|l| l == line), "missing line {line:?} in\n{text}");
    }
}

/// The experiment `json` as the initial weights and data sets the playground uses.
fn model_session(json: &str) -> (Experiment, convergence::run::session::Session) {
    let experiment = Experiment::from_json(json).unwrap();
    let session = convergence::run::session::Session::new(experiment.clone());
    (experiment, session)
}

#[test]
fn a_model_script_holds_the_runs_own_weights_and_data_exactly() {
    let (experiment, session) = model_session(
        r#"{"seed": 9, "problem": {"name": "model", "data": {"name": "moons", "n": 30},
            "model": {"name": "mlp", "hidden": [3]}, "batch_size": 4, "regularization": {"dropout": 0.1}},
            "runs": [{"label": "a", "optimizer": {"name": "Adam"}}]}"#,
    );
    let text = script(&experiment, 0).unwrap();
    // Every initial weight and every training input is written in a form that reads back exactly.
    let numbers: Vec<f64> = text
        .split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
        .filter_map(|word| word.parse::<f64>().ok())
        .collect();
    let weights = session.runs()[0].x0();
    assert_eq!(weights.len(), 2 * 3 + 3 + 3 + 1);
    for w in weights {
        assert!(numbers.iter().any(|n| n.to_bits() == w.to_bits()), "weight {w:?} is missing");
    }
    let convergence::problem::Problem::Model(training) = session.problem() else { panic!("not a model") };
    for x in &training.train.inputs {
        assert!(numbers.iter().any(|n| n.to_bits() == x.to_bits()), "input {x:?} is missing");
    }
    for line in
        ["WIDTHS = [2, 3, 1]", "BATCH_SIZE = 4", "STOCHASTIC = True", "DROPOUT = 0.1", "SEED = 9", "HEAD = 'logit'"]
    {
        assert!(text.lines().any(|l| l == line), "missing line {line:?}");
    }
    assert!(text.contains("# Dropout: the masks are the playground's own"));
    // The loop's hooks are in: the batch before each point, the epoch after each update.
    assert!(text.contains("    next_batch()\n    visited = p.detach().tolist()\n"));
    assert!(text.contains("    after_update()\n\nwith torch.no_grad():\n    final_loss = objective(p).item()\n"));
}

#[test]
fn a_typed_function_is_written_node_for_node() {
    let experiment = Experiment::from_json(
        r#"{"problem": {"name": "custom", "f": "min(x, 2)^2 - sin(pi/2)*y"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}]}"#,
    )
    .unwrap();
    let text = script(&experiment, 0).unwrap();
    assert!(
        text.lines()
            .any(|l| l
                == "    return ((torch.where(2.0 < x, 2.0, x) ** 2.0) - (math.sin((3.141592653589793 / 2.0)) * y))"),
        "{text}"
    );
}
