//! Replays every input under `fuzz/regressions/<target>/` (inputs that once crashed or hung a
//! fuzz target) through the same entry points the cargo-fuzz targets call
//! (`convergence::fuzzing`), without libFuzzer, so `cargo test` keeps them fixed. A target
//! whose directory is missing or empty fails: a replay of nothing would pass silently.

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

/// A fuzz entry point: `Err` describes a broken property.
type Entry = fn(&[u8]) -> Result<(), String>;

/// The fuzz targets and their entry points.
const TARGETS: [(&str, Entry); 3] = [
    ("config_json", convergence::fuzzing::config_json),
    ("url_hash", convergence::fuzzing::url_hash),
    ("csv_import", convergence::fuzzing::csv_import),
];

/// The regression inputs of one target, sorted by name.
fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = entries
        .map(|entry| entry.unwrap_or_else(|e| panic!("{}: {e}", dir.display())).path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} holds no regression input", dir.display());
    files
}

/// Feeds every input of `target` to `entry`; collects panics and broken properties with the
/// file name, so that one bad input does not hide the others.
fn replay(target: &str, entry: Entry) -> Vec<String> {
    let mut failures = Vec::new();
    for path in inputs(target) {
        let data = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        match panic::catch_unwind(|| entry(&data)) {
            Ok(Ok(())) => {}
            Ok(Err(finding)) => failures.push(format!("{}: {finding}", path.display())),
            Err(_) => failures.push(format!("{}: panicked (message above)", path.display())),
        }
    }
    failures
}

#[test]
fn every_target_has_a_regression_directory_with_inputs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut on_disk: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut known: Vec<String> = TARGETS.iter().map(|(name, _)| name.to_string()).collect();
    known.sort();
    assert_eq!(on_disk, known, "a regression directory per fuzz target, and no other");
    for (name, _) in TARGETS {
        inputs(name);
    }
}

#[test]
fn config_json_regressions_pass() {
    let failures = replay("config_json", convergence::fuzzing::config_json);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn url_hash_regressions_pass() {
    let failures = replay("url_hash", convergence::fuzzing::url_hash);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn csv_import_regressions_pass() {
    let failures = replay("csv_import", convergence::fuzzing::csv_import);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn valid_input_passes_and_unreadable_input_is_ignored() {
    // A valid input of each kind goes through every check of its entry point.
    let config =
        br#"{"problem": {"name": "quadratic"}, "runs": [{"label": "a", "optimizer": {"name": "SGD", "lr": 0.1}}]}"#;
    assert_eq!(convergence::fuzzing::config_json(config), Ok(()));
    assert_eq!(convergence::fuzzing::url_hash(b"problem=rosenbrock&run=adam:Adam(lr=0.01)@-1.5,2"), Ok(()));
    assert_eq!(convergence::fuzzing::csv_import(b"x,y\n0,1\n1,2\n2,3\n3,4\n"), Ok(()));
    // Rejected input and bytes that are not UTF-8 are not findings.
    for bytes in [&b"\xff\xfe"[..], b"{", b"problem=", b"1,2\n"] {
        assert_eq!(convergence::fuzzing::config_json(bytes), Ok(()));
        assert_eq!(convergence::fuzzing::url_hash(bytes), Ok(()));
        assert_eq!(convergence::fuzzing::csv_import(bytes), Ok(()));
    }
}
