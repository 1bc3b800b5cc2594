//! Analyses built on a problem or on many runs: critical points, theory on quadratics, the
//! rate readout, the complexity sweep.

pub mod critical;
pub mod rate;
pub mod sweep;
pub mod theory;
