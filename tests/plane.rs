//! The real model's loss plane (`analysis::plane`): filter-normalised random directions, the
//! principal directions of a trajectory, the grid and the projected path, against known answers.

use convergence::analysis::job::{AnalysisJob, AnalysisKind};
use convergence::analysis::plane::directions::{dot, filter_normalised, filter_norms, filters, principal, Basis};
use convergence::analysis::plane::{LossPlane, PlaneDirections};
use convergence::analysis::section::analyse;
use convergence::config::Experiment;
use convergence::data::Rng;
use serde_json::{json, Value};

/// A small MLP on moons, trained with minibatch SGD.
fn experiment(hidden: Value, max_steps: u64) -> Experiment {
    let config = json!({"seed": 5, "problem": {"name": "model", "data": {"name": "moons", "n": 80, "noise": 0.1},
        "model": {"name": "mlp", "hidden": hidden, "activation": "tanh"}, "batch_size": 10},
        "runs": [{"label": "sgd", "optimizer": {"name": "SGD", "lr": 0.2}}],
        "stop": {"max_steps": max_steps, "loss_plateau": null, "param_change": null}});
    Experiment::from_json(&config.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

fn plane(e: &Experiment, directions: &str, side: usize) -> LossPlane {
    LossPlane::new(e, 0, directions, side, Some(1.0), None).unwrap_or_else(|err| panic!("{err}"))
}

#[test]
fn the_filters_cover_every_weight_once_and_the_biases_apart() {
    // Widths 2 -> 3 -> 4 -> 1: kernels 2x3, 3x4, 4x1 and biases 3, 4, 1.
    let (filters, biases) = filters(&[2, 3, 4, 1]);
    assert_eq!(filters.len(), 3 + 4 + 1);
    let mut seen = vec![0; 2 * 3 + 3 + 3 * 4 + 4 + 4 + 1];
    for f in &filters {
        for k in f.indices() {
            seen[k] += 1;
        }
    }
    for &k in &biases {
        seen[k] += 10;
    }
    assert!(seen.iter().all(|&n| n == 1 || n == 10), "{seen:?}");
    // Unit 1 of the first layer: W[0, 1] and W[1, 1] of the row-major 2x3 kernel.
    assert_eq!(filters[1].indices().collect::<Vec<_>>(), vec![1, 4]);
    assert_eq!(biases[..3], [6, 7, 8]);
}

#[test]
fn filter_normalised_directions_have_the_weights_filter_norms_and_no_bias() {
    let widths = [2, 5, 3, 1];
    let mut rng = Rng::new(9, 1);
    let dim = 2 * 5 + 5 + 5 * 3 + 3 + 3 + 1;
    let w: Vec<f64> = (0..dim).map(|_| 3.0 * rng.normal()).collect();
    let d = filter_normalised(&w, &widths, &mut Rng::new(1, 14));
    let (filters, biases) = filters(&widths);
    for (got, want) in filter_norms(&d, &filters).iter().zip(filter_norms(&w, &filters)) {
        assert!((got - want).abs() <= 1e-12 * want, "filter norm {got} against {want}");
    }
    assert!(biases.iter().all(|&k| d[k] == 0.0));
    // Two draws are two different directions.
    let mut rng = Rng::new(1, 14);
    let (a, b) = (filter_normalised(&w, &widths, &mut rng), filter_normalised(&w, &widths, &mut rng));
    assert!(dot(&a, &b).abs() < 0.9 * dot(&a, &a));
}

#[test]
fn a_trajectory_along_one_line_has_that_line_as_its_first_direction() {
    let u = [3.0, -4.0, 0.0, 12.0]; // norm 13
    let rows: Vec<Vec<f64>> = (1..=6).map(|t| u.iter().map(|x| x * f64::from(t) * 0.5).collect()).collect();
    let p = principal(&rows, &mut Rng::new(2, 14)).unwrap_or_else(|| panic!("a moving path has directions"));
    let cosine = dot(&p.d1, &u) / 13.0;
    assert!((cosine.abs() - 1.0).abs() < 1e-12, "cosine {cosine}");
    assert!((dot(&p.d1, &p.d1) - 1.0).abs() < 1e-12 && (dot(&p.d2, &p.d2) - 1.0).abs() < 1e-12);
    assert!(dot(&p.d1, &p.d2).abs() < 1e-12);
    assert!((p.explained[0] - 1.0).abs() < 1e-12 && p.explained[1] == 0.0, "{:?}", p.explained);
}

#[test]
fn a_planar_trajectory_lies_in_its_principal_plane() {
    // A spiral in the plane of u and v inside R^5, longer along u: the directions span that
    // plane, are orthonormal, and explain everything, the first more than the second.
    let (u, v) = ([1.0, 0.0, 2.0, 0.0, -1.0], [0.0, 1.0, 0.0, 1.0, 0.0]);
    let rows: Vec<Vec<f64>> = (0..40)
        .map(|t| {
            let s = f64::from(t) * 0.3;
            let (a, b) = (3.0 * s.cos() * (1.0 - s / 12.0), s.sin() * (1.0 - s / 12.0));
            (0..5).map(|k| a * u[k] + b * v[k]).collect()
        })
        .collect();
    let p = principal(&rows, &mut Rng::new(3, 14)).unwrap_or_else(|| panic!("directions"));
    assert!(dot(&p.d1, &p.d2).abs() < 1e-12);
    for d in [&p.d1, &p.d2] {
        assert!((dot(d, d) - 1.0).abs() < 1e-12);
        // Nothing of d sticks out of span(u, v): its part orthogonal to both is zero.
        let (uu, vv) = (dot(&u, &u), dot(&v, &v));
        let rest: Vec<f64> = (0..5).map(|k| d[k] - dot(d, &u) / uu * u[k] - dot(d, &v) / vv * v[k]).collect();
        assert!(dot(&rest, &rest) < 1e-20, "{rest:?}");
    }
    assert!((p.explained[0] + p.explained[1] - 1.0).abs() < 1e-12 && p.explained[0] > p.explained[1]);
    // Least-squares coordinates in an orthonormal basis are the dot products.
    let basis = Basis::new(p.d1.clone(), p.d2.clone());
    let (alpha, beta) = basis.coordinates(&rows[7]);
    assert!((alpha - dot(&rows[7], &p.d1)).abs() < 1e-12 && (beta - dot(&rows[7], &p.d2)).abs() < 1e-12);
    assert!(principal(&[vec![0.0; 5], vec![0.0; 5]], &mut Rng::new(3, 14)).is_none());
}

#[test]
fn the_grid_centre_is_the_loss_at_the_trained_weights_and_the_path_ends_there() {
    let e = experiment(json!([6, 4]), 300);
    for directions in ["random", "pca"] {
        let mut p = plane(&e, directions, 9);
        assert!(p.result().values.is_empty() && p.result().step.is_none());
        while !p.advance(50) {}
        let r = p.result();
        assert_eq!(r.values.len(), 81);
        assert_eq!(r.step, Some(300));
        let w = p.centre().unwrap_or_else(|| panic!("trained")).to_vec();
        let loss = p.training_problem().map(|m| m.loss(&w)).unwrap_or(f64::NAN);
        assert_eq!(r.values[4 * 9 + 4].to_bits(), loss.to_bits(), "{directions}: the centre is L(w) exactly");
        // A corner is L(w - d1 + d2) (the top row is beta = span).
        let (d1, d2) = p.directions().unwrap_or_else(|| panic!("trained"));
        let corner: Vec<f64> = (0..w.len()).map(|k| w[k] - d1[k] + d2[k]).collect();
        let corner_loss = p.training_problem().map(|m| m.loss(&corner)).unwrap_or(f64::NAN);
        assert_eq!(r.values[0].to_bits(), corner_loss.to_bits());
        assert_eq!(r.path.last(), Some(&[0.0, 0.0]));
        assert_eq!(r.path_steps.first(), Some(&0));
        assert_eq!(r.path_steps.last(), Some(&300));
        assert_eq!(r.path.len(), r.path_steps.len());
        let captured = r.captured.unwrap_or(f64::NAN);
        assert!((0.0..=1.0).contains(&captured), "{captured}");
        // The lowest grid point is no higher than the centre.
        let lowest = r.lowest.unwrap_or([f64::NAN; 3]);
        assert!(lowest[2] <= loss && r.values.iter().all(|v| *v >= lowest[2]));
        // A trained network sits in a valley of the plane: the centre is below the mean.
        let mean = r.values.iter().sum::<f64>() / 81.0;
        assert!(loss < mean, "{directions}: centre {loss}, mean {mean}");
        if directions == "pca" {
            let [a, b] = r.explained.unwrap_or([f64::NAN; 2]);
            assert!(a >= b && b >= 0.0 && a + b <= 1.0 + 1e-12);
            // For orthonormal principal directions the plane holds exactly what they explain.
            assert!((captured - (a + b)).abs() < 1e-9, "captured {captured}, explained {a} + {b}");
            // Gradient descent's path is mostly along its first principal direction.
            assert!(a > 0.5, "first direction explains {a}");
        } else {
            assert!(r.explained.is_none() && r.note.is_none());
        }
    }
}

#[test]
fn a_plane_in_small_chunks_equals_one_call_and_the_job_of_converge_analyse() {
    let mut e = experiment(json!([5]), 200);
    e.analysis = serde_json::from_value(json!({"loss_plane": {"directions": "pca", "side": 7, "span": 0.5}}))
        .unwrap_or_else(|err| panic!("{err}"));
    let mut whole = LossPlane::new(&e, 0, "pca", 7, Some(0.5), None).unwrap_or_else(|err| panic!("{err}"));
    assert!(whole.advance(u64::MAX));
    let mut job = AnalysisJob::new(&e, AnalysisKind::LossPlane, None).unwrap_or_else(|err| panic!("{err}"));
    let (mut chunks, mut last) = (0, 0.0);
    while !job.advance(13) {
        chunks += 1;
        assert!(job.progress() >= last && job.progress() < 1.0);
        last = job.progress();
    }
    assert!(chunks > 10, "{chunks} chunks");
    assert_eq!(job.progress(), 1.0);
    assert_eq!(job.report().loss_plane.as_ref(), Some(&whole.result()));
    let report = analyse(&e).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(report.loss_plane, Some(whole.result()));
    assert_eq!(whole.result().span, Some(0.5));
    assert_eq!(whole.result().directions, PlaneDirections::Pca);
}

#[test]
fn a_given_step_puts_the_centre_at_the_weights_of_that_step() {
    let e = experiment(json!([4]), 300);
    let mut p = LossPlane::new(&e, 0, "random", 3, None, Some(120)).unwrap_or_else(|err| panic!("{err}"));
    p.advance(u64::MAX);
    let r = p.result();
    assert_eq!(r.step, Some(120));
    assert_eq!(r.path_steps.last(), Some(&120));
    assert_eq!(r.path.last(), Some(&[0.0, 0.0]));
}

#[test]
fn logistic_regression_moves_its_one_filter_and_never_its_bias() {
    let config = json!({"seed": 2, "problem": {"name": "model", "data": {"name": "gaussians", "n": 60},
        "model": {"name": "logistic"}}, "runs": [{"label": "gd", "optimizer": {"name": "SGD", "lr": 0.5}}],
        "stop": {"max_steps": 50}});
    let e = Experiment::from_json(&config.to_string()).unwrap_or_else(|err| panic!("{err}"));
    let mut p = plane(&e, "random", 5);
    p.advance(u64::MAX);
    // Two inputs, one unit: the one filter is (w1, w2), each direction a random vector of its
    // norm in that 2-D space, so the two are not parallel; the bias is never moved.
    let (d1, d2) = p.directions().unwrap_or_else(|| panic!("trained"));
    assert_eq!((d1[2], d2[2]), (0.0, 0.0));
    assert!(p.result().note.is_none(), "{:?}", p.result().note);
    // Three weights move; the principal plane holds most of the path.
    let mut pca = plane(&e, "pca", 5);
    pca.advance(u64::MAX);
    assert!(pca.result().captured.unwrap_or(0.0) > 0.9);
}

#[test]
fn a_single_weight_filter_gives_parallel_random_directions_and_the_result_says_so() {
    // Linear regression on one input: the one filter is the one weight w, so both directions
    // are +-|w| on it (and 0 on the bias): a line, not a plane.
    let config = json!({"seed": 2, "problem": {"name": "model", "data": {"name": "linear", "n": 40},
        "model": {"name": "linear"}}, "runs": [{"label": "gd", "optimizer": {"name": "SGD", "lr": 0.1}}],
        "stop": {"max_steps": 40}});
    let e = Experiment::from_json(&config.to_string()).unwrap_or_else(|err| panic!("{err}"));
    let mut p = plane(&e, "random", 3);
    p.advance(u64::MAX);
    let r = p.result();
    assert!(r.note.as_deref().is_some_and(|n| n.contains("parallel")), "{:?}", r.note);
    assert!(r.path.iter().all(|xy| xy[1] == 0.0 && xy[0].is_finite()));
    // The principal directions of the same run span a plane: the path moved w and b.
    let mut pca = plane(&e, "pca", 3);
    pca.advance(u64::MAX);
    assert!(pca.result().note.is_none());
}

#[test]
fn bad_settings_are_named_with_their_paths() {
    let e = experiment(json!([4]), 10);
    let message = |directions: &str, side: usize, span: f64, step: Option<u64>| {
        LossPlane::new(&e, 0, directions, side, Some(span), step).err().map(|err| err.to_string()).unwrap_or_default()
    };
    assert!(message("pca", 40, 1.0, None).contains("analysis.loss_plane.side: must be odd"));
    assert!(message("pca", 103, 1.0, None).contains("analysis.loss_plane.side"));
    assert!(message("hessian", 41, 1.0, None).contains("analysis.loss_plane.directions: must be one of random, pca"));
    assert!(message("random", 41, 0.0, None).contains("analysis.loss_plane.span"));
    assert!(message("random", 41, 1.0, Some(11)).contains("analysis.loss_plane.step"));
    assert!(
        LossPlane::new(&e, 1, "random", 41, None, None).is_err_and(|err| err.to_string().contains("loss_plane.run"))
    );
    let landscape = Experiment::from_json(
        &json!({"problem": {"name": "rosenbrock"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}]}).to_string(),
    )
    .unwrap_or_else(|err| panic!("{err}"));
    assert!(LossPlane::new(&landscape, 0, "random", 41, None, None).is_err());
    // The section is validated with the experiment, so a link with a bad plane is refused.
    let mut config: Value = serde_json::to_value(&e).unwrap_or(Value::Null);
    config["analysis"] = json!({"loss_plane": {"side": 4, "directions": "pca"}});
    let refused = Experiment::from_json(&config.to_string()).err().map(|err| err.to_string()).unwrap_or_default();
    assert!(refused.contains("analysis.loss_plane.side"), "{refused}");
    config["analysis"] = json!({"loss_plane": {"sides": 5}});
    assert!(Experiment::from_json(&config.to_string()).is_err());
}

#[test]
fn without_a_span_random_planes_take_the_weights_scale_and_principal_ones_the_whole_path() {
    let e = experiment(json!([6]), 200);
    let mut random = LossPlane::new(&e, 0, "random", 3, None, None).unwrap_or_else(|err| panic!("{err}"));
    random.advance(u64::MAX);
    assert_eq!(random.result().span, Some(1.0));
    let mut pca = LossPlane::new(&e, 0, "pca", 3, None, None).unwrap_or_else(|err| panic!("{err}"));
    assert_eq!(pca.result().span, None, "unknown before the path is");
    pca.advance(u64::MAX);
    let r = pca.result();
    let reach = r.path.iter().flatten().fold(0.0f64, |m, c| m.max(c.abs()));
    assert!(reach > 0.0);
    assert_eq!(r.span, Some(1.2 * reach));
}

#[test]
fn a_diverged_run_gets_a_plane_and_words_that_say_it_diverged() {
    let config = json!({"seed": 5, "problem": {"name": "model", "data": {"name": "moons", "n": 60},
        "model": {"name": "mlp", "hidden": [4], "activation": "relu"}},
        "runs": [{"label": "too fast", "optimizer": {"name": "SGD", "lr": 1e6}}], "stop": {"max_steps": 200}});
    let e = Experiment::from_json(&config.to_string()).unwrap_or_else(|err| panic!("{err}"));
    for directions in ["random", "pca"] {
        let mut p = plane(&e, directions, 3);
        p.advance(u64::MAX);
        let r = p.result();
        assert_eq!(r.values.len(), 9);
        let note = r.note.clone().unwrap_or_default();
        assert!(note.contains("diverged"), "{directions}: {note}");
        assert!(serde_json::to_string(&r).is_ok());
    }
}
