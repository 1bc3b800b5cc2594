//! Tests of the problems module: analytic derivatives against finite differences, known minima
//! against `tests/reference/minima.json`, validation messages, and the problems of the reference
//! cases in `tests/reference/cases/*.json` (losses and gradients computed with PyTorch).

mod common;

use std::path::PathBuf;

use convergence::config::validate::Validator;
use convergence::problem::*;
use proptest::prelude::*;
use serde_json::{json, Value};

const PI: f64 = std::f64::consts::PI;

fn reference_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("reference")
}

fn read_json(path: &PathBuf) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn config(value: Value) -> ProblemConfig {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value}: {e}"))
}

/// Every 2-D function at its default parameters, plus a few non-default parameter sets.
fn landscapes() -> Vec<ProblemConfig> {
    let mut out: Vec<ProblemConfig> = common::LANDSCAPES.iter().map(|n| config(json!({ "name": n }))).collect();
    out.push(ProblemConfig::Quadratic { a: -1.0, b: 3.0 });
    out.push(ProblemConfig::Rosenbrock { a: 2.0, b: 50.0 });
    out.push(ProblemConfig::Rastrigin { a: 5.0 });
    out.push(ProblemConfig::Ackley { a: 10.0, b: 0.5, c: 3.0 });
    out
}

/// |a - b| <= tol * max(1, |b|).
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

/// Compares the analytic gradient with central differences of the loss, and the analytic
/// Hessian with central differences of the gradient. The tolerance has a relative part and a
/// part for the rounding error of the difference quotient (about eps*|f|/h).
fn check_derivatives(p: &Problem, w: &[f64]) -> Result<(), TestCaseError> {
    let n = p.dim();
    let mut g = vec![0.0; n];
    let f = p.loss_grad(w, &mut g);
    prop_assert_eq!(f.to_bits(), p.loss(w).to_bits(), "loss and loss_grad differ");
    let mut h = vec![0.0; n * n];
    p.hessian(w, &mut h);
    for j in 0..n {
        let step = 1e-6 * w[j].abs().max(1.0);
        let (mut wp, mut wm) = (w.to_vec(), w.to_vec());
        wp[j] += step;
        wm[j] -= step;
        let width = wp[j] - wm[j];
        let (mut gp, mut gm) = (vec![0.0; n], vec![0.0; n]);
        let (fp, fm) = (p.loss_grad(&wp, &mut gp), p.loss_grad(&wm, &mut gm));
        let fd = (fp - fm) / width;
        let tol = 1e-5 * g[j].abs().max(1.0) + 100.0 * f64::EPSILON * fp.abs().max(fm.abs()) / step;
        prop_assert!((fd - g[j]).abs() <= tol, "grad[{}] at {:?}: analytic {} vs finite difference {}", j, w, g[j], fd);
        for i in 0..n {
            let fd = (gp[i] - gm[i]) / width;
            let hij = h[i * n + j];
            let gmax = gp[i].abs().max(gm[i].abs());
            let tol = 1e-5 * hij.abs().max(1.0) + 100.0 * f64::EPSILON * gmax / step;
            prop_assert!(
                (fd - hij).abs() <= tol,
                "hessian[{}][{}] at {:?}: analytic {} vs finite difference {}",
                i,
                j,
                w,
                hij,
                fd
            );
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn landscape_derivatives_match_finite_differences(
        index in 0usize..18,
        u in 0.0f64..1.0,
        v in 0.0f64..1.0,
    ) {
        let configs = landscapes();
        let p = configs[index % configs.len()].build();
        let b = p.view_box().expect("2-D functions have a view box");
        let w = [b.x[0] + u * (b.x[1] - b.x[0]), b.y[0] + v * (b.y[1] - b.y[0])];
        // Ackley's cone point has no derivative; stay away from it.
        if matches!(p, Problem::Landscape(Landscape::Ackley { .. })) {
            prop_assume!(w[0].hypot(w[1]) > 1e-2);
        }
        check_derivatives(&p, &w)?;
    }

    #[test]
    fn linreg_derivatives_match_finite_differences(
        points in proptest::collection::vec((-3.0f64..3.0, -3.0f64..3.0), 1..8),
        l1 in 0.0f64..1.0,
        l2 in 0.0f64..1.0,
        w in -3.0f64..3.0,
        b in -3.0f64..3.0,
    ) {
        // The l1 kink at w = 0 has no derivative.
        prop_assume!(w.abs() > 1e-3);
        let (x, y): (Vec<f64>, Vec<f64>) = points.into_iter().unzip();
        let cfg = ProblemConfig::Linreg { data: LinregData { x, y }, l1, l2 };
        let mut v = Validator::new();
        cfg.validate("problem", &mut v);
        prop_assert!(v.is_empty());
        check_derivatives(&cfg.build(), &[w, b])?;
    }

    #[test]
    fn logreg_derivatives_match_finite_differences(
        points in proptest::collection::vec(((-3.0f64..3.0, -3.0f64..3.0), 0.0f64..=1.0), 1..8),
        l1 in 0.0f64..1.0,
        l2 in 0.0f64..1.0,
        w1 in -3.0f64..3.0,
        w2 in -3.0f64..3.0,
        b in -3.0f64..3.0,
    ) {
        prop_assume!(w1.abs() > 1e-3 && w2.abs() > 1e-3);
        let x = points.iter().map(|&((x1, x2), _)| [x1, x2]).collect();
        let y = points.iter().map(|&(_, label)| label).collect();
        let cfg = ProblemConfig::Logreg { data: LogregData { x, y }, l1, l2 };
        let mut v = Validator::new();
        cfg.validate("problem", &mut v);
        prop_assert!(v.is_empty());
        check_derivatives(&cfg.build(), &[w1, w2, b])?;
    }
}

#[test]
fn logreg_is_stable_for_huge_logits() {
    let cfg = ProblemConfig::Logreg {
        data: LogregData { x: vec![[1.0, 0.0], [-1.0, 0.0]], y: vec![1.0, 0.0] },
        l1: 0.0,
        l2: 0.0,
    };
    let p = cfg.build();
    for w in [[1e3, 0.0, 0.0], [-1e3, 0.0, 0.0], [800.0, 0.0, 0.0]] {
        let mut g = [0.0; 3];
        let f = p.loss_grad(&w, &mut g);
        let mut h = [0.0; 9];
        p.hessian(&w, &mut h);
        assert!(f.is_finite() && g.iter().chain(&h).all(|v| v.is_finite()), "{w:?}");
    }
    // Confident and right: loss about 0; confident and wrong: loss about |z| = 1000.
    assert!(p.loss(&[1e3, 0.0, 0.0]) < 1e-300);
    assert!(close(p.loss(&[-1e3, 0.0, 0.0]), 1e3, 1e-15));
}

/// The config of a function in minima.json.
fn minima_config(key: &str, entry: &Value) -> ProblemConfig {
    let name = if key.starts_with("quad_") { "quadratic" } else { key };
    let mut cfg = json!({ "name": name });
    if let Some(params) = entry["params"].as_object() {
        for (k, v) in params {
            if k != "kappa" {
                cfg[k] = v.clone();
            }
        }
    }
    config(cfg)
}

fn pair(v: &Value) -> [f64; 2] {
    let a = v.as_array().expect("a pair");
    [a[0].as_f64().expect("a number"), a[1].as_f64().expect("a number")]
}

/// Eigenvalues of [[p, q], [q, r]], ascending.
fn eig2(h: &[f64]) -> [f64; 2] {
    let (p, q, r) = (h[0], h[1], h[3]);
    let m = 0.5 * (p + r);
    let radius = (0.25 * (p - r) * (p - r) + q * q).sqrt();
    [m - radius, m + radius]
}

#[test]
fn reference_minima_are_minima_and_match_known_minima() {
    let file = read_json(&reference_dir().join("minima.json"));
    let functions = file["functions"].as_object().expect("functions");
    assert_eq!(functions.len(), 13);
    let mut checked = 0;
    for (key, entry) in functions {
        let p = minima_config(key, entry).build();
        let computed = &entry["computed"];
        let minima = computed["minima"].as_array().expect("minima");
        let ours = p.known_minima();
        assert_eq!(ours.len(), minima.len(), "{key}: number of minima");
        match computed.get("search_domain") {
            Some(domain) => {
                let d = domain.as_array().expect("domain");
                let expected = ViewBox { x: pair(&d[0]), y: pair(&d[1]) };
                assert_eq!(p.view_box(), Some(expected), "{key}");
            }
            None => assert!(p.view_box().is_some(), "{key}"),
        }
        for m in minima {
            let x = pair(&m["x"]);
            let f_ref = m["f"].as_f64().expect("f");
            let mut g = [0.0; 2];
            let f = p.loss_grad(&x, &mut g);
            assert!(close(f, f_ref, 1e-9), "{key} {x:?}: f {f} vs {f_ref}");
            assert!(g[0].abs() < 1e-6 && g[1].abs() < 1e-6, "{key} {x:?}: grad {g:?}");
            let mut h = [0.0; 4];
            p.hessian(&x, &mut h);
            let eig = eig2(&h);
            assert!(eig[0] > 0.0, "{key} {x:?}: Hessian {h:?} not positive definite");
            if let Some(e) = m["hessian_eigenvalues"].as_array() {
                for k in 0..2 {
                    let e_ref = e[k].as_f64().expect("eigenvalue");
                    assert!(close(eig[k], e_ref, 1e-6), "{key} {x:?}: {eig:?} vs {e:?}");
                }
            }
            let kind = match m["kind"].as_str() {
                Some("global") => MinimumKind::Global,
                Some("local") => MinimumKind::Local,
                other => panic!("{key}: kind {other:?}"),
            };
            let found = ours
                .iter()
                .find(|k| (k.x[0] - x[0]).abs() < 1e-6 && (k.x[1] - x[1]).abs() < 1e-6)
                .unwrap_or_else(|| panic!("{key}: {x:?} missing from known_minima()"));
            assert_eq!(found.kind, kind, "{key} {x:?}");
            assert!(close(found.f, f_ref, 1e-9), "{key} {x:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 76);
}

#[test]
fn known_minima_of_extra_functions() {
    let matyas = config(json!({"name": "matyas"})).build();
    let m = matyas.known_minima();
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].x, m[0].f, m[0].kind), ([0.0, 0.0], 0.0, MinimumKind::Global));
    assert_eq!(matyas.view_box(), Some(ViewBox { x: [-10.0, 10.0], y: [-10.0, 10.0] }));

    let mccormick = config(json!({"name": "mccormick"})).build();
    let m = mccormick.known_minima();
    assert_eq!(m.len(), 2);
    assert_eq!(m[0].kind, MinimumKind::Global);
    assert!((m[0].x[0] + 0.54719).abs() < 1e-5 && (m[0].x[1] + 1.54719).abs() < 1e-5);
    assert!((m[0].f + 1.9133).abs() < 1e-4);
    assert_eq!(m[1].kind, MinimumKind::Local);
    assert_eq!(mccormick.view_box(), Some(ViewBox { x: [-1.5, 4.0], y: [-3.0, 4.0] }));

    let saddle = config(json!({"name": "saddle"})).build();
    assert!(saddle.known_minima().is_empty());
    assert_eq!(saddle.view_box(), Some(ViewBox { x: [-2.0, 2.0], y: [-2.0, 2.0] }));

    // Every embedded minimum is stationary with a positive-definite Hessian.
    for cfg in landscapes() {
        let p = cfg.build();
        for m in p.known_minima() {
            let mut g = [0.0; 2];
            let f = p.loss_grad(&m.x, &mut g);
            assert!(g[0].abs() < 1e-9 && g[1].abs() < 1e-9, "{cfg:?} {m:?}: {g:?}");
            assert!(close(f, m.f, 1e-12), "{cfg:?} {m:?}");
            assert!(m.hessian_eigenvalues[0] > 0.0, "{cfg:?} {m:?}");
            assert!(m.hessian_eigenvalues[0] <= m.hessian_eigenvalues[1], "{cfg:?} {m:?}");
        }
    }
}

#[test]
fn minima_follow_non_default_parameters() {
    let p = ProblemConfig::Rosenbrock { a: 2.0, b: 100.0 }.build();
    let m = p.known_minima();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].kind, MinimumKind::Global);
    assert!((m[0].x[0] - 2.0).abs() < 1e-9 && (m[0].x[1] - 4.0).abs() < 1e-9, "{m:?}");
    assert!(m[0].f.abs() < 1e-18);

    let p = ProblemConfig::Quadratic { a: 1.0, b: 100.0 }.build();
    let m = p.known_minima();
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].x, [0.0, 0.0]);
    assert_eq!(m[0].hessian_eigenvalues, [1.0, 100.0]);
    assert_eq!(m[0].kind, MinimumKind::Global);

    // A negative curvature has no minimum at all.
    let p = ProblemConfig::Quadratic { a: -1.0, b: 10.0 }.build();
    assert!(p.known_minima().is_empty());

    // Rastrigin with A = 5: 25 minima, the origin alone global, all near the integer grid.
    let p = ProblemConfig::Rastrigin { a: 5.0 }.build();
    let m = p.known_minima();
    assert_eq!(m.len(), 25);
    assert_eq!(m.iter().filter(|k| k.kind == MinimumKind::Global).count(), 1);
    assert_eq!(m[0].x, [0.0, 0.0]);
    for k in &m {
        assert!((k.x[0] - k.x[0].round()).abs() < 0.05, "{k:?}");
        let mut g = [0.0; 2];
        p.loss_grad(&k.x, &mut g);
        assert!(g[0].abs() < 1e-9 && g[1].abs() < 1e-9);
    }

    // Ackley with another width keeps the origin as its global minimum.
    let p = ProblemConfig::Ackley { a: 20.0, b: 0.3, c: 2.0 * PI }.build();
    let m = p.known_minima();
    assert!(!m.is_empty());
    assert_eq!(m[0].x, [0.0, 0.0]);
    assert_eq!(m.iter().filter(|k| k.kind == MinimumKind::Global).count(), 1);
}

#[test]
fn ackley_origin_has_zero_subgradient_and_finite_hessian() {
    let p = config(json!({"name": "ackley"})).build();
    let mut g = [f64::NAN; 2];
    let f = p.loss_grad(&[0.0, 0.0], &mut g);
    assert_eq!(f, 0.0);
    assert_eq!(g, [0.0, 0.0]);
    let mut h = [f64::NAN; 4];
    p.hessian(&[0.0, 0.0], &mut h);
    let curvature = 2.0 * PI * PI * std::f64::consts::E;
    assert!(close(h[0], curvature, 1e-12) && close(h[3], curvature, 1e-12), "{h:?}");
    assert_eq!((h[1], h[2]), (0.0, 0.0));
}

#[test]
fn wrong_lengths_give_nan_without_panicking() {
    let problems = [
        config(json!({"name": "rosenbrock"})).build(),
        ProblemConfig::Linreg { data: LinregData { x: vec![1.0], y: vec![2.0] }, l1: 0.0, l2: 0.0 }.build(),
        ProblemConfig::Logreg { data: LogregData { x: vec![[1.0, 2.0]], y: vec![1.0] }, l1: 0.0, l2: 0.0 }.build(),
    ];
    for p in &problems {
        let n = p.dim();
        assert!(p.loss(&[1.0; 4][..n - 1]).is_nan());
        let mut g = vec![0.0; n + 1];
        assert!(p.loss_grad(&vec![1.0; n], &mut g).is_nan());
        assert!(g.iter().all(|v| v.is_nan()));
        let mut h = vec![0.0; n * n - 1];
        p.hessian(&vec![1.0; n], &mut h);
        assert!(h.iter().all(|v| v.is_nan()));
        assert!(p.loss(&vec![0.5; n]).is_finite());
    }
}

#[test]
fn build_never_panics_on_invalid_configs() {
    let configs = [
        ProblemConfig::Linreg { data: LinregData { x: vec![], y: vec![] }, l1: -1.0, l2: f64::NAN },
        ProblemConfig::Linreg { data: LinregData { x: vec![1.0, 2.0, 3.0], y: vec![1.0] }, l1: 0.0, l2: 0.0 },
        ProblemConfig::Logreg { data: LogregData { x: vec![], y: vec![1.0, 0.0] }, l1: 0.0, l2: 0.0 },
        ProblemConfig::Rosenbrock { a: f64::INFINITY, b: -1.0 },
    ];
    for cfg in configs {
        let p = cfg.build();
        let n = p.dim();
        let mut g = vec![0.0; n];
        p.loss_grad(&vec![0.1; n], &mut g);
        let mut h = vec![0.0; n * n];
        p.hessian(&vec![0.1; n], &mut h);
        let _ = (p.known_minima(), p.view_box());
    }
}

fn errors(cfg: &ProblemConfig) -> String {
    let mut v = Validator::new();
    cfg.validate("problem", &mut v);
    match v.finish() {
        Ok(()) => String::new(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn validation_names_the_field() {
    for cfg in landscapes() {
        assert_eq!(errors(&cfg), "", "{cfg:?}");
    }
    let bad_b = ProblemConfig::Rosenbrock { a: 1.0, b: -1.0 };
    assert_eq!(errors(&bad_b), "problem.b: must be >= 0, got -1");
    let nan_a = ProblemConfig::Quadratic { a: f64::NAN, b: -10.0 };
    assert_eq!(errors(&nan_a), "problem.a: must be a finite number, got NaN");
    let inf = ProblemConfig::Rastrigin { a: f64::INFINITY };
    assert!(errors(&inf).starts_with("problem.A: must be a finite number"));
    let ackley = ProblemConfig::Ackley { a: 20.0, b: 0.2, c: f64::NEG_INFINITY };
    assert!(errors(&ackley).starts_with("problem.c: "));

    let mismatch =
        ProblemConfig::Linreg { data: LinregData { x: vec![1.0, 2.0, 3.0], y: vec![1.0, 2.0] }, l1: 0.0, l2: 0.0 };
    let msg = errors(&mismatch);
    assert!(msg.starts_with("problem.data.y: "), "{msg}");
    assert!(msg.contains('3') && msg.contains('2'), "{msg}");

    let nan_x = ProblemConfig::Linreg {
        data: LinregData { x: vec![1.0, 2.0, 3.0, f64::NAN], y: vec![1.0, 2.0, 3.0, 4.0] },
        l1: -0.5,
        l2: 0.0,
    };
    let msg = errors(&nan_x);
    assert!(msg.contains("problem.data.x[3]: must be a finite number"), "{msg}");
    assert!(msg.contains("problem.l1: must be >= 0, got -0.5"), "{msg}");

    let empty = ProblemConfig::Linreg { data: LinregData { x: vec![], y: vec![] }, l1: 0.0, l2: 0.0 };
    assert_eq!(errors(&empty), "problem.data.x: must contain at least one point");

    let logreg = ProblemConfig::Logreg {
        data: LogregData { x: vec![[0.0, 1.0], [1.0, f64::INFINITY]], y: vec![0.5, 2.0] },
        l1: 0.0,
        l2: f64::NAN,
    };
    let msg = errors(&logreg);
    assert!(msg.contains("problem.data.x[1][1]: must be a finite number"), "{msg}");
    assert!(msg.contains("problem.data.y[1]: must be in [0, 1], got 2"), "{msg}");
    assert!(!msg.contains("problem.data.y[0]"), "{msg}");
    assert!(msg.contains("problem.l2: "), "{msg}");

    // A long array of bad values is summarised instead of listed entry by entry.
    let many =
        ProblemConfig::Linreg { data: LinregData { x: vec![f64::NAN; 1000], y: vec![0.0; 1000] }, l1: 0.0, l2: 0.0 };
    let msg = errors(&many);
    assert!(msg.lines().count() <= 12, "{msg}");
    assert!(msg.contains("990 more"), "{msg}");
}

#[test]
fn serde_rejects_unknown_fields_and_names() {
    let err =
        serde_json::from_str::<ProblemConfig>(r#"{"name":"rosenbrock","c":1}"#).expect_err("unknown field").to_string();
    assert!(err.contains("unknown field `c`") && err.contains("`a`") && err.contains("`b`"), "{err}");

    let err = serde_json::from_str::<ProblemConfig>(r#"{"name":"himmelblau","a":1}"#)
        .expect_err("unknown field in a parameterless function")
        .to_string();
    assert!(err.contains("unknown field `a`"), "{err}");

    let err = serde_json::from_str::<ProblemConfig>(r#"{"name":"rosenbrok"}"#).expect_err("unknown name").to_string();
    assert!(err.contains("unknown variant `rosenbrok`"), "{err}");
    for name in ["quadratic", "rosenbrock", "mccormick", "three_hump_camel", "logreg"] {
        assert!(err.contains(&format!("`{name}`")), "{err}");
    }

    let err =
        serde_json::from_str::<ProblemConfig>(r#"{"name":"linreg","data":{"x":[1],"y":[2],"generator":"numpy"}}"#)
            .expect_err("unknown data field")
            .to_string();
    assert!(err.contains("unknown field `generator`"), "{err}");

    assert!(serde_json::from_str::<ProblemConfig>(r#"{"name":"rastrigin","a":5}"#).is_err());
}

#[test]
fn serde_defaults_and_round_trip() {
    assert_eq!(config(json!({"name": "quadratic"})), ProblemConfig::Quadratic { a: 1.0, b: 10.0 });
    assert_eq!(config(json!({"name": "rosenbrock", "a": 2})), ProblemConfig::Rosenbrock { a: 2.0, b: 100.0 });
    assert_eq!(config(json!({"name": "rastrigin"})), ProblemConfig::Rastrigin { a: 10.0 });
    assert_eq!(config(json!({"name": "ackley"})), ProblemConfig::Ackley { a: 20.0, b: 0.2, c: 2.0 * PI });
    let lin = config(json!({"name": "linreg", "data": {"x": [1, 2], "y": [3, 4]}}));
    assert_eq!(
        lin,
        ProblemConfig::Linreg { data: LinregData { x: vec![1.0, 2.0], y: vec![3.0, 4.0] }, l1: 0.0, l2: 0.0 }
    );
    assert_eq!(lin.dim(), 2);
    let log = config(json!({"name": "logreg", "data": {"x": [[1, 2]], "y": [1]}, "l2": 0.1}));
    assert_eq!(log.dim(), 3);
    assert_eq!(log.build().dim(), 3);
    for cfg in landscapes().into_iter().chain([lin, log]) {
        let text = serde_json::to_string(&cfg).expect("serialize");
        let back: ProblemConfig = serde_json::from_str(&text).expect("deserialize");
        assert_eq!(back, cfg);
        assert_eq!(cfg.dim(), cfg.build().dim());
        let p = cfg.build();
        assert!(!p.display_name().is_empty());
        // The 2-D functions have an "f(x,y) = ..." formula and a view box; the models neither.
        assert_eq!(p.formula().starts_with("f(x,y) ="), p.view_box().is_some(), "{cfg:?}");
    }
    let text = serde_json::to_string(&ProblemConfig::Rastrigin { a: 3.0 }).expect("serialize");
    assert_eq!(text, r#"{"name":"rastrigin","A":3.0}"#);
    let minimum = &config(json!({"name": "three_hump_camel"})).build().known_minima()[1];
    let text = serde_json::to_value(minimum).expect("serialize");
    assert_eq!(text["kind"], "local");
}

/// The number in `v`, or `None` for the strings "nan", "inf" and "-inf".
fn number(v: &Value) -> Option<f64> {
    v.as_f64()
}

#[test]
fn reference_case_problems_parse_and_match_pytorch() {
    let mut dir: Vec<PathBuf> = std::fs::read_dir(reference_dir().join("cases"))
        .expect("cases directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    dir.sort();
    assert!(dir.len() >= 80);
    let mut compared = 0usize;
    for path in &dir {
        let case = read_json(path);
        let mut problem = case["problem"].clone();
        let formula = problem["formula"].as_str().expect("formula").to_string();
        let obj = problem.as_object_mut().expect("problem object");
        for key in ["formula", "key", "kappa", "penalised_params"] {
            obj.remove(key);
        }
        if let Some(data) = obj.get_mut("data").and_then(Value::as_object_mut) {
            data.remove("generator");
        }
        let cfg: ProblemConfig = serde_json::from_value(problem.clone()).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        let mut v = Validator::new();
        cfg.validate("problem", &mut v);
        assert!(v.is_empty(), "{path:?}: {v:?}");
        let p = cfg.build();
        assert_eq!(p.formula(), formula, "{path:?}");

        let x0: Vec<f64> = case["x0"].as_array().expect("x0").iter().map(|v| v.as_f64().expect("x0 number")).collect();
        assert_eq!(x0.len(), p.dim(), "{path:?}");
        let loss0 = case["loss"][0].as_f64().expect("loss[0]");
        let ours = p.loss(&x0);
        assert!((ours - loss0).abs() <= 1e-12 * loss0.abs(), "{path:?}: loss(x0) = {ours} vs {loss0}");

        // Along the whole PyTorch trajectory, our loss and gradient agree to 1e-9 (mixed).
        let params = case["params"].as_array().expect("params");
        let grads = case["grad"].as_array().expect("grad");
        let losses = case["loss"].as_array().expect("loss");
        for (t, w) in params.iter().enumerate().take(grads.len()) {
            let w: Option<Vec<f64>> = w.as_array().expect("params[t]").iter().map(number).collect();
            let Some(w) = w else { continue };
            let mut g = vec![0.0; p.dim()];
            let f = p.loss_grad(&w, &mut g);
            if let Some(f_ref) = number(&losses[t]) {
                assert!(close(f, f_ref, 1e-9), "{path:?} t={t}: loss {f} vs {f_ref}");
            }
            for (i, gi) in g.iter().enumerate() {
                if let Some(g_ref) = number(&grads[t][i]) {
                    assert!(close(*gi, g_ref, 1e-9), "{path:?} t={t}: grad[{i}] {gi} vs {g_ref}");
                }
            }
            compared += 1;
        }
    }
    assert!(compared > 10_000, "{compared}");
}
