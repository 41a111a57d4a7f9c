//! Kustomization controller end to end in the embedded store: real Git repositories served to
//! the GitRepository controller, artifacts over the loopback server, SSA, prune, health via
//! the simulated rollout, dependsOn, and bad input that must not half-apply.

use crate::controllers_support;

use std::time::Duration;

use controllers_support::*;
use fluxdeck::controllers::{ControllerOptions, ControllersHandle, kustomize, run_all, source_git};
use fluxdeck::engine::kstatus::Status;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

struct Env {
    client: kube::Client,
    _handle: ControllersHandle,
    _data: tempfile::TempDir,
    repo: tempfile::TempDir,
}

async fn start(files: &[(&str, &str)]) -> (Env, String) {
    let (_store, client) = cluster().await;
    let data = tempfile::tempdir().unwrap();
    let mut opts = ControllerOptions::new(data.path().to_path_buf(), true);
    opts.rollout_delay = Duration::ZERO;
    let handle = run_all(client.clone(), opts).await.unwrap();
    let repo = tempfile::tempdir().unwrap();
    let commit = commit_files(repo.path(), files, "initial");
    let url = format!("file://{}", repo.path().display());
    apply(
        &client,
        &ar("", "v1", "Namespace", "namespaces"),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}}),
    )
    .await;
    apply(
        &client,
        &source_git::resource(),
        json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "repo", "namespace": "flux-system"},
        "spec": {"interval": "10m", "url": url, "ref": {"branch": "main"}}}),
    )
    .await;
    (
        Env {
            client,
            _handle: handle,
            _data: data,
            repo,
        },
        commit,
    )
}

fn ks(name: &str, spec: Value) -> Value {
    let mut s = json!({"interval": "10m", "prune": true,
        "sourceRef": {"kind": "GitRepository", "name": "repo"}});
    for (k, v) in spec.as_object().unwrap() {
        s[k] = v.clone();
    }
    json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": name, "namespace": "flux-system"}, "spec": s})
}

async fn settled(env: &Env, name: &str, status: &str) -> Value {
    wait_for(
        &env.client,
        &kustomize::resource(),
        "flux-system",
        name,
        WAIT,
        |o| {
            ready_status(o) == Some(status)
                && condition(o, "Reconciling").is_none_or(|c| c["reason"] != "Progressing")
        },
    )
    .await
}

const APP: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n";
const CONFIG: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: shop\ndata:\n  region: ${region}\n  tier: ${tier:=gold}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applies_prunes_and_waits_for_health() {
    let (env, commit) = start(&[("deploy/app.yaml", APP), ("deploy/config.yaml", CONFIG)]).await;
    apply(
        &env.client,
        &kustomize::resource(),
        ks(
            "shop",
            json!({
        "path": "./deploy", "wait": true,
        "postBuild": {"substitute": {"region": "eu-1"}},
        "commonMetadata": {"labels": {"team": "web"}}}),
        ),
    )
    .await;
    let obj = settled(&env, "shop", "True").await;
    let rev = format!("main@sha1:{commit}");
    assert_eq!(
        condition(&obj, "Ready").unwrap()["message"],
        format!("Applied revision: {rev}")
    );
    assert_eq!(obj["status"]["lastAppliedRevision"], rev);
    assert_eq!(obj["status"]["lastAttemptedRevision"], rev);
    assert_eq!(condition(&obj, "Healthy").unwrap()["status"], "True");
    let ids: Vec<&str> = obj["status"]["inventory"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "_shop__Namespace",
            "shop_settings__ConfigMap",
            "shop_web_apps_Deployment"
        ]
    );
    let cmap = get(
        &env.client,
        &ar("", "v1", "ConfigMap", "configmaps"),
        "shop",
        "settings",
    )
    .await
    .unwrap();
    assert_eq!(cmap["data"], json!({"region": "eu-1", "tier": "gold"}));
    assert_eq!(
        cmap["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"],
        "shop"
    );
    assert_eq!(
        cmap["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/namespace"],
        "flux-system"
    );
    assert_eq!(cmap["metadata"]["labels"]["team"], "web");
    let managers: Vec<&str> = cmap["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert!(managers.contains(&"kustomize-controller"), "{managers:?}");
    let deploy = get(
        &env.client,
        &ar("apps", "v1", "Deployment", "deployments"),
        "shop",
        "web",
    )
    .await
    .unwrap();
    assert_eq!(kstatus(&deploy), Status::Current);
    assert_eq!(kstatus(&obj), Status::Current);

    // Remove the ConfigMap from Git: the source revision change triggers the Kustomization,
    // which prunes it.
    std::fs::remove_file(env.repo.path().join("deploy/config.yaml")).unwrap();
    let second = commit_files(env.repo.path(), &[], "drop config");
    request_reconcile(
        &env.client,
        &source_git::resource(),
        "flux-system",
        "repo",
        "now",
    )
    .await;
    let obj = wait_for(
        &env.client,
        &kustomize::resource(),
        "flux-system",
        "shop",
        WAIT,
        |o| o["status"]["lastAppliedRevision"] == format!("main@sha1:{second}"),
    )
    .await;
    assert_eq!(
        obj["status"]["inventory"]["entries"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        get(
            &env.client,
            &ar("", "v1", "ConfigMap", "configmaps"),
            "shop",
            "settings"
        )
        .await
        .is_none()
    );
    assert_eq!(kstatus(&obj), Status::Current);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watched_config_maps_requested_at_suspend_and_events() {
    let (env, _commit) = start(&[
        ("deploy/config.yaml", CONFIG),
        (
            "deploy/ns.yaml",
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
        ),
    ])
    .await;
    let cms = ar("", "v1", "ConfigMap", "configmaps");
    apply(&env.client, &cms, json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "vars", "namespace": "flux-system", "labels": {"reconcile.fluxcd.io/watch": "Enabled"}},
        "data": {"region": "us-1"}})).await;
    apply(
        &env.client,
        &kustomize::resource(),
        ks(
            "shop",
            json!({"path": "./deploy",
        "postBuild": {"substituteFrom": [{"kind": "ConfigMap", "name": "vars"}]}}),
        ),
    )
    .await;
    settled(&env, "shop", "True").await;
    let out = get(&env.client, &cms, "shop", "settings").await.unwrap();
    assert_eq!(out["data"]["region"], "us-1");

    // A change of the watched ConfigMap re-applies without any annotation.
    apply(&env.client, &cms, json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "vars", "namespace": "flux-system", "labels": {"reconcile.fluxcd.io/watch": "Enabled"}},
        "data": {"region": "ap-9"}})).await;
    wait_for(&env.client, &cms, "shop", "settings", WAIT, |o| {
        o["data"]["region"] == "ap-9"
    })
    .await;

    // requestedAt is handled and mirrored.
    request_reconcile(
        &env.client,
        &kustomize::resource(),
        "flux-system",
        "shop",
        "token-1",
    )
    .await;
    let obj = wait_for(
        &env.client,
        &kustomize::resource(),
        "flux-system",
        "shop",
        WAIT,
        |o| o["status"]["lastHandledReconcileAt"] == "token-1",
    )
    .await;
    assert_eq!(kstatus(&obj), Status::Current);

    // Suspended: changes are not applied.
    let api: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(env.client.clone(), "flux-system", &kustomize::resource());
    api.patch(
        "shop",
        &kube::api::PatchParams::default(),
        &kube::api::Patch::Merge(json!({"spec": {"suspend": true}})),
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    apply(&env.client, &cms, json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "vars", "namespace": "flux-system", "labels": {"reconcile.fluxcd.io/watch": "Enabled"}},
        "data": {"region": "suspended"}})).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let out = get(&env.client, &cms, "shop", "settings").await.unwrap();
    assert_eq!(out["data"]["region"], "ap-9");

    // Events are recorded after the status patch (as in Flux): wait for them.
    let ok = wait_event(&env.client, "flux-system", WAIT, |e| {
        e.reason.as_deref() == Some("ReconciliationSucceeded")
    })
    .await;
    assert_eq!(
        ok.source.as_ref().and_then(|s| s.component.as_deref()),
        Some("kustomize-controller")
    );
    assert!(
        ok.message
            .as_deref()
            .unwrap()
            .starts_with("Reconciliation finished in ")
    );
    let annotations = ok.metadata.annotations.clone().unwrap_or_default();
    assert!(annotations.contains_key("kustomize.toolkit.fluxcd.io/revision"));
    wait_event(&env.client, "flux-system", WAIT, |e| {
        e.reason.as_deref() == Some("Progressing")
            && e.message
                .as_deref()
                .is_some_and(|m| m.contains("ConfigMap/shop/settings configured"))
    })
    .await;
}
