//! Per-step traces for the CLI and the page's exports (`trace_of`): one row per visited point (step, loss, params, lr,
//! grad_norm, delta_norm), as JSON or CSV.
//!
//! Row t describes the point `params[t]` and the update taken from it; the last row of a run
//! that stopped at a point has empty `lr` and `delta_norm`. Runs are independent, so each is
//! stepped to its end in turn: the numbers are the same as stepping them side by side.
//!
//! Traces are streamed: each row is handed to the output as soon as its step is taken, and
//! nothing of a row is kept afterwards, so a trace of ten million steps needs no more memory
//! than one row. [`TraceWriter::run_all`] writes into any `std::io::Write` (this module never
//! opens a file); [`JsonTraces`] is the JSON trace as a serde value that steps the session
//! while it is serialized, so that the CLI can embed it in a larger JSON document.
//!
//! Labels are written as JSON strings (escaped by serde) or as CSV fields in which every
//! control character is replaced by U+FFFD, so a label cannot move the cursor or recolour
//! the terminal that shows the trace.

use std::borrow::BorrowMut;
use std::cell::RefCell;
use std::io::{self, Write};

use serde::ser::{Error as _, SerializeSeq};
use serde::{Serialize, Serializer};

use crate::config::Experiment;
use crate::problem::Problem;
use crate::run::session::Session;
use crate::run::snapshot::Num;
use crate::run::{Run, StepRecord};

/// Output format of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// `[{"label", "rows": [{"step", "loss", "params", "lr", "grad_norm", "delta_norm"}]}]`.
    Json,
    /// `label,step,loss,param_0,...,lr,grad_norm,delta_norm`.
    Csv,
}

/// Floats serialized as a JSON array of [`Num`], without copying them.
struct Nums<'a>(&'a [f64]);

impl Serialize for Nums<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|x| Num(*x)))
    }
}

/// One JSON row.
#[derive(Serialize)]
struct Row<'a> {
    step: u64,
    loss: Num,
    params: Nums<'a>,
    lr: Option<Num>,
    grad_norm: Num,
    delta_norm: Option<Num>,
}

impl<'a> Row<'a> {
    fn new(r: &StepRecord, params: &'a [f64]) -> Self {
        Row {
            step: r.step,
            loss: Num(r.loss),
            params: Nums(params),
            lr: r.lr.map(Num),
            grad_norm: Num(r.grad_norm),
            delta_norm: r.delta_norm.map(Num),
        }
    }
}

/// The rows of one run, produced by stepping it while they are serialized, until it ends or,
/// with `until`, until it has taken that many updates.
struct RunRows<'a> {
    problem: &'a Problem,
    run: RefCell<&'a mut Run>,
    until: Option<u64>,
}

/// Steps a run once unless it has taken `until` updates; the record of the step.
fn next_row(run: &mut Run, problem: &Problem, until: Option<u64>) -> Option<StepRecord> {
    if until.is_some_and(|until| run.step() >= until) {
        return None;
    }
    run.step_once(problem)
}

impl Serialize for RunRows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut run = self.run.try_borrow_mut().map_err(|_| S::Error::custom("a trace is written once"))?;
        let mut seq = s.serialize_seq(None)?;
        while let Some(record) = next_row(&mut run, self.problem, self.until) {
            seq.serialize_element(&Row::new(&record, run.visited()))?;
        }
        seq.end()
    }
}

/// One run's trace: `{"label", "rows"}`.
#[derive(Serialize)]
struct RunTrace<'a> {
    label: String,
    rows: RunRows<'a>,
}

/// The JSON trace of a session, `[{"label", "rows": [...]}]`, as a serde value. Serializing it
/// steps every run of the session to its end, one row at a time; it is meant to be serialized
/// once, straight into a writer. The session (a `Session` or a `&mut Session`) sits in a
/// `RefCell` because serializing only borrows the value; the caller may read the session
/// after the traces, e.g. for a snapshot serialized next in the same document.
pub struct JsonTraces<'a, B> {
    session: &'a RefCell<B>,
    /// Per run, the update count to stop at (None or a missing entry: the run's end).
    until: Vec<Option<u64>>,
}

impl<'a, B: BorrowMut<Session>> JsonTraces<'a, B> {
    /// The traces of the session's runs from where they stand.
    pub fn new(session: &'a RefCell<B>) -> Self {
        JsonTraces { session, until: Vec::new() }
    }
}

impl<B: BorrowMut<Session>> Serialize for JsonTraces<'_, B> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut session =
            self.session.try_borrow_mut().map_err(|_| S::Error::custom("the session is in use elsewhere"))?;
        let (problem, runs) = (*session).borrow_mut().parts_mut();
        let mut seq = s.serialize_seq(Some(runs.len()))?;
        for (i, run) in runs.iter_mut().enumerate() {
            let label = run.label().to_string();
            let until = self.until.get(i).copied().flatten();
            seq.serialize_element(&RunTrace { label, rows: RunRows { problem, run: RefCell::new(run), until } })?;
        }
        seq.end()
    }
}

/// Writes traces while stepping a session.
pub struct TraceWriter {
    format: TraceFormat,
    dim: usize,
}

/// A float for CSV: shortest round-trip text, `inf`, `-inf` or `nan`.
fn csv_number(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x.is_infinite() {
        if x > 0.0 { "inf" } else { "-inf" }.into()
    } else {
        format!("{x:?}")
    }
}

/// A label as a CSV field: control characters (line breaks, escape, bell, ...) replaced by
/// U+FFFD, then quoted when it holds a comma or a quote.
pub fn csv_field(text: &str) -> String {
    let clean: String = text.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect();
    if clean.contains([',', '"']) {
        format!("\"{}\"", clean.replace('"', "\"\""))
    } else {
        clean
    }
}

impl TraceWriter {
    /// A writer for a problem with `dim` parameters.
    pub fn new(format: TraceFormat, dim: usize) -> Self {
        TraceWriter { format, dim }
    }

    /// Steps every run of the session to its end, writing each row to `out` as soon as it is
    /// made. A failed write stops the stepping and is returned.
    pub fn run_all(&mut self, session: &mut Session, out: &mut impl Write) -> io::Result<()> {
        self.run_until(session, &[], out)
    }

    /// As `run_all`, run i stopping after `until[i]` updates where that is given.
    fn run_until(&mut self, session: &mut Session, until: &[Option<u64>], out: &mut impl Write) -> io::Result<()> {
        match self.format {
            TraceFormat::Json => {
                let cell = RefCell::new(session);
                let traces = JsonTraces { session: &cell, until: until.to_vec() };
                serde_json::to_writer(&mut *out, &traces).map_err(io::Error::from)
            }
            TraceFormat::Csv => {
                let params: Vec<String> = (0..self.dim).map(|j| format!("param_{j}")).collect();
                writeln!(out, "label,step,loss,{},lr,grad_norm,delta_norm", params.join(","))?;
                let (problem, runs) = session.parts_mut();
                for (i, run) in runs.iter_mut().enumerate() {
                    let label = csv_field(run.label());
                    let until = until.get(i).copied().flatten();
                    while let Some(record) = next_row(run, problem, until) {
                        write_csv_row(out, &label, &record, run.visited())?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// Most numbers a trace of the page may hold (rows times the numbers of a row): about 40 MB of
/// CSV, built in the page's memory. `converge run --trace` streams traces of any length.
pub const MAX_PAGE_TRACE_NUMBERS: u64 = 2_000_000;

/// Where a run of a page trace stands: the trace replays it to that point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceEnd {
    /// A run still running, with the updates it has taken: the point it stands at is not
    /// visited yet, so it has no row.
    Running(u64),
    /// A run that has ended at this step: replayed to its end, its last row included.
    Ended(u64),
}

impl TraceEnd {
    /// The updates to stop after (None: the run's own end).
    fn until(self) -> Option<u64> {
        match self {
            TraceEnd::Running(updates) => Some(updates),
            TraceEnd::Ended(_) => None,
        }
    }

    /// The rows of the run's trace.
    fn rows(self) -> u64 {
        match self {
            TraceEnd::Running(updates) => updates,
            TraceEnd::Ended(step) => step.saturating_add(1),
        }
    }
}

/// The trace of a session as it stands, as text in `format`: the rows `converge run --trace`
/// writes for the same experiment, up to where each run is (`trace_until`).
pub fn trace_of(live: &Session, format: TraceFormat) -> Result<String, String> {
    let ends: Vec<TraceEnd> = live
        .runs()
        .iter()
        .map(|run| if run.status().is_running() { TraceEnd::Running(run.step()) } else { TraceEnd::Ended(run.step()) })
        .collect();
    trace_until(live.experiment(), &ends, format)
}

/// The trace of `experiment` with run i replayed to `ends[i]` (a missing entry: to its end), as
/// text in `format`. The runs are replayed from a fresh session (the numbers are the same, bit
/// for bit, as the page's): a run that has ended is replayed to its end, exactly the rows of
/// `converge run --trace`; a run still running to the updates it has taken. The page's analysis
/// worker calls it with where the page's runs stand, so that the replay never blocks the page.
/// Refused, with the reason, when the trace would hold more than `MAX_PAGE_TRACE_NUMBERS`.
pub fn trace_until(experiment: &Experiment, ends: &[TraceEnd], format: TraceFormat) -> Result<String, String> {
    let mut fresh = Session::new(experiment.clone());
    fresh.set_recording(false);
    let dim = fresh.problem().dim() as u64;
    let rows: u64 = ends.iter().map(|end| end.rows()).fold(0, u64::saturating_add);
    let numbers = rows.saturating_mul(dim.saturating_add(5));
    if numbers > MAX_PAGE_TRACE_NUMBERS {
        return Err(format!(
            "the trace would hold {numbers} numbers ({rows} rows of {} numbers), more than the page writes ({MAX_PAGE_TRACE_NUMBERS}); `converge run CONFIG.json --trace csv` writes it",
            dim + 5
        ));
    }
    let until: Vec<Option<u64>> = ends.iter().map(|end| end.until()).collect();
    let mut out = Vec::new();
    TraceWriter::new(format, fresh.problem().dim())
        .run_until(&mut fresh, &until, &mut out)
        .map_err(|e| format!("cannot write the trace: {e}"))?;
    String::from_utf8(out).map_err(|e| format!("cannot write the trace: {e}"))
}

fn write_csv_row(out: &mut impl Write, label: &str, r: &StepRecord, params: &[f64]) -> io::Result<()> {
    write!(out, "{label},{},{}", r.step, csv_number(r.loss))?;
    for p in params {
        write!(out, ",{}", csv_number(*p))?;
    }
    let optional = |x: Option<f64>| x.map(csv_number).unwrap_or_default();
    writeln!(out, ",{},{},{}", optional(r.lr), csv_number(r.grad_norm), optional(r.delta_norm))
}
