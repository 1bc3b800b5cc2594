//! Replays every PyTorch reference case in `tests/reference/cases` and compares the
//! trajectory with the case's own tolerance rule.

mod common;

use common::{close, number};
use std::path::PathBuf;

use convergence::replay::Case;
use serde_json::Value;

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/cases")
}

fn check_case(path: &PathBuf) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let case: Value = serde_json::from_str(&text).unwrap();
    let parsed = Case::from_json(&text).map_err(|e| format!("config rejected: {e}"))?;
    let got = parsed.replay();
    let tol = &case["tolerance"];
    let strict_upto = tol["strict_upto_index"].as_u64().unwrap() as usize;
    let params_tol = tol["params_mixed_tol"].as_f64().unwrap();
    let loss_tol = tol["loss_mixed_tol"].as_f64().unwrap();
    let lr_tol = tol["lr_rel_tol"].as_f64().unwrap();
    let ref_params = case["params"].as_array().unwrap();
    let ref_loss = case["loss"].as_array().unwrap();
    let ref_lr = case["lr"].as_array().unwrap();
    if got.params.len() != ref_params.len() || got.loss.len() != ref_loss.len() || got.lr.len() != ref_lr.len() {
        return Err("trajectory lengths differ".into());
    }
    // torch computes these schedules recursively; a closed form may differ by a few ulps per
    // step, which the reference README allows up to 1e-9 relative.
    let recursive =
        ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "PolynomialLR", "SequentialLR"];
    let schedule_name = case["schedule"]["name"].as_str().unwrap_or("");
    let lr_tol = if recursive.contains(&schedule_name) { 1e-9 } else { lr_tol };
    for (t, lr) in ref_lr.iter().enumerate() {
        let reference = number(lr);
        let mine = got.lr[t];
        let ok = (mine - reference).abs() <= lr_tol * reference.abs().max(1e-300);
        if !ok {
            return Err(format!("lr[{t}]: mine {mine:e}, torch {reference:e}"));
        }
    }
    for t in 0..=strict_upto.min(ref_params.len() - 1) {
        for (j, p) in ref_params[t].as_array().unwrap().iter().enumerate() {
            let reference = number(p);
            if !close(got.params[t][j], reference, params_tol) {
                return Err(format!("params[{t}][{j}]: mine {:e}, torch {reference:e}", got.params[t][j]));
            }
        }
        let reference = number(&ref_loss[t]);
        if !close(got.loss[t], reference, loss_tol) {
            return Err(format!("loss[{t}]: mine {:e}, torch {reference:e}", got.loss[t]));
        }
    }
    if let Some(final_tol) = tol.get("final_loss_abs_tol").and_then(Value::as_f64) {
        let reference = number(ref_loss.last().unwrap());
        let mine = *got.loss.last().unwrap();
        if (mine - reference).abs() > final_tol || mine.is_nan() {
            return Err(format!("final loss: mine {mine:e}, torch {reference:e}, tol {final_tol:e}"));
        }
    }
    Ok(())
}

#[test]
fn every_reference_case_replays_within_tolerance() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(paths.len() >= 86, "expected the 86 reference cases, found {}", paths.len());
    let failures: Vec<String> = paths
        .iter()
        .filter_map(|p| check_case(p).err().map(|e| format!("{}: {e}", p.file_name().unwrap().to_string_lossy())))
        .collect();
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), paths.len(), failures.join("\n"));
}

#[test]
fn diverging_case_reports_nonfinite_values_like_torch() {
    let text = std::fs::read_to_string(cases_dir().join("diverge_sgd_lr1.0__quad_k100.json")).unwrap();
    let got = Case::from_json(&text).unwrap().replay();
    let first_nonfinite = got.loss.iter().position(|l| !l.is_finite()).unwrap();
    let case: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(first_nonfinite as u64, case["first_nonfinite_loss_index"].as_u64().unwrap());
    assert!(got.to_json().contains("\"nan\""));
}
