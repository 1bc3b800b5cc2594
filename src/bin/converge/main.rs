//! `converge`, the command-line interface (see `cli.rs`). It is native only: the wasm build of
//! the test suite compiles this binary to an empty program.

#[cfg(not(target_arch = "wasm32"))]
mod analyse;
#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod search;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
