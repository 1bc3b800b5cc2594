//! Critical points: classification of clicked points with their basins, and every critical
//! point of a view found by Newton's method from a grid of seeds, against known answers.

use convergence::analysis::critical::{classify_point, CriticalSearch, PointKind};
use convergence::problem::{Problem, ProblemConfig};

fn search(problem: &Problem, side: usize) -> Vec<convergence::analysis::critical::CriticalPoint> {
    let view = problem.view_box().unwrap_or_else(|| panic!("a landscape has a view"));
    let mut s = CriticalSearch::new(problem, view, side).unwrap_or_else(|e| panic!("{e}"));
    let mut chunks = 0;
    while !s.advance(7) {
        chunks += 1;
        assert!(s.progress() > 0.0 && s.progress() < 1.0);
    }
    assert!(chunks > 1, "the search should take several chunks");
    assert_eq!(s.progress(), 1.0);
    s.result()
}

fn count(points: &[convergence::analysis::critical::CriticalPoint], kind: PointKind) -> usize {
    points.iter().filter(|p| p.kind == kind).count()
}

#[test]
fn himmelblau_has_four_minima_four_saddles_and_one_maximum() {
    let problem = ProblemConfig::Himmelblau {}.build();
    let points = search(&problem, 20);
    let kinds: Vec<_> = points.iter().map(|p| (p.kind, p.x)).collect();
    assert_eq!(points.len(), 9, "{kinds:?}");
    assert_eq!(count(&points, PointKind::Minimum), 4, "{kinds:?}");
    assert_eq!(count(&points, PointKind::Saddle), 4, "{kinds:?}");
    assert_eq!(count(&points, PointKind::Maximum), 1, "{kinds:?}");
    // The local maximum is at (-0.270845, -0.923039), f = 181.617 (Himmelblau 1972).
    let max = points.iter().find(|p| p.kind == PointKind::Maximum).map(|p| (p.x, p.value));
    let Some((x, f)) = max else { panic!("no maximum") };
    assert!((x[0] + 0.270845).abs() < 1e-6 && (x[1] + 0.923039).abs() < 1e-6, "{x:?}");
    assert!((f - 181.617).abs() < 1e-3, "{f}");
    // Every known minimum is among the minima found.
    for m in problem.known_minima() {
        assert!(points
            .iter()
            .any(|p| p.kind == PointKind::Minimum && (p.x[0] - m.x[0]).abs() < 1e-8 && (p.x[1] - m.x[1]).abs() < 1e-8));
    }
}

#[test]
fn six_hump_camel_has_six_minima_seven_saddles_and_two_maxima() {
    // Its 15 critical points (e.g. Dixon and Szego, "Towards Global Optimisation 2", 1978):
    // two global and four local minima, two maxima and seven saddles.
    let problem = ProblemConfig::SixHumpCamel {}.build();
    let points = search(&problem, 30);
    let kinds: Vec<_> = points.iter().map(|p| (p.kind, p.x, p.value)).collect();
    assert_eq!(count(&points, PointKind::Minimum), 6, "{kinds:?}");
    assert_eq!(count(&points, PointKind::Saddle), 7, "{kinds:?}");
    assert_eq!(count(&points, PointKind::Maximum), 2, "{kinds:?}");
    assert_eq!(points.len(), 15, "{kinds:?}");
    // The two global minima, f = -1.0316 at (+-0.0898, -+0.7126), come first.
    for p in &points[..2] {
        assert!((p.value + 1.031_628_453).abs() < 1e-8, "{kinds:?}");
        assert!((p.x[0].abs() - 0.089_842).abs() < 1e-5 && (p.x[1].abs() - 0.712_656).abs() < 1e-5);
    }
}

#[test]
fn a_clicked_point_names_the_minimum_whose_basin_holds_it() {
    let problem = ProblemConfig::Himmelblau {}.build();
    let view = problem.view_box().unwrap_or_else(|| panic!("a view"));
    let minima = problem.known_minima();
    assert_eq!(minima.len(), 4);
    // A point near each minimum, and a point on a slope, each in one quadrant's basin.
    for (i, m) in minima.iter().enumerate() {
        let near = [m.x[0] * 0.9, m.x[1] * 0.9];
        let report = classify_point(&problem, near, &view).unwrap_or_else(|| panic!("2-D"));
        assert_eq!(report.basin, Some(i), "{report:?}");
        assert!(!report.critical);
        let at = classify_point(&problem, m.x, &view).unwrap_or_else(|| panic!("2-D"));
        assert!(at.critical && at.kind == PointKind::Minimum && at.basin == Some(i), "{at:?}");
    }
    // The maximum is critical and flows nowhere (its gradient is zero): no basin.
    let top = classify_point(&problem, [-0.270_844_59, -0.923_038_71], &view).unwrap_or_else(|| panic!("2-D"));
    assert_eq!(top.kind, PointKind::Maximum);
    assert!(top.critical, "{top:?}");
    assert_eq!(top.basin, None);
    // A saddle of the plain saddle x^2 - y^2 is named as such, with no basin (f is unbounded).
    let saddle = ProblemConfig::Saddle {}.build();
    let r = classify_point(&saddle, [0.0, 0.0], &view).unwrap_or_else(|| panic!("2-D"));
    assert_eq!((r.kind, r.critical, r.basin), (PointKind::Saddle, true, None));
}

#[test]
fn degenerate_points_and_typed_functions_are_found_too() {
    // f = x^4 + y^2 has one degenerate minimum at the origin (the Hessian is diag(0, 2)); f =
    // x^3 - 3xy^2 (the monkey saddle) has a degenerate point with a zero Hessian.
    for (text, kind) in [("x^4 + y^2", PointKind::Degenerate), ("x^3 - 3*x*y^2", PointKind::Degenerate)] {
        let problem = ProblemConfig::Custom { f: text.into() }.build();
        let points = search(&problem, 8);
        assert_eq!(points.len(), 1, "{text}: {points:?}");
        assert_eq!(points[0].kind, kind, "{text}");
        assert!(points[0].x.iter().all(|c| c.abs() < 1e-6), "{text}: {points:?}");
    }
    let problem = ProblemConfig::Custom { f: "sin(x)*cos(y)".into() }.build();
    let points = search(&problem, 16);
    // In [-5, 5]^2: sin x cos y has critical points where cos x cos y = 0 and sin x sin y = 0,
    // i.e. (k pi, pi/2 + l pi) saddles (3 x 4 = 12) and (pi/2 + k pi, l pi) extrema (4 x 3 = 12).
    assert_eq!(count(&points, PointKind::Saddle), 12, "{points:?}");
    assert_eq!(count(&points, PointKind::Minimum) + count(&points, PointKind::Maximum), 12);
}

#[test]
fn bad_searches_are_refused() {
    let problem = ProblemConfig::Himmelblau {}.build();
    let view = problem.view_box().unwrap_or_else(|| panic!("a view"));
    assert!(CriticalSearch::new(&problem, view, 0).is_err());
    assert!(CriticalSearch::new(&problem, view, 65).is_err());
    let data = convergence::problem::LogregData { x: vec![[1.0, 2.0], [0.5, -1.0]], y: vec![1.0, 0.0] };
    let logreg = ProblemConfig::Logreg { data, l1: 0.0, l2: 0.0 }.build();
    assert!(CriticalSearch::new(&logreg, view, 4).is_err());
    assert!(classify_point(&logreg, [0.0, 0.0], &view).is_none());
}
