//! Structural-schema handling for objects served from CRDs, as kube-apiserver does it:
//! validation against a version's `openAPIV3Schema` (types, required, enum, pattern,
//! length/item/number bounds, formats, nullable, int-or-string, preserve-unknown-fields,
//! additionalProperties, allOf/anyOf/oneOf/not, list-type uniqueness), defaulting, and pruning
//! of unknown fields.
//!
//! `x-kubernetes-validations` (CEL) rules are **not evaluated**: [`check`] lists every rule
//! attached to a field present in the object as a [`SkippedRule`], so callers can say so
//! instead of pretending the object passed them.
//!
//! Error messages follow kube-apiserver's field errors, e.g. `spec.prune: Required value` or
//! `spec.interval: Invalid value: "1x": spec.interval in body should match '^…$'`.

mod admit;
mod defaults;
mod errors;
mod formats;
mod lint;
mod prune;
mod regex_cache;
mod validate;

pub use admit::{Admission, FieldValidation, admit};
pub use defaults::apply_defaults;
pub use errors::{FieldError, FieldReason};
pub use lint::{SchemaProblem, check_schema};
pub use prune::prune_unknown;
pub use validate::{Report, SkippedRule, check, validate};

/// Field paths as kube-apiserver prints them: `spec.healthChecks[0].kind`.
pub(crate) fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}
