//! Analyses built on a problem or on many runs: critical points, the complexity sweep.

pub mod critical;
pub mod sweep;
