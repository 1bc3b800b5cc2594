//! Experiments written out for other tools: the PyTorch script that reproduces a run
//! (`pytorch.rs`).

pub mod pytorch;
