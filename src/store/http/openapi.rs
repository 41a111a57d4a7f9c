//! OpenAPI v3 documents. kubectl ≥ 1.29 reads `/openapi/v3` and the group-version document to
//! decide whether the server validates fields itself: every PATCH/POST/PUT operation must list a
//! `fieldValidation` parameter and carry `x-kubernetes-group-version-kind`. Strategic merge patch
//! is not advertised, so kubectl computes client-side apply patches from its own compiled types
//! (built-ins) or uses JSON merge patch (CRDs), exactly as it does against real CRDs.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use serde_json::{Value, json};

use crate::store::types::ResourceType;

/// The path prefix of a group-version: "api/v1" or "apis/{group}/{version}".
pub fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `/openapi/v3`: one entry per group-version with a content hash so clients can cache.
pub fn root(types: &[ResourceType]) -> Value {
    let mut by_gv: BTreeMap<String, Vec<&ResourceType>> = BTreeMap::new();
    for rt in types {
        by_gv
            .entry(gv_path(&rt.group, &rt.version))
            .or_default()
            .push(rt);
    }
    let paths: serde_json::Map<String, Value> = by_gv
        .into_iter()
        .map(|(path, rts)| {
            let doc = group_version(&rts);
            let url = format!("/openapi/v3/{path}?hash={}", hash(&doc));
            (path, json!({"serverRelativeURL": url}))
        })
        .collect();
    json!({"paths": paths})
}

fn hash(doc: &Value) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    doc.to_string().hash(&mut h);
    format!("{:016X}", h.finish())
}

/// The reverse-DNS schema name apiserver uses, e.g. `io.fluxcd.toolkit.kustomize.v1.Kustomization`.
fn schema_name(rt: &ResourceType) -> String {
    if rt.group.is_empty() {
        return format!("io.k8s.api.core.{}.{}", rt.version, rt.kind);
    }
    let reversed: Vec<&str> = rt.group.split('.').rev().collect();
    format!("{}.{}.{}", reversed.join("."), rt.version, rt.kind)
}

fn gvk(rt: &ResourceType) -> Value {
    json!({"group": rt.group, "version": rt.version, "kind": rt.kind})
}

fn query_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "query", "description": description, "schema": {"type": "string", "uniqueItems": true}})
}

fn write_params(with_force: bool) -> Vec<Value> {
    let mut params = vec![
        query_param(
            "dryRun",
            "When present, indicates that modifications should not be persisted. Valid value: All.",
        ),
        query_param(
            "fieldManager",
            "A name associated with the actor or entity that is making these changes.",
        ),
        query_param(
            "fieldValidation",
            "How the server treats unknown or duplicate fields: Ignore, Warn or Strict.",
        ),
    ];
    if with_force {
        params.push(json!({"name": "force", "in": "query", "description": "Force is going to \"force\" Apply requests.", "schema": {"type": "boolean", "uniqueItems": true}}));
    }
    params
}

fn operation(
    rt: &ResourceType,
    id: &str,
    action: &str,
    params: Vec<Value>,
    body: Option<Vec<&str>>,
) -> Value {
    let reference = json!({"$ref": format!("#/components/schemas/{}", schema_name(rt))});
    let mut op = json!({
        "tags": [gv_path(&rt.group, &rt.version).replace('/', "_")],
        "operationId": format!("{id}{}", rt.kind),
        "parameters": params,
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": reference}}}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": gvk(rt),
    });
    if let Some(types) = body {
        let content: serde_json::Map<String, Value> = types
            .into_iter()
            .map(|t| (t.to_string(), json!({"schema": reference})))
            .collect();
        op["requestBody"] = json!({"content": content, "required": true});
    }
    op
}

const PATCH_TYPES: [&str; 3] = [
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
];

fn paths_for(rt: &ResourceType, prefix: &str, out: &mut serde_json::Map<String, Value>) {
    let scope = if rt.namespaced { "Namespaced" } else { "" };
    let base = if rt.namespaced {
        format!("/{prefix}/namespaces/{{namespace}}/{}", rt.plural)
    } else {
        format!("/{prefix}/{}", rt.plural)
    };
    let path_params = |with_name: bool| {
        let mut p = Vec::new();
        if with_name {
            p.push(json!({"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}));
        }
        if rt.namespaced {
            p.push(json!({"name": "namespace", "in": "path", "required": true, "schema": {"type": "string"}}));
        }
        Value::Array(p)
    };
    let verbs = if rt.verbs.is_empty() {
        super::discovery::DEFAULT_VERBS
            .iter()
            .map(|v| v.to_string())
            .collect()
    } else {
        rt.verbs.clone()
    };
    let has = |v: &str| verbs.iter().any(|x| x == v);

    let mut collection = json!({"parameters": path_params(false)});
    if has("list") {
        collection["get"] = operation(rt, &format!("list{scope}"), "list", vec![], None);
    }
    if has("create") {
        collection["post"] = operation(
            rt,
            &format!("create{scope}"),
            "post",
            write_params(false),
            Some(vec!["application/json", "application/yaml"]),
        );
    }
    if has("deletecollection") {
        collection["delete"] = operation(
            rt,
            &format!("deletecollection{scope}"),
            "deletecollection",
            vec![],
            None,
        );
    }
    out.insert(base.clone(), collection);

    let mut item = json!({"parameters": path_params(true)});
    if has("get") {
        item["get"] = operation(rt, &format!("read{scope}"), "get", vec![], None);
    }
    if has("update") {
        item["put"] = operation(
            rt,
            &format!("replace{scope}"),
            "put",
            write_params(false),
            Some(vec!["application/json", "application/yaml"]),
        );
    }
    if has("patch") {
        item["patch"] = operation(
            rt,
            &format!("patch{scope}"),
            "patch",
            write_params(true),
            Some(PATCH_TYPES.to_vec()),
        );
    }
    if has("delete") {
        item["delete"] = operation(rt, &format!("delete{scope}"), "delete", vec![], None);
    }
    out.insert(format!("{base}/{{name}}"), item);

    if rt.status_subresource {
        let mut status = json!({"parameters": path_params(true)});
        status["get"] = operation(rt, &format!("read{scope}Status"), "get", vec![], None);
        status["put"] = operation(
            rt,
            &format!("replace{scope}Status"),
            "put",
            write_params(false),
            Some(vec!["application/json", "application/yaml"]),
        );
        status["patch"] = operation(
            rt,
            &format!("patch{scope}Status"),
            "patch",
            write_params(true),
            Some(PATCH_TYPES.to_vec()),
        );
        out.insert(format!("{base}/{{name}}/status"), status);
    }
}

/// The document of one group-version (all given types share it).
pub fn group_version(types: &[&ResourceType]) -> Value {
    let mut paths = serde_json::Map::new();
    let mut schemas = serde_json::Map::new();
    for rt in types {
        paths_for(rt, &gv_path(&rt.group, &rt.version), &mut paths);
        let mut schema = rt.schema.as_deref().cloned().unwrap_or_else(|| {
            json!({"type": "object", "description": format!("{} (schema not published by the embedded store)", rt.kind), "x-kubernetes-preserve-unknown-fields": true})
        });
        if let Value::Object(map) = &mut schema {
            map.insert("x-kubernetes-group-version-kind".into(), json!([gvk(rt)]));
        }
        schemas.insert(schema_name(rt), schema);
    }
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": super::VERSION_GIT},
        "paths": paths,
        "components": {"schemas": schemas},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::http::discovery::tests::rt;

    #[test]
    fn every_write_operation_offers_field_validation() {
        let mut ks = rt(
            "kustomize.toolkit.fluxcd.io",
            "v1",
            "Kustomization",
            "kustomizations",
            true,
        );
        ks.schema = Some(std::sync::Arc::new(
            json!({"type": "object", "properties": {"spec": {"type": "object"}}}),
        ));
        let doc = group_version(&[&ks]);
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 3);
        let mut writes = 0;
        for (_, item) in paths {
            for method in ["post", "put", "patch"] {
                if let Some(op) = item.get(method) {
                    writes += 1;
                    let names: Vec<&str> = op["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| p["name"].as_str().unwrap())
                        .collect();
                    assert!(
                        names.contains(&"fieldValidation"),
                        "{method} lacks fieldValidation"
                    );
                    assert_eq!(
                        op["x-kubernetes-group-version-kind"]["kind"],
                        "Kustomization"
                    );
                }
            }
        }
        assert_eq!(writes, 5);
        let patch = &paths["/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/{namespace}/kustomizations/{name}"]
            ["patch"];
        assert!(
            patch["requestBody"]["content"]
                .get("application/strategic-merge-patch+json")
                .is_none()
        );
        let schema = &doc["components"]["schemas"]["io.fluxcd.toolkit.kustomize.v1.Kustomization"];
        assert_eq!(schema["properties"]["spec"]["type"], "object");
        assert_eq!(
            schema["x-kubernetes-group-version-kind"][0]["version"],
            "v1"
        );
    }

    #[test]
    fn root_lists_group_versions_with_hashes() {
        let types = vec![
            rt("", "v1", "ConfigMap", "configmaps", true),
            rt("apps", "v1", "Deployment", "deployments", true),
        ];
        let doc = root(&types);
        let url = doc["paths"]["api/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        assert!(url.starts_with("/openapi/v3/api/v1?hash="), "{url}");
        assert!(doc["paths"]["apis/apps/v1"].is_object());
        let cluster = rt("", "v1", "Namespace", "namespaces", false);
        let doc = group_version(&[&cluster]);
        assert!(doc["paths"].get("/api/v1/namespaces/{name}").is_some());
    }
}
