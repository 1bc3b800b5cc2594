//! Per-step traces for the CLI: one row per visited point (step, loss, params, lr,
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

/// The rows of one run, produced by stepping it while they are serialized.
struct RunRows<'a> {
    problem: &'a Problem,
    run: RefCell<&'a mut Run>,
}

impl Serialize for RunRows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut run = self.run.try_borrow_mut().map_err(|_| S::Error::custom("a trace is written once"))?;
        let mut seq = s.serialize_seq(None)?;
        while let Some(record) = run.step_once(self.problem) {
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
}

impl<'a, B: BorrowMut<Session>> JsonTraces<'a, B> {
    /// The traces of the session's runs from where they stand.
    pub fn new(session: &'a RefCell<B>) -> Self {
        JsonTraces { session }
    }
}

impl<B: BorrowMut<Session>> Serialize for JsonTraces<'_, B> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut session =
            self.session.try_borrow_mut().map_err(|_| S::Error::custom("the session is in use elsewhere"))?;
        let (problem, runs) = (*session).borrow_mut().parts_mut();
        let mut seq = s.serialize_seq(Some(runs.len()))?;
        for run in runs.iter_mut() {
            let label = run.label().to_string();
            seq.serialize_element(&RunTrace { label, rows: RunRows { problem, run: RefCell::new(run) } })?;
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
        match self.format {
            TraceFormat::Json => {
                let cell = RefCell::new(session);
                serde_json::to_writer(&mut *out, &JsonTraces::new(&cell)).map_err(io::Error::from)
            }
            TraceFormat::Csv => {
                let params: Vec<String> = (0..self.dim).map(|j| format!("param_{j}")).collect();
                writeln!(out, "label,step,loss,{},lr,grad_norm,delta_norm", params.join(","))?;
                let (problem, runs) = session.parts_mut();
                for run in runs.iter_mut() {
                    let label = csv_field(run.label());
                    while let Some(record) = run.step_once(problem) {
                        write_csv_row(out, &label, &record, run.visited())?;
                    }
                }
                Ok(())
            }
        }
    }
}

fn write_csv_row(out: &mut impl Write, label: &str, r: &StepRecord, params: &[f64]) -> io::Result<()> {
    write!(out, "{label},{},{}", r.step, csv_number(r.loss))?;
    for p in params {
        write!(out, ",{}", csv_number(*p))?;
    }
    let optional = |x: Option<f64>| x.map(csv_number).unwrap_or_default();
    writeln!(out, ",{},{},{}", optional(r.lr), csv_number(r.grad_norm), optional(r.delta_norm))
}
