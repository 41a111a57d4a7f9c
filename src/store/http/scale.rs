//! The `scale` subresource of Deployments, StatefulSets and ReplicaSets (autoscaling/v1
//! Scale), what `kubectl scale` reads and patches: `spec.replicas` of the object seen through
//! a Scale, with the pod selector as a string in `status.selector`.

use axum::http::{Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::store::patching;
use crate::store::types::{PatchKind, ResourceType, Subresource};

use super::AppState;
use super::handlers::{Request, parse_body};
use super::negotiate;
use super::route::ResourcePath;
use super::status::{ApiError, json_response};

const SCALABLE: [&str; 3] = ["deployments", "statefulsets", "replicasets"];

/// Answers `.../{plural}/{name}/scale`; None for every other path.
pub async fn subresource(
    state: &AppState,
    path: &ResourcePath,
    request: &Request,
) -> Option<Result<Response, ApiError>> {
    let is_scale = path.group == "apps"
        && SCALABLE.contains(&path.plural.as_str())
        && path.subresource.as_deref() == Some("scale");
    if !is_scale {
        return None;
    }
    Some(scale_request(state, path, request).await)
}

async fn scale_request(
    state: &AppState,
    path: &ResourcePath,
    request: &Request,
) -> Result<Response, ApiError> {
    let rt = state
        .resolve(&path.group, &path.version, &path.plural)
        .ok_or_else(|| ApiError::not_found(format!("{} are not served", path.plural)))?;
    let (Some(namespace), Some(name)) = (path.namespace.as_deref(), path.name.as_deref()) else {
        return Err(ApiError::not_found(format!(
            "{}/scale needs /namespaces/{{namespace}}/{}/{{name}}/scale",
            rt.plural, rt.plural
        )));
    };
    let store_err = |e: crate::store::types::StoreError| ApiError::from_store(&e, &rt.group);
    let current = state
        .store
        .get(&rt, Some(namespace), name)
        .map_err(store_err)?;
    let desired = match request.method {
        Method::GET => return Ok(json_response(StatusCode::OK, &scale_of(&current))),
        Method::PUT => parse_body(request)?,
        Method::PATCH => patched_scale(&scale_of(&current), request)?,
        _ => {
            return Err(ApiError::method_not_allowed(format!(
                "{}/scale supports get, update and patch",
                rt.plural
            )));
        }
    };
    let replicas = desired
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .ok_or_else(|| {
            ApiError::new(
                422,
                "Invalid",
                format!("Scale.autoscaling \"{name}\" is invalid: spec.replicas: Required value"),
            )
        })?;
    if replicas < 0 {
        return Err(ApiError::new(
            422,
            "Invalid",
            format!(
                "Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"
            ),
        ));
    }
    let mut change = json!({"spec": {"replicas": replicas}});
    // An update carrying a resourceVersion is conditional on it, as on the object itself.
    if let Some(rv) = desired
        .pointer("/metadata/resourceVersion")
        .filter(|_| request.method == Method::PUT)
    {
        change["metadata"] = json!({"resourceVersion": rv});
    }
    let updated = write_replicas(state, &rt, namespace, name, &change, request).await?;
    Ok(json_response(StatusCode::OK, &scale_of(&updated)))
}

fn patched_scale(scale: &Value, request: &Request) -> Result<Value, ApiError> {
    let kind = negotiate::patch_kind(
        request
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        false,
    )?;
    let patch: Value = serde_json::from_slice(&request.body)
        .map_err(|e| ApiError::bad_request(format!("the patch body is not valid JSON: {e}")))?;
    match kind {
        // A Scale has no lists: a strategic merge is a plain merge.
        PatchKind::Merge | PatchKind::Strategic => Ok(patching::merge_patch(scale, &patch)),
        PatchKind::Json => {
            patching::json_patch(scale, &patch).map_err(|e| ApiError::from_store(&e, "autoscaling"))
        }
        PatchKind::Apply { .. } => Err(ApiError::unsupported_media_type(
            "application/apply-patch+yaml (server-side apply of scale)",
        )),
    }
}

async fn write_replicas(
    state: &AppState,
    rt: &ResourceType,
    namespace: &str,
    name: &str,
    change: &Value,
    request: &Request,
) -> Result<Value, ApiError> {
    let options = request.query.write_options()?;
    state
        .store
        .patch(
            rt,
            Some(namespace),
            name,
            PatchKind::Merge,
            change,
            Subresource::Main,
            &options,
        )
        .await
        .map_err(|e| ApiError::from_store(&e, &rt.group))
}

/// The autoscaling/v1 Scale view of a scalable object.
fn scale_of(object: &Value) -> Value {
    let meta = &object["metadata"];
    let mut metadata = serde_json::Map::new();
    for key in [
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "creationTimestamp",
    ] {
        if let Some(v) = meta.get(key) {
            metadata.insert(key.into(), v.clone());
        }
    }
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": metadata,
        "spec": {"replicas": object.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
        "status": {
            "replicas": object.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
            "selector": selector_string(object.pointer("/spec/selector")),
        },
    })
}

/// A LabelSelector in the string form of `status.selector` (`app=web,tier in (a,b)`).
fn selector_string(selector: Option<&Value>) -> String {
    let Some(selector) = selector else {
        return String::new();
    };
    let mut parts: Vec<String> = selector["matchLabels"]
        .as_object()
        .map(|labels| {
            labels
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    for expression in selector["matchExpressions"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let key = expression["key"].as_str().unwrap_or_default();
        let values: Vec<&str> = expression["values"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        parts.push(match expression["operator"].as_str().unwrap_or_default() {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            other => format!("{key} {other} ({})", values.join(",")),
        });
    }
    parts.sort();
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_view_of_a_deployment() {
        let deployment = json!({
            "metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7", "labels": {"a": "b"}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}},
            "status": {"replicas": 2}
        });
        assert_eq!(
            scale_of(&deployment),
            json!({"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": "web", "namespace": "default", "uid": "u1", "resourceVersion": "7"},
                "spec": {"replicas": 3}, "status": {"replicas": 2, "selector": "app=web,tier in (a,b)"}})
        );
        assert_eq!(scale_of(&json!({"metadata": {}}))["spec"]["replicas"], 1);
    }
}
