//! A resource during a build: its object plus the build metadata kustomize keeps in internal
//! annotations (previous names for name-reference fixing, prefixes and suffixes applied, whether
//! a generated name still needs its content hash).

use serde_json::{Map, Value};

pub const PREV_NAMES: &str = "internal.config.kubernetes.io/previousNames";
pub const PREV_KINDS: &str = "internal.config.kubernetes.io/previousKinds";
pub const PREV_NAMESPACES: &str = "internal.config.kubernetes.io/previousNamespaces";
pub const PREFIXES: &str = "internal.config.kubernetes.io/prefixes";
pub const SUFFIXES: &str = "internal.config.kubernetes.io/suffixes";
pub const NEEDS_HASH: &str = "internal.config.kubernetes.io/needsHashSuffix";
const INTERNAL_PREFIX: &str = "internal.config.kubernetes.io/";
const LEGACY_BUILD_ANNOTATIONS: &[&str] = &[
    "kustomize.config.k8s.io/id",
    "config.kubernetes.io/index",
    "kustomize.config.k8s.io/needs-hash",
];

/// How a generated resource combines with an existing one of the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Behavior {
    #[default]
    Create,
    Merge,
    Replace,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub obj: Value,
    pub behavior: Behavior,
}

/// Group, version, kind, name and namespace of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResId {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// `default` for an empty namespace; a marker for cluster-scoped kinds.
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped_gvk(&self.group, &self.kind)
    }

    pub fn effective_namespace(&self) -> &str {
        if self.is_cluster_scoped() {
            "_non_namespaceable_"
        } else if self.namespace.is_empty() {
            "default"
        } else {
            &self.namespace
        }
    }

    /// The same object, as kustomize compares ids (empty namespace equals `default`).
    pub fn same_as(&self, other: &ResId) -> bool {
        self.group == other.group
            && self.version == other.version
            && self.kind == other.kind
            && self.name == other.name
            && self.effective_namespace() == other.effective_namespace()
    }

    pub fn gvk_string(&self) -> String {
        let or = |s: &str, d: &str| {
            if s.is_empty() {
                d.to_string()
            } else {
                s.to_string()
            }
        };
        // kubectl 1.33 (kustomize v5.6) orders by group_version_kind; newer kustomize releases
        // changed this string, which the upstream plugin cases reflect.
        format!(
            "{}_{}_{}",
            or(&self.group, "~G"),
            or(&self.version, "~V"),
            or(&self.kind, "~K")
        )
    }

    pub fn describe(&self) -> String {
        let mut s = String::new();
        if !self.group.is_empty() {
            s.push_str(&self.group);
            s.push('/');
        }
        s.push_str(&format!("{}/{} {}", self.version, self.kind, self.name));
        if !self.namespace.is_empty() {
            s.push_str(&format!(" in namespace {}", self.namespace));
        }
        s
    }
}

/// Whether a group/kind is cluster-scoped: core kinds only in the core group, so a custom
/// `Namespace` kind of another API group stays namespaced.
pub fn is_cluster_scoped_gvk(group: &str, kind: &str) -> bool {
    match kind {
        "Namespace" | "Node" | "PersistentVolume" | "ComponentStatus" => group.is_empty(),
        _ => is_cluster_scoped(kind),
    }
}

/// Kinds the Kubernetes API serves cluster-wide (no metadata.namespace).
pub fn is_cluster_scoped(kind: &str) -> bool {
    matches!(
        kind,
        "APIService"
            | "CertificateSigningRequest"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "ClusterTrustBundle"
            | "ComponentStatus"
            | "CSIDriver"
            | "CSINode"
            | "CustomResourceDefinition"
            | "DeviceClass"
            | "FlowSchema"
            | "IngressClass"
            | "IPAddress"
            | "MutatingAdmissionPolicy"
            | "MutatingAdmissionPolicyBinding"
            | "MutatingWebhookConfiguration"
            | "Namespace"
            | "Node"
            | "PersistentVolume"
            | "PodSecurityPolicy"
            | "PriorityClass"
            | "PriorityLevelConfiguration"
            | "RuntimeClass"
            | "SelfSubjectAccessReview"
            | "SelfSubjectReview"
            | "SelfSubjectRulesReview"
            | "ServiceCIDR"
            | "StorageClass"
            | "StorageVersion"
            | "SubjectAccessReview"
            | "TokenReview"
            | "ValidatingAdmissionPolicy"
            | "ValidatingAdmissionPolicyBinding"
            | "ValidatingWebhookConfiguration"
            | "VolumeAttachment"
            | "VolumeAttributesClass"
    )
}

pub fn str_at<'a>(v: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = v;
    for p in path {
        match cur.get(p) {
            Some(next) => cur = next,
            None => return "",
        }
    }
    cur.as_str().unwrap_or("")
}

impl Resource {
    pub fn new(obj: Value) -> Self {
        Resource {
            obj,
            behavior: Behavior::Create,
        }
    }

    pub fn api_version(&self) -> &str {
        str_at(&self.obj, &["apiVersion"])
    }
    pub fn kind(&self) -> &str {
        str_at(&self.obj, &["kind"])
    }
    pub fn name(&self) -> &str {
        str_at(&self.obj, &["metadata", "name"])
    }
    pub fn namespace(&self) -> &str {
        str_at(&self.obj, &["metadata", "namespace"])
    }
    pub fn group_version(&self) -> (String, String) {
        split_api_version(self.api_version())
    }

    pub fn cur_id(&self) -> ResId {
        let (group, version) = self.group_version();
        ResId {
            group,
            version,
            kind: self.kind().to_string(),
            name: self.name().to_string(),
            namespace: self.namespace().to_string(),
        }
    }

    /// Ids this resource had before renames, oldest first.
    pub fn prev_ids(&self) -> Vec<ResId> {
        let names = self.annotation_list(PREV_NAMES);
        let kinds = self.annotation_list(PREV_KINDS);
        let namespaces = self.annotation_list(PREV_NAMESPACES);
        let (group, version) = self.group_version();
        names
            .iter()
            .enumerate()
            .map(|(i, name)| ResId {
                group: group.clone(),
                version: version.clone(),
                kind: kinds
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| self.kind().to_string()),
                name: name.clone(),
                namespace: namespaces.get(i).cloned().unwrap_or_default(),
            })
            .collect()
    }

    /// The id the resource was first loaded or generated with.
    pub fn org_id(&self) -> ResId {
        self.prev_ids()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.cur_id())
    }

    /// Record the current id before a rename, so references to the old name can be fixed.
    pub fn store_previous_id(&mut self) {
        let id = self.cur_id();
        self.push_previous_id(&id);
    }

    pub fn push_previous_id(&mut self, id: &ResId) {
        let ns = if id.namespace.is_empty() {
            "default".to_string()
        } else {
            id.namespace.clone()
        };
        self.append_annotation_list(PREV_NAMES, &id.name);
        self.append_annotation_list(PREV_KINDS, &id.kind);
        self.append_annotation_list(PREV_NAMESPACES, &ns);
    }

    pub fn metadata_mut(&mut self) -> &mut Map<String, Value> {
        let obj = ensure_object(&mut self.obj);
        ensure_object(
            obj.entry("metadata")
                .or_insert_with(|| Value::Object(Map::new())),
        )
    }

    pub fn set_name(&mut self, name: &str) {
        self.metadata_mut()
            .insert("name".into(), Value::String(name.to_string()));
    }

    pub fn set_namespace(&mut self, ns: &str) {
        self.metadata_mut()
            .insert("namespace".into(), Value::String(ns.to_string()));
    }

    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.obj
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }

    pub fn set_annotation(&mut self, key: &str, value: &str) {
        let meta = self.metadata_mut();
        let ann = meta
            .entry("annotations")
            .or_insert_with(|| Value::Object(Map::new()));
        ensure_object(ann).insert(key.to_string(), Value::String(value.to_string()));
    }

    pub fn annotation_list(&self, key: &str) -> Vec<String> {
        match self.annotation(key) {
            Some(s) if !s.is_empty() => s.split(',').map(str::to_string).collect(),
            _ => Vec::new(),
        }
    }

    pub fn append_annotation_list(&mut self, key: &str, value: &str) {
        let mut list = self.annotation_list(key);
        list.push(value.to_string());
        self.set_annotation(key, &list.join(","));
    }

    pub fn labels(&self) -> Map<String, Value> {
        self.obj
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    pub fn annotations(&self) -> Map<String, Value> {
        self.obj
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }

    pub fn needs_hash(&self) -> bool {
        self.annotation(NEEDS_HASH).is_some()
    }

    /// Drop kustomize's internal annotations (and an annotations map they leave empty).
    pub fn strip_build_annotations(&mut self) {
        let Some(meta) = self.obj.get_mut("metadata").and_then(Value::as_object_mut) else {
            return;
        };
        let Some(ann) = meta.get_mut("annotations").and_then(Value::as_object_mut) else {
            return;
        };
        let before = ann.len();
        ann.retain(|k, _| {
            !k.starts_with(INTERNAL_PREFIX) && !LEGACY_BUILD_ANNOTATIONS.contains(&k.as_str())
        });
        if ann.is_empty() && before > 0 {
            meta.remove("annotations");
        }
    }
}

pub fn split_api_version(api_version: &str) -> (String, String) {
    match api_version.split_once('/') {
        Some((g, v)) => (g.to_string(), v.to_string()),
        None => (String::new(), api_version.to_string()),
    }
}

/// Make `v` an object (replacing null or scalars) and return it.
pub fn ensure_object(v: &mut Value) -> &mut Map<String, Value> {
    if !v.is_object() {
        *v = Value::Object(Map::new());
    }
    match v {
        Value::Object(m) => m,
        _ => unreachable!("the value was just made an object"),
    }
}
