//! The parts of a PyTorch script that describe problems on data: the data sets as float64
//! literals that Python reads back exactly, the `linreg` and `logreg` objectives
//! (`problem::models`, same formulas, same order of terms), and a model trained on data
//! (`problem::training`, `model`): its sets exactly as generated and split, its network, loss,
//! penalties, minibatch and evaluation settings. The network code itself is
//! `pytorch_model.py`.

use std::fmt::Write;

use super::pytorch::{boolean, num};
use crate::model::{Head, ModelConfig, LEAKY_SLOPE};
use crate::problem::{LinregData, LogregData, TrainingProblem};
use crate::run::monitor::StopConfig;
use crate::run::{STREAM_BATCHES, STREAM_DROPOUT};

/// Numbers per line of a one-dimensional tensor literal.
const PER_LINE: usize = 6;

/// `torch.tensor([...])` of `values`, `width` numbers per row (1: a vector), one row per line.
pub fn tensor(values: &[f64], width: usize) -> String {
    let mut out = String::from("torch.tensor([\n");
    if width <= 1 {
        for line in values.chunks(PER_LINE) {
            let items: Vec<String> = line.iter().map(|v| num(*v)).collect();
            let _ = writeln!(out, "    {},", items.join(", "));
        }
    } else {
        for row in values.chunks(width) {
            let items: Vec<String> = row.iter().map(|v| num(*v)).collect();
            let _ = writeln!(out, "    [{}],", items.join(", "));
        }
    }
    out.push_str("])");
    out
}

/// `f(p)` of linear regression: (1/n)*sum (w*x_i + b - y_i)^2 + (l2*w^2 + l1*|w|).
pub fn linreg(data: &LinregData, l1: f64, l2: f64) -> String {
    let n = data.x.len().min(data.y.len());
    let mut out = String::new();
    let _ = writeln!(out, "X = {}", tensor(&data.x[..n], 1));
    let _ = writeln!(out, "Y = {}", tensor(&data.y[..n], 1));
    let _ = writeln!(out, "L1 = {}", num(l1));
    let _ = writeln!(out, "L2 = {}", num(l2));
    out.push_str(
        "\n\ndef f(p):\n    \"\"\"linreg: (1/n)*sum_i (w*x_i + b - y_i)^2 + l2*w^2 + l1*|w| (src/problem/models.rs)\"\"\"\n\
         \x20   w, b = p[0], p[1]\n\
         \x20   return ((w * X + b - Y) ** 2).mean() + (L2 * (w * w) + L1 * torch.abs(w))\n",
    );
    out
}

/// `f(p)` of logistic regression: (1/n)*sum [log(1 + exp(z_i)) - y_i*z_i] + penalties.
pub fn logreg(data: &LogregData, l1: f64, l2: f64) -> String {
    let n = data.x.len().min(data.y.len());
    let flat: Vec<f64> = data.x[..n].iter().flatten().copied().collect();
    let mut out = String::new();
    let _ = writeln!(out, "X = {}", tensor(&flat, 2));
    let _ = writeln!(out, "Y = {}", tensor(&data.y[..n], 1));
    let _ = writeln!(out, "L1 = {}", num(l1));
    let _ = writeln!(out, "L2 = {}", num(l2));
    out.push_str(
        "\n\ndef f(p):\n    \"\"\"logreg: (1/n)*sum_i [log(1 + exp(z_i)) - y_i*z_i] + l2*(w1^2 + w2^2) + l1*(|w1| + |w2|)\n\
         \x20   with z_i = w1*x_i1 + w2*x_i2 + b (src/problem/models.rs); log(1 + exp(z)) is logaddexp(0, z).\"\"\"\n\
         \x20   w1, w2, b = p[0], p[1], p[2]\n\
         \x20   z = w1 * X[:, 0] + w2 * X[:, 1] + b\n\
         \x20   data = (torch.logaddexp(torch.zeros_like(z), z) - Y * z).mean()\n\
         \x20   return data + (L2 * (w1 * w1 + w2 * w2) + L1 * (torch.abs(w1) + torch.abs(w2)))\n",
    );
    out
}

/// The name of a head as `pytorch_model.py` reads it.
fn head_name(head: Head) -> &'static str {
    match head {
        Head::Identity => "identity",
        Head::Logit => "logit",
        Head::Tanh => "tanh",
    }
}

/// The constants of a model trained on data: the sets, the network and the training settings.
pub fn model(problem: &TrainingProblem, seed: u64, stop: &StopConfig) -> String {
    let model = &problem.model;
    let widths: Vec<String> = model.layer_sizes().iter().map(usize::to_string).collect();
    let degree = match problem.model_config() {
        ModelConfig::Polynomial { degree } => *degree,
        _ => 0,
    };
    let regularization = model.regularization();
    let (train, validation) = (&problem.train, &problem.validation);
    let mut out = String::new();
    let _ = writeln!(out, "# The data exactly as the playground generated and split them from seed {seed}.");
    let _ = writeln!(out, "X_TRAIN = {}", tensor(&train.inputs, train.input_dim));
    let _ = writeln!(out, "Y_TRAIN = {}", tensor(&train.targets, 1));
    let _ = writeln!(out, "X_VALID = {}", tensor(&validation.inputs, validation.input_dim));
    let _ = writeln!(out, "Y_VALID = {}", tensor(&validation.targets, 1));
    if train.input_dim == 1 {
        // One feature per row: the vectors above become columns.
        let _ = writeln!(out, "X_TRAIN, X_VALID = X_TRAIN[:, None], X_VALID[:, None]");
    }
    let _ = writeln!(out);
    let _ =
        writeln!(out, "# {}: dense layers of these widths (features, hidden layers, output).", problem.display_name());
    let _ = writeln!(out, "WIDTHS = [{}]", widths.join(", "));
    let _ = writeln!(out, "DEGREE = {degree}");
    let _ = writeln!(out, "ACTIVATION = '{}'", model.activation().name());
    let _ = writeln!(out, "LEAKY_SLOPE = {}", num(LEAKY_SLOPE));
    let _ = writeln!(out, "HEAD = '{}'", head_name(model.head()));
    let _ = writeln!(out, "LOSS = '{}'", model.loss_function().name());
    let _ = writeln!(out, "L1 = {}", num(regularization.l1));
    let _ = writeln!(out, "L2 = {}", num(regularization.l2));
    let _ = writeln!(out, "DROPOUT = {}", num(regularization.dropout));
    let _ = writeln!(out, "SEED = {seed}");
    let _ = writeln!(out, "STREAM_BATCHES = {STREAM_BATCHES}");
    let _ = writeln!(out, "STREAM_DROPOUT = {STREAM_DROPOUT}");
    let _ = writeln!(out, "BATCH_SIZE = {}", problem.batch_size());
    let _ = writeln!(out, "STOCHASTIC = {}", boolean(problem.is_stochastic()));
    let _ = writeln!(out, "SHUFFLE = {}", boolean(problem.shuffles()));
    let _ = writeln!(out, "EVAL_EVERY = {}", problem.eval_every());
    let _ = match &stop.early_stopping {
        Some(c) => writeln!(
            out,
            "EARLY_STOPPING = {{'patience': {}, 'min_delta': {}, 'restore_best': {}, 'stop': {}}}",
            c.patience,
            num(c.min_delta),
            boolean(c.restore_best),
            boolean(c.stop)
        ),
        None => writeln!(out, "EARLY_STOPPING = None"),
    };
    out
}
