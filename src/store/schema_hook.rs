//! The single point where CRD objects meet their structural schema: pruning of unknown fields,
//! defaulting and validation (engine::schema), in kube-apiserver's order. Called for every
//! create and update of a resource type that has a schema.

use serde_json::Value;

use crate::engine::schema::{self, FieldValidation};

use super::types::{FieldCause, ResourceType, StoreError};

/// The `fieldValidation` mode of a request: Strict, Warn (the server default) or Ignore.
pub fn mode(field_validation: Option<&str>) -> Result<FieldValidation, StoreError> {
    match field_validation.filter(|v| !v.is_empty()) {
        None => Ok(FieldValidation::Warn),
        Some(v) => FieldValidation::parse(v).ok_or_else(|| {
            StoreError::BadRequest(format!(
                "fieldValidation must be one of Ignore, Warn or Strict, not {v:?}"
            ))
        }),
    }
}

/// Prunes, defaults and validates `obj` in place against `schema` (an openAPIV3Schema).
/// Unknown fields are an error under Strict and dropped otherwise.
pub fn admit(
    rt: &ResourceType,
    schema: &Value,
    obj: &mut Value,
    mode: FieldValidation,
) -> Result<(), StoreError> {
    let admission = schema::admit(schema, obj, mode);
    if admission.is_allowed() {
        if !admission.warnings.is_empty() {
            tracing::debug!(kind = %rt.kind, warnings = ?admission.warnings, "unknown fields pruned");
        }
        return Ok(());
    }
    let causes: Vec<FieldCause> = admission
        .errors
        .iter()
        .map(|e| FieldCause {
            reason: e.reason.as_str().to_string(),
            message: e.message(),
            field: e.field.clone(),
        })
        .collect();
    let message = match causes.as_slice() {
        [one] => one.message.clone(),
        many => format!(
            "[{}]",
            many.iter()
                .map(|c| c.message.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    Err(StoreError::Invalid {
        kind: rt.kind.clone(),
        name,
        message,
        causes,
    })
}
