//! `Session::work`: queued steps taken within a time budget (what the page's `el.step(n)` and
//! animation frames use) give the same numbers as `step(n)`, stop when the budget is spent,
//! and drop the steps of runs that have stopped.

use std::cell::Cell;

use convergence::run::session::{Session, StepQueue};

const CONFIG: &str = r#"{"seed": 3, "problem": {"name": "rosenbrock"},
  "runs": [{"label": "adam", "x0": [-1.5, 2.0], "optimizer": {"name": "Adam", "lr": 0.01}},
           {"label": "sgd", "x0": [0.5, -0.5], "optimizer": {"name": "SGD", "lr": 0.001, "momentum": 0.9}},
           {"label": "lbfgs", "x0": [-1.0, 1.0], "optimizer": {"name": "LBFGS", "lr": 1, "max_iter": 3}}],
  "stop": {"max_steps": 5000}}"#;

/// A clock that moves on by `tick` at every reading, so budgets are counted in readings.
fn ticking(tick: f64) -> (Cell<f64>, f64) {
    (Cell::new(0.0), tick)
}

#[test]
fn queued_steps_taken_in_slices_equal_one_call_of_step() {
    let mut direct = Session::from_json(CONFIG).unwrap();
    let direct_taken = direct.step(1234);
    let mut sliced = Session::from_json(CONFIG).unwrap();
    let mut queue = StepQueue::default();
    queue.push(sliced.runs().len(), 1234);
    let (time, tick) = ticking(1.0);
    let clock = || {
        time.set(time.get() + tick);
        time.get()
    };
    let mut calls = 0;
    let mut taken = 0;
    while queue.is_pending() {
        taken += sliced.work(&mut queue, 20.0, &clock);
        calls += 1;
        assert!(calls < 100_000, "the queue must empty");
    }
    assert!(calls > 1, "a budget of 20 clock readings cannot take 3 x 1234 steps in one call");
    assert_eq!(taken, direct_taken);
    assert_eq!(sliced.snapshot().to_json(), direct.snapshot().to_json());
}

#[test]
fn one_call_ends_once_its_budget_is_spent() {
    let mut session = Session::from_json(CONFIG).unwrap();
    let mut queue = StepQueue::default();
    queue.push(session.runs().len(), 1_000_000);
    let time = Cell::new(0.0);
    // Each reading moves the clock by 1: with a budget of 10, a call reads it a few times at
    // most beyond the budget (one turn), so it takes only a few steps.
    let clock = || {
        time.set(time.get() + 1.0);
        time.get()
    };
    let taken = session.work(&mut queue, 10.0, &clock);
    assert!(taken > 0, "a call takes at least one step");
    assert!(taken < 100, "a call of 10 readings took {taken} steps");
    assert!(time.get() <= 16.0, "the clock was read up to {} for a budget of 10", time.get());
    assert!(queue.is_pending());
}

#[test]
fn runs_that_stop_drop_their_queued_steps() {
    let config = CONFIG.replace("\"max_steps\": 5000", "\"max_steps\": 40");
    let mut session = Session::from_json(&config).unwrap();
    let mut queue = StepQueue::default();
    queue.push(session.runs().len(), u64::MAX);
    let clock = || 0.0;
    let taken = session.work(&mut queue, 1.0, &clock);
    assert!(!queue.is_pending(), "every run stopped, so nothing is left to take");
    assert!(!session.any_running());
    let mut direct = Session::from_json(&config).unwrap();
    assert_eq!(taken, direct.step(u64::MAX));
    assert_eq!(session.snapshot().to_json(), direct.snapshot().to_json());
    assert!(session.runs().iter().all(|r| r.step() <= 40));
}

#[test]
fn clearing_the_queue_drops_every_step() {
    let mut session = Session::from_json(CONFIG).unwrap();
    let mut queue = StepQueue::default();
    queue.push(session.runs().len(), 10);
    queue.clear();
    assert!(!queue.is_pending());
    assert_eq!(session.work(&mut queue, 100.0, &|| 0.0), 0);
    assert!(session.runs().iter().all(|r| r.step() == 0));
}
