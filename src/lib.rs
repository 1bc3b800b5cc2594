//! Convergence Playground core: problems, torch-exact optimizers, learning-rate schedules,
//! convergence criteria and experiment runs. Pure Rust, no I/O; `web` is the only module that
//! knows JavaScript.

pub mod analysis;
pub mod bench;
pub mod chart;
pub mod config;
pub mod data;
pub mod export;
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzzing;
pub mod json;
pub mod math;
pub mod model;
pub mod optim;
pub mod problem;
pub mod run;
pub mod schedule;
pub mod search;

// The page's boundary is `src/web.rs`; the analysis worker's wasm (the `lab` feature) compiles
// `src/web/lab.rs` in its place.
#[cfg(target_arch = "wasm32")]
#[cfg_attr(feature = "lab", path = "web/lab.rs")]
pub mod web;
