//! The optimizers as the page presents them: title, blurb, kind of weight decay and each
//! hyperparameter's label and help; names and defaults come from `OptimizerConfig`.

use serde_json::{Map, Value};

use super::{check_rows, fields_of, read_back, Entry, Field, Words, WORDS};
use crate::config::tagged::Tagged;
use crate::optim::OptimizerConfig;

/// One optimizer's words: name, title, blurb and how it decays weights ("coupled": L2 added to
/// the gradient; "decoupled": the weights shrink directly; "switch": coupled unless
/// `decoupled_weight_decay`; "": no weight decay).
const TEXTS: [(&str, &str, &str, &str); 14] = [
    ("SGD", "SGD (gradient descent)", "Steps downhill: w ← w − lr·g. Momentum keeps a running velocity; Nesterov looks ahead.", "coupled"),
    ("Adagrad", "Adagrad", "Divides each coordinate’s step by the root of the sum of all its past squared gradients.", "coupled"),
    ("RMSprop", "RMSprop", "Divides each coordinate’s step by a running root-mean-square of its gradients.", "coupled"),
    ("Adam", "Adam", "Momentum on the gradient (β₁) divided by a running RMS of the gradient (β₂), with bias correction.", "switch"),
    ("AdamW", "AdamW", "Adam with decoupled weight decay (Loshchilov & Hutter 2019).", "decoupled"),
    ("NAdam", "NAdam", "Adam with Nesterov momentum.", "switch"),
    ("RAdam", "RAdam", "Adam that rectifies the variance of the adaptive step in the first steps.", "switch"),
    ("Adamax", "Adamax", "Adam with the infinity norm in place of the RMS.", "coupled"),
    ("Adadelta", "Adadelta", "Scales steps by the ratio of running RMS of past updates to running RMS of gradients.", "coupled"),
    ("LBFGS", "L-BFGS", "Quasi-Newton: builds a curvature estimate from recent steps; one step runs up to max_iter inner iterations.", ""),
    ("Lion", "Lion", "Steps by the sign of an interpolated momentum: every coordinate moves by exactly lr (Chen et al. 2023).", "decoupled"),
    ("Newton", "Newton", "Solves (H + damping·I) d = −g with the exact Hessian H: jumps to the nearest stationary point of the local quadratic.", ""),
    ("SGDHD", "SGD-HD (hypergradient descent)", "SGD that learns its own lr online: lr ← lr + hypergrad_lr·(g · g_prev), so it grows while successive gradients agree and shrinks when they oppose (Baydin et al. 2018). Constant schedule only.", "coupled"),
    ("AdamHD", "Adam-HD (hypergradient descent)", "Adam that learns its own lr online from the dot product of the gradient with the previous Adam step (Baydin et al. 2018). Constant schedule only.", "coupled"),
];

/// Lookahead wraps another optimizer: the page offers it as a switch with its own fields.
const WRAPPER: &str = "Lookahead";

/// The hyperparameters' words: the same key means the same thing in every optimizer, as in
/// torch, except Lookahead's `alpha`.
const FIELDS: [Words; 17] = [
    Words { key: "lr", label: "lr (learning rate)", keep: true, ..WORDS },
    Words {
        key: "betas",
        label: "betas (β₁, β₂)",
        help: "decay rates of the running means of the gradient and of its square",
        ..WORDS
    },
    Words { key: "eps", help: "added to the denominator for numerical stability", ..WORDS },
    Words { key: "momentum", help: "fraction of the previous velocity kept each step", ..WORDS },
    Words { key: "nesterov", help: "needs momentum > 0 and dampening = 0", ..WORDS },
    Words { key: "alpha", help: "smoothing constant of the running mean square", ..WORDS },
    Words { key: "alpha", of: &[WRAPPER], label: "alpha (pull-back fraction)", ..WORDS },
    Words { key: "centered", help: "divide by the running variance instead", ..WORDS },
    Words { key: "amsgrad", help: "keep the maximum of the second moment", ..WORDS },
    Words { key: "decoupled_weight_decay", help: "shrink the weights directly, as AdamW does", ..WORDS },
    Words { key: "max_eval", label: "max_eval (empty: max_iter × 1.25)", kind: "optint", ..WORDS },
    Words { key: "line_search_fn", options: &[(None, "none"), (Some("strong_wolfe"), "strong_wolfe")], ..WORDS },
    Words { key: "hypergrad_lr", label: "hypergrad_lr (β)", help: "learning rate of the learning rate", ..WORDS },
    Words { key: "k", label: "k (fast steps per sync)", ..WORDS },
    Words {
        key: "variant",
        options: &[(Some("paper"), "paper (Zhang et al. 2019)"), (Some("torch_optimizer"), "torch_optimizer")],
        ..WORDS
    },
    // The inner optimizer is the run's chosen one; this starting value only lets the catalogue
    // read Lookahead's defaults.
    Words { key: "inner", kind: "optimizer", initial: r#"{"name": "SGD"}"#, ..WORDS },
    Words { key: "damping", help: "added to the Hessian's diagonal", ..WORDS },
];

/// Every optimizer of `OptimizerConfig` but Lookahead, in the config's order.
pub fn entries() -> Result<Vec<Entry>, String> {
    let names: Vec<&str> = OptimizerConfig::NAMES.iter().copied().filter(|n| *n != WRAPPER).collect();
    let listed: Vec<&str> = TEXTS.iter().map(|t| t.0).collect();
    if names != listed {
        return Err(format!("catalogue: the optimizers listed ({listed:?}) are not the config's ({names:?})"));
    }
    check_rows("optimizer", &FIELDS, OptimizerConfig::NAMES, OptimizerConfig::keys_of)?;
    let mut entries = Vec::new();
    for (name, title, blurb, decay) in TEXTS {
        let keys = OptimizerConfig::keys_of(name).unwrap_or(&[]);
        let fields = fields_of(name, keys, &FIELDS, read_back::<OptimizerConfig>)?;
        let config = OptimizerConfig::read(serde_json::json!({ "name": name }))
            .map_err(|e| format!("catalogue: `{name}`: {e}"))?;
        let mut extra = Map::new();
        extra.insert("weightDecay".into(), if decay.is_empty() { Value::Null } else { Value::from(decay) });
        // OneCycleLR and CyclicLR can cycle momentum (or beta1) only where there is one.
        extra.insert("hasMomentum".into(), Value::Bool(config.has_momentum()));
        entries.push(Entry { name, title, blurb, extra, fields, ..Entry::default() });
    }
    Ok(entries)
}

/// Lookahead's own fields (its inner optimizer is the run's chosen one).
pub fn lookahead_fields() -> Result<Vec<Field>, String> {
    let keys = OptimizerConfig::keys_of(WRAPPER).unwrap_or(&[]);
    let mut fields = fields_of(WRAPPER, keys, &FIELDS, read_back::<OptimizerConfig>)?;
    fields.retain(|f| f.key != "inner");
    Ok(fields)
}

/// What each kind of weight decay does, for the note under the field.
pub const WEIGHT_DECAY_NOTES: [(&str, &str); 3] = [
    ("coupled", "Coupled L2: weight_decay·w is added to the gradient, so in adaptive optimizers it is rescaled along with the gradient. It minimises f + ½·weight_decay·‖w‖²."),
    ("decoupled", "Decoupled: the weights shrink directly, w ← w − lr·weight_decay·w, outside the adaptive scaling (as in AdamW)."),
    ("none", "This optimizer has no weight decay."),
];
