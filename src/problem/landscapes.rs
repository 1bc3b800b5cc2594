//! The 2-D test functions f(x, y), with analytic gradients and Hessians.
//!
//! Formulas (the reference cases in `tests/reference/cases/*.json` use the same ones):
//! - Quadratic bowl: f = 0.5*(a*x^2 + b*y^2), default a = 1, b = 10 (condition number b/a).
//! - Rosenbrock (1960): f = (a - x)^2 + b*(y - x^2)^2, default a = 1, b = 100.
//! - Himmelblau (1972): f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2.
//! - Rastrigin (1974): f = 2*A + (x^2 - A*cos(2*pi*x)) + (y^2 - A*cos(2*pi*y)), default A = 10.
//! - Beale (1958): f = (1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2.
//! - Booth: f = (x + 2*y - 7)^2 + (2*x + y - 5)^2.
//! - Three-hump camel: f = 2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2.
//! - Six-hump camel: f = (4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2.
//! - Styblinski-Tang (1990): f = 0.5*((x^4 - 16*x^2 + 5*x) + (y^4 - 16*y^2 + 5*y)).
//! - Goldstein-Price (1971): f = [1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2)]
//!   * [30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2)].
//! - Ackley (1987): f = -a*exp(-b*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(c*x) + cos(c*y))) + e + a,
//!   default a = 20, b = 0.2, c = 2*pi.
//! - Saddle: f = x^2 - y^2.
//! - Matyas: f = 0.26*(x^2 + y^2) - 0.48*x*y.
//! - McCormick: f = sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1.
//!
//! Sources: Wikipedia, "Test functions for optimization"; S. Surjanovic and D. Bingham, Virtual
//! Library of Simulation Experiments (camel functions); M. Molga and C. Smutnicki, "Test
//! functions for optimization needs" (2005).
//!
//! Every loss is written in the natural order of its formula, as PyTorch evaluates it, so that
//! trajectories match the reference to far better than 1e-9. Ackley's square-root term has no
//! derivative at the origin: there its gradient is the subgradient 0, and its Hessian
//! contribution is taken as 0 too (only the cosine term's curvature remains), so nothing is NaN.

use std::f64::consts::E;

use crate::math::{cos, exp, sin, sqrt, PI};

/// Default `a` of the quadratic bowl.
pub(crate) const QUADRATIC_A: f64 = 1.0;
/// Default `b` of the quadratic bowl.
pub(crate) const QUADRATIC_B: f64 = 10.0;
/// Default `a` of Rosenbrock's function.
pub(crate) const ROSENBROCK_A: f64 = 1.0;
/// Default `b` of Rosenbrock's function.
pub(crate) const ROSENBROCK_B: f64 = 100.0;
/// Default `A` of Rastrigin's function.
pub(crate) const RASTRIGIN_A: f64 = 10.0;
/// Default `a` of Ackley's function.
pub(crate) const ACKLEY_A: f64 = 20.0;
/// Default `b` of Ackley's function.
pub(crate) const ACKLEY_B: f64 = 0.2;
/// Default `c` of Ackley's function.
pub(crate) const ACKLEY_C: f64 = 2.0 * PI;

/// A 2-D test function with its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Landscape {
    /// f = 0.5*(a*x^2 + b*y^2).
    Quadratic { a: f64, b: f64 },
    /// f = (a - x)^2 + b*(y - x^2)^2.
    Rosenbrock { a: f64, b: f64 },
    /// f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2.
    Himmelblau,
    /// f = 2*A + (x^2 - A*cos(2*pi*x)) + (y^2 - A*cos(2*pi*y)), with `a` standing for A.
    Rastrigin { a: f64 },
    /// f = (1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2.
    Beale,
    /// f = (x + 2*y - 7)^2 + (2*x + y - 5)^2.
    Booth,
    /// f = 2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2.
    ThreeHumpCamel,
    /// f = (4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2.
    SixHumpCamel,
    /// f = 0.5*((x^4 - 16*x^2 + 5*x) + (y^4 - 16*y^2 + 5*y)).
    StyblinskiTang,
    /// f = [1 + (x + y + 1)^2*P(x, y)] * [30 + (2*x - 3*y)^2*Q(x, y)].
    GoldsteinPrice,
    /// f = -a*exp(-b*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(c*x) + cos(c*y))) + e + a.
    Ackley { a: f64, b: f64, c: f64 },
    /// f = x^2 - y^2.
    Saddle,
    /// f = 0.26*(x^2 + y^2) - 0.48*x*y.
    Matyas,
    /// f = sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1.
    McCormick,
}

/// The two bracketed factors of Goldstein-Price and their derivatives, shared by the gradient
/// and the Hessian. With s = x + y + 1, d = 2*x - 3*y:
/// A = 1 + s^2*P, P = 19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2,
/// B = 30 + d^2*Q, Q = 18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2.
struct GoldsteinPriceParts {
    s: f64,
    d: f64,
    p: f64,
    q: f64,
    /// The first factor A and the second factor B.
    fa: f64,
    fb: f64,
    /// The derivative dP/dx; dP/dy is the same (both are 6*x + 6*y - 14).
    p_x: f64,
    /// The derivatives dQ/dx and dQ/dy.
    q_x: f64,
    q_y: f64,
    /// The derivative dA/dx; dA/dy is the same.
    a_x: f64,
    /// The derivatives dB/dx and dB/dy.
    b_x: f64,
    b_y: f64,
}

impl GoldsteinPriceParts {
    #[inline]
    fn new(x: f64, y: f64) -> Self {
        let s = x + y + 1.0;
        let p = 19.0 - 14.0 * x + 3.0 * (x * x) - 14.0 * y + 6.0 * x * y + 3.0 * (y * y);
        let fa = 1.0 + (s * s) * p;
        let d = 2.0 * x - 3.0 * y;
        let q = 18.0 - 32.0 * x + 12.0 * (x * x) + 48.0 * y - 36.0 * x * y + 27.0 * (y * y);
        let fb = 30.0 + (d * d) * q;
        let p_x = -14.0 + 6.0 * x + 6.0 * y;
        let q_x = -32.0 + 24.0 * x - 36.0 * y;
        let q_y = 48.0 - 36.0 * x + 54.0 * y;
        // These follow from the chain rule with ds/dx = ds/dy = 1, dd/dx = 2 and dd/dy = -3.
        let a_x = 2.0 * s * p + (s * s) * p_x;
        let b_x = 4.0 * d * q + (d * d) * q_x;
        let b_y = -6.0 * d * q + (d * d) * q_y;
        GoldsteinPriceParts { s, d, p, q, fa, fb, p_x, q_x, q_y, a_x, b_x, b_y }
    }
}

impl Landscape {
    /// Every landscape has two parameters, (x, y).
    pub const DIM: usize = 2;

    /// True when the parameters are the standard ones (those of the embedded minima table).
    pub(crate) fn has_default_params(&self) -> bool {
        match *self {
            Landscape::Quadratic { a, b } => a == QUADRATIC_A && b == QUADRATIC_B,
            Landscape::Rosenbrock { a, b } => a == ROSENBROCK_A && b == ROSENBROCK_B,
            Landscape::Rastrigin { a } => a == RASTRIGIN_A,
            Landscape::Ackley { a, b, c } => a == ACKLEY_A && b == ACKLEY_B && c == ACKLEY_C,
            _ => true,
        }
    }

    /// A short human-readable name.
    pub fn display_name(&self) -> &'static str {
        match self {
            Landscape::Quadratic { .. } => "Quadratic bowl",
            Landscape::Rosenbrock { .. } => "Rosenbrock",
            Landscape::Himmelblau => "Himmelblau",
            Landscape::Rastrigin { .. } => "Rastrigin",
            Landscape::Beale => "Beale",
            Landscape::Booth => "Booth",
            Landscape::ThreeHumpCamel => "Three-hump camel",
            Landscape::SixHumpCamel => "Six-hump camel",
            Landscape::StyblinskiTang => "Styblinski-Tang",
            Landscape::GoldsteinPrice => "Goldstein-Price",
            Landscape::Ackley { .. } => "Ackley",
            Landscape::Saddle => "Saddle",
            Landscape::Matyas => "Matyas",
            Landscape::McCormick => "McCormick",
        }
    }

    /// The formula as text, in the same words as the reference cases.
    pub fn formula(&self) -> &'static str {
        match self {
            Landscape::Quadratic { .. } => "f(x,y) = 0.5*(a*x^2 + b*y^2)",
            Landscape::Rosenbrock { .. } => "f(x,y) = (a - x)^2 + b*(y - x^2)^2",
            Landscape::Himmelblau => "f(x,y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
            Landscape::Rastrigin { .. } => "f(x,y) = A*n + (x^2 - A*cos(2*pi*x)) + (y^2 - A*cos(2*pi*y)),  n = 2",
            Landscape::Beale => "f(x,y) = (1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
            Landscape::Booth => "f(x,y) = (x + 2*y - 7)^2 + (2*x + y - 5)^2",
            Landscape::ThreeHumpCamel => "f(x,y) = 2*x^2 - 1.05*x^4 + x^6/6 + x*y + y^2",
            Landscape::SixHumpCamel => "f(x,y) = (4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
            Landscape::StyblinskiTang => "f(x,y) = 0.5*((x^4 - 16*x^2 + 5*x) + (y^4 - 16*y^2 + 5*y))",
            Landscape::GoldsteinPrice => {
                "f(x,y) = [1 + (x + y + 1)^2*(19 - 14*x + 3*x^2 - 14*y + 6*x*y + 3*y^2)] * \
                 [30 + (2*x - 3*y)^2*(18 - 32*x + 12*x^2 + 48*y - 36*x*y + 27*y^2)]"
            }
            Landscape::Ackley { .. } => {
                "f(x,y) = -a*exp(-b*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(c*x) + cos(c*y))) + e + a"
            }
            Landscape::Saddle => "f(x,y) = x^2 - y^2",
            Landscape::Matyas => "f(x,y) = 0.26*(x^2 + y^2) - 0.48*x*y",
            Landscape::McCormick => "f(x,y) = sin(x + y) + (x - y)^2 - 1.5*x + 2.5*y + 1",
        }
    }

    /// f(x, y).
    #[inline]
    pub fn value(&self, x: f64, y: f64) -> f64 {
        match *self {
            Landscape::Quadratic { a, b } => 0.5 * (a * (x * x) + b * (y * y)),
            Landscape::Rosenbrock { a, b } => {
                let u = a - x;
                let r = y - x * x;
                u * u + b * (r * r)
            }
            Landscape::Himmelblau => {
                let u = x * x + y - 11.0;
                let v = x + y * y - 7.0;
                u * u + v * v
            }
            Landscape::Rastrigin { a } => a * 2.0 + (x * x - a * cos(2.0 * PI * x)) + (y * y - a * cos(2.0 * PI * y)),
            Landscape::Beale => {
                let (t1, t2, t3) = beale_terms(x, y);
                t1 * t1 + t2 * t2 + t3 * t3
            }
            Landscape::Booth => {
                let u = x + 2.0 * y - 7.0;
                let v = 2.0 * x + y - 5.0;
                u * u + v * v
            }
            Landscape::ThreeHumpCamel => {
                let x2 = x * x;
                2.0 * x2 - 1.05 * (x2 * x2) + x2 * x2 * x2 / 6.0 + x * y + y * y
            }
            Landscape::SixHumpCamel => {
                let (x2, y2) = (x * x, y * y);
                (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2
            }
            Landscape::StyblinskiTang => {
                let (x2, y2) = (x * x, y * y);
                0.5 * ((x2 * x2 - 16.0 * x2 + 5.0 * x) + (y2 * y2 - 16.0 * y2 + 5.0 * y))
            }
            Landscape::GoldsteinPrice => {
                let parts = GoldsteinPriceParts::new(x, y);
                parts.fa * parts.fb
            }
            Landscape::Ackley { a, b, c } => {
                let r = sqrt(0.5 * (x * x + y * y));
                let e1 = exp(-b * r);
                let e2 = exp(0.5 * (cos(c * x) + cos(c * y)));
                -a * e1 - e2 + E + a
            }
            Landscape::Saddle => x * x - y * y,
            Landscape::Matyas => 0.26 * (x * x + y * y) - 0.48 * x * y,
            Landscape::McCormick => {
                let d = x - y;
                sin(x + y) + d * d - 1.5 * x + 2.5 * y + 1.0
            }
        }
    }

    /// f(x, y) and its gradient. The value is bit-identical to `value`.
    #[inline]
    pub fn value_grad(&self, x: f64, y: f64) -> (f64, [f64; 2]) {
        match *self {
            Landscape::Quadratic { a, b } => {
                let f = 0.5 * (a * (x * x) + b * (y * y));
                (f, [a * x, b * y])
            }
            Landscape::Rosenbrock { a, b } => {
                let u = a - x;
                let r = y - x * x;
                let f = u * u + b * (r * r);
                (f, [-2.0 * u - 4.0 * b * x * r, 2.0 * b * r])
            }
            Landscape::Himmelblau => {
                let u = x * x + y - 11.0;
                let v = x + y * y - 7.0;
                let f = u * u + v * v;
                (f, [4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v])
            }
            Landscape::Rastrigin { a } => {
                let (cx, cy) = (2.0 * PI * x, 2.0 * PI * y);
                let f = a * 2.0 + (x * x - a * cos(cx)) + (y * y - a * cos(cy));
                let k = 2.0 * PI * a;
                (f, [2.0 * x + k * sin(cx), 2.0 * y + k * sin(cy)])
            }
            Landscape::Beale => {
                let (t1, t2, t3) = beale_terms(x, y);
                let f = t1 * t1 + t2 * t2 + t3 * t3;
                let (y2, y3) = (y * y, y * y * y);
                let gx = 2.0 * t1 * (y - 1.0) + 2.0 * t2 * (y2 - 1.0) + 2.0 * t3 * (y3 - 1.0);
                let gy = 2.0 * t1 * x + 2.0 * t2 * (2.0 * x * y) + 2.0 * t3 * (3.0 * x * y2);
                (f, [gx, gy])
            }
            Landscape::Booth => {
                let u = x + 2.0 * y - 7.0;
                let v = 2.0 * x + y - 5.0;
                (u * u + v * v, [2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v])
            }
            Landscape::ThreeHumpCamel => {
                let x2 = x * x;
                let f = 2.0 * x2 - 1.05 * (x2 * x2) + x2 * x2 * x2 / 6.0 + x * y + y * y;
                let gx = 4.0 * x - 4.2 * x2 * x + x2 * x2 * x + y;
                (f, [gx, x + 2.0 * y])
            }
            Landscape::SixHumpCamel => {
                let (x2, y2) = (x * x, y * y);
                let f = (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2;
                let gx = 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y;
                let gy = x - 8.0 * y + 16.0 * y2 * y;
                (f, [gx, gy])
            }
            Landscape::StyblinskiTang => {
                let (x2, y2) = (x * x, y * y);
                let f = 0.5 * ((x2 * x2 - 16.0 * x2 + 5.0 * x) + (y2 * y2 - 16.0 * y2 + 5.0 * y));
                let gx = 0.5 * (4.0 * x2 * x - 32.0 * x + 5.0);
                let gy = 0.5 * (4.0 * y2 * y - 32.0 * y + 5.0);
                (f, [gx, gy])
            }
            Landscape::GoldsteinPrice => {
                let g = GoldsteinPriceParts::new(x, y);
                let f = g.fa * g.fb;
                // dA/dy equals dA/dx because s and P have equal x and y derivatives.
                let gx = g.a_x * g.fb + g.fa * g.b_x;
                let gy = g.a_x * g.fb + g.fa * g.b_y;
                (f, [gx, gy])
            }
            Landscape::Ackley { a, b, c } => {
                let r = sqrt(0.5 * (x * x + y * y));
                let e1 = exp(-b * r);
                let (ccx, ccy) = (c * x, c * y);
                let e2 = exp(0.5 * (cos(ccx) + cos(ccy)));
                let f = -a * e1 - e2 + E + a;
                // d/dx of -a*exp(-b*r) is a*b*exp(-b*r) * dr/dx with dr/dx = 0.5*x/r; at the
                // origin the subgradient 0 is used.
                let k = if r > 0.0 { 0.5 * a * b * e1 / r } else { 0.0 };
                let m = 0.5 * c * e2;
                (f, [k * x + m * sin(ccx), k * y + m * sin(ccy)])
            }
            Landscape::Saddle => (x * x - y * y, [2.0 * x, -2.0 * y]),
            Landscape::Matyas => {
                let f = 0.26 * (x * x + y * y) - 0.48 * x * y;
                (f, [0.52 * x - 0.48 * y, 0.52 * y - 0.48 * x])
            }
            Landscape::McCormick => {
                let d = x - y;
                let sum = x + y;
                let f = sin(sum) + d * d - 1.5 * x + 2.5 * y + 1.0;
                let cs = cos(sum);
                (f, [cs + 2.0 * d - 1.5, cs - 2.0 * d + 2.5])
            }
        }
    }

    /// The Hessian [f_xx, f_xy, f_yx, f_yy] (row-major 2 x 2).
    pub fn hessian(&self, x: f64, y: f64) -> [f64; 4] {
        let (hxx, hxy, hyy) = match *self {
            Landscape::Quadratic { a, b } => (a, 0.0, b),
            Landscape::Rosenbrock { b, .. } => (2.0 - 4.0 * b * (y - 3.0 * x * x), -4.0 * b * x, 2.0 * b),
            Landscape::Himmelblau => {
                let u = x * x + y - 11.0;
                let v = x + y * y - 7.0;
                (4.0 * u + 8.0 * x * x + 2.0, 4.0 * x + 4.0 * y, 2.0 + 4.0 * v + 8.0 * y * y)
            }
            Landscape::Rastrigin { a } => {
                let k = 4.0 * PI * PI * a;
                (2.0 + k * cos(2.0 * PI * x), 0.0, 2.0 + k * cos(2.0 * PI * y))
            }
            Landscape::Beale => {
                let (t1, t2, t3) = beale_terms(x, y);
                let (y2, y3) = (y * y, y * y * y);
                // These are the first partial derivatives of the three residuals.
                let (d1x, d2x, d3x) = (y - 1.0, y2 - 1.0, y3 - 1.0);
                let (d1y, d2y, d3y) = (x, 2.0 * x * y, 3.0 * x * y2);
                let hxx = 2.0 * (d1x * d1x + d2x * d2x + d3x * d3x);
                let hxy = 2.0 * (d1x * d1y + t1 + d2x * d2y + t2 * 2.0 * y + d3x * d3y + t3 * 3.0 * y2);
                let hyy = 2.0 * (d1y * d1y + d2y * d2y + t2 * 2.0 * x + d3y * d3y + t3 * 6.0 * x * y);
                (hxx, hxy, hyy)
            }
            Landscape::Booth => (10.0, 8.0, 10.0),
            Landscape::ThreeHumpCamel => {
                let x2 = x * x;
                (4.0 - 12.6 * x2 + 5.0 * x2 * x2, 1.0, 2.0)
            }
            Landscape::SixHumpCamel => {
                let x2 = x * x;
                (8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0, -8.0 + 48.0 * y * y)
            }
            Landscape::StyblinskiTang => (6.0 * x * x - 16.0, 0.0, 6.0 * y * y - 16.0),
            Landscape::GoldsteinPrice => goldstein_price_hessian(x, y),
            Landscape::Ackley { a, b, c } => ackley_hessian(a, b, c, x, y),
            Landscape::Saddle => (2.0, 0.0, -2.0),
            Landscape::Matyas => (0.52, -0.48, 0.52),
            Landscape::McCormick => {
                let s = sin(x + y);
                (2.0 - s, -2.0 - s, 2.0 - s)
            }
        };
        [hxx, hxy, hxy, hyy]
    }
}

/// The three residuals of Beale's function.
#[inline]
fn beale_terms(x: f64, y: f64) -> (f64, f64, f64) {
    (1.5 - x + x * y, 2.25 - x + x * (y * y), 2.625 - x + x * (y * y * y))
}

/// (f_xx, f_xy, f_yy) of Goldstein-Price, by the product rule on f = A*B.
fn goldstein_price_hessian(x: f64, y: f64) -> (f64, f64, f64) {
    let g = GoldsteinPriceParts::new(x, y);
    // A depends on (x, y) only through s and P, whose second derivatives are all 6, so the
    // three second derivatives of A coincide.
    let a_2 = 2.0 * g.p + 4.0 * g.s * g.p_x + 6.0 * (g.s * g.s);
    // B = d^2*Q, where d_x = 2, d_y = -3, Q_xx = 24, Q_xy = -36 and Q_yy = 54.
    let d2 = g.d * g.d;
    let b_xx = 8.0 * g.q + 8.0 * g.d * g.q_x + 24.0 * d2;
    let b_xy = -12.0 * g.q + 2.0 * g.d * (2.0 * g.q_y - 3.0 * g.q_x) - 36.0 * d2;
    let b_yy = 18.0 * g.q - 12.0 * g.d * g.q_y + 54.0 * d2;
    let hxx = a_2 * g.fb + 2.0 * g.a_x * g.b_x + g.fa * b_xx;
    let hxy = a_2 * g.fb + g.a_x * g.b_y + g.a_x * g.b_x + g.fa * b_xy;
    let hyy = a_2 * g.fb + 2.0 * g.a_x * g.b_y + g.fa * b_yy;
    (hxx, hxy, hyy)
}

/// (f_xx, f_xy, f_yy) of Ackley's function.
///
/// With r = sqrt(0.5*(x^2 + y^2)) and h(r) = -a*exp(-b*r), the first term's Hessian is
/// h''(r) * grad r grad r^T + h'(r) * Hess r, where grad r = 0.5*(x, y)/r and
/// Hess r = 0.5*I/r - 0.25*(x, y)(x, y)^T/r^3. At r = 0 this term is taken as 0, matching the
/// zero subgradient. The second term is -exp(phi) with phi = 0.5*(cos(c*x) + cos(c*y)), whose
/// Hessian is -exp(phi) * (grad phi grad phi^T + Hess phi).
fn ackley_hessian(a: f64, b: f64, c: f64, x: f64, y: f64) -> (f64, f64, f64) {
    let r = sqrt(0.5 * (x * x + y * y));
    let (mut hxx, mut hxy, mut hyy) = (0.0, 0.0, 0.0);
    if r > 0.0 {
        let e1 = exp(-b * r);
        let h1 = a * b * e1;
        let h2 = -a * b * b * e1;
        let (px, py) = (0.5 * x / r, 0.5 * y / r);
        let r3 = r * r * r;
        hxx = h2 * px * px + h1 * (0.5 / r - 0.25 * x * x / r3);
        hxy = h2 * px * py + h1 * (-0.25 * x * y / r3);
        hyy = h2 * py * py + h1 * (0.5 / r - 0.25 * y * y / r3);
    }
    let (ccx, ccy) = (c * x, c * y);
    let e2 = exp(0.5 * (cos(ccx) + cos(ccy)));
    let (phi_x, phi_y) = (-0.5 * c * sin(ccx), -0.5 * c * sin(ccy));
    let (phi_xx, phi_yy) = (-0.5 * c * c * cos(ccx), -0.5 * c * c * cos(ccy));
    hxx -= e2 * (phi_x * phi_x + phi_xx);
    hxy -= e2 * (phi_x * phi_y);
    hyy -= e2 * (phi_y * phi_y + phi_yy);
    (hxx, hxy, hyy)
}
