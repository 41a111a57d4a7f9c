//! Inventories (`status.inventory.entries[]{id, v}`) and the cli-utils `ObjMetadata` id
//! format `<namespace>_<name>_<group>_<Kind>`: empty namespace or group leave an empty
//! segment, and in RBAC kinds a `:` in the name is written as `__`.

use super::Extra;
use serde::{Deserialize, Serialize};
use std::fmt;

const SEPARATOR: char = '_';
const COLON_ENCODED: &str = "__";
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";
const RBAC_KINDS: [&str; 4] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Inventory {
    #[serde(default)]
    pub entries: Vec<InventoryEntry>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InventoryEntry {
    /// `ObjMetadata` string.
    pub id: String,
    /// API version of the applied object (`v1`, `v2`, …), without the group.
    pub v: String,
    #[serde(flatten)]
    pub extra: Extra,
}

impl InventoryEntry {
    pub fn new(object: &ObjMetadata, version: impl Into<String>) -> Self {
        Self {
            id: object.to_string(),
            v: version.into(),
            extra: Extra::new(),
        }
    }

    pub fn object(&self) -> Result<ObjMetadata, InventoryIdError> {
        self.id.parse()
    }

    /// `group/version` (or just `version` for the core group), for building a GVK.
    pub fn api_version(&self) -> Result<String, InventoryIdError> {
        let object = self.object()?;
        Ok(if object.group.is_empty() {
            self.v.clone()
        } else {
            format!("{}/{}", object.group, self.v)
        })
    }
}

impl Inventory {
    /// Parse every entry, failing on the first malformed id.
    pub fn objects(&self) -> Result<Vec<(ObjMetadata, String)>, InventoryIdError> {
        self.entries
            .iter()
            .map(|e| Ok((e.object()?, e.v.clone())))
            .collect()
    }
}

/// The identity of one applied object (group and kind, not version).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjMetadata {
    pub namespace: String,
    pub name: String,
    pub group: String,
    pub kind: String,
}

impl ObjMetadata {
    pub fn new(namespace: &str, name: &str, group: &str, kind: &str) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            group: group.into(),
            kind: kind.into(),
        }
    }

    fn is_rbac(&self) -> bool {
        self.group == RBAC_GROUP && RBAC_KINDS.contains(&self.kind.as_str())
    }
}

impl fmt::Display for ObjMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = if self.is_rbac() {
            self.name.replace(':', COLON_ENCODED)
        } else {
            self.name.clone()
        };
        write!(
            f,
            "{}_{}_{}_{}",
            self.namespace, name, self.group, self.kind
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InventoryIdError {
    #[error("inventory id {id:?} is not <namespace>_<name>_<group>_<Kind>: {problem}")]
    Malformed { id: String, problem: &'static str },
}

impl std::str::FromStr for ObjMetadata {
    type Err = InventoryIdError;

    /// Split on the first `_` (namespace), the last (kind), the last remaining (group);
    /// the rest is the name, with `__` decoded back to `:`.
    fn from_str(id: &str) -> Result<Self, Self::Err> {
        let bad = |problem| InventoryIdError::Malformed {
            id: id.to_string(),
            problem,
        };
        let (namespace, rest) = id
            .split_once(SEPARATOR)
            .ok_or_else(|| bad("no separator"))?;
        let (rest, kind) = rest
            .rsplit_once(SEPARATOR)
            .ok_or_else(|| bad("missing group and kind"))?;
        let (name, group) = rest
            .rsplit_once(SEPARATOR)
            .ok_or_else(|| bad("missing group"))?;
        let name = name.replace(COLON_ENCODED, ":");
        if name.contains(SEPARATOR) {
            return Err(bad("too many fields"));
        }
        if name.is_empty() {
            return Err(bad("empty name"));
        }
        if kind.is_empty() {
            return Err(bad("empty kind"));
        }
        Ok(ObjMetadata::new(namespace, &name, group, kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_with_empty_segments() {
        for (id, expect) in [
            (
                "default_podinfo__Service",
                ObjMetadata::new("default", "podinfo", "", "Service"),
            ),
            (
                "default_podinfo_apps_Deployment",
                ObjMetadata::new("default", "podinfo", "apps", "Deployment"),
            ),
            (
                "_my-ns__Namespace",
                ObjMetadata::new("", "my-ns", "", "Namespace"),
            ),
            (
                "_system__aggregate_rbac.authorization.k8s.io_ClusterRole",
                ObjMetadata::new("", "system:aggregate", RBAC_GROUP, "ClusterRole"),
            ),
        ] {
            let parsed: ObjMetadata = id.parse().unwrap();
            assert_eq!(parsed, expect);
            assert_eq!(parsed.to_string(), id);
        }
    }

    #[test]
    fn colons_are_only_encoded_for_rbac_kinds() {
        let cm = ObjMetadata::new("ns", "a:b", "", "ConfigMap");
        assert_eq!(cm.to_string(), "ns_a:b__ConfigMap");
        let rb = ObjMetadata::new("ns", "a:b", RBAC_GROUP, "RoleBinding");
        assert_eq!(
            rb.to_string(),
            "ns_a__b_rbac.authorization.k8s.io_RoleBinding"
        );
    }

    #[test]
    fn malformed_ids_are_rejected_with_the_id() {
        for id in [
            "nounderscore",
            "ns_name",
            "ns_a_b_c_Kind",
            "ns__apps_Deployment",
            "ns_name_apps_",
        ] {
            let err = id.parse::<ObjMetadata>().unwrap_err();
            assert!(err.to_string().contains(id), "{err}");
        }
    }

    #[test]
    fn entries_give_api_versions() {
        let e = InventoryEntry::new(
            &ObjMetadata::new("default", "x", "apps", "Deployment"),
            "v1",
        );
        assert_eq!(e.api_version().unwrap(), "apps/v1");
        let core = InventoryEntry {
            id: "default_x__Service".into(),
            v: "v1".into(),
            extra: Extra::new(),
        };
        assert_eq!(core.api_version().unwrap(), "v1");
    }
}
