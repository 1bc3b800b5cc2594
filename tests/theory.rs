//! Theory on quadratics and the rate readout: the closed forms against known values, measured
//! contractions of real runs against theory, and fitted rates of synthetic sequences.

use convergence::analysis::rate::{fit_rate, readout, RateModel, Reference};
use convergence::analysis::section::{analyse, Theory};
use convergence::analysis::theory::QuadraticTheory;
use convergence::config::Experiment;
use convergence::problem::{LinregData, ProblemConfig};
use convergence::run::session::Session;
use serde_json::json;

fn theory(config: &ProblemConfig) -> QuadraticTheory {
    QuadraticTheory::of(config).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_bowl_has_the_textbook_rates() {
    // a = 1, b = 10: kappa = 10, GD's best rate 9/11 at lr = 2/11, heavy ball's
    // (sqrt(10) - 1)/(sqrt(10) + 1) at lr = 4/(1 + sqrt(10))^2 and momentum its square.
    let t = theory(&ProblemConfig::Quadratic { a: 1.0, b: 10.0 });
    let r10 = 10f64.sqrt();
    let expected = [
        (t.mu, 1.0),
        (t.l, 10.0),
        (t.kappa, 10.0),
        (t.gd_stable_below, 0.2),
        (t.gd_optimal_lr, 2.0 / 11.0),
        (t.gd_optimal_rate, 9.0 / 11.0),
        (t.heavy_ball_lr, 4.0 / ((1.0 + r10) * (1.0 + r10))),
        (t.heavy_ball_rate, (r10 - 1.0) / (r10 + 1.0)),
        (t.heavy_ball_momentum, ((r10 - 1.0) / (r10 + 1.0)).powi(2)),
        (t.minimum, 0.0),
    ];
    for (i, (got, want)) in expected.iter().enumerate() {
        assert!((got - want).abs() <= 1e-12, "entry {i}: {got} vs {want}");
    }
    assert_eq!(t.minimizer, [0.0, 0.0]);
    assert!((t.gd_rate(0.1) - 0.9).abs() < 1e-15);
    assert!((t.gd_rate(0.25) - 1.5).abs() < 1e-15, "beyond 2/L the error grows");
}

#[test]
fn linreg_is_quadratic_and_its_minimizer_is_least_squares() {
    // y = 2x + 1 exactly: w* = (2, 1), f* = 0; H = (2/n) [[sum x^2, sum x], [sum x, n]].
    let data = LinregData { x: vec![0.0, 1.0, 2.0, 3.0], y: vec![1.0, 3.0, 5.0, 7.0] };
    let t = theory(&ProblemConfig::Linreg { data: data.clone(), l1: 0.0, l2: 0.0 });
    assert!((t.minimizer[0] - 2.0).abs() < 1e-12 && (t.minimizer[1] - 1.0).abs() < 1e-12, "{:?}", t.minimizer);
    assert!(t.minimum.abs() < 1e-24);
    // Eigenvalues of [[7, 3], [3, 2]]: 4.5 +- sqrt(6.25 + 9).
    let radius = 15.25f64.sqrt();
    assert!((t.mu - (4.5 - radius)).abs() < 1e-12 && (t.l - (4.5 + radius)).abs() < 1e-12);
    assert!(QuadraticTheory::of(&ProblemConfig::Linreg { data, l1: 0.1, l2: 0.0 }).is_err());
    assert!(QuadraticTheory::of(&ProblemConfig::Rosenbrock { a: 1.0, b: 100.0 }).is_err());
    assert!(QuadraticTheory::of(&ProblemConfig::Quadratic { a: -1.0, b: 1.0 }).is_err());
}

fn run_on_bowl(optimizer: serde_json::Value, steps: u64) -> Session {
    let config = json!({"problem": {"name": "quadratic", "a": 1, "b": 10},
        "runs": [{"label": "r", "x0": [3.0, 2.0], "optimizer": optimizer}],
        "stop": {"max_steps": steps, "loss_plateau": null, "param_change": null, "grad_norm": null}});
    let experiment = Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let mut session = Session::new(experiment);
    session.step(steps);
    session
}

#[test]
fn measured_contraction_of_gradient_descent_matches_theory() {
    let config = ProblemConfig::Quadratic { a: 1.0, b: 10.0 };
    let t = theory(&config);
    for lr in [t.gd_optimal_lr, 0.05, 0.15] {
        let session = run_on_bowl(json!({"name": "SGD", "lr": lr}), 150);
        let r = readout(&config, session.problem(), &session.runs()[0], 1e-8).unwrap_or_else(|| panic!("a readout"));
        assert_eq!(r.reference, Reference::ExactMinimizer);
        let fit = r.distance_fit.unwrap_or_else(|| panic!("a fit"));
        assert_eq!(fit.model, RateModel::Linear);
        assert!((fit.rate - t.gd_rate(lr)).abs() < 1e-6, "lr {lr}: measured {} vs theory {}", fit.rate, t.gd_rate(lr));
    }
    // At the optimal lr both components contract by the same factor, so f - f* contracts by its
    // square.
    let session = run_on_bowl(json!({"name": "SGD", "lr": t.gd_optimal_lr}), 150);
    let r = readout(&config, session.problem(), &session.runs()[0], 1e-8).unwrap_or_else(|| panic!("a readout"));
    let fit = r.value_fit.unwrap_or_else(|| panic!("a fit"));
    assert!((fit.rate - t.gd_optimal_rate.powi(2)).abs() < 1e-6, "{}", fit.rate);
}

#[test]
fn heavy_ball_at_its_optimal_settings_beats_gradient_descent_as_theory_says() {
    let config = ProblemConfig::Quadratic { a: 1.0, b: 10.0 };
    let t = theory(&config);
    let optimizer = json!({"name": "SGD", "lr": t.heavy_ball_lr, "momentum": t.heavy_ball_momentum});
    let session = run_on_bowl(optimizer, 120);
    let r = readout(&config, session.problem(), &session.runs()[0], 1e-8).unwrap_or_else(|| panic!("a readout"));
    let fit = r.distance_fit.unwrap_or_else(|| panic!("a fit"));
    // The optimal heavy ball has a double eigenvalue: the error falls like t q^t, so the fitted
    // rate exceeds q by about 1/t_mean in ln q, 1/31 over this window's steps 21 to 42 (the
    // error reaches the round-off floor by then).
    assert!(fit.rate < t.gd_optimal_rate, "{}", fit.rate);
    assert!((fit.rate - t.heavy_ball_rate).abs() < 0.04 * t.heavy_ball_rate, "{} vs {}", fit.rate, t.heavy_ball_rate);
}

#[test]
fn a_geometric_sequence_has_its_ratio_as_rate() {
    let points: Vec<(u64, f64)> = (0..200).map(|t| (t, 3.0 * 0.9f64.powi(t as i32))).collect();
    let fit = fit_rate(&points, 1e-6).unwrap_or_else(|| panic!("a fit"));
    assert_eq!(fit.model, RateModel::Linear);
    assert!((fit.rate - 0.9).abs() < 1e-12, "{}", fit.rate);
    // 3 * 0.9^t = 1e-6 at t = ln(1e-6 / 3) / ln(0.9) = 141.5...
    let expected = (1e-6f64 / 3.0).ln() / 0.9f64.ln();
    let steps = fit.steps_to_tolerance.unwrap_or(f64::NAN);
    assert!((steps - expected).abs() < 1e-6, "{steps} vs {expected}");
}

#[test]
fn a_power_law_has_its_exponent() {
    let points: Vec<(u64, f64)> = (1..2000).map(|t| (t, 5.0 / (t as f64).powi(2))).collect();
    let fit = fit_rate(&points, 1e-8).unwrap_or_else(|| panic!("a fit"));
    assert_eq!(fit.model, RateModel::Sublinear);
    assert!((fit.exponent - 2.0).abs() < 1e-9, "{}", fit.exponent);
    // 5 / t^2 = 1e-8 at t = sqrt(5e8).
    let steps = fit.steps_to_tolerance.unwrap_or(f64::NAN);
    assert!((steps - 5e8f64.sqrt()).abs() < 1e-3 * 5e8f64.sqrt(), "{steps}");
}

#[test]
fn a_growing_or_short_sequence_is_not_called_converging() {
    let growing: Vec<(u64, f64)> = (0..50).map(|t| (t, 1.1f64.powi(t as i32))).collect();
    let fit = fit_rate(&growing, 1e-6).unwrap_or_else(|| panic!("a fit"));
    assert_eq!(fit.model, RateModel::NotConverging);
    assert_eq!(fit.steps_to_tolerance, None);
    assert!(fit_rate(&[(0, 1.0), (1, 0.5), (2, 0.25)], 1e-6).is_none(), "too few points to fit");
}

#[test]
fn a_run_on_a_landscape_is_measured_from_the_known_minimum_it_reached() {
    let config = json!({"problem": {"name": "himmelblau"},
        "runs": [{"label": "r", "x0": [1.0, 1.0], "optimizer": {"name": "SGD", "lr": 0.01}}],
        "stop": {"max_steps": 400}});
    let experiment = Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let problem_config = experiment.problem.clone();
    let mut session = Session::new(experiment);
    session.step(400);
    let r =
        readout(&problem_config, session.problem(), &session.runs()[0], 1e-10).unwrap_or_else(|| panic!("a readout"));
    assert_eq!(r.reference, Reference::KnownMinimum);
    assert_eq!(r.minimizer, vec![3.0, 2.0]);
    let fit = r.distance_fit.unwrap_or_else(|| panic!("a fit"));
    assert_eq!(fit.model, RateModel::Linear);
    // Near (3, 2) GD with lr = 0.01 contracts the error by 1 - 0.01 * mu per step, mu the
    // smaller eigenvalue of the Hessian there (25.7157..., minima.json).
    let mu = session.problem().known_minima()[0].hessian_eigenvalues[0];
    assert!((fit.rate - (1.0 - 0.01 * mu)).abs() < 1e-5, "{} vs {}", fit.rate, 1.0 - 0.01 * mu);
}

#[test]
fn heavy_balls_rate_at_any_settings_reduces_to_the_closed_forms() {
    let t = theory(&ProblemConfig::Quadratic { a: 1.0, b: 10.0 });
    // Momentum 0 is gradient descent: max(|1 - lr mu|, |1 - lr L|).
    for lr in [0.05, t.gd_optimal_lr, 0.15, 0.25] {
        assert!((t.heavy_ball_rate_at(lr, 0.0) - t.gd_rate(lr)).abs() < 1e-12, "lr {lr}");
    }
    // At the optimal settings: (sqrt(kappa) - 1)/(sqrt(kappa) + 1), within 1e-6 of theory.
    let at_optimum = t.heavy_ball_rate_at(t.heavy_ball_lr, t.heavy_ball_momentum);
    assert!((at_optimum - t.heavy_ball_rate).abs() < 1e-6, "{at_optimum} vs {}", t.heavy_ball_rate);
    // Anywhere else it is slower.
    for (lr, momentum) in [(0.2, 0.27), (0.23, 0.4), (0.1, 0.1)] {
        assert!(t.heavy_ball_rate_at(lr, momentum) > t.heavy_ball_rate, "({lr}, {momentum})");
    }
}

#[test]
fn the_theory_analysis_measures_each_runs_contraction_beside_its_prediction() {
    let config = json!({"problem": {"name": "quadratic", "a": 1, "b": 10},
        "runs": [{"label": "gd", "x0": [3.0, 2.0], "optimizer": {"name": "SGD", "lr": 0.1}},
                 {"label": "adam", "x0": [3.0, 2.0], "optimizer": {"name": "Adam", "lr": 0.1}}],
        "stop": {"max_steps": 300},
        "analysis": {"theory": true}});
    let e = Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let report = analyse(&e).unwrap_or_else(|e| panic!("{e}"));
    let Some(Theory::Quadratic { theory, measured }) = report.theory else {
        panic!("the bowl has theory: {:?}", report.theory);
    };
    assert!((theory.gd_optimal_lr - 2.0 / 11.0).abs() < 1e-15);
    assert_eq!(measured.len(), 2);
    // Gradient descent at lr 0.1 contracts by max(|1 - 0.1|, |1 - 1|) = 0.9: measured and predicted.
    assert_eq!(measured[0].label, "gd");
    assert!((measured[0].predicted.unwrap_or(f64::NAN) - 0.9).abs() < 1e-12);
    assert!((measured[0].measured.unwrap_or(f64::NAN) - 0.9).abs() < 1e-6, "{:?}", measured[0]);
    // Adam has no closed form here: measured only.
    assert_eq!(measured[1].predicted, None);
    // The report's JSON keeps the theory's keys at the top, with the runs beside them.
    let value = serde_json::to_value(Theory::Quadratic { theory, measured }).unwrap_or_default();
    assert_eq!(value["kappa"], json!(10.0));
    assert_eq!(value["measured"][0]["label"], json!("gd"));
}

#[test]
fn the_fitted_curve_follows_the_fitted_law() {
    let points: Vec<(u64, f64)> = (0..200).map(|t| (t, 3.0 * 0.9f64.powi(t as i32))).collect();
    let fit = fit_rate(&points, 1e-6).unwrap_or_else(|| panic!("a fit"));
    assert_eq!(fit.curve.len(), 16);
    assert_eq!(fit.curve.first().map(|p| p.0), Some(fit.fitted_steps[0] as f64));
    assert_eq!(fit.curve.last().map(|p| p.0), Some(fit.fitted_steps[1] as f64));
    for (t, e) in &fit.curve {
        let want = 3.0 * 0.9f64.powf(*t);
        assert!((e / want - 1.0).abs() < 1e-9, "step {t}: {e} vs {want}");
    }
    let power: Vec<(u64, f64)> = (1..2000).map(|t| (t, 5.0 / (t as f64).powi(2))).collect();
    let fit = fit_rate(&power, 1e-8).unwrap_or_else(|| panic!("a fit"));
    for (t, e) in &fit.curve {
        let want = 5.0 / (t * t);
        assert!((e / want - 1.0).abs() < 1e-6, "step {t}: {e} vs {want}");
    }
}
