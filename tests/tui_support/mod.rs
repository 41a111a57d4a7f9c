//! A small Flux fleet in the status shapes of SPEC.md (§2.1 conditions, §5 artifacts,
//! §6.2 Kustomization status, §7.2 HelmRelease status), with managed objects and Events.
//! The clock is pinned at NOW so ages in frames are stable.
#![allow(dead_code)]

use fluxdeck::config::{ColorMode, Keymap, Theme};
use fluxdeck::tui::backend::{ContextInfo, Mode, Snapshot, StoredObject, shared, stored};
use fluxdeck::tui::headless::FrameOptions;
use serde_json::{Value, json};
use std::sync::Arc;

pub const NOW: &str = "2026-01-01T12:00:00Z";
pub const SHA: &str = "67e2c98a60dc92283531412a9e604dd4bae005a9";

/// Change one of a snapshot's Flux objects (they are kept as text: parse, edit, store again).
pub fn edit(o: &mut Arc<StoredObject>, f: impl FnOnce(&mut Value)) {
    let mut v = o.value();
    f(&mut v);
    *o = Arc::new(StoredObject::from_value(&v));
}

pub fn now() -> jiff::Timestamp {
    NOW.parse().unwrap()
}

/// RFC 3339 time `mins` minutes before NOW.
pub fn ago(mins: i64) -> String {
    (now() - jiff::SignedDuration::from_mins(mins)).to_string()
}

pub fn cond(type_: &str, status: &str, reason: &str, message: &str, mins: i64) -> Value {
    json!({"type": type_, "status": status, "reason": reason, "message": message,
           "lastTransitionTime": ago(mins), "observedGeneration": 1})
}

fn meta(ns: &str, name: &str) -> Value {
    json!({"name": name, "namespace": ns, "generation": 1, "creationTimestamp": ago(600)})
}

pub fn git(ns: &str, name: &str, ready: Value, revision: Option<&str>) -> Value {
    let mut v = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": meta(ns, name),
        "spec": {"interval": "1m", "url": format!("https://github.com/acme/{name}"), "ref": {"branch": "main"}},
        "status": {"observedGeneration": 1, "conditions": [ready]}
    });
    if let Some(r) = revision {
        v["status"]["artifact"] = json!({"revision": r, "digest": "sha256:0c0ffee", "path": "x", "url": "x", "lastUpdateTime": ago(5)});
    }
    v
}

pub fn ks(ns: &str, name: &str, conds: Vec<Value>, depends: &[&str], inventory: &[&str]) -> Value {
    let mut v = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": meta(ns, name),
        "spec": {"interval": "10m", "path": format!("./{name}"), "prune": true,
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        "status": {"observedGeneration": 1, "conditions": conds,
                   "lastAppliedRevision": format!("main@sha1:{SHA}"),
                   "inventory": {"entries": inventory.iter().map(|id| json!({"id": id, "v": "v1"})).collect::<Vec<_>>()}}
    });
    if !depends.is_empty() {
        v["spec"]["dependsOn"] = json!(
            depends
                .iter()
                .map(|d| json!({"name": d}))
                .collect::<Vec<_>>()
        );
    }
    v
}

pub fn ready(msg: &str) -> Value {
    cond("Ready", "True", "ReconciliationSucceeded", msg, 30)
}

pub fn fleet() -> Snapshot {
    let applied = format!("Applied revision: main@sha1:{SHA}");
    let mut monitoring = ks("flux-system", "monitoring", vec![ready(&applied)], &[], &[]);
    monitoring["spec"]["suspend"] = json!(true);
    monitoring["metadata"]["annotations"] =
        json!({"fluxdeck.io/suspend-reason": "incident 4711: alert storm"});
    let mut tenants = ks(
        "flux-system",
        "tenants",
        vec![
            cond(
                "Reconciling",
                "True",
                "Progressing",
                "Reconciliation in progress",
                1,
            ),
            cond(
                "Ready",
                "Unknown",
                "Progressing",
                "Reconciliation in progress",
                1,
            ),
        ],
        &[],
        &[],
    );
    tenants["metadata"]["labels"] = json!({"team": "platform"});
    let hr = json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": meta("podinfo", "podinfo"),
        "spec": {"interval": "5m", "chart": {"spec": {"chart": "podinfo", "version": "6.x",
                 "sourceRef": {"kind": "HelmRepository", "name": "podinfo", "namespace": "flux-system"}}}},
        "status": {"observedGeneration": 1, "conditions": [cond("Ready", "True", "UpgradeSucceeded", "Helm upgrade succeeded for release podinfo/podinfo.v3 with chart podinfo@6.3.5", 20)],
                   "helmChart": "flux-system/podinfo-podinfo", "lastAttemptedRevision": "6.3.5",
                   "history": [
                       {"name": "podinfo", "namespace": "podinfo", "version": 3, "status": "deployed", "action": "upgrade", "chartName": "podinfo", "chartVersion": "6.3.5", "appVersion": "6.3.5", "lastDeployed": ago(20), "digest": "sha256:1", "configDigest": "sha256:2", "firstDeployed": ago(300)},
                       {"name": "podinfo", "namespace": "podinfo", "version": 2, "status": "superseded", "action": "upgrade", "chartName": "podinfo", "chartVersion": "6.3.4", "appVersion": "6.3.4", "lastDeployed": ago(200), "digest": "sha256:3", "configDigest": "sha256:4", "firstDeployed": ago(300)}
                   ],
                   "inventory": {"entries": [{"id": "podinfo_podinfo_apps_Deployment", "v": "v1"}, {"id": "podinfo_podinfo__Service", "v": "v1"}]}}
    });
    let helmrepo = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository", "metadata": meta("flux-system", "podinfo"),
        "spec": {"interval": "1h", "url": "https://stefanprodan.github.io/podinfo"},
        "status": {"observedGeneration": 1, "conditions": [cond("Ready", "True", "Succeeded", "stored artifact: revision 'sha256:8411f23d07d3701f0e96e7d9e503b7936d7e1d56'", 60)],
                   "artifact": {"revision": "sha256:8411f23d07d3701f0e96e7d9e503b7936d7e1d56", "digest": "sha256:1", "path": "x", "url": "x", "lastUpdateTime": ago(60)}}
    });
    let chart = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmChart", "metadata": meta("flux-system", "podinfo-podinfo"),
        "spec": {"interval": "5m", "chart": "podinfo", "version": "6.x", "sourceRef": {"kind": "HelmRepository", "name": "podinfo"}},
        "status": {"observedGeneration": 1, "conditions": [cond("Ready", "True", "ChartPullSucceeded", "pulled 'podinfo' chart with version '6.3.5'", 20)],
                   "artifact": {"revision": "6.3.5", "digest": "sha256:1", "path": "x", "url": "x", "lastUpdateTime": ago(20)}}
    });
    let imgrepo = json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository", "metadata": meta("flux-system", "podinfo"),
        "spec": {"interval": "5m", "image": "ghcr.io/stefanprodan/podinfo"},
        "status": {"observedGeneration": 1, "conditions": [cond("Ready", "True", "Succeeded", "successful scan: found 12 tags", 3)],
                   "lastScanResult": {"tagCount": 12, "scanTime": "2026-01-01T11:57:00Z"}}
    });
    let imgpol = json!({
        "apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImagePolicy", "metadata": meta("flux-system", "podinfo"),
        "spec": {"imageRepositoryRef": {"name": "podinfo"}, "policy": {"semver": {"range": "6.x"}}},
        "status": {"observedGeneration": 1, "conditions": [cond("Ready", "True", "Succeeded", "Latest image tag for ghcr.io/stefanprodan/podinfo resolved to 6.5.0", 3)],
                   "latestRef": {"name": "ghcr.io/stefanprodan/podinfo", "tag": "6.5.0"}}
    });
    let alert = json!({
        "apiVersion": "notification.toolkit.fluxcd.io/v1beta3", "kind": "Alert", "metadata": meta("flux-system", "slack"),
        "spec": {"providerRef": {"name": "slack"}, "eventSources": [{"kind": "Kustomization", "name": "*"}]}
    });
    let objects = vec![
        git(
            "flux-system",
            "flux-system",
            cond(
                "Ready",
                "True",
                "Succeeded",
                &format!("stored artifact for revision 'main@sha1:{SHA}'"),
                5,
            ),
            Some(&format!("main@sha1:{SHA}")),
        ),
        git(
            "flux-system",
            "apps-repo",
            cond(
                "Ready",
                "False",
                "GitOperationFailed",
                "failed to checkout and determine revision: unable to clone 'https://github.com/acme/apps-repo': authentication required",
                2,
            ),
            None,
        ),
        helmrepo,
        chart,
        ks(
            "flux-system",
            "flux-system",
            vec![ready(&applied)],
            &[],
            &[
                "_flux-system__Namespace",
                "flux-system_source-controller_apps_Deployment",
                "flux-system_infrastructure_kustomize.toolkit.fluxcd.io_Kustomization",
                "flux-system_apps_kustomize.toolkit.fluxcd.io_Kustomization",
                "flux-system_flux-system_source.toolkit.fluxcd.io_GitRepository",
            ],
        ),
        ks(
            "flux-system",
            "infrastructure",
            vec![ready(&applied)],
            &[],
            &[
                "_podinfo__Namespace",
                "podinfo_podinfo_helm.toolkit.fluxcd.io_HelmRelease",
            ],
        ),
        ks(
            "flux-system",
            "apps",
            vec![cond(
                "Ready",
                "False",
                "DependencyNotReady",
                "dependency 'flux-system/monitoring' is not ready",
                4,
            )],
            &["infrastructure", "monitoring"],
            &[],
        ),
        monitoring,
        tenants,
        ks(
            "flux-system",
            "cycle-a",
            vec![cond(
                "Ready",
                "False",
                "DependencyNotReady",
                "dependency 'flux-system/cycle-b' is not ready",
                9,
            )],
            &["cycle-b"],
            &[],
        ),
        ks(
            "flux-system",
            "cycle-b",
            vec![cond(
                "Ready",
                "False",
                "DependencyNotReady",
                "dependency 'flux-system/cycle-a' is not ready",
                9,
            )],
            &["cycle-a"],
            &[],
        ),
        hr,
        imgrepo,
        imgpol,
        alert,
    ];
    let managed = vec![
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "source-controller", "namespace": "flux-system", "generation": 1},
               "spec": {"replicas": 1}, "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "readyReplicas": 1, "availableReplicas": 1,
               "conditions": [{"type": "Available", "status": "True"}]}}),
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "podinfo", "namespace": "podinfo", "generation": 2,
               "labels": {"helm.toolkit.fluxcd.io/name": "podinfo", "helm.toolkit.fluxcd.io/namespace": "podinfo"}},
               "spec": {"replicas": 2}, "status": {"observedGeneration": 2, "replicas": 2, "updatedReplicas": 2, "readyReplicas": 1, "availableReplicas": 1}}),
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "podinfo", "namespace": "podinfo"}, "spec": {"type": "ClusterIP", "clusterIP": "10.0.0.1"}}),
    ];
    let ev = |kind: &str,
              ns: &str,
              name: &str,
              type_: &str,
              reason: &str,
              msg: &str,
              mins: i64,
              count: i64| {
        json!({"apiVersion": "v1", "kind": "Event", "metadata": {"name": format!("{name}.{mins}"), "namespace": ns},
               "involvedObject": {"kind": kind, "namespace": ns, "name": name}, "type": type_, "reason": reason,
               "message": msg, "lastTimestamp": ago(mins), "count": count,
               "source": {"component": "kustomize-controller"}})
    };
    let events = vec![
        ev(
            "Kustomization",
            "flux-system",
            "flux-system",
            "Normal",
            "ReconciliationSucceeded",
            "Reconciliation finished in 2.1s, next run in 10m0s",
            30,
            4,
        ),
        ev(
            "GitRepository",
            "flux-system",
            "flux-system",
            "Normal",
            "NewArtifact",
            &format!("stored artifact for commit 'Bump podinfo' main@sha1:{SHA}"),
            5,
            1,
        ),
        ev(
            "GitRepository",
            "flux-system",
            "apps-repo",
            "Warning",
            "GitOperationFailed",
            "failed to checkout and determine revision: unable to clone: authentication required",
            2,
            7,
        ),
        ev(
            "Kustomization",
            "flux-system",
            "apps",
            "Warning",
            "DependencyNotReady",
            "dependency 'flux-system/monitoring' is not ready",
            4,
            3,
        ),
        ev(
            "HelmRelease",
            "podinfo",
            "podinfo",
            "Normal",
            "UpgradeSucceeded",
            "Helm upgrade succeeded for release podinfo/podinfo.v3 with chart podinfo@6.3.5",
            20,
            1,
        ),
        ev(
            "HelmChart",
            "flux-system",
            "podinfo-podinfo",
            "Normal",
            "ChartPullSucceeded",
            "pulled 'podinfo' chart with version '6.3.5'",
            21,
            1,
        ),
        ev(
            "Kustomization",
            "flux-system",
            "tenants",
            "Normal",
            "Progressing",
            "Reconciliation in progress",
            1,
            1,
        ),
    ];
    Snapshot {
        objects: stored(&objects),
        managed: shared(managed),
        events: shared(events),
        context: ContextInfo {
            name: "kind-fleet".into(),
            namespace: None,
            mode: Mode::Cluster,
            read_only: false,
        },
        permissions: Default::default(),
        approvals: Vec::new(),
        sync: Default::default(),
        drift: Default::default(),
    }
}

/// The fleet with decisions waiting: two proposals (one blocked) and commits on a separate
/// push branch.
pub fn fleet_with_approvals() -> Snapshot {
    use fluxdeck::tui::backend::ObjectRef;
    use fluxdeck::tui::model::approvals::{Approval, ApprovalSource};
    let mut s = fleet();
    let diff = "--- a/apps/demo/kustomization.yaml\n+++ b/apps/demo/kustomization.yaml\n@@ -3,7 +3,7 @@\n resources:\n   - ../base/podinfo\n images:\n   - name: ghcr.io/stefanprodan/podinfo\n-    newTag: 6.7.0 # {\"$imagepolicy\": \"flux-system:podinfo:tag\"}\n+    newTag: 6.7.1 # {\"$imagepolicy\": \"flux-system:podinfo:tag\"}\n patches:\n";
    s.approvals = vec![
        Approval {
            automation: ObjectRef::new("ImageUpdateAutomation", "flux-system", "podinfo"),
            id: "3f9c2a71d0b4".into(),
            source: ApprovalSource::Proposal,
            policies: vec!["flux-system:podinfo".into()],
            files: vec!["apps/demo/kustomization.yaml".into()],
            images: vec![("6.7.0".into(), "6.7.1".into())],
            created: Some(ago(4)),
            message: "Update podinfo to 6.7.1\n\n- 6.7.0 -> 6.7.1".into(),
            diff: diff.into(),
            blocked: None,
            commits: vec![],
        },
        Approval {
            automation: ObjectRef::new("ImageUpdateAutomation", "shop", "checkout"),
            id: "a81e00c2f3d9".into(),
            source: ApprovalSource::Proposal,
            policies: vec!["shop:checkout".into()],
            files: vec!["apps/checkout/deploy.yaml".into()],
            images: vec![(
                "registry.acme.io/shop/checkout:2.3.0".into(),
                "registry.acme.io/shop/checkout:2.4.0".into(),
            )],
            created: Some(ago(95)),
            message: "Update from image update automation".into(),
            diff: "--- a/apps/checkout/deploy.yaml\n+++ b/apps/checkout/deploy.yaml\n@@ -1 +1 @@\n-image: registry.acme.io/shop/checkout:2.3.0\n+image: registry.acme.io/shop/checkout:2.4.0\n".into(),
            blocked: Some("proposal a81e00c2f3d9 no longer applies to the head of 'main'".into()),
            commits: vec![],
        },
        Approval {
            automation: ObjectRef::new("ImageUpdateAutomation", "flux-system", "staging"),
            id: SHA.into(),
            source: ApprovalSource::PushBranch {
                branch: "flux/image-updates".into(),
                into: "main".into(),
            },
            policies: vec!["flux-system:api".into()],
            files: vec!["apps/staging/api.yaml".into()],
            images: vec![("ghcr.io/acme/api:1.8.2".into(), "ghcr.io/acme/api:1.9.0".into())],
            created: Some(ago(30)),
            message: "Update api to 1.9.0".into(),
            diff: "--- a/apps/staging/api.yaml\n+++ b/apps/staging/api.yaml\n@@ -1 +1 @@\n-image: ghcr.io/acme/api:1.8.2\n+image: ghcr.io/acme/api:1.9.0\n".into(),
            blocked: None,
            commits: vec!["67e2c98 Update api to 1.9.0".into()],
        },
    ];
    s
}

/// Frame options for stable text snapshots: pinned clock, no colours, default keys.
pub fn frame_opts(ascii: bool) -> FrameOptions {
    FrameOptions {
        ascii,
        theme: Theme::builtin("dark")
            .unwrap()
            .with_mode(ColorMode::NoColor),
        keymap: Keymap::defaults().unwrap(),
        now: Some(now()),
    }
}
