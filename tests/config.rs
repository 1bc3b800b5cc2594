//! The experiment config: parsing with torch's defaults, structural errors with their path and
//! the allowed values, validation collecting every problem, and JSON round trips.

use convergence::config::validate::ValidationErrors;
use convergence::config::{Experiment, RunConfig, MAX_RUNS};
use convergence::optim::{LineSearch, LookaheadVariant, OptimizerConfig};
use convergence::problem::ProblemConfig;
use convergence::run::monitor::{ChangeMode, StopConfig, MAX_STEPS_LIMIT};
use convergence::schedule::ScheduleConfig;

const EXAMPLE: &str = r#"{"seed": 1, "problem": {"name": "rosenbrock"}, "runs": [{"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01}, "schedule": {"name": "constant"}}], "stop": {"max_steps": 3000}}"#;

fn parse(json: &str) -> Experiment {
    Experiment::from_json(json).unwrap_or_else(|e| panic!("config rejected:\n{e}"))
}

fn errors(json: &str) -> ValidationErrors {
    match Experiment::from_json(json) {
        Ok(e) => panic!("config accepted: {e:?}"),
        Err(e) => e,
    }
}

/// Every error as `path: message`.
fn lines(e: &ValidationErrors) -> Vec<String> {
    e.0.iter().map(ToString::to_string).collect()
}

/// A config with one run whose optimizer is `optimizer` (JSON), on rosenbrock.
fn with_optimizer(optimizer: &str) -> String {
    format!(r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [{{"label": "r", "optimizer": {optimizer}}}]}}"#)
}

/// A config with the example run and the given `stop` object.
fn with_stop(stop: &str) -> String {
    format!(
        r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [{{"label": "r", "optimizer": {{"name": "SGD"}}}}], "stop": {stop}}}"#
    )
}

fn optimizer(json: &str) -> OptimizerConfig {
    let e = parse(&with_optimizer(json));
    e.runs[0].optimizer.clone()
}

// ---------------------------------------------------------------------------------------------
// The example and defaults
// ---------------------------------------------------------------------------------------------

#[test]
fn the_issue_example_parses_with_torch_defaults() {
    let e = parse(EXAMPLE);
    assert_eq!(e.seed, 1);
    assert_eq!(e.problem, ProblemConfig::Rosenbrock { a: 1.0, b: 100.0 });
    assert_eq!(e.runs.len(), 1);
    let run = &e.runs[0];
    assert_eq!(run.label, "adam");
    assert_eq!(run.x0, Some(vec![-1.5, 2.0]));
    assert_eq!(run.color, None);
    assert_eq!(run.schedule, ScheduleConfig::Constant {});
    assert_eq!(
        run.optimizer,
        OptimizerConfig::Adam {
            lr: 0.01,
            betas: [0.9, 0.999],
            eps: 1e-8,
            weight_decay: 0.0,
            amsgrad: false,
            decoupled_weight_decay: false,
        }
    );
    assert_eq!(e.stop, StopConfig { max_steps: 3000, ..StopConfig::default() });
    assert!(e.validate().is_ok());
}

#[test]
fn omitted_sections_take_their_defaults() {
    let e = parse(r#"{"problem": {"name": "quadratic"}, "runs": [{"label": "x", "optimizer": {"name": "Adam"}}]}"#);
    assert_eq!(e.seed, 0);
    assert_eq!(e.problem, ProblemConfig::Quadratic { a: 1.0, b: 10.0 });
    assert_eq!(e.runs[0].x0, None);
    assert_eq!(e.runs[0].schedule, ScheduleConfig::Constant {});
    let torch_adam = OptimizerConfig::Adam {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weight_decay: 0.0,
        amsgrad: false,
        decoupled_weight_decay: false,
    };
    assert_eq!(e.runs[0].optimizer, torch_adam);
    let stop = &e.stop;
    assert_eq!(stop, &StopConfig::default());
    assert_eq!(stop.max_steps, 10_000);
    let plateau = stop.loss_plateau.as_ref().unwrap();
    assert_eq!((plateau.tol, plateau.patience, plateau.mode, plateau.stop), (1e-12, 50, ChangeMode::Rel, true));
}

#[test]
fn torch_defaults_for_every_optimizer() {
    let cases: Vec<(&str, OptimizerConfig)> = vec![
        ("SGD", OptimizerConfig::SGD { lr: 1e-3, momentum: 0.0, dampening: 0.0, weight_decay: 0.0, nesterov: false }),
        (
            "Adagrad",
            OptimizerConfig::Adagrad {
                lr: 1e-2,
                lr_decay: 0.0,
                weight_decay: 0.0,
                initial_accumulator_value: 0.0,
                eps: 1e-10,
            },
        ),
        (
            "RMSprop",
            OptimizerConfig::RMSprop {
                lr: 1e-2,
                alpha: 0.99,
                eps: 1e-8,
                weight_decay: 0.0,
                momentum: 0.0,
                centered: false,
            },
        ),
        (
            "Adam",
            OptimizerConfig::Adam {
                lr: 1e-3,
                betas: [0.9, 0.999],
                eps: 1e-8,
                weight_decay: 0.0,
                amsgrad: false,
                decoupled_weight_decay: false,
            },
        ),
        (
            "AdamW",
            OptimizerConfig::AdamW { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 1e-2, amsgrad: false },
        ),
        (
            "NAdam",
            OptimizerConfig::NAdam {
                lr: 2e-3,
                betas: [0.9, 0.999],
                eps: 1e-8,
                weight_decay: 0.0,
                momentum_decay: 4e-3,
                decoupled_weight_decay: false,
            },
        ),
        (
            "RAdam",
            OptimizerConfig::RAdam {
                lr: 1e-3,
                betas: [0.9, 0.999],
                eps: 1e-8,
                weight_decay: 0.0,
                decoupled_weight_decay: false,
            },
        ),
        ("Adamax", OptimizerConfig::Adamax { lr: 2e-3, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.0 }),
        ("Adadelta", OptimizerConfig::Adadelta { lr: 1.0, rho: 0.9, eps: 1e-6, weight_decay: 0.0 }),
        (
            "LBFGS",
            OptimizerConfig::LBFGS {
                lr: 1.0,
                max_iter: 20,
                max_eval: None,
                tolerance_grad: 1e-7,
                tolerance_change: 1e-9,
                history_size: 100,
                line_search_fn: None,
            },
        ),
        ("Lion", OptimizerConfig::Lion { lr: 1e-4, betas: [0.9, 0.99], weight_decay: 0.0 }),
        ("Newton", OptimizerConfig::Newton { lr: 1.0, damping: 0.0 }),
    ];
    for (name, expected) in cases {
        let got = optimizer(&format!(r#"{{"name": "{name}"}}"#));
        assert_eq!(got, expected, "{name}");
        assert_eq!(got.name(), name);
    }
    // Lookahead: k 5, alpha 0.5, the paper's bookkeeping, and the inner optimizer's defaults.
    let got = optimizer(r#"{"name": "Lookahead", "inner": {"name": "SGD"}}"#);
    assert_eq!(
        got,
        OptimizerConfig::Lookahead {
            k: 5,
            alpha: 0.5,
            variant: LookaheadVariant::Paper,
            inner: Box::new(OptimizerConfig::SGD {
                lr: 1e-3,
                momentum: 0.0,
                dampening: 0.0,
                weight_decay: 0.0,
                nesterov: false
            }),
        }
    );
    assert_eq!(got.lr(), 1e-3);
}

#[test]
fn explicit_values_override_defaults() {
    let got = optimizer(
        r#"{"name": "LBFGS", "lr": 0.5, "max_iter": 1, "max_eval": 4, "history_size": 7,
            "line_search_fn": "strong_wolfe"}"#,
    );
    assert_eq!(
        got,
        OptimizerConfig::LBFGS {
            lr: 0.5,
            max_iter: 1,
            max_eval: Some(4),
            tolerance_grad: 1e-7,
            tolerance_change: 1e-9,
            history_size: 7,
            line_search_fn: Some(LineSearch::StrongWolfe),
        }
    );
    let got = optimizer(
        r#"{"name": "Lookahead", "k": 3, "alpha": 0.8, "variant": "torch_optimizer", "inner": {"name": "Adam", "lr": 0.1}}"#,
    );
    match got {
        OptimizerConfig::Lookahead { k: 3, alpha, variant: LookaheadVariant::TorchOptimizer, inner } => {
            assert_eq!(alpha, 0.8);
            assert_eq!(inner.lr(), 0.1);
        }
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Validation collects every problem
// ---------------------------------------------------------------------------------------------

#[test]
fn validation_collects_every_problem_with_its_path() {
    let e = errors(
        r#"{"problem": {"name": "rosenbrock"}, "runs": [
            {"label": "a", "optimizer": {"name": "Adam", "lr": -1, "betas": [1.2, 0.999]}},
            {"label": "b", "x0": [1, 2, 3], "optimizer": {"name": "SGD"}}]}"#,
    );
    let mut got = lines(&e);
    got.sort();
    assert_eq!(
        got,
        [
            "runs[0].optimizer.betas[0]: must be in [0, 1), got 1.2",
            "runs[0].optimizer.lr: must be >= 0, got -1",
            "runs[1].x0: must have 2 entries for this problem, got 3",
        ]
    );
    let paths: Vec<&str> = e.0.iter().map(|f| f.path.as_str()).collect();
    assert!(paths.contains(&"runs[0].optimizer.betas[0]"));
    // The Display of the whole error lists every problem, one per line.
    let text = e.to_string();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("runs[0].optimizer.betas[0]: must be in [0, 1), got 1.2"), "{text}");
}

#[test]
fn validation_many_problems_across_sections() {
    let e = errors(
        r##"{"problem": {"name": "rosenbrock"}, "runs": [
            {"label": "", "optimizer": {"name": "RMSprop", "alpha": -0.5, "eps": -1}, "color": "red"},
            {"label": "b", "optimizer": {"name": "Adamax", "betas": [0.9, 1.0]}},
            {"label": "c", "optimizer": {"name": "Adadelta", "rho": 1.5}},
            {"label": "d", "optimizer": {"name": "LBFGS", "max_iter": 0, "history_size": 0}}],
            "stop": {"max_steps": 0, "grad_norm": {"tol": 0}, "loss_plateau": {"tol": -1, "patience": 0},
                     "divergence": {"factor": 0.5}}}"##,
    );
    let got = lines(&e);
    let expected = [
        "runs[0].label: must have 1 to 64 characters, got 0",
        "runs[0].optimizer.alpha: must be >= 0, got -0.5",
        "runs[0].optimizer.eps: must be >= 0, got -1",
        "runs[0].color: must look like #1f77b4, got \"red\"",
        "runs[1].optimizer.betas[1]: must be in [0, 1), got 1",
        "runs[2].optimizer.rho: must be in [0, 1], got 1.5",
        "runs[3].optimizer.max_iter: must be in [1, 1000], got 0",
        "runs[3].optimizer.history_size: must be in [1, 1000], got 0",
        "stop.max_steps: must be in [1, 100000000], got 0",
        "stop.loss_plateau.tol: must be > 0, got -1",
        "stop.loss_plateau.patience: must be >= 1, got 0",
        "stop.grad_norm.tol: must be > 0, got 0",
        "stop.divergence.factor: must be a finite number >= 1, got 0.5",
    ];
    for line in expected {
        assert!(got.iter().any(|g| g == line), "missing {line:?} in {got:#?}");
    }
    assert_eq!(got.len(), expected.len(), "{got:#?}");
}

#[test]
fn runs_count_and_labels() {
    let e = errors(r#"{"problem": {"name": "rosenbrock"}, "runs": []}"#);
    assert_eq!(lines(&e), ["runs: at least one run is needed"]);

    let run = |i: usize| format!(r#"{{"label": "r{i}", "optimizer": {{"name": "SGD"}}}}"#);
    let many: Vec<String> = (0..=MAX_RUNS).map(run).collect();
    let e = errors(&format!(r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [{}]}}"#, many.join(",")));
    assert_eq!(lines(&e), [format!("runs: at most {MAX_RUNS} runs, got {}", MAX_RUNS + 1)]);
    let enough: Vec<String> = (0..MAX_RUNS).map(run).collect();
    parse(&format!(r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [{}]}}"#, enough.join(",")));

    let long = "x".repeat(65);
    let e = errors(&format!(
        r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [{{"label": "{long}", "optimizer": {{"name": "SGD"}}}}]}}"#
    ));
    assert_eq!(lines(&e), ["runs[0].label: must have 1 to 64 characters, got 65"]);
    // Characters, not bytes.
    let unicode = "é".repeat(64);
    parse(&format!(
        r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [{{"label": "{unicode}", "optimizer": {{"name": "SGD"}}}}]}}"#
    ));
}

#[test]
fn duplicate_labels_are_rejected() {
    let e = errors(
        r#"{"problem": {"name": "rosenbrock"}, "runs": [
            {"label": "a", "optimizer": {"name": "Adam"}},
            {"label": "b", "optimizer": {"name": "Adam"}},
            {"label": "a", "optimizer": {"name": "SGD"}}]}"#,
    );
    assert_eq!(lines(&e), [r#"runs[2].label: duplicate label "a"; labels must be unique"#]);
}

#[test]
fn max_steps_limits() {
    let e = errors(&with_stop(r#"{"max_steps": 0}"#));
    assert_eq!(lines(&e), ["stop.max_steps: must be in [1, 100000000], got 0"]);
    let e = errors(&with_stop(&format!(r#"{{"max_steps": {}}}"#, MAX_STEPS_LIMIT + 1)));
    assert_eq!(lines(&e), ["stop.max_steps: must be in [1, 100000000], got 100000001"]);
    assert_eq!(parse(&with_stop(r#"{"max_steps": 1}"#)).stop.max_steps, 1);
    assert_eq!(parse(&with_stop(&format!(r#"{{"max_steps": {MAX_STEPS_LIMIT}}}"#))).stop.max_steps, MAX_STEPS_LIMIT);
    // A negative number is a type error, with the path.
    let e = errors(&with_stop(r#"{"max_steps": -5}"#));
    assert_eq!(e.0.len(), 1);
    assert_eq!(e.0[0].path, "stop.max_steps");
}

#[test]
fn nesterov_rules() {
    let e = errors(&with_optimizer(r#"{"name": "SGD", "momentum": 0.9, "dampening": 0.1, "nesterov": true}"#));
    assert_eq!(lines(&e), ["runs[0].optimizer.nesterov: Nesterov momentum requires momentum > 0 and dampening = 0"]);
    let e = errors(&with_optimizer(r#"{"name": "SGD", "nesterov": true}"#));
    assert_eq!(e.0.len(), 1);
    assert_eq!(e.0[0].path, "runs[0].optimizer.nesterov");
    optimizer(r#"{"name": "SGD", "momentum": 0.9, "nesterov": true}"#);
    // Dampening without nesterov is fine.
    optimizer(r#"{"name": "SGD", "momentum": 0.9, "dampening": 0.5}"#);
}

#[test]
fn lookahead_cannot_be_nested() {
    let e =
        errors(&with_optimizer(r#"{"name": "Lookahead", "inner": {"name": "Lookahead", "inner": {"name": "SGD"}}}"#));
    assert_eq!(lines(&e), ["runs[0].optimizer.inner: a Lookahead cannot wrap another Lookahead"]);
    // The inner optimizer is validated under its own path, with the outer fields.
    let e =
        errors(&with_optimizer(r#"{"name": "Lookahead", "k": 0, "alpha": 2, "inner": {"name": "Adam", "lr": -0.1}}"#));
    let mut got = lines(&e);
    got.sort();
    assert_eq!(
        got,
        [
            "runs[0].optimizer.alpha: must be in [0, 1], got 2",
            "runs[0].optimizer.inner.lr: must be >= 0, got -0.1",
            "runs[0].optimizer.k: must be >= 1, got 0",
        ]
    );
}

#[test]
fn betas_bounds() {
    // [0, 1): 0 is allowed, 1 is not, for every optimizer with betas.
    for name in ["Adam", "AdamW", "NAdam", "RAdam", "Adamax", "Lion"] {
        optimizer(&format!(r#"{{"name": "{name}", "betas": [0.0, 0.5]}}"#));
        let e = errors(&with_optimizer(&format!(r#"{{"name": "{name}", "betas": [-0.1, 1.0]}}"#)));
        assert_eq!(
            lines(&e),
            [
                "runs[0].optimizer.betas[0]: must be in [0, 1), got -0.1",
                "runs[0].optimizer.betas[1]: must be in [0, 1), got 1"
            ],
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Structural errors: each with the path and the allowed values
// ---------------------------------------------------------------------------------------------

fn one_error(json: &str) -> (String, String) {
    let e = errors(json);
    assert_eq!(e.0.len(), 1, "{e}");
    (e.0[0].path.clone(), e.0[0].message.clone())
}

#[test]
fn unknown_fields_name_the_path_and_the_allowed_fields() {
    let (path, message) = one_error(
        r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "a", "speed": 2, "optimizer": {"name": "Adam"}}]}"#,
    );
    assert_eq!(path, "runs[0].speed");
    assert!(message.contains("unknown field `speed`"), "{message}");
    for field in ["label", "x0", "optimizer", "schedule", "color"] {
        assert!(message.contains(&format!("`{field}`")), "{message}");
    }

    let (path, message) = one_error(
        r#"{"problem": {"name": "rosenbrock"}, "bar": 1, "runs": [{"label": "a", "optimizer": {"name": "Adam"}}]}"#,
    );
    assert_eq!(path, "bar");
    assert!(message.contains("unknown field `bar`"), "{message}");
    for field in ["seed", "problem", "runs", "stop"] {
        assert!(message.contains(&format!("`{field}`")), "{message}");
    }

    let (path, message) = one_error(&with_stop(r#"{"max_steps": 10, "patience": 3}"#));
    assert_eq!(path, "stop.patience");
    for field in ["max_steps", "loss_plateau", "param_change", "grad_norm", "target_loss", "divergence"] {
        assert!(message.contains(&format!("`{field}`")), "{message}");
    }

    // Inside a tagged optimizer too, the path names the field, with the allowed ones.
    let (path, message) = one_error(&with_optimizer(r#"{"name": "Adam", "foo": 1}"#));
    assert_eq!(path, "runs[0].optimizer.foo");
    assert!(message.starts_with("unknown field `foo`, expected one of "), "{message}");
    for field in ["lr", "betas", "eps", "weight_decay", "amsgrad", "decoupled_weight_decay"] {
        assert!(message.contains(&format!("`{field}`")), "{message}");
    }
    // A torch keyword of another optimizer is unknown too.
    let (path, message) = one_error(&with_optimizer(r#"{"name": "SGD", "betas": [0.9, 0.99]}"#));
    assert_eq!(path, "runs[0].optimizer.betas");
    assert!(message.contains("unknown field `betas`"), "{message}");
    assert!(message.contains("`nesterov`"), "{message}");
}

#[test]
fn unknown_names_list_the_allowed_values() {
    let (path, message) = one_error(&with_optimizer(r#"{"name": "Adamm"}"#));
    assert_eq!(path, "runs[0].optimizer.name");
    assert!(message.contains("unknown variant `Adamm`"), "{message}");
    for name in [
        "SGD",
        "Adagrad",
        "RMSprop",
        "Adam",
        "AdamW",
        "NAdam",
        "RAdam",
        "Adamax",
        "Adadelta",
        "LBFGS",
        "Lion",
        "Newton",
        "Lookahead",
    ] {
        assert!(message.contains(&format!("`{name}`")), "{name} missing in {message}");
    }
    // Names are case-sensitive, as torch's class names.
    let (path, _) = one_error(&with_optimizer(r#"{"name": "adam"}"#));
    assert_eq!(path, "runs[0].optimizer.name");

    let (path, message) =
        one_error(r#"{"problem": {"name": "rosenbrok"}, "runs": [{"label": "a", "optimizer": {"name": "Adam"}}]}"#);
    assert_eq!(path, "problem.name");
    assert!(message.contains("unknown variant `rosenbrok`"), "{message}");
    for name in ["quadratic", "rosenbrock", "himmelblau", "linreg", "logreg"] {
        assert!(message.contains(&format!("`{name}`")), "{message}");
    }

    let (path, message) = one_error(
        r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "a", "optimizer": {"name": "Adam"}, "schedule": {"name": "Cosine"}}]}"#,
    );
    assert_eq!(path, "runs[0].schedule.name");
    for name in ["constant", "StepLR", "OneCycleLR", "ReduceLROnPlateau"] {
        assert!(message.contains(&format!("`{name}`")), "{message}");
    }
}

#[test]
fn missing_and_mistyped_fields() {
    // A missing field is reported at the object that lacks it.
    let (path, message) = one_error(r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "a"}]}"#);
    assert_eq!((path.as_str(), message.as_str()), ("runs[0]", "missing field `optimizer`"));

    let (path, message) = one_error(r#"{"runs": [{"label": "a", "optimizer": {"name": "Adam"}}]}"#);
    assert_eq!((path.as_str(), message.as_str()), ("", "missing field `problem`"));

    let (path, message) = one_error(&with_optimizer(r#"{"lr": 0.1}"#));
    assert_eq!((path.as_str(), message.as_str()), ("runs[0].optimizer", "missing field `name`"));

    // A wrong type and the problems of the rest of the config are told together.
    let e = errors(r#"{"seed": "one", "problem": {"name": "rosenbrock"}, "runs": []}"#);
    assert_eq!(
        lines(&e),
        [r#"seed: must be a whole number (0 or more), got string "one""#, "runs: at least one run is needed"]
    );

    let (path, message) = one_error(&with_optimizer(r#"{"name": "Adam", "lr": "fast"}"#));
    assert_eq!((path.as_str(), message.as_str()), ("runs[0].optimizer.lr", r#"must be a number, got string "fast""#));

    let (path, message) =
        one_error(&with_optimizer(r#"{"name": "Lookahead", "inner": {"name": "Adam", "eps": true}}"#));
    assert_eq!(
        (path.as_str(), message.as_str()),
        ("runs[0].optimizer.inner.eps", "must be a number, got boolean `true`")
    );

    let (path, message) = one_error("{not json");
    assert_eq!(path, "");
    assert!(message.starts_with("invalid JSON: key must be a string at line 1 column 2"), "{message}");
}

#[test]
fn every_wrong_type_and_every_value_out_of_range_are_told_at_once() {
    // Two wrong types in one run, a value out of range in another, and an unknown field: each
    // field left out in turn, the rest read and validated.
    let e = errors(
        r#"{"problem": {"name": "rosenbrock"}, "runs": [
            {"label": "a", "optimizer": {"name": "SGD", "lr": "abc", "momentum": -1, "weight_decay": "x"}},
            {"label": "b", "optimizer": {"name": "Adam", "lr": -0.5}, "speed": 3}]}"#,
    );
    let text = lines(&e);
    assert!(text[0].starts_with("runs[0].optimizer.lr: must be a number, got string \"abc\""), "{text:?}");
    assert!(text[1].starts_with("runs[0].optimizer.weight_decay: must be a number"), "{text:?}");
    assert!(text[2].starts_with("runs[1].speed: unknown field `speed`"), "{text:?}");
    assert!(text.contains(&"runs[0].optimizer.momentum: must be >= 0, got -1".to_string()), "{text:?}");
    assert!(text.iter().any(|l| l.starts_with("runs[1].optimizer.lr: ")), "{text:?}");
    assert_eq!(text.len(), 5, "{text:?}");
}

#[test]
fn a_field_without_a_default_or_an_array_item_ends_the_search() {
    // The unknown name is the one problem: the optimizer without its name is not reported as well.
    let e = errors(&with_optimizer(r#"{"name": "Adamm", "lr": "x"}"#));
    assert_eq!(e.0.len(), 1, "{e}");
    assert_eq!(e.0[0].path, "runs[0].optimizer.name");
    // A wrong item in an array: leaving it out would move the items after it, so reading stops.
    let e = errors(
        r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "a", "x0": [1, "y"], "optimizer": {"name": "SGD", "lr": -1}}]}"#,
    );
    assert_eq!(lines(&e), [r#"runs[0].x0[1]: must be a number, got string "y""#]);
}

// ---------------------------------------------------------------------------------------------
// Strict structure: objects only where objects belong, no key twice, exact paths
// ---------------------------------------------------------------------------------------------

/// The one structural error of `json`, as `path: message`.
fn one_line(json: &str) -> String {
    let (path, message) = one_error(json);
    format!("{path}: {message}")
}

#[test]
fn the_issue_wrong_paths_name_the_right_field() {
    let config =
        |seed: &str, runs: &str| format!(r#"{{"seed": {seed}, "problem": {{"name": "rosenbrock"}}, "runs": {runs}}}"#);
    let run = |x0: &str| format!(r#"[{{"label": "a", "x0": {x0}, "optimizer": {{"name": "SGD"}}}}]"#);
    assert_eq!(one_line(&config("[1]", &run("[1, 2]"))), "seed: must be a whole number (0 or more), got sequence");
    assert_eq!(one_line(&config("1", "{}")), "runs: invalid type: map, expected a sequence");
    assert_eq!(one_line(&config("1", &run(r#"{"x": 1}"#))), "runs[0].x0: invalid type: map, expected a sequence");
    assert_eq!(one_line(&config("1", &run("[null, 1]"))), "runs[0].x0[0]: must be a number, got null");
}

#[test]
fn structs_written_as_arrays_are_rejected_with_their_path() {
    // `"stop": [5]` used to mean `max_steps` 5, and a whole experiment as nested arrays ran.
    assert_eq!(one_line(&with_stop("[5]")), "stop: invalid type: sequence, expected struct StopConfig");
    assert_eq!(
        one_line(r#"[1, {"name": "rosenbrock"}, [["a", null, {"name": "SGD"}]]]"#),
        ": invalid type: sequence, expected struct Experiment"
    );
    let runs = r#"[{"label": "r", "optimizer": {"name": "SGD"}}]"#;
    let model = |field: &str| {
        format!(r#"{{"problem": {{"name": "model", "data": {{"name": "circle"}}, {field}}}, "runs": {runs}}}"#)
    };
    let cases: Vec<(String, &str)> = vec![
        (
            r#"{"problem": {"name": "rosenbrock"}, "runs": [["r", [1, 2], {"name": "SGD"}]]}"#.to_string(),
            "runs[0]: invalid type: sequence, expected struct RunConfig",
        ),
        (
            with_stop(r#"{"loss_plateau": [1e-9, 5]}"#),
            "stop.loss_plateau: invalid type: sequence, expected struct PlateauCriterion",
        ),
        (
            with_stop(r#"{"param_change": [1e-9]}"#),
            "stop.param_change: invalid type: sequence, expected struct ParamChangeCriterion",
        ),
        (
            with_stop(r#"{"grad_norm": [1e-9]}"#),
            "stop.grad_norm: invalid type: sequence, expected struct GradNormCriterion",
        ),
        (
            with_stop(r#"{"target_loss": [0.1]}"#),
            "stop.target_loss: invalid type: sequence, expected struct TargetLossCriterion",
        ),
        (
            with_stop(r#"{"early_stopping": [3]}"#),
            "stop.early_stopping: invalid type: sequence, expected struct EarlyStoppingCriterion",
        ),
        (
            with_stop(r#"{"divergence": [10]}"#),
            "stop.divergence: invalid type: sequence, expected struct DivergenceCriterion",
        ),
        (
            format!(r#"{{"problem": {{"name": "rosenbrock"}}, "runs": {runs}, "view": [[-1, 1], [-1, 1]]}}"#),
            "view: invalid type: sequence, expected struct ViewBox",
        ),
        (
            model(r#""regularization": [0.1, 0, 0]"#),
            "problem.regularization: invalid type: sequence, expected struct Regularization",
        ),
        (
            model(r#""model": ["mlp"]"#),
            r#"problem.model: invalid type: an array, expected an object with a "name" field"#,
        ),
        (
            format!(r#"{{"problem": {{"name": "model", "data": ["circle"]}}, "runs": {runs}}}"#),
            r#"problem.data: invalid type: an array, expected an object with a "name" field"#,
        ),
        (
            format!(r#"{{"problem": ["rosenbrock"], "runs": {runs}}}"#),
            r#"problem: invalid type: an array, expected an object with a "name" field"#,
        ),
        (
            format!(r#"{{"problem": {{"name": "linreg", "data": [[0, 1], [1, 2]]}}, "runs": {runs}}}"#),
            "problem.data: invalid type: sequence, expected struct LinregData",
        ),
        (
            with_optimizer(r#"["SGD", 0.1]"#),
            r#"runs[0].optimizer: invalid type: an array, expected an object with a "name" field"#,
        ),
        (
            with_optimizer(r#"{"name": "Lookahead", "inner": ["SGD"]}"#),
            r#"runs[0].optimizer.inner: invalid type: an array, expected an object with a "name" field"#,
        ),
        (
            r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "r", "optimizer": {"name": "SGD"},
                "schedule": {"name": "SequentialLR", "milestones": [5], "schedulers": [{"name": "constant"}, ["StepLR", 2]]}}]}"#
                .to_string(),
            r#"runs[0].schedule.schedulers[1]: invalid type: an array, expected an object with a "name" field"#,
        ),
    ];
    for (json, expected) in cases {
        assert_eq!(one_line(&json), expected, "{json}");
    }
}

#[test]
fn arrays_of_the_wrong_length_are_rejected_at_the_array() {
    assert_eq!(
        one_line(&with_optimizer(r#"{"name": "Adam", "betas": [0.9, 0.99, 0.5]}"#)),
        "runs[0].optimizer.betas: invalid length 3, expected fewer elements in array"
    );
    assert_eq!(
        one_line(&with_optimizer(r#"{"name": "Adam", "betas": [0.9]}"#)),
        "runs[0].optimizer.betas: invalid length 1, expected an array of length 2"
    );
}

#[test]
fn duplicate_keys_are_rejected_with_their_path() {
    let cases = [
        (with_optimizer(r#"{"name": "Adam", "lr": 0.1, "lr": 0.2}"#), "runs[0].optimizer.lr"),
        // The same key spelled with an escape is the same key.
        (with_optimizer(r#"{"name": "Adam", "lr": 0.1, "l\u0072": 0.2}"#), "runs[0].optimizer.lr"),
        (with_optimizer(r#"{"name": "Adam", "name": "SGD"}"#), "runs[0].optimizer.name"),
        (
            r#"{"seed": 1, "problem": {"name": "rosenbrock"}, "seed": 2, "runs": [{"label": "r", "optimizer": {"name": "SGD"}}]}"#
                .to_string(),
            "seed",
        ),
        (with_stop(r#"{"loss_plateau": {"tol": 1e-9, "tol": 1e-3}}"#), "stop.loss_plateau.tol"),
        (
            r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}},
               {"label": "b", "label": "c", "optimizer": {"name": "SGD"}}]}"#
                .to_string(),
            "runs[1].label",
        ),
        (
            r#"{"problem": {"name": "rosenbrock"}, "runs": [{"label": "r", "optimizer": {"name": "SGD"},
               "schedule": {"name": "SequentialLR", "milestones": [5],
                            "schedulers": [{"name": "constant"}, {"name": "StepLR", "step_size": 2, "step_size": 3}]}}]}"#
                .to_string(),
            "runs[0].schedule.schedulers[1].step_size",
        ),
    ];
    for (json, path) in cases {
        assert_eq!(lines(&errors(&json)), [format!("{path}: duplicate key")], "{json}");
    }
    // The same key in different objects is no duplicate.
    parse(
        r#"{"problem": {"name": "quadratic", "a": 1}, "runs": [{"label": "a", "optimizer": {"name": "SGD", "lr": 0.1}},
             {"label": "b", "optimizer": {"name": "SGD", "lr": 0.1}}]}"#,
    );
}

#[test]
fn the_url_decoder_cannot_produce_duplicate_keys() {
    // Every way the hash could set one key twice is a syntax error naming the key; the value it
    // builds therefore never holds a duplicate.
    let cases = [
        ("problem=rosenbrock&run=a:SGD(lr=0.1,l%72=0.2)", "field `lr` is given twice"),
        ("problem=rosenbrock&run=a:SGD(name=Adam)", "field `name` is given twice"),
        ("problem=rosenbrock(b=1,b=2)&run=a:SGD", "field `b` is given twice"),
        ("problem=rosenbrock&run=a:SGD&stop=grad_norm.tol:1,grad_norm:null", "`grad_norm` is given twice"),
        ("problem=rosenbrock&run=a:SGD&stop=grad_norm:null,grad_norm.tol:1", "`grad_norm.tol` is given twice"),
        ("problem=rosenbrock&run=a:SGD~StepLR(step_size=2)~constant", "schedule is given twice"),
        ("problem=rosenbrock&run=a:SGD&seed=1&seed=2", "seed= is given twice"),
    ];
    for (hash, expected) in cases {
        let e = convergence::config::urlstate::decode(hash).expect_err(hash);
        assert_eq!(e.0.len(), 1, "{hash}: {e}");
        assert_eq!(e.0[0].path, "hash", "{hash}");
        assert!(e.0[0].message.contains(expected), "{hash}: {e}");
    }
    // And the hash's structure is read as strictly as JSON.
    let e = convergence::config::urlstate::decode("problem=rosenbrock&run=a:SGD&seed=(1)").expect_err("seed array");
    assert_eq!(lines(&e), ["seed: must be a whole number (0 or more), got sequence"]);
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

fn round_trip(json: &str) {
    let e = parse(json);
    let text = e.to_json();
    let back = Experiment::from_json(&text).unwrap_or_else(|err| panic!("{text}\nrejected: {err}"));
    assert_eq!(back, e, "{text}");
    // And once more: the JSON is stable.
    assert_eq!(back.to_json(), text);
}

#[test]
fn configs_survive_a_json_round_trip() {
    round_trip(EXAMPLE);
    round_trip(r#"{"problem": {"name": "quadratic"}, "runs": [{"label": "x", "optimizer": {"name": "Adam"}}]}"#);
    round_trip(
        r##"{"seed": 42, "problem": {"name": "quadratic", "a": 2.0, "b": 50.0},
            "runs": [
                {"label": "sgd", "x0": [-4.0, 2.0], "optimizer": {"name": "SGD", "lr": 0.01, "momentum": 0.9, "nesterov": true},
                 "schedule": {"name": "OneCycleLR", "max_lr": 0.1, "total_steps": 500}, "color": "#1f77b4"},
                {"label": "lbfgs", "optimizer": {"name": "LBFGS", "max_iter": 1, "line_search_fn": "strong_wolfe", "max_eval": 3}},
                {"label": "la", "optimizer": {"name": "Lookahead", "k": 6, "variant": "torch_optimizer",
                                              "inner": {"name": "RAdam", "decoupled_weight_decay": true, "weight_decay": 0.1}},
                 "schedule": {"name": "SequentialLR", "milestones": [20],
                              "schedulers": [{"name": "LinearLR", "start_factor": 0.1, "total_iters": 20},
                                             {"name": "CosineAnnealingLR", "T_max": 180, "eta_min": 0.001}]}},
                {"label": "plateau", "optimizer": {"name": "RMSprop", "centered": true, "momentum": 0.5},
                 "schedule": {"name": "ReduceLROnPlateau", "patience": 3, "factor": 0.5}},
                {"label": "cyclic", "optimizer": {"name": "AdamW", "amsgrad": true},
                 "schedule": {"name": "CyclicLR", "base_lr": 0.001, "max_lr": 0.01, "mode": "exp_range", "gamma": 0.99}},
                {"label": "lion", "optimizer": {"name": "Lion", "lr": 0.0003}},
                {"label": "newton", "optimizer": {"name": "Newton", "damping": 0.01}},
                {"label": "adagrad", "optimizer": {"name": "Adagrad", "lr_decay": 0.01, "initial_accumulator_value": 0.1},
                 "schedule": {"name": "LambdaLR", "lambda": "inverse_time", "t0": 50.0}},
                {"label": "nadam", "optimizer": {"name": "NAdam", "momentum_decay": 0.005}},
                {"label": "adadelta", "optimizer": {"name": "Adadelta", "rho": 0.95}},
                {"label": "adamax", "optimizer": {"name": "Adamax"}, "schedule": {"name": "ExponentialLR", "gamma": 0.999}}
            ],
            "stop": {"max_steps": 777, "loss_plateau": {"tol": 1e-9, "patience": 7, "mode": "abs", "stop": false},
                     "param_change": null, "grad_norm": {"tol": 1e-6}, "target_loss": {"value": -1.5},
                     "divergence": {"factor": 1000.0}}}"##,
    );
    round_trip(
        r#"{"problem": {"name": "linreg", "data": {"x": [0.0, 1.0, 2.0], "y": [1.0, 3.1, 4.9]}, "l2": 0.01},
            "runs": [{"label": "gd", "optimizer": {"name": "SGD", "lr": 0.1}, "schedule": {"name": "StepLR", "step_size": 10}}]}"#,
    );
    round_trip(
        r#"{"problem": {"name": "logreg", "data": {"x": [[0.0, 1.0], [1.0, 0.5]], "y": [0.0, 1.0]}, "l1": 0.001},
            "runs": [{"label": "adam", "x0": [0.0, 0.0, 0.0], "optimizer": {"name": "Adam"}}]}"#,
    );
    round_trip(
        r#"{"problem": {"name": "rastrigin", "A": 5.0}, "runs": [{"label": "m", "optimizer": {"name": "SGD", "momentum": 0.5},
            "schedule": {"name": "MultiStepLR", "milestones": [10, 20]}}]}"#,
    );
}

#[test]
fn a_built_experiment_survives_a_json_round_trip() {
    let e = Experiment {
        view: None,
        search: None,
        analysis: None,
        seed: 9,
        problem: ProblemConfig::Rosenbrock { a: 1.0, b: 100.0 },
        runs: vec![RunConfig {
            label: "adam".into(),
            x0: Some(vec![-1.5, 2.0]),
            optimizer: adam(),
            schedule: ScheduleConfig::default(),
            color: Some("#ff7f0e".into()),
        }],
        stop: StopConfig { target_loss: None, max_steps: 123, ..StopConfig::default() },
    };
    assert!(e.validate().is_ok());
    assert_eq!(Experiment::from_json(&e.to_json()).unwrap(), e);
}

#[test]
fn awkward_floats_survive_a_json_round_trip_bit_for_bit() {
    // Shortest-representation floats with 17 significant digits, tiny and huge magnitudes:
    // a config shared as JSON must start from exactly the same point.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in 0..2000 {
        let bits = next();
        let mut x = f64::from_bits(bits);
        if !x.is_finite() {
            x = (bits >> 11) as f64 / (1u64 << 53) as f64;
        }
        let y = 20.396078054371138 * (1.0 + i as f64 * 1e-13);
        let e = Experiment {
            view: None,
            search: None,
            analysis: None,
            seed: i,
            problem: ProblemConfig::Rosenbrock { a: 1.0, b: 100.0 },
            runs: vec![RunConfig {
                label: "r".into(),
                x0: Some(vec![x, y]),
                optimizer: adam(),
                schedule: ScheduleConfig::default(),
                color: None,
            }],
            stop: StopConfig::default(),
        };
        let back = Experiment::from_json(&e.to_json()).unwrap();
        let got = back.runs[0].x0.as_ref().unwrap();
        assert_eq!((got[0].to_bits(), got[1].to_bits()), (x.to_bits(), y.to_bits()), "{x:?} {y:?}");
    }
}

/// torch.optim.Adam with every default, read as the page writes it.
fn adam() -> OptimizerConfig {
    serde_json::from_str(r#"{"name": "Adam"}"#).unwrap()
}

#[test]
fn data_split_counts_what_the_core_cuts() {
    use convergence::problem::{data_split, DataSplit};
    // 200 spiral points, a quarter validating: the split of a real run of the same problem.
    let problem = r#"{"name": "model", "data": {"name": "spiral", "n": 200}, "model": {"name": "mlp"}, "validation_share": 0.25}"#;
    assert_eq!(data_split(problem).unwrap(), Some(DataSplit { points: 200, train: 150, validation: 50 }));
    let config =
        format!(r#"{{"problem": {problem}, "runs": [{{"label": "a", "optimizer": {{"name": "SGD", "lr": 0.1}}}}]}}"#);
    let experiment = convergence::config::Experiment::from_json(&config).unwrap();
    let size = experiment.problem.size();
    assert_eq!((size.train, size.examples), (150, 200));
    // A CSV of five lines below its header.
    let csv = r#"{"name": "model", "data": {"name": "csv", "text": "x,y\n1,2\n2,3\n3,4\n4,5\n5,6\n"}, "model": {"name": "polynomial"}, "validation_share": 0.2}"#;
    assert_eq!(data_split(csv).unwrap(), Some(DataSplit { points: 5, train: 4, validation: 1 }));
    // A landscape has no data; an invalid problem names its field.
    assert_eq!(data_split(r#"{"name": "rosenbrock"}"#).unwrap(), None);
    let errors =
        data_split(r#"{"name": "model", "data": {"name": "spiral", "n": 2}, "model": {"name": "mlp"}}"#).unwrap_err();
    assert_eq!(errors.0[0].path, "problem.data.n");
}
