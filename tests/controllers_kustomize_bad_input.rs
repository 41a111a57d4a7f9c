//! Bad input arriving in a new commit after a good one, through the real controllers: each
//! case must end Ready=False with Flux's reason and a message naming the file/object/field,
//! record a Warning event with that reason, apply nothing of the bad commit (its harmless
//! ConfigMap change included) and keep the last good revision and inventory. Also an
//! unreachable Git server under a Kustomization, and its recovery.

use crate::controllers_support;

use std::time::Duration;

use controllers_support::*;
use fluxdeck::controllers::{ControllerOptions, ControllersHandle, kustomize, run_all, source_git};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

fn config_map(name: &str, v: &str, extra_data: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\ndata:\n  v: \"{v}\"\n{extra_data}"
    )
}

async fn controllers() -> (kube::Client, ControllersHandle, tempfile::TempDir) {
    let (_store, client) = cluster().await;
    let data = tempfile::tempdir().unwrap();
    let mut opts = ControllerOptions::new(data.path().to_path_buf(), true);
    opts.rollout_delay = Duration::ZERO;
    opts.kustomize.dependency_requeue = Duration::from_secs(1);
    let handle = run_all(client.clone(), opts).await.unwrap();
    (client, handle, data)
}

fn gitrepo(url: &str) -> Value {
    json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
           "metadata": {"name": "repo", "namespace": "default"},
           "spec": {"interval": "10m", "url": url, "ref": {"branch": "main"}}})
}

fn ks(name: &str, extra: Value) -> Value {
    let mut spec = json!({"interval": "10m", "retryInterval": "1s", "prune": true,
        "path": format!("./{name}"), "sourceRef": {"kind": "GitRepository", "name": "repo"},
        "postBuild": {"substitute": {"defined": "yes"}}});
    for (k, v) in extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": name, "namespace": "default"}, "spec": spec})
}

fn ready(o: &Value) -> (String, String, String) {
    let c = condition(o, "Ready").unwrap();
    let f = |k: &str| c[k].as_str().unwrap_or("").to_string();
    (f("status"), f("reason"), f("message"))
}

fn sops_fixture(name: &str) -> String {
    std::fs::read_to_string(
        concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine/sops/testdata/").to_string() + name,
    )
    .unwrap()
}

struct Case {
    name: &'static str,
    /// Files of the bad commit besides the changed ConfigMap.
    breakage: Vec<(String, String)>,
    reason: &'static str,
    /// Fragments the Ready message must contain (file, object, field).
    names: Vec<&'static str>,
    spec: Value,
}

const KUSTOMIZATION: &str = "resources:\n  - cm.yaml\n";

fn cases() -> Vec<Case> {
    let file = |p: &str, t: &str| (p.to_string(), t.to_string());
    vec![
        Case {
            name: "malformed",
            breakage: vec![
                file(
                    "kustomization.yaml",
                    "resources:\n  - cm.yaml\n  - broken.yaml\n",
                ),
                file(
                    "broken.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n",
                ),
            ],
            reason: "BuildFailed",
            names: vec!["malformed/broken.yaml", "line 3"],
            spec: json!({}),
        },
        Case {
            name: "missing",
            breakage: vec![file(
                "kustomization.yaml",
                "resources:\n  - cm.yaml\n  - absent.yaml\n",
            )],
            reason: "BuildFailed",
            names: vec!["missing/kustomization.yaml", "'resources'", "absent.yaml"],
            spec: json!({}),
        },
        Case {
            name: "notarget",
            breakage: vec![file(
                "kustomization.yaml",
                "resources:\n  - cm.yaml\npatches:\n  - patch: |-\n      - op: add\n        path: /data/b\n        value: c\n",
            )],
            reason: "BuildFailed",
            names: vec!["notarget/kustomization.yaml", "'patches'", "target"],
            spec: json!({}),
        },
        Case {
            name: "strict",
            breakage: vec![
                file(
                    "extra.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: strict-extra, namespace: default}\ndata:\n  a: ${undefined_var}\n",
                ),
                file(
                    "kustomization.yaml",
                    "resources:\n  - cm.yaml\n  - extra.yaml\n",
                ),
            ],
            reason: "BuildFailed",
            names: vec!["undefined_var", "ConfigMap/strict-extra"],
            spec: json!({}),
        },
        Case {
            name: "sops",
            breakage: vec![
                file("secret.enc.yaml", &sops_fixture("flux.enc.yaml")),
                file(
                    "kustomization.yaml",
                    "resources:\n  - cm.yaml\n  - secret.enc.yaml\n",
                ),
            ],
            reason: "BuildFailed",
            names: vec!["decryption failed for 'Secret/demo'"],
            spec: json!({"decryption": {"provider": "sops", "secretRef": {"name": "wrong-age-key"}}}),
        },
        Case {
            name: "rejected",
            breakage: vec![
                file(
                    "widget.yaml",
                    "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\n",
                ),
                file(
                    "kustomization.yaml",
                    "resources:\n  - cm.yaml\n  - widget.yaml\n",
                ),
            ],
            reason: "ReconciliationFailed",
            names: vec!["Widget/default/w", "no matches for kind \"Widget\""],
            spec: json!({}),
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bad_commit_is_named_reported_and_applies_nothing() {
    let (client, _h, _d) = controllers().await;
    let repo = tempfile::tempdir().unwrap();
    let cases = cases();
    let mut good: Vec<(String, String)> = Vec::new();
    for c in &cases {
        good.push((
            format!("{}/kustomization.yaml", c.name),
            KUSTOMIZATION.into(),
        ));
        good.push((format!("{}/cm.yaml", c.name), config_map(c.name, "1", "")));
    }
    let refs: Vec<(&str, &str)> = good.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    commit_files(repo.path(), &refs, "good");
    apply(
        &client,
        &ar("", "v1", "Secret", "secrets"),
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": "wrong-age-key", "namespace": "default"},
               "stringData": {"age.agekey": sops_fixture("other.agekey")}}),
    )
    .await;
    let url = format!("file://{}", repo.path().display());
    apply(&client, &source_git::resource(), gitrepo(&url)).await;
    let r = kustomize::resource();
    for c in &cases {
        apply(&client, &r, ks(c.name, c.spec.clone())).await;
    }
    let mut before = Vec::new();
    for c in &cases {
        let o = wait_for(&client, &r, "default", c.name, WAIT, |o| {
            ready_status(o) == Some("True")
        })
        .await;
        before.push(o);
    }

    let mut bad: Vec<(String, String)> = Vec::new();
    for c in &cases {
        bad.push((format!("{}/cm.yaml", c.name), config_map(c.name, "2", "")));
        for (p, t) in &c.breakage {
            bad.push((format!("{}/{p}", c.name), t.clone()));
        }
    }
    let refs: Vec<(&str, &str)> = bad.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let bad_commit = commit_files(repo.path(), &refs, "break everything");
    request_reconcile(&client, &source_git::resource(), "default", "repo", "bad").await;
    let cms = ar("", "v1", "ConfigMap", "configmaps");
    for (c, first) in cases.iter().zip(&before) {
        let failed = wait_for(&client, &r, "default", c.name, WAIT, |o| {
            ready_status(o) == Some("False")
                && o["status"]["lastAttemptedRevision"] == format!("main@sha1:{bad_commit}")
        })
        .await;
        let (_, reason, msg) = ready(&failed);
        assert_eq!(reason, c.reason, "{}: {msg}", c.name);
        for n in &c.names {
            assert!(msg.contains(n), "{}: {n:?} not in {msg}", c.name);
        }
        assert!(
            !msg.contains("/tmp/"),
            "{}: paths relative to the source: {msg}",
            c.name
        );
        assert_eq!(
            failed["status"]["lastAppliedRevision"], first["status"]["lastAppliedRevision"],
            "{}: last good revision kept",
            c.name
        );
        assert_eq!(
            failed["status"]["inventory"], first["status"]["inventory"],
            "{}: inventory kept",
            c.name
        );
        let cm = get(&client, &cms, "default", c.name).await.unwrap();
        assert_eq!(
            cm["data"]["v"], "1",
            "{}: nothing of the bad commit applied",
            c.name
        );
        let event = wait_event(&client, "default", WAIT, |e| {
            e.involved_object.name.as_deref() == Some(c.name)
                && e.type_.as_deref() == Some("Warning")
                && e.reason.as_deref() == Some(c.reason)
        })
        .await;
        assert_eq!(event.message.as_deref(), Some(msg.as_str()), "{}", c.name);
    }
    assert!(
        get(&client, &cms, "default", "strict-extra")
            .await
            .is_none()
    );
    let secrets = ar("", "v1", "Secret", "secrets");
    assert!(get(&client, &secrets, "default", "demo").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_git_server_keeps_the_last_artifact_and_recovers() {
    let (client, _h, _d) = controllers().await;
    let work = tempfile::tempdir().unwrap();
    let first = commit_files(
        work.path(),
        &[("app/cm.yaml", &config_map("app", "1", ""))],
        "one",
    );
    let served = tempfile::tempdir().unwrap();
    let bare = bare_clone(work.path(), served.path(), "fleet");
    let (daemon, port) = git_daemon(served.path());
    let url = format!("git://127.0.0.1:{port}/fleet.git");
    let src = source_git::resource();
    apply(&client, &src, gitrepo(&url)).await;
    let r = kustomize::resource();
    apply(&client, &r, ks("app", json!({}))).await;
    let applied = wait_for(&client, &r, "default", "app", WAIT, |o| {
        ready_status(o) == Some("True")
    })
    .await;
    assert_eq!(
        applied["status"]["lastAppliedRevision"],
        format!("main@sha1:{first}")
    );
    let good_artifact =
        get(&client, &src, "default", "repo").await.unwrap()["status"]["artifact"].clone();

    // The server goes down; a new commit waits in the repository behind it.
    drop(daemon);
    let second = commit_files(
        work.path(),
        &[("app/cm.yaml", &config_map("app", "2", ""))],
        "two",
    );
    let pushed = std::process::Command::new("git")
        .arg("-C")
        .arg(work.path())
        .args(["push", "-q"])
        .arg(&bare)
        .arg("main")
        .status()
        .unwrap();
    assert!(pushed.success());
    request_reconcile(&client, &src, "default", "repo", "down").await;
    let down = wait_for(&client, &src, "default", "repo", WAIT, |o| {
        o["status"]["lastHandledReconcileAt"] == "down"
    })
    .await;
    let c = condition(&down, "Ready").unwrap();
    assert_eq!(
        (c["status"].as_str(), c["reason"].as_str()),
        (Some("False"), Some("GitOperationFailed"))
    );
    assert!(c["message"].as_str().unwrap().contains(&url), "{c}");
    assert_eq!(
        down["status"]["artifact"], good_artifact,
        "last artifact kept"
    );
    let event = wait_event(&client, "default", WAIT, |e| {
        e.involved_object.name.as_deref() == Some("repo")
            && e.type_.as_deref() == Some("Warning")
            && e.reason.as_deref() == Some("GitOperationFailed")
    })
    .await;
    assert!(event.message.unwrap_or_default().contains(&url));
    // The Kustomization works from the last artifact, as kustomize-controller does (it needs
    // an artifact, not a Ready source): still applied, nothing lost, nothing changed.
    request_reconcile(&client, &r, "default", "app", "while-down").await;
    let ks_down = wait_for(&client, &r, "default", "app", WAIT, |o| {
        o["status"]["lastHandledReconcileAt"] == "while-down"
    })
    .await;
    assert_eq!(ready_status(&ks_down), Some("True"));
    assert_eq!(
        ks_down["status"]["lastAppliedRevision"],
        format!("main@sha1:{first}")
    );
    let cms = ar("", "v1", "ConfigMap", "configmaps");
    assert_eq!(
        get(&client, &cms, "default", "app").await.unwrap()["data"]["v"],
        "1"
    );

    // The server comes back at the same address: the new commit flows through.
    let _back = git_daemon_on(served.path(), port);
    request_reconcile(&client, &src, "default", "repo", "up").await;
    let up = wait_for(&client, &src, "default", "repo", WAIT, |o| {
        o["status"]["lastHandledReconcileAt"] == "up" && ready_status(o) == Some("True")
    })
    .await;
    assert_eq!(
        up["status"]["artifact"]["revision"],
        format!("main@sha1:{second}")
    );
    let recovered = wait_for(&client, &r, "default", "app", WAIT, |o| {
        o["status"]["lastAppliedRevision"] == format!("main@sha1:{second}")
    })
    .await;
    assert_eq!(ready_status(&recovered), Some("True"));
    assert_eq!(
        get(&client, &cms, "default", "app").await.unwrap()["data"]["v"],
        "2"
    );
}
