//! Experiments written out for other tools: the PyTorch script that reproduces a run
//! (`pytorch.rs`, with the problems on data in `pytorch_data.rs` and typed functions in
//! `pytorch_expression.rs`).

pub mod pytorch;
mod pytorch_data;
mod pytorch_expression;
