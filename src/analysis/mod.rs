//! Analyses built on a problem or on many runs: basins of attraction, critical points, the convergence doctor, theory on quadratics, the
//! rate readout, the complexity sweep, the real model's loss plane.

pub mod bands;
pub mod basin_lanes;
pub mod basins;
pub mod critical;
pub mod doctor;
pub mod job;
pub mod lr_sweep;
pub mod plane;
pub mod rate;
pub mod section;
pub mod sweep;
pub mod theory;
