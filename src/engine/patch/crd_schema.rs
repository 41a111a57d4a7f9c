//! List and map types of a CustomResourceDefinition's structural OpenAPI v3 schema
//! (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`).
//!
//! As in kube-apiserver, a list without `x-kubernetes-list-type` (or under
//! `x-kubernetes-preserve-unknown-fields`, or not described at all) is atomic.

use super::schema::{ListStrategy, MergeSchema, object_meta_list};
use serde_json::Value;
use std::sync::Arc;

/// Schema knowledge read from one CRD version's `openAPIV3Schema`.
#[derive(Debug, Clone)]
pub struct CrdSchema {
    root: Arc<Value>,
}

impl CrdSchema {
    /// Wrap a version's `schema.openAPIV3Schema` object.
    pub fn new(openapi_v3_schema: &Value) -> Self {
        CrdSchema::shared(Arc::new(openapi_v3_schema.clone()))
    }

    /// Wrap a schema already shared (the store's catalog): no copy per write.
    pub fn shared(openapi_v3_schema: Arc<Value>) -> Self {
        CrdSchema {
            root: openapi_v3_schema,
        }
    }

    /// The schema of `version` (or the storage version when `version` is None) of a
    /// CustomResourceDefinition object, if it has one.
    pub fn from_crd(crd: &Value, version: Option<&str>) -> Option<Self> {
        let versions = crd.pointer("/spec/versions")?.as_array()?;
        let chosen = versions.iter().find(|v| match version {
            Some(name) => v.get("name").and_then(Value::as_str) == Some(name),
            None => v.get("storage").and_then(Value::as_bool) == Some(true),
        })?;
        chosen
            .pointer("/schema/openAPIV3Schema")
            .map(CrdSchema::new)
    }

    /// The schema node of the field at `path`. `Err(None)`: the schema does not describe it;
    /// `Err(Some(rest))`: an object's undescribed `metadata` (ObjectMeta) was reached with
    /// `rest` left, which the ObjectMeta table answers.
    fn node<'a, 'p>(&'a self, path: &'p [&'p str]) -> Result<&'a Value, Option<&'p [&'p str]>> {
        let mut node: &Value = &self.root;
        for (i, segment) in path.iter().enumerate() {
            // A field holding a list: the next segment names a field of its items.
            if node.get("type").and_then(Value::as_str) == Some("array") {
                node = node.get("items").ok_or(None)?;
            }
            let embedded = node
                .get("x-kubernetes-embedded-resource")
                .and_then(Value::as_bool)
                == Some(true);
            let child = node
                .get("properties")
                .and_then(|p| p.get(*segment))
                .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()));
            match child {
                Some(next) => node = next,
                None if *segment == "metadata" && (i == 0 || embedded) => {
                    return Err(Some(&path[i + 1..]));
                }
                None => return Err(None),
            }
        }
        Ok(node)
    }

    fn strategy(&self, path: &[&str]) -> ListStrategy {
        let node = match self.node(path) {
            Ok(node) => node,
            Err(Some(meta_rest)) => {
                return object_meta_list(meta_rest).unwrap_or(ListStrategy::Atomic);
            }
            Err(None) => return ListStrategy::Atomic,
        };
        match node.get("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("set") => ListStrategy::Set,
            Some("map") => {
                let keys: Vec<String> = node
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|keys| {
                        keys.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                if keys.is_empty() {
                    ListStrategy::Atomic
                } else {
                    ListStrategy::Map { keys }
                }
            }
            _ => ListStrategy::Atomic,
        }
    }
}

impl MergeSchema for CrdSchema {
    fn list_strategy(&self, path: &[&str]) -> ListStrategy {
        self.strategy(path)
    }

    fn map_is_atomic(&self, path: &[&str]) -> bool {
        match self.node(path) {
            Ok(node) => node.get("x-kubernetes-map-type").and_then(Value::as_str) == Some("atomic"),
            Err(_) => false,
        }
    }
}
