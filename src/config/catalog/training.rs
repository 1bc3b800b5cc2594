//! Training on data as the page presents it: the datasets, the models, the limits of the model
//! form and the training settings with their defaults.

use serde_json::{json, Map, Value};

use super::{check_rows, fields_from, fields_of, read, read_back, written, Entry, Field, Words, WORDS};
use crate::config::reader::from_value;
use crate::config::Experiment;
use crate::data::{DataConfig, MAX_CORRUPTED_SHARE, MAX_POINTS, MIN_POINTS};
use crate::model::{Activation, ModelConfig, MAX_DEGREE, MAX_DROPOUT, MAX_HIDDEN_LAYERS, MAX_UNITS};
use crate::problem::{TrainingConfig, MAX_VALIDATION_SHARE, MIN_VALIDATION_SHARE};

/// The dataset menu's groups, in order.
pub const DATASET_GROUPS: [(&str, &[&str]); 3] = [
    ("Regression (1-D: fit y from x)", &["linear", "polynomial", "sine"]),
    ("Classification (2-D: two classes)", &["circle", "xor", "gaussians", "spiral", "moons"]),
    ("Your own data", &["csv"]),
];

/// One dataset's words: name, title, task (empty: read from the CSV), formula.
const DATASETS: [(&str, &str, &str, &str); 9] = [
    ("linear", "Line", "regression", "y = slope·x + intercept + noise"),
    ("polynomial", "Cubic", "regression", "y = 4x³ − 3x + noise"),
    ("sine", "Sine", "regression", "y = sin(2π·frequency·x) + noise"),
    ("circle", "Circle", "classification", "a disc of one class inside a ring of the other"),
    ("xor", "Exclusive or", "classification", "the class is the sign of x₁·x₂"),
    ("gaussians", "Two Gaussians", "classification", "two round clusters"),
    ("spiral", "Spiral", "classification", "two interleaved spirals"),
    ("moons", "Two moons", "classification", "two interleaving half circles"),
    ("csv", "Your data (CSV)", "", "x,y per line (regression) or x1,x2,label (classification, labels 0/1 or −1/1)"),
];

const REGRESSION: &[&str] = &["linear", "polynomial", "sine"];

/// The generated datasets' fields.
const DATASET_FIELDS: [Words; 8] = [
    Words {
        key: "n",
        label: "n (points)",
        kind: "int",
        range: Some((MIN_POINTS as f64, MAX_POINTS as f64, 1.0)),
        help: "number of points before the validation split",
        ..WORDS
    },
    Words {
        key: "noise",
        of: REGRESSION,
        label: "noise (σ of y)",
        range: Some((0.0, 1.0, 0.05)),
        help: "standard deviation of the Gaussian noise added to y",
        ..WORDS
    },
    Words {
        key: "noise",
        range: Some((0.0, 1.0, 0.05)),
        help: "how far the points scatter (TensorFlow Playground’s noise slider / 100)",
        ..WORDS
    },
    Words {
        key: "outliers",
        label: "outliers (share)",
        range: Some((0.0, MAX_CORRUPTED_SHARE, 0.01)),
        percent: true,
        help: "share of points whose y is thrown far off",
        ..WORDS
    },
    Words {
        key: "label_noise",
        label: "label noise (flipped share)",
        range: Some((0.0, MAX_CORRUPTED_SHARE, 0.01)),
        percent: true,
        help: "share of points given the wrong class",
        ..WORDS
    },
    Words {
        key: "frequency",
        label: "frequency (cycles per unit)",
        help: "x runs over [−1, 1], so frequency 1 is two full waves",
        ..WORDS
    },
    Words {
        key: "scale",
        kind: "number",
        omitted_default: "1.0",
        help: "how far the points spread from the origin (TensorFlow Playground draws its sets at scale 5)",
        ..WORDS
    },
    // The CSV text has its own input on the page; this starting value only lets the catalogue
    // read the variant.
    Words { key: "text", of: &["csv"], kind: "csv", initial: r#""""#, ..WORDS },
];

/// Every dataset of `DataConfig`, in the config's order.
pub fn datasets() -> Result<Vec<Entry>, String> {
    let names = DataConfig::NAMES;
    let listed: Vec<&str> = DATASETS.iter().map(|d| d.0).collect();
    if names != listed.as_slice() {
        return Err(format!("catalogue: the datasets listed ({listed:?}) are not the config's ({names:?})"));
    }
    check_rows("dataset", &DATASET_FIELDS, names, DataConfig::keys_of)?;
    let mut entries = Vec::new();
    for (name, title, task, formula) in DATASETS {
        let mut extra = Map::new();
        extra.insert("task".into(), if task.is_empty() { Value::Null } else { Value::from(task) });
        let keys = DataConfig::keys_of(name).unwrap_or(&[]);
        let mut fields = fields_of(name, keys, &DATASET_FIELDS, read_back::<DataConfig>)?;
        fields.retain(|f| f.kind != "csv");
        entries.push(Entry { name, title, formula, extra, fields, ..Entry::default() });
    }
    Ok(entries)
}

/// One model's title, tasks and formula.
const MODELS: [(&str, &str, &[&str], &str); 4] = [
    ("linear", "Linear regression", &["regression"], "y = w·x + b"),
    ("polynomial", "Polynomial regression", &["regression"], "y = b + w₁x + w₂x² + … + w_d·xᵈ"),
    ("logistic", "Logistic regression", &["classification"], "p(class 1) = σ(w₁x₁ + w₂x₂ + b)"),
    (
        "mlp",
        "Neural network (MLP)",
        &["regression", "classification"],
        "hidden layers of units, then one linear output (a logit for classification)",
    ),
];

/// The models' fields.
const MODEL_FIELDS: [Words; 5] = [
    Words { key: "degree", range: Some((1.0, MAX_DEGREE as f64, 1.0)), help: "highest power of x", ..WORDS },
    Words {
        key: "hidden",
        label: "hidden layers",
        kind: "ints",
        range: Some((1.0, MAX_UNITS as f64, 1.0)),
        help: "units per hidden layer",
        ..WORDS
    },
    Words {
        key: "activation",
        options: &[
            (Some("tanh"), "tanh"),
            (Some("relu"), "ReLU"),
            (Some("leaky_relu"), "leaky ReLU (slope 0.01)"),
            (Some("sigmoid"), "sigmoid"),
            (Some("linear"), "linear (none)"),
        ],
        ..WORDS
    },
    Words {
        key: "output",
        label: "output unit",
        options: &[
            (Some("linear"), "linear (a logit for classification)"),
            (Some("tanh"), "tanh (labels −1/+1, squared loss)"),
        ],
        omitted_default: r#""linear""#,
        ..WORDS
    },
    Words {
        key: "init",
        label: "initial weights",
        options: &[
            (Some("glorot_he"), "Glorot / He"),
            (Some("tf_playground"), "TensorFlow Playground’s (uniform ±0.5, biases 0.1)"),
        ],
        omitted_default: r#""glorot_he""#,
        ..WORDS
    },
];

/// Every model of `ModelConfig`, in the config's order; each activation offered must be one
/// the config reads.
pub fn models() -> Result<Vec<Entry>, String> {
    let names = ModelConfig::NAMES;
    let listed: Vec<&str> = MODELS.iter().map(|m| m.0).collect();
    if names != listed.as_slice() {
        return Err(format!("catalogue: the models listed ({listed:?}) are not the config's ({names:?})"));
    }
    check_rows("model", &MODEL_FIELDS, names, ModelConfig::keys_of)?;
    for (value, _) in MODEL_FIELDS[2].options {
        from_value::<Activation>(&json!(value)).map_err(|e| format!("catalogue: activation {value:?}: {e}"))?;
    }
    let mut entries = Vec::new();
    for (name, title, tasks, formula) in MODELS {
        let keys = ModelConfig::keys_of(name).unwrap_or(&[]);
        let fields = fields_of(name, keys, &MODEL_FIELDS, read_back::<ModelConfig>)?;
        let mut extra = Map::new();
        extra.insert("tasks".into(), json!(tasks));
        entries.push(Entry { name, title, formula, extra, fields, ..Entry::default() });
    }
    Ok(entries)
}

/// The bounds of the model form.
pub fn limits() -> Value {
    json!({
        "maxDegree": MAX_DEGREE,
        "maxLayers": MAX_HIDDEN_LAYERS,
        "maxUnits": MAX_UNITS,
        "minPoints": MIN_POINTS,
        "maxPoints": MAX_POINTS,
    })
}

/// The step of the dropout slider, which stops one step short of `MAX_DROPOUT` (excluded).
const DROPOUT_STEP: f64 = 0.05;

/// The training settings of a model problem and the experiment's seed.
const TRAINING_FIELDS: [Words; 7] = [
    Words {
        key: "validation_share",
        label: "validation share",
        range: Some((MIN_VALIDATION_SHARE, MAX_VALIDATION_SHARE, 0.05)),
        percent: true,
        help: "share of the points held out to measure generalization; the model never trains on them",
        ..WORDS
    },
    Words {
        key: "batch_size",
        label: "batch size",
        kind: "optint",
        default_text: "empty: full batch (the default)",
        help: "points per step; empty: every training point (full batch)",
        ..WORDS
    },
    Words {
        key: "eval_every",
        label: "evaluate every (epochs)",
        help:
            "training and validation loss are measured every this many epochs; early stopping counts these evaluations",
        ..WORDS
    },
    Words {
        key: "l1", label: "L1 (λ₁)", kind: "number", help: "adds λ₁·Σ|w| over the weights to the loss", ..WORDS
    },
    Words {
        key: "l2", label: "L2 (λ₂)", kind: "number", help: "adds λ₂·Σw² over the weights to the loss", ..WORDS
    },
    Words {
        key: "dropout",
        range: Some((0.0, MAX_DROPOUT - DROPOUT_STEP, DROPOUT_STEP)),
        percent: true,
        help: "probability of switching off each hidden unit in a training step",
        ..WORDS
    },
    Words {
        key: "seed",
        kind: "int",
        keep: true,
        help: "draws the data, the split, the initial weights, the minibatch order and dropout",
        ..WORDS
    },
];

/// A model problem's training settings when omitted (validation share, batch size, model...).
pub fn defaults() -> Result<Value, String> {
    let config: TrainingConfig = read(r#"{"data": {"name": "circle"}}"#)?;
    let mut written = written(&config)?;
    if let Value::Object(map) = &mut written {
        map.remove("data");
    }
    Ok(written)
}

/// The training settings and the seed, with the defaults the reader fills in.
pub fn fields() -> Result<Vec<Field>, String> {
    let training = defaults()?;
    // Read, not validated: an experiment without runs shows the defaults of its own fields.
    let experiment: Experiment = read(r#"{"problem": {"name": "quadratic"}, "runs": []}"#)?;
    fields_from(&TRAINING_FIELDS, |key| match key {
        "seed" => Some(Value::from(experiment.seed)),
        "l1" | "l2" | "dropout" => training.get("regularization").and_then(|r| r.get(key)).cloned(),
        key => training.get(key).cloned(),
    })
}
