//! The set of served resource types: built-ins plus the served versions of accepted CRDs.

use std::collections::BTreeMap;

use super::builtin::builtin_types;
use super::crd::CrdNames;
use super::types::{GroupResource, ResourceType};

#[derive(Debug, Clone)]
pub struct Catalog {
    builtins: Vec<ResourceType>,
    /// CRD object name → its served types (only CRDs whose names were accepted).
    crds: BTreeMap<String, Vec<ResourceType>>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            builtins: builtin_types(),
            crds: BTreeMap::new(),
        }
    }
}

impl Catalog {
    pub fn all(&self) -> Vec<ResourceType> {
        self.builtins
            .iter()
            .chain(self.crds.values().flatten())
            .cloned()
            .collect()
    }

    fn iter(&self) -> impl Iterator<Item = &ResourceType> {
        self.builtins.iter().chain(self.crds.values().flatten())
    }

    pub fn resolve(&self, group: &str, version: &str, plural: &str) -> Option<ResourceType> {
        self.iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
            .cloned()
    }

    pub fn resolve_kind(&self, group: &str, version: &str, kind: &str) -> Option<ResourceType> {
        self.iter()
            .find(|t| t.group == group && t.version == version && t.kind == kind)
            .cloned()
    }

    /// The version objects of a resource are stored in.
    pub fn storage_type(&self, gr: &GroupResource) -> Option<ResourceType> {
        let mut candidates = self
            .iter()
            .filter(|t| t.group == gr.group && t.plural == gr.resource);
        let first = candidates.next()?.clone();
        if first.storage_version {
            return Some(first);
        }
        candidates
            .find(|t| t.storage_version)
            .cloned()
            .or(Some(first))
    }

    /// Whether a type is one of the built-ins (not served from a CRD).
    pub fn is_builtin(&self, rt: &ResourceType) -> bool {
        self.builtins
            .iter()
            .any(|b| b.group == rt.group && b.version == rt.version && b.plural == rt.plural)
    }

    pub fn set_crd(&mut self, crd_name: &str, types: Vec<ResourceType>) -> bool {
        let changed = self.crds.get(crd_name) != Some(&types);
        self.crds.insert(crd_name.to_string(), types);
        changed
    }

    pub fn remove_crd(&mut self, crd_name: &str) -> Option<Vec<ResourceType>> {
        self.crds.remove(crd_name)
    }

    /// kube's naming controller: plural, singular, kind and short names must be unique within
    /// the group (short names across all groups, as kubectl resolves them globally).
    pub fn name_conflict(&self, crd_name: &str, n: &CrdNames) -> Option<String> {
        let others = self.builtins.iter().chain(
            self.crds
                .iter()
                .filter(|(name, _)| name.as_str() != crd_name)
                .flat_map(|(_, t)| t),
        );
        for t in others {
            if t.group == n.group {
                if t.plural == n.plural || t.singular == n.plural {
                    return Some(format!("{:?} is already in use", n.plural));
                }
                if t.plural == n.singular || t.singular == n.singular {
                    return Some(format!("{:?} is already in use", n.singular));
                }
                if t.kind == n.kind {
                    return Some(format!("{:?} is already in use", n.kind));
                }
            }
            if let Some(s) = n.short_names.iter().find(|s| t.short_names.contains(s)) {
                return Some(format!("{s:?} is already in use"));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::crd;
    use serde_json::json;

    #[test]
    fn crd_types_resolve_and_conflict() {
        let mut c = Catalog::default();
        assert!(c.resolve("apps", "v1", "deployments").is_some());
        assert!(c.resolve_kind("", "v1", "ConfigMap").is_some());
        let def = json!({"metadata": {"name": "widgets.example.com"}, "spec": {"group": "example.com", "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [{"name": "v1", "served": true, "storage": true}]}});
        let names = crd::names(&def);
        assert_eq!(c.name_conflict("widgets.example.com", &names), None);
        assert!(c.set_crd("widgets.example.com", crd::served_types(&def)));
        assert!(c.resolve("example.com", "v1", "widgets").is_some());
        // the same names under another CRD object conflict; the CRD itself does not
        assert_eq!(c.name_conflict("widgets.example.com", &names), None);
        assert!(c.name_conflict("other.example.com", &names).is_some());
        let cm_short = crd::CrdNames {
            group: "other.io".into(),
            plural: "gadgets".into(),
            singular: "gadget".into(),
            kind: "Gadget".into(),
            short_names: vec!["cm".into()],
            ..names.clone()
        };
        assert!(
            c.name_conflict("x.example.com", &cm_short)
                .unwrap()
                .contains("cm")
        );
        assert!(c.remove_crd("widgets.example.com").is_some());
        assert!(c.resolve("example.com", "v1", "widgets").is_none());
    }
}
