//! Problems: what is minimised.
//!
//! A problem is either a 2-D test landscape (see `landscapes`) or a small regression model
//! trained on inline data (see `models`). This file holds the config as users write it
//! (`{"name": "rosenbrock", "a": 1, "b": 100}`), its validation, and the runnable `Problem` that
//! dispatches `loss`, `loss_grad` and `hessian` to the concrete function.
//!
//! The config names and default parameters follow the reference cases in
//! `tests/reference/cases/*.json` (generated with PyTorch):
//! - `quadratic {a = 1, b = 10}`: f = 0.5*(a*x^2 + b*y^2).
//! - `rosenbrock {a = 1, b = 100}`: f = (a - x)^2 + b*(y - x^2)^2.
//! - `rastrigin {A = 10}`: f = 2*A + (x^2 - A*cos(2*pi*x)) + (y^2 - A*cos(2*pi*y)).
//! - `ackley {a = 20, b = 0.2, c = 2*pi}`:
//!   f = -a*exp(-b*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(c*x) + cos(c*y))) + e + a.
//! - `himmelblau`, `beale`, `booth`, `three_hump_camel`, `six_hump_camel`, `styblinski_tang`,
//!   `goldstein_price`, `saddle`, `matyas` and `mccormick` have no parameters.
//! - `linreg {data: {x, y}, l1 = 0, l2 = 0}`: params [w, b],
//!   f = (1/n)*sum_i (w*x_i + b - y_i)^2 + l2*w^2 + l1*|w|.
//! - `logreg {data: {x, y}, l1 = 0, l2 = 0}`: params [w1, w2, b], z_i = w1*x_i1 + w2*x_i2 + b,
//!   f = (1/n)*sum_i [log(1 + exp(z_i)) - y_i*z_i] + l2*(w1^2 + w2^2) + l1*(|w1| + |w2|).
//! - `custom {f}`: the visitor's own f(x, y) as text (`expression/`).
//!
//! Sources for the landscapes are listed in `landscapes.rs`, for the models in `models.rs`.

pub mod expression;
mod landscapes;
mod minima;
mod minima_table;
mod models;
mod training;

use serde::{Deserialize, Serialize};

use crate::config::limits::MAX_INLINE_POINTS;
use crate::config::validate::{join, ValidationErrors, Validator};

pub use expression::Expression;
pub use landscapes::Landscape;
pub use minima::{KnownMinimum, MinimumKind, ViewBox, MAX_VIEW_COORDINATE, MIN_VIEW_SPAN};
pub use models::{LinReg, LogReg};
pub use training::{
    Evaluation, TrainingConfig, TrainingProblem, MAX_VALIDATION_SHARE, MIN_VALIDATION_SHARE, STREAM_INIT,
};

/// At most this many bad entries of one data array are reported one by one.
const MAX_ENTRY_ERRORS: usize = 10;

crate::tagged_enum! {
/// A problem as written in a config (`{"name": "rosenbrock", "a": 1, "b": 100}`).
#[derive(Clone, Debug, PartialEq)]
pub enum ProblemConfig {
    /// f = 0.5*(a*x^2 + b*y^2); a negative coefficient gives a legitimate saddle demo.
    Quadratic as "quadratic" {
        a: f64 = landscapes::QUADRATIC_A,
        b: f64 = landscapes::QUADRATIC_B,
    },
    /// f = (a - x)^2 + b*(y - x^2)^2.
    Rosenbrock as "rosenbrock" {
        a: f64 = landscapes::ROSENBROCK_A,
        b: f64 = landscapes::ROSENBROCK_B,
    },
    /// f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2.
    Himmelblau as "himmelblau" {  },
    /// f = 2*A + (x^2 - A*cos(2*pi*x)) + (y^2 - A*cos(2*pi*y)); the field is spelled `A`.
    Rastrigin as "rastrigin" {
        a as "A": f64 = landscapes::RASTRIGIN_A,
    },
    /// f = (1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2.
    Beale as "beale" {  },
    /// f = (x + 2*y - 7)^2 + (2*x + y - 5)^2.
    Booth as "booth" {  },
    /// f = 2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2.
    ThreeHumpCamel as "three_hump_camel" {  },
    /// f = (4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2.
    SixHumpCamel as "six_hump_camel" {  },
    /// f = 0.5*((x^4 - 16*x^2 + 5*x) + (y^4 - 16*y^2 + 5*y)).
    StyblinskiTang as "styblinski_tang" {  },
    /// f = [1 + (x + y + 1)^2*(...)] * [30 + (2*x - 3*y)^2*(...)].
    GoldsteinPrice as "goldstein_price" {  },
    /// f = -a*exp(-b*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(c*x) + cos(c*y))) + e + a.
    Ackley as "ackley" {
        a: f64 = landscapes::ACKLEY_A,
        b: f64 = landscapes::ACKLEY_B,
        c: f64 = landscapes::ACKLEY_C,
    },
    /// f = x^2 - y^2 (unbounded below, no minimum).
    Saddle as "saddle" {  },
    /// f = 0.26*(x^2 + y^2) - 0.48*x*y.
    Matyas as "matyas" {  },
    /// f = sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1.
    McCormick as "mccormick" {  },
    /// Least squares on (x_i, y_i) with optional penalties on the slope w.
    Linreg as "linreg" {
        data: LinregData,
        l1: f64 = 0.0,
        l2: f64 = 0.0,
    },
    /// Logistic regression on ((x_i1, x_i2), y_i) with optional penalties on w1 and w2.
    Logreg as "logreg" {
        data: LogregData,
        l1: f64 = 0.0,
        l2: f64 = 0.0,
    },
    /// A model trained on data (see `training.rs`).
    Model as "model" (Box<TrainingConfig>),
    /// The visitor's own f(x, y) as text, e.g. `sin(x)*cos(y) + 0.1*(x^2 + y^2)` (see
    /// `expression/`).
    Custom as "custom" {
        f: String,
    },
}
}

/// Inline data of a linear regression: one feature and one target per point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinregData {
    /// Features x_i.
    pub x: Vec<f64>,
    /// Targets y_i.
    pub y: Vec<f64>,
}

/// Inline data of a logistic regression: two features and a label in [0, 1] per point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogregData {
    /// Features (x_i1, x_i2).
    pub x: Vec<[f64; 2]>,
    /// Labels y_i, usually 0 or 1 (soft labels in [0, 1] are allowed).
    pub y: Vec<f64>,
}

/// Checks that x and y have the same, non-zero length, at most `limits::MAX_INLINE_POINTS`.
fn validate_lengths(path: &str, nx: usize, ny: usize, v: &mut Validator) {
    let (px, py) = (join(path, "x"), join(path, "y"));
    v.require(nx == ny, &py, format!("must have as many entries as {px} ({px} has {nx}, {py} has {ny})"));
    v.require(nx > 0, &px, "must contain at least one point");
    v.require(nx <= MAX_INLINE_POINTS, &px, format!("must contain at most {MAX_INLINE_POINTS} points, got {nx}"));
}

/// Checks every entry of an array with `check`, which returns true when the entry is fine and
/// records its own message otherwise. Only the first few bad entries are listed one by one.
fn validate_entries<T>(
    path: &str,
    items: &[T],
    v: &mut Validator,
    mut check: impl FnMut(&str, &T, &mut Validator) -> bool,
) {
    let mut bad = 0usize;
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        if bad < MAX_ENTRY_ERRORS {
            if !check(&item_path, item, v) {
                bad += 1;
            }
        } else {
            // Past the limit, entries are only counted, in a throw-away validator.
            let mut silent = Validator::new();
            if !check(&item_path, item, &mut silent) {
                bad += 1;
            }
        }
    }
    if bad > MAX_ENTRY_ERRORS {
        let more = bad - MAX_ENTRY_ERRORS;
        v.error(path, format!("{more} more invalid entries (only the first {MAX_ENTRY_ERRORS} are listed)"));
    }
}

impl LinregData {
    /// Checks lengths and that every value is finite.
    fn validate(&self, path: &str, v: &mut Validator) {
        validate_lengths(path, self.x.len(), self.y.len(), v);
        for (field, values) in [("x", &self.x), ("y", &self.y)] {
            validate_entries(&join(path, field), values, v, |p, &value, v| v.finite(p, value));
        }
    }
}

impl LogregData {
    /// Checks lengths, that every feature is finite and that every label lies in [0, 1].
    fn validate(&self, path: &str, v: &mut Validator) {
        validate_lengths(path, self.x.len(), self.y.len(), v);
        validate_entries(&join(path, "x"), &self.x, v, |p, pair, v| {
            let first = v.finite(format!("{p}[0]"), pair[0]);
            let second = v.finite(format!("{p}[1]"), pair[1]);
            first && second
        });
        validate_entries(&join(path, "y"), &self.y, v, |p, &label, v| {
            let ok = (0.0..=1.0).contains(&label);
            v.unit_interval_closed(p, label);
            ok
        });
    }
}

impl ProblemConfig {
    /// Checks every parameter, recording problems under `path` (e.g. `problem.b: must be >= 0,
    /// got -1`).
    pub fn validate(&self, path: &str, v: &mut Validator) {
        match self {
            ProblemConfig::Quadratic { a, b } => {
                // Any finite curvature is allowed: a negative one is a legitimate saddle demo.
                v.finite(join(path, "a"), *a);
                v.finite(join(path, "b"), *b);
            }
            ProblemConfig::Rosenbrock { a, b } => {
                v.finite(join(path, "a"), *a);
                v.non_negative(join(path, "b"), *b);
            }
            ProblemConfig::Rastrigin { a } => {
                v.finite(join(path, "A"), *a);
            }
            ProblemConfig::Ackley { a, b, c } => {
                v.finite(join(path, "a"), *a);
                v.finite(join(path, "b"), *b);
                v.finite(join(path, "c"), *c);
            }
            ProblemConfig::Linreg { data, l1, l2 } => {
                data.validate(&join(path, "data"), v);
                v.non_negative(join(path, "l1"), *l1);
                v.non_negative(join(path, "l2"), *l2);
            }
            ProblemConfig::Logreg { data, l1, l2 } => {
                data.validate(&join(path, "data"), v);
                v.non_negative(join(path, "l1"), *l1);
                v.non_negative(join(path, "l2"), *l2);
            }
            ProblemConfig::Model(training) => training.validate(path, v),
            ProblemConfig::Custom { f } => {
                let checked = Expression::parse(f).map_err(|e| e.to_string()).and_then(|e| e.check_derivatives());
                if let Err(message) = checked {
                    v.error(join(path, "f"), message);
                }
            }
            ProblemConfig::Himmelblau {}
            | ProblemConfig::Beale {}
            | ProblemConfig::Booth {}
            | ProblemConfig::ThreeHumpCamel {}
            | ProblemConfig::SixHumpCamel {}
            | ProblemConfig::StyblinskiTang {}
            | ProblemConfig::GoldsteinPrice {}
            | ProblemConfig::Saddle {}
            | ProblemConfig::Matyas {}
            | ProblemConfig::McCormick {} => {}
        }
    }

    /// The runnable problem. Call it after `validate` found nothing; it never panics anyway
    /// (surplus data points of the longer array are ignored, bad numbers give NaN losses).
    pub fn build(&self) -> Problem {
        self.build_with_seed(0)
    }

    /// The runnable problem; `seed` draws the data of a model problem.
    pub fn build_with_seed(&self, seed: u64) -> Problem {
        let landscape = match *self {
            ProblemConfig::Quadratic { a, b } => Landscape::Quadratic { a, b },
            ProblemConfig::Rosenbrock { a, b } => Landscape::Rosenbrock { a, b },
            ProblemConfig::Himmelblau {} => Landscape::Himmelblau,
            ProblemConfig::Rastrigin { a } => Landscape::Rastrigin { a },
            ProblemConfig::Beale {} => Landscape::Beale,
            ProblemConfig::Booth {} => Landscape::Booth,
            ProblemConfig::ThreeHumpCamel {} => Landscape::ThreeHumpCamel,
            ProblemConfig::SixHumpCamel {} => Landscape::SixHumpCamel,
            ProblemConfig::StyblinskiTang {} => Landscape::StyblinskiTang,
            ProblemConfig::GoldsteinPrice {} => Landscape::GoldsteinPrice,
            ProblemConfig::Ackley { a, b, c } => Landscape::Ackley { a, b, c },
            ProblemConfig::Saddle {} => Landscape::Saddle,
            ProblemConfig::Matyas {} => Landscape::Matyas,
            ProblemConfig::McCormick {} => Landscape::McCormick,
            ProblemConfig::Linreg { ref data, l1, l2 } => {
                return Problem::Linreg(LinReg::new(&data.x, &data.y, l1, l2))
            }
            ProblemConfig::Model(ref training) => return Problem::Model(Box::new(training.build(seed))),
            ProblemConfig::Logreg { ref data, l1, l2 } => {
                return Problem::Logreg(LogReg::new(&data.x, &data.y, l1, l2))
            }
            ProblemConfig::Custom { ref f } => {
                let expression = Expression::parse(f).unwrap_or_else(|_| Expression::undefined(f));
                return Problem::Custom(Box::new(expression));
            }
        };
        Problem::Landscape(landscape)
    }

    /// Number of parameters of the built problem.
    pub fn dim(&self) -> usize {
        self.size().dim
    }

    /// How much one step and one evaluation of the built problem cost (whatever the seed).
    pub fn size(&self) -> ProblemSize {
        match self {
            ProblemConfig::Logreg { data, .. } => ProblemSize::full_batch(LogReg::DIM, data.y.len()),
            ProblemConfig::Linreg { data, .. } => ProblemSize::full_batch(LinReg::DIM, data.y.len()),
            ProblemConfig::Model(training) => {
                let problem = training.build(0);
                let train = problem.train.len();
                ProblemSize {
                    dim: problem.dim(),
                    batch: problem.batch_size().min(train),
                    train,
                    examples: train + problem.validation.len(),
                }
            }
            _ => ProblemSize::full_batch(Landscape::DIM, 1),
        }
    }
}

/// The sizes that set what a step costs: parameters, examples per gradient (the minibatch),
/// training examples (the full objective) and all examples (an evaluation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProblemSize {
    pub dim: usize,
    pub batch: usize,
    pub train: usize,
    pub examples: usize,
}

/// How many points a model problem's data has and how many of them train and validate, as the
/// core cuts them (`data::split`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DataSplit {
    pub points: usize,
    pub train: usize,
    pub validation: usize,
}

/// The split of the data of `problem_json` (a problem section, as JSON), what the page's
/// settings say before a run starts; its problems when it cannot be read or is not valid, and
/// None for a problem without data (a landscape).
pub fn data_split(problem_json: &str) -> Result<Option<DataSplit>, ValidationErrors> {
    crate::config::limits::check_len("problem", problem_json, crate::config::limits::MAX_CONFIG_BYTES)?;
    // Read as the problem of an experiment without runs: the experiment's own reader, which the
    // wasm carries anyway (a reader of the problem alone would add its own copy).
    let mut root = serde_json::Map::new();
    root.insert("problem".to_string(), crate::config::reader::parse_json(problem_json)?);
    root.insert("runs".to_string(), serde_json::Value::Array(Vec::new()));
    let problem = crate::config::Experiment::from_value(serde_json::Value::Object(root))?.problem;
    let mut v = Validator::new();
    problem.validate("problem", &mut v);
    v.finish()?;
    if !matches!(problem, ProblemConfig::Model(_)) {
        return Ok(None);
    }
    let size = problem.size();
    Ok(Some(DataSplit { points: size.examples, train: size.train, validation: size.examples - size.train }))
}

impl ProblemSize {
    fn full_batch(dim: usize, examples: usize) -> ProblemSize {
        ProblemSize { dim, batch: examples, train: examples, examples }
    }
}

/// A runnable problem.
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// A 2-D test function of (x, y).
    Landscape(Landscape),
    /// Linear regression, parameters [w, b].
    Linreg(LinReg),
    /// Logistic regression, parameters [w1, w2, b].
    Logreg(LogReg),
    /// A model trained on data.
    Model(Box<TrainingProblem>),
    /// The visitor's own f(x, y).
    Custom(Box<Expression>),
}

/// Fills `out` with NaN: the answer for parameter slices of the wrong length.
fn fill_nan(out: &mut [f64]) {
    out.fill(f64::NAN);
}

impl Problem {
    /// Number of parameters.
    pub fn dim(&self) -> usize {
        match self {
            Problem::Landscape(_) => Landscape::DIM,
            Problem::Linreg(_) => LinReg::DIM,
            Problem::Logreg(_) => LogReg::DIM,
            Problem::Model(m) => m.dim(),
            Problem::Custom(_) => Landscape::DIM,
        }
    }

    /// The work of one `loss` of a 2-D problem, in operations: a typed function's nodes, one
    /// for a built-in landscape (for the heatmap's budget, `chart::heatmap::sample_grid`).
    pub fn value_work(&self) -> usize {
        match self {
            Problem::Custom(e) => e.size(),
            _ => 1,
        }
    }

    /// f(w). A `w` whose length is not `dim()` gives NaN.
    pub fn loss(&self, w: &[f64]) -> f64 {
        match self {
            Problem::Landscape(l) => match w {
                [x, y] => l.value(*x, *y),
                _ => f64::NAN,
            },
            Problem::Linreg(m) => m.loss(w),
            Problem::Logreg(m) => m.loss(w),
            Problem::Model(m) => m.loss(w),
            Problem::Custom(e) => match w {
                [x, y] => e.value(*x, *y),
                _ => f64::NAN,
            },
        }
    }

    /// Writes grad f(w) into `g` and returns f(w). This is the hot path: it does not allocate.
    /// When `w` or `g` does not have length `dim()`, `g` is filled with NaN and NaN is returned.
    #[inline]
    pub fn loss_grad(&self, w: &[f64], g: &mut [f64]) -> f64 {
        match self {
            Problem::Landscape(l) => match (w, &mut *g) {
                ([x, y], [gx, gy]) => {
                    let (f, [dx, dy]) = l.value_grad(*x, *y);
                    *gx = dx;
                    *gy = dy;
                    f
                }
                _ => {
                    fill_nan(g);
                    f64::NAN
                }
            },
            Problem::Linreg(m) => m.loss_grad(w, g),
            Problem::Logreg(m) => m.loss_grad(w, g),
            Problem::Model(m) => m.loss_grad(w, g),
            Problem::Custom(e) => match (w, &mut *g) {
                ([x, y], [gx, gy]) => {
                    let (f, [dx, dy]) = e.value_grad(*x, *y);
                    *gx = dx;
                    *gy = dy;
                    f
                }
                _ => {
                    fill_nan(g);
                    f64::NAN
                }
            },
        }
    }

    /// Writes the Hessian of f at `w` into `h` (row-major, dim x dim). When a length is wrong,
    /// `h` is filled with NaN instead.
    pub fn hessian(&self, w: &[f64], h: &mut [f64]) {
        match self {
            Problem::Landscape(l) => match (w, <&mut [f64; 4]>::try_from(&mut *h)) {
                ([x, y], Ok(out)) => *out = l.hessian(*x, *y),
                _ => fill_nan(h),
            },
            Problem::Linreg(m) => m.hessian(w, h),
            Problem::Logreg(m) => m.hessian(w, h),
            Problem::Model(m) => m.hessian(w, h),
            Problem::Custom(e) => match (w, <&mut [f64; 4]>::try_from(&mut *h)) {
                ([x, y], Ok(out)) => *out = e.hessian(*x, *y),
                _ => fill_nan(h),
            },
        }
    }

    /// The default plotting domain of a 2-D function (`None` for the models).
    pub fn view_box(&self) -> Option<ViewBox> {
        match self {
            Problem::Landscape(l) => Some(minima::view_box(l)),
            Problem::Custom(_) => Some(expression::CUSTOM_VIEW),
            Problem::Linreg(_) | Problem::Logreg(_) | Problem::Model(_) => None,
        }
    }

    /// Every minimum of a 2-D function in its standard domain (empty for the models). At the
    /// default parameters this is the embedded reference table; otherwise the minima are found
    /// again by Newton's method from the table points (see `minima.rs`).
    pub fn known_minima(&self) -> Vec<KnownMinimum> {
        match self {
            Problem::Landscape(l) => minima::known_minima(l),
            Problem::Linreg(_) | Problem::Logreg(_) | Problem::Model(_) | Problem::Custom(_) => Vec::new(),
        }
    }

    /// A short human-readable name, e.g. "Rosenbrock".
    pub fn display_name(&self) -> &'static str {
        match self {
            Problem::Landscape(l) => l.display_name(),
            Problem::Linreg(_) => LinReg::DISPLAY_NAME,
            Problem::Logreg(_) => LogReg::DISPLAY_NAME,
            Problem::Model(m) => m.display_name(),
            Problem::Custom(_) => "Your function",
        }
    }

    /// The formula as human-readable text, e.g. "f(x,y) = (a - x)^2 + b*(y - x^2)^2".
    pub fn formula(&self) -> &str {
        match self {
            Problem::Landscape(l) => l.formula(),
            Problem::Linreg(_) => LinReg::FORMULA,
            Problem::Logreg(_) => LogReg::FORMULA,
            Problem::Model(_) => "mean training loss of the model over its training set, plus penalties",
            Problem::Custom(e) => e.source(),
        }
    }
}
