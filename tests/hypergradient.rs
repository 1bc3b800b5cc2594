//! Hypergradient descent (Baydin et al., ICLR 2018): SGDHD against a three-step trace computed
//! by hand on a quadratic, AdamHD against the paper's Algorithm written out in the test, the
//! learned lr recorded as the run's lr, and the config rules.

use convergence::config::Experiment;
use convergence::run::session::Session;

fn session(optimizer: &str) -> Session {
    let text = format!(
        r#"{{"problem": {{"name": "quadratic", "a": 1, "b": 10}},
            "runs": [{{"label": "hd", "x0": [1.0, 1.0], "optimizer": {optimizer}}}],
            "stop": {{"max_steps": 100}}}}"#
    );
    Session::from_json(&text).expect("valid config")
}

fn near(got: f64, want: f64) {
    assert!((got - want).abs() <= 1e-13 * want.abs().max(1.0), "got {got}, want {want}");
}

#[test]
fn sgd_hd_follows_the_hand_computed_three_step_trace() {
    // f = (x^2 + 10 y^2)/2, grad = (x, 10 y), from (1, 1) with alpha_0 = 0.01, beta = 0.001.
    // Step 1: no previous gradient, alpha_1 = 0.01; theta_1 = (0.99, 0.9).
    // Step 2: g = (0.99, 9), g . g_prev = 0.99 + 90 = 90.99, alpha_2 = 0.10099;
    //         theta_2 = (0.99 - 0.10099 * 0.99, 0.9 - 0.10099 * 9) = (0.8900199, -0.00891).
    // Step 3: g = (0.8900199, -0.0891), g . (0.99, 9) = 0.881119701 - 0.8019 = 0.079219701,
    //         alpha_3 = 0.101069219701; theta_3 = theta_2 - alpha_3 g
    //         = (0.8000662831886379501, 0.0000952674753591).
    let mut s = session(r#"{"name": "SGDHD", "lr": 0.01, "hypergrad_lr": 0.001}"#);
    s.set_recording(true);
    s.step(3);
    let run = &s.runs()[0];
    near(run.params()[0], 0.800_066_283_188_637_9);
    near(run.params()[1], 0.000_095_267_475_359_1);
    // The run records the learned rate of each step.
    let lrs: Vec<f64> = run.history().points().map(|p| p.lr).collect();
    assert_eq!(lrs.len(), 3);
    near(lrs[0], 0.01);
    near(lrs[1], 0.100_99);
    near(lrs[2], 0.101_069_219_701);
    near(run.last_lr(), 0.101_069_219_701);
}

#[test]
fn sgd_hd_with_zero_hypergrad_lr_is_sgd() {
    let mut hd = session(r#"{"name": "SGDHD", "lr": 0.05, "momentum": 0.9, "hypergrad_lr": 0}"#);
    let mut sgd = session(r#"{"name": "SGD", "lr": 0.05, "momentum": 0.9}"#);
    hd.step(50);
    sgd.step(50);
    assert_eq!(hd.runs()[0].params(), sgd.runs()[0].params());
}

#[test]
fn adam_hd_follows_the_papers_algorithm() {
    // Algorithm 3 of the paper, written out: h_t = g_t . u_{t-1}, alpha_t = alpha_{t-1} - beta h_t,
    // m, v as Adam, u_t = -m_hat / (sqrt(v_hat) + eps), theta_t = theta_{t-1} + alpha_t u_t.
    let (alpha0, beta, b1, b2, eps) = (0.1, 0.01, 0.9, 0.999, 1e-8);
    let mut theta = [1.0_f64, 1.0];
    let (mut m, mut v, mut u) = ([0.0_f64; 2], [0.0_f64; 2], [0.0_f64; 2]);
    let mut alpha = alpha0;
    let mut alphas = Vec::new();
    for t in 1..=5 {
        let g = [theta[0], 10.0 * theta[1]];
        let h = g[0] * u[0] + g[1] * u[1];
        alpha -= beta * h;
        for i in 0..2 {
            m[i] = b1 * m[i] + (1.0 - b1) * g[i];
            v[i] = b2 * v[i] + (1.0 - b2) * g[i] * g[i];
            let m_hat = m[i] / (1.0 - b1.powi(t));
            let v_hat = v[i] / (1.0 - b2.powi(t));
            u[i] = -m_hat / (v_hat.sqrt() + eps);
            theta[i] += alpha * u[i];
        }
        alphas.push(alpha);
    }
    let mut s = session(r#"{"name": "AdamHD", "lr": 0.1, "hypergrad_lr": 0.01}"#);
    s.set_recording(true);
    s.step(5);
    let run = &s.runs()[0];
    for (got, want) in run.params().iter().zip(theta) {
        assert!((got - want).abs() <= 1e-12, "param: {got} vs {want}");
    }
    let lrs: Vec<f64> = run.history().points().map(|p| p.lr).collect();
    for (got, want) in lrs.iter().zip(&alphas) {
        assert!((got - want).abs() <= 1e-12, "lr {got} vs {want}");
    }
    // The lr moved: the hypergradient did something.
    assert!(alphas[4] != alpha0);
}

#[test]
fn a_bad_initial_lr_is_corrected() {
    // Far too small an lr grows while successive gradients agree.
    let mut s = session(r#"{"name": "SGDHD", "lr": 1e-4, "hypergrad_lr": 1e-3}"#);
    s.step(40);
    let lr = s.runs()[0].last_lr();
    assert!(lr > 1e-2, "lr stayed at {lr}");
}

#[test]
fn hypergradient_optimizers_take_torch_style_defaults_and_checks() {
    let e = Experiment::from_json(
        r#"{"problem": {"name": "quadratic"}, "runs": [{"label": "a", "optimizer": {"name": "AdamHD"}}]}"#,
    )
    .expect("valid");
    let v = e.runs[0].optimizer.clone();
    assert_eq!(v.name(), "AdamHD");
    let json = serde_json::to_value(&v).expect("serializes");
    assert_eq!(json["hypergrad_lr"], 1e-8);
    assert_eq!(json["lr"], 1e-3);

    let err = Experiment::from_json(
        r#"{"problem": {"name": "quadratic"}, "runs": [{"label": "a", "optimizer": {"name": "SGDHD", "hypergrad_lr": -1}}]}"#,
    )
    .expect_err("negative beta");
    assert!(err.to_string().contains("runs[0].optimizer.hypergrad_lr: must be >= 0"), "{err}");

    let err = Experiment::from_json(
        r#"{"problem": {"name": "quadratic"}, "runs": [{"label": "a", "optimizer": {"name": "SGDHD"},
            "schedule": {"name": "StepLR", "step_size": 10}}]}"#,
    )
    .expect_err("a schedule");
    assert!(err.to_string().contains("runs[0].schedule: SGDHD learns its own learning rate"), "{err}");
}
