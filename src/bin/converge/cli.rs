//! `converge`: runs Convergence Playground experiments headless.
//!
//! - `converge run CONFIG.json [--trace json|csv] [--trace-file PATH]`: runs every run to its
//!   end and prints the final snapshot as JSON. `converge run --url LINK_OR_HASH` runs the
//!   experiment held in a page link's URL hash instead (see `convergence::urlstate`).
//!   `--svg DIR` also draws every figure as SVG.
//! - `converge replay CASE.json`: replays a reference case and prints params, loss and lr.
//! - `converge bench [--json]`: the benchmark suite of `www/bench.html`, natively.
//! - `converge hyperband --max-resource R --eta ETA --plan`: Hyperband's brackets and rounds.
//! - `converge search CONFIG.json [--threads N]`: the config's hyperparameter search, every
//!   trial and the best configuration as JSON (see `search.rs`).
//!
//! Bad input exits with status 2 and a message on stderr naming the field.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use convergence::bench;
use convergence::chart::figures;
use convergence::config::Experiment;
use convergence::replay::Case;
use convergence::session::Session;
use convergence::trace::{TraceFormat, TraceWriter};

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
        /// Also draw the figures as SVG files into this folder (landscape.svg for 2-D
        /// problems, loss.svg, lr.svg, grad_norm.svg, delta_norm.svg).
        #[arg(long, value_name = "DIR")]
        svg: Option<PathBuf>,
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
    /// Run the benchmark suite and print steps per second.
    Bench {
        /// Print {"benchmarks": [{"name", "steps_per_s"}]}.
        #[arg(long)]
        json: bool,
    },
}

/// A failure to report on stderr with exit status 2.
pub(crate) struct Failure(pub(crate) String);

fn read(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure(format!("cannot read {}: {e}", path.display())))
}

/// The experiment from a config file, or from a link's hash when `url` is given.
fn load(config: Option<&Path>, url: Option<&str>) -> Result<Experiment, Failure> {
    match (config, url) {
        (_, Some(url)) => convergence::urlstate::decode(url).map_err(|e| Failure(format!("invalid link:\n{e}"))),
        (Some(config), None) => {
            let text = read(config)?;
            Experiment::from_json(&text).map_err(|e| Failure(format!("invalid config {}:\n{e}", config.display())))
        }
        (None, None) => Err(Failure("give a config file or --url".to_string())),
    }
}

/// Writes every figure of a finished session as SVG into `dir`.
fn write_svgs(session: &Session, dir: &Path) -> Result<(), Failure> {
    let failed = |e: String| Failure(format!("cannot draw: {e}"));
    std::fs::create_dir_all(dir).map_err(|e| Failure(format!("cannot create {}: {e}", dir.display())))?;
    let mut files: Vec<(String, String)> = Vec::new();
    if let Some(view) = session.problem().view_box() {
        files.push(("landscape.svg".into(), figures::landscape_svg(session, view, 480).map_err(failed)?));
    }
    for kind in figures::CHART_KINDS {
        files.push((format!("{kind}.svg"), figures::chart_svg(session, kind, (640, 300)).map_err(failed)?));
    }
    for (name, svg) in files {
        let path = dir.join(name);
        std::fs::write(&path, svg).map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

fn run(
    experiment: Experiment,
    trace: Option<TraceArg>,
    trace_file: Option<&Path>,
    svg: Option<&Path>,
) -> Result<(), Failure> {
    let mut session = Session::new(experiment);
    session.set_recording(svg.is_some());
    let stdout = std::io::stdout();
    let Some(format) = trace else {
        session.run_until_stopped(u64::MAX);
        if let Some(dir) = svg {
            write_svgs(&session, dir)?;
        }
        return writeln!(stdout.lock(), "{}", session.snapshot().to_json()).map_err(|e| Failure(e.to_string()));
    };
    let format = match format {
        TraceArg::Json => TraceFormat::Json,
        TraceArg::Csv => TraceFormat::Csv,
    };
    let mut buffer: Vec<u8> = Vec::new();
    let mut writer = TraceWriter::new(format, session.problem().dim());
    writer.run_all(&mut session, &mut buffer).map_err(|e| Failure(e.to_string()))?;
    if let Some(dir) = svg {
        write_svgs(&session, dir)?;
    }
    let snapshot = session.snapshot().to_json();
    let trace_text = String::from_utf8_lossy(&buffer);
    let mut out = stdout.lock();
    let result = match (trace_file, format) {
        (Some(path), _) => {
            std::fs::write(path, trace_text.as_bytes())
                .map_err(|e| Failure(format!("cannot write {}: {e}", path.display())))?;
            writeln!(out, "{snapshot}")
        }
        // One JSON document: the snapshot with the traces added.
        (None, TraceFormat::Json) => {
            let body = snapshot.strip_suffix('}').unwrap_or(&snapshot);
            writeln!(out, "{body},\"traces\":{trace_text}}}")
        }
        // The snapshot on the first line, then the CSV.
        (None, TraceFormat::Csv) => write!(out, "{snapshot}\n{trace_text}"),
    };
    result.map_err(|e| Failure(e.to_string()))
}

fn replay(case: &Path) -> Result<(), Failure> {
    let text = read(case)?;
    let parsed = Case::from_json(&text).map_err(|e| Failure(format!("invalid case {}:\n{e}", case.display())))?;
    writeln!(std::io::stdout().lock(), "{}", parsed.replay().to_json()).map_err(|e| Failure(e.to_string()))
}

fn bench_suite(json: bool) -> Result<(), Failure> {
    let results = bench::run_suite(&bench::native_clock);
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
        Command::Run { config, url, trace, trace_file, svg } => load(config.as_deref(), url.as_deref())
            .and_then(|experiment| run(experiment, *trace, trace_file.as_deref(), svg.as_deref())),
        Command::Replay { case } => replay(case),
        Command::Bench { json } => bench_suite(*json),
        Command::Hyperband { max_resource, eta, plan: _ } => crate::search::plan(*max_resource, *eta),
        Command::Search { config, threads } => crate::search::search(config, *threads),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("converge: {message}");
            ExitCode::from(2)
        }
    }
}
