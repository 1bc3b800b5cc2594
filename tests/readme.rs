//! The README's model example trains as the README says it does: its JSON block is read from
//! the README itself, run to its end, and the numbers the text quotes are checked, so that the
//! example cannot drift from the engine.

use convergence::run::session::Session;

/// The JSON block that follows "A model trained on data is a problem too" in the README.
fn model_example() -> String {
    let readme = include_str!("../README.md");
    let after = readme.split("A model trained on data is a problem too").nth(1).expect("the example's lead-in");
    let block = after.split("```json").nth(1).expect("a json block");
    block.split("```").next().expect("the block's end").to_string()
}

#[test]
fn the_readme_model_example_early_stops_where_the_readme_says() {
    let mut session = Session::from_json(&model_example()).expect("the README's example is a valid config");
    session.step(1_000_000);
    let snapshot = session.snapshot();
    let run = &snapshot.runs[0];
    assert_eq!(run.status.state, "early_stopped");
    assert_eq!(run.status.criterion, Some("early_stopping"));
    assert_eq!(run.status.at_step, Some(8350));
    let training = run.training.as_ref().expect("a model run has a training part");
    assert_eq!(training.best_step, Some(7100));
    let percent = |x: f64| (1000.0 * x).round() / 10.0;
    assert_eq!(percent(training.train_accuracy.0), 95.6);
    assert_eq!(percent(training.validation_accuracy.0), 90.0);
    let readme = include_str!("../README.md");
    for quoted in ["step 8350", "step 7100", "95.6 % training", "90 % validation"] {
        assert!(readme.contains(quoted), "the README quotes {quoted}");
    }
}
