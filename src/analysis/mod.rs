//! Analyses built on many runs: the model-complexity sweep.

pub mod sweep;
