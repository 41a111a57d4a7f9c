//! Field errors in the shape of `k8s.io/apimachinery/pkg/util/validation/field`.

use serde_json::Value;
use std::fmt;

/// The `reason` of a Kubernetes `StatusCause` for this error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldReason {
    FieldValueRequired,
    FieldValueInvalid,
    FieldValueNotSupported,
    FieldValueTypeInvalid,
    FieldValueTooLong,
    FieldValueTooMany,
    FieldValueDuplicate,
    FieldValueForbidden,
    /// A field the schema does not declare (reported under strict field validation).
    FieldValueUnknown,
}

impl FieldReason {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldReason::FieldValueRequired => "FieldValueRequired",
            FieldReason::FieldValueInvalid => "FieldValueInvalid",
            FieldReason::FieldValueNotSupported => "FieldValueNotSupported",
            FieldReason::FieldValueTypeInvalid => "FieldValueTypeInvalid",
            FieldReason::FieldValueTooLong => "FieldValueTooLong",
            FieldReason::FieldValueTooMany => "FieldValueTooMany",
            FieldReason::FieldValueDuplicate => "FieldValueDuplicate",
            FieldReason::FieldValueForbidden => "FieldValueForbidden",
            FieldReason::FieldValueUnknown => "FieldValueUnknown",
        }
    }

    /// The words field errors start their body with.
    fn title(self) -> &'static str {
        match self {
            FieldReason::FieldValueRequired => "Required value",
            FieldReason::FieldValueInvalid | FieldReason::FieldValueTypeInvalid => "Invalid value",
            FieldReason::FieldValueNotSupported => "Unsupported value",
            FieldReason::FieldValueTooLong => "Too long",
            FieldReason::FieldValueTooMany => "Too many",
            FieldReason::FieldValueDuplicate => "Duplicate value",
            FieldReason::FieldValueForbidden => "Forbidden",
            FieldReason::FieldValueUnknown => "Unknown field",
        }
    }
}

/// One problem with one field of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub reason: FieldReason,
    /// `spec.interval`, `spec.healthChecks[0].kind`; empty for the object itself.
    pub field: String,
    /// The offending value, when the message shows it.
    pub bad_value: Option<Value>,
    pub detail: String,
}

impl FieldError {
    pub(crate) fn new(
        reason: FieldReason,
        field: &str,
        bad_value: Option<Value>,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            reason,
            field: field.to_string(),
            bad_value,
            detail: detail.into(),
        }
    }

    pub fn required(field: &str) -> Self {
        Self::new(FieldReason::FieldValueRequired, field, None, "")
    }

    pub fn unknown(field: &str) -> Self {
        Self::new(FieldReason::FieldValueUnknown, field, None, "")
    }

    /// The full message, e.g. `spec.prune: Required value`.
    pub fn message(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.reason == FieldReason::FieldValueUnknown {
            // kube-apiserver's strict decoding wording.
            return write!(f, "unknown field \"{}\"", self.field);
        }
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(self.reason.title())?;
        if let Some(value) = &self.bad_value {
            write!(f, ": {}", render(value))?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// Values as field errors print them: strings quoted, scalars bare, the rest as JSON.
pub(crate) fn render(value: &Value) -> String {
    match value {
        Value::String(s) => Value::String(s.clone()).to_string(),
        other => other.to_string(),
    }
}

/// The JSON type name kube-openapi reports for a value.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if is_integer(n) => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Integers, including floats with no fractional part (as kube-openapi counts them).
pub(crate) fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64()
        || n.is_u64()
        || n.as_f64()
            .is_some_and(|f| f.fract() == 0.0 && f.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_read_like_kube_apiserver() {
        assert_eq!(
            FieldError::required("spec.prune").to_string(),
            "spec.prune: Required value"
        );
        let e = FieldError::new(
            FieldReason::FieldValueNotSupported,
            "spec.provider",
            Some(json!("foo")),
            "supported values: \"generic\", \"aws\"",
        );
        assert_eq!(
            e.to_string(),
            "spec.provider: Unsupported value: \"foo\": supported values: \"generic\", \"aws\""
        );
        assert_eq!(
            FieldError::unknown("spec.validation").to_string(),
            "unknown field \"spec.validation\""
        );
    }
}
