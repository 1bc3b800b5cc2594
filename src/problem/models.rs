//! Regression models trained on small inline data sets, with analytic gradients and Hessians.
//!
//! Linear regression, parameters p = [w, b] (mean squared error, penalties on w only):
//!   f = (1/n)*sum_i (w*x_i + b - y_i)^2 + l2*w^2 + l1*|w|,
//!   df/dw = (2/n)*sum_i r_i*x_i + 2*l2*w + l1*sign(w), df/db = (2/n)*sum_i r_i,
//!   with r_i = w*x_i + b - y_i; the Hessian is (2/n)*sum_i [x_i, 1][x_i, 1]^T + diag(2*l2, 0).
//!
//! Logistic regression, parameters p = [w1, w2, b] (mean binary cross-entropy with logits,
//! penalties on w1 and w2 only, never on the bias):
//!   z_i = w1*x_i1 + w2*x_i2 + b,
//!   f = (1/n)*sum_i [log(1 + exp(z_i)) - y_i*z_i] + l2*(w1^2 + w2^2) + l1*(|w1| + |w2|),
//!   grad = (1/n)*sum_i (sigmoid(z_i) - y_i)*[x_i1, x_i2, 1] + penalty terms,
//!   Hessian = (1/n)*sum_i sigmoid(z_i)*(1 - sigmoid(z_i))*[x_i, 1][x_i, 1]^T + diag(2*l2, 2*l2, 0).
//!
//! The derivative of |w| is sign(w) with sign(0) = 0, as in PyTorch's autograd; the l1 term
//! contributes nothing to the Hessian. log(1 + exp(z)) is evaluated stably as
//! z + log1p(exp(-z)) for z > 0 and log1p(exp(z)) otherwise, and the sigmoid as 1/(1 + exp(-z))
//! or exp(z)/(1 + exp(z)); both share the single exponential exp(-|z|).
//!
//! Sources: the formulas of the reference cases (`tests/reference/cases/*linreg*.json` and
//! `*logreg*.json`, computed with PyTorch); T. Hastie, R. Tibshirani and J. Friedman, "The
//! Elements of Statistical Learning", sections 3.2 and 4.4.

use crate::math::{exp, ln_1p, sign};

/// Linear regression on points (x_i, y_i) with penalties on the slope.
#[derive(Clone, Debug, PartialEq)]
pub struct LinReg {
    /// The data as pairs [x_i, y_i].
    points: Vec<[f64; 2]>,
    /// Weight of l1*|w|.
    l1: f64,
    /// Weight of l2*w^2.
    l2: f64,
}

/// Logistic regression on points ((x_i1, x_i2), y_i) with penalties on the weights.
#[derive(Clone, Debug, PartialEq)]
pub struct LogReg {
    /// The data as triples [x_i1, x_i2, y_i].
    points: Vec<[f64; 3]>,
    /// Weight of l1*(|w1| + |w2|).
    l1: f64,
    /// Weight of l2*(w1^2 + w2^2).
    l2: f64,
}

/// log(1 + exp(z)) and sigmoid(z), computed from e = exp(-|z|) without overflow.
#[inline]
fn softplus_sigmoid(z: f64) -> (f64, f64, f64) {
    let e = exp(-z.abs());
    if z > 0.0 {
        (z + ln_1p(e), 1.0 / (1.0 + e), e)
    } else {
        (ln_1p(e), e / (1.0 + e), e)
    }
}

/// The number of points as a float, for the means.
#[inline]
fn count(n: usize) -> f64 {
    n as f64
}

impl LinReg {
    /// Parameters [w, b].
    pub const DIM: usize = 2;
    /// Name shown to users.
    pub const DISPLAY_NAME: &'static str = "Linear regression";
    /// The formula, in the same words as the reference cases.
    pub const FORMULA: &'static str = "params p = [w, b]; f = (1/n)*sum_i (w*x_i + b - y_i)^2 \
        + l2*w^2 + l1*|w|  (penalties on w only, never on the bias b)";

    /// A model on the pairs (x[i], y[i]); surplus entries of the longer slice are ignored.
    pub fn new(x: &[f64], y: &[f64], l1: f64, l2: f64) -> Self {
        let points = x.iter().zip(y).map(|(&xi, &yi)| [xi, yi]).collect();
        LinReg { points, l1, l2 }
    }

    /// Number of data points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when there is no data point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The penalty l2*w^2 + l1*|w|.
    #[inline]
    fn penalty(&self, w: f64) -> f64 {
        self.l2 * (w * w) + self.l1 * w.abs()
    }

    /// The mean of `sum` over the data (0 for no data, which validation rejects anyway).
    #[inline]
    fn mean(&self, sum: f64) -> f64 {
        if self.points.is_empty() {
            0.0
        } else {
            sum / count(self.points.len())
        }
    }

    /// f(p) for p = [w, b]; NaN when p has the wrong length.
    pub fn loss(&self, p: &[f64]) -> f64 {
        let [w, b] = *p else {
            return f64::NAN;
        };
        let mut sum = 0.0;
        for &[x, y] in &self.points {
            let r = w * x + b - y;
            sum += r * r;
        }
        self.mean(sum) + self.penalty(w)
    }

    /// Writes grad f(p) into `g` and returns f(p); NaN everywhere when a length is wrong.
    #[inline]
    pub fn loss_grad(&self, p: &[f64], g: &mut [f64]) -> f64 {
        let ([w, b], [gw, gb]) = (p, &mut *g) else {
            g.fill(f64::NAN);
            return f64::NAN;
        };
        let (w, b) = (*w, *b);
        let (mut s_rr, mut s_rx, mut s_r) = (0.0, 0.0, 0.0);
        for &[x, y] in &self.points {
            let r = w * x + b - y;
            s_rr += r * r;
            s_rx += r * x;
            s_r += r;
        }
        *gw = 2.0 * self.mean(s_rx) + 2.0 * self.l2 * w + self.l1 * sign(w);
        *gb = 2.0 * self.mean(s_r);
        self.mean(s_rr) + self.penalty(w)
    }

    /// Writes the 2 x 2 Hessian (row-major) into `h`; NaN when a length is wrong.
    pub fn hessian(&self, p: &[f64], h: &mut [f64]) {
        let (Ok(out), 2) = (<&mut [f64; 4]>::try_from(&mut *h), p.len()) else {
            h.fill(f64::NAN);
            return;
        };
        let (mut s_xx, mut s_x) = (0.0, 0.0);
        for &[x, _] in &self.points {
            s_xx += x * x;
            s_x += x;
        }
        let h_wb = 2.0 * self.mean(s_x);
        let h_bb = if self.points.is_empty() { 0.0 } else { 2.0 };
        *out = [2.0 * self.mean(s_xx) + 2.0 * self.l2, h_wb, h_wb, h_bb];
    }
}

impl LogReg {
    /// Parameters [w1, w2, b].
    pub const DIM: usize = 3;
    /// Name shown to users.
    pub const DISPLAY_NAME: &'static str = "Logistic regression";
    /// The formula, in the same words as the reference cases.
    pub const FORMULA: &'static str = "params p = [w1, w2, b]; z_i = w1*x_i1 + w2*x_i2 + b; \
        f = (1/n)*sum_i [log(1 + exp(z_i)) - y_i*z_i]  (mean binary cross-entropy with logits, \
        y_i in {0,1}) + l2*(w1^2 + w2^2) + l1*(|w1| + |w2|)  (penalties on w1, w2 only, never \
        on the bias b)";

    /// A model on the points (x[i], y[i]); surplus entries of the longer slice are ignored.
    pub fn new(x: &[[f64; 2]], y: &[f64], l1: f64, l2: f64) -> Self {
        let points = x.iter().zip(y).map(|(&[x1, x2], &yi)| [x1, x2, yi]).collect();
        LogReg { points, l1, l2 }
    }

    /// Number of data points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when there is no data point.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The penalty l2*(w1^2 + w2^2) + l1*(|w1| + |w2|).
    #[inline]
    fn penalty(&self, w1: f64, w2: f64) -> f64 {
        self.l2 * (w1 * w1 + w2 * w2) + self.l1 * (w1.abs() + w2.abs())
    }

    /// The mean of `sum` over the data (0 for no data, which validation rejects anyway).
    #[inline]
    fn mean(&self, sum: f64) -> f64 {
        if self.points.is_empty() {
            0.0
        } else {
            sum / count(self.points.len())
        }
    }

    /// f(p) for p = [w1, w2, b]; NaN when p has the wrong length.
    pub fn loss(&self, p: &[f64]) -> f64 {
        let [w1, w2, b] = *p else {
            return f64::NAN;
        };
        let mut sum = 0.0;
        for &[x1, x2, y] in &self.points {
            let z = w1 * x1 + w2 * x2 + b;
            let (softplus, _, _) = softplus_sigmoid(z);
            sum += softplus - y * z;
        }
        self.mean(sum) + self.penalty(w1, w2)
    }

    /// Writes grad f(p) into `g` and returns f(p); NaN everywhere when a length is wrong.
    #[inline]
    pub fn loss_grad(&self, p: &[f64], g: &mut [f64]) -> f64 {
        let ([w1, w2, b], [g1, g2, gb]) = (p, &mut *g) else {
            g.fill(f64::NAN);
            return f64::NAN;
        };
        let (w1, w2, b) = (*w1, *w2, *b);
        let (mut sum, mut s1, mut s2, mut sb) = (0.0, 0.0, 0.0, 0.0);
        for &[x1, x2, y] in &self.points {
            let z = w1 * x1 + w2 * x2 + b;
            let (softplus, sigmoid, _) = softplus_sigmoid(z);
            sum += softplus - y * z;
            let d = sigmoid - y;
            s1 += d * x1;
            s2 += d * x2;
            sb += d;
        }
        *g1 = self.mean(s1) + 2.0 * self.l2 * w1 + self.l1 * sign(w1);
        *g2 = self.mean(s2) + 2.0 * self.l2 * w2 + self.l1 * sign(w2);
        *gb = self.mean(sb);
        self.mean(sum) + self.penalty(w1, w2)
    }

    /// Writes the 3 x 3 Hessian (row-major) into `h`; NaN when a length is wrong.
    pub fn hessian(&self, p: &[f64], h: &mut [f64]) {
        let ([w1, w2, b], Ok(out)) = (p, <&mut [f64; 9]>::try_from(&mut *h)) else {
            h.fill(f64::NAN);
            return;
        };
        // These accumulate q_i*v_i*v_i^T with v_i = [x_i1, x_i2, 1] and
        // q_i = sigmoid*(1 - sigmoid), which equals e/(1 + e)^2 for e = exp(-|z_i|) on both
        // sides of zero.
        let (mut s11, mut s12, mut s1b, mut s22, mut s2b, mut sbb) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for &[x1, x2, _] in &self.points {
            let z = w1 * x1 + w2 * x2 + b;
            let (_, _, e) = softplus_sigmoid(z);
            let q = e / ((1.0 + e) * (1.0 + e));
            s11 += q * x1 * x1;
            s12 += q * x1 * x2;
            s1b += q * x1;
            s22 += q * x2 * x2;
            s2b += q * x2;
            sbb += q;
        }
        let l2 = 2.0 * self.l2;
        let (h11, h12, h1b) = (self.mean(s11) + l2, self.mean(s12), self.mean(s1b));
        let (h22, h2b, hbb) = (self.mean(s22) + l2, self.mean(s2b), self.mean(sbb));
        *out = [h11, h12, h1b, h12, h22, h2b, h1b, h2b, hbb];
    }
}
