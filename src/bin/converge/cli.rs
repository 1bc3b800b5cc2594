//! `converge`: runs Convergence Playground experiments headless.
//!
//! - `converge run CONFIG.json [--trace json|csv] [--trace-file PATH]`: runs every run to its
//!   end and prints the final snapshot as JSON. `converge run --url LINK_OR_HASH` runs the
//!   experiment held in a page link's URL hash instead (see `convergence::config::urlstate`).
//!   `--svg DIR` also draws every figure as SVG, as `plot` does at the end of the runs. `--words` also writes each run's status line
//!   to standard error, "label: text", the words of the page's status list (`describe`).
//! - `converge plot CONFIG.json --out DIR [--step N]`: every figure the page draws (the
//!   landscape or the model view, then every chart) as SVG files named after the figure, at step
//!   N (the page after `el.step(N)`) or at the end of the runs; the same SVG as the page's export.
//! - `converge replay CASE.json`: replays a reference case and prints params, loss and lr.
//! - `converge bench [--json]`: the benchmark suite of `www/bench.html`, natively.
//! - `converge hyperband --max-resource R --eta ETA --plan`: Hyperband's brackets and rounds.
//! - `converge search CONFIG.json [--threads N]`: the config's hyperparameter search, every
//!   trial and the best configuration as JSON (see `search.rs`).
//! - `converge analyse CONFIG.json` (or `--url LINK`): the analyses of the config's `analysis`
//!   section as JSON (see `analyse.rs`).
//!
//! Bad input exits with status 2 and a message on stderr naming the field. A file larger than
//! its cap in `convergence::config::limits` is rejected from its size, before it is read.
//!
//! Output is streamed through buffered writers; nothing grows with the number of steps:
//! - `--trace-file`: each row goes to the file as its step is taken, then the snapshot is
//!   printed.
//! - `--trace json` on standard output: one JSON document, `{"traces": [...], "runs": [...]}`,
//!   the traces streamed first and the snapshot's fields after them.
//! - `--trace csv` on standard output: the snapshot on the first line, then the CSV. The
//!   snapshot is only known at the end, so the experiment is run twice: once for the snapshot
//!   and once while streaming the rows (runs are deterministic, so both give the same numbers).

use std::cell::RefCell;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use convergence::bench;
use convergence::chart::figures;
use convergence::config::limits::{self, MAX_CASE_BYTES, MAX_CONFIG_BYTES};
use convergence::config::Experiment;
use convergence::run::replay::Case;
use convergence::run::report::describe;
use convergence::run::session::Session;
use convergence::run::snapshot::Snapshot;
use convergence::run::trace::{JsonTraces, TraceFormat, TraceWriter};
use serde::{Serialize, Serializer};

#[derive(Parser)]
#[command(name = "converge", version, about = "Watch optimizers converge, headless.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum TraceArg {
    Json,
    Csv,
}

#[derive(Subcommand)]
enum Command {
    /// Run an experiment config to the end and print the final snapshot as JSON.
    Run {
        /// The experiment config (JSON).
        #[arg(required_unless_present = "url", conflicts_with = "url")]
        config: Option<PathBuf>,
        /// The experiment as a page link or its URL hash, instead of a config file.
        #[arg(long, value_name = "LINK_OR_HASH")]
        url: Option<String>,
        /// Add per-step traces (step, loss, params, lr, grad_norm, delta_norm).
        #[arg(long, value_enum)]
        trace: Option<TraceArg>,
        /// Write the trace to this file instead of standard output.
        #[arg(long, requires = "trace")]
        trace_file: Option<PathBuf>,
        /// Also draw the figures as SVG files into this folder, as `plot` does (landscape.svg
        /// or model.svg, then one file per chart).
        #[arg(long, value_name = "DIR")]
        svg: Option<PathBuf>,
        /// Also write each run's status line in words to standard error: how it ended, where
        /// it is and what to try, as the page's status list says it.
        #[arg(long)]
        words: bool,
    },
    /// Draw every figure the page shows as SVG files: landscape.svg (2-D problems) or model.svg
    /// (models trained on data), then one file per chart (loss.svg, lr.svg, ...).
    Plot {
        /// The experiment config (JSON).
        config: PathBuf,
        /// The folder to write the figures into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Draw the experiment after N steps of every run (as the page after `el.step(N)`);
        /// without it, at the end of the runs.
        #[arg(long, value_name = "N")]
        step: Option<u64>,
    },
    /// Replay a reference case and print {"params", "loss", "lr"}.
    Replay {
        /// The case file (the format of tests/reference/README.md).
        case: PathBuf,
    },
    /// Print Hyperband's plan of brackets and rounds as JSON.
    Hyperband {
        /// R, the most resource (steps or epochs) one configuration gets.
        #[arg(long)]
        max_resource: u64,
        /// eta, the proportion: 1/eta of the configurations survive each round.
        #[arg(long, default_value_t = 3)]
        eta: u64,
        /// Print the plan (the only action so far; required for clarity).
        #[arg(long, required = true)]
        plan: bool,
    },
    /// Run the config's hyperparameter search and print every trial and the best configuration.
    Search {
        /// The experiment config with a "search" section (JSON).
        config: PathBuf,
        /// Threads that train trials (default: every core); the output does not depend on it.
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Print a Python script that reproduces one run with PyTorch (float64, torch.optim,
    /// torch.optim.lr_scheduler) and prints its end as JSON, as `run` does.
    Pytorch {
        /// The experiment config (JSON).
        config: PathBuf,
        /// Which run (0 for the first).
        #[arg(long, default_value_t = 0)]
        run: usize,
    },
    /// Run the analyses named in the config's "analysis" section and print their results as JSON.
    #[command(alias = "analyze")]
    Analyse {
        /// The experiment config with an "analysis" section (JSON).
        #[arg(required_unless_present = "url", conflicts_with = "url")]
        config: Option<PathBuf>,
        /// The experiment as a page link or its URL hash, instead of a config file.
        #[arg(long, value_name = "LINK_OR_HASH")]
        url: Option<String>,
    },
    /// Print the catalogue the page's forms are built from (problems, datasets, models,
    /// optimizers, schedules with their fields and defaults) as JSON.
    Catalog,
    /// Run the benchmark suite and print steps per second.
    Bench {
        /// Print {"benchmarks": [{"name", "steps_per_s"}]}.
        #[arg(long)]
        json: bool,
    },
}

/// Prints the PyTorch script of run `run` of the config.
fn print_pytorch(config: &Path, run: usize) -> Result<(), Failure> {
    let experiment = load(Some(config), None)?;
    let text = convergence::export::pytorch::script(&experiment, run).map_err(Failure)?;
    write!(std::io::stdout().lock(), "{text}").map_err(write_failed("the script"))
}

/// Prints the catalogue as JSON.
fn print_catalog() -> Result<(), Failure> {
    let catalog = convergence::config::catalog::catalog().map_err(Failure)?;
    let text =
        serde_json::to_string_pretty(&catalog).map_err(|e| Failure(format!("cannot write the catalogue: {e}")))?;
    writeln!(std::io::stdout().lock(), "{text}").map_err(write_failed("the catalogue"))
}

/// A failure to report on stderr with exit status 2.
pub(crate) struct Failure(pub(crate) String);

/// Reads a text file of at most `cap` bytes, checking its size before reading it.
fn read(path: &Path, cap: usize) -> Result<String, Failure> {
    let cannot = |e: std::io::Error| Failure(format!("cannot read {}: {e}", path.display()));
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > cap as u64 {
        return Err(Failure(format!("{} is too large: {}", path.display(), limits::too_long(cap, size as usize))));
    }
    std::fs::read_to_string(path).map_err(cannot)
}

/// Maps a write error to a failure naming what was being written.
fn write_failed(what: &str) -> impl Fn(std::io::Error) -> Failure + '_ {
    move |e| Failure(format!("cannot write {what}: {e}"))
}

/// The experiment from a config file, or from a link's hash when `url` is given.
pub(crate) fn load(config: Option<&Path>, url: Option<&str>) -> Result<Experiment, Failure> {
    match (config, url) {
        (_, Some(url)) => {
            convergence::config::urlstate::decode(url).map_err(|e| Failure(format!("invalid link:\n{e}")))
        }
        (Some(config), None) => {
            let text = read(config, MAX_CONFIG_BYTES)?;
            Experiment::from_json(&text).map_err(|e| Failure(format!("invalid config {}:\n{e}", config.display())))
        }
        (None, None) => Err(Failure("give a config file or --url".to_string())),
    }
}

/// Writes every figure of a session as SVG into `dir` (`figures::svg_figures`), one file per
/// figure named after it; returns the file names.
fn write_svgs(session: &Session, dir: &Path) -> Result<Vec<String>, Failure> {
    std::fs::create_dir_all(dir).map_err(|e| Failure(format!("cannot create {}: {e}", dir.display())))?;
    let figures = figures::svg_figures(session).map_err(|e| Failure(format!("cannot draw: {e}")))?;
    let mut names = Vec::new();
    for (name, svg) in figures {
        let file = format!("{name}.svg");
        let path = dir.join(&file);
        std::fs::write(&path, svg).map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
        names.push(file);
    }
    Ok(names)
}

/// `converge plot`: the session after `step` steps of every run (or at their end), its figures
/// written into `out`, their file names printed one per line.
fn plot(config: &Path, out: &Path, step: Option<u64>) -> Result<(), Failure> {
    let experiment = load(Some(config), None)?;
    let mut session = Session::new(experiment);
    session.set_recording(true);
    session.step(step.unwrap_or(u64::MAX));
    let names = write_svgs(&session, out)?;
    let mut stdout = std::io::stdout().lock();
    names.iter().try_for_each(|name| writeln!(stdout, "{name}")).map_err(write_failed("the file names"))
}

/// The snapshot of the session, serialized when it is reached: after the traces that step it.
struct LateSnapshot<'a>(&'a RefCell<Session>);

impl Serialize for LateSnapshot<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let session = self.0.try_borrow().map_err(|_| serde::ser::Error::custom("the session is still running"))?;
        session.snapshot().serialize(s)
    }
}

/// `converge run --trace json` on standard output: the traces, then the snapshot's fields.
#[derive(Serialize)]
struct TracedDocument<'a> {
    traces: JsonTraces<'a, Session>,
    #[serde(flatten)]
    snapshot: LateSnapshot<'a>,
}

/// Prints a snapshot as one line of JSON.
fn print_snapshot(out: &mut impl Write, snapshot: &Snapshot) -> Result<(), Failure> {
    serde_json::to_writer(&mut *out, snapshot).map_err(|e| Failure(format!("cannot write the snapshot: {e}")))?;
    writeln!(out).map_err(write_failed("the snapshot"))
}

/// What `converge run` writes besides the snapshot.
struct RunOutputs<'a> {
    trace: Option<TraceArg>,
    trace_file: Option<&'a Path>,
    svg: Option<&'a Path>,
    words: bool,
}

fn run(experiment: Experiment, outputs: RunOutputs) -> Result<(), Failure> {
    let RunOutputs { trace, trace_file, svg, words } = outputs;
    let format = trace.map(|t| match t {
        TraceArg::Json => TraceFormat::Json,
        TraceArg::Csv => TraceFormat::Csv,
    });
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut session = Session::new(experiment.clone());
    session.set_recording(svg.is_some());
    match (format, trace_file) {
        (None, _) => {
            session.step(u64::MAX);
        }
        (Some(format), Some(path)) => {
            let file = File::create(path).map_err(|e| Failure(format!("cannot create {}: {e}", path.display())))?;
            let mut file = BufWriter::new(file);
            let what = path.display().to_string();
            TraceWriter::new(format, session.problem().dim())
                .run_all(&mut session, &mut file)
                .map_err(write_failed(&what))?;
            file.flush().map_err(write_failed(&what))?;
        }
        (Some(TraceFormat::Json), None) => {
            let cell = RefCell::new(session);
            let document = TracedDocument { traces: JsonTraces::new(&cell), snapshot: LateSnapshot(&cell) };
            serde_json::to_writer(&mut out, &document).map_err(|e| Failure(format!("cannot write the trace: {e}")))?;
            writeln!(out).map_err(write_failed("the trace"))?;
            session = cell.into_inner();
        }
        (Some(TraceFormat::Csv), None) => {
            session.step(u64::MAX);
            print_snapshot(&mut out, &session.snapshot())?;
            let mut streamed = Session::new(experiment);
            TraceWriter::new(TraceFormat::Csv, streamed.problem().dim())
                .run_all(&mut streamed, &mut out)
                .map_err(write_failed("the trace"))?;
        }
    }
    if format.is_none() || trace_file.is_some() {
        print_snapshot(&mut out, &session.snapshot())?;
    }
    out.flush().map_err(write_failed("the output"))?;
    if words {
        write_words(&session)?;
    }
    if let Some(dir) = svg {
        write_svgs(&session, dir)?;
    }
    Ok(())
}

/// Each run's status line, "label: text", on standard error.
fn write_words(session: &Session) -> Result<(), Failure> {
    let mut err = BufWriter::new(std::io::stderr().lock());
    for run in session.runs() {
        let report = describe(run, session.problem());
        writeln!(err, "{}: {}", report.label, report.text).map_err(write_failed("the status lines"))?;
    }
    err.flush().map_err(write_failed("the status lines"))
}

fn replay(case: &Path) -> Result<(), Failure> {
    let text = read(case, MAX_CASE_BYTES)?;
    let parsed = Case::from_json(&text).map_err(|e| Failure(format!("invalid case {}:\n{e}", case.display())))?;
    drop(text);
    let mut out = BufWriter::new(std::io::stdout().lock());
    parsed.write_json(&mut out).map_err(write_failed("the replay"))?;
    writeln!(out).and_then(|()| out.flush()).map_err(write_failed("the replay"))
}

fn bench_suite(json: bool) -> Result<(), Failure> {
    let mut results = bench::run_suite(&bench::native_clock);
    // The basins' batched kernel (the page runs it in the analysis worker's wasm).
    results.push(bench::basins_bench(&bench::native_clock));
    let mut out = std::io::stdout().lock();
    let written = if json {
        writeln!(out, "{}", bench::results_json(&results))
    } else {
        results.iter().try_for_each(|r| match r.ms {
            Some(ms) => writeln!(out, "{:<24} {:>14.0} {}/s ({ms:.2} ms each)", r.name, r.steps_per_s, r.unit),
            None => writeln!(out, "{:<24} {:>14.0} {}/s", r.name, r.steps_per_s, r.unit),
        })
    };
    written.map_err(|e| Failure(e.to_string()))
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run { config, url, trace, trace_file, svg, words } => load(config.as_deref(), url.as_deref())
            .and_then(|experiment| {
                let outputs =
                    RunOutputs { trace: *trace, trace_file: trace_file.as_deref(), svg: svg.as_deref(), words: *words };
                run(experiment, outputs)
            }),
        Command::Plot { config, out, step } => plot(config, out, *step),
        Command::Replay { case } => replay(case),
        Command::Bench { json } => bench_suite(*json),
        Command::Catalog => print_catalog(),
        Command::Pytorch { config, run } => print_pytorch(config, *run),
        Command::Hyperband { max_resource, eta, plan: _ } => crate::search::plan(*max_resource, *eta),
        Command::Search { config, threads } => crate::search::search(config, *threads),
        Command::Analyse { config, url } => crate::analyse::run(config.as_deref(), url.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("converge: {message}");
            ExitCode::from(2)
        }
    }
}
