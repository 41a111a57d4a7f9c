//! `meta/v1 Status` answers: every error leaves the server in this shape, which is what
//! kube-rs (`kube::Error::Api`) and kubectl (`Error from server (Reason): ...`) parse.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::store::types::StoreError;

/// An error answer: HTTP code, `Status.reason`, message and optional details.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: u16,
    pub reason: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(code: u16, reason: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
        }
    }
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, "BadRequest", message)
    }
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(404, "NotFound", message)
    }
    pub fn method_not_allowed(message: impl Into<String>) -> ApiError {
        ApiError::new(405, "MethodNotAllowed", message)
    }
    pub fn unsupported_media_type(content_type: &str) -> ApiError {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml (got {content_type:?})"
            ),
        )
    }
    pub fn unauthorized() -> ApiError {
        ApiError::new(
            401,
            "Unauthorized",
            "Unauthorized: a valid bearer token is required (see the kubeconfig written by `fluxdeck server`)",
        )
    }

    /// The Status object itself.
    pub fn to_status(&self) -> Value {
        let mut status = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(details) = &self.details {
            status["details"] = details.clone();
        }
        status
    }

    /// Builds the answer for a store error on `group`/`resource`.
    pub fn from_store(err: &StoreError, group: &str) -> ApiError {
        let details = match err {
            StoreError::NotFound { resource, name }
            | StoreError::AlreadyExists { resource, name }
            | StoreError::Conflict { resource, name, .. } => {
                Some(details(group, resource, name, &[]))
            }
            StoreError::Invalid {
                kind, name, causes, ..
            } => Some(details(group, kind, name, &cause_values(causes))),
            // kubectl prints each conflicting field and its manager from these causes.
            StoreError::ApplyConflict { causes, .. } => {
                Some(json!({"causes": cause_values(causes)}))
            }
            _ => None,
        };
        ApiError {
            code: err.code(),
            reason: err.reason(),
            message: err.to_string(),
            details,
        }
    }
}

fn cause_values(causes: &[crate::store::types::FieldCause]) -> Vec<Value> {
    causes
        .iter()
        .map(|c| json!({"reason": c.reason, "message": c.message, "field": c.field}))
        .collect()
}

fn details(group: &str, kind: &str, name: &str, causes: &[Value]) -> Value {
    let mut d = json!({"name": name, "kind": kind});
    if !group.is_empty() {
        d["group"] = json!(group);
    }
    if !causes.is_empty() {
        d["causes"] = json!(causes);
    }
    d
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        json_response(code, &self.to_status())
    }
}

/// A JSON answer with the given code.
pub fn json_response(code: StatusCode, body: &Value) -> Response {
    let mut response = (code, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A `Status` with `status: Success` (what deletes of already-removed objects answer).
pub fn success_status(group: &str, resource: &str, name: &str, uid: Option<&str>) -> Value {
    let mut d = details(group, resource, name, &[]);
    if let Some(uid) = uid {
        d["uid"] = json!(uid);
    }
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": d})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::types::FieldCause;

    #[test]
    fn not_found_names_resource_and_group() {
        let err = StoreError::NotFound {
            resource: "kustomizations".into(),
            name: "apps".into(),
        };
        let status = ApiError::from_store(&err, "kustomize.toolkit.fluxcd.io").to_status();
        assert_eq!(status["code"], 404);
        assert_eq!(status["reason"], "NotFound");
        assert_eq!(status["message"], "kustomizations \"apps\" not found");
        assert_eq!(status["details"]["group"], "kustomize.toolkit.fluxcd.io");
        assert_eq!(status["details"]["kind"], "kustomizations");
    }

    #[test]
    fn invalid_carries_causes() {
        let err = StoreError::Invalid {
            kind: "Kustomization".into(),
            name: "apps".into(),
            message: "spec.interval: Required value".into(),
            causes: vec![FieldCause {
                reason: "FieldValueRequired".into(),
                message: "Required value".into(),
                field: "spec.interval".into(),
            }],
        };
        let status = ApiError::from_store(&err, "kustomize.toolkit.fluxcd.io").to_status();
        assert_eq!(status["code"], 422);
        assert_eq!(status["details"]["causes"][0]["field"], "spec.interval");
        assert_eq!(
            status["details"]["causes"][0]["reason"],
            "FieldValueRequired"
        );
    }
}
