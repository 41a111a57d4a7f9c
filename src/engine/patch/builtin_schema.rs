//! patchStrategy/patchMergeKey (strategic merge) and x-kubernetes-list-type/-map-keys
//! (server-side apply) of the built-in Kubernetes kinds.
//!
//! k8s-openapi does not expose these struct tags, so the table is transcribed from the
//! Kubernetes API types (k8s.io/api core/v1, apps/v1, batch/v1, ...): every list not listed
//! here has no patch strategy and is atomic, which is also what the API types say for e.g.
//! tolerations, envFrom, args, command, Endpoints subsets and RBAC rules/subjects.

use super::schema::{ListStrategy, MergeSchema, object_meta_list};
use std::collections::{HashMap, HashSet};

const SEP: char = '\u{1f}';

/// Schema knowledge for one built-in kind (see [`BuiltinSchema::for_kind`]).
#[derive(Debug, Clone, Default)]
pub struct BuiltinSchema {
    /// joined path → (strategic merge strategy, server-side apply strategy)
    lists: HashMap<String, (ListStrategy, ListStrategy)>,
    /// joined paths of maps/structs that are atomic for server-side apply
    atomic_maps: HashSet<String>,
}

fn join(path: &[&str]) -> String {
    let mut out = String::new();
    for (i, p) in path.iter().enumerate() {
        if i > 0 {
            out.push(SEP);
        }
        out.push_str(p);
    }
    out
}

impl BuiltinSchema {
    /// The table for `kind` in `api_version` (e.g. "apps/v1", "Deployment"). A kind the table
    /// does not know still gets the ObjectMeta lists (finalizers, ownerReferences).
    pub fn for_kind(api_version: &str, kind: &str) -> Self {
        let group = api_version.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
        let mut s = BuiltinSchema::default();
        let pod_template = |s: &mut BuiltinSchema, prefix: &[&str]| {
            s.object_meta(&[prefix, &["metadata"]].concat());
            s.pod_spec(&[prefix, &["spec"]].concat());
        };
        match (group, kind) {
            ("", "Pod") => {
                s.pod_spec(&["spec"]);
                s.conditions(&["status"]);
                s.both(&["status", "podIPs"], ListStrategy::map_by("ip"));
                s.smp_ssa(
                    &["status", "hostIPs"],
                    ListStrategy::map_by("ip"),
                    ListStrategy::Atomic,
                );
            }
            ("", "PodTemplate") => pod_template(&mut s, &["template"]),
            ("", "ReplicationController") => {
                pod_template(&mut s, &["spec", "template"]);
                s.conditions(&["status"]);
            }
            ("apps" | "extensions", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet") => {
                pod_template(&mut s, &["spec", "template"]);
                s.conditions(&["status"]);
                s.atomic_map(&["spec", "selector"]);
            }
            ("batch", "Job") => {
                pod_template(&mut s, &["spec", "template"]);
                s.smp_ssa(
                    &["status", "conditions"],
                    ListStrategy::map_by("type"),
                    ListStrategy::Atomic,
                );
                s.atomic_map(&["spec", "selector"]);
            }
            ("batch", "CronJob") => {
                s.object_meta(&["spec", "jobTemplate", "metadata"]);
                pod_template(&mut s, &["spec", "jobTemplate", "spec", "template"]);
                s.atomic_map(&["spec", "jobTemplate", "spec", "selector"]);
            }
            ("", "Service") => {
                let ssa_keys = ListStrategy::Map {
                    keys: vec!["port".into(), "protocol".into()],
                };
                s.smp_ssa(&["spec", "ports"], ListStrategy::map_by("port"), ssa_keys);
                s.atomic_map(&["spec", "selector"]);
                s.conditions(&["status"]);
            }
            ("", "ServiceAccount") => s.both(&["secrets"], ListStrategy::map_by("name")),
            ("", "Node") => {
                s.both(&["spec", "podCIDRs"], ListStrategy::Set);
                s.conditions(&["status"]);
                s.both(&["status", "addresses"], ListStrategy::map_by("type"));
            }
            (
                "admissionregistration.k8s.io",
                "MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration",
            ) => {
                s.both(&["webhooks"], ListStrategy::map_by("name"));
            }
            (
                ""
                | "autoscaling"
                | "policy"
                | "apiextensions.k8s.io"
                | "apiregistration.k8s.io"
                | "certificates.k8s.io"
                | "networking.k8s.io"
                | "storage.k8s.io",
                "Namespace"
                | "PersistentVolumeClaim"
                | "PersistentVolume"
                | "HorizontalPodAutoscaler"
                | "PodDisruptionBudget"
                | "CustomResourceDefinition"
                | "APIService"
                | "CertificateSigningRequest"
                | "Ingress"
                | "VolumeAttachment",
            ) => s.conditions(&["status"]),
            _ => {}
        }
        s
    }

    fn smp_ssa(&mut self, path: &[&str], smp: ListStrategy, ssa: ListStrategy) {
        self.lists.insert(join(path), (smp, ssa));
    }

    fn both(&mut self, path: &[&str], strategy: ListStrategy) {
        self.smp_ssa(path, strategy.clone(), strategy);
    }

    fn atomic_map(&mut self, path: &[&str]) {
        self.atomic_maps.insert(join(path));
    }

    fn conditions(&mut self, status: &[&str]) {
        self.both(
            &[status, &["conditions"]].concat(),
            ListStrategy::map_by("type"),
        );
    }

    fn object_meta(&mut self, meta: &[&str]) {
        for field in ["finalizers", "ownerReferences"] {
            if let Some(strategy) = object_meta_list(&[field]) {
                self.both(&[meta, &[field]].concat(), strategy);
            }
        }
    }

    /// core/v1 PodSpec.
    fn pod_spec(&mut self, spec: &[&str]) {
        let at = |field: &'static str| [spec, &[field]].concat();
        let by_name = ListStrategy::map_by("name");
        for field in ["containers", "initContainers", "ephemeralContainers"] {
            self.both(&at(field), by_name.clone());
            self.container(&at(field));
        }
        for field in [
            "volumes",
            "imagePullSecrets",
            "schedulingGates",
            "resourceClaims",
        ] {
            self.both(&at(field), by_name.clone());
        }
        self.both(&at("hostAliases"), ListStrategy::map_by("ip"));
        let spread_keys = vec!["topologyKey".to_string(), "whenUnsatisfiable".to_string()];
        self.smp_ssa(
            &at("topologySpreadConstraints"),
            ListStrategy::map_by("topologyKey"),
            ListStrategy::Map { keys: spread_keys },
        );
        self.atomic_map(&at("nodeSelector"));
    }

    /// core/v1 Container (and EphemeralContainerCommon, which has the same tags).
    fn container(&mut self, container: &[&str]) {
        let at = |rest: &[&'static str]| [container, rest].concat();
        let port_keys = vec!["containerPort".to_string(), "protocol".to_string()];
        self.smp_ssa(
            &at(&["ports"]),
            ListStrategy::map_by("containerPort"),
            ListStrategy::Map { keys: port_keys },
        );
        self.both(&at(&["env"]), ListStrategy::map_by("name"));
        self.both(&at(&["volumeMounts"]), ListStrategy::map_by("mountPath"));
        self.both(&at(&["volumeDevices"]), ListStrategy::map_by("devicePath"));
        self.smp_ssa(
            &at(&["resources", "claims"]),
            ListStrategy::Atomic,
            ListStrategy::map_by("name"),
        );
        for selector in [
            "configMapKeyRef",
            "secretKeyRef",
            "fieldRef",
            "resourceFieldRef",
        ] {
            self.atomic_map(&at(&["env", "valueFrom", selector]));
        }
    }

    fn lookup(&self, path: &[&str]) -> Option<&(ListStrategy, ListStrategy)> {
        self.lists.get(&join(path))
    }
}

impl MergeSchema for BuiltinSchema {
    fn list_strategy(&self, path: &[&str]) -> ListStrategy {
        if let Some((smp, _)) = self.lookup(path) {
            return smp.clone();
        }
        root_meta(path)
    }

    fn apply_list_strategy(&self, path: &[&str]) -> ListStrategy {
        if let Some((_, ssa)) = self.lookup(path) {
            return ssa.clone();
        }
        root_meta(path)
    }

    fn map_is_atomic(&self, path: &[&str]) -> bool {
        self.atomic_maps.contains(&join(path))
    }
}

fn root_meta(path: &[&str]) -> ListStrategy {
    match path {
        ["metadata", rest @ ..] => object_meta_list(rest).unwrap_or(ListStrategy::Atomic),
        _ => ListStrategy::Atomic,
    }
}
