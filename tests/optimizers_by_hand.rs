//! First steps computed by hand for the optimizers that have no PyTorch reference case: Lion
//! (Chen et al. 2023, Algorithm 2) and damped Newton. The hypergradient optimizers have theirs
//! in `hypergradient.rs`. Each test states its arithmetic in comments and is built so that the
//! likely slips (a swapped beta, a damping left out or subtracted, the lr ignored) give other
//! numbers.

use convergence::run::session::Session;

/// A session of one run of `optimizer` on `problem` from `x0`, with every convergence
/// criterion off, so that each call to `step` takes the steps asked for.
fn session(problem: &str, x0: [f64; 2], optimizer: &str) -> Session {
    let text = format!(
        r#"{{"problem": {problem},
            "runs": [{{"label": "by_hand", "x0": [{}, {}], "optimizer": {optimizer}}}],
            "stop": {{"max_steps": 100, "loss_plateau": null, "param_change": null, "grad_norm": null}}}}"#,
        x0[0], x0[1]
    );
    Session::from_json(&text).expect("valid config")
}

fn params(s: &Session) -> Vec<f64> {
    s.runs()[0].params().to_vec()
}

fn near(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tol * w.abs().max(1.0), "got {got:?}, want {want:?}");
    }
}

const QUADRATIC: &str = r#"{"name": "quadratic", "a": 1, "b": 10}"#;

#[test]
fn lion_steps_by_the_sign_of_the_beta1_interpolation_and_keeps_a_beta2_momentum() {
    // f = (x^2 + 10 y^2)/2, grad = (x, 10 y), from (1, 1), lr 1.5, betas (0.9, 0.99), m_0 = 0.
    // Step 1: g = (1, 10); c = 0.9 m + 0.1 g = (0.1, 1) > 0, so p = (1, 1) - 1.5 = (-0.5, -0.5);
    //         m_1 = 0.99 m + 0.01 g = (0.01, 0.1).
    // Step 2: g = (-0.5, -5); c = 0.9 m_1 + 0.1 g = (0.009 - 0.05, 0.09 - 0.5) = (-0.041, -0.41)
    //         < 0, so p = (-0.5, -0.5) + 1.5 = (1, 1); m_2 = 0.99 m_1 + 0.01 g = (0.0049, 0.049).
    // With beta2 in the direction, step 2's c = 0.99 m_1 + 0.01 g = (0.0049, 0.049) > 0 and
    // p_2 = (-2, -2); with beta1 in the momentum, m_1 = 0.1 g = (0.1, 1) and step 2's
    // c = (0.09 - 0.05, 0.9 - 0.5) = (0.04, 0.4) > 0, again p_2 = (-2, -2).
    // Step 3: g = (1, 10); c = 0.9 m_2 + 0.1 g = (0.10441, 1.0441) > 0, so p_3 = (-0.5, -0.5).
    let mut s = session(QUADRATIC, [1.0, 1.0], r#"{"name": "Lion", "lr": 1.5, "betas": [0.9, 0.99]}"#);
    s.step(1);
    assert_eq!(params(&s), [-0.5, -0.5]);
    s.step(1);
    assert_eq!(params(&s), [1.0, 1.0]);
    s.step(1);
    assert_eq!(params(&s), [-0.5, -0.5]);
}

#[test]
fn lion_decays_the_weights_before_the_signed_step() {
    // p *= 1 - lr wd first: from (1, 1) with lr 0.1 and weight_decay 0.5, p = (0.95, 0.95); then
    // the first direction is sign(0.1 g) = sign((1, 10)) = (1, 1): p_1 = (0.85, 0.85).
    let optimizer = r#"{"name": "Lion", "lr": 0.1, "betas": [0.9, 0.99], "weight_decay": 0.5}"#;
    let mut s = session(QUADRATIC, [1.0, 1.0], optimizer);
    s.step(1);
    near(&params(&s), &[0.85, 0.85], 1e-15);
}

/// Booth: f = (x + 2y - 7)^2 + (2x + y - 5)^2, a quadratic with a full Hessian
/// H = [[10, 8], [8, 10]] and its minimum at (1, 3). At (0, 0), grad = (2(-7) + 4(-5),
/// 4(-7) + 2(-5)) = (-34, -38).
const BOOTH: &str = r#"{"name": "booth"}"#;

#[test]
fn one_newton_step_on_a_quadratic_lands_on_the_minimum() {
    // H^-1 = [[10, -8], [-8, 10]] / 36, so d = H^-1 g = (-340 + 304, 272 - 380)/36 = (-1, -3)
    // and p_1 = (0, 0) - d = (1, 3), Booth's minimum.
    let mut s = session(BOOTH, [0.0, 0.0], r#"{"name": "Newton", "lr": 1, "damping": 0}"#);
    s.step(1);
    near(&params(&s), &[1.0, 3.0], 1e-12);
}

#[test]
fn a_damped_newton_step_solves_h_plus_damping_times_identity() {
    // damping 2: H + 2I = [[12, 8], [8, 12]], det 80, inverse [[12, -8], [-8, 12]] / 80;
    // d = (12(-34) - 8(-38), -8(-34) + 12(-38))/80 = (-104, -184)/80 = (-1.3, -2.3).
    // Check: 12(-1.3) + 8(-2.3) = -34 and 8(-1.3) + 12(-2.3) = -38. With lr 0.5,
    // p_1 = (0, 0) - 0.5 d = (0.65, 1.15). Without the damping the step would be (0.5, 1.5);
    // with the damping subtracted, H - 2I = [[8, 8], [8, 8]] is singular.
    let mut s = session(BOOTH, [0.0, 0.0], r#"{"name": "Newton", "lr": 0.5, "damping": 2}"#);
    s.step(1);
    near(&params(&s), &[0.65, 1.15], 1e-12);
}

#[test]
fn an_undamped_newton_step_is_attracted_to_a_saddle() {
    // f = x^2 - y^2: H = diag(2, -2), grad at (1, 1) = (2, -2), d = (1, 1): p_1 = (0, 0), the
    // saddle point, which is what Newton's method does on an indefinite Hessian.
    let mut s = session(r#"{"name": "saddle"}"#, [1.0, 1.0], r#"{"name": "Newton", "lr": 1, "damping": 0}"#);
    s.step(1);
    near(&params(&s), &[0.0, 0.0], 1e-12);
}
