//! "Reproduce in PyTorch": a short, runnable Python script that replays one run of an
//! experiment with torch (float64), `torch.optim` and `torch.optim.lr_scheduler`, under the
//! project's loop convention and stopping rule, and prints where it ended as JSON in the form of
//! `converge run` (`{"label", "step", "loss", "params", "status": {"state", ...}}`).
//!
//! The loop is the one of `run::Run::step_once` (and of `tests/reference/README.md`):
//!
//! ```text
//! for t in 0..:
//!     loss[t], grad[t] = f(params[t]);  check the point (divergence, grad norm, target, plateau)
//!     if stopped or t == max_steps: break
//!     optimizer.step();  scheduler.step()  (ReduceLROnPlateau: scheduler.step(loss[t]))
//!     check the update (parameter change)
//! ```
//!
//! with the monitor's tests (`run::monitor`) written out in Python, comparison for comparison,
//! so the script stops at the same step. Covered: the 2-D landscapes and typed functions
//! (`pytorch_expression.rs`), `linreg`, `logreg` and models trained on data (`pytorch_data.rs`,
//! whose network, batches and evaluations are `pytorch_model.py`, hooked into the loop); every
//! optimizer torch has, plus Lookahead around one (both variants, written out); every schedule
//! torch has; L-BFGS on minibatches with a closure that evaluates as the playground's L-BFGS
//! does (the step's minibatch first, then the full training set). The optimizers torch lacks
//! (Lion, Newton, SGDHD, AdamHD) are refused with a message that says so.

use std::fmt::Write;

use super::pytorch_data;
use super::pytorch_expression::torch_expression;
use crate::config::Experiment;
use crate::optim::OptimizerConfig;
use crate::problem::{Problem, ProblemConfig};
use crate::run::monitor::{ChangeMode, StopConfig};
use crate::run::session::Session;
use crate::schedule::{LrLambda, ScheduleConfig};

/// A float as Python reads it back exactly (Rust's shortest round-trip form; `inf`, `nan`).
pub(super) fn num(x: f64) -> String {
    if x.is_nan() {
        "float('nan')".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "float('inf')".into()
        } else {
            "-float('inf')".into()
        }
    } else {
        format!("{x:?}")
    }
}

/// A config enum's JSON name (`"cos"`, `"exp_range"`, `"rel"`), which torch spells the same.
fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        _ => String::new(),
    }
}

pub(super) fn boolean(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

fn ints(values: &[u64]) -> String {
    let items: Vec<String> = values.iter().map(u64::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// The landscape as a torch expression in `x` and `y`, written as `Landscape::value` computes
/// it (the same operations in the same order).
fn landscape(problem: &ProblemConfig) -> Result<String, String> {
    Ok(match *problem {
        ProblemConfig::Quadratic { a, b } => format!("0.5 * ({} * (x * x) + {} * (y * y))", num(a), num(b)),
        ProblemConfig::Rosenbrock { a, b } => {
            format!("({a} - x) ** 2 + {b} * ((y - x * x) ** 2)", a = num(a), b = num(b))
        }
        ProblemConfig::Himmelblau {} => "(x * x + y - 11.0) ** 2 + (x + y * y - 7.0) ** 2".into(),
        ProblemConfig::Rastrigin { a } => format!(
            "{a} * 2.0 + (x * x - {a} * torch.cos(2.0 * math.pi * x)) + (y * y - {a} * torch.cos(2.0 * math.pi * y))",
            a = num(a)
        ),
        ProblemConfig::Beale {} => {
            "(1.5 - x + x * y) ** 2 + (2.25 - x + x * (y * y)) ** 2 + (2.625 - x + x * (y * y * y)) ** 2".into()
        }
        ProblemConfig::Booth {} => "(x + 2.0 * y - 7.0) ** 2 + (2.0 * x + y - 5.0) ** 2".into(),
        ProblemConfig::ThreeHumpCamel {} => {
            "2.0 * (x * x) - 1.05 * ((x * x) * (x * x)) + (x * x) * (x * x) * (x * x) / 6.0 + x * y + y * y".into()
        }
        ProblemConfig::SixHumpCamel {} => {
            "(4.0 - 2.1 * (x * x) + (x * x) * (x * x) / 3.0) * (x * x) + x * y + (-4.0 + 4.0 * (y * y)) * (y * y)"
                .into()
        }
        ProblemConfig::StyblinskiTang {} => "0.5 * (((x * x) * (x * x) - 16.0 * (x * x) + 5.0 * x) \
             + ((y * y) * (y * y) - 16.0 * (y * y) + 5.0 * y))"
            .into(),
        ProblemConfig::GoldsteinPrice {} => {
            "(1.0 + ((x + y + 1.0) ** 2) * (19.0 - 14.0 * x + 3.0 * (x * x) - 14.0 * y \
             + 6.0 * x * y + 3.0 * (y * y))) * (30.0 + ((2.0 * x - 3.0 * y) ** 2) * (18.0 - 32.0 * x \
             + 12.0 * (x * x) + 48.0 * y - 36.0 * x * y + 27.0 * (y * y)))"
                .into()
        }
        ProblemConfig::Ackley { a, b, c } => format!(
            "-{a} * torch.exp(-{b} * torch.sqrt(0.5 * (x * x + y * y))) \
             - torch.exp(0.5 * (torch.cos({c} * x) + torch.cos({c} * y))) + math.e + {a}",
            a = num(a),
            b = num(b),
            c = num(c)
        ),
        ProblemConfig::Saddle {} => "x * x - y * y".into(),
        ProblemConfig::Matyas {} => "0.26 * (x * x + y * y) - 0.48 * x * y".into(),
        ProblemConfig::McCormick {} => "torch.sin(x + y) + (x - y) ** 2 - 1.5 * x + 2.5 * y + 1.0".into(),
        ProblemConfig::Linreg { .. }
        | ProblemConfig::Logreg { .. }
        | ProblemConfig::Model(_)
        | ProblemConfig::Custom { .. } => {
            return Err(format!("problem.name: `{}` is not a landscape of (x, y)", problem.name()))
        }
    })
}

/// The torch optimizer over `[p]` (Lookahead: its inner one), as a Python expression.
fn optimizer(config: &OptimizerConfig) -> Result<String, String> {
    let lr = |lr: f64| num(lr);
    let betas = |b: [f64; 2]| format!("({}, {})", num(b[0]), num(b[1]));
    Ok(match config {
        OptimizerConfig::SGD { lr: l, momentum, dampening, weight_decay, nesterov } => format!(
            "torch.optim.SGD([p], lr={}, momentum={}, dampening={}, weight_decay={}, nesterov={}, foreach=False)",
            lr(*l),
            num(*momentum),
            num(*dampening),
            num(*weight_decay),
            boolean(*nesterov)
        ),
        OptimizerConfig::Adagrad { lr: l, lr_decay, weight_decay, initial_accumulator_value, eps } => format!(
            "torch.optim.Adagrad([p], lr={}, lr_decay={}, weight_decay={}, initial_accumulator_value={}, eps={}, foreach=False)",
            lr(*l),
            num(*lr_decay),
            num(*weight_decay),
            num(*initial_accumulator_value),
            num(*eps)
        ),
        OptimizerConfig::RMSprop { lr: l, alpha, eps, weight_decay, momentum, centered } => format!(
            "torch.optim.RMSprop([p], lr={}, alpha={}, eps={}, weight_decay={}, momentum={}, centered={}, foreach=False)",
            lr(*l),
            num(*alpha),
            num(*eps),
            num(*weight_decay),
            num(*momentum),
            boolean(*centered)
        ),
        // Adam with decoupled weight decay is AdamW's update, which every torch 2.x has.
        OptimizerConfig::Adam { lr: l, betas: b, eps, weight_decay, amsgrad, decoupled_weight_decay } => format!(
            "torch.optim.{}([p], lr={}, betas={}, eps={}, weight_decay={}, amsgrad={}, foreach=False)",
            if *decoupled_weight_decay { "AdamW" } else { "Adam" },
            lr(*l),
            betas(*b),
            num(*eps),
            num(*weight_decay),
            boolean(*amsgrad)
        ),
        OptimizerConfig::AdamW { lr: l, betas: b, eps, weight_decay, amsgrad } => format!(
            "torch.optim.AdamW([p], lr={}, betas={}, eps={}, weight_decay={}, amsgrad={}, foreach=False)",
            lr(*l),
            betas(*b),
            num(*eps),
            num(*weight_decay),
            boolean(*amsgrad)
        ),
        OptimizerConfig::NAdam { lr: l, betas: b, eps, weight_decay, momentum_decay, decoupled_weight_decay } => format!(
            "torch.optim.NAdam([p], lr={}, betas={}, eps={}, weight_decay={}, momentum_decay={}, decoupled_weight_decay={}, foreach=False)",
            lr(*l),
            betas(*b),
            num(*eps),
            num(*weight_decay),
            num(*momentum_decay),
            boolean(*decoupled_weight_decay)
        ),
        OptimizerConfig::RAdam { lr: l, betas: b, eps, weight_decay, decoupled_weight_decay } => format!(
            "torch.optim.RAdam([p], lr={}, betas={}, eps={}, weight_decay={}, decoupled_weight_decay={}, foreach=False)",
            lr(*l),
            betas(*b),
            num(*eps),
            num(*weight_decay),
            boolean(*decoupled_weight_decay)
        ),
        OptimizerConfig::Adamax { lr: l, betas: b, eps, weight_decay } => format!(
            "torch.optim.Adamax([p], lr={}, betas={}, eps={}, weight_decay={}, foreach=False)",
            lr(*l),
            betas(*b),
            num(*eps),
            num(*weight_decay)
        ),
        OptimizerConfig::Adadelta { lr: l, rho, eps, weight_decay } => format!(
            "torch.optim.Adadelta([p], lr={}, rho={}, eps={}, weight_decay={}, foreach=False)",
            lr(*l),
            num(*rho),
            num(*eps),
            num(*weight_decay)
        ),
        OptimizerConfig::LBFGS {
            lr: l,
            max_iter,
            max_eval,
            tolerance_grad,
            tolerance_change,
            history_size,
            line_search_fn,
        } => format!(
            "torch.optim.LBFGS([p], lr={}, max_iter={max_iter}, max_eval={}, tolerance_grad={}, tolerance_change={}, history_size={history_size}, line_search_fn={})",
            lr(*l),
            max_eval.map_or("None".to_string(), |e| e.to_string()),
            num(*tolerance_grad),
            num(*tolerance_change),
            line_search_fn.map_or("None".to_string(), |l| format!("'{}'", name_of(&l)))
        ),
        OptimizerConfig::Lookahead { inner, .. } => optimizer(inner)?,
        other => {
            return Err(format!(
                "optimizer.name: {} is not in torch.optim, so no script can reproduce it with torch",
                other.name()
            ))
        }
    })
}

/// The torch scheduler on `optimizer` as a Python expression, or None for the constant lr.
fn scheduler(config: &ScheduleConfig) -> Result<Option<String>, String> {
    let s = "torch.optim.lr_scheduler";
    Ok(Some(match config {
        ScheduleConfig::Constant {} => return Ok(None),
        ScheduleConfig::StepLR { step_size, gamma } => format!("{s}.StepLR(optimizer, step_size={step_size}, gamma={})", num(*gamma)),
        ScheduleConfig::MultiStepLR { milestones, gamma } => {
            format!("{s}.MultiStepLR(optimizer, milestones={}, gamma={})", ints(milestones), num(*gamma))
        }
        ScheduleConfig::ExponentialLR { gamma } => format!("{s}.ExponentialLR(optimizer, gamma={})", num(*gamma)),
        ScheduleConfig::CosineAnnealingLR { t_max, eta_min } => {
            format!("{s}.CosineAnnealingLR(optimizer, T_max={t_max}, eta_min={})", num(*eta_min))
        }
        ScheduleConfig::CosineAnnealingWarmRestarts { t_0, t_mult, eta_min } => format!(
            "{s}.CosineAnnealingWarmRestarts(optimizer, T_0={t_0}, T_mult={t_mult}, eta_min={})",
            num(*eta_min)
        ),
        ScheduleConfig::ConstantLR { factor, total_iters } => {
            format!("{s}.ConstantLR(optimizer, factor={}, total_iters={total_iters})", num(*factor))
        }
        ScheduleConfig::LinearLR { start_factor, end_factor, total_iters } => format!(
            "{s}.LinearLR(optimizer, start_factor={}, end_factor={}, total_iters={total_iters})",
            num(*start_factor),
            num(*end_factor)
        ),
        ScheduleConfig::PolynomialLR { total_iters, power } => {
            format!("{s}.PolynomialLR(optimizer, total_iters={total_iters}, power={})", num(*power))
        }
        ScheduleConfig::LambdaLR { function, t0 } => match function {
            LrLambda::InverseTime => format!(
                "{s}.LambdaLR(optimizer, lr_lambda=lambda t: 1.0 / (1.0 + t / {}))",
                num(t0.unwrap_or(f64::NAN))
            ),
            LrLambda::InverseSqrt => format!("{s}.LambdaLR(optimizer, lr_lambda=lambda t: 1.0 / math.sqrt(t + 1.0))"),
        },
        ScheduleConfig::SequentialLR { schedulers, milestones } => {
            let mut children = Vec::new();
            for child in schedulers {
                children.push(scheduler(child)?.ok_or("schedule.schedulers: the constant schedule has no torch class")?);
            }
            format!("{s}.SequentialLR(optimizer, schedulers=[{}], milestones={})", children.join(", "), ints(milestones))
        }
        ScheduleConfig::OneCycleLR {
            max_lr,
            total_steps,
            pct_start,
            anneal_strategy,
            cycle_momentum,
            base_momentum,
            max_momentum,
            div_factor,
            final_div_factor,
            three_phase,
        } => format!(
            "{s}.OneCycleLR(optimizer, max_lr={}, total_steps={total_steps}, pct_start={}, anneal_strategy='{}', cycle_momentum={}, base_momentum={}, max_momentum={}, div_factor={}, final_div_factor={}, three_phase={})",
            num(*max_lr),
            num(*pct_start),
            name_of(anneal_strategy),
            boolean(*cycle_momentum),
            num(*base_momentum),
            num(*max_momentum),
            num(*div_factor),
            num(*final_div_factor),
            boolean(*three_phase)
        ),
        ScheduleConfig::CyclicLR {
            base_lr,
            max_lr,
            step_size_up,
            step_size_down,
            mode,
            gamma,
            cycle_momentum,
            base_momentum,
            max_momentum,
        } => format!(
            "{s}.CyclicLR(optimizer, base_lr={}, max_lr={}, step_size_up={}, step_size_down={}, mode='{}', gamma={}, cycle_momentum={}, base_momentum={}, max_momentum={})",
            num(*base_lr),
            num(*max_lr),
            num(*step_size_up),
            step_size_down.map_or("None".to_string(), num),
            name_of(mode),
            num(*gamma),
            boolean(*cycle_momentum),
            num(*base_momentum),
            num(*max_momentum)
        ),
        ScheduleConfig::ReduceLROnPlateau { mode, factor, patience, threshold, threshold_mode, cooldown, min_lr, eps } => {
            format!(
                "{s}.ReduceLROnPlateau(optimizer, mode='{}', factor={}, patience={patience}, threshold={}, threshold_mode='{}', cooldown={cooldown}, min_lr={}, eps={})",
                name_of(mode),
                num(*factor),
                num(*threshold),
                name_of(threshold_mode),
                num(*min_lr),
                num(*eps)
            )
        }
    }))
}

/// The stopping rule's settings as Python constants (`None` for a criterion that is off).
fn stop_constants(stop: &StopConfig) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "MAX_STEPS = {}", stop.max_steps);
    let _ = writeln!(out, "DIVERGENCE_FACTOR = {}", num(stop.divergence.factor));
    let _ = match &stop.grad_norm {
        Some(c) => writeln!(out, "GRAD_NORM = {{'tol': {}, 'stop': {}}}", num(c.tol), boolean(c.stop)),
        None => writeln!(out, "GRAD_NORM = None"),
    };
    let _ = match &stop.target_loss {
        Some(c) => writeln!(out, "TARGET_LOSS = {{'value': {}, 'stop': {}}}", num(c.value), boolean(c.stop)),
        None => writeln!(out, "TARGET_LOSS = None"),
    };
    let _ = match &stop.loss_plateau {
        Some(c) => writeln!(
            out,
            "LOSS_PLATEAU = {{'tol': {}, 'patience': {}, 'relative': {}, 'stop': {}}}",
            num(c.tol),
            c.patience,
            boolean(matches!(c.mode, ChangeMode::Rel)),
            boolean(c.stop)
        ),
        None => writeln!(out, "LOSS_PLATEAU = None"),
    };
    let _ = match &stop.param_change {
        Some(c) => writeln!(
            out,
            "PARAM_CHANGE = {{'tol': {}, 'patience': {}, 'stop': {}}}",
            num(c.tol),
            c.patience,
            boolean(c.stop)
        ),
        None => writeln!(out, "PARAM_CHANGE = None"),
    };
    out
}

/// The optimizer that takes the steps (Lookahead's inner one).
fn innermost(config: &OptimizerConfig) -> &OptimizerConfig {
    match config {
        OptimizerConfig::Lookahead { inner, .. } => innermost(inner),
        other => other,
    }
}

/// The loop and the monitor, the same for every script (see the module header).
const LOOP: &str = include_str!("pytorch_loop.py");

/// What the script minimises: a landscape or a typed function of (x, y), a regression on
/// inline data, or a model trained on data.
enum Objective {
    /// `f(p)` of a function of `x` and `y`: the docstring and the torch expression.
    Plane(String, String),
    /// The data and `f(p)` of `linreg` or `logreg`.
    Regression(String),
    /// The constants of a model trained on data (`pytorch_model.py` does the rest).
    Model(String),
}

/// The objective of `experiment` as Python; an error names what torch cannot reproduce.
fn objective(experiment: &Experiment, session: &Session) -> Result<Objective, String> {
    Ok(match (&experiment.problem, session.problem()) {
        (ProblemConfig::Linreg { data, l1, l2 }, _) => Objective::Regression(pytorch_data::linreg(data, *l1, *l2)),
        (ProblemConfig::Logreg { data, l1, l2 }, _) => Objective::Regression(pytorch_data::logreg(data, *l1, *l2)),
        (ProblemConfig::Custom { f }, Problem::Custom(expression)) => {
            Objective::Plane(format!("custom: {}", f.escape_default()), torch_expression(expression))
        }
        (ProblemConfig::Model(_), Problem::Model(training)) => {
            Objective::Model(pytorch_data::model(training, experiment.seed, &experiment.stop))
        }
        (problem, _) => Objective::Plane(problem.name().to_string(), landscape(problem)?),
    })
}

/// The loop of a model: the landscape loop with the minibatch, the evaluations and early stopping
/// of `pytorch_model.py` hooked in (each anchor is a line of `pytorch_loop.py`).
fn model_loop(minibatch_lbfgs: bool) -> Result<String, String> {
    const HOOKS: [(&str, &str); 5] = [
        (
            "    visited = p.detach().tolist()\n",
            "    if t == 0 and EVAL_EVERY > 0 and not evaluations:\n        evaluate_model(0)\n    next_batch()\n    visited = p.detach().tolist()\n",
        ),
        ("\nwith torch.no_grad():\n", "    after_update()\n\nwith torch.no_grad():\n"),
        ("    final_loss = f(p).item()\n", "    final_loss = objective(p).item()\n"),
        (
            "'status': status}))\n",
            "'status': status, 'training': training()}))\n",
        ),
        // L-BFGS on minibatches: the closure of `MINIBATCH_LBFGS` (only when it is written).
        ("        optimizer.step(evaluate)\n", "        optimizer.step(minibatch_lbfgs_closure())\n"),
    ];
    let mut text = LOOP.to_string();
    let hooks = if minibatch_lbfgs { &HOOKS[..] } else { &HOOKS[..4] };
    for &(anchor, replacement) in hooks {
        if text.matches(anchor).count() != 1 {
            return Err(format!("internal: the loop has no single line {anchor:?} to hook the model into"));
        }
        text = text.replacen(anchor, replacement, 1);
    }
    Ok(text)
}

/// The network, batches and evaluations of a model (see its header).
const MODEL: &str = include_str!("pytorch_model.py");

/// The closure of L-BFGS on minibatches, as the playground's L-BFGS evaluates inside one step
/// (`optim::lbfgs`, `run::Run::step_once`): the step's own minibatch first (with its dropout
/// masks: the loss and gradient the step is handed), then the full training set without dropout
/// at every point the iterations and the line search try (`Problem::loss_grad`).
const MINIBATCH_LBFGS: &str = r#"def minibatch_lbfgs_closure():
    """L-BFGS's closure for one step: the step's minibatch on the first call, then the full
    training set without dropout (`objective`), as the playground's L-BFGS evaluates."""
    calls = [0]

    def closure():
        calls[0] += 1
        optimizer.zero_grad()
        loss = f(p) if calls[0] == 1 else objective(p)
        loss.backward()
        return loss

    return closure"#;

/// The script that reproduces run `index` of `experiment`; an error names the part torch cannot
/// reproduce.
pub fn script(experiment: &Experiment, index: usize) -> Result<String, String> {
    let run = experiment.runs.get(index).ok_or_else(|| format!("run: there is no run {index}"))?;
    let session = Session::new(experiment.clone());
    let objective = objective(experiment, &session)?;
    let make_optimizer = optimizer(&run.optimizer)?;
    let make_scheduler = scheduler(&run.schedule)?;
    // The start the run really uses (the config's, the problem's default start, or a model's
    // seeded initial weights).
    let x0 = session.runs().get(index).map(|r| r.x0().to_vec()).unwrap_or_default();
    let start: Vec<String> = x0.iter().map(|x| num(*x)).collect();
    let lookahead = match &run.optimizer {
        OptimizerConfig::Lookahead { k, alpha, variant, .. } => {
            format!("LOOKAHEAD = {{'k': {k}, 'alpha': {}, 'variant': '{}'}}", num(*alpha), name_of(variant))
        }
        _ => "LOOKAHEAD = None".into(),
    };
    let plateau_scheduler = matches!(run.schedule, ScheduleConfig::ReduceLROnPlateau { .. });
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Reproduces run {index} (\"{}\") of a Convergence Playground experiment with PyTorch,",
        run.label.escape_default()
    );
    let _ = writeln!(out, "# in float64: torch.optim for the optimizer, torch.optim.lr_scheduler for the schedule,");
    let _ = writeln!(out, "# and the playground's loop and stopping rule written out below.");
    let _ =
        writeln!(out, "# Written by `converge pytorch`; prints the end of the run as JSON, as `converge run` does.");
    if let Objective::Model(_) = objective {
        if let Problem::Model(training) = session.problem() {
            if training.model.regularization().dropout > 0.0 {
                let _ = writeln!(
                    out,
                    "# Dropout: the masks are the playground's own, drawn by its generator (PCG32, ported below)."
                );
            }
        }
    }
    let _ = writeln!(out, "import json");
    let _ = writeln!(out, "import math");
    let _ = writeln!(out, "import torch");
    let _ = writeln!(out);
    let _ = writeln!(out, "torch.set_default_dtype(torch.float64)");
    let _ = writeln!(out, "LABEL = {:?}", run.label);
    let _ = writeln!(out);
    match &objective {
        Objective::Plane(name, expression) => {
            let _ = writeln!(out);
            let _ = writeln!(out, "def f(p):");
            let _ = writeln!(out, "    \"\"\"{name}\"\"\"");
            let _ = writeln!(out, "    x, y = p[0], p[1]");
            let _ = writeln!(out, "    return {expression}");
            let _ = writeln!(out);
        }
        Objective::Regression(code) | Objective::Model(code) => out.push_str(code),
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "p = torch.tensor([{}], requires_grad=True)", wrapped(&start));
    let _ = writeln!(out, "optimizer = {make_optimizer}");
    let _ = writeln!(out, "scheduler = {}", make_scheduler.as_deref().unwrap_or("None"));
    let _ = writeln!(out, "PLATEAU_SCHEDULER = {}", boolean(plateau_scheduler));
    // torch's OneCycleLR refuses to step past its last step; the playground holds its last lr.
    let hold = match run.schedule {
        ScheduleConfig::OneCycleLR { total_steps, .. } => total_steps.saturating_sub(1).to_string(),
        _ => "None".into(),
    };
    let _ = writeln!(out, "SCHEDULE_LAST_STEP = {hold}");
    let _ = writeln!(out, "LBFGS = {}", boolean(matches!(innermost(&run.optimizer), OptimizerConfig::LBFGS { .. })));
    let _ = writeln!(out, "{lookahead}");
    out.push_str(&stop_constants(&experiment.stop));
    out.push('\n');
    if let Objective::Model(_) = objective {
        out.push_str(MODEL);
        out.push_str("\n\n");
        let minibatch_lbfgs = matches!(session.problem(), Problem::Model(training) if training.is_stochastic())
            && matches!(innermost(&run.optimizer), OptimizerConfig::LBFGS { .. });
        if minibatch_lbfgs {
            out.push_str(MINIBATCH_LBFGS);
            out.push_str("\n\n");
        }
        out.push_str(&model_loop(minibatch_lbfgs)?);
    } else {
        out.push_str(LOOP);
    }
    Ok(out)
}

/// Numbers joined by commas, on lines of at most about 100 characters when there are many.
fn wrapped(items: &[String]) -> String {
    if items.len() <= 8 {
        return items.join(", ");
    }
    let mut out = String::from("\n");
    for line in items.chunks(PARAMS_PER_LINE) {
        out.push_str("    ");
        out.push_str(&line.join(", "));
        out.push_str(",\n");
    }
    out
}

/// Parameters per line of a long start vector.
const PARAMS_PER_LINE: usize = 5;
