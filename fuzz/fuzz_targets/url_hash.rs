//! Fuzz target: a URL hash: decode, check the encode/decode round trip, and step an accepted one
//! (`convergence::fuzzing::url_hash`). A broken property is a crash.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(finding) = convergence::fuzzing::url_hash(data) {
        panic!("{finding}");
    }
});
