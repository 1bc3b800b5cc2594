//! Validation bounds the work of a step and the view box: L-BFGS's `max_iter` and `max_eval`,
//! the problems Newton's method may be used on, the work of one L-BFGS step on a model, and the
//! view box's coordinates and size. Each case from the hardening issue is here with its exact
//! input, through a JSON config and through the URL hash.

mod common;

use convergence::config::urlstate::decode;
use convergence::config::validate::{ValidationErrors, Validator};
use convergence::config::Experiment;
use convergence::optim::{MAX_LBFGS_EVAL, MAX_LBFGS_ITER, MAX_NEWTON_PARAMS, MAX_STEP_WORK};
use convergence::problem::{ProblemConfig, MAX_VIEW_COORDINATE, MIN_VIEW_SPAN};

/// Every error as `path: message`.
fn lines(e: &ValidationErrors) -> Vec<String> {
    e.0.iter().map(ToString::to_string).collect()
}

fn rejected(json: &str) -> Vec<String> {
    match Experiment::from_json(json) {
        Ok(e) => panic!("config accepted: {e:?}"),
        Err(e) => lines(&e),
    }
}

fn accepted(json: &str) -> Experiment {
    Experiment::from_json(json).unwrap_or_else(|e| panic!("config rejected:\n{e}\n{json}"))
}

/// A config with one run of `optimizer` (JSON) on `problem` (JSON).
fn config(problem: &str, optimizer: &str) -> String {
    format!(r#"{{"problem": {problem}, "runs": [{{"label": "r", "optimizer": {optimizer}}}]}}"#)
}

/// A model problem on `n` circle points (validation share 0.1) with the MLP `hidden`.
fn mlp(n: u32, hidden: &str) -> String {
    format!(
        r#"{{"name": "model", "data": {{"name": "circle", "n": {n}}}, "model": {{"name": "mlp", "hidden": {hidden}}},
            "validation_share": 0.1}}"#
    )
}

const RASTRIGIN: &str = r#"{"name": "rastrigin"}"#;

#[test]
fn the_limits_are_the_documented_ones() {
    assert_eq!((MAX_LBFGS_ITER, MAX_LBFGS_EVAL), (1000, 1250));
    assert_eq!(MAX_NEWTON_PARAMS, 20);
    assert_eq!(MAX_STEP_WORK, 30_000_000);
    assert_eq!(convergence::config::MAX_SNAPSHOT_WORK, 30_000_000);
    assert_eq!((MAX_VIEW_COORDINATE, MIN_VIEW_SPAN), (1e6, 1e-6));
}

// ---------------------------------------------------------------------------------------------
// L-BFGS
// ---------------------------------------------------------------------------------------------

#[test]
fn the_issue_lbfgs_hash_is_rejected() {
    let hash = "#problem=rastrigin&run=a:LBFGS(max_iter=4294967295,tolerance_change=0,tolerance_grad=0)@3.3,-2.7";
    let e = decode(hash).expect_err("accepted");
    assert_eq!(lines(&e), ["runs[0].optimizer.max_iter: must be in [1, 1000], got 4294967295"]);
}

#[test]
fn lbfgs_iterations_and_evaluations_are_bounded() {
    let lbfgs = |fields: &str| config(RASTRIGIN, &format!(r#"{{"name": "LBFGS"{fields}}}"#));
    // torch's defaults (max_iter 20, max_eval 25) and the limits themselves pass.
    accepted(&lbfgs(""));
    accepted(&lbfgs(r#", "max_iter": 1000, "max_eval": 1250"#));
    accepted(&lbfgs(r#", "max_iter": 1000"#));
    assert_eq!(
        rejected(&lbfgs(r#", "max_iter": 1001"#)),
        ["runs[0].optimizer.max_iter: must be in [1, 1000], got 1001"]
    );
    assert_eq!(
        rejected(&lbfgs(r#", "max_eval": 1251"#)),
        ["runs[0].optimizer.max_eval: must be in [1, 1250], got 1251"]
    );
    assert_eq!(rejected(&lbfgs(r#", "max_eval": 0"#)), ["runs[0].optimizer.max_eval: must be in [1, 1250], got 0"]);
    // Inside a Lookahead the same rule holds, under `inner`.
    let e = rejected(&config(RASTRIGIN, r#"{"name": "Lookahead", "inner": {"name": "LBFGS", "max_iter": 5000}}"#));
    assert_eq!(e, ["runs[0].optimizer.inner.max_iter: must be in [1, 1000], got 5000"]);
}

#[test]
fn one_lbfgs_step_on_a_model_is_bounded() {
    // The largest network on the largest data set: full batch is too much (3 passes over 4500
    // training points and an evaluation of all 5000, with 5409 parameters)...
    let largest = mlp(5000, "[32, 32, 32, 32, 32, 32]");
    // The optimizer is not what to change: the problem is told once, at the model, whatever
    // the runs.
    let too_much = "problem.model: one step computes a gradient over 4500 examples and an evaluation over 5000 \
                    examples, with 5409 parameters (100066500 example-parameter passes), more than the limit of \
                    30000000; use a smaller model, fewer points or a smaller batch_size";
    assert_eq!(rejected(&config(&largest, r#"{"name": "Adam"}"#)), [too_much]);
    assert_eq!(rejected(&config(&largest, r#"{"name": "LBFGS"}"#)), [too_much]);
    let two_runs = format!(
        r#"{{"problem": {largest}, "runs": [{{"label": "a", "optimizer": {{"name": "Adam"}}}},
            {{"label": "b", "optimizer": {{"name": "SGD", "lr": 0.1}}}}]}}"#
    );
    let e = rejected(&two_runs);
    assert_eq!(e.iter().filter(|line| line.contains("one step computes")).count(), 1, "{e:?}");
    // ...minibatches of 50 points fit, with one gradient per step: L-BFGS's further gradients go
    // over the whole training set.
    let minibatch = largest.replace(r#""validation_share": 0.1"#, r#""validation_share": 0.1, "batch_size": 50"#);
    accepted(&config(&minibatch, r#"{"name": "Adam"}"#));
    accepted(&config(&minibatch, r#"{"name": "LBFGS", "max_iter": 1}"#));
    accepted(&config(&minibatch, r#"{"name": "LBFGS", "max_iter": 1000, "max_eval": 1}"#));
    // A second gradient does not, nor do torch's defaults (20 iterations, 25 evaluations).
    assert_eq!(
        rejected(&config(&minibatch, r#"{"name": "LBFGS", "max_iter": 2}"#)),
        ["runs[0].optimizer.max_iter: one step may compute a gradient over 50 examples, 1 more over all 4500 \
          training examples and an evaluation over 5000 examples, with 5409 parameters (100877850 \
          example-parameter passes), more than the limit of 30000000; lower max_iter or max_eval, or use a \
          smaller model, fewer points or a smaller batch_size"]
    );
    assert_eq!(
        rejected(&config(&minibatch, r#"{"name": "LBFGS", "max_eval": 2}"#))[0],
        "runs[0].optimizer.max_eval: one step may compute a gradient over 50 examples, 1 more over all 4500 \
         training examples and an evaluation over 5000 examples, with 5409 parameters (100877850 \
         example-parameter passes), more than the limit of 30000000; lower max_iter or max_eval, or use a \
         smaller model, fewer points or a smaller batch_size"
    );
    assert_eq!(rejected(&config(&minibatch, r#"{"name": "LBFGS"}"#)).len(), 1);
    // torch's defaults fit a mid-sized model: an MLP of [8, 8] units (105 parameters) on 1,000
    // points.
    accepted(&config(&mlp(1000, "[8, 8]"), r#"{"name": "LBFGS"}"#));
    // A small model may use the whole range.
    accepted(&config(&mlp(200, "[8]"), r#"{"name": "LBFGS", "max_iter": 1000, "max_eval": 1250}"#));
}

#[test]
fn a_snapshot_of_every_run_is_bounded() {
    // Each run's objective on the training set: one run of the largest network with minibatches
    // fits (4500 x 5409 = 24.3 million passes), two do not; 16 runs of a small one do.
    let largest = mlp(5000, "[32, 32, 32, 32, 32, 32]")
        .replace(r#""validation_share": 0.1"#, r#""validation_share": 0.1, "batch_size": 50"#);
    let runs = |problem: &str, n: usize| {
        let runs: Vec<String> =
            (0..n).map(|i| format!(r#"{{"label": "r{i}", "optimizer": {{"name": "Adam"}}}}"#)).collect();
        format!(r#"{{"problem": {problem}, "runs": [{}]}}"#, runs.join(","))
    };
    accepted(&runs(&largest, 1));
    assert_eq!(
        rejected(&runs(&largest, 2)),
        ["runs: 2 runs of a model with 5409 parameters on 4500 training examples take 48681000 \
          example-parameter passes to evaluate, more than the limit of 30000000; use fewer runs, a smaller \
          model or fewer points"]
    );
    accepted(&runs(&mlp(5000, "[8, 8]"), 16));
}

// ---------------------------------------------------------------------------------------------
// Newton
// ---------------------------------------------------------------------------------------------

#[test]
fn the_issue_newton_on_a_large_mlp_is_rejected() {
    let e = rejected(&config(&mlp(200, "[32, 32, 32, 32, 32, 32]"), r#"{"name": "Newton"}"#));
    assert_eq!(
        e,
        ["runs[0].optimizer.name: Newton needs the Hessian, which is limited to problems with at most 20 \
          parameters; this one has 5409 (use LBFGS instead)"]
    );
}

#[test]
fn newton_is_limited_by_the_number_of_parameters() {
    // A 2-D input with hidden [3, 2] has 3*3 + 4*2 + 3 = 20 parameters; [2, 2, 2] has 21.
    let at_limit = ProblemConfig::Model(Box::new(
        serde_json::from_str(r#"{"data": {"name": "circle"}, "model": {"name": "mlp", "hidden": [3, 2]}}"#)
            .expect("training config"),
    ));
    assert_eq!(at_limit.dim(), MAX_NEWTON_PARAMS);
    accepted(&config(&mlp(5000, "[3, 2]"), r#"{"name": "Newton"}"#));
    let e = rejected(&config(&mlp(5000, "[2, 2, 2]"), r#"{"name": "Newton", "damping": 0.1}"#));
    assert_eq!(
        e,
        ["runs[0].optimizer.name: Newton needs the Hessian, which is limited to problems with at most 20 \
          parameters; this one has 21 (use LBFGS instead)"]
    );
    // Wrapped in a Lookahead, the path leads to the inner optimizer.
    let e = rejected(&config(&mlp(200, "[8]"), r#"{"name": "Lookahead", "inner": {"name": "Newton"}}"#));
    assert_eq!(
        e,
        ["runs[0].optimizer.inner.name: Newton needs the Hessian, which is limited to problems with at most 20 \
          parameters; this one has 33 (use LBFGS instead)"]
    );
    // The landscapes and the inline regressions are small.
    accepted(&config(RASTRIGIN, r#"{"name": "Newton"}"#));
    accepted(&config(r#"{"name": "logreg", "data": {"x": [[0, 1], [1, 0]], "y": [0, 1]}}"#, r#"{"name": "Newton"}"#));
}

// ---------------------------------------------------------------------------------------------
// View boxes
// ---------------------------------------------------------------------------------------------

fn with_view(x: &str, y: &str) -> String {
    format!(
        r#"{{"problem": {{"name": "rosenbrock"}}, "runs": [{{"label": "r", "optimizer": {{"name": "SGD"}}}}],
            "view": {{"x": {x}, "y": {y}}}}}"#
    )
}

#[test]
fn the_issue_view_boxes_are_rejected() {
    assert_eq!(
        rejected(&with_view("[-1e308, 1e308]", "[-1, 1]")),
        ["view.x: must satisfy -1000000 <= x[0] < x[1] <= 1000000 with x[1] - x[0] >= 0.000001, got [-1e308, 1e308]"]
    );
    assert_eq!(
        rejected(&with_view("[-1, 1]", "[0, 5e-324]")),
        ["view.y: must satisfy -1000000 <= y[0] < y[1] <= 1000000 with y[1] - y[0] >= 0.000001, got [0.0, 5e-324]"]
    );
    // The same through the URL hash.
    let e = decode("problem=rosenbrock&run=a:SGD&view=-1e308,1e308,0,5e-324").expect_err("accepted");
    assert_eq!(
        lines(&e),
        [
            "view.x: must satisfy -1000000 <= x[0] < x[1] <= 1000000 with x[1] - x[0] >= 0.000001, got [-1e308, 1e308]",
            "view.y: must satisfy -1000000 <= y[0] < y[1] <= 1000000 with y[1] - y[0] >= 0.000001, got [0.0, 5e-324]",
        ]
    );
}

#[test]
fn view_box_bounds() {
    accepted(&with_view("[-1e6, 1e6]", "[0, 1e-6]"));
    accepted(&with_view("[999999, 1e6]", "[-1e6, -999999.999999]"));
    let cases = [
        ("[-1000000.1, 0]", "[-1000000.1, 0.0]"),
        ("[0, 1000000.1]", "[0.0, 1000000.1]"),
        ("[1, 1]", "[1.0, 1.0]"),
        ("[2, 1]", "[2.0, 1.0]"),
        ("[0, 9.9e-7]", "[0.0, 9.9e-7]"),
    ];
    for (x, shown) in cases {
        assert_eq!(
            rejected(&with_view(x, "[0, 1]")),
            [format!(
                "view.x: must satisfy -1000000 <= x[0] < x[1] <= 1000000 with x[1] - x[0] >= 0.000001, got {shown}"
            )]
        );
    }
}

#[test]
fn every_problem_default_view_box_passes() {
    for name in common::LANDSCAPES {
        let problem: ProblemConfig = serde_json::from_str(&format!(r#"{{"name": "{name}"}}"#)).expect(name);
        let view = problem.build().view_box().expect(name);
        let mut v = Validator::new();
        view.validate("view", &mut v);
        assert!(v.finish().is_ok(), "{name}: {view:?}");
    }
}
