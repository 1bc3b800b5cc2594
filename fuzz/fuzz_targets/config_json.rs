//! Fuzz target: a JSON config file: parse, validate, and step an accepted one
//! (`convergence::fuzzing::config_json`). A broken property is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = convergence::fuzzing::config_json(data) {
        panic!("{finding}");
    }
});
