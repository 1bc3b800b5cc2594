//! The `Playground` wasm API in a real headless Chromium (wasm-bindgen-test): stepping,
//! reset and snapshots equal the native core's, and bad input comes back as a JsError.
#![cfg(target_arch = "wasm32")]

use convergence::run::session::Session;
use convergence::web::{validate_config, Playground};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The playground's snapshot, a JS object, as a JSON value.
fn snapshot(playground: &Playground) -> serde_json::Value {
    serde_wasm_bindgen::from_value(playground.snapshot().unwrap()).unwrap()
}

/// Equal values, every number to the bit (integers and floats alike, as JavaScript has one
/// number type).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().map(f64::to_bits) == y.as_f64().map(f64::to_bits),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Asserts that the playground's snapshot is the native one, bit for bit.
fn assert_same(playground: &Playground, native: &serde_json::Value) {
    let got = snapshot(playground);
    assert!(same(&got, native), "wasm {got}\nnative {native}");
}

const CONFIG: &str = r#"{"seed": 1, "problem": {"name": "rosenbrock"},
  "runs": [{"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01}},
           {"label": "lbfgs", "x0": [-1.5, 2.0], "optimizer": {"name": "LBFGS", "lr": 1, "max_iter": 1, "history_size": 10, "line_search_fn": "strong_wolfe"}},
           {"label": "nadam-cycled", "x0": [0.5, -0.5], "optimizer": {"name": "NAdam", "lr": 0.01},
            "schedule": {"name": "OneCycleLR", "max_lr": 0.05, "total_steps": 500}}],
  "stop": {"max_steps": 3000}}"#;

#[wasm_bindgen_test]
fn stepping_matches_the_native_core_bit_for_bit() {
    let mut playground = Playground::new(CONFIG).unwrap();
    let mut native = Session::from_json(CONFIG).unwrap();
    for _ in 0..7 {
        playground.step(123);
        native.step(123);
        assert_same(&playground, &convergence::json::to_value(&native.snapshot()));
    }
    playground.step(100_000);
    native.step(100_000);
    assert_same(&playground, &convergence::json::to_value(&native.snapshot()));
    assert!(!playground.any_running());
}

#[wasm_bindgen_test]
fn reset_reproduces_the_same_run() {
    let mut playground = Playground::new(CONFIG).unwrap();
    playground.step(500);
    let first = snapshot(&playground);
    playground.reset();
    assert_eq!(snapshot(&playground)["runs"][0]["step"], 0);
    playground.step(500);
    assert!(same(&snapshot(&playground), &first));
}

#[wasm_bindgen_test]
fn bad_config_is_a_js_error_naming_the_field_and_keeps_the_old_experiment() {
    let bad = CONFIG.replace("\"lr\": 0.01}}", "\"lr\": 0.01, \"betas\": [1.2, 0.999]}}");
    let error = Playground::new(&bad).err().expect("a bad config must be refused");
    let value: wasm_bindgen::JsValue = error.into();
    let message = value.dyn_into::<js_sys::Error>().unwrap().message();
    assert!(String::from(message).contains("runs[0].optimizer.betas[0]: must be in [0, 1), got 1.2"));
    assert!(validate_config(&bad).contains("runs[0].optimizer.betas[0]"));
    assert_eq!(validate_config(CONFIG), "");

    let mut playground = Playground::new(CONFIG).unwrap();
    playground.step(10);
    let before = snapshot(&playground);
    assert!(playground.set_config(&bad).is_err());
    assert!(same(&snapshot(&playground), &before));
    assert!(playground.set_config("{not json").is_err());
    playground.step(1);
    assert!(!same(&snapshot(&playground), &before));
}

#[wasm_bindgen_test]
fn reports_say_converged_at_a_global_minimum() {
    let config = r#"{"problem": {"name": "quadratic", "a": 1, "b": 10},
      "runs": [{"label": "gd", "x0": [3, 2], "optimizer": {"name": "SGD", "lr": 0.1}}]}"#;
    let mut playground = Playground::new(config).unwrap();
    playground.step(100_000);
    let report: serde_json::Value = serde_wasm_bindgen::from_value(playground.report().unwrap()).unwrap();
    let report = report.to_string();
    assert!(report.contains("converged at step"), "{report}");
    assert!(report.contains("global minimum"), "{report}");
}

#[wasm_bindgen_test]
fn wasm_snapshots_match_the_native_golden_file_bit_for_bit() {
    let configs: Vec<serde_json::Value> = serde_json::from_str(include_str!("golden/configs.json")).unwrap();
    let expected: Vec<&str> = include_str!("golden/snapshots.json").lines().collect();
    assert_eq!(configs.len(), expected.len());
    for (config, expected) in configs.iter().zip(expected) {
        let mut playground = Playground::new(&config.to_string()).unwrap();
        playground.step(u32::MAX);
        let expected: serde_json::Value = serde_json::from_str(expected).unwrap();
        assert_same(&playground, &expected);
    }
}

/// The wasm build computes tanh two lanes at a time in `predict_grid` (blocks of 8 points) and
/// one value at a time in `Activation::apply`; both must give the same bits everywhere,
/// including around every switch of the argument reduction and at the special values.
#[wasm_bindgen_test]
fn tanh_two_lanes_at_a_time_matches_one_value_at_a_time() {
    use convergence::data::Task;
    use convergence::model::{Activation, Model, ModelConfig, Regularization};
    let config = ModelConfig::Mlp {
        hidden: vec![1],
        activation: Activation::Tanh,
        output: Default::default(),
        init: Default::default(),
    };
    let model = Model::new(&config, 2, Task::Regression, &Regularization::default());
    // One hidden unit z = x (weights 1 and 0 from x and y, bias 0) and an output equal to it.
    let w = [1.0, 0.0, 0.0, 1.0, 0.0];
    let mut xs: Vec<f64> = (0..20_000).map(|i| -25.0 + i as f64 * 0.0025).collect();
    xs.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, 1e-300, -1e-300, 22.0, 23.0, 1e300]);
    let mut out = vec![0.0; xs.len()];
    model.predict_grid(&w, &xs, &[0.0], &mut out);
    let mut saturated = 0;
    for (&x, &grid) in xs.iter().zip(&out) {
        let scalar = Activation::Tanh.apply(x);
        assert!(
            grid.to_bits() == scalar.to_bits() || (grid.is_nan() && scalar.is_nan()),
            "tanh({x:e}): {grid:e} vs {scalar:e}"
        );
        saturated += usize::from(grid.abs() == 1.0);
    }
    assert!(saturated > 1_000, "the sweep reaches the saturated range ({saturated} points)");
}

/// `math::copy_into` keeps every bit (signed zeros, NaN payloads, subnormals) and copies the
/// shorter length, both element by element (short vectors, in wasm) and by `memory.copy`.
#[wasm_bindgen_test]
fn copy_into_keeps_every_bit_on_both_sides_of_the_short_length() {
    use convergence::math::{copy_into, SHORT_COPY};
    let special = [-0.0, f64::from_bits(0x7ff8_0000_0000_0001), 5e-324, -1.5];
    for n in [0, 1, 2, SHORT_COPY, SHORT_COPY + 1, 100] {
        let src: Vec<f64> = (0..n).map(|i| special[i % special.len()] * (1 + i / 4) as f64).collect();
        let mut dst = vec![7.0; n + 1];
        copy_into(&mut dst, &src);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&dst[..n]), bits(&src), "length {n}");
        assert_eq!(dst[n], 7.0, "length {n}: written past the source");
        let mut short = vec![7.0; n / 2];
        copy_into(&mut short, &src);
        assert_eq!(bits(&short), bits(&src[..n / 2]), "length {n} into {}", n / 2);
    }
}

/// Charts measure text with the canvas's own `measureText`: drawing every kind of chart (with
/// legends and axis labels) in a document without a `<body>` must work, where plotters' web
/// font module (DOM spans with `style` attributes) panicked.
#[wasm_bindgen_test]
fn charts_draw_without_touching_the_document() {
    let document = web_sys::window().unwrap().document().unwrap();
    let body = document.body().unwrap();
    let html = document.document_element().unwrap();
    html.remove_child(&body).unwrap();
    let canvas = |w: u32, h: u32| {
        let c: web_sys::HtmlCanvasElement = document.create_element("canvas").unwrap().dyn_into().unwrap();
        c.set_width(w);
        c.set_height(h);
        c
    };
    let mut playground = Playground::new(CONFIG).unwrap();
    playground.step(200);
    let mut results = Vec::new();
    results.push(playground.draw_landscape(canvas(300, 300), None, None, None).is_ok());
    results.push(playground.draw_landscape(canvas(300, 300), Some(0), Some(true), Some(3.0)).is_ok());
    for kind in ["loss", "lr", "grad_norm", "delta_norm"] {
        results.push(playground.draw_chart(canvas(400, 200), kind, r#"{"log_y": true}"#).is_ok());
    }
    let model = r#"{"seed": 2, "problem": {"name": "model", "data": {"name": "circle", "n": 100},
        "model": {"name": "mlp", "hidden": [4]}},
        "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": 0.03}}]}"#;
    let mut trained = Playground::new(model).unwrap();
    trained.step(50);
    results.push(trained.draw_model(canvas(300, 300), 0, None).is_ok());
    results.push(trained.draw_chart(canvas(400, 200), "train_val", "{}").is_ok());
    html.append_child(&body).unwrap();
    assert!(document.body().is_some());
    assert_eq!(results, vec![true; results.len()], "every chart draws");
}

/// A canvas twice as wide in pixels as in CSS (a 2x screen) is laid out in CSS pixels and
/// drawn through a 2x transform: the plot Rust reports spans the CSS width, and the step under
/// a CSS pixel is the step whose pixel Rust gives.
#[wasm_bindgen_test]
fn charts_are_laid_out_in_css_pixels_on_a_2x_canvas() {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas").unwrap().dyn_into().unwrap();
    canvas.set_width(600);
    canvas.set_height(300);
    canvas.set_attribute("style", "width: 300px; height: 150px; display: block").unwrap();
    document.body().unwrap().append_child(&canvas).unwrap();
    let mut playground = Playground::new(CONFIG).unwrap();
    playground.step(300);
    playground.draw_chart(canvas.clone(), "loss", r#"{"log_y": true}"#).unwrap();
    let layout: serde_json::Value = serde_json::from_str(&playground.chart_layout("loss")).unwrap();
    let right = layout["plot"][2].as_i64().unwrap();
    assert!((270..=300).contains(&right), "the plot ends within the 300 CSS px: {layout}");
    let x = playground.chart_pixel_of_step("loss", 150.0);
    assert!(x > 0.0 && x < 300.0, "step 150 at CSS x {x}");
    let step = playground.chart_step_at("loss", x);
    assert!((step - 150.0).abs() < 1e-6, "x {x} maps back to step {step}");
    assert!(playground.chart_step_at("loss", 1.0).is_nan(), "no step left of the plot");
    canvas.remove();
}
