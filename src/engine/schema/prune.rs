//! Pruning of fields the schema does not declare, as kube-apiserver does for CRD objects
//! (`structuralpruning`): unknown fields go unless `x-kubernetes-preserve-unknown-fields`
//! keeps them; `apiVersion`, `kind` and `metadata` of the object (and of embedded resources)
//! are left to the API machinery.

use super::{child, index};
use serde_json::Value;

/// Remove undeclared fields from `obj`; returns their paths (`spec.validation`), in order.
pub fn prune_unknown(schema: &Value, obj: &mut Value) -> Vec<String> {
    let mut removed = Vec::new();
    prune(schema, obj, "", true, &mut removed);
    removed
}

fn prune(
    schema: &Value,
    value: &mut Value,
    path: &str,
    is_resource: bool,
    removed: &mut Vec<String>,
) {
    if schema
        .get("x-kubernetes-int-or-string")
        .and_then(Value::as_bool)
        == Some(true)
        && !value.is_object()
    {
        return;
    }
    let preserve = schema
        .get("x-kubernetes-preserve-unknown-fields")
        .and_then(Value::as_bool)
        == Some(true);
    match value {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            let additional = schema.get("additionalProperties");
            let mut gone = Vec::new();
            for (key, child_value) in map.iter_mut() {
                if is_resource && matches!(key.as_str(), "apiVersion" | "kind" | "metadata") {
                    continue;
                }
                let field = child(path, key);
                if let Some(prop) = properties.and_then(|p| p.get(key)) {
                    prune(prop, child_value, &field, embedded(prop), removed);
                } else if let Some(extra @ Value::Object(_)) = additional {
                    prune(extra, child_value, &field, embedded(extra), removed);
                } else if !(preserve || additional == Some(&Value::Bool(true))) {
                    gone.push(key.clone());
                    removed.push(field);
                }
            }
            for key in gone {
                map.remove(&key);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter_mut().enumerate() {
                    prune(
                        item_schema,
                        item,
                        &index(path, i),
                        embedded(item_schema),
                        removed,
                    );
                }
            }
        }
        _ => {}
    }
}

fn embedded(schema: &Value) -> bool {
    schema
        .get("x-kubernetes-embedded-resource")
        .and_then(Value::as_bool)
        == Some(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_removed_and_reported() {
        let schema = json!({"type": "object", "properties": {
            "apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": {"type": "object"},
            "spec": {"type": "object", "properties": {
                "values": {"x-kubernetes-preserve-unknown-fields": true},
                "list": {"type": "array", "items": {"type": "object", "properties": {"a": {"type": "string"}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}}
            }}
        }});
        let mut obj = json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "n", "labels": {"a": "b"}},
            "spec": {"validation": "client", "values": {"any": {"thing": 1}},
                     "list": [{"a": "1", "b": 2}], "labels": {"k": "v"}},
            "extra": true});
        let removed = prune_unknown(&schema, &mut obj);
        assert_eq!(removed, ["spec.validation", "spec.list[0].b", "extra"]);
        assert_eq!(obj["metadata"]["labels"]["a"], "b");
        assert_eq!(obj["spec"]["values"]["any"]["thing"], 1);
        assert!(obj["spec"].get("validation").is_none());
    }
}
