//! Defaulting as kube-apiserver applies it to CRD objects (`structuraldefaulting`): first
//! nulls in non-nullable fields without a default are dropped, then every missing (or null,
//! non-nullable) property with a `default` gets a copy of it, recursively, so defaults inside
//! a freshly defaulted object apply too.

use serde_json::{Map, Value};

/// Apply the schema's defaults to `obj` in place.
pub fn apply_defaults(schema: &Value, obj: &mut Value) {
    prune_nulls(schema, obj);
    default(schema, obj);
}

fn nullable(s: &Value) -> bool {
    s.get("nullable").and_then(Value::as_bool) == Some(true)
}

fn properties(s: &Value) -> Option<&Map<String, Value>> {
    s.get("properties").and_then(Value::as_object)
}

fn additional(s: &Value) -> Option<&Value> {
    s.get("additionalProperties").filter(|v| v.is_object())
}

fn default(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(props) = properties(schema) {
                for (key, prop) in props {
                    let Some(default) = prop.get("default") else {
                        continue;
                    };
                    let missing = match map.get(key) {
                        None => true,
                        Some(Value::Null) => !nullable(prop),
                        Some(_) => false,
                    };
                    if missing {
                        map.insert(key.clone(), default.clone());
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                if let Some(prop) = properties(schema).and_then(|p| p.get(key)) {
                    default(prop, child);
                } else if let Some(extra) = additional(schema) {
                    default(extra, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    default(item_schema, item);
                }
            }
        }
        _ => {}
    }
}

fn prune_nulls(schema: &Value, value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(props) = properties(schema) {
                map.retain(|key, v| match props.get(key) {
                    Some(prop) => {
                        !(v.is_null() && prop.get("default").is_none() && !nullable(prop))
                    }
                    None => true,
                });
            }
            for (key, child) in map.iter_mut() {
                if let Some(prop) = properties(schema).and_then(|p| p.get(key)) {
                    prune_nulls(prop, child);
                } else if let Some(extra) = additional(schema) {
                    prune_nulls(extra, child);
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    prune_nulls(item_schema, item);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_apply_recursively_and_respect_nullable() {
        let schema = json!({"type": "object", "properties": {
            "spec": {"type": "object", "properties": {
                "timeout": {"type": "string", "default": "60s"},
                "verify": {"type": "object", "default": {}, "properties": {
                    "mode": {"type": "string", "default": "HEAD"}}},
                "keep": {"type": "string", "nullable": true, "default": "x"},
                "drop": {"type": "string"},
                "list": {"type": "array", "items": {"type": "object", "properties": {
                    "optional": {"type": "boolean", "default": false}}}}
            }},
            "status": {"type": "object", "default": {"observedGeneration": -1}}
        }});
        let mut obj = json!({"spec": {"timeout": null, "keep": null, "drop": null, "list": [{}, {"optional": true}]}});
        apply_defaults(&schema, &mut obj);
        assert_eq!(
            obj,
            json!({"spec": {"timeout": "60s", "keep": null, "list": [{"optional": false}, {"optional": true}],
                            "verify": {"mode": "HEAD"}},
                   "status": {"observedGeneration": -1}})
        );
    }
}
