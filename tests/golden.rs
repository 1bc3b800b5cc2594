//! Golden snapshots: the native core must reproduce `tests/golden/snapshots.json` bit for bit.
//! The wasm test in `tests/web.rs` checks the same file in the browser, so together they prove
//! that the same config gives bit-identical numbers natively and in wasm. Regenerate after an
//! intended numerical change with `GOLDEN_UPDATE=1 cargo test --test golden`.

use std::path::PathBuf;

use convergence::run::session::Session;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn snapshots() -> String {
    let configs: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(dir().join("configs.json")).unwrap()).unwrap();
    let lines: Vec<String> = configs
        .iter()
        .map(|c| {
            let mut session = Session::from_json(&c.to_string()).unwrap();
            session.step(u64::MAX);
            session.snapshot().to_json()
        })
        .collect();
    lines.join("\n") + "\n"
}

#[test]
fn native_snapshots_match_the_golden_file() {
    let got = snapshots();
    let path = dir().join("snapshots.json");
    if std::env::var_os("GOLDEN_UPDATE").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert_eq!(got, expected, "native numbers changed; if intended, regenerate with GOLDEN_UPDATE=1");
}
