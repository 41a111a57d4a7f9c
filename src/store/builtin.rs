//! The catalog of built-in kinds the embedded API server serves, with the REST names, short
//! names, categories, status subresources and table columns kube-apiserver gives them.
//!
//! Printer columns are the complete ordered `columnDefinitions` of a `meta.k8s.io/v1 Table`
//! (the Name column included, since e.g. Events put it last). A column whose `json_path`
//! starts with `#` is computed: `store::columns::cell` evaluates it (see that module for the
//! list of names), as it also evaluates ordinary JSONPath columns.

use super::types::{PrinterColumn, ResourceType};

/// The verbs a normal resource advertises in discovery.
pub const STANDARD_VERBS: &[&str] = &[
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// (name, type, jsonPath or #computed, priority)
type Col = (&'static str, &'static str, &'static str, i32);

struct Spec {
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    short: &'static [&'static str],
    categories: &'static [&'static str],
    namespaced: bool,
    status: bool,
    columns: &'static [Col],
}

const NAME: Col = ("Name", "string", ".metadata.name", 0);
const AGE: Col = ("Age", "date", "#age", 0);
const CREATED_AT: Col = ("Created At", "date", "#created-at", 0);
const ALL: &[&str] = &["all"];
const NONE: &[&str] = &[];

#[rustfmt::skip]
const SPECS: &[Spec] = &[
    Spec { group: "", version: "v1", kind: "Namespace", plural: "namespaces", short: &["ns"], categories: NONE, namespaced: false, status: true,
        columns: &[NAME, ("Status", "string", ".status.phase", 0), AGE] },
    Spec { group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", short: &["cm"], categories: NONE, namespaced: true, status: false,
        columns: &[NAME, ("Data", "string", "#data-count", 0), AGE] },
    Spec { group: "", version: "v1", kind: "Secret", plural: "secrets", short: &[], categories: NONE, namespaced: true, status: false,
        columns: &[NAME, ("Type", "string", ".type", 0), ("Data", "string", "#data-count", 0), AGE] },
    Spec { group: "", version: "v1", kind: "Service", plural: "services", short: &["svc"], categories: ALL, namespaced: true, status: true,
        columns: &[NAME, ("Type", "string", ".spec.type", 0), ("Cluster-IP", "string", "#svc-cluster-ip", 0),
            ("External-IP", "string", "#svc-external-ip", 0), ("Port(s)", "string", "#svc-ports", 0), AGE,
            ("Selector", "string", "#svc-selector", 1)] },
    Spec { group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts", short: &["sa"], categories: NONE, namespaced: true, status: false,
        columns: &[NAME, ("Secrets", "string", "#secrets-count", 0), AGE] },
    Spec { group: "", version: "v1", kind: "Endpoints", plural: "endpoints", short: &["ep"], categories: NONE, namespaced: true, status: false,
        columns: &[NAME, ("Endpoints", "string", "#endpoints", 0), AGE] },
    Spec { group: "", version: "v1", kind: "Event", plural: "events", short: &["ev"], categories: NONE, namespaced: true, status: false,
        columns: EVENT_COLUMNS },
    Spec { group: "events.k8s.io", version: "v1", kind: "Event", plural: "events", short: &["ev"], categories: NONE, namespaced: true, status: false,
        columns: EVENT_COLUMNS },
    Spec { group: "", version: "v1", kind: "Pod", plural: "pods", short: &["po"], categories: ALL, namespaced: true, status: true,
        columns: &[NAME, ("Ready", "string", "#pod-ready", 0), ("Status", "string", "#pod-status", 0),
            ("Restarts", "string", "#pod-restarts", 0), AGE, ("IP", "string", ".status.podIP", 1),
            ("Node", "string", ".spec.nodeName", 1), ("Nominated Node", "string", ".status.nominatedNodeName", 1),
            ("Readiness Gates", "string", "#pod-readiness-gates", 1)] },
    Spec { group: "", version: "v1", kind: "ResourceQuota", plural: "resourcequotas", short: &["quota"], categories: NONE, namespaced: true, status: true,
        columns: &[NAME, AGE] },
    Spec { group: "", version: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims", short: &["pvc"], categories: NONE, namespaced: true, status: true,
        columns: &[NAME, ("Status", "string", ".status.phase", 0), ("Volume", "string", ".spec.volumeName", 0),
            ("Capacity", "string", ".status.capacity.storage", 0), ("Access Modes", "string", "#access-modes", 0),
            ("StorageClass", "string", ".spec.storageClassName", 0), ("VolumeAttributesClass", "string", "#vac-name", 0),
            AGE, ("VolumeMode", "string", ".spec.volumeMode", 1)] },
    Spec { group: "", version: "v1", kind: "PersistentVolume", plural: "persistentvolumes", short: &["pv"], categories: NONE, namespaced: false, status: true,
        columns: &[NAME, ("Capacity", "string", ".spec.capacity.storage", 0), ("Access Modes", "string", "#access-modes", 0),
            ("Reclaim Policy", "string", ".spec.persistentVolumeReclaimPolicy", 0), ("Status", "string", ".status.phase", 0),
            ("Claim", "string", "#pv-claim", 0), ("StorageClass", "string", ".spec.storageClassName", 0),
            ("VolumeAttributesClass", "string", "#vac-name", 0), ("Reason", "string", ".status.reason", 0), AGE,
            ("VolumeMode", "string", ".spec.volumeMode", 1)] },
    Spec { group: "", version: "v1", kind: "Node", plural: "nodes", short: &["no"], categories: NONE, namespaced: false, status: true,
        columns: &[NAME, ("Status", "string", "#node-status", 0), ("Roles", "string", "#node-roles", 0), AGE,
            ("Version", "string", ".status.nodeInfo.kubeletVersion", 0)] },
    Spec { group: "apps", version: "v1", kind: "Deployment", plural: "deployments", short: &["deploy"], categories: ALL, namespaced: true, status: true,
        columns: &[NAME, ("Ready", "string", "#ready-replicas", 0), ("Up-to-date", "integer", "#updated-replicas", 0),
            ("Available", "integer", "#available-replicas", 0), AGE, ("Containers", "string", "#containers", 1),
            ("Images", "string", "#images", 1), ("Selector", "string", "#label-selector", 1)] },
    Spec { group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", short: &["sts"], categories: ALL, namespaced: true, status: true,
        columns: &[NAME, ("Ready", "string", "#ready-replicas", 0), AGE, ("Containers", "string", "#containers", 1),
            ("Images", "string", "#images", 1)] },
    Spec { group: "apps", version: "v1", kind: "DaemonSet", plural: "daemonsets", short: &["ds"], categories: ALL, namespaced: true, status: true,
        columns: &[NAME, ("Desired", "integer", "#ds-desired", 0), ("Current", "integer", "#ds-current", 0),
            ("Ready", "integer", "#ds-ready", 0), ("Up-to-date", "integer", "#ds-updated", 0),
            ("Available", "integer", "#ds-available", 0), ("Node Selector", "string", "#node-selector", 0), AGE,
            ("Containers", "string", "#containers", 1), ("Images", "string", "#images", 1), ("Selector", "string", "#label-selector", 1)] },
    Spec { group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", short: &["rs"], categories: ALL, namespaced: true, status: true,
        columns: &[NAME, ("Desired", "integer", "#rs-desired", 0), ("Current", "integer", "#rs-current", 0),
            ("Ready", "integer", "#rs-ready", 0), AGE, ("Containers", "string", "#containers", 1),
            ("Images", "string", "#images", 1), ("Selector", "string", "#label-selector", 1)] },
    Spec { group: "batch", version: "v1", kind: "Job", plural: "jobs", short: &[], categories: ALL, namespaced: true, status: true,
        columns: &[NAME, ("Status", "string", "#job-status", 0), ("Completions", "string", "#job-completions", 0),
            ("Duration", "string", "#job-duration", 0), AGE, ("Containers", "string", "#containers", 1),
            ("Images", "string", "#images", 1), ("Selector", "string", "#label-selector", 1)] },
    Spec { group: "batch", version: "v1", kind: "CronJob", plural: "cronjobs", short: &["cj"], categories: ALL, namespaced: true, status: true,
        columns: &[NAME, ("Schedule", "string", ".spec.schedule", 0), ("Timezone", "string", "#cronjob-timezone", 0),
            ("Suspend", "boolean", "#cronjob-suspend", 0), ("Active", "integer", "#cronjob-active", 0),
            ("Last Schedule", "string", "#cronjob-last-schedule", 0), AGE, ("Containers", "string", "#containers", 1),
            ("Images", "string", "#images", 1), ("Selector", "string", "#label-selector", 1)] },
    Spec { group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses", short: &["ing"], categories: NONE, namespaced: true, status: true,
        columns: &[NAME, ("Class", "string", "#ing-class", 0), ("Hosts", "string", "#ing-hosts", 0),
            ("Address", "string", "#ing-address", 0), ("Ports", "string", "#ing-ports", 0), AGE] },
    Spec { group: "networking.k8s.io", version: "v1", kind: "IngressClass", plural: "ingressclasses", short: &[], categories: NONE, namespaced: false, status: false,
        columns: &[NAME, ("Controller", "string", ".spec.controller", 0), ("Parameters", "string", "#ingclass-parameters", 0), AGE] },
    Spec { group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy", plural: "networkpolicies", short: &["netpol"], categories: NONE, namespaced: true, status: false,
        columns: &[NAME, ("Pod-Selector", "string", "#netpol-pod-selector", 0), AGE] },
    Spec { group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles", short: &[], categories: NONE, namespaced: true, status: false,
        columns: &[NAME, CREATED_AT] },
    Spec { group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding", plural: "rolebindings", short: &[], categories: NONE, namespaced: true, status: false,
        columns: BINDING_COLUMNS },
    Spec { group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole", plural: "clusterroles", short: &[], categories: NONE, namespaced: false, status: false,
        columns: &[NAME, CREATED_AT] },
    Spec { group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding", plural: "clusterrolebindings", short: &[], categories: NONE, namespaced: false, status: false,
        columns: BINDING_COLUMNS },
    Spec { group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition", plural: "customresourcedefinitions", short: &["crd", "crds"], categories: NONE, namespaced: false, status: true,
        columns: &[NAME, CREATED_AT] },
    Spec { group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview", plural: "selfsubjectaccessreviews", short: &[], categories: NONE, namespaced: false, status: false,
        columns: &[] },
    Spec { group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", short: &[], categories: NONE, namespaced: true, status: false,
        columns: &[NAME, ("Holder", "string", ".spec.holderIdentity", 0), AGE] },
    Spec { group: "policy", version: "v1", kind: "PodDisruptionBudget", plural: "poddisruptionbudgets", short: &["pdb"], categories: NONE, namespaced: true, status: true,
        columns: &[NAME, ("Min Available", "string", "#pdb-min-available", 0), ("Max Unavailable", "string", "#pdb-max-unavailable", 0),
            ("Allowed Disruptions", "integer", "#pdb-allowed", 0), AGE] },
    Spec { group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler", plural: "horizontalpodautoscalers", short: &["hpa"], categories: ALL, namespaced: true, status: true,
        columns: &[NAME, ("Reference", "string", "#hpa-reference", 0), ("Targets", "string", "#hpa-targets", 0),
            ("MinPods", "string", "#hpa-min", 0), ("MaxPods", "string", ".spec.maxReplicas", 0),
            ("Replicas", "string", "#hpa-replicas", 0), AGE] },
    Spec { group: "storage.k8s.io", version: "v1", kind: "StorageClass", plural: "storageclasses", short: &["sc"], categories: NONE, namespaced: false, status: false,
        columns: &[("Name", "string", "#storageclass-name", 0), ("Provisioner", "string", ".provisioner", 0),
            ("ReclaimPolicy", "string", "#sc-reclaim-policy", 0), ("VolumeBindingMode", "string", "#sc-binding-mode", 0),
            ("AllowVolumeExpansion", "string", "#sc-allow-expansion", 0), AGE] },
    Spec { group: "scheduling.k8s.io", version: "v1", kind: "PriorityClass", plural: "priorityclasses", short: &["pc"], categories: NONE, namespaced: false, status: false,
        columns: &[NAME, ("Value", "integer", ".value", 0), ("Global-Default", "boolean", "#pc-global-default", 0), AGE,
            ("PreemptionPolicy", "string", "#pc-preemption", 0)] },
    Spec { group: "admissionregistration.k8s.io", version: "v1", kind: "ValidatingWebhookConfiguration", plural: "validatingwebhookconfigurations", short: &[], categories: NONE, namespaced: false, status: false,
        columns: &[NAME, ("Webhooks", "integer", "#webhooks-count", 0), AGE] },
    Spec { group: "admissionregistration.k8s.io", version: "v1", kind: "MutatingWebhookConfiguration", plural: "mutatingwebhookconfigurations", short: &[], categories: NONE, namespaced: false, status: false,
        columns: &[NAME, ("Webhooks", "integer", "#webhooks-count", 0), AGE] },
];

#[rustfmt::skip]
const EVENT_COLUMNS: &[Col] = &[
    ("Last Seen", "string", "#event-last-seen", 0), ("Type", "string", ".type", 0), ("Reason", "string", ".reason", 0),
    ("Object", "string", "#event-object", 0), ("Subobject", "string", ".involvedObject.fieldPath", 1),
    ("Source", "string", "#event-source", 1), ("Message", "string", ".message", 0),
    ("First Seen", "string", "#event-first-seen", 1), ("Count", "string", "#event-count", 1), ("Name", "string", ".metadata.name", 1),
];

#[rustfmt::skip]
const BINDING_COLUMNS: &[Col] = &[
    NAME, ("Role", "string", "#binding-role", 0), AGE, ("Users", "string", "#binding-users", 1),
    ("Groups", "string", "#binding-groups", 1), ("ServiceAccounts", "string", "#binding-serviceaccounts", 1),
];

fn description(name: &str) -> String {
    match name {
        "Name" => "Name must be unique within a namespace.".to_string(),
        "Age" => "CreationTimestamp is a timestamp representing the server time when this object was created.".to_string(),
        other => other.to_string(),
    }
}

/// Every built-in resource type, in a stable order.
pub fn builtin_types() -> Vec<ResourceType> {
    SPECS.iter().map(to_resource_type).collect()
}

fn to_resource_type(s: &Spec) -> ResourceType {
    let verbs: Vec<String> = if s.kind == "SelfSubjectAccessReview" {
        vec!["create".to_string()]
    } else {
        STANDARD_VERBS.iter().map(|v| v.to_string()).collect()
    };
    ResourceType {
        group: s.group.to_string(),
        version: s.version.to_string(),
        kind: s.kind.to_string(),
        plural: s.plural.to_string(),
        singular: s.kind.to_lowercase(),
        short_names: s.short.iter().map(|x| x.to_string()).collect(),
        categories: s.categories.iter().map(|x| x.to_string()).collect(),
        namespaced: s.namespaced,
        status_subresource: s.status,
        printer_columns: s
            .columns
            .iter()
            .map(|(name, type_, path, priority)| PrinterColumn {
                name: name.to_string(),
                type_: type_.to_string(),
                format: if *name == "Name" {
                    Some("name".to_string())
                } else {
                    None
                },
                description: description(name),
                json_path: path.to_string(),
                priority: *priority,
            })
            .collect(),
        schema: None,
        storage_version: true,
        verbs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_group_version() {
        let types = builtin_types();
        let mut seen = std::collections::HashSet::new();
        for t in &types {
            assert!(
                seen.insert((t.group.clone(), t.version.clone(), t.plural.clone())),
                "{} twice",
                t.plural
            );
        }
        assert!(types.len() >= 33);
    }

    #[test]
    fn short_names_and_categories_match_kube() {
        let types = builtin_types();
        let by = |k: &str| {
            types
                .iter()
                .find(|t| t.kind == k)
                .unwrap_or_else(|| panic!("{k} missing"))
        };
        assert_eq!(by("ConfigMap").short_names, ["cm"]);
        assert_eq!(by("Deployment").short_names, ["deploy"]);
        assert_eq!(by("CustomResourceDefinition").short_names, ["crd", "crds"]);
        assert!(by("Pod").categories.contains(&"all".to_string()));
        assert!(by("ConfigMap").categories.is_empty());
        assert!(!by("Namespace").namespaced);
        assert!(by("Deployment").status_subresource && !by("ConfigMap").status_subresource);
        assert_eq!(by("SelfSubjectAccessReview").verbs, ["create"]);
        let cm_cols: Vec<_> = by("ConfigMap")
            .printer_columns
            .iter()
            .map(|c| c.name.clone())
            .collect();
        assert_eq!(cm_cols, ["Name", "Data", "Age"]);
    }
}
