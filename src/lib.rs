//! Convergence Playground core: problems, torch-exact optimizers, learning-rate schedules,
//! convergence criteria and experiment runs. Pure Rust, no I/O; `web` is the only module that
//! knows JavaScript.

pub mod analysis;
pub mod bench;
pub mod chart;
pub mod config;
pub mod data;
#[cfg(not(target_arch = "wasm32"))]
pub mod fuzzing;
pub mod history;
pub mod json;
pub mod limits;
pub mod math;
pub mod model;
pub mod monitor;
pub mod optim;
pub mod problem;
pub mod reader;
pub mod replay;
pub mod report;
pub mod run;
pub mod schedule;
pub mod search;
pub mod session;
pub mod snapshot;
pub mod tagged;
pub mod trace;
pub mod urlstate;
pub mod validate;

#[cfg(target_arch = "wasm32")]
pub mod web;
