//! Replays every PyTorch reference case in `tests/reference/cases` and compares the
//! trajectory with the case's own tolerance rule.

mod common;

use common::{close, number};
use std::path::PathBuf;

use convergence::run::replay::Case;
use serde_json::Value;

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/cases")
}

/// Replays a case and compares every point with the case's expected trajectory as the replay
/// reaches it, without collecting the replay's own trajectory.
fn check_case(path: &PathBuf) -> Result<(), String> {
    let text = std::fs::read_to_string(path).unwrap();
    let case: Value = serde_json::from_str(&text).unwrap();
    let parsed = Case::from_json(&text).map_err(|e| format!("config rejected: {e}"))?;
    let tol = &case["tolerance"];
    let strict_upto = tol["strict_upto_index"].as_u64().unwrap() as usize;
    let params_tol = tol["params_mixed_tol"].as_f64().unwrap();
    let loss_tol = tol["loss_mixed_tol"].as_f64().unwrap();
    let lr_tol = tol["lr_rel_tol"].as_f64().unwrap();
    let ref_params = case["params"].as_array().unwrap();
    let ref_loss = case["loss"].as_array().unwrap();
    let ref_lr = case["lr"].as_array().unwrap();
    if ref_params.len() as u64 != parsed.steps + 1
        || ref_loss.len() != ref_params.len()
        || ref_lr.len() as u64 != parsed.steps
    {
        return Err("trajectory lengths differ".into());
    }
    // torch computes these schedules recursively; a closed form may differ by a few ulps per
    // step, which the reference README allows up to 1e-9 relative.
    let recursive =
        ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "PolynomialLR", "SequentialLR"];
    let schedule_name = case["schedule"]["name"].as_str().unwrap_or("");
    let lr_tol = if recursive.contains(&schedule_name) { 1e-9 } else { lr_tol };
    let mut points = 0usize;
    let mut final_loss = f64::NAN;
    parsed.replay_each(|point| {
        let t = point.t as usize;
        points += 1;
        if let Some(mine) = point.lr {
            let reference = number(&ref_lr[t]);
            if (mine - reference).abs() > lr_tol * reference.abs().max(1e-300) {
                return Err(format!("lr[{t}]: mine {mine:e}, torch {reference:e}"));
            }
        }
        if t <= strict_upto {
            for (j, p) in ref_params[t].as_array().unwrap().iter().enumerate() {
                let reference = number(p);
                if !close(point.params[j], reference, params_tol) {
                    return Err(format!("params[{t}][{j}]: mine {:e}, torch {reference:e}", point.params[j]));
                }
            }
            let reference = number(&ref_loss[t]);
            if !close(point.loss, reference, loss_tol) {
                return Err(format!("loss[{t}]: mine {:e}, torch {reference:e}", point.loss));
            }
        }
        final_loss = point.loss;
        Ok(())
    })?;
    if points != ref_params.len() {
        return Err(format!("{points} points replayed, the case has {}", ref_params.len()));
    }
    if let Some(final_tol) = tol.get("final_loss_abs_tol").and_then(Value::as_f64) {
        let reference = number(ref_loss.last().unwrap());
        if (final_loss - reference).abs() > final_tol || final_loss.is_nan() {
            return Err(format!("final loss: mine {final_loss:e}, torch {reference:e}, tol {final_tol:e}"));
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

#[test]
fn streamed_replay_writes_the_collected_trajectory() {
    for name in ["adam__rosenbrock__CyclicLR.json", "diverge_sgd_lr1.0__quad_k100.json"] {
        let text = std::fs::read_to_string(cases_dir().join(name)).unwrap();
        let case = Case::from_json(&text).unwrap();
        let mut streamed = Vec::new();
        case.write_json(&mut streamed).unwrap();
        assert_eq!(String::from_utf8(streamed).unwrap(), case.replay().to_json(), "{name}");
    }
}

#[test]
fn a_failing_check_stops_the_replay_at_that_point() {
    let text = std::fs::read_to_string(cases_dir().join("sgd__rosenbrock__constant.json")).unwrap();
    let case = Case::from_json(&text).unwrap();
    assert!(case.steps > 10);
    let mut visited = Vec::new();
    let result = case.replay_each(|point| {
        visited.push(point.t);
        if point.t == 3 {
            Err("stop")
        } else {
            Ok(())
        }
    });
    assert_eq!(result, Err("stop"));
    assert_eq!(visited, vec![0, 1, 2, 3]);
}

#[test]
fn a_case_reads_past_its_expected_outputs_and_checks_its_size() {
    use convergence::config::limits::MAX_CASE_BYTES;
    // A case of many steps whose expected outputs are absent is valid: replay needs the inputs.
    let text = std::fs::read_to_string(cases_dir().join("sgd__rosenbrock__constant.json")).unwrap();
    let mut case: Value = serde_json::from_str(&text).unwrap();
    for key in ["params", "loss", "lr", "grad", "tolerance"] {
        case.as_object_mut().unwrap().remove(key);
    }
    assert!(Case::from_json(&case.to_string()).is_ok());
    // A text over the cap is rejected before parsing: it is not even JSON here.
    let huge = "x".repeat(MAX_CASE_BYTES + 1);
    let message = Case::from_json(&huge).unwrap_err().to_string();
    assert_eq!(message, format!("case: at most {MAX_CASE_BYTES} bytes, got {}", MAX_CASE_BYTES + 1));
}
