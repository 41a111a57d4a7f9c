//! Request checks and server defaults of the write path: body shape, preconditions,
//! subresource availability, no-op detection, namespace holds, per-kind create defaults.

use serde_json::{Value, json};

use super::meta;
use super::state::gr_display;
use super::types::{ResourceType, StoreError, Subresource};

pub fn is_namespace(rt: &ResourceType) -> bool {
    rt.group.is_empty() && rt.plural == "namespaces"
}

/// The object's own finalizer-like hold: a namespace waits on spec.finalizers too.
pub fn namespace_held(rt: &ResourceType, obj: &Value) -> bool {
    is_namespace(rt)
        && obj
            .pointer("/spec/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|a| !a.is_empty())
}

pub fn with_object(e: StoreError, rt: &ResourceType, name: &str) -> StoreError {
    match e {
        StoreError::Invalid {
            message, causes, ..
        } => StoreError::Invalid {
            kind: rt.kind.clone(),
            name: name.to_string(),
            message,
            causes,
        },
        other => other,
    }
}

/// Equal apart from the bookkeeping a no-op write would touch.
pub fn unchanged(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("managedFields");
            m.remove("resourceVersion");
        }
        v
    };
    strip(old) == strip(new)
}

pub fn check_subresource(rt: &ResourceType, sub: Subresource) -> Result<(), StoreError> {
    if sub == Subresource::Status && !rt.status_subresource {
        return Err(StoreError::UnknownResource(format!(
            "{}/status",
            gr_display(rt)
        )));
    }
    Ok(())
}

pub fn check_body(rt: &ResourceType, body: &Value) -> Result<(), StoreError> {
    if !body.is_object() {
        return Err(StoreError::BadRequest(
            "the request body must be a JSON object".into(),
        ));
    }
    if let Some(kind) = body
        .get("kind")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
        && kind != rt.kind
    {
        return Err(StoreError::BadRequest(format!(
            "the kind in the data ({kind}) does not match the expected kind ({})",
            rt.kind
        )));
    }
    if let Some(av) = body
        .get("apiVersion")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty())
    {
        let group = av.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        if group != rt.group {
            return Err(StoreError::BadRequest(format!(
                "the API version in the data ({av}) does not match the expected API version ({})",
                rt.api_version()
            )));
        }
    }
    Ok(())
}

/// A stale resourceVersion or a different uid in the body is a 409, as in kube.
pub fn check_preconditions(
    rt: &ResourceType,
    name: &str,
    old: &Value,
    body: &Value,
) -> Result<(), StoreError> {
    let conflict = |message: String| StoreError::Conflict {
        resource: gr_display(rt),
        name: name.to_string(),
        message,
    };
    if let Some(rv) = meta::meta_str(body, "resourceVersion").filter(|s| !s.is_empty())
        && Some(rv) != meta::meta_str(old, "resourceVersion")
    {
        return Err(conflict("the object has been modified; please apply your changes to the latest version and try again".into()));
    }
    if let Some(uid) = meta::meta_str(body, "uid").filter(|s| !s.is_empty())
        && Some(uid) != meta::meta_str(old, "uid")
    {
        return Err(conflict(format!(
            "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
            meta::meta_str(old, "uid").unwrap_or("")
        )));
    }
    Ok(())
}

/// Server defaults kube applies on create for the kinds whose tables show them.
pub fn defaults_on_create(rt: &ResourceType, name: &str, obj: &mut Value) {
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Namespace") => {
            let labels = meta::meta_mut(obj)
                .entry("labels")
                .or_insert_with(|| json!({}));
            labels["kubernetes.io/metadata.name"] = json!(name);
            obj["spec"] = json!({"finalizers": ["kubernetes"]});
            obj["status"] = json!({"phase": "Active"});
        }
        ("", "Secret") if obj.get("type").is_none() => obj["type"] = json!("Opaque"),
        ("", "Service") if obj.pointer("/spec/type").is_none() => {
            if !obj.get("spec").is_some_and(Value::is_object) {
                obj["spec"] = json!({});
            }
            obj["spec"]["type"] = json!("ClusterIP");
        }
        ("", "Pod") => obj["status"] = json!({"phase": "Pending"}),
        _ => {}
    }
}

/// SelfSubjectAccessReview: the embedded server has one all-powerful user.
pub fn access_review(mut body: Value) -> Value {
    if !body.is_object() {
        body = json!({});
    }
    body["apiVersion"] = json!("authorization.k8s.io/v1");
    body["kind"] = json!("SelfSubjectAccessReview");
    body["status"] =
        json!({"allowed": true, "reason": "the embedded fluxdeck server grants every request"});
    body
}
