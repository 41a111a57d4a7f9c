//! The one seam between the store and the pure patch algorithms (src/engine/patch): merge,
//! JSON, strategic merge, server-side apply and managedFields bookkeeping. The store calls only
//! these functions, so swapping in the engine's implementations touches this file alone.

use serde_json::Value;

use super::types::{FieldCause, ResourceType, StoreError, Subresource};

use crate::engine::patch::ssa::{self, ApplyError};
use crate::engine::patch::{self as engine, BuiltinSchema, CrdSchema, MergeSchema, PatchError};

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

/// How the lists and maps of a type merge: the CRD's structural schema, or the built-in
/// kinds' patchStrategy/list-type table.
fn schema_for(rt: &ResourceType) -> Box<dyn MergeSchema> {
    match &rt.schema {
        Some(schema) => Box::new(CrdSchema::shared(schema.clone())),
        None => Box::new(BuiltinSchema::for_kind(&rt.api_version(), &rt.kind)),
    }
}

/// What server-side apply produced: the merged object with its managedFields.
pub struct Applied {
    pub object: Value,
}

/// Server-side apply of `applied` by `manager` onto `live` (None when the object is new).
/// Conflicts are a 409 naming each field and its owner, unless `force`.
pub fn apply(
    rt: &ResourceType,
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    _sub: Subresource,
    now: &str,
) -> Result<Applied, StoreError> {
    let schema = schema_for(rt);
    match ssa::apply(live, applied, manager, force, schema.as_ref(), now) {
        Ok(object) => Ok(Applied { object }),
        Err(ApplyError::Conflicts(c)) => Err(StoreError::ApplyConflict {
            message: c.to_string(),
            causes: c
                .causes()
                .into_iter()
                .map(|(message, field)| FieldCause {
                    reason: "FieldManagerConflict".into(),
                    message,
                    field,
                })
                .collect(),
        }),
        Err(ApplyError::Invalid(m)) => Err(StoreError::Invalid {
            kind: rt.kind.clone(),
            name: applied
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            message: m,
            causes: vec![],
        }),
    }
}

/// Records a non-apply write by `manager` in new.metadata.managedFields (operation Update):
/// the fields it changed become its own and leave the other managers.
pub fn record_update(
    rt: &ResourceType,
    old: Option<&Value>,
    new: &mut Value,
    manager: &str,
    sub: Subresource,
    now: &str,
) {
    let schema = schema_for(rt);
    let subresource = (sub == Subresource::Status).then_some("status");
    ssa::record_update(old, new, manager, subresource, schema.as_ref(), now);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let mut a = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x", "labels": {"l": "1"}}, "data": {"k": "v"}});
        record_update(&rt, None, &mut a, "kubectl", Subresource::Main, "t");
        let mut b = a.clone();
        b["data"]["k2"] = json!("w");
        record_update(&rt, Some(&a), &mut b, "other", Subresource::Main, "t");
        let mf = b["metadata"]["managedFields"].as_array().unwrap();
        assert_eq!(mf.len(), 2);
        assert_eq!(mf[0]["manager"], "kubectl");
        assert_eq!(mf[1]["manager"], "other");
        assert_eq!(mf[1]["fieldsV1"], json!({"f:data": {"f:k2": {}}}));
    }

    #[test]
    fn apply_conflicts_name_fields_and_managers() {
        let rt = crate::store::builtin::builtin_types()
            .into_iter()
            .find(|t| t.kind == "ConfigMap")
            .unwrap();
        let cfg = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": "v"}});
        let first = apply(&rt, None, &cfg, "a", false, Subresource::Main, "t")
            .unwrap()
            .object;
        let other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": "w"}});
        let err = apply(
            &rt,
            Some(&first),
            &other,
            "b",
            false,
            Subresource::Main,
            "t",
        )
        .err()
        .unwrap();
        assert_eq!(err.code(), 409);
        assert!(
            err.to_string().contains(".data.k") && err.to_string().contains("\"a\""),
            "{err}"
        );
        let forced = apply(&rt, Some(&first), &other, "b", true, Subresource::Main, "t")
            .unwrap()
            .object;
        assert_eq!(forced["data"]["k"], "w");
    }
}
