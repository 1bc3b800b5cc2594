//! The 2-D landscapes as the page presents them: title, formula, blurb and parameters.

use serde_json::{Map, Value};

use super::{check_rows, fields_of, read_back, Entry, Words, WORDS};
use crate::config::tagged::Tagged;
use crate::problem::ProblemConfig;

/// Problems that are not landscapes: the page offers them elsewhere (models on data) or not at
/// all (`linreg` and `logreg` on inline data, for configs and the CLI).
const NOT_LANDSCAPES: [&str; 3] = ["linreg", "logreg", "model"];

/// The function a visitor's own landscape starts from (JSON text of the `f` field).
const CUSTOM_START: &str = "\"sin(x)*cos(y) + 0.1*(x^2 + y^2)\"";

/// One landscape's words: name, title, formula, blurb, whether f goes below zero.
struct Text(&'static str, &'static str, &'static str, &'static str, bool);

const TEXTS: [Text; 15] = [
    Text("quadratic", "Quadratic bowl", "f(x, y) = ½ (a·x² + b·y²)", "The simplest landscape: one minimum at (0, 0). With a = 1, b is the condition number: the larger it is, the narrower the valley.", false),
    Text("rosenbrock", "Rosenbrock", "f(x, y) = (a − x)² + b (y − x²)²", "A long, curved, flat-bottomed valley; the minimum sits at (a, a²). Easy to find the valley, hard to follow it.", false),
    Text("himmelblau", "Himmelblau", "f(x, y) = (x² + y − 11)² + (x + y² − 7)²", "Four minima, all with f = 0: where you start decides where you end.", false),
    Text("rastrigin", "Rastrigin", "f(x, y) = 2A + x² − A cos 2πx + y² − A cos 2πy", "A bowl covered in ripples: a local minimum near every integer point, the global one at (0, 0).", false),
    Text("beale", "Beale", "f(x, y) = (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²", "Flat plateaus and sharp ridges; the minimum is at (3, 0.5).", false),
    Text("booth", "Booth", "f(x, y) = (x + 2y − 7)² + (2x + y − 5)²", "A tilted quadratic bowl with its minimum at (1, 3).", false),
    Text("three_hump_camel", "Three-hump camel", "f(x, y) = 2x² − 1.05x⁴ + x⁶/6 + xy + y²", "One global minimum at the origin and two local ones beside it.", false),
    Text("six_hump_camel", "Six-hump camel", "f(x, y) = (4 − 2.1x² + x⁴/3) x² + xy + (4y² − 4) y²", "Six minima: two global, four local.", true),
    Text("styblinski_tang", "Styblinski–Tang", "f(x, y) = ½ (x⁴ − 16x² + 5x + y⁴ − 16y² + 5y)", "Four minima, one in each quadrant; the global one is near (−2.9, −2.9).", true),
    Text("goldstein_price", "Goldstein–Price", "f(x, y) = [1 + (x + y + 1)² (…)] · [30 + (2x − 3y)² (…)]", "Values spanning six orders of magnitude; the global minimum f = 3 is at (0, −1).", false),
    Text("ackley", "Ackley", "f(x, y) = −a e^(−b √(½(x² + y²))) − e^(½(cos cx + cos cy)) + e + a", "A nearly flat, bumpy plain around one deep hole at (0, 0).", false),
    Text("saddle", "Saddle", "f(x, y) = x² − y²", "No minimum at all: a saddle point at (0, 0), downhill forever along y.", true),
    Text("matyas", "Matyas", "f(x, y) = 0.26 (x² + y²) − 0.48 xy", "A shallow, rotated, ill-conditioned bowl with its minimum at (0, 0).", false),
    Text("mccormick", "McCormick", "f(x, y) = sin(x + y) + (x − y)² − 1.5x + 2.5y + 1", "A wavy trough; the global minimum is near (−0.55, −1.55).", true),
    Text("custom", "Your own function", "f(x, y) = the formula you type", "Any f(x, y) with + − * / ^, sin cos tan exp log sqrt abs tanh, min(a, b), max(a, b), pi and e. Its gradient and Hessian are exact (automatic differentiation).", true),
];

/// The landscapes' parameters.
const PARAMS: [Words; 8] = [
    Words { key: "a", of: &["quadratic"], help: "curvature along x", ..WORDS },
    Words {
        key: "b",
        of: &["quadratic"],
        label: "b (condition number when a = 1)",
        help: "curvature along y",
        ..WORDS
    },
    Words { key: "b", of: &["rosenbrock"], label: "b (valley steepness)", ..WORDS },
    Words { key: "A", of: &["rastrigin"], label: "A (ripple height)", ..WORDS },
    Words {
        key: "f",
        of: &["custom"],
        label: "f(x, y)",
        kind: "expression",
        help: "your function of x and y",
        initial: CUSTOM_START,
        ..WORDS
    },
    Words { key: "a", ..WORDS },
    Words { key: "b", ..WORDS },
    Words { key: "c", ..WORDS },
];

/// True for a landscape whose values go below 0 (its loss chart starts with a linear y axis);
/// false for any other name.
pub fn goes_negative(name: &str) -> bool {
    TEXTS.iter().any(|t| t.0 == name && t.4)
}

/// Every landscape of `ProblemConfig`, in the config's order.
pub fn entries() -> Result<Vec<Entry>, String> {
    let names = ProblemConfig::names();
    check_rows("landscape", &PARAMS, names, ProblemConfig::keys_of)?;
    let mut entries = Vec::new();
    for name in names {
        if NOT_LANDSCAPES.contains(name) {
            continue;
        }
        let Some(Text(_, title, formula, blurb, negative)) = TEXTS.iter().find(|t| t.0 == *name) else {
            return Err(format!("catalogue: the landscape `{name}` has no words"));
        };
        let mut extra = Map::new();
        if *negative {
            // f goes below 0, so the loss chart starts with a linear y axis.
            extra.insert("negative".into(), Value::Bool(true));
        }
        let keys = ProblemConfig::keys_of(name).unwrap_or(&[]);
        let fields = fields_of(name, keys, &PARAMS, read_back::<ProblemConfig>)?;
        entries.push(Entry { name, title, formula, blurb, extra, fields });
    }
    if entries.len() != TEXTS.len() {
        return Err("catalogue: some landscape words name no landscape".into());
    }
    Ok(entries)
}
