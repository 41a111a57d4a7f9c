//! ArtifactGenerator through the in-process controllers: a Git repository split into an
//! ExternalArtifact that a Kustomization applies; a commit inside the copied tree moves the
//! artifact's revision and the Kustomization follows (watch-driven, no requeue wait); a commit
//! outside it keeps the revision; a bad copy rule is named in Ready=False.

use crate::controllers_support;

use std::time::Duration;

use controllers_support::*;
use fluxdeck::controllers::{ControllerOptions, generator, kustomize, run_all, source_git};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);

fn cm(v: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: split\n  namespace: default\ndata:\n  v: \"{v}\"\n"
    )
}

fn generator_obj(name: &str, from: &str) -> Value {
    json!({"apiVersion": "source.extensions.fluxcd.io/v1beta1", "kind": "ArtifactGenerator",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"sources": [{"alias": "mono", "kind": "GitRepository", "name": "repo"}],
                 "artifacts": [{"name": format!("{name}-out"), "originRevision": "@mono",
                                "copy": [{"from": from, "to": "@artifact/app/"}]}]}})
}

fn ea_revision(o: &Value) -> String {
    o["status"]["artifact"]["revision"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_artifacts_follow_commits_into_the_copied_tree_only() {
    let (_store, client) = cluster().await;
    let data = tempfile::tempdir().unwrap();
    let mut opts = ControllerOptions::new(data.path().to_path_buf(), true);
    opts.rollout_delay = Duration::ZERO;
    // Long enough that only the watch triggers can make this test pass in time.
    opts.kustomize.dependency_requeue = Duration::from_secs(600);
    let _h = run_all(client.clone(), opts).await.unwrap();
    let repo = tempfile::tempdir().unwrap();
    let first = commit_files(
        repo.path(),
        &[("deploy/app/cm.yaml", &cm("1")), ("docs/readme.md", "one")],
        "one",
    );
    let eas = kustomize::source_resource("ExternalArtifact").unwrap();
    apply(
        &client,
        &generator::resource(),
        generator_obj("split", "@mono/deploy/app/**"),
    )
    .await;
    apply(
        &client,
        &kustomize::resource(),
        json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": "from-ea", "namespace": "default"},
            "spec": {"interval": "10m", "path": "./app", "prune": true,
                     "sourceRef": {"kind": "ExternalArtifact", "name": "split-out"}}}),
    )
    .await;
    // The GitRepository comes last: everything downstream waits for it by watch.
    apply(
        &client,
        &source_git::resource(),
        json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": {"name": "repo", "namespace": "default"},
            "spec": {"interval": "10m", "url": format!("file://{}", repo.path().display()),
                     "ref": {"branch": "main"}}}),
    )
    .await;
    let ea = wait_for(&client, &eas, "default", "split-out", WAIT, |o| {
        !ea_revision(o).is_empty()
    })
    .await;
    let rev1 = ea_revision(&ea);
    assert!(rev1.starts_with("latest@sha256:"), "{rev1}");
    assert_eq!(
        ea["status"]["artifact"]["metadata"]["org.opencontainers.image.revision"],
        format!("main@sha1:{first}")
    );
    let ks = wait_for(
        &client,
        &kustomize::resource(),
        "default",
        "from-ea",
        WAIT,
        |o| o["status"]["lastAppliedRevision"] == rev1.as_str(),
    )
    .await;
    assert_eq!(ready_status(&ks), Some("True"));
    assert_eq!(
        ks["status"]["lastAppliedOriginRevision"],
        format!("main@sha1:{first}"),
        "origin revision carried to the Kustomization"
    );
    let cms = ar("", "v1", "ConfigMap", "configmaps");
    assert_eq!(
        get(&client, &cms, "default", "split").await.unwrap()["data"]["v"],
        "1"
    );

    // A commit outside the copied tree: a new source revision, the same artifact content.
    let second = commit_files(repo.path(), &[("docs/readme.md", "two")], "docs");
    request_reconcile(&client, &source_git::resource(), "default", "repo", "docs").await;
    let ea = wait_for(&client, &eas, "default", "split-out", WAIT, |o| {
        o["status"]["artifact"]["metadata"]["org.opencontainers.image.revision"]
            == format!("main@sha1:{second}")
    })
    .await;
    assert_eq!(
        ea_revision(&ea),
        rev1,
        "unchanged content keeps the revision"
    );

    // A commit inside it: a new revision, applied by the Kustomization.
    commit_files(repo.path(), &[("deploy/app/cm.yaml", &cm("2"))], "app");
    request_reconcile(&client, &source_git::resource(), "default", "repo", "app").await;
    let ea = wait_for(&client, &eas, "default", "split-out", WAIT, |o| {
        !ea_revision(o).is_empty() && ea_revision(o) != rev1
    })
    .await;
    let rev2 = ea_revision(&ea);
    wait_for(
        &client,
        &kustomize::resource(),
        "default",
        "from-ea",
        WAIT,
        |o| o["status"]["lastAppliedRevision"] == rev2.as_str(),
    )
    .await;
    assert_eq!(
        get(&client, &cms, "default", "split").await.unwrap()["data"]["v"],
        "2"
    );

    // A rule naming an alias that is not a source.
    apply(
        &client,
        &generator::resource(),
        generator_obj("broken", "@other/**"),
    )
    .await;
    let broken = wait_for(
        &client,
        &generator::resource(),
        "default",
        "broken",
        WAIT,
        |o| ready_status(o) == Some("False"),
    )
    .await;
    let c = condition(&broken, "Ready").unwrap();
    assert_eq!(c["reason"], "BuildFailed");
    assert_eq!(
        c["message"],
        "spec.artifacts[0].copy[0]: unknown source alias @other"
    );
    assert!(get(&client, &eas, "default", "broken-out").await.is_none());
}
