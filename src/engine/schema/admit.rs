//! The write path for a CRD-served object, in kube-apiserver's order: prune unknown fields
//! (rejecting them under strict field validation, warning under `Warn`), apply defaults,
//! then validate.

use super::errors::FieldError;
use super::validate::{SkippedRule, check};
use super::{apply_defaults, prune_unknown};
use serde_json::Value;

/// The `fieldValidation` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FieldValidation {
    /// Drop unknown fields silently.
    Ignore,
    /// Drop unknown fields and warn (the apiserver default).
    #[default]
    Warn,
    /// Reject unknown fields (kubectl's default since 1.27).
    Strict,
}

impl FieldValidation {
    /// Parse the query parameter value (`Ignore`, `Warn`, `Strict`, case-insensitive).
    pub fn parse(value: &str) -> Option<FieldValidation> {
        match value.to_ascii_lowercase().as_str() {
            "ignore" => Some(FieldValidation::Ignore),
            "warn" => Some(FieldValidation::Warn),
            "strict" => Some(FieldValidation::Strict),
            _ => None,
        }
    }
}

/// What admitting one object found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Admission {
    /// The write must be refused when this is not empty.
    pub errors: Vec<FieldError>,
    /// Warning headers for the client (`unknown field "spec.x"`).
    pub warnings: Vec<String>,
    /// Paths of the fields that were pruned.
    pub pruned: Vec<String>,
    /// CEL rules that apply but were not evaluated.
    pub unevaluated_rules: Vec<SkippedRule>,
}

impl Admission {
    pub fn is_allowed(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Prune, default and validate `obj` against `schema` in place.
pub fn admit(schema: &Value, obj: &mut Value, mode: FieldValidation) -> Admission {
    let pruned = prune_unknown(schema, obj);
    let mut admission = Admission::default();
    match mode {
        FieldValidation::Strict => admission
            .errors
            .extend(pruned.iter().map(|p| FieldError::unknown(p))),
        FieldValidation::Warn => admission
            .warnings
            .extend(pruned.iter().map(|p| format!("unknown field \"{p}\""))),
        FieldValidation::Ignore => {}
    }
    apply_defaults(schema, obj);
    let report = check(schema, obj);
    admission.errors.extend(report.errors);
    admission.unevaluated_rules = report.skipped_rules;
    admission.pruned = pruned;
    admission
}
