//! spec.serviceAccountName: a missing ServiceAccount is a clear Ready=False naming it, with a
//! Warning event and nothing applied; once it exists the apply goes through (impersonated; the
//! header itself is checked in controllers::kustomize::impersonate's unit test).

use crate::controllers_support;

use std::time::Duration;

use controllers_support::*;
use fluxdeck::controllers::{ControllerOptions, kustomize, run_all, source_git};
use fluxdeck::engine::kstatus::Status;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_service_account_is_named_and_nothing_is_applied() {
    let (_store, client) = cluster().await;
    let data = tempfile::tempdir().unwrap();
    let mut opts = ControllerOptions::new(data.path().to_path_buf(), true);
    opts.rollout_delay = Duration::ZERO;
    let _h = run_all(client.clone(), opts).await.unwrap();
    let repo = tempfile::tempdir().unwrap();
    commit_files(
        repo.path(),
        &[(
            "app/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tenant-cm, namespace: default}\n",
        )],
        "initial",
    );
    apply(&client, &source_git::resource(), json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "repo", "namespace": "default"},
        "spec": {"interval": "10m", "url": format!("file://{}", repo.path().display()), "ref": {"branch": "main"}}})).await;
    let r = kustomize::resource();
    apply(
        &client,
        &r,
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "tenant", "namespace": "default"},
        "spec": {"interval": "10m", "retryInterval": "2s", "path": "./app", "prune": true,
                 "serviceAccountName": "deployer",
                 "sourceRef": {"kind": "GitRepository", "name": "repo"}}}),
    )
    .await;
    let failed = wait_for(&client, &r, "default", "tenant", WAIT, |o| {
        condition(o, "Ready").is_some_and(|c| {
            c["status"] == "False"
                && c["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("ServiceAccount")
        })
    })
    .await;
    let c = condition(&failed, "Ready").unwrap();
    assert_eq!(c["reason"], "ReconciliationFailed");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("ServiceAccount 'default/deployer' not found (spec.serviceAccountName)"),
        "{c}"
    );
    assert_eq!(kstatus(&failed), Status::InProgress);
    let cms = ar("", "v1", "ConfigMap", "configmaps");
    assert!(get(&client, &cms, "default", "tenant-cm").await.is_none());
    // The event is recorded after the status patch (as in Flux), so wait for it.
    wait_event(&client, "default", WAIT, |e| {
        e.involved_object.name.as_deref() == Some("tenant")
            && e.type_.as_deref() == Some("Warning")
            && e.message
                .as_deref()
                .unwrap_or("")
                .contains("default/deployer")
    })
    .await;

    apply(
        &client,
        &ar("", "v1", "ServiceAccount", "serviceaccounts"),
        json!({
        "apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "deployer", "namespace": "default"}}),
    )
    .await;
    let ready = wait_for(&client, &r, "default", "tenant", WAIT, |o| {
        ready_status(o) == Some("True")
    })
    .await;
    assert_eq!(kstatus(&ready), Status::Current);
    assert!(get(&client, &cms, "default", "tenant-cm").await.is_some());
}
