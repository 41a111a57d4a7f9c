//! Pure readings of a Kustomization's spec (SPEC §6.1, §6.9): timeouts, retry interval,
//! source and dependency references, and ordering of objects for apply and prune (§6.7).

use std::time::Duration;

use serde_json::Value;

use crate::controllers::runtime::schedule;

pub const GROUP: &str = "kustomize.toolkit.fluxcd.io";
pub const NAME_LABEL: &str = "kustomize.toolkit.fluxcd.io/name";
pub const NAMESPACE_LABEL: &str = "kustomize.toolkit.fluxcd.io/namespace";
/// `--requeue-dependency` default.
pub const DEPENDENCY_REQUEUE: Duration = Duration::from_secs(30);

pub fn interval(obj: &Value) -> Duration {
    schedule::spec_duration(obj, "interval", Duration::from_secs(600))
        .unwrap_or(Duration::from_secs(600))
}

/// `GetTimeout()`: spec.timeout, else interval − 30s; never below 30s.
pub fn timeout(obj: &Value) -> Duration {
    let floor = Duration::from_secs(30);
    let t = schedule::spec_duration(obj, "timeout", Duration::ZERO).unwrap_or(Duration::ZERO);
    let t = if t.is_zero() {
        interval(obj).saturating_sub(floor)
    } else {
        t
    };
    t.max(floor)
}

/// `GetRetryInterval()`: spec.retryInterval, else interval.
pub fn retry_interval(obj: &Value) -> Duration {
    schedule::spec_duration(obj, "retryInterval", interval(obj)).unwrap_or_else(|_| interval(obj))
}

fn s<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// A reference to another object: kind, namespace, name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ref {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for Ref {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

pub fn own_namespace(obj: &Value) -> String {
    s(obj, "/metadata/namespace")
        .unwrap_or("default")
        .to_string()
}

/// `spec.sourceRef` with the namespace defaulted to the Kustomization's.
pub fn source_ref(obj: &Value) -> Option<Ref> {
    Some(Ref {
        kind: s(obj, "/spec/sourceRef/kind")?.to_string(),
        namespace: s(obj, "/spec/sourceRef/namespace")
            .map(str::to_string)
            .unwrap_or_else(|| own_namespace(obj)),
        name: s(obj, "/spec/sourceRef/name")?.to_string(),
    })
}

/// `spec.dependsOn` entries as (namespace, name).
pub fn depends_on(obj: &Value) -> Vec<(String, String)> {
    obj.pointer("/spec/dependsOn")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|d| {
            let name = d.get("name")?.as_str()?.to_string();
            let ns = d
                .get("namespace")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .map(str::to_string)
                .unwrap_or_else(|| own_namespace(obj));
            Some((ns, name))
        })
        .collect()
}

/// Why a dependency is not usable yet (SPEC §6.6), or None when it is.
pub fn dependency_problem(
    dep: &Value,
    dep_id: &str,
    own_source: Option<&Ref>,
    own_revision: &str,
) -> Option<String> {
    let generation = dep.pointer("/metadata/generation").and_then(Value::as_i64);
    let observed = dep
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    let has_conditions = dep
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|c| !c.is_empty());
    let ready = crate::controllers::runtime::conditions::is_true(
        dep.get("status").unwrap_or(&Value::Null),
        "Ready",
    );
    if !has_conditions || generation != observed || !ready {
        return Some(format!("dependency '{dep_id}' is not ready"));
    }
    if let Some(src) = own_source
        && source_ref(dep).as_ref() == Some(src)
        && s(dep, "/status/lastAppliedRevision") != Some(own_revision)
    {
        return Some(format!("dependency '{dep_id}' revision is not up to date"));
    }
    None
}

/// Kinds applied first, in rank order (`ssa/sort.go`).
const FIRST: &[&str] = &[
    "CustomResourceDefinition",
    "Namespace",
    "ClusterRole",
    "ClusterClass",
    "RuntimeClass",
    "PriorityClass",
    "StorageClass",
    "VolumeSnapshotClass",
    "IngressClass",
    "GatewayClass",
    "ClusterRoleBinding",
    "ResourceQuota",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "Service",
    "LimitRange",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

fn group_of(obj: &Value) -> &str {
    obj.get("apiVersion")
        .and_then(Value::as_str)
        .and_then(|a| a.rsplit_once('/').map(|(g, _)| g))
        .unwrap_or("")
}

/// Sort key for apply order: first kinds by rank, then others by group and kind, then last
/// kinds; ties by namespace and name.
pub fn apply_order_key(obj: &Value) -> (u8, usize, String, String, String, String) {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let ns = s(obj, "/metadata/namespace").unwrap_or("").to_string();
    let name = s(obj, "/metadata/name").unwrap_or("").to_string();
    if let Some(i) = FIRST.iter().position(|k| *k == kind) {
        return (0, i, String::new(), String::new(), ns, name);
    }
    if let Some(i) = LAST.iter().position(|k| *k == kind) {
        return (2, i, String::new(), String::new(), ns, name);
    }
    (1, 0, group_of(obj).to_string(), kind.to_string(), ns, name)
}

/// The SSA stage of an object: 0 = CRDs/Namespaces/ClusterRoles, 1 = `*Class`, 2 = rest.
pub fn stage(obj: &Value) -> usize {
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    let group = group_of(obj);
    match (group, kind) {
        ("apiextensions.k8s.io", "CustomResourceDefinition")
        | ("", "Namespace")
        | ("rbac.authorization.k8s.io", "ClusterRole") => 0,
        (_, k) if k.ends_with("Class") => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timeout_and_retry_defaults() {
        let o = json!({"spec": {"interval": "10m"}});
        assert_eq!(timeout(&o), Duration::from_secs(570));
        assert_eq!(retry_interval(&o), Duration::from_secs(600));
        let short = json!({"spec": {"interval": "40s", "retryInterval": "1m"}});
        assert_eq!(timeout(&short), Duration::from_secs(30));
        assert_eq!(retry_interval(&short), Duration::from_secs(60));
        let explicit = json!({"spec": {"interval": "1h", "timeout": "2m"}});
        assert_eq!(timeout(&explicit), Duration::from_secs(120));
    }

    #[test]
    fn dependencies_need_ready_latest_generation_and_same_revision() {
        let src = Ref {
            kind: "GitRepository".into(),
            namespace: "flux-system".into(),
            name: "repo".into(),
        };
        let dep = json!({
            "metadata": {"namespace": "flux-system", "generation": 2},
            "spec": {"sourceRef": {"kind": "GitRepository", "name": "repo"}},
            "status": {"observedGeneration": 2, "lastAppliedRevision": "main@sha1:a",
                       "conditions": [{"type": "Ready", "status": "True"}]}
        });
        assert_eq!(
            dependency_problem(&dep, "flux-system/d", Some(&src), "main@sha1:a"),
            None
        );
        assert_eq!(
            dependency_problem(&dep, "flux-system/d", Some(&src), "main@sha1:b").unwrap(),
            "dependency 'flux-system/d' revision is not up to date"
        );
        let mut stale = dep.clone();
        stale["metadata"]["generation"] = json!(3);
        assert!(
            dependency_problem(&stale, "x/d", None, "")
                .unwrap()
                .ends_with("is not ready")
        );
    }

    #[test]
    fn order_and_stages_follow_flux() {
        let o = |api: &str, kind: &str, name: &str| json!({"apiVersion": api, "kind": kind, "metadata": {"name": name}});
        let mut objs = vec![
            o("apps/v1", "Deployment", "d"),
            o(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "w",
            ),
            o("example.com/v1", "Widget", "x"),
            o("v1", "Namespace", "n"),
            o("v1", "ConfigMap", "c"),
            o("apiextensions.k8s.io/v1", "CustomResourceDefinition", "crd"),
        ];
        objs.sort_by_key(apply_order_key);
        let kinds: Vec<&str> = objs.iter().map(|o| o["kind"].as_str().unwrap()).collect();
        assert_eq!(
            kinds,
            [
                "CustomResourceDefinition",
                "Namespace",
                "ConfigMap",
                "Deployment",
                "Widget",
                "ValidatingWebhookConfiguration"
            ]
        );
        assert_eq!(stage(&o("v1", "Namespace", "n")), 0);
        assert_eq!(stage(&o("networking.k8s.io/v1", "IngressClass", "i")), 1);
        assert_eq!(stage(&o("apps/v1", "Deployment", "d")), 2);
    }
}
