//! Second-order forward-mode automatic differentiation in two variables.
//!
//! A `Dual` carries a value u together with its exact first and second partial derivatives
//! with respect to x and y: (u, u_x, u_y, u_xx, u_xy, u_yy). Sums and products follow the
//! product rule, (uv)_xy = u_xy v + u_x v_y + u_y v_x + u v_xy, and a function g of one argument
//! follows the second-order chain rule, (g(u))_xy = g''(u) u_x u_y + g'(u) u_xy (see e.g.
//! Griewank and Walther, "Evaluating Derivatives", 2nd ed., SIAM 2008, ch. 13, on univariate
//! Taylor propagation). One evaluation therefore gives the value, the gradient and the Hessian
//! with no truncation error, unlike finite differences.
//!
//! The value part is computed exactly as a plain `f64` evaluation would compute it, so the
//! value of f does not depend on whether derivatives were asked for.

/// A value with its gradient and Hessian in (x, y).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dual {
    /// The value u.
    pub v: f64,
    /// du/dx and du/dy.
    pub d: [f64; 2],
    /// d2u/dx2, d2u/dxdy and d2u/dy2.
    pub h: [f64; 3],
}

impl Dual {
    /// A constant: every derivative is zero.
    pub fn constant(v: f64) -> Dual {
        Dual { v, d: [0.0; 2], h: [0.0; 3] }
    }

    /// The variable x (index 0) or y (index 1) at `v`.
    pub fn variable(v: f64, index: usize) -> Dual {
        let mut d = [0.0; 2];
        if let Some(slot) = d.get_mut(index) {
            *slot = 1.0;
        }
        Dual { v, d, h: [0.0; 3] }
    }

    /// True when no derivative is non-zero (the number does not depend on x or y here).
    pub fn is_constant(&self) -> bool {
        self.d == [0.0; 2] && self.h == [0.0; 3]
    }

    /// u + w.
    pub fn plus(self, w: Dual) -> Dual {
        Dual {
            v: self.v + w.v,
            d: [self.d[0] + w.d[0], self.d[1] + w.d[1]],
            h: [self.h[0] + w.h[0], self.h[1] + w.h[1], self.h[2] + w.h[2]],
        }
    }

    /// u - w.
    pub fn minus(self, w: Dual) -> Dual {
        self.plus(w.negated())
    }

    /// -u.
    pub fn negated(self) -> Dual {
        Dual { v: -self.v, d: [-self.d[0], -self.d[1]], h: [-self.h[0], -self.h[1], -self.h[2]] }
    }

    /// u * w by the product rule.
    pub fn times(self, w: Dual) -> Dual {
        let (u, a) = (self, w);
        Dual {
            v: u.v * a.v,
            d: [u.d[0] * a.v + u.v * a.d[0], u.d[1] * a.v + u.v * a.d[1]],
            h: [
                u.h[0] * a.v + 2.0 * u.d[0] * a.d[0] + u.v * a.h[0],
                u.h[1] * a.v + u.d[0] * a.d[1] + u.d[1] * a.d[0] + u.v * a.h[1],
                u.h[2] * a.v + 2.0 * u.d[1] * a.d[1] + u.v * a.h[2],
            ],
        }
    }

    /// u / w: the value is divided directly (so it equals the plain quotient), the
    /// derivatives come from u * (1/w).
    pub fn over(self, w: Dual) -> Dual {
        let inverse = 1.0 / w.v;
        let derivatives = self.times(w.chain(inverse, -inverse * inverse, 2.0 * inverse * inverse * inverse));
        Dual { v: self.v / w.v, ..derivatives }
    }

    /// g(u), given g(u), g'(u) and g''(u) at u's value: the second-order chain rule.
    pub fn chain(self, g: f64, g1: f64, g2: f64) -> Dual {
        let d = self.d;
        // A zero derivative times an infinite or NaN g' stays zero: a constant argument has
        // constant image, whatever g's derivative there (e.g. sqrt(0) with no x in it).
        let times = |factor: f64, part: f64| if part == 0.0 { 0.0 } else { factor * part };
        Dual {
            v: g,
            d: [times(g1, d[0]), times(g1, d[1])],
            h: [
                times(g2, d[0] * d[0]) + times(g1, self.h[0]),
                times(g2, d[0] * d[1]) + times(g1, self.h[1]),
                times(g2, d[1] * d[1]) + times(g1, self.h[2]),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_of_x_and_y_has_the_mixed_derivative_one() {
        let p = Dual::variable(3.0, 0).times(Dual::variable(5.0, 1));
        assert_eq!(p.v, 15.0);
        assert_eq!(p.d, [5.0, 3.0]);
        assert_eq!(p.h, [0.0, 1.0, 0.0]);
    }

    #[test]
    fn quotient_matches_the_quotient_rule() {
        // f = x / y at (2, 4): f_x = 1/y, f_y = -x/y^2, f_xx = 0, f_xy = -1/y^2, f_yy = 2x/y^3.
        let q = Dual::variable(2.0, 0).over(Dual::variable(4.0, 1));
        assert_eq!(q.v, 0.5);
        assert_eq!(q.d, [0.25, -0.125]);
        assert_eq!(q.h, [0.0, -0.0625, 0.0625]);
    }

    #[test]
    fn chain_of_a_constant_stays_constant_even_with_an_infinite_derivative() {
        let c = Dual::constant(0.0).chain(0.0, f64::INFINITY, f64::NEG_INFINITY);
        assert!(c.is_constant());
    }
}
