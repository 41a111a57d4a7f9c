//! A custom OpenAPI (v2, swagger `definitions`) schema named by a kustomization's
//! `openapi.path`: it tells strategic merge how the lists of the kinds it describes merge
//! (`x-kubernetes-patch-strategy` / `x-kubernetes-patch-merge-key`), as kustomize does for
//! custom resources. kustomize holds one schema per build: the first kustomization loaded that
//! names one (the top overlay before its bases) sets it.

use crate::engine::patch::{BuiltinSchema, ListStrategy, MergeSchema};
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug)]
pub struct OpenApiSchema {
    definitions: serde_json::Map<String, Value>,
}

impl OpenApiSchema {
    /// Read a schema document (JSON or YAML); Err says what is wrong with it.
    pub fn parse(text: &str) -> Result<Self, String> {
        let doc = crate::engine::yaml::parse_documents(text)
            .map_err(|e| e.to_string())?
            .into_iter()
            .next()
            .unwrap_or_default();
        let definitions = doc
            .get("definitions")
            .and_then(Value::as_object)
            .cloned()
            .ok_or("the schema has no 'definitions' object")?;
        Ok(OpenApiSchema { definitions })
    }

    /// The definition describing this group/version/kind, if the schema has one.
    fn definition(&self, group: &str, version: &str, kind: &str) -> Option<&Value> {
        self.definitions.values().find(|d| {
            d.get("x-kubernetes-group-version-kind")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|g| {
                    let f = |k: &str| g.get(k).and_then(Value::as_str).unwrap_or("");
                    f("group") == group && f("version") == version && f("kind") == kind
                })
        })
    }

    fn deref<'a>(&'a self, mut node: &'a Value) -> &'a Value {
        for _ in 0..32 {
            let Some(name) = node
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
            else {
                break;
            };
            match self.definitions.get(name) {
                Some(next) => node = next,
                None => break,
            }
        }
        node
    }

    /// The merge schema of one kind, if the custom schema describes it.
    pub fn for_kind(self: &Rc<Self>, group: &str, version: &str, kind: &str) -> Option<KindSchema> {
        self.definition(group, version, kind)?;
        Some(KindSchema {
            schema: Rc::clone(self),
            gvk: (group.to_string(), version.to_string(), kind.to_string()),
        })
    }
}

/// The custom schema seen from one kind's definition.
pub struct KindSchema {
    schema: Rc<OpenApiSchema>,
    gvk: (String, String, String),
}

impl MergeSchema for KindSchema {
    fn list_strategy(&self, path: &[&str]) -> ListStrategy {
        let s = &self.schema;
        let (g, v, k) = &self.gvk;
        let Some(mut node) = s.definition(g, v, k) else {
            return ListStrategy::Atomic;
        };
        for (i, segment) in path.iter().enumerate() {
            if let Some(builtin) = unresolved_builtin(s, node) {
                return builtin(&path[i..]);
            }
            node = s.deref(node);
            if node.get("type").and_then(Value::as_str) == Some("array") {
                node = match node.get("items") {
                    Some(items) => s.deref(items),
                    None => return ListStrategy::Atomic,
                };
            }
            node = match node.get("properties").and_then(|p| p.get(*segment)) {
                Some(next) => next,
                None => return ListStrategy::Atomic,
            };
        }
        if let Some(builtin) = unresolved_builtin(s, node) {
            return builtin(&[]);
        }
        let strategy = node
            .get("x-kubernetes-patch-strategy")
            .and_then(Value::as_str)
            .unwrap_or("");
        if !strategy.split(',').any(|s| s == "merge") {
            return ListStrategy::Atomic;
        }
        match node
            .get("x-kubernetes-patch-merge-key")
            .and_then(Value::as_str)
        {
            Some(key) => ListStrategy::map_by(key),
            None => ListStrategy::Set,
        }
    }
}

/// A custom schema may refer to Kubernetes definitions it does not carry (kustomize reads it
/// together with the builtin schema): answer those from the builtin pod schema.
fn unresolved_builtin(s: &OpenApiSchema, node: &Value) -> Option<fn(&[&str]) -> ListStrategy> {
    let name = node
        .get("$ref")
        .and_then(Value::as_str)?
        .strip_prefix("#/definitions/")?;
    if s.definitions.contains_key(name) {
        return None;
    }
    match name {
        "io.k8s.api.core.v1.PodTemplateSpec" => Some(|rest| {
            BuiltinSchema::for_kind("v1", "PodTemplate")
                .list_strategy(&[&["template"], rest].concat())
        }),
        "io.k8s.api.core.v1.PodSpec" => Some(|rest| {
            BuiltinSchema::for_kind("v1", "Pod").list_strategy(&[&["spec"], rest].concat())
        }),
        _ => None,
    }
}

thread_local! {
    /// None: no kustomization chose yet; Some(None): the builtin schema was chosen.
    static CURRENT: RefCell<Option<Option<Rc<OpenApiSchema>>>> = const { RefCell::new(None) };
}

/// The custom schema of the build running on this thread, if one was chosen.
pub fn current() -> Option<Rc<OpenApiSchema>> {
    CURRENT.with(|c| c.borrow().clone().flatten())
}

/// Whether a kustomization of this build already chose a schema (custom or builtin).
pub fn chosen() -> bool {
    CURRENT.with(|c| c.borrow().is_some())
}

/// Choose the build's schema (None: the builtin one) unless one was chosen already: the
/// first kustomization loaded that has an `openapi` field wins.
pub fn choose(schema: Option<OpenApiSchema>) {
    CURRENT.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = Some(schema.map(Rc::new));
        }
    });
}

/// Clears the build's schema when the build ends, however it ends.
pub struct BuildScope;

impl BuildScope {
    pub fn start() -> Self {
        CURRENT.with(|c| *c.borrow_mut() = None);
        BuildScope
    }
}

impl Drop for BuildScope {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = r##"{"definitions": {
      "v1.Thing": {"x-kubernetes-group-version-kind": [{"group": "ex.com", "version": "v1", "kind": "Thing"}],
        "properties": {"spec": {"properties": {"items": {"type": "array",
          "items": {"$ref": "#/definitions/v1.Item"},
          "x-kubernetes-patch-merge-key": "id", "x-kubernetes-patch-strategy": "merge"}}}}},
      "v1.Item": {"properties": {"id": {"type": "string"}}}
    }}"##;

    #[test]
    fn described_lists_merge_by_their_key() {
        let s = Rc::new(OpenApiSchema::parse(SCHEMA).unwrap());
        let k = s.for_kind("ex.com", "v1", "Thing").unwrap();
        assert_eq!(
            k.list_strategy(&["spec", "items"]),
            ListStrategy::map_by("id")
        );
        assert_eq!(k.list_strategy(&["spec", "other"]), ListStrategy::Atomic);
        assert!(s.for_kind("ex.com", "v1", "Other").is_none());
    }
}
