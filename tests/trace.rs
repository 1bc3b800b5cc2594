//! The trace writer streams: every row reaches the output as its step is taken, and a failed
//! write stops the stepping. CSV labels cannot carry control characters to a terminal.

use std::io::{self, Write};

use convergence::config::Experiment;
use convergence::run::session::Session;
use convergence::run::trace::{csv_field, TraceFormat, TraceWriter};

const LONG_RUN: &str = r#"{"problem": {"name": "quadratic"},
    "runs": [{"label": "slow", "x0": [-4.0, 2.0], "optimizer": {"name": "SGD", "lr": 1e-7}}],
    "stop": {"max_steps": 100000, "loss_plateau": null, "param_change": null, "grad_norm": null}}"#;

/// A writer that accepts `budget` bytes, then fails, counting the calls it received.
struct Budget {
    budget: usize,
    calls: usize,
}

impl Write for Budget {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        if buf.len() > self.budget {
            return Err(io::Error::other("full"));
        }
        self.budget -= buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn rows_are_written_as_the_run_advances() {
    for format in [TraceFormat::Csv, TraceFormat::Json] {
        let mut session = Session::new(Experiment::from_json(LONG_RUN).unwrap());
        let mut out = Budget { budget: 10_000, calls: 0 };
        let result = TraceWriter::new(format, 2).run_all(&mut session, &mut out);
        assert!(result.is_err(), "{format:?}");
        // The write failed after about 10 kB of rows, and the run stopped right there, long
        // before its 100,000 steps: the rows were not collected before being written.
        let step = session.runs()[0].step();
        assert!((10..1000).contains(&step), "{format:?}: {step}");
        assert!(out.calls > 10, "{format:?}: {}", out.calls);
    }
}

#[test]
fn csv_fields_replace_control_characters_and_quote() {
    assert_eq!(csv_field("plain"), "plain");
    assert_eq!(csv_field("a,b"), "\"a,b\"");
    assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    assert_eq!(csv_field("\u{1b}[2J\u{7}x\ty\r\n\u{9b}"), "\u{FFFD}[2J\u{FFFD}x\u{FFFD}y\u{FFFD}\u{FFFD}\u{FFFD}");
}
