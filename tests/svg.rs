//! `converge run --svg DIR` draws every figure natively with the same chart code as the page.

use std::process::Command;

#[test]
fn run_writes_every_figure_as_svg() {
    let dir = std::env::temp_dir().join(format!("converge-svg-{}", std::process::id()));
    let config = dir.with_extension("json");
    std::fs::write(
        &config,
        r##"{"problem": {"name": "himmelblau"}, "runs": [
            {"label": "adam", "x0": [-1, 0.5], "optimizer": {"name": "Adam", "lr": 0.05}, "color": "#123456"},
            {"label": "sgd", "x0": [0.5, -1], "optimizer": {"name": "SGD", "lr": 0.01}}],
            "stop": {"max_steps": 500}}"##,
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_converge"))
        .args(["run", config.to_str().unwrap(), "--svg", dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for name in ["landscape", "loss", "lr", "grad_norm", "delta_norm"] {
        let svg = std::fs::read_to_string(dir.join(format!("{name}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"), "{name}.svg is not an SVG");
        assert!(svg.to_lowercase().contains("#123456"), "{name}.svg does not draw the adam run in its color");
    }
    let loss = std::fs::read_to_string(dir.join("loss.svg")).unwrap();
    assert!(loss.contains("\nadam\n") && loss.contains("\nsgd\n"), "the legend names both runs");
    std::fs::remove_dir_all(&dir).ok();
    std::fs::remove_file(&config).ok();
}
