//! Hyperparameter search: Hyperband's plan against the algorithm's formulas and the paper's
//! Table 1, successive halving keeping the best configurations, random search's fair budget,
//! PBT's exploit/explore step, determinism across chunk budgets and trial order, and bad
//! input naming the field.

use convergence::config::Experiment;
use convergence::data::Rng;
use convergence::optim::OptimizerConfig;
use convergence::run::Run;
use convergence::search::hyperband::{self, plan};
use convergence::search::{pbt, Search};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A bracket as (s, n, [(n_i, r_i)]).
type BracketRow = (u32, u64, Vec<(u64, f64)>);

/// Hyperband's brackets computed here from Algorithm 1's formulas, independently of the crate:
/// s_max by counting powers in floating point (exact for these small numbers), n as the
/// smallest whole number with n (s + 1) >= (s_max + 1) eta^s, n_i = floor(n / eta^i) by
/// repeated division, r_i = R eta^(i - s).
fn independent(r: u64, eta: u64) -> Vec<BracketRow> {
    let mut s_max = 0_u32;
    while (eta as f64).powi(s_max as i32 + 1) <= r as f64 {
        s_max += 1;
    }
    let mut out = Vec::new();
    for s in (0..=s_max).rev() {
        let target = u64::from(s_max + 1) * eta.pow(s);
        let mut n = 0;
        while n * u64::from(s + 1) < target {
            n += 1;
        }
        let mut rounds = Vec::new();
        let mut n_i = n;
        for i in 0..=s {
            rounds.push((n_i, r as f64 * (eta as f64).powi(i as i32 - s as i32)));
            n_i /= eta;
        }
        out.push((s, n, rounds));
    }
    out
}

#[test]
fn hyperband_plans_match_the_algorithm() {
    for (r, eta) in [(81, 3), (27, 3), (100, 4), (1, 3), (243, 3)] {
        let p = plan(r, eta);
        let want = independent(r, eta);
        assert_eq!(p.brackets.len(), want.len(), "R={r} eta={eta}");
        for (b, (s, n, rounds)) in p.brackets.iter().zip(&want) {
            assert_eq!((b.s, b.n), (*s, *n), "R={r} eta={eta}");
            assert_eq!(b.rounds.len(), rounds.len());
            for (round, (n_i, r_i)) in b.rounds.iter().zip(rounds) {
                assert_eq!(round.n_i, *n_i, "R={r} eta={eta} s={s} i={}", round.i);
                assert!((round.r_i - r_i).abs() <= 1e-12 * r_i, "R={r} eta={eta} s={s}: {} vs {r_i}", round.r_i);
                // The runner trains ceil(r_i) whole units.
                assert_eq!(round.units, r_i.ceil() as u64);
            }
        }
    }
}

#[test]
fn hyperband_r81_eta3_is_table_1_of_the_paper() {
    let table: [(u32, &[(u64, f64)]); 5] = [
        (4, &[(81, 1.0), (27, 3.0), (9, 9.0), (3, 27.0), (1, 81.0)]),
        (3, &[(34, 3.0), (11, 9.0), (3, 27.0), (1, 81.0)]),
        (2, &[(15, 9.0), (5, 27.0), (1, 81.0)]),
        (1, &[(8, 27.0), (2, 81.0)]),
        (0, &[(5, 81.0)]),
    ];
    let p = plan(81, 3);
    assert_eq!(p.brackets.len(), 5);
    for (b, (s, rounds)) in p.brackets.iter().zip(table) {
        assert_eq!(b.s, s);
        let got: Vec<(u64, f64)> = b.rounds.iter().map(|r| (r.n_i, r.r_i)).collect();
        assert_eq!(got, rounds, "s = {s}");
    }
}

#[test]
fn the_reference_codes_rounding_differs_where_the_plan_pins_it() {
    // The widely copied code computes s_max = int(log(R) / log(eta)) in floating point.
    let float_s_max = |r: f64, eta: f64| (r.ln() / eta.ln()) as u32;
    assert_eq!(float_s_max(243.0, 3.0), 4, "floating log drops a bracket for R = 243");
    assert_eq!(plan(243, 3).brackets[0].s, 5);
    assert_eq!(plan(243, 3).brackets[0].n, 243);
    assert_eq!(float_s_max(1000.0, 10.0), 2, "and for R = 1000, eta = 10");
    assert_eq!(plan(1000, 10).brackets[0].s, 3);
    // R = 100, eta = 4: the floating log is right (3.32), but its n = int(B/R/(s+1)) * eta^s
    // truncates 4/3 to 1 and draws 16 configurations for s = 2 where the algorithm draws 22.
    assert_eq!(float_s_max(100.0, 4.0), 3);
    let reference_n = |r: u64, eta: u64, s_max: u32, s: u32| ((s_max as u64 + 1) * r / r / (s as u64 + 1)) * eta.pow(s);
    assert_eq!(reference_n(100, 4, 3, 2), 16);
    let p = plan(100, 4);
    assert_eq!(p.brackets[1].s, 2);
    assert_eq!(p.brackets[1].n, 22);
    assert_eq!(p.brackets[1].rounds.iter().map(|r| r.n_i).collect::<Vec<_>>(), [22, 5, 1]);
    assert_eq!(p.brackets[0].r, 100.0 / 64.0);
    assert_eq!(p.brackets[0].rounds[0].units, 2, "1.5625 steps round up to 2");
    // For Table 1 the reference code draws 27, 9 and 6 configurations in brackets 3, 2, 1.
    assert_eq!(
        [3, 2, 1].map(|s| reference_n(81, 3, 4, s)),
        [27, 9, 6],
        "the reference's n differs from Table 1's 34, 15, 8"
    );
    // R = 1: a single bracket of one configuration with one unit.
    let one = plan(1, 3);
    assert_eq!(one.brackets.len(), 1);
    assert_eq!((one.brackets[0].n, one.brackets[0].r, one.brackets[0].rounds.len()), (1, 1.0, 1));
}

#[test]
fn budgets_add_up() {
    let p = plan(81, 3);
    // Table 1: 405 + 363 + 351 + 378 + 405.
    assert_eq!(p.budget, 1902.0);
    // Resumed: survivors pay only the new units of each round.
    let resumed: u64 = p
        .brackets
        .iter()
        .map(|b| {
            let mut previous = 0;
            b.rounds
                .iter()
                .map(|r| {
                    let cost = r.n_i * (r.r_i as u64 - previous);
                    previous = r.r_i as u64;
                    cost
                })
                .sum::<u64>()
        })
        .sum();
    assert_eq!(p.resumed_budget, resumed);
    // Random search's fair share is what Hyperband trains (survivors resume), not the paper's
    // sum: floor(resumed / 81) configurations of 81 units, within one configuration of it.
    let fair = hyperband::fair_random_trials(81, 3);
    assert_eq!(fair, resumed / 81);
    assert!(fair * 81 <= resumed && resumed - fair * 81 < 81);
    assert!(fair < 1902 / 81, "fewer than the paper's budget would give");
}

/// A quadratic bowl where plain SGD's final loss after any number of steps falls strictly as
/// the lr grows in (0, 1): the known objective of the successive-halving property.
fn bowl_search(search: Value) -> Experiment {
    let config = json!({
        "seed": 2,
        "problem": {"name": "quadratic", "a": 1, "b": 1},
        "runs": [{"label": "sgd", "x0": [1.0, -1.0], "optimizer": {"name": "SGD", "lr": 0.1}}],
        "stop": {"loss_plateau": null, "param_change": null, "grad_norm": null},
        "search": search
    });
    Experiment::from_json(&config.to_string()).expect("valid search config")
}

fn lr_of(row: &Value) -> f64 {
    row["configuration"]["runs[0].optimizer.lr"].as_f64().expect("lr")
}

fn run_to_end(search: &mut Search, budget: u64) -> Value {
    while !search.advance(budget) {}
    serde_json::from_str(&search.results_json()).expect("json")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn successive_halving_keeps_the_best_configurations(seed in 0_u64..1_000_000, n in 2_u64..40, eta in 2_u64..5) {
        let r = 16;
        let experiment = bowl_search(json!({
            "method": "successive_halving", "max_resource": r, "eta": eta, "trials": n, "seed": seed,
            "space": [{"path": "runs[0].optimizer.lr", "low": 0.01, "high": 0.3}]
        }));
        let mut search = Search::new(&experiment).expect("search");
        let results = run_to_end(&mut search, 1000);
        let rows = results["trials"].as_array().expect("rows");
        let rounds = rows.iter().map(|r| r["round"].as_u64().unwrap_or(0)).max().unwrap_or(0);
        for i in 0..rounds {
            let this: Vec<&Value> = rows.iter().filter(|r| r["round"] == i).collect();
            let next: Vec<&Value> = rows.iter().filter(|r| r["round"] == i + 1).collect();
            prop_assert_eq!(next.len() as u64, this.len() as u64 / eta);
            // The survivors are exactly the configurations with the largest lr.
            let mut lrs: Vec<f64> = this.iter().map(|r| lr_of(r)).collect();
            lrs.sort_by(|a, b| b.total_cmp(a));
            let mut kept: Vec<f64> = next.iter().map(|r| lr_of(r)).collect();
            kept.sort_by(|a, b| b.total_cmp(a));
            prop_assert_eq!(&kept[..], &lrs[..next.len()]);
        }
        // The best is the largest lr drawn, and it was trained with the most resource.
        let top = rows.iter().map(lr_of).fold(f64::MIN, f64::max);
        prop_assert_eq!(lr_of(&results["best"]), top);
        prop_assert_eq!(results["best"]["round"].as_u64(), Some(rounds));
    }
}

#[test]
fn random_search_gets_hyperbands_budget() {
    let experiment = bowl_search(json!({
        "method": "random", "max_resource": 27, "eta": 3, "seed": 4,
        "space": [{"path": "runs[0].optimizer.lr", "low": 1e-3, "high": 0.5, "scale": "log"}]
    }));
    let mut search = Search::new(&experiment).expect("search");
    let results = run_to_end(&mut search, u64::MAX);
    let rows = results["trials"].as_array().expect("rows");
    let hb = plan(27, 3);
    // As many configurations as spend what Hyperband trains (its survivors resume).
    assert_eq!(rows.len() as u64, hb.resumed_budget / 27);
    assert!(rows.iter().all(|r| r["resource"] == 27.0 && r["steps"] == 27 && r["bracket"].is_null()));
    let units = results["budget"]["units"].as_u64().expect("units");
    assert!(units <= hb.resumed_budget && hb.resumed_budget - units < 27, "{units} against {}", hb.resumed_budget);
    assert_eq!(results["budget"]["steps"], 27 * rows.len() as u64);
    // Log-uniform draws stay in the range, and the best experiment carries the best lr.
    assert!(rows.iter().all(|r| (1e-3..0.5).contains(&lr_of(r))));
    assert_eq!(
        results["best_experiment"]["runs"][0]["optimizer"]["lr"],
        results["best"]["configuration"]["runs[0].optimizer.lr"]
    );
    assert!(results["best_experiment"].get("search").is_none());
}

#[test]
fn hyperband_runs_every_bracket_and_resumes_survivors() {
    let experiment = bowl_search(json!({
        "method": "hyperband", "max_resource": 9, "eta": 3, "seed": 9,
        "space": [{"path": "runs[0].optimizer.lr", "low": 0.01, "high": 0.3},
                  {"path": "runs[0].optimizer.momentum", "choices": [0, 0.5]}]
    }));
    let mut search = Search::new(&experiment).expect("search");
    let results = run_to_end(&mut search, 5);
    let rows = results["trials"].as_array().expect("rows");
    let p = plan(9, 3);
    let expected_rows: u64 = p.brackets.iter().flat_map(|b| b.rounds.iter().map(|r| r.n_i)).sum();
    assert_eq!(rows.len() as u64, expected_rows);
    // Trial indices count configurations across brackets.
    let drawn: u64 = p.brackets.iter().map(|b| b.n).sum();
    let max_index = rows.iter().map(|r| r["index"].as_u64().unwrap_or(0)).max().unwrap_or(0);
    assert_eq!(max_index + 1, drawn);
    // Resuming: the steps spent equal the resumed budget (no run stops early here).
    assert_eq!(results["budget"]["steps"].as_u64(), Some(p.resumed_budget));
    assert_eq!(results["budget"]["planned"].as_f64(), Some(p.budget));
}

#[test]
fn chunk_budget_and_trial_order_do_not_change_the_results() {
    let experiment = bowl_search(json!({
        "method": "hyperband", "max_resource": 27, "eta": 3, "seed": 11,
        "space": [{"path": "runs[0].optimizer.lr", "low": 1e-3, "high": 0.9, "scale": "log"},
                  {"path": "runs[0].optimizer.momentum", "low": 0, "high": 0.95}]
    }));
    let reference = {
        let mut s = Search::new(&experiment).expect("search");
        while !s.advance(u64::MAX) {}
        s.results_json()
    };
    for budget in [1, 3, 64, 1000] {
        let mut s = Search::new(&experiment).expect("search");
        while !s.advance(budget) {}
        assert_eq!(s.results_json(), reference, "budget {budget}");
    }
    // Stage by stage as the CLI does, training the trials last to first.
    let mut s = Search::new(&experiment).expect("search");
    while !s.advance(0) {
        for trial in s.stage_mut().iter_mut().rev() {
            trial.train(u64::MAX);
        }
    }
    assert_eq!(s.results_json(), reference);
}

#[test]
fn exploit_and_explore_on_a_hand_made_population() {
    // Eight members; lower is better; member 6 diverged (NaN) and ranks last.
    let objectives = [3.0, 0.5, 7.0, 1.0, 5.0, 2.0, f64::NAN, 4.0];
    assert_eq!(pbt::ranking(&objectives), [1, 3, 5, 0, 7, 4, 2, 6]);
    let mut rng = Rng::new(1, 2);
    let decisions = pbt::exploit_explore(&objectives, 0.25, 1, &mut rng);
    // The bottom quarter (members 2 and 6) copies from the top quarter (members 1 and 3).
    let mut replaced: Vec<usize> = decisions.iter().map(|d| d.to).collect();
    replaced.sort_unstable();
    assert_eq!(replaced, [2, 6]);
    for d in &decisions {
        assert!([1, 3].contains(&d.from), "{d:?}");
        assert_eq!(d.factors.len(), 1);
        assert!(d.factors[0] == 0.8 || d.factors[0] == 1.2, "{d:?}");
    }
    // Over many draws both donors and both factors occur.
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        for d in pbt::exploit_explore(&objectives, 0.25, 1, &mut rng) {
            seen.insert((d.from, (d.factors[0] * 10.0) as u32));
        }
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
    // Ties go to the lower index; a fraction that rounds to nobody replaces nobody.
    assert_eq!(pbt::ranking(&[1.0, 1.0, 0.0]), [2, 0, 1]);
    assert!(pbt::exploit_explore(&[1.0, 2.0, 3.0], 0.25, 1, &mut rng).is_empty());
}

#[test]
fn pbt_members_copy_weights_and_perturb_the_lr() {
    let experiment = bowl_search(json!({
        "method": "pbt", "max_resource": 40, "seed": 3, "population": 6, "interval": 10, "fraction": 0.34,
        "space": [{"path": "runs[0].optimizer.lr", "low": 0.001, "high": 0.2, "scale": "log"}]
    }));
    let mut search = Search::new(&experiment).expect("search");
    let results = run_to_end(&mut search, 7);
    let record = &results["pbt"];
    let jumps = record["jumps"].as_array().expect("jumps");
    // Three exploit steps (after 10, 20 and 30 steps), two members replaced each time.
    assert_eq!(jumps.len(), 6);
    for jump in jumps {
        let (step, from, to) =
            (jump["step"].as_f64().unwrap(), jump["from"].as_u64().unwrap(), jump["to"].as_u64().unwrap());
        let factor = jump["factors"][0].as_f64().unwrap();
        let lr_at = |member: u64| -> f64 {
            let series = record["lr"][member as usize].as_array().unwrap();
            series.iter().rfind(|p| p[0].as_f64().unwrap() <= step).unwrap()[1].as_f64().unwrap()
        };
        // The donor's lr before the jump, times the factor, is the member's lr after it.
        let donor_lr = {
            let series = record["lr"][from as usize].as_array().unwrap();
            series.iter().rfind(|p| p[0].as_f64().unwrap() < step).unwrap()[1].as_f64().unwrap()
        };
        assert_eq!(lr_at(to), (donor_lr * factor).clamp(0.001, 0.2), "{jump}");
        // The member's path jumps onto the donor's point.
        let path_to = record["paths"][to as usize].as_array().unwrap();
        let path_from = record["paths"][from as usize].as_array().unwrap();
        let after = path_to.iter().rfind(|p| p[0].as_f64().unwrap() == step).unwrap();
        let donor = path_from.iter().rfind(|p| p[0].as_f64().unwrap() == step).unwrap();
        assert_eq!((&after[1], &after[2]), (&donor[1], &donor[2]), "{jump}");
    }
    // Every member trained 40 steps; the best is judged at the end.
    let last: Vec<&Value> = results["trials"].as_array().unwrap().iter().filter(|r| r["round"] == 3).collect();
    assert_eq!(last.len(), 6);
    assert!(last.iter().all(|r| r["steps"] == 40));
    assert_eq!(results["budget"]["steps"], 240);
    let best = results["best"]["objective"].as_f64().unwrap();
    assert!(last.iter().all(|r| r["objective"].as_f64().unwrap() >= best));
    // The lowest objective over every round is named apart: no row is lower, and it is at most
    // the final population's best.
    let lowest = results["lowest"]["objective"].as_f64().unwrap();
    let every = results["trials"].as_array().unwrap().iter().filter_map(|r| r["objective"].as_f64());
    assert!(every.clone().all(|o| o >= lowest));
    assert!(every.clone().any(|o| o == lowest));
    assert!(lowest <= best);
}

#[test]
fn pbt_perturbs_the_optimizer_settings_within_the_space() {
    // Momentum and lr are perturbed (clamped to their ranges); problem.b, a problem-level
    // setting, is drawn per member and copied but not perturbed.
    let config = json!({
        "seed": 4,
        "problem": {"name": "quadratic", "a": 1, "b": 10},
        "runs": [{"label": "sgd", "x0": [1.0, -1.0], "optimizer": {"name": "SGD", "lr": 0.02, "momentum": 0.9}}],
        "stop": {"loss_plateau": null, "param_change": null, "grad_norm": null},
        "search": {"method": "pbt", "max_resource": 40, "seed": 5, "population": 8, "interval": 10, "fraction": 0.25,
                   "space": [{"path": "runs[0].optimizer.lr", "low": 0.01, "high": 0.05, "scale": "log"},
                             {"path": "problem.b", "low": 5, "high": 20},
                             {"path": "runs[0].optimizer.momentum", "low": 0.5, "high": 0.95}]}
    });
    let experiment = Experiment::from_json(&config.to_string()).expect("valid");
    let mut search = Search::new(&experiment).expect("search");
    let momentum = |e: &Experiment| match &e.runs[0].optimizer {
        OptimizerConfig::SGD { momentum, .. } => *momentum,
        other => panic!("not SGD: {other:?}"),
    };
    let lr = |e: &Experiment| e.runs[0].optimizer.lr();
    let (mut seen, mut clamped, mut moved) = (0, 0, 0);
    while !search.advance(0) {
        for trial in search.stage_mut() {
            trial.train(u64::MAX);
        }
        let before: Vec<(Run, Experiment)> = search
            .stage()
            .iter()
            .map(|t| (t.run().expect("run").clone(), t.experiment().expect("experiment").clone()))
            .collect();
        if search.advance(0) {
            break;
        }
        let record = search.results().pbt.expect("a PBT record");
        for jump in &record.jumps[seen..] {
            let (donor_run, donor) = &before[jump.from as usize];
            let member = &search.stage()[jump.to as usize];
            let member_experiment = member.experiment().expect("experiment");
            // Two perturbable values (lr, momentum), in space order; each is the donor's times
            // its factor, clamped to the space's range.
            assert_eq!(jump.factors.len(), 2);
            let want_lr = (lr(donor) * jump.factors[0]).clamp(0.01, 0.05);
            let want_momentum = (momentum(donor) * jump.factors[1]).clamp(0.5, 0.95);
            assert_eq!(lr(member_experiment), want_lr, "{jump:?}");
            assert_eq!(momentum(member_experiment), want_momentum, "{jump:?}");
            assert!((0.5..=0.95).contains(&want_momentum) && (0.01..=0.05).contains(&want_lr));
            assert_eq!(member_experiment.problem, donor.problem, "problem.b is copied, not perturbed");
            clamped += usize::from(want_momentum == 0.5 || want_momentum == 0.95);
            moved += usize::from(want_momentum != momentum(donor));
            // The member's live run is the donor's retuned to the new settings with a new
            // schedule: both continue identically.
            let problem = member_experiment.problem.build_with_seed(member_experiment.seed);
            let mut by_hand = donor_run.clone();
            assert!(by_hand.retune(&member_experiment.runs[0].optimizer));
            by_hand.set_schedule(member_experiment.runs[0].schedule.build(want_lr));
            let mut member_run = member.run().expect("run").clone();
            assert_eq!(by_hand.advance(&problem, 5), member_run.advance(&problem, 5));
            assert_eq!(by_hand.params(), member_run.params(), "{jump:?}");
        }
        seen = record.jumps.len();
    }
    // Three exploit steps, two members replaced each time.
    assert_eq!(seen, 6);
    assert!(clamped > 0 && moved > 0, "clamped {clamped}, moved {moved}");
    // The results' configurations stay within the space too.
    for row in search.results().trials {
        let m = row.configuration["runs[0].optimizer.momentum"].as_f64().expect("momentum");
        assert!((0.5..=0.95).contains(&m), "{m}");
    }
}

#[test]
fn a_model_search_counts_epochs() {
    let config = json!({
        "seed": 3,
        "problem": {"name": "model", "data": {"name": "moons", "n": 60}, "model": {"name": "mlp", "hidden": [4]},
                    "validation_share": 0.5, "batch_size": 10},
        "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": 0.01}}],
        "search": {"method": "successive_halving", "max_resource": 4, "eta": 2, "trials": 4, "objective": "best",
                   "space": [{"path": "runs[0].optimizer.lr", "low": 1e-3, "high": 0.1, "scale": "log"},
                             {"path": "problem.model.hidden[0]", "low": 2, "high": 6, "integer": true},
                             {"path": "problem.batch_size", "choices": [10, 30]}]}
    });
    let experiment = Experiment::from_json(&config.to_string()).expect("valid");
    let mut search = Search::new(&experiment).expect("search");
    let results = run_to_end(&mut search, 100);
    assert_eq!(results["unit"], "epochs");
    for row in results["trials"].as_array().unwrap() {
        // 30 training points: 3 steps per epoch with batches of 10, 1 with batches of 30.
        let per_epoch = 30 / row["configuration"]["problem.batch_size"].as_u64().unwrap();
        assert_eq!(row["steps"].as_u64().unwrap(), row["units"].as_u64().unwrap() * per_epoch, "{row}");
        let width = row["configuration"]["problem.model.hidden[0]"].as_u64().unwrap();
        assert!((2..=6).contains(&width));
        assert!(row["objective"].as_f64().unwrap().is_finite());
    }
}

fn errors(search: Value) -> String {
    let config = json!({
        "problem": {"name": "quadratic"},
        "runs": [{"label": "a", "optimizer": {"name": "SGD", "lr": 0.1}}, {"label": "b", "optimizer": {"name": "Adam"}}],
        "search": search
    });
    Experiment::from_json(&config.to_string()).expect_err("invalid").to_string()
}

#[test]
fn bad_search_sections_name_the_field() {
    let e = errors(json!({"method": "random", "space": [{"path": "runs[0].optimizer.lr", "low": -1, "high": 1}]}));
    assert!(e.contains("search.space[0]: runs[0].optimizer.lr = -1.0: runs[0].optimizer.lr: must be >= 0"), "{e}");
    let e = errors(json!({"method": "random", "space": [{"path": "runs[0].optimizer.lrr", "low": 0, "high": 1}]}));
    assert!(e.contains("search.space[0]") && e.contains("unknown field `lrr`"), "{e}");
    let e = errors(json!({"method": "random", "space": [{"path": "runs[1].optimizer.lr", "low": 0, "high": 1}]}));
    assert!(e.contains("search.space[0].path: runs[1].optimizer.lr: the search trains run 0 only"), "{e}");
    let e = errors(
        json!({"method": "random", "space": [{"path": "runs[0].optimizer.lr", "low": 0, "high": 1, "scale": "log"}]}),
    );
    assert!(e.contains("search.space[0].low: must be > 0 on a log scale"), "{e}");
    let e = errors(json!({"method": "random", "space": [{"path": "runs[0]..lr", "low": 0, "high": 1}]}));
    assert!(e.contains("search.space[0].path"), "{e}");
    let e = errors(
        json!({"method": "hyperband", "population": 4, "space": [{"path": "runs[0].optimizer.lr", "low": 0, "high": 1}]}),
    );
    assert!(e.contains("search.population: is a setting of method pbt only"), "{e}");
    let e = errors(
        json!({"method": "hyperband", "eta": 1, "space": [{"path": "runs[0].optimizer.lr", "low": 0, "high": 1}]}),
    );
    assert!(e.contains("search.eta: must be in [2, 1000], got 1"), "{e}");
    let e = errors(
        json!({"method": "hyperband", "max_resource": 1000000, "eta": 2, "space": [{"path": "runs[0].optimizer.lr", "low": 0, "high": 1}]}),
    );
    assert!(e.contains("search: would start"), "{e}");
    let e = errors(json!({"method": "random", "space": [{"path": "runs[0].optimizer.momentum", "choices": [0, -1]}]}));
    assert!(
        e.contains("search.space[0]: runs[0].optimizer.momentum = -1: runs[0].optimizer.momentum: must be >= 0"),
        "{e}"
    );
    let e = errors(
        json!({"method": "successive_halving", "trials": 2, "rounds": 3, "space": [{"path": "runs[0].optimizer.lr", "low": 0, "high": 1}]}),
    );
    assert!(e.contains("search.rounds"), "{e}");
    let e = errors(
        json!({"method": "random", "space": [{"path": "runs[0].optimizer.lr", "low": 0, "high": 1}], "bogus": 1}),
    );
    assert!(e.contains("unknown field `bogus`"), "{e}");
}

#[test]
fn an_experiment_without_search_still_round_trips() {
    let text = r#"{"problem": {"name": "quadratic"}, "runs": [{"label": "a", "optimizer": {"name": "SGD"}}]}"#;
    let e = Experiment::from_json(text).expect("valid");
    assert!(e.search.is_none());
    assert!(e.to_value().get("search").is_none());
    let with = bowl_search(
        json!({"method": "random", "trials": 2, "space": [{"path": "runs[0].optimizer.lr", "low": 0.1, "high": 0.2}]}),
    );
    let again = Experiment::from_json(&with.to_json()).expect("round trip");
    assert_eq!(again, with);
}

#[test]
fn the_search_section_round_trips_through_the_url_hash() {
    let with = bowl_search(json!({
        "method": "pbt", "max_resource": 40, "seed": 3, "population": 6, "interval": 10, "fraction": 0.34,
        "space": [{"path": "runs[0].optimizer.lr", "low": 0.001, "high": 0.2, "scale": "log"},
                  {"path": "runs[0].optimizer.momentum", "choices": [0, 0.5, 0.9]}]
    }));
    let hash = convergence::config::urlstate::encode(&with);
    assert!(hash.contains("search="), "{hash}");
    let back = convergence::config::urlstate::decode(&hash).expect("decodes");
    assert_eq!(back, with, "{hash}");
    // A hash without a search part has no search.
    let plain = convergence::config::urlstate::decode("problem=quadratic&run=a:SGD(lr=0.1)").expect("decodes");
    assert!(plain.search.is_none());
}

/// Runs a search whose trials train elsewhere: each stage's jobs are trained by a fresh copy
/// of the search (as a Web Worker would), `workers` at a time in reverse order of their index
/// modulo `workers`, and reported back.
fn run_remote(experiment: &Experiment, workers: usize) -> String {
    let mut search = Search::new_remote(experiment).expect("remote search");
    let trainers: Vec<Search> = (0..workers).map(|_| Search::new_remote(experiment).expect("trainer")).collect();
    loop {
        let jobs = search.jobs();
        if jobs.is_empty() {
            break;
        }
        let mut outcomes = Vec::new();
        for (k, trainer) in trainers.iter().enumerate() {
            for &(index, units) in jobs.iter().rev().filter(|(index, _)| *index as usize % workers == k) {
                outcomes.push(trainer.train_trial(index, units));
            }
        }
        for outcome in outcomes {
            search.report(outcome);
        }
    }
    search.results_json()
}

#[test]
fn trials_trained_elsewhere_give_the_same_results_whatever_the_workers() {
    let landscape = bowl_search(json!({
        "method": "hyperband", "max_resource": 27, "eta": 3, "seed": 11,
        "space": [{"path": "runs[0].optimizer.lr", "low": 1e-3, "high": 1.5, "scale": "log"}]
    }));
    let model = Experiment::from_json(
        &json!({
            "seed": 3,
            "problem": {"name": "model", "data": {"name": "moons", "n": 60}, "model": {"name": "mlp", "hidden": [4]},
                        "validation_share": 0.5, "batch_size": 10},
            "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": 0.01}}],
            "search": {"method": "hyperband", "max_resource": 9, "eta": 3, "objective": "best",
                       "space": [{"path": "runs[0].optimizer.lr", "low": 1e-3, "high": 0.3, "scale": "log"},
                                 {"path": "problem.model.hidden[0]", "low": 1, "high": 6, "integer": true}]}
        })
        .to_string(),
    )
    .expect("valid");
    for experiment in [landscape, model] {
        let mut local = Search::new(&experiment).expect("search");
        let expected = serde_json::to_string(&run_to_end(&mut local, 37)).expect("json");
        assert!(expected.contains("\"done\":true"));
        for workers in [1, 2, 3, 5] {
            let remote: Value = serde_json::from_str(&run_remote(&experiment, workers)).expect("json");
            assert_eq!(serde_json::to_string(&remote).expect("json"), expected, "{workers} workers");
        }
    }
}

#[test]
fn population_based_training_does_not_train_elsewhere() {
    let pbt = bowl_search(json!({
        "method": "pbt", "max_resource": 20, "population": 4,
        "space": [{"path": "runs[0].optimizer.lr", "low": 1e-3, "high": 0.5, "scale": "log"}]
    }));
    let error = Search::new_remote(&pbt).expect_err("refused").to_string();
    assert!(error.starts_with("search.method: population-based training"), "{error}");
}

#[test]
fn an_mlps_width_and_depth_are_hyperparameters() {
    let config = json!({
        "seed": 3,
        "problem": {"name": "model", "data": {"name": "moons", "n": 60}, "model": {"name": "mlp", "hidden": [4]},
                    "validation_share": 0.5},
        "runs": [{"label": "adam", "optimizer": {"name": "Adam", "lr": 0.01}}],
        "search": {"method": "random", "max_resource": 2, "trials": 6, "seed": 9,
                   "space": [{"path": "problem.model.depth", "low": 1, "high": 4, "integer": true},
                             {"path": "problem.model.width", "low": 2, "high": 16, "integer": true, "scale": "log"}]}
    });
    let experiment = Experiment::from_json(&config.to_string()).expect("valid");
    let mut search = Search::new(&experiment).expect("search");
    let results = run_to_end(&mut search, 1000);
    let mut depths = std::collections::BTreeSet::new();
    for row in results["trials"].as_array().unwrap() {
        let depth = row["configuration"]["problem.model.depth"].as_u64().unwrap();
        let width = row["configuration"]["problem.model.width"].as_u64().unwrap();
        assert!((1..=4).contains(&depth) && (2..=16).contains(&width), "{row}");
        depths.insert(depth);
    }
    assert!(depths.len() > 1, "several depths drawn: {depths:?}");
    // The best experiment carries the network the best configuration describes.
    let best = &results["best"]["configuration"];
    let hidden = results["best_experiment"]["problem"]["model"]["hidden"].as_array().unwrap();
    assert_eq!(hidden.len() as u64, best["problem.model.depth"].as_u64().unwrap());
    assert!(hidden.iter().all(|u| u == &best["problem.model.width"]));
    // On a landscape there is no network to shape.
    let landscape = bowl_search(json!({"method": "random", "max_resource": 2, "trials": 2,
        "space": [{"path": "runs[0].optimizer.lr", "low": 0.01, "high": 0.1}]}));
    let mut value = landscape.to_value();
    value["search"]["space"] = json!([{"path": "problem.model.depth", "low": 1, "high": 3, "integer": true}]);
    let error = Experiment::from_json(&value.to_string()).expect_err("no mlp").to_string();
    assert!(error.contains("problem.model.depth needs an mlp model"), "{error}");
}
