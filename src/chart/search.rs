//! Figures of a hyperparameter search, as curve charts (`curves.rs`):
//! - the trials: each configuration's objective at every rung it reached (x: the resource it
//!   was trained with, log scale; y: the objective), one line per configuration coloured by
//!   its bracket, and a dashed vertical line at every rung (the r_i of the plan), so that
//!   successive halving's promotions read as the lines that go on to the right;
//! - the budget: the best objective found so far against the resource spent so far (units
//!   trained, survivors resuming), one line per search, so that methods given the same budget
//!   compare on the same axes (what Hyperband buys over random search);
//! - population-based training's learning rate of each member over the steps.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::curves::{CurveOptions, CurveSeries};
use super::style::run_style;
use super::PALETTE;
use crate::problem::ViewBox;
use crate::search::SearchResults;

fn palette(index: usize) -> (u8, u8, u8) {
    super::parse_color(PALETTE[index % PALETTE.len()])
}

/// A dash longer than any drawing: `DashedLineSeries` draws a solid line with it.
const SOLID_DASH: u32 = 1 << 30;

fn line(label: String, color: (u8, u8, u8), points: Vec<(f64, f64)>) -> CurveSeries {
    CurveSeries::new(label, color, points)
}

/// The trials chart of one search's results.
pub fn trial_series(results: &SearchResults, log_y: bool) -> (Vec<CurveSeries>, CurveOptions) {
    // One line per (bracket, trial), in the order the rows came.
    let mut keys: Vec<(Option<u32>, u64)> = Vec::new();
    for row in &results.trials {
        let key = (row.bracket, row.index);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let mut brackets: Vec<Option<u32>> = Vec::new();
    for (bracket, _) in &keys {
        if !brackets.contains(bracket) {
            brackets.push(*bracket);
        }
    }
    let mut labelled: Vec<Option<u32>> = Vec::new();
    let series = keys
        .iter()
        .map(|&(bracket, index)| {
            let points: Vec<(f64, f64)> = results
                .trials
                .iter()
                .filter(|r| r.bracket == bracket && r.index == index)
                .map(|r| (r.resource, r.objective))
                .collect();
            let which = brackets.iter().position(|b| *b == bracket).unwrap_or(0);
            // The first line of each bracket carries the bracket's name in the legend.
            let label = if labelled.contains(&bracket) {
                String::new()
            } else {
                labelled.push(bracket);
                bracket.map_or_else(|| "trials".to_string(), |s| format!("bracket s = {s}"))
            };
            // Every rung a trial reached is marked, so that a trial seen at one rung only shows.
            let mut series = line(label, palette(which), points.clone());
            series.criterion_markers = points;
            series
        })
        .collect();
    let mut rungs = crate::math::order::sorted_by_f64(results.trials.iter().map(|r| r.resource).collect(), |&r| r);
    rungs.dedup();
    let unit = match results.unit {
        crate::search::runner::Unit::Steps => "steps",
        crate::search::runner::Unit::Epochs => "epochs",
    };
    let options = CurveOptions {
        title: "every trial's objective at each rung".into(),
        log_x: true,
        log_y,
        x_label: format!("resource ({unit})"),
        vlines: rungs,
        x_from_one: true,
        ..CurveOptions::default()
    };
    (series, options)
}

/// The best objective so far against the resource spent so far, for each search of `runs`
/// (label, results): a survivor that resumes spends only its extra units.
pub fn budget_series(runs: &[(String, &SearchResults)], log_y: bool) -> (Vec<CurveSeries>, CurveOptions) {
    let series = runs
        .iter()
        .enumerate()
        .map(|(i, (label, results))| {
            let mut trained: Vec<((Option<u32>, u64), u64)> = Vec::new();
            let mut spent = 0.0;
            let mut best = f64::INFINITY;
            let mut points = Vec::new();
            for row in &results.trials {
                let key = (row.bracket, row.index);
                let before = trained.iter().find(|(k, _)| *k == key).map_or(0, |(_, u)| *u);
                spent += row.units.saturating_sub(before) as f64;
                match trained.iter_mut().find(|(k, _)| *k == key) {
                    Some(entry) => entry.1 = row.units,
                    None => trained.push((key, row.units)),
                }
                if row.objective < best {
                    best = row.objective;
                }
                if best.is_finite() {
                    points.push((spent, best));
                }
            }
            line(label.clone(), palette(i), points)
        })
        .collect();
    let options = CurveOptions {
        title: "best objective found vs resource spent".into(),
        log_x: false,
        log_y,
        x_label: "resource spent (units, survivors resume)".into(),
        ..CurveOptions::default()
    };
    (series, options)
}

/// Population-based training: each member's learning rate over the steps (log scale).
pub fn pbt_lr_series(results: &SearchResults) -> Option<(Vec<CurveSeries>, CurveOptions)> {
    let record = results.pbt.as_ref()?;
    let series = record
        .lr
        .iter()
        .enumerate()
        .map(|(member, points)| {
            // The lr holds from one record to the next: drawn as steps.
            let mut stairs: Vec<(f64, f64)> = Vec::new();
            for p in points {
                if let Some(&(_, previous)) = stairs.last() {
                    stairs.push((p[0], previous));
                }
                stairs.push((p[0], p[1]));
            }
            // A run's style (colour, dash, marker): the palette's 7 colours alone would give
            // member 7 member 0's line.
            let style = run_style(None, member);
            let mut series = line(format!("member {member}"), style.color, stairs);
            series.dash = style.dash;
            series.marker = style.marker;
            series
        })
        .collect();
    let options = CurveOptions {
        title: "each member's learning rate (jumps: exploit and explore)".into(),
        log_y: true,
        x_label: "step".into(),
        ..CurveOptions::default()
    };
    Some((series, options))
}

/// A jump of a PBT member: from where it was to where the member it copied was.
pub type Jump = ((f64, f64), (f64, f64));

/// One PBT member's path split at its jumps: the stretches it trained (solid) and the jumps
/// where it copied another member (from, to). A jump is recorded as two points at the same
/// step: where the member was and where the member it copied was.
pub fn pbt_stretches(path: &[[f64; 3]]) -> (Vec<Vec<(f64, f64)>>, Vec<Jump>) {
    let mut stretches = vec![Vec::new()];
    let mut jumps = Vec::new();
    for (k, p) in path.iter().enumerate() {
        let point = (p[1], p[2]);
        if let Some(previous) = k.checked_sub(1).and_then(|j| path.get(j)) {
            if previous[0] == p[0] {
                jumps.push(((previous[1], previous[2]), point));
                stretches.push(Vec::new());
            }
        }
        if let Some(last) = stretches.last_mut() {
            last.push(point);
        }
    }
    stretches.retain(|s| !s.is_empty());
    (stretches, jumps)
}

/// Draws a PBT population's paths over a landscape (onto `root`, which is not cleared): each
/// member's training in its run's colour and dash (the palette's 7 colours alone would give
/// member 7 member 0's line) ending in a dot, each jump (exploit: the member takes another's
/// weights) as a dashed black line ending in a ring, so that the jumps are seen.
pub fn draw_population<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    view: ViewBox,
    results: &SearchResults,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| format!("drawing failed: {e}");
    let Some(record) = &results.pbt else {
        return Err("this search is not PBT".into());
    };
    let mut chart =
        ChartBuilder::on(root).build_cartesian_2d(view.x[0]..view.x[1], view.y[0]..view.y[1]).map_err(err)?;
    let inside = |p: &(f64, f64)| p.0.is_finite() && p.1.is_finite();
    for (member, path) in record.paths.iter().enumerate() {
        let style = run_style(None, member);
        let (r, g, b) = style.color;
        let color = RGBColor(r, g, b);
        // A solid line is one dash longer than any path (one series type keeps the wasm small).
        let (on, off) = style.dash.unwrap_or((SOLID_DASH, 0));
        let (stretches, jumps) = pbt_stretches(path);
        for stretch in stretches {
            let line: Vec<(f64, f64)> = stretch.into_iter().filter(inside).collect();
            chart.draw_series(DashedLineSeries::new(line, on, off, color.stroke_width(2))).map_err(err)?;
        }
        for (from, to) in jumps.into_iter().filter(|(a, b)| inside(a) && inside(b)) {
            chart.draw_series(DashedLineSeries::new(vec![from, to], 4, 3, BLACK.stroke_width(2))).map_err(err)?;
            chart.draw_series(std::iter::once(Circle::new(to, 5, BLACK.stroke_width(2)))).map_err(err)?;
        }
        if let Some(last) = path.last() {
            let at = (last[1], last[2]);
            if inside(&at) {
                chart.draw_series(std::iter::once(Circle::new(at, 4, color.filled()))).map_err(err)?;
            }
        }
    }
    root.present().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::runner::{Budget, Unit};
    use crate::search::{Method, TrialResult};

    fn row(index: u64, bracket: Option<u32>, units: u64, objective: f64) -> TrialResult {
        TrialResult {
            index,
            configuration: serde_json::Map::new(),
            resource: units as f64,
            units,
            steps: units,
            objective,
            bracket,
            round: 0,
            error: None,
        }
    }

    fn results(trials: Vec<TrialResult>) -> SearchResults {
        SearchResults {
            method: Method::Hyperband,
            unit: Unit::Steps,
            done: true,
            trials,
            best: None,
            lowest: None,
            best_experiment: None,
            budget: Budget { planned: 0.0, units: 0, steps: 0 },
            pbt: None,
        }
    }

    #[test]
    fn a_trial_is_one_line_across_its_rungs_and_each_bracket_is_named_once() {
        let r = results(vec![
            row(0, Some(1), 3, 0.5),
            row(1, Some(1), 3, 0.2),
            row(1, Some(1), 9, 0.1),
            row(2, Some(0), 9, 0.3),
        ]);
        let (series, options) = trial_series(&r, true);
        assert_eq!(series.len(), 3);
        assert_eq!(series[1].points, vec![(3.0, 0.2), (9.0, 0.1)]);
        let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels, ["bracket s = 1", "", "bracket s = 0"]);
        assert_eq!(series[0].color, series[1].color);
        assert_ne!(series[0].color, series[2].color);
        assert_eq!(options.vlines, vec![3.0, 9.0]);
        assert!(options.log_x && options.x_from_one);
    }

    #[test]
    fn every_pbt_member_has_a_line_of_its_own() {
        let mut r = results(Vec::new());
        let members = 16;
        r.pbt = Some(crate::search::runner::PbtRecord {
            lr: (0..members).map(|m| vec![[0.0, 0.01 * (m + 1) as f64], [10.0, 0.02]]).collect(),
            paths: Vec::new(),
            jumps: Vec::new(),
        });
        let (series, _) = pbt_lr_series(&r).unwrap();
        assert_eq!(series.len(), members);
        for (i, a) in series.iter().enumerate() {
            for b in &series[i + 1..] {
                assert!((a.color, a.dash) != (b.color, b.dash), "{} and {} look the same", a.label, b.label);
            }
        }
    }

    #[test]
    fn pbt_members_seven_apart_look_different_on_the_map() {
        // Only member `who` of eight has a path, the same one: the two drawings may differ only
        // in how the member is drawn (member 7 shares member 0's colour).
        let draw = |who: usize| {
            let mut r = results(Vec::new());
            let path = vec![[0.0, -1.0, -1.0], [5.0, 0.0, 0.5], [10.0, 1.0, 1.0]];
            r.pbt = Some(crate::search::runner::PbtRecord {
                lr: Vec::new(),
                paths: (0..8).map(|m| if m == who { path.clone() } else { Vec::new() }).collect(),
                jumps: Vec::new(),
            });
            let mut text = String::new();
            {
                let root = plotters_svg::SVGBackend::with_string(&mut text, (200, 200)).into_drawing_area();
                let view = ViewBox { x: [-2.0, 2.0], y: [-2.0, 2.0] };
                draw_population(&root, view, &r).unwrap();
            }
            text
        };
        let (first, eighth) = (draw(0), draw(7));
        assert!(first.to_lowercase().contains("#e69f00") && eighth.to_lowercase().contains("#e69f00"));
        assert_ne!(first, eighth, "members 0 and 7 are drawn alike");
    }

    #[test]
    fn a_jump_splits_a_members_path() {
        let path = [[0.0, 1.0, 1.0], [5.0, 0.5, 0.5], [5.0, 2.0, 2.0], [10.0, 1.5, 1.5]];
        let (stretches, jumps) = pbt_stretches(&path);
        assert_eq!(stretches, vec![vec![(1.0, 1.0), (0.5, 0.5)], vec![(2.0, 2.0), (1.5, 1.5)]]);
        assert_eq!(jumps, vec![((0.5, 0.5), (2.0, 2.0))]);
    }

    #[test]
    fn the_budget_counts_only_the_units_a_survivor_adds() {
        let r = results(vec![row(0, Some(1), 3, 0.5), row(1, Some(1), 3, 0.2), row(1, Some(1), 9, 0.1)]);
        let (series, _) = budget_series(&[("hyperband".into(), &r)], true);
        assert_eq!(series[0].points, vec![(3.0, 0.5), (6.0, 0.2), (12.0, 0.1)]);
    }
}
