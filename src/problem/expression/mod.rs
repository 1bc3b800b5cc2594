//! The visitor's own function f(x, y), typed as text (`sin(x)*cos(y) + 0.1*(x^2 + y^2)`), as a
//! problem: `{"name": "custom", "f": "..."}`.
//!
//! The text is parsed by a small hand-written parser (`parse.rs`: +, -, *, /, ^, unary minus,
//! sin, cos, tan, exp, log, sqrt, abs, tanh, min, max, pi and e), and evaluated over the tree
//! with second-order forward-mode dual numbers (`dual.rs`), which give the value, the gradient
//! and the Hessian exactly in one pass. A maintained crate such as `exmex` would differentiate
//! symbolically, building a derivative expression per partial derivative, with a general
//! operator machinery this page does not need; with about 40 KB of the wasm budget left, a
//! parser of a few hundred lines with dual numbers is the leaner choice (the crate's size was not
//! measured), and dual numbers need no simplification of derivative expressions.
//!
//! On load (`validate`), the derivatives are checked against central finite differences at a
//! few fixed, unremarkable points (step h = 1e-5 * (1 + |coordinate|), error O(h^2)): a
//! mismatch would be a bug in the differentiation, or a kink of abs, min or max exactly at a
//! check point. Transcendental functions go through `crate::math` (libm), so values are
//! bit-identical natively and in the browser. Where f is undefined (log of a negative number)
//! the value is NaN, which a run reports as diverged.

mod dual;
mod parse;

pub use dual::Dual;
pub use parse::{Function, Node, Operation, ParseError};

use crate::math::{cos, exp, ln, pow, sign, sin, sqrt, tan, tanh};
use crate::problem::ViewBox;

/// The view box of a custom function: its own landscape has no natural domain, so the view
/// starts at [-5, 5] x [-5, 5] and the experiment's `view` changes it.
pub const CUSTOM_VIEW: ViewBox = ViewBox { x: [-5.0, 5.0], y: [-5.0, 5.0] };

/// Points where the derivatives are checked against finite differences on load. They avoid the
/// simple numbers (0, 1, 0.5, pi) where users put kinks.
const CHECK_POINTS: [[f64; 2]; 3] =
    [[0.377_215_66, -0.618_033_99], [1.271_828_18, 0.414_213_56], [-0.732_050_81, 1.139_4]];

/// Largest accepted gap between a derivative and its finite difference, relative to
/// 1 + |derivative|.
const CHECK_TOLERANCE: f64 = 1e-4;

/// A parsed function of (x, y).
#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    source: String,
    nodes: Vec<parse::Node>,
    root: usize,
}

impl Expression {
    /// Parses `text`; the error names the character where it went wrong.
    pub fn parse(text: &str) -> Result<Expression, ParseError> {
        let tree = parse::parse(text)?;
        Ok(Expression { source: text.to_string(), nodes: tree.nodes, root: tree.root })
    }

    /// An expression that is NaN everywhere: what an unvalidated, unparsable config builds.
    pub fn undefined(text: &str) -> Expression {
        Expression { source: text.to_string(), nodes: vec![Node::Number(f64::NAN)], root: 0 }
    }

    /// The text as typed.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The parsed tree: every node (children before their parents) and the root's index, for
    /// writers of the function in other languages (`export::pytorch`).
    pub fn tree(&self) -> (&[Node], usize) {
        (&self.nodes, self.root)
    }

    /// f with its gradient and Hessian at (x, y).
    pub fn eval(&self, x: f64, y: f64) -> Dual {
        self.node(self.root, Dual::variable(x, 0), Dual::variable(y, 1))
    }

    /// f(x, y), without derivatives: the same operations on the values as `eval` does (so the
    /// same bits), several times faster, for the landscape's heatmap and the loss.
    pub fn value(&self, x: f64, y: f64) -> f64 {
        self.value_of(self.root, x, y)
    }

    /// How many nodes the tree has: the work of one evaluation, in operations.
    pub fn size(&self) -> usize {
        self.nodes.len()
    }

    /// f(x, y) and its gradient.
    pub fn value_grad(&self, x: f64, y: f64) -> (f64, [f64; 2]) {
        let d = self.eval(x, y);
        (d.v, d.d)
    }

    /// The Hessian at (x, y), row-major.
    pub fn hessian(&self, x: f64, y: f64) -> [f64; 4] {
        let [xx, xy, yy] = self.eval(x, y).h;
        [xx, xy, xy, yy]
    }

    /// Evaluates node `i`. Children come before their parents and the tree's height is capped
    /// by the parser, so the recursion is bounded.
    fn node(&self, i: usize, x: Dual, y: Dual) -> Dual {
        match self.nodes.get(i) {
            Some(Node::Number(c)) => Dual::constant(*c),
            Some(Node::X) => x,
            Some(Node::Y) => y,
            Some(&Node::Unary(f, a)) => unary(f, self.node(a, x, y)),
            Some(&Node::Binary(op, a, b)) => binary(op, self.node(a, x, y), self.node(b, x, y)),
            None => Dual::constant(f64::NAN),
        }
    }

    /// The value of node `i` (as `node`, with plain numbers).
    fn value_of(&self, i: usize, x: f64, y: f64) -> f64 {
        match self.nodes.get(i) {
            Some(Node::Number(c)) => *c,
            Some(Node::X) => x,
            Some(Node::Y) => y,
            Some(&Node::Unary(f, a)) => unary_value(f, self.value_of(a, x, y)),
            Some(&Node::Binary(op, a, b)) => binary_value(op, self.value_of(a, x, y), self.value_of(b, x, y)),
            None => f64::NAN,
        }
    }

    /// Compares the gradient and Hessian with central finite differences at the check points;
    /// the error names the point and the derivative that disagrees. Points where f or a
    /// derivative is not finite are skipped (f may be undefined there).
    pub fn check_derivatives(&self) -> Result<(), String> {
        for [x, y] in CHECK_POINTS {
            let at = self.eval(x, y);
            let finite = at.v.is_finite() && at.d.iter().chain(&at.h).all(|v| v.is_finite());
            if !finite {
                continue;
            }
            let (hx, hy) = (1e-5 * (1.0 + x.abs()), 1e-5 * (1.0 + y.abs()));
            let (xp, xm) = (self.eval(x + hx, y), self.eval(x - hx, y));
            let (yp, ym) = (self.eval(x, y + hy), self.eval(x, y - hy));
            let numeric = [
                ("df/dx", at.d[0], (xp.v - xm.v) / (2.0 * hx)),
                ("df/dy", at.d[1], (yp.v - ym.v) / (2.0 * hy)),
                ("d2f/dx2", at.h[0], (xp.d[0] - xm.d[0]) / (2.0 * hx)),
                ("d2f/dxdy", at.h[1], (yp.d[0] - ym.d[0]) / (2.0 * hy)),
                ("d2f/dy2", at.h[2], (yp.d[1] - ym.d[1]) / (2.0 * hy)),
            ];
            for (name, exact, estimate) in numeric {
                if estimate.is_finite() && (exact - estimate).abs() > CHECK_TOLERANCE * (1.0 + exact.abs()) {
                    return Err(format!(
                        "{name} at ({x}, {y}) is {exact} but finite differences give {estimate}; \
                         is there a kink (abs, min, max) at that point?"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A function of one argument with its first two derivatives.
fn unary(f: Function, u: Dual) -> Dual {
    let v = u.v;
    // The value as `unary_value` computes it (one copy of each function's value in the wasm).
    let g = unary_value(f, v);
    match f {
        Function::Neg => u.negated(),
        Function::Sin => u.chain(g, cos(v), -g),
        Function::Cos => u.chain(g, -sin(v), -g),
        Function::Tan => {
            let d1 = 1.0 + g * g;
            u.chain(g, d1, 2.0 * g * d1)
        }
        Function::Exp => u.chain(g, g, g),
        Function::Log => u.chain(g, 1.0 / v, -1.0 / (v * v)),
        Function::Sqrt => u.chain(g, 0.5 / g, -0.25 / (g * v)),
        // |u| has the subgradient 0 at u = 0, as torch's abs does.
        Function::Abs => u.chain(g, sign(v), 0.0),
        Function::Tanh => {
            let d1 = 1.0 - g * g;
            u.chain(g, d1, -2.0 * g * d1)
        }
    }
}

/// A function of one argument, on its value alone (`unary`'s value). Not inlined: one copy
/// serves both evaluations (a smaller wasm).
#[inline(never)]
fn unary_value(f: Function, v: f64) -> f64 {
    match f {
        Function::Neg => -v,
        Function::Sin => sin(v),
        Function::Cos => cos(v),
        Function::Tan => tan(v),
        Function::Exp => exp(v),
        Function::Log => ln(v),
        Function::Sqrt => sqrt(v),
        Function::Abs => v.abs(),
        Function::Tanh => tanh(v),
    }
}

/// An operation on two values (`binary`'s value: a - b is a + (-b) there, the same number).
fn binary_value(op: Operation, a: f64, b: f64) -> f64 {
    match op {
        Operation::Add => a + b,
        Operation::Sub => a - b,
        Operation::Mul => a * b,
        Operation::Div => a / b,
        Operation::Pow => pow(a, b),
        Operation::Min | Operation::Max => match takes_second(op, a, b) {
            None => f64::NAN,
            Some(true) => b,
            Some(false) => a,
        },
    }
}

/// For min and max: whether the second argument is taken (at a tie, the first is), or None
/// when either is NaN.
fn takes_second(op: Operation, a: f64, b: f64) -> Option<bool> {
    if a.is_nan() || b.is_nan() {
        return None;
    }
    Some(if op == Operation::Min { b < a } else { b > a })
}

/// An operation on two arguments.
fn binary(op: Operation, a: Dual, b: Dual) -> Dual {
    match op {
        Operation::Add => a.plus(b),
        Operation::Sub => a.minus(b),
        Operation::Mul => a.times(b),
        Operation::Div => a.over(b),
        Operation::Pow => power(a, b),
        // At a tie the first argument is taken, with its derivatives.
        Operation::Min | Operation::Max => match takes_second(op, a.v, b.v) {
            None => Dual::constant(f64::NAN),
            Some(true) => b,
            Some(false) => a,
        },
    }
}

/// a^b: the power rule c*a^(c-1) when the exponent is a constant c (so that x^2 is defined for
/// negative x), otherwise a^b = exp(b*ln a), defined for a > 0.
fn power(a: Dual, b: Dual) -> Dual {
    let value = pow(a.v, b.v);
    if b.is_constant() {
        let c = b.v;
        let d1 = if c == 0.0 { 0.0 } else { c * pow(a.v, c - 1.0) };
        let d2 = if c == 0.0 || c == 1.0 { 0.0 } else { c * (c - 1.0) * pow(a.v, c - 2.0) };
        return a.chain(value, d1, d2);
    }
    let log_a = a.chain(ln(a.v), 1.0 / a.v, -1.0 / (a.v * a.v));
    let exponent = b.times(log_a);
    exponent.chain(value, value, value)
}
