//! TensorFlow Playground's own classifier as a config: the tanh output with the squared loss on
//! the labels -1/+1, Playground's initialisation, a fixed example order and the data in
//! Playground's units. Validation messages, a hand-computed forward and backward pass, the
//! initial draws, the order of the examples, the data scale and the URL round trip.

use convergence::bench::mlp_spiral_tf;
use convergence::config::{urlstate, Experiment};
use convergence::data::{DataConfig, Dataset, Rng, Task};
use convergence::model::{
    Activation, Head, Init, Loss, Model, ModelConfig, OutputActivation, Regularization, PLAYGROUND_BIAS,
    PLAYGROUND_WEIGHT_RANGE,
};
use convergence::problem::{Problem, STREAM_INIT};
use convergence::run::session::Session;

/// The messages of a config that must not validate.
fn errors(json: &str) -> Vec<String> {
    match Experiment::from_json(json) {
        Ok(_) => Vec::new(),
        Err(e) => e.to_string().lines().map(str::to_owned).collect(),
    }
}

/// A model experiment on `data` with `model` and extra training fields.
fn model_json(data: &str, model: &str, extra: &str) -> String {
    format!(
        r#"{{"problem": {{"name": "model", "data": {data}, "model": {model}{extra}}},
           "runs": [{{"label": "sgd", "optimizer": {{"name": "SGD", "lr": 0.01}}}}]}}"#
    )
}

#[test]
fn the_tanh_output_is_rejected_on_regression_data_with_its_path() {
    let json = model_json(r#"{"name": "sine"}"#, r#"{"name": "mlp", "output": "tanh"}"#, "");
    let messages = errors(&json);
    assert!(
        messages.iter().any(|m| m.contains("problem.model.output: tanh is a classification output")),
        "{messages:?}"
    );
}

#[test]
fn cross_entropy_with_the_tanh_output_is_rejected_with_its_path() {
    let json =
        model_json(r#"{"name": "spiral"}"#, r#"{"name": "mlp", "output": "tanh"}"#, r#", "loss": "cross_entropy""#);
    let messages = errors(&json);
    assert!(messages.iter().any(|m| m.contains("problem.loss: cross_entropy needs the linear output")), "{messages:?}");
}

#[test]
fn unknown_output_and_init_names_are_rejected() {
    let json = model_json(r#"{"name": "spiral"}"#, r#"{"name": "mlp", "output": "softmax"}"#, "");
    let messages = errors(&json);
    assert!(messages.iter().any(|m| m.contains("output") && m.contains("softmax")), "{messages:?}");
    let json = model_json(r#"{"name": "spiral"}"#, r#"{"name": "mlp", "init": "zeros"}"#, "");
    let messages = errors(&json);
    assert!(messages.iter().any(|m| m.contains("init") && m.contains("zeros")), "{messages:?}");
    let json = model_json(r#"{"name": "spiral"}"#, r#"{"name": "mlp"}"#, r#", "shuffle": 1"#);
    assert!(!errors(&json).is_empty());
}

#[test]
fn a_data_scale_outside_its_range_is_rejected_with_its_path() {
    for (scale, bad) in [("0", true), ("-1", true), ("100.5", true), ("5", false), ("100", false)] {
        let json = model_json(&format!(r#"{{"name": "spiral", "scale": {scale}}}"#), r#"{"name": "mlp"}"#, "");
        let messages = errors(&json);
        let named = messages.iter().any(|m| m.contains("problem.data.scale: must be in (0, 100]"));
        assert_eq!(named, bad, "scale {scale}: {messages:?}");
    }
}

#[test]
fn defaults_leave_existing_configs_unchanged() {
    let config: ModelConfig = serde_json::from_str(r#"{"name": "mlp"}"#).unwrap();
    let ModelConfig::Mlp { output, init, .. } = config else { panic!("not an mlp") };
    assert_eq!((output, init), (OutputActivation::Linear, Init::GlorotHe));
    let data: DataConfig = serde_json::from_str(r#"{"name": "spiral"}"#).unwrap();
    assert_eq!(data.generate(3), DataConfig::Spiral { n: 200, noise: 0.0, label_noise: 0.0, scale: 1.0 }.generate(3));
    let model = Model::new(&config, 2, Task::Classification, &Regularization::default());
    assert_eq!((model.head(), model.loss_function()), (Head::Logit, Loss::CrossEntropy));
}

#[test]
fn forward_and_backward_of_the_tanh_output_match_a_hand_computation() {
    let config = ModelConfig::Mlp {
        hidden: vec![1],
        activation: Activation::Tanh,
        output: OutputActivation::Tanh,
        init: Init::GlorotHe,
    };
    let model = Model::new(&config, 2, Task::Classification, &Regularization::default());
    assert_eq!((model.head(), model.loss_function(), model.num_params()), (Head::Tanh, Loss::Mse, 5));
    let data = Dataset { inputs: vec![0.7, -1.3], targets: vec![0.0], input_dim: 2, task: Task::Classification };
    let w = [0.4, -0.25, 0.1, 1.5, -1.2];
    let (x0, x1) = (0.7f64, -1.3f64);
    // Forward: h = tanh(b0 + x0 W00 + x1 W10), a = tanh(b1 + h W1), the label 0 is t = -1.
    let h = (0.1 + x0 * 0.4 + x1 * -0.25).tanh();
    let a = (-1.2 + h * 1.5).tanh();
    let t = -1.0;
    let loss = (a - t) * (a - t);
    // Backward: dl/dz = 2 (a - t)(1 - a^2), then through W1 and the hidden tanh.
    let dz = 2.0 * (a - t) * (1.0 - a * a);
    let dpre = dz * 1.5 * (1.0 - h * h);
    let expected = [dpre * x0, dpre * x1, dpre, dz * h, dz];
    let mut g = [0.0; 5];
    let got = model.loss_grad(&w, &data, &[0], &mut g, None);
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-14 * y.abs().max(1.0);
    assert!(close(got, loss), "loss {got} vs {loss}");
    for (k, (&gk, &ek)) in g.iter().zip(&expected).enumerate() {
        assert!(close(gk, ek), "gradient {k}: {gk} vs {ek}");
    }
    // The evaluation reads the same output: loss, class (a >= 0 is class 1) and shown score.
    assert!(close(model.data_loss(&w, &data), loss));
    assert!(a < 0.0);
    assert_eq!(model.accuracy(&w, &data), 1.0);
    assert!(close(model.predict(&w, &[x0, x1]), 0.5 * (a + 1.0)));
    let class1 = Dataset { targets: vec![1.0], ..data };
    assert_eq!(model.accuracy(&w, &class1), 0.0);
    assert!(close(model.data_loss(&w, &class1), (a - 1.0) * (a - 1.0)));
}

#[test]
fn playground_init_draws_uniform_weights_and_sets_every_bias_to_a_tenth() {
    let experiment = mlp_spiral_tf();
    let session = Session::new(experiment);
    let Problem::Model(problem) = session.problem() else { panic!("not a model problem") };
    let w = problem.initial_weights();
    // Widths 2, 8, 8, 8, 1: each layer's weights, then its biases.
    let widths = [2usize, 8, 8, 8, 1];
    let mut rng = Rng::new(1, STREAM_INIT);
    let mut at = 0;
    for pair in widths.windows(2) {
        for _ in 0..pair[0] * pair[1] {
            let expected = rng.uniform() - PLAYGROUND_WEIGHT_RANGE;
            assert_eq!(w[at].to_bits(), expected.to_bits(), "weight {at}");
            assert!((-0.5..0.5).contains(&w[at]));
            at += 1;
        }
        for _ in 0..pair[1] {
            assert_eq!(w[at], PLAYGROUND_BIAS, "bias {at}");
            at += 1;
        }
    }
    assert_eq!(at, w.len());
}

/// The spiral of `mlp_spiral_tf` with `shuffle` and a small step budget.
fn playground_session(shuffle: bool, steps: u64) -> Session {
    let mut experiment = mlp_spiral_tf();
    if let convergence::problem::ProblemConfig::Model(training) = &mut experiment.problem {
        training.shuffle = shuffle;
    }
    experiment.stop.max_steps = steps;
    Session::new(experiment)
}

#[test]
fn without_shuffle_every_epoch_visits_the_training_set_in_its_own_order() {
    // Two epochs of 25 batches of 10, replayed by hand: batch k is rows 10k..10k+10 each epoch.
    let mut session = playground_session(false, 50);
    session.step(50);
    let Problem::Model(problem) = session.problem() else { panic!("not a model problem") };
    let mut w = problem.initial_weights();
    let mut g = vec![0.0; w.len()];
    let lr = 0.015;
    for _epoch in 0..2 {
        for k in 0..25u32 {
            let batch: Vec<u32> = (10 * k..10 * k + 10).collect();
            problem.model.loss_grad(&w, &problem.train, &batch, &mut g, None);
            for (p, gk) in w.iter_mut().zip(&g) {
                *p += -lr * gk;
            }
        }
    }
    let got = session.runs()[0].params();
    assert!(w.iter().zip(got).all(|(a, b)| a.to_bits() == b.to_bits()), "the fixed order was not followed");
    // With reshuffling the same steps end elsewhere.
    let mut shuffled = playground_session(true, 50);
    shuffled.step(50);
    assert_ne!(shuffled.runs()[0].params(), got);
}

#[test]
fn the_data_scale_multiplies_every_coordinate_and_keeps_the_labels() {
    let unit = DataConfig::Spiral { n: 300, noise: 0.1, label_noise: 0.05, scale: 1.0 }.generate(7);
    let five = DataConfig::Spiral { n: 300, noise: 0.1, label_noise: 0.05, scale: 5.0 }.generate(7);
    assert_eq!(unit.targets, five.targets);
    assert!(unit.inputs.iter().zip(&five.inputs).all(|(u, f)| (u * 5.0).to_bits() == f.to_bits()));
    // Playground's spiral reaches radius 5.
    let radius = five.inputs.chunks(2).map(|p| p[0].hypot(p[1])).fold(0.0, f64::max);
    assert!(radius > 4.5 && radius < 5.5, "radius {radius}");
}

#[test]
fn the_playground_experiment_travels_through_the_link() {
    let experiment = mlp_spiral_tf();
    let hash = urlstate::encode(&experiment);
    for part in ["output=tanh", "init=tf_playground", "shuffle=false", "scale=5"] {
        assert!(hash.contains(part), "{part} missing from {hash}");
    }
    assert_eq!(urlstate::decode(&hash).unwrap(), experiment);
}

#[test]
fn playground_training_learns_the_spiral() {
    // Playground's task is learnable with its settings: after 300 epochs the squared loss has
    // fallen and most training points are on the right side (a sign error in the -1/+1 targets
    // would push the accuracy below one half).
    let mut session = playground_session(false, 300 * 25);
    let Problem::Model(problem) = session.problem() else { panic!("not a model problem") };
    let before = problem.model.data_loss(&problem.initial_weights(), &problem.train);
    session.step(300 * 25);
    let Problem::Model(problem) = session.problem() else { panic!("not a model problem") };
    let w = session.runs()[0].params();
    let (after, accuracy) = (problem.model.data_loss(w, &problem.train), problem.model.accuracy(w, &problem.train));
    assert!(after < 0.9 * before, "loss {before} -> {after}");
    assert!(accuracy > 0.6, "accuracy {accuracy}");
}
