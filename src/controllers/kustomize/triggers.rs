//! Watch-driven triggers of Kustomizations (SPEC §6.10, §2.2):
//! - a source's artifact revision changed → the Kustomizations using it (skipping those that
//!   already attempted that revision and are Ready or Reconciling);
//! - a Kustomization became Ready → the Kustomizations that depend on it (Flux only polls every
//!   `--requeue-dependency`; reacting to the change makes dependency chains settle at once);
//! - a ConfigMap/Secret labelled `reconcile.fluxcd.io/watch: Enabled` changed → the
//!   Kustomizations referencing it (substituteFrom, decryption.secretRef, kubeConfig.secretRef).

use std::collections::HashMap;

use futures::StreamExt;
use kube::api::{Api, ApiResource, DynamicObject};
use kube::runtime::reflector::Store;
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;
use tokio::task::JoinHandle;

use super::spec::{self, Ref};
use super::{resource, source_resource};
use crate::controllers::runtime::{Running, Trigger, conditions, schedule};

pub const WATCH_LABEL: &str = "reconcile.fluxcd.io/watch=Enabled";

/// Cached Kustomizations as JSON, converting only those `keep` selects (cheap pre-filter on
/// the spec, so a status change in a large fleet does not serialise every object).
pub(crate) fn values(reader: &Store<DynamicObject>, keep: impl Fn(&Value) -> bool) -> Vec<Value> {
    reader
        .state()
        .iter()
        .filter(|o| keep(o.data.get("spec").unwrap_or(&Value::Null)))
        .filter_map(|o| serde_json::to_value(o.as_ref()).ok())
        .collect()
}

pub(crate) fn id(o: &Value) -> (String, String) {
    let s = |p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (s("/metadata/namespace"), s("/metadata/name"))
}

/// Kustomizations to requeue for a new source revision (pure).
pub fn for_source(kustomizations: &[Value], source: &Ref, revision: &str) -> Vec<(String, String)> {
    kustomizations
        .iter()
        .filter(|k| spec::source_ref(k).as_ref() == Some(source))
        .filter(|k| {
            let st = k.get("status").unwrap_or(&Value::Null);
            let attempted =
                st.get("lastAttemptedRevision").and_then(Value::as_str) == Some(revision);
            let settled =
                conditions::is_true(st, "Ready") || conditions::is_true(st, "Reconciling");
            !(attempted && settled)
        })
        .map(id)
        .collect()
}

/// Kustomizations depending on `dep` (pure).
pub fn dependents(kustomizations: &[Value], dep: &(String, String)) -> Vec<(String, String)> {
    kustomizations
        .iter()
        .filter(|k| spec::depends_on(k).iter().any(|d| d == dep))
        .map(id)
        .collect()
}

/// Kustomizations that read the ConfigMap/Secret `kind`/`ns`/`name` (pure).
pub fn referencing(
    kustomizations: &[Value],
    kind: &str,
    ns: &str,
    name: &str,
) -> Vec<(String, String)> {
    kustomizations
        .iter()
        .filter(|k| spec::own_namespace(k) == ns)
        .filter(|k| {
            let from = k
                .pointer("/spec/postBuild/substituteFrom")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .any(|r| r["kind"] == kind && r["name"] == name);
            let decryption = kind == "Secret"
                && k.pointer("/spec/decryption/secretRef/name")
                    .and_then(Value::as_str)
                    == Some(name);
            let kube_config = kind == "Secret"
                && k.pointer("/spec/kubeConfig/secretRef/name")
                    .and_then(Value::as_str)
                    == Some(name);
            from || decryption || kube_config
        })
        .map(id)
        .collect()
}

fn fire(trigger: &Trigger, targets: Vec<(String, String)>) {
    for (ns, name) in targets {
        trigger.reconcile(Some(&ns), &name);
    }
}

/// When a watch reports an object it has not seen before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FirstSight {
    /// Only later changes count (a ConfigMap existing is not news).
    Ignore,
    /// A first sight that already has a fingerprint counts as a change: the watch may start
    /// after a source got its artifact, and that change must not be lost, or the
    /// Kustomizations that found no artifact wait a full `--requeue-dependency` (30 s).
    Fire,
}

/// Run `on_change` for every object of `ar` whose fingerprint changed. The fingerprint reads
/// the typed object; only a change is converted to JSON (a status write of any of a thousand
/// Kustomizations used to be, twice).
pub(crate) fn watch_changes(
    client: &kube::Client,
    ar: ApiResource,
    labels: Option<&str>,
    fingerprint: fn(&DynamicObject) -> Option<String>,
    first: FirstSight,
    on_change: impl Fn(&Value) + Send + 'static,
) -> JoinHandle<()> {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), &ar);
    let mut config = watcher::Config::default();
    if let Some(l) = labels {
        config = config.labels(l);
    }
    tokio::spawn(async move {
        let mut seen: HashMap<(String, String), Option<String>> = HashMap::new();
        let stream = watcher(api, config).default_backoff().applied_objects();
        futures::pin_mut!(stream);
        while let Some(item) = stream.next().await {
            let Ok(obj) = item else { continue };
            let fp = fingerprint(&obj);
            let key = (
                obj.metadata.namespace.clone().unwrap_or_default(),
                obj.metadata.name.clone().unwrap_or_default(),
            );
            let previous = seen.insert(key, fp.clone());
            let changed = match previous {
                Some(before) => before != fp,
                None => first == FirstSight::Fire && fp.is_some(),
            };
            if changed && let Ok(v) = serde_json::to_value(&obj) {
                on_change(&v);
            }
        }
    })
}

// `data` is the object minus apiVersion, kind and metadata: `/status/...` reads the same.
pub(crate) fn revision_fp(o: &DynamicObject) -> Option<String> {
    schedule::artifact_revision(&o.data).map(str::to_string)
}

fn ready_fp(o: &DynamicObject) -> Option<String> {
    let st = o.data.get("status")?;
    Some(format!(
        "{}/{}/{}",
        conditions::is_true(st, "Ready"),
        st.get("observedGeneration")
            .and_then(Value::as_i64)
            .unwrap_or(0),
        st.get("lastAppliedRevision")
            .and_then(Value::as_str)
            .unwrap_or("")
    ))
}

fn version_fp(o: &DynamicObject) -> Option<String> {
    o.metadata.resource_version.clone()
}

pub fn spawn_all(client: &kube::Client, running: &Running) -> Vec<JoinHandle<()>> {
    let mut tasks = Vec::new();
    for kind in [
        "GitRepository",
        "OCIRepository",
        "Bucket",
        "ExternalArtifact",
    ] {
        let Some(ar) = source_resource(kind) else {
            continue;
        };
        let (reader, trigger) = (running.reader.clone(), running.trigger.clone());
        tasks.push(watch_changes(
            client,
            ar,
            None,
            revision_fp,
            FirstSight::Fire,
            move |src| {
                let Some(rev) = schedule::artifact_revision(src) else {
                    return;
                };
                let (ns, name) = id(src);
                let r = Ref {
                    kind: kind.to_string(),
                    namespace: ns,
                    name,
                };
                let uses = |spec: &Value| {
                    spec.pointer("/sourceRef/name").and_then(Value::as_str) == Some(r.name.as_str())
                };
                fire(&trigger, for_source(&values(&reader, uses), &r, rev));
            },
        ));
    }
    let (reader, trigger) = (running.reader.clone(), running.trigger.clone());
    tasks.push(watch_changes(
        client,
        resource(),
        None,
        // Not on first sight: at start-up every Ready Kustomization would re-scan all
        // dependents (quadratic in a large fleet), and all of them are reconciled then anyway.
        ready_fp,
        FirstSight::Ignore,
        move |ks| {
            if conditions::is_true(ks.get("status").unwrap_or(&Value::Null), "Ready") {
                let has_deps = |spec: &Value| spec.get("dependsOn").is_some();
                fire(&trigger, dependents(&values(&reader, has_deps), &id(ks)));
            }
        },
    ));
    for (kind, plural) in [("ConfigMap", "configmaps"), ("Secret", "secrets")] {
        let ar = ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: kind.into(),
            plural: plural.into(),
        };
        let (reader, trigger) = (running.reader.clone(), running.trigger.clone());
        tasks.push(watch_changes(
            client,
            ar,
            Some(WATCH_LABEL),
            version_fp,
            FirstSight::Ignore,
            move |o| {
                let (ns, name) = id(o);
                let reads = |spec: &Value| {
                    spec.get("postBuild").is_some()
                        || spec.get("decryption").is_some()
                        || spec.get("kubeConfig").is_some()
                };
                fire(
                    &trigger,
                    referencing(&values(&reader, reads), kind, &ns, &name),
                );
            },
        ));
    }
    tasks
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ks(name: &str, extra: Value) -> Value {
        let mut k = json!({"metadata": {"name": name, "namespace": "flux-system"},
            "spec": {"sourceRef": {"kind": "GitRepository", "name": "repo"}}});
        for (key, v) in extra.as_object().unwrap() {
            k[key] = v.clone();
        }
        k
    }

    #[test]
    fn source_changes_skip_settled_kustomizations() {
        let r = Ref {
            kind: "GitRepository".into(),
            namespace: "flux-system".into(),
            name: "repo".into(),
        };
        let settled = ks(
            "a",
            json!({"status": {"lastAttemptedRevision": "r2",
            "conditions": [{"type": "Ready", "status": "True"}]}}),
        );
        let behind = ks("b", json!({"status": {"lastAttemptedRevision": "r1"}}));
        let other = json!({"metadata": {"name": "c", "namespace": "flux-system"},
            "spec": {"sourceRef": {"kind": "GitRepository", "name": "other"}}});
        let got = for_source(&[settled, behind, other], &r, "r2");
        assert_eq!(got, vec![("flux-system".to_string(), "b".to_string())]);
    }

    #[test]
    fn dependents_and_config_references() {
        let apps = ks(
            "apps",
            json!({"spec": {"dependsOn": [{"name": "infra"}],
            "postBuild": {"substituteFrom": [{"kind": "ConfigMap", "name": "vars"}]}}}),
        );
        let infra = ks("infra", json!({}));
        let all = [apps, infra];
        assert_eq!(
            dependents(&all, &("flux-system".into(), "infra".into())).len(),
            1
        );
        assert_eq!(
            referencing(&all, "ConfigMap", "flux-system", "vars").len(),
            1
        );
        assert!(referencing(&all, "Secret", "flux-system", "vars").is_empty());
        let remote = ks(
            "remote",
            json!({"spec": {"kubeConfig": {"secretRef": {"name": "cluster-b"}}}}),
        );
        assert_eq!(
            referencing(&[remote], "Secret", "flux-system", "cluster-b"),
            [("flux-system".to_string(), "remote".to_string())]
        );
    }
}
