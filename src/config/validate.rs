//! Validation of user input: one pass collects every problem with its path.
//!
//! A message reads `runs[0].optimizer.betas[0]: must be in [0, 1), got 1.2`. Nothing is clamped
//! or replaced silently: a value out of range is an error that names the field and the rule.

use std::fmt;

/// The path of `field` inside `path`: `runs[0].optimizer` and `lr` give `runs[0].optimizer.lr`,
/// an empty path and `lr` give `lr`. Every validation path is built with it.
pub fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// One problem found in user input, with the path of the field it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// Where the problem is, e.g. `runs[1].optimizer.lr`.
    pub path: String,
    /// What is wrong, in words.
    pub message: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// All problems found in one piece of input.
#[derive(Clone, Debug, Default, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "{}", lines.join("\n"))
    }
}

impl ValidationErrors {
    /// A single error.
    pub fn one(path: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationErrors(vec![FieldError { path: path.into(), message: message.into() }])
    }
}

/// Collects problems while a config is walked.
#[derive(Debug, Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem at `path`.
    pub fn error(&mut self, path: impl fmt::Display, message: impl Into<String>) {
        self.errors.push(FieldError { path: path.to_string(), message: message.into() });
    }

    /// Records `message` at `path` unless `ok` holds.
    pub fn require(&mut self, ok: bool, path: impl fmt::Display, message: impl Into<String>) {
        if !ok {
            self.error(path, message);
        }
    }

    /// The value must be finite.
    pub fn finite(&mut self, path: impl fmt::Display, value: f64) -> bool {
        let ok = value.is_finite();
        self.require(ok, path, format!("must be a finite number, got {value}"));
        ok
    }

    /// The value must be finite and >= 0.
    pub fn non_negative(&mut self, path: impl fmt::Display, value: f64) {
        let ok = value.is_finite() && value >= 0.0;
        self.require(ok, path, format!("must be >= 0, got {value}"));
    }

    /// The value must be finite and > 0.
    pub fn positive(&mut self, path: impl fmt::Display, value: f64) {
        let ok = value.is_finite() && value > 0.0;
        self.require(ok, path, format!("must be > 0, got {value}"));
    }

    /// The value must lie in [0, 1).
    pub fn unit_interval_open(&mut self, path: impl fmt::Display, value: f64) {
        let ok = (0.0..1.0).contains(&value);
        self.require(ok, path, format!("must be in [0, 1), got {value}"));
    }

    /// The value must lie in [0, 1].
    pub fn unit_interval_closed(&mut self, path: impl fmt::Display, value: f64) {
        let ok = (0.0..=1.0).contains(&value);
        self.require(ok, path, format!("must be in [0, 1], got {value}"));
    }

    /// True when nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// Ok when nothing was recorded, else every problem found.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ValidationErrors(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_adds_a_dot_only_after_a_path() {
        assert_eq!(join("runs[0].optimizer", "lr"), "runs[0].optimizer.lr");
        assert_eq!(join("", "lr"), "lr");
    }
}
