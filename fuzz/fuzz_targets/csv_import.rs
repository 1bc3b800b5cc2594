//! Fuzz target: an uploaded CSV text: validate and read it into a dataset
//! (`convergence::fuzzing::csv_import`). A broken property is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = convergence::fuzzing::csv_import(data) {
        panic!("{finding}");
    }
});
