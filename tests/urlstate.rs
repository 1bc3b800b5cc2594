//! Tests of the URL hash: exact round trips for every optimizer, schedule, problem and stop rule,
//! short hashes for common settings, URL-safe output, error messages with paths and positions,
//! decoding that never panics, and `converge run --url` against `converge run CONFIG.json`.

use std::process::{Command, Output};

use convergence::config::urlstate::{decode, encode};
use convergence::config::{Experiment, RunConfig};
use convergence::optim::OptimizerConfig;
use convergence::problem::{LinregData, ProblemConfig};
use convergence::run::monitor::StopConfig;
use convergence::schedule::ScheduleConfig;
use proptest::prelude::*;
use serde_json::{json, Value};

/// The common experiment of the page's first visit.
const COMMON: &str = r#"{"problem":{"name":"rosenbrock"},"runs":[{"label":"adam","x0":[-1.5,2],"optimizer":{"name":"Adam","lr":0.01}}]}"#;

/// Parses and validates a JSON config, failing the test with the message otherwise.
fn experiment(config: &Value) -> Experiment {
    Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{config}: {e}"))
}

/// An experiment on Rosenbrock with one run of `optimizer` and `schedule`.
fn single_run(optimizer: Value, schedule: Value) -> Experiment {
    experiment(&json!({
        "problem": {"name": "rosenbrock"},
        "runs": [{"label": "run", "x0": [-1.5, 2.0], "optimizer": optimizer, "schedule": schedule}],
    }))
}

/// True when `hash` holds only characters a URL fragment may hold unescaped, and every `%` starts
/// a two-digit escape.
fn is_url_safe(hash: &str) -> bool {
    let bytes = hash.as_bytes();
    let chars_ok = bytes.iter().all(|&b| b.is_ascii_alphanumeric() || b"-._~%&=:,;()@!'".contains(&b));
    let escapes_ok = bytes.iter().enumerate().filter(|(_, &b)| b == b'%').all(|(i, _)| {
        bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    });
    chars_ok && escapes_ok
}

/// Encodes, checks the characters, decodes and checks that every field, every float bit
/// included, came back; re-encoding must give the same hash. Returns the hash.
fn assert_round_trip(e: &Experiment) -> String {
    let hash = encode(e);
    assert!(is_url_safe(&hash), "unsafe characters in {hash}");
    let back = decode(&hash).unwrap_or_else(|err| panic!("{hash}\n{err}"));
    assert_eq!(back, *e, "{hash}");
    // Debug prints every f64 in its shortest round-trip form, -0.0 included, so equal Debug
    // output means equal bits.
    assert_eq!(format!("{back:?}"), format!("{e:?}"), "float bits differ after {hash}");
    assert_eq!(encode(&back), hash);
    hash
}

/// The single error of a failed decode.
fn error_of(input: &str) -> (String, String) {
    let errors = decode(input).expect_err(input);
    assert_eq!(errors.0.len(), 1, "{input}: {errors}");
    (errors.0[0].path.clone(), errors.0[0].message.clone())
}

#[test]
fn common_config_is_short_and_readable() {
    let e = Experiment::from_json(COMMON).expect("valid");
    let hash = assert_round_trip(&e);
    assert_eq!(hash, "problem=rosenbrock&run=adam:Adam(lr=0.01)@-1.5,2");
    assert!(hash.len() < 60, "{hash}");
    assert!(hash.contains("Adam(lr=0.01)"));
}

#[test]
fn the_documented_example_decodes() {
    let hash = "problem=rosenbrock(b=50)&run=adam:Adam(lr=0.01)@-1.5,2~StepLR(gamma=0.5,step_size=10)!1f77b4\
                &run=sgd:SGD(lr=0.005,momentum=0.9)@-1.5,2&stop=loss_plateau:null,max_steps:3000&seed=1";
    let expected = experiment(&json!({
        "seed": 1,
        "problem": {"name": "rosenbrock", "b": 50},
        "runs": [
            {"label": "adam", "x0": [-1.5, 2], "optimizer": {"name": "Adam", "lr": 0.01},
             "schedule": {"name": "StepLR", "step_size": 10, "gamma": 0.5}, "color": "#1f77b4"},
            {"label": "sgd", "x0": [-1.5, 2], "optimizer": {"name": "SGD", "lr": 0.005, "momentum": 0.9}},
        ],
        "stop": {"max_steps": 3000, "loss_plateau": null},
    }));
    assert_eq!(decode(hash).unwrap_or_else(|e| panic!("{e}")), expected);
    assert_eq!(assert_round_trip(&expected), hash);
    // The field order inside parentheses and the part order do not matter when reading.
    let reordered = "seed=1&stop=max_steps:3000,loss_plateau:null&problem=rosenbrock(b=50)\
                     &run=adam:Adam(lr=0.01)!1f77b4~StepLR(step_size=10,gamma=0.5)@-1.5,2\
                     &run=sgd:SGD(momentum=0.9,lr=0.005)@-1.5,2";
    assert_eq!(decode(reordered).unwrap_or_else(|e| panic!("{e}")), expected);
    // Brackets, as in the JSON, are accepted for arrays too.
    let brackets = decode("problem=rosenbrock&run=a:Adam(betas=[0.8;0.9])").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(brackets, decode("problem=rosenbrock&run=a:Adam(betas=(0.8;0.9))").unwrap_or_else(|e| panic!("{e}")));
}

#[test]
fn every_optimizer_round_trips() {
    let optimizers = [
        json!({"name": "SGD", "lr": 0.05, "momentum": 0.9, "weight_decay": 1e-4, "nesterov": true}),
        json!({"name": "SGD", "lr": 0.1, "momentum": 0.5, "dampening": 0.1}),
        json!({"name": "Adagrad", "lr": 0.1, "lr_decay": 1e-3, "weight_decay": 0.01,
               "initial_accumulator_value": 0.1, "eps": 1e-9}),
        json!({"name": "RMSprop", "lr": 0.001, "alpha": 0.9, "eps": 1e-7, "weight_decay": 0.1,
               "momentum": 0.5, "centered": true}),
        json!({"name": "Adam", "lr": 0.02, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1,
               "amsgrad": true, "decoupled_weight_decay": true}),
        json!({"name": "AdamW", "lr": 0.02, "betas": [0.85, 0.995], "eps": 1e-7, "weight_decay": 0.0,
               "amsgrad": true}),
        json!({"name": "NAdam", "lr": 0.01, "betas": [0.9, 0.99], "eps": 1e-7, "weight_decay": 0.01,
               "momentum_decay": 0.005, "decoupled_weight_decay": true}),
        json!({"name": "RAdam", "lr": 0.01, "betas": [0.7, 0.9], "weight_decay": 0.01, "decoupled_weight_decay": true}),
        json!({"name": "Adamax", "lr": 0.1, "betas": [0.5, 0.9], "eps": 1e-6, "weight_decay": 1e-3}),
        json!({"name": "Adadelta", "lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.01}),
        json!({"name": "LBFGS", "lr": 0.5, "max_iter": 10, "max_eval": 15, "tolerance_grad": 1e-5,
               "tolerance_change": 1e-8, "history_size": 5, "line_search_fn": "strong_wolfe"}),
        json!({"name": "LBFGS"}),
        json!({"name": "Lion", "lr": 1e-3, "betas": [0.95, 0.98], "weight_decay": 0.1}),
        json!({"name": "Newton", "lr": 0.5, "damping": 0.1}),
        json!({"name": "Lookahead", "k": 6, "alpha": 0.8, "variant": "torch_optimizer",
               "inner": {"name": "Adam", "lr": 0.1}}),
        json!({"name": "Lookahead", "inner": {"name": "SGD", "lr": 0.01, "momentum": 0.9, "nesterov": true}}),
        json!({"name": "Lookahead", "inner": {"name": "SGD"}}),
    ];
    let mut names = std::collections::BTreeSet::new();
    for optimizer in optimizers {
        let e = single_run(optimizer.clone(), json!({"name": "constant"}));
        names.insert(e.runs[0].optimizer.name());
        let hash = assert_round_trip(&e);
        assert!(!hash.contains('~'), "the constant schedule is left out: {hash}");
        println!("{hash}");
    }
    assert_eq!(names.len(), 13, "every optimizer is covered: {names:?}");

    let lbfgs =
        encode(&single_run(json!({"name": "LBFGS", "line_search_fn": "strong_wolfe"}), json!({"name": "constant"})));
    assert!(lbfgs.ends_with(":LBFGS(line_search_fn=strong_wolfe)@-1.5,2"), "{lbfgs}");
    let plain_lbfgs = encode(&single_run(json!({"name": "LBFGS"}), json!({"name": "constant"})));
    assert!(plain_lbfgs.contains(":LBFGS@"), "all defaults leave the bare name: {plain_lbfgs}");
    let lookahead = encode(&single_run(
        json!({"name": "Lookahead", "inner": {"name": "Adam", "lr": 0.1}}),
        json!({"name": "constant"}),
    ));
    assert!(lookahead.contains(":Lookahead(inner=Adam(lr=0.1))@"), "{lookahead}");
    let nested_defaults =
        encode(&single_run(json!({"name": "Lookahead", "inner": {"name": "SGD"}}), json!({"name": "constant"})));
    assert!(nested_defaults.contains(":Lookahead(inner=SGD())@"), "{nested_defaults}");
}

#[test]
fn every_schedule_round_trips() {
    let schedules = [
        json!({"name": "constant"}),
        json!({"name": "StepLR", "step_size": 10, "gamma": 0.5}),
        json!({"name": "MultiStepLR", "milestones": [10, 20, 40], "gamma": 0.3}),
        json!({"name": "ExponentialLR", "gamma": 0.99}),
        json!({"name": "CosineAnnealingLR", "T_max": 100, "eta_min": 1e-5}),
        json!({"name": "CosineAnnealingWarmRestarts", "T_0": 10, "T_mult": 2, "eta_min": 1e-4}),
        json!({"name": "ConstantLR", "factor": 0.5, "total_iters": 3}),
        json!({"name": "LinearLR", "start_factor": 0.1, "end_factor": 0.9, "total_iters": 10}),
        json!({"name": "PolynomialLR", "total_iters": 20, "power": 2.0}),
        json!({"name": "LambdaLR", "lambda": "inverse_time", "t0": 10.0}),
        json!({"name": "LambdaLR", "lambda": "inverse_sqrt"}),
        json!({"name": "SequentialLR",
               "schedulers": [{"name": "LinearLR", "start_factor": 0.1, "total_iters": 10},
                              {"name": "CosineAnnealingLR", "T_max": 90}],
               "milestones": [10]}),
        json!({"name": "OneCycleLR", "max_lr": 0.1, "total_steps": 1000, "pct_start": 0.25,
               "anneal_strategy": "linear", "cycle_momentum": true, "base_momentum": 0.8, "max_momentum": 0.9,
               "div_factor": 10.0, "final_div_factor": 100.0, "three_phase": true}),
        json!({"name": "OneCycleLR", "max_lr": 0.1, "total_steps": 100, "cycle_momentum": false}),
        json!({"name": "CyclicLR", "base_lr": 1e-4, "max_lr": 1e-2, "step_size_up": 50.0, "step_size_down": 30.0,
               "mode": "exp_range", "gamma": 0.999, "cycle_momentum": false}),
        json!({"name": "CyclicLR", "base_lr": 1e-4, "max_lr": 1e-2, "mode": "triangular2",
               "base_momentum": 0.7, "max_momentum": 0.95}),
        json!({"name": "ReduceLROnPlateau", "mode": "max", "factor": 0.5, "patience": 5, "threshold": 0.01,
               "threshold_mode": "abs", "cooldown": 2, "min_lr": 1e-6, "eps": 1e-9}),
        json!({"name": "ReduceLROnPlateau"}),
    ];
    let optimizer = json!({"name": "SGD", "lr": 0.01, "momentum": 0.9});
    let mut names = std::collections::BTreeSet::new();
    for schedule in schedules {
        let e = single_run(optimizer.clone(), schedule);
        names.insert(e.runs[0].schedule.name());
        let hash = assert_round_trip(&e);
        println!("{hash}");
    }
    assert_eq!(names.len(), 14, "every schedule kind is covered: {names:?}");

    let sequential = encode(&single_run(
        optimizer.clone(),
        json!({"name": "SequentialLR",
               "schedulers": [{"name": "LinearLR", "start_factor": 0.1, "total_iters": 10},
                              {"name": "CosineAnnealingLR", "T_max": 90}],
               "milestones": [10]}),
    ));
    assert!(
        sequential.ends_with(
            "~SequentialLR(milestones=(10),schedulers=(LinearLR(start_factor=0.1,total_iters=10);CosineAnnealingLR(T_max=90)))"
        ),
        "{sequential}"
    );
    let step = encode(&single_run(optimizer, json!({"name": "StepLR", "step_size": 10})));
    assert!(step.ends_with("~StepLR(step_size=10)"), "the default gamma is left out: {step}");
}

#[test]
fn every_problem_round_trips() {
    let landscapes = [
        json!({"name": "quadratic", "a": -1.0, "b": 3.0}),
        json!({"name": "rosenbrock", "a": 2.0, "b": 50.0}),
        json!({"name": "himmelblau"}),
        json!({"name": "rastrigin", "A": 5.0}),
        json!({"name": "beale"}),
        json!({"name": "booth"}),
        json!({"name": "three_hump_camel"}),
        json!({"name": "six_hump_camel"}),
        json!({"name": "styblinski_tang"}),
        json!({"name": "goldstein_price"}),
        json!({"name": "ackley", "a": 10.0, "b": 0.5, "c": 3.0}),
        json!({"name": "saddle"}),
        json!({"name": "matyas"}),
        json!({"name": "mccormick"}),
    ];
    for problem in landscapes {
        let e = experiment(&json!({"problem": problem, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}]}));
        let hash = assert_round_trip(&e);
        println!("{hash}");
    }
    let rastrigin = experiment(
        &json!({"problem": {"name": "rastrigin", "A": 5}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}]}),
    );
    assert_eq!(encode(&rastrigin), "problem=rastrigin(A=5)&run=a:SGD");

    let linreg = experiment(&json!({
        "seed": 42,
        "problem": {"name": "linreg", "data": {"x": [0.0, 1.0, 2.5, -3.25], "y": [1.0, 2.9, 6.1, -5.5]}, "l1": 0.01, "l2": 0.1},
        "runs": [{"label": "gd", "x0": [0.0, 0.0], "optimizer": {"name": "SGD", "lr": 0.05}},
                 {"label": "newton", "optimizer": {"name": "Newton"}}],
    }));
    let hash = assert_round_trip(&linreg);
    assert!(hash.starts_with("problem=linreg(data=(x=(0;1;2.5;-3.25),y=(1;2.9;6.1;-5.5)),l1=0.01,l2=0.1)&"), "{hash}");
    assert!(hash.ends_with("&seed=42"), "{hash}");

    let logreg = experiment(&json!({
        "problem": {"name": "logreg", "data": {"x": [[0.5, 1.0], [-1.0, 2.0], [3.0, -0.25]], "y": [1.0, 0.0, 0.75]}, "l2": 0.001},
        "runs": [{"label": "lbfgs", "x0": [0.1, -0.2, 0.3], "optimizer": {"name": "LBFGS", "line_search_fn": "strong_wolfe"}}],
    }));
    let hash = assert_round_trip(&logreg);
    assert!(hash.contains("data=(x=((0.5;1);(-1;2);(3;-0.25)),y=(1;0;0.75))"), "{hash}");
}

#[test]
fn labels_and_colors_survive_escaping() {
    let labels = [
        "plain",
        "two words",
        "unicode: αβγ 学习率 🚀",
        "<script>alert(1)</script>",
        "a<b>&\"c\"",
        "a&b#c=d(e)f",
        "100% sure; [x] {y} ~z~ 'q' `r`",
        "colon:at@bang!tilde~",
        "tab\tnew\nline",
        "-.",
        "null",
        "%20",
    ];
    let runs: Vec<Value> = labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut run = json!({"label": label, "optimizer": {"name": "Adam", "lr": 0.01}});
            if i % 2 == 0 {
                run["color"] = json!(format!("#{:06x}", 0x1f77b4 + i * 0x10203));
            }
            run
        })
        .collect();
    let e = experiment(&json!({"problem": {"name": "booth"}, "runs": runs}));
    let hash = assert_round_trip(&e);
    assert!(hash.contains("&run=a%3Cb%3E%26%22c%22:Adam(lr=0.01)!237fc0&"), "{hash}");
    assert!(hash.contains("run=plain:Adam(lr=0.01)!1f77b4&"), "{hash}");
    assert!(!hash.contains('<') && !hash.contains('#') && !hash.contains(' '), "{hash}");
    // Uppercase hex digits in a color are kept as written.
    let upper = experiment(
        &json!({"problem": {"name": "booth"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}, "color": "#ABCDEF"}]}),
    );
    assert_eq!(assert_round_trip(&upper), "problem=booth&run=a:SGD!ABCDEF");
    // Raw characters in a label, as a browser may show them, are read too.
    let raw = decode("problem=booth&run=two words é:SGD").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(raw.runs[0].label, "two words é");
}

#[test]
fn stop_rules_list_only_what_differs() {
    let default_stop = experiment(
        &json!({"problem": {"name": "booth"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}], "stop": {}}),
    );
    assert!(!assert_round_trip(&default_stop).contains("stop="));

    let cases = [
        (json!({"max_steps": 3000, "loss_plateau": null, "param_change": null, "grad_norm": null}),
         "stop=grad_norm:null,loss_plateau:null,max_steps:3000,param_change:null"),
        (json!({"grad_norm": {"tol": 1e-6}}), "stop=grad_norm.tol:1e-6"),
        // The tolerance has no default of its own, so it stays when only the patience changes.
        (json!({"loss_plateau": {"tol": 1e-12, "patience": 10}}), "stop=loss_plateau.patience:10,loss_plateau.tol:1e-12"),
        (json!({"target_loss": {"value": 1e-3}}), "stop=target_loss.value:0.001"),
        (json!({"target_loss": {"value": -0.5, "stop": false}, "divergence": {"factor": 1e3},
                "grad_norm": {"tol": 1e-6, "stop": false}, "loss_plateau": {"tol": 1e-9, "mode": "abs"},
                "param_change": {"tol": 1e-10, "patience": 3}}),
         "stop=divergence.factor:1000,grad_norm.stop:false,grad_norm.tol:1e-6,loss_plateau.mode:abs,\
          loss_plateau.tol:1e-9,param_change.patience:3,param_change.tol:1e-10,target_loss.stop:false,target_loss.value:-0.5"),
    ];
    for (stop, expected) in cases {
        let e = experiment(
            &json!({"problem": {"name": "booth"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}], "stop": stop}),
        );
        let hash = assert_round_trip(&e);
        assert_eq!(hash, format!("problem=booth&run=a:SGD&{expected}"));
    }
    let disabled =
        decode("problem=booth&run=a:SGD&stop=loss_plateau:null,grad_norm:null").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(disabled.stop, StopConfig { loss_plateau: None, grad_norm: None, ..StopConfig::default() });
}

#[test]
fn floats_come_back_bit_for_bit() {
    let tricky = [
        0.1 + 0.2,
        1e-300,
        -0.0,
        2.0000000000000003e-06,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        1e16,
        9_007_199_254_740_994.0,
        123_456_789.123_456_79,
        -1e-7,
        1.0 / 3.0,
    ];
    let e = Experiment {
        view: None,
        search: None,
        analysis: None,
        seed: u64::MAX,
        problem: ProblemConfig::Linreg {
            data: LinregData { x: tricky.to_vec(), y: tricky.iter().map(|x| -x).collect() },
            l1: 0.1 + 0.2,
            l2: 1e-300,
        },
        runs: vec![
            RunConfig {
                label: "x0".into(),
                x0: Some(vec![-0.0, 2.0000000000000003e-06]),
                optimizer: OptimizerConfig::SGD {
                    lr: 5e-324,
                    momentum: 0.1 + 0.2,
                    dampening: -0.0,
                    weight_decay: 0.0,
                    nesterov: false,
                },
                schedule: ScheduleConfig::ExponentialLR { gamma: 1.0 - f64::EPSILON },
                color: None,
            },
            RunConfig {
                label: "zero".into(),
                x0: Some(vec![0.0, -0.0]),
                optimizer: serde_json::from_str(r#"{"name": "Adam"}"#).unwrap(),
                schedule: ScheduleConfig::default(),
                color: Some("#000000".into()),
            },
        ],
        stop: StopConfig { max_steps: 1, ..StopConfig::default() },
    };
    let hash = assert_round_trip(&e);
    println!("{hash}");
    // -0.0 is not the default 0.0, so it is written, with its sign.
    assert!(hash.contains("dampening=-0,"), "{hash}");
    assert!(hash.contains("@-0,2.0000000000000003e-6"), "{hash}");
    assert!(hash.contains("lr=5e-324"), "{hash}");
    assert!(hash.contains(&format!("seed={}", u64::MAX)), "{hash}");
    let back = decode(&hash).unwrap_or_else(|err| panic!("{err}"));
    let x0 = back.runs[0].x0.clone().unwrap_or_default();
    assert!(x0[0] == 0.0 && x0[0].is_sign_negative());
    assert_eq!(x0[1].to_bits(), 2.0000000000000003e-06f64.to_bits());
    assert_eq!(back.runs[1].x0, Some(vec![0.0, -0.0]));
}

#[test]
fn links_and_hashes_decode_alike() {
    let e = Experiment::from_json(COMMON).expect("valid");
    let hash = encode(&e);
    for input in [
        hash.clone(),
        format!("#{hash}"),
        format!("http://127.0.0.1:8000/#{hash}"),
        format!("https://example.org/play/index.html?embed=1#{hash}"),
        format!("  http://127.0.0.1:8000/#{hash}\n"),
    ] {
        assert_eq!(decode(&input).unwrap_or_else(|err| panic!("{input}: {err}")), e, "{input}");
    }
}

#[test]
fn syntax_errors_name_the_part_and_the_character() {
    let cases = [
        ("", "hash", "is empty"),
        ("#", "hash", "is empty"),
        ("   ", "hash", "is empty"),
        ("http://127.0.0.1:8000/", "hash", "no '#'"),
        ("problem=rosenbrock&run=adam:Adam(lr=0.0", "hash", "run #1: expected ')' at character 21, found the end"),
        (
            "problem=rosenbrock&run=a:SGD&run=b:SGD(lr=0.1",
            "hash",
            "run #2: expected ')' at character 17, found the end",
        ),
        ("problem=rosenbrock(b=100", "hash", "problem: expected ')' at character 25, found the end"),
        ("problem=rosenbrock&run=adam", "hash", "run #1: expected ':' at character 9, found the end"),
        ("problem=rosenbrock&run=a:SGD(lr=1e999)", "hash", "run #1: number `1e999` is out of range at character 14"),
        ("problem=rosenbrock&run=a:SGD(lr=1.2.3)", "hash", "run #1: bad number `1.2.3` at character 14"),
        (
            "problem=rosenbrock&run=a%2:SGD",
            "hash",
            "run #1: bad percent escape (expected % and two hex digits) at character 6",
        ),
        ("problem=rosenbrock&run=a%FF:SGD", "hash", "do not form valid UTF-8"),
        (
            "problem=rosenbrock&run=a:SGD(lr=0.1)x",
            "hash",
            "expected '@', '~', '!' or the end of the run at character 18, found 'x'",
        ),
        ("problem=rosenbrock&run=a:SGD@1,2@3,4", "hash", "run #1: x0 is given twice at character 14"),
        ("problem=rosenbrock&run=a:SGD(lr=1,lr=2)", "hash", "field `lr` is given twice"),
        ("problem=rosenbrock&run=a:SGD!", "hash", "expected a color like 1f77b4"),
        ("problem=rosenbrock&run=a:SGD&problem=booth", "hash", "problem= is given twice"),
        ("problem=rosenbrock&run=a:SGD&foo=1", "hash", "unknown part \"foo=\""),
        ("problem=rosenbrock&run=a:SGD&nonsense", "hash", "has no '='"),
        ("problem=rosenbrock&run=a:SGD&stop=max_steps:10,max_steps:20", "hash", "`max_steps` is given twice"),
        ("problem=rosenbrock&run=a:SGD&stop=max_steps", "hash", "stop: expected ':' at character 15, found the end"),
        ("problem=rosenbrock&run=a:SGD(lr='unterminated)", "hash", "unterminated string"),
        (
            "problem=rosenbrock&run=a:SGD&seed=1)",
            "hash",
            "seed: expected the end of the seed at character 7, found ')'",
        ),
    ];
    for (input, path, message) in cases {
        let (got_path, got_message) = error_of(input);
        assert_eq!(got_path, path, "{input}: {got_message}");
        assert!(got_message.contains(message), "{input}: got {got_message:?}, expected {message:?}");
    }
    let deep = format!("problem=rosenbrock&run=a:SGD(lr={}1{})", "(".repeat(100), ")".repeat(100));
    assert!(error_of(&deep).1.contains("nested more than 32 deep"));
}

#[test]
fn config_errors_carry_the_config_path() {
    let cases = [
        ("problem=rosenbrock&run=adam:Adamm(lr=0.01)", "runs[0].optimizer.name", "unknown variant `Adamm`"),
        ("problem=rosenbrock&run=adam:Adam(lr=abc)", "runs[0].optimizer.lr", "must be a number, got string \"abc\""),
        ("problem=rosenbrock&run=adam:Adam(lr=-1)", "runs[0].optimizer.lr", "must be >= 0, got -1"),
        ("problem=rosenbrock&run=adam:Adam(lrr=1)", "runs[0].optimizer.lrr", "unknown field `lrr`"),
        ("problem=nope&run=a:SGD", "problem.name", "unknown variant `nope`"),
        ("run=a:SGD", "", "missing field `problem`"),
        ("problem=rosenbrock", "runs", "at least one run is needed"),
        ("problem=rosenbrock&run=a:SGD@1", "runs[0].x0", "must have 2 entries"),
        ("problem=rosenbrock&run=a:SGD!zz", "runs[0].color", "must look like #1f77b4"),
        ("problem=rosenbrock&run=a:SGD&run=a:Adam", "runs[1].label", "duplicate label"),
        ("problem=rosenbrock&run=a:SGD~StepLR", "runs[0].schedule", "missing field `step_size`"),
        ("problem=rosenbrock&run=a:SGD&stop=max_stepz:10", "stop.max_stepz", "unknown field `max_stepz`"),
        ("problem=rosenbrock&run=a:SGD&stop=max_steps:0", "stop.max_steps", "must be in [1, "),
        ("problem=rosenbrock&run=a:SGD&seed=-1", "seed", "invalid value"),
        ("problem=rosenbrock&run=:SGD", "runs[0].label", "must have 1 to 64 characters"),
    ];
    for (input, path, message) in cases {
        let (got_path, got_message) = error_of(input);
        assert_eq!(got_path, path, "{input}: {got_message}");
        assert!(got_message.contains(message), "{input}: got {got_message:?}, expected {message:?}");
    }
    // Every value problem is reported, not only the first.
    let errors = decode("problem=rosenbrock(b=-1)&run=a:Adam(lr=-1,betas=(1.5;0.9))").expect_err("invalid");
    let paths: Vec<&str> = errors.0.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["problem.b", "runs[0].optimizer.lr", "runs[0].optimizer.betas[0]"], "{errors}");
}

#[test]
fn config_errors_match_the_json_config() {
    let pairs = [
        (
            "problem=rosenbrock&run=adam:Adamm(lr=0.01)",
            json!({"problem": {"name": "rosenbrock"}, "runs": [{"label": "adam", "optimizer": {"name": "Adamm", "lr": 0.01}}]}),
        ),
        (
            "problem=rosenbrock&run=adam:Adam(lr=abc)",
            json!({"problem": {"name": "rosenbrock"}, "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": "abc"}}]}),
        ),
        (
            "problem=rosenbrock&run=adam:Adam(lrr=1)",
            json!({"problem": {"name": "rosenbrock"}, "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lrr": 1}}]}),
        ),
        (
            "problem=rosenbrock(b=-1)&run=a:Adam(lr=-1)",
            json!({"problem": {"name": "rosenbrock", "b": -1}, "runs": [{"label": "a", "optimizer": {"name": "Adam", "lr": -1}}]}),
        ),
        (
            "problem=rosenbrock&run=a:SGD&stop=grad_norm.tol:0",
            json!({"problem": {"name": "rosenbrock"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}], "stop": {"grad_norm": {"tol": 0}}}),
        ),
    ];
    for (hash, config) in pairs {
        let from_hash = decode(hash).expect_err(hash);
        let mut from_json = Experiment::from_json(&config.to_string()).expect_err(hash);
        // The JSON parser adds the line and column of the config text.
        for error in &mut from_json.0 {
            if let Some(at) = error.message.find(" at line 1 column ") {
                error.message.truncate(at);
            }
        }
        assert_eq!(from_hash, from_json, "{hash}");
    }
}

/// Any finite f64, with zeros, subnormals and both signs.
fn finite_f64() -> impl Strategy<Value = f64> {
    use proptest::num::f64;
    f64::POSITIVE | f64::NEGATIVE | f64::NORMAL | f64::SUBNORMAL | f64::ZERO
}

proptest! {
    #[test]
    fn random_labels_and_floats_round_trip(
        labels in prop::collection::vec(prop::collection::vec(any::<char>(), 1..=64), 1..=4),
        a in finite_f64(),
        b in finite_f64(),
        x in finite_f64(),
        y in finite_f64(),
        lr in finite_f64(),
        color in any::<u32>(),
    ) {
        let runs = labels
            .iter()
            .enumerate()
            .map(|(i, chars)| RunConfig {
                // A suffix keeps the labels unique.
                label: format!("{}{i}", chars.iter().take(62).collect::<String>()),
                x0: Some(vec![x, y]),
                optimizer: OptimizerConfig::SGD { lr: lr.abs(), momentum: 0.0, dampening: x, weight_decay: 0.0, nesterov: false },
                schedule: ScheduleConfig::default(),
                color: (i % 2 == 0).then(|| format!("#{:06x}", color & 0xff_ffff)),
            })
            .collect();
        let e = Experiment { seed: color.into(), problem: ProblemConfig::Quadratic { a, b }, runs, stop: StopConfig::default(), view: None, search: None, analysis: None };
        prop_assert!(e.validate().is_ok());
        let hash = encode(&e);
        prop_assert!(is_url_safe(&hash), "{}", hash);
        let back = decode(&hash).map_err(|err| TestCaseError::fail(format!("{hash}\n{err}")))?;
        prop_assert_eq!(format!("{back:?}"), format!("{e:?}"));
    }

    #[test]
    fn decoding_arbitrary_text_never_panics(text in any::<String>()) {
        let _ = decode(&text);
    }

    #[test]
    fn decoding_hash_like_text_never_panics(text in "[a-zA-Z0-9_=&:@~!,;.%'#()\\[\\]-]{0,120}") {
        if let Ok(e) = decode(&text) {
            // Whatever decodes encodes to a hash that decodes to the same experiment.
            prop_assert_eq!(decode(&encode(&e)).map_err(|err| TestCaseError::fail(err.to_string()))?, e);
        }
    }

    #[test]
    fn damaged_hashes_never_panic(cut in 0usize..400, insert in 0usize..400, c in any::<char>()) {
        let e = experiment(&json!({
            "seed": 3,
            "problem": {"name": "logreg", "data": {"x": [[0.5, 1.0], [-1.0, 2.0]], "y": [1.0, 0.0]}},
            "runs": [
                {"label": "la é", "optimizer": {"name": "Lookahead", "inner": {"name": "Adam", "lr": 0.1}},
                 "schedule": {"name": "SequentialLR", "schedulers": [{"name": "LinearLR"}, {"name": "StepLR", "step_size": 5}], "milestones": [5]},
                 "color": "#ff0000"},
                {"label": "b", "x0": [1.0, 2.0, 3.0], "optimizer": {"name": "LBFGS", "line_search_fn": "strong_wolfe"}},
            ],
            "stop": {"max_steps": 100, "loss_plateau": null, "target_loss": {"value": 0.1}},
        }));
        let hash = encode(&e);
        let chars: Vec<char> = hash.chars().collect();
        let truncated: String = chars[..cut.min(chars.len())].iter().collect();
        let _ = decode(&truncated);
        let mut inserted = chars.clone();
        inserted.insert(insert.min(chars.len()), c);
        let _ = decode(&inserted.into_iter().collect::<String>());
        let mut removed = chars;
        if !removed.is_empty() {
            removed.remove(insert % removed.len());
        }
        let _ = decode(&removed.into_iter().collect::<String>());
    }
}

/// Runs the `converge` binary with `args`.
fn converge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_converge")).args(args).output().expect("converge runs")
}

#[test]
fn cli_runs_a_link_like_its_config_file() {
    let config = json!({
        "seed": 7,
        "problem": {"name": "rosenbrock", "b": 50},
        "runs": [
            {"label": "adam lr=0.01", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01},
             "schedule": {"name": "StepLR", "step_size": 100, "gamma": 0.5}, "color": "#1f77b4"},
            {"label": "sgd", "x0": [-1.5, 2.0], "optimizer": {"name": "SGD", "lr": 0.001, "momentum": 0.9}},
            {"label": "lookahead", "optimizer": {"name": "Lookahead", "inner": {"name": "RMSprop", "lr": 0.01}}},
        ],
        "stop": {"max_steps": 400, "loss_plateau": null, "grad_norm": {"tol": 1e-6}},
    });
    let hash = encode(&experiment(&config));
    let path = std::env::temp_dir().join(format!("urlstate-cli-{}.json", std::process::id()));
    std::fs::write(&path, config.to_string()).expect("temp file written");
    let from_file = converge(&["run", path.to_str().expect("UTF-8 temp path")]);
    let _ = std::fs::remove_file(&path);
    assert!(from_file.status.success(), "{}", String::from_utf8_lossy(&from_file.stderr));
    assert!(!from_file.stdout.is_empty());
    for link in [hash.clone(), format!("http://127.0.0.1:8000/#{hash}")] {
        let from_link = converge(&["run", "--url", &link]);
        assert!(from_link.status.success(), "{}", String::from_utf8_lossy(&from_link.stderr));
        assert_eq!(String::from_utf8_lossy(&from_link.stdout), String::from_utf8_lossy(&from_file.stdout), "{link}");
    }
}

#[test]
fn cli_rejects_bad_links_with_status_2() {
    let bad = converge(&["run", "--url", "problem=rosenbrock&run=adam:Adam(lr=0.0"]);
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("hash: run #1: expected ')' at character 21"), "{stderr}");
    assert!(bad.stdout.is_empty());

    let invalid = converge(&["run", "--url", "#problem=rosenbrock&run=adam:Adam(lr=-1)"]);
    assert_eq!(invalid.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("runs[0].optimizer.lr: must be >= 0, got -1"));

    // Exactly one of the config file and --url must be given.
    assert_eq!(converge(&["run"]).status.code(), Some(2));
    assert_eq!(converge(&["run", "config.json", "--url", "problem=booth&run=a:SGD"]).status.code(), Some(2));
}

#[test]
fn view_box_round_trips_through_the_hash() {
    let e = experiment(&json!({
        "problem": {"name": "himmelblau"},
        "runs": [{"label": "a", "optimizer": {"name": "Adam"}}],
        "view": {"x": [-2.5, 1.25], "y": [0.1, 4.0]}
    }));
    let hash = encode(&e);
    assert!(hash.ends_with("&view=-2.5,1.25,0.1,4"), "{hash}");
    assert_eq!(decode(&hash).unwrap(), e);
    let error = decode("problem=himmelblau&run=a:Adam&view=1,2,3").unwrap_err().to_string();
    assert!(error.contains("view") && error.contains("4 numbers"), "{error}");
    let error = decode("problem=himmelblau&run=a:Adam&view=2,1,0,1").unwrap_err().to_string();
    assert_eq!(
        error,
        "view.x: must satisfy -1000000 <= x[0] < x[1] <= 1000000 with x[1] - x[0] >= 0.000001, got [2.0, 1.0]"
    );
}

// ---------------------------------------------------------------------------------------------
// Input limits
// ---------------------------------------------------------------------------------------------

/// The hash of the hardening issue: a stop entry whose key has 60,000 dotted parts.
fn dotted_hash() -> String {
    format!("problem=rosenbrock&run=a:Adam&stop={}x:1", "a.".repeat(60_000))
}

#[test]
fn a_deeply_dotted_stop_key_is_an_error_not_a_stack_overflow() {
    let (path, message) = error_of(&dotted_hash());
    assert_eq!(path, "hash");
    assert_eq!(message, "stop: a dotted key has more than 32 parts at character 6");
    // 32 parts are read (and rejected as an unknown field of the stop rule, with its path).
    let keys = vec!["a"; 32].join(".");
    let (path, message) = error_of(&format!("problem=rosenbrock&run=a:Adam&stop={keys}:1"));
    assert_eq!(path, "stop.a", "{message}");
    assert!(message.contains("unknown field `a`"), "{message}");
}

#[test]
fn a_hash_over_the_cap_is_rejected_before_it_is_read() {
    use convergence::config::limits::MAX_HASH_BYTES;
    let hash = format!("problem=rosenbrock&run=a:Adam&seed=1{}", "&".repeat(MAX_HASH_BYTES));
    let (path, message) = error_of(&hash);
    assert_eq!(path, "hash");
    assert_eq!(message, format!("at most {MAX_HASH_BYTES} bytes, got {}", hash.len()));
}

#[test]
fn converge_run_url_with_a_deeply_dotted_key_exits_with_status_2() {
    let out = converge(&["run", "--url", &dotted_hash()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("hash: stop: a dotted key has more than 32 parts"), "{err}");
}

#[test]
fn the_first_link_format_is_still_read_and_its_faults_are_named() {
    // `config=` and the percent-encoded JSON, the page's first link format.
    let legacy = |json: &str| -> String {
        let encoded: String = json
            .bytes()
            .map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") })
            .collect();
        format!("config={encoded}")
    };
    let old = decode(&format!("https://example.org/#{}", legacy(COMMON))).unwrap();
    assert_eq!(old, experiment(&serde_json::from_str(COMMON).unwrap()));
    // Raw JSON characters, as a browser may show them, are read too.
    assert_eq!(decode(&format!("config={COMMON}")).unwrap(), old);
    let (path, message) = error_of("config=%7Bnot%20json");
    assert_eq!(path, "hash");
    assert!(message.starts_with("the config in the link is not valid JSON ("), "{message}");
    assert!(message.ends_with("; was the link cut short?"), "{message}");
    let (_, message) = error_of("config=%7B%2");
    assert!(
        message.starts_with("the config in the link is not correctly percent-encoded (bad percent escape"),
        "{message}"
    );
    // Its experiment is validated as any other: the path of a bad value is named.
    let (path, _) = error_of(&legacy(
        r#"{"problem":{"name":"quadratic"},"runs":[{"label":"a","optimizer":{"name":"SGD","lr":-1}}]}"#,
    ));
    assert_eq!(path, "runs[0].optimizer.lr");
    // With another part it is the current format, where config= is unknown.
    let (_, message) = error_of("config=1&seed=2");
    assert!(message.starts_with("unknown part \"config=\""), "{message}");
}
