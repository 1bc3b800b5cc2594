//! Per-step traces for the CLI: one row per visited point (step, loss, params, lr,
//! grad_norm, delta_norm), as JSON or CSV.
//!
//! Row t describes the point `params[t]` and the update taken from it; the last row of a run
//! that stopped at a point has empty `lr` and `delta_norm`. Runs are independent, so each is
//! stepped to its end in turn: the numbers are the same as stepping them side by side.

use std::io::{self, Write};

use serde::Serialize;

use crate::run::StepRecord;
use crate::session::Session;
use crate::snapshot::{nums, Num};

/// Output format of a trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// `[{"label", "rows": [{"step", "loss", "params", "lr", "grad_norm", "delta_norm"}]}]`.
    Json,
    /// `label,step,loss,param_0,...,lr,grad_norm,delta_norm`.
    Csv,
}

#[derive(Serialize)]
struct Row {
    step: u64,
    loss: Num,
    params: Vec<Num>,
    lr: Option<Num>,
    grad_norm: Num,
    delta_norm: Option<Num>,
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

/// Quotes a CSV field when it needs it.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

impl TraceWriter {
    /// A writer for a problem with `dim` parameters.
    pub fn new(format: TraceFormat, dim: usize) -> Self {
        TraceWriter { format, dim }
    }

    /// Steps every run of the session to its end, writing every row to `out`.
    pub fn run_all(&mut self, session: &mut Session, out: &mut impl Write) -> io::Result<()> {
        match self.format {
            TraceFormat::Json => out.write_all(b"[")?,
            TraceFormat::Csv => {
                let params: Vec<String> = (0..self.dim).map(|j| format!("param_{j}")).collect();
                writeln!(out, "label,step,loss,{},lr,grad_norm,delta_norm", params.join(","))?;
            }
        }
        let (problem, runs) = session.parts_mut();
        for (i, run) in runs.iter_mut().enumerate() {
            if self.format == TraceFormat::Json {
                if i > 0 {
                    out.write_all(b",")?;
                }
                let label = serde_json::to_string(run.label()).unwrap_or_default();
                write!(out, "{{\"label\":{label},\"rows\":[")?;
            }
            let label = csv_field(run.label());
            let mut first = true;
            while let Some(record) = run.step_once(problem) {
                self.write_row(out, &label, &record, run.visited(), first)?;
                first = false;
            }
            if self.format == TraceFormat::Json {
                out.write_all(b"]}")?;
            }
        }
        if self.format == TraceFormat::Json {
            out.write_all(b"]")?;
        }
        Ok(())
    }

    fn write_row(
        &self,
        out: &mut impl Write,
        label: &str,
        r: &StepRecord,
        params: &[f64],
        first: bool,
    ) -> io::Result<()> {
        match self.format {
            TraceFormat::Json => {
                let row = Row {
                    step: r.step,
                    loss: Num(r.loss),
                    params: nums(params),
                    lr: r.lr.map(Num),
                    grad_norm: Num(r.grad_norm),
                    delta_norm: r.delta_norm.map(Num),
                };
                if !first {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut *out, &row).map_err(io::Error::other)
            }
            TraceFormat::Csv => {
                let params: Vec<String> = params.iter().map(|p| csv_number(*p)).collect();
                let optional = |x: Option<f64>| x.map(csv_number).unwrap_or_default();
                writeln!(
                    out,
                    "{label},{},{},{},{},{},{}",
                    r.step,
                    csv_number(r.loss),
                    params.join(","),
                    optional(r.lr),
                    csv_number(r.grad_norm),
                    optional(r.delta_norm)
                )
            }
        }
    }
}
