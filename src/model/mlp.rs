//! A stack of dense layers on a flat weight buffer: forward pass, backpropagation, initialisation.
//!
//! Every model of this module is such a stack. Linear, polynomial and logistic regression have
//! no hidden layer (one dense layer from the features to the output unit); an MLP has 0 to 6
//! hidden layers of 1 to 32 units, each followed by its activation, and a linear output unit.
//!
//! Weight layout. With layer widths n_0 (features), n_1, ..., n_H (hidden), n_{H+1} = 1
//! (output), dense layer l = 0..=H maps n_l inputs to n_{l+1} units and stores, contiguously,
//! - its weight matrix W_l as an n_l x n_{l+1} row-major block: W_l[i*n_{l+1} + o] connects
//!   input i to unit o (the "kernel" of z = x W + b, as in Keras/TensorFlow), then
//! - its n_{l+1} biases b_l.
//!
//! The buffer is [W_0, b_0, W_1, b_1, ..., W_H, b_H]. For the models without hidden layer this
//! is [w_1, ..., w_d, b], the order of the reference cases (`linreg` [w, b], `logreg`
//! [w1, w2, b]). In the backward pass the row W_l[i, :] is read contiguously.
//!
//! Blocks of examples. Examples are processed in blocks of L "lanes" (L = 8, or L = 1 for
//! `predict` and for a training tail of fewer than 4 rows): every activation and delta is an
//! array [f64; L] holding one unit for L examples, so each weight is loaded once per block and
//! the innermost loops run over L independent lanes (vector registers natively, independent
//! scalar chains in wasm32 without SIMD). Lanes never mix in the forward pass: every z[o] is
//! summed in the fixed order b[o] + x_0*W[0,o] + x_1*W[1,o] + ..., whatever the block size, so
//! `predict` (a block of one) and `predict_grid` (blocks of eight) agree to the bit. Unused
//! lanes of a partial block hold zeros and receive no activation function call. The gradient of
//! a weight adds the 8 per-lane products of a block as the fixed tree
//! ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)) before adding the result to the gradient,
//! so the order of the additions is fixed by the code and identical on every target.
//!
//! Backpropagation for one example (D. E. Rumelhart, G. E. Hinton and R. J. Williams, "Learning
//! representations by back-propagating errors", Nature 323, 1986), with h_0 = x, z_{l+1} =
//! h_l W_l + b_l, h_{l+1} = m_{l+1} * f(z_{l+1}) for hidden layers (m is the dropout mask,
//! 1 without dropout) and out = z_{H+1}:
//!   delta_{H+1} = dloss/dout,
//!   dW_l = h_l^T delta_{l+1},  db_l = delta_{l+1},
//!   delta_l = (W_l delta_{l+1}) * f'(z_l) * m_l.
//!
//! Inverted dropout (N. Srivastava, G. Hinton, A. Krizhevsky, I. Sutskever and
//! R. Salakhutdinov, "Dropout: A Simple Way to Prevent Neural Networks from Overfitting", JMLR 15,
//! 2014; the "inverted" scaling at training time is the form used by PyTorch's `nn.Dropout`):
//! each hidden unit is kept with probability 1 - p, its output multiplied by m = 1/(1 - p) when
//! kept and by 0 when dropped, so E[h] is unchanged and evaluation needs no rescaling. One
//! 32-bit number u = `next_u32()` is drawn per hidden unit and example, in the order block,
//! layer, unit, example; the unit is dropped when u < p*2^32, which happens with probability p
//! rounded up to a multiple of 2^-32 (one draw of 32 bits costs half a 53-bit `uniform()`).
//!
//! Nothing here allocates: activations and deltas live in fixed stack arrays. Their width W is
//! a compile-time parameter, 8 for networks whose layers all have at most 8 units (every
//! TensorFlow Playground network; about 8 kB of scratch space per training call) and 32
//! otherwise (about 31 kB), so that small networks neither zero nor pollute the cache with
//! unused space. The arithmetic does not depend on W.

use super::activation::{Activation, Init, InitScheme, PLAYGROUND_BIAS, PLAYGROUND_WEIGHT_RANGE};
use super::head::Head;
use super::loss::Loss;
use crate::data::Rng;
use crate::math::{sign, sqrt};

/// The most hidden layers an MLP may have.
pub const MAX_HIDDEN_LAYERS: usize = 6;
/// The most units a hidden layer may have.
pub const MAX_UNITS: usize = 32;
/// The most input features a model may have (the input is stored like a hidden layer).
pub const MAX_INPUTS: usize = MAX_UNITS;
/// Number of examples processed together.
pub(crate) const LANES: usize = 8;
/// Buffer width for networks whose layers have at most 8 units.
pub(crate) const NARROW: usize = 8;
/// Buffer width for every other network.
pub(crate) const WIDE: usize = MAX_UNITS;

/// Widths of the layers: features, hidden layers, output.
const MAX_WIDTHS: usize = MAX_HIDDEN_LAYERS + 2;

use super::lanes::{self, Lanes};

/// Features (layer 0) and hidden outputs (layers 1..=H) of a block of L examples, for layers of
/// at most W units: `act[layer][unit][lane]`.
pub(crate) type Activations<const W: usize, const L: usize> = [[Lanes<L>; W]; MAX_HIDDEN_LAYERS + 1];

/// f'(z)*m of the hidden layers of a block: `der[hidden layer - 1][unit][lane]`.
type Derivatives<const W: usize, const L: usize> = [[Lanes<L>; W]; MAX_HIDDEN_LAYERS];

/// Zeroed activation buffers.
///
/// Zeroed buffers are copies of constants: the size-optimised build makes a nested array
/// expression such as `[[[0.0; L]; W]; 7]` a loop of block copies, but a copy of an all-zero
/// constant a single `memory.fill`.
#[inline(always)]
pub(crate) fn activations<const W: usize, const L: usize>() -> Activations<W, L> {
    TrainScratch::<W, L>::ZERO.act
}

/// The shapes of a stack of dense layers and where each block lives in the flat buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// widths[0] = number of features, widths[1..=n_hidden] = hidden units, then 1 output.
    widths: [usize; MAX_WIDTHS],
    /// Number of hidden layers H.
    n_hidden: usize,
    /// offsets[l] = start of W_l for l = 0..=H; offsets[H + 1] = total number of parameters.
    offsets: [usize; MAX_WIDTHS],
}

impl Layout {
    /// The layout for `n_features` inputs and the given hidden widths, or None when there are
    /// more than 32 features, more than 6 hidden layers, or a width outside 1..=32.
    pub(crate) fn new(n_features: usize, hidden: &[usize]) -> Option<Layout> {
        if n_features > MAX_INPUTS
            || hidden.len() > MAX_HIDDEN_LAYERS
            || hidden.iter().any(|&h| h == 0 || h > MAX_UNITS)
        {
            return None;
        }
        let n_hidden = hidden.len();
        let mut widths = [0usize; MAX_WIDTHS];
        widths[0] = n_features;
        widths[1..=n_hidden].copy_from_slice(hidden);
        widths[n_hidden + 1] = 1;
        let mut offsets = [0usize; MAX_WIDTHS];
        for l in 0..=n_hidden {
            // Each layer holds n_in*n_out weights and n_out biases.
            offsets[l + 1] = offsets[l] + widths[l] * widths[l + 1] + widths[l + 1];
        }
        Some(Layout { widths, n_hidden, offsets })
    }

    /// A layout with no parameters, for models whose config is invalid.
    pub(crate) fn empty() -> Layout {
        Layout { widths: [0; MAX_WIDTHS], n_hidden: 0, offsets: [0; MAX_WIDTHS] }
    }

    /// Total number of weights and biases.
    #[inline]
    pub(crate) fn num_params(&self) -> usize {
        self.offsets[self.n_hidden + 1]
    }

    /// Number of hidden layers.
    #[inline]
    pub(crate) fn n_hidden(&self) -> usize {
        self.n_hidden
    }

    /// Widths of all layers: features, hidden layers, output.
    pub(crate) fn widths(&self) -> &[usize] {
        &self.widths[..self.n_hidden + 2]
    }

    /// True when every layer has at most `NARROW` units, so the narrow buffers suffice.
    pub(crate) fn is_narrow(&self) -> bool {
        self.widths().iter().all(|&w| w <= NARROW)
    }

    /// The widths clamped to W, the size of the buffers in use (a no-op when the buffers are
    /// wide enough, which the callers ensure; the clamp only rules out out-of-bounds slicing).
    #[inline(always)]
    fn clamped<const W: usize>(&self) -> [usize; MAX_WIDTHS] {
        // A plain loop: `array::map` is a call per use in the size-optimised build.
        let mut out = [0; MAX_WIDTHS];
        for (o, &w) in out.iter_mut().zip(&self.widths) {
            *o = w.min(W);
        }
        out
    }

    /// The start of W_l, the start of b_l and the end of layer l in the flat buffer.
    #[inline(always)]
    fn bounds(&self, l: usize) -> (usize, usize, usize) {
        let start = self.offsets[l];
        let end = self.offsets[l + 1];
        (start, end - self.widths[l + 1], end)
    }

    /// The weight matrix and biases of layer l inside `w`. A buffer that is too short gives
    /// empty slices rather than a panic (callers check the length first anyway).
    #[inline(always)]
    pub(crate) fn params<'a>(&self, w: &'a [f64], l: usize) -> (&'a [f64], &'a [f64]) {
        let (start, mid, end) = self.bounds(l);
        (w.get(start..mid).unwrap_or(&[]), w.get(mid..end).unwrap_or(&[]))
    }

    /// The mutable weight matrix and biases of layer l inside `g`.
    #[inline(always)]
    fn params_mut<'a>(&self, g: &'a mut [f64], l: usize) -> (&'a mut [f64], &'a mut [f64]) {
        let (start, mid, end) = self.bounds(l);
        match g.get_mut(start..end) {
            Some(block) => block.split_at_mut_checked(mid - start).unwrap_or((&mut [], &mut [])),
            None => (&mut [], &mut []),
        }
    }
}

/// A dense network: its shapes, hidden activation and training loss.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Net {
    /// Shapes and offsets.
    pub(crate) layout: Layout,
    /// Activation of every hidden unit.
    pub(crate) activation: Activation,
    /// Per-example loss.
    pub(crate) loss: Loss,
    /// How the raw output is read (and which targets it is trained on).
    pub(crate) head: Head,
    /// How the parameters are initialised.
    pub(crate) init: Init,
}

/// Scratch space of a training block of L examples for layers of at most W units:
/// activations, activation derivatives (times the dropout mask) and two delta buffers used
/// alternately. Zeroed once per `loss_grad` call (about 8 kB for W = 8 and L = 8, 31 kB for
/// W = 32 and L = 8).
pub(crate) struct TrainScratch<const W: usize, const L: usize> {
    /// Features and hidden outputs (after dropout).
    pub(crate) act: Activations<W, L>,
    /// f'(z)*m of every hidden layer.
    der: Derivatives<W, L>,
    /// dloss/dz of the layer being processed.
    delta: [Lanes<L>; W],
    /// dloss/dz of the layer below, being computed.
    next: [Lanes<L>; W],
}

impl<const W: usize, const L: usize> TrainScratch<W, L> {
    /// All zeros.
    const ZERO: TrainScratch<W, L> = TrainScratch {
        act: [[[0.0; L]; W]; MAX_HIDDEN_LAYERS + 1],
        der: [[[0.0; L]; W]; MAX_HIDDEN_LAYERS],
        delta: [[0.0; L]; W],
        next: [[0.0; L]; W],
    };

    /// Zeroed scratch space (see `activations`).
    #[inline(always)]
    pub(crate) fn new() -> TrainScratch<W, L> {
        Self::ZERO
    }
}

/// Inverted dropout on the hidden units during one training pass.
pub(crate) struct Dropout<'a> {
    /// Source of the keep/drop decisions.
    pub(crate) rng: &'a mut Rng,
    /// p*2^32: a unit is dropped when its 32-bit draw is below this.
    pub(crate) threshold: f64,
    /// 1/(1 - p), the factor applied to the units that are kept.
    pub(crate) scale: f64,
}

/// z = b + x W for one dense layer and a block of examples: for every unit o and lane r,
/// z[o][r] = b[o] + x[0][r]*W[0,o] + x[1][r]*W[1,o] + ... in this order. Buffers too short for
/// the shapes (which the layout rules out) give NaN.
///
/// The hot loops of this file index plainly instead of zipping iterators: the size-optimised
/// wasm build does not inline iterator adapters, and a call per weight costs more than the
/// arithmetic.
#[inline(always)]
fn dense<const L: usize>(wm: &[f64], b: &[f64], x: &[Lanes<L>], z: &mut [Lanes<L>]) {
    let (n_in, n_out) = (x.len(), z.len());
    if wm.len() < n_in * n_out || b.len() < n_out {
        z.fill([f64::NAN; L]);
        return;
    }
    // Units two at a time, each input block loaded once for both; every unit's sum is formed
    // in the same order as alone. The weights W[i, o] of unit o lie n_out apart.
    let mut o = 0;
    while o + 1 < n_out {
        let (mut acc0, mut acc1) = ([b[o]; L], [b[o + 1]; L]);
        for i in 0..n_in {
            lanes::add_scaled_two(&mut acc0, &mut acc1, &x[i], wm[i * n_out + o], wm[i * n_out + o + 1]);
        }
        lanes::copy(&mut z[o], &acc0);
        lanes::copy(&mut z[o + 1], &acc1);
        o += 2;
    }
    if o < n_out {
        let mut acc = [b[o]; L];
        for i in 0..n_in {
            lanes::add_scaled(&mut acc, &x[i], wm[i * n_out + o]);
        }
        lanes::copy(&mut z[o], &acc);
    }
}

/// The single output unit for a block: b + x[0]*w[0] + x[1]*w[1] + ..., the order of `dense`.
#[inline(always)]
fn output_unit<const L: usize>(wm: &[f64], b: &[f64], x: &[Lanes<L>], out: &mut Lanes<L>) {
    if wm.len() < x.len() || b.is_empty() {
        *out = [f64::NAN; L];
        return;
    }
    let mut acc = [b[0]; L];
    for i in 0..x.len() {
        lanes::add_scaled(&mut acc, &x[i], wm[i]);
    }
    lanes::copy(out, &acc);
}

impl Net {
    /// Forward pass through the hidden layers for a block whose features are in `act[0]`
    /// (lanes 0..live; the other lanes are set to zero here). With `der`, also stores
    /// f'(z)*m of every hidden unit, applying dropout when given. Writes the raw outputs to `out`.
    #[inline(always)]
    fn forward_block<const W: usize, const L: usize>(
        &self,
        w: &[f64],
        act: &mut Activations<W, L>,
        live: usize,
        mut der: Option<&mut Derivatives<W, L>>,
        mut dropout: Option<&mut Dropout<'_>>,
        out: &mut Lanes<L>,
    ) {
        let layout = &self.layout;
        let widths = layout.clamped::<W>();
        let live = live.min(L);
        for unit in act[0][..widths[0]].iter_mut() {
            unit[live..].fill(0.0);
        }
        for l in 0..layout.n_hidden {
            let n_out = widths[l + 1];
            let (wm, b) = layout.params(w, l);
            let (below, above) = act.split_at_mut(l + 1);
            let h = &mut above[0][..n_out];
            dense(wm, b, &below[l][..widths[l]], h);
            for unit in h.iter_mut() {
                // Every lane goes through f (unused lanes hold the finite bias), then the unused
                // lanes are zeroed.
                self.activation.apply_lanes(unit);
                unit[live..].fill(0.0);
            }
            if let Some(der) = der.as_deref_mut() {
                let d = &mut der[l][..n_out];
                for u in 0..n_out {
                    self.activation.derivative_lanes(&h[u], &mut d[u]);
                }
                if let Some(dr) = dropout.as_deref_mut() {
                    for (hu, du) in h.iter_mut().zip(d.iter_mut()) {
                        for r in 0..live {
                            let m = if f64::from(dr.rng.next_u32()) < dr.threshold { 0.0 } else { dr.scale };
                            hu[r] *= m;
                            du[r] *= m;
                        }
                    }
                }
            }
        }
        let nh = layout.n_hidden;
        let (wm, b) = layout.params(w, nh);
        output_unit(wm, b, &act[nh][..widths[nh]], out);
    }

    /// Raw outputs (predictions or logits) of a block of examples whose features are in
    /// `act[0]`, lanes 0..live, without dropout. The other lanes of the result are meaningless.
    #[inline]
    pub(crate) fn forward<const W: usize, const L: usize>(
        &self,
        w: &[f64],
        act: &mut Activations<W, L>,
        live: usize,
    ) -> Lanes<L> {
        let mut out = [0.0; L];
        self.forward_block(w, act, live, None, None, &mut out);
        out
    }

    /// Forward and backward pass for a block of examples (features in `s.act[0]`, lanes
    /// 0..live, targets `y`): adds `scale` times the gradient of the sum of their losses into
    /// `g` (scale enters each example's dloss/dout) and the losses, one by one in example
    /// order, into `loss`.
    // Plain index loops on purpose (see `dense`).
    #[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
    pub(crate) fn train_block<const W: usize, const L: usize>(
        &self,
        w: &[f64],
        s: &mut TrainScratch<W, L>,
        live: usize,
        y: &Lanes<L>,
        scale: f64,
        g: &mut [f64],
        loss: &mut f64,
        dropout: Option<&mut Dropout<'_>>,
    ) {
        let layout = &self.layout;
        let widths = layout.clamped::<W>();
        let nh = layout.n_hidden;
        let live = live.min(L);
        let mut out = [0.0; L];
        self.forward_block(w, &mut s.act, live, Some(&mut s.der), dropout, &mut out);

        // dloss/dout per example; unused lanes get 0 so that they add nothing below.
        let mut dout = [0.0; L];
        for r in 0..live {
            let (l, d) = self.loss.value_grad(out[r], y[r], self.head);
            *loss += l;
            dout[r] = d * scale;
        }

        // Output layer: dW_H[i] = sum_r h_H[i][r]*dout[r], db_H = sum_r dout[r].
        let top = &s.act[nh][..widths[nh]];
        let (gw, gb) = layout.params_mut(g, nh);
        let (w_out, _) = layout.params(w, nh);
        if gw.len() < top.len() || gb.is_empty() || w_out.len() < top.len() {
            return;
        }
        lanes::add_dots_with_one(&mut gw[..top.len()], top, &dout);
        gb[0] += lanes::sum(&dout);
        if nh == 0 {
            return;
        }

        // delta of the last hidden layer: W_H[j]*dout*f'(z)*m.
        let mut delta = &mut s.delta;
        let mut next = &mut s.next;
        for j in 0..top.len() {
            lanes::scaled_mul(&mut delta[j], w_out[j], &dout, &s.der[nh - 1][j]);
        }
        for l in (0..nh).rev() {
            let (n_in, n_out) = (widths[l], widths[l + 1]);
            let input = &s.act[l][..n_in];
            let dl = &delta[..n_out];
            let (gw, gb) = layout.params_mut(g, l);
            let (wm, _) = layout.params(w, l);
            if gw.len() < n_in * n_out || gb.len() < n_out || wm.len() < n_in * n_out {
                return;
            }
            for (i, row) in gw.chunks_exact_mut(n_out.max(1)).take(n_in).enumerate() {
                lanes::add_dots_of_one(row, &input[i], dl);
            }
            for o in 0..n_out {
                gb[o] += lanes::sum(&dl[o]);
            }
            if l > 0 {
                // delta_{l-1}[i] = (sum_o W_l[i,o]*delta_l[o]) * f'(z_{l-1})[i] * m_{l-1}[i].
                let der = &s.der[l - 1][..n_in];
                // Two input units at a time, each delta block loaded once for both; every
                // unit's sum is formed in the same order as alone.
                let mut i = 0;
                while i + 1 < n_in {
                    let (row0, row1) = (i * n_out, (i + 1) * n_out);
                    let (mut acc0, mut acc1) = ([0.0; L], [0.0; L]);
                    for o in 0..n_out {
                        lanes::add_scaled_two(&mut acc0, &mut acc1, &dl[o], wm[row0 + o], wm[row1 + o]);
                    }
                    lanes::mul(&mut next[i], &acc0, &der[i]);
                    lanes::mul(&mut next[i + 1], &acc1, &der[i + 1]);
                    i += 2;
                }
                if i < n_in {
                    let row = i * n_out;
                    let mut acc = [0.0; L];
                    for o in 0..n_out {
                        lanes::add_scaled(&mut acc, &dl[o], wm[row + o]);
                    }
                    lanes::mul(&mut next[i], &acc, &der[i]);
                }
                std::mem::swap(&mut delta, &mut next);
            }
        }
    }

    /// (sum of w^2, sum of |w|) over the weights, never the biases.
    pub(crate) fn weight_norms(&self, w: &[f64]) -> (f64, f64) {
        let (mut sq, mut abs) = (0.0, 0.0);
        for l in 0..=self.layout.n_hidden {
            for &v in self.layout.params(w, l).0 {
                sq += v * v;
                abs += v.abs();
            }
        }
        (sq, abs)
    }

    /// Adds the gradient of l2*sum w^2 + l1*sum |w| over the weights (never the biases) into
    /// `g`: 2*l2*w + l1*sign(w), with sign(0) = 0. Returns `weight_norms(w)`, summed in the
    /// same order, from the same pass.
    pub(crate) fn add_penalty_grad(&self, w: &[f64], g: &mut [f64], l1: f64, l2: f64) -> (f64, f64) {
        let (mut sq, mut abs) = (0.0, 0.0);
        for l in 0..=self.layout.n_hidden {
            let (wm, _) = self.layout.params(w, l);
            let (gw, _) = self.layout.params_mut(g, l);
            for i in 0..gw.len().min(wm.len()) {
                let wv = wm[i];
                gw[i] = gw[i] + 2.0 * l2 * wv + l1 * sign(wv);
                sq += wv * wv;
                abs += wv.abs();
            }
        }
        (sq, abs)
    }

    /// Appends initial parameters to `out`. By default the weights of hidden layers follow the
    /// scheme of the activation (Glorot uniform or He normal), the weights of the output unit,
    /// which has no activation, follow Glorot uniform, and every bias is 0; with
    /// `Init::TfPlayground` every weight is U(-0.5, 0.5) and every bias 0.1. Draws happen in
    /// buffer order.
    pub(crate) fn init(&self, rng: &mut Rng, out: &mut Vec<f64>) {
        let layout = &self.layout;
        for l in 0..=layout.n_hidden {
            let (n_in, n_out) = (layout.widths[l], layout.widths[l + 1]);
            let scheme = match self.init {
                Init::TfPlayground => InitScheme::Playground,
                Init::GlorotHe if l < layout.n_hidden => self.activation.init_scheme(),
                Init::GlorotHe => InitScheme::GlorotUniform,
            };
            let count = n_in * n_out;
            let bias = match scheme {
                InitScheme::GlorotUniform => {
                    let r = sqrt(6.0 / (n_in + n_out) as f64);
                    out.extend((0..count).map(|_| (2.0 * rng.uniform() - 1.0) * r));
                    0.0
                }
                InitScheme::HeNormal => {
                    let std = sqrt(2.0 / n_in.max(1) as f64);
                    out.extend((0..count).map(|_| std * rng.normal()));
                    0.0
                }
                InitScheme::Playground => {
                    out.extend((0..count).map(|_| rng.uniform() - PLAYGROUND_WEIGHT_RANGE));
                    PLAYGROUND_BIAS
                }
            };
            out.extend(std::iter::repeat_n(bias, n_out));
        }
    }
}
