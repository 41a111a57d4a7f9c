//! The one seam between the store and the pure patch algorithms (src/engine/patch): merge,
//! JSON, strategic merge, server-side apply and managedFields bookkeeping. The store calls only
//! these functions, so swapping in the engine's implementations touches this file alone.

use serde_json::{Map, Value, json};

use super::types::{ResourceType, StoreError, Subresource};

use crate::engine::patch::{self as engine, BuiltinSchema, PatchError};

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: &Value, patch: &Value) -> Value {
    engine::merge_patch(target, patch)
}

fn patch_failed(e: PatchError) -> StoreError {
    StoreError::Invalid {
        kind: String::new(),
        name: String::new(),
        message: e.to_string(),
        causes: vec![],
    }
}

/// RFC 6902 JSON patch (test included). A malformed document is a 400, a failing operation 422.
pub fn json_patch(target: &Value, patch: &Value) -> Result<Value, StoreError> {
    engine::json_patch(target, patch).map_err(|e| match e {
        PatchError::Invalid(m) => {
            StoreError::BadRequest(format!("the request body is not a valid JSON patch: {m}"))
        }
        other => patch_failed(other),
    })
}

/// Strategic merge patch for built-in kinds, with their patchStrategy/patchMergeKey table.
pub fn strategic_patch(
    rt: &ResourceType,
    target: &Value,
    patch: &Value,
) -> Result<Value, StoreError> {
    let schema = BuiltinSchema::for_kind(&rt.api_version(), &rt.kind);
    engine::strategic_merge(target, patch, &schema).map_err(|e| match e {
        PatchError::Invalid(m) => StoreError::BadRequest(m),
        other => patch_failed(other),
    })
}

/// What server-side apply produced: the merged object with its managedFields.
pub struct Applied {
    pub object: Value,
}

/// Server-side apply of `applied` by `manager` onto `live` (None when the object is new).
pub fn apply(
    rt: &ResourceType,
    _live: Option<&Value>,
    _applied: &Value,
    _manager: &str,
    _force: bool,
    _sub: Subresource,
    _now: &str,
) -> Result<Applied, StoreError> {
    Err(StoreError::UnsupportedMediaType(format!(
        "application/apply-patch+yaml for {}: the server-side apply engine is not linked into this build",
        rt.kind
    )))
}

/// The fieldsV1 set of every field present in an object (objects by key, lists atomic).
fn fields_of(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, sub) in m {
                out.insert(format!("f:{k}"), fields_of(sub));
            }
            Value::Object(out)
        }
        _ => json!({}),
    }
}

/// The fields an Update writer owns: for the main resource everything outside status and
/// the server-managed metadata; for /status only status.
fn owned_fields(obj: &Value, sub: Subresource) -> Value {
    let mut out = Map::new();
    let Some(root) = obj.as_object() else {
        return json!({});
    };
    for (k, v) in root {
        match (k.as_str(), sub) {
            ("apiVersion" | "kind", _) => {}
            ("status", Subresource::Status) => {
                out.insert("f:status".into(), fields_of(v));
            }
            (_, Subresource::Status) | ("status", Subresource::Main) => {}
            ("metadata", Subresource::Main) => {
                let mut m = Map::new();
                for field in ["labels", "annotations", "finalizers", "ownerReferences"] {
                    if let Some(x) = v.get(field) {
                        m.insert(format!("f:{field}"), fields_of(x));
                    }
                }
                if !m.is_empty() {
                    out.insert("f:metadata".into(), Value::Object(m));
                }
            }
            (key, Subresource::Main) => {
                out.insert(format!("f:{key}"), fields_of(v));
            }
        }
    }
    Value::Object(out)
}

/// Records an Update operation by `manager` in new.metadata.managedFields, keeping the other
/// managers' entries.
pub fn record_update(
    rt: &ResourceType,
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    sub: Subresource,
    now: &str,
) {
    let mut entries: Vec<Value> = old
        .and_then(|o| o.pointer("/metadata/managedFields"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let subresource = if sub == Subresource::Status {
        "status"
    } else {
        ""
    };
    entries.retain(|e| {
        !(e["manager"] == manager
            && e["operation"] == "Update"
            && e.get("subresource").and_then(Value::as_str).unwrap_or("") == subresource)
    });
    let fields = owned_fields(new, sub);
    if fields.as_object().is_some_and(|m| !m.is_empty()) {
        let mut entry = json!({"manager": manager, "operation": "Update", "apiVersion": rt.api_version(), "time": now,
            "fieldsType": "FieldsV1", "fieldsV1": fields});
        if !subresource.is_empty() {
            entry["subresource"] = json!(subresource);
        }
        entries.push(entry);
    }
    if let Some(m) = new.get_mut("metadata").and_then(Value::as_object_mut) {
        if entries.is_empty() {
            m.remove("managedFields");
        } else {
            m.insert("managedFields".into(), Value::Array(entries));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc7386() {
        let t = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        let p = json!({"a": "z", "c": {"f": null}});
        assert_eq!(merge_patch(&t, &p), json!({"a": "z", "c": {"d": "e"}}));
        assert_eq!(
            merge_patch(&json!({"a": [1]}), &json!({"a": [2]})),
            json!({"a": [2]})
        );
    }

    #[test]
    fn json_patch_supports_test() {
        let t = json!({"a": 1});
        assert_eq!(
            json_patch(&t, &json!([{"op": "add", "path": "/b", "value": 2}])).unwrap(),
            json!({"a": 1, "b": 2})
        );
        assert_eq!(
            json_patch(&t, &json!([{"op": "test", "path": "/a", "value": 2}]))
                .unwrap_err()
                .code(),
            422
        );
    }

    #[test]
    fn update_entries_are_per_manager() {
        let rt = crate::store::builtin::builtin_types()
            .into_iter()
            .find(|t| t.kind == "ConfigMap")
            .unwrap();
        let mut a = json!({"metadata": {"name": "x", "labels": {"l": "1"}}, "data": {"k": "v"}});
        record_update(&rt, None, &mut a, "kubectl", Subresource::Main, "t");
        let mut b = a.clone();
        record_update(&rt, Some(&a), &mut b, "other", Subresource::Main, "t");
        let mf = b["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(mf.len(), 2);
        assert_eq!(
            mf[0]["fieldsV1"],
            json!({"f:metadata": {"f:labels": {"f:l": {}}}, "f:data": {"f:k": {}}})
        );
    }
}
