//! The `crds:` field: OpenAPI definitions of custom kinds whose properties marked with
//! `x-kubernetes-object-ref-kind` are name references, so prefixes and hashes propagate into them.

use super::config::{NameBackRef, TransformerConfig};
use super::fieldspec::FieldSpec;
use serde_json::Value;

fn schema<'a>(defs: &'a Value, key: &str) -> Option<&'a Value> {
    defs.get(key)?.get("Schema")
}

fn walk(
    defs: &Value,
    node: &Value,
    kind: &str,
    path: &mut Vec<String>,
    depth: usize,
    out: &mut Vec<NameBackRef>,
) {
    if depth > 16 {
        return;
    }
    let Some(props) = node.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (name, prop) in props {
        if name == "metadata" || name == "status" {
            continue;
        }
        path.push(name.clone());
        if let Some(ref_kind) = prop
            .get("x-kubernetes-object-ref-kind")
            .and_then(Value::as_str)
        {
            let version = prop
                .get("x-kubernetes-object-ref-api-version")
                .and_then(Value::as_str)
                .unwrap_or("");
            let spec = FieldSpec {
                kind: kind.into(),
                path: format!("{}/name", path.join("/")),
                ..Default::default()
            };
            match out.iter_mut().find(|b| b.kind == ref_kind) {
                Some(b) => b.specs.push(spec),
                None => out.push(NameBackRef {
                    group: String::new(),
                    version: version.into(),
                    kind: ref_kind.into(),
                    specs: vec![spec],
                }),
            }
        } else if let Some(target) = prop
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| schema(defs, r))
        {
            walk(defs, target, kind, path, depth + 1, out);
        } else {
            walk(defs, prop, kind, path, depth + 1, out);
        }
        path.pop();
    }
}

/// Name-reference config for the kinds an OpenAPI definitions document describes.
pub fn config_from_definitions(defs: &Value) -> TransformerConfig {
    let mut refs = Vec::new();
    for (key, def) in defs.as_object().into_iter().flatten() {
        let Some(s) = def.get("Schema") else { continue };
        let is_kind = s
            .get("properties")
            .is_some_and(|p| p.get("kind").is_some() && p.get("apiVersion").is_some());
        if !is_kind {
            continue;
        }
        let kind = key.rsplit('.').next().unwrap_or(key);
        walk(defs, s, kind, &mut Vec::new(), 0, &mut refs);
    }
    TransformerConfig {
        name_reference: refs,
        ..Default::default()
    }
}
