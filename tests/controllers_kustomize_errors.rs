//! Bad input for the Kustomization controller: every failure is reported with a message that
//! names the file/object/variable, an event is recorded, nothing is partially applied and the
//! last good state is kept. Also dependsOn ordering and cycles.

use crate::controllers_support;

use std::time::Duration;

use controllers_support::*;
use fluxdeck::controllers::{ControllerOptions, ControllersHandle, kustomize, run_all, source_git};
use fluxdeck::engine::kstatus::Status;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

const GOOD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n  namespace: default\ndata:\n  v: \"1\"\n";

/// A client, the running controllers, their data directory and the Git repository.
type Env = (
    kube::Client,
    ControllersHandle,
    tempfile::TempDir,
    tempfile::TempDir,
);

async fn env(files: &[(&str, &str)]) -> Env {
    env_in(tempfile::tempdir().unwrap(), files).await
}

/// [`env`] with a repository directory the test has prepared (symlinks, say).
async fn env_in(repo: tempfile::TempDir, files: &[(&str, &str)]) -> Env {
    let (_store, client) = cluster().await;
    let data = tempfile::tempdir().unwrap();
    let mut opts = ControllerOptions::new(data.path().to_path_buf(), true);
    opts.rollout_delay = Duration::ZERO;
    opts.kustomize.dependency_requeue = Duration::from_secs(2);
    let handle = run_all(client.clone(), opts).await.unwrap();
    commit_files(repo.path(), files, "initial");
    apply(&client, &source_git::resource(), json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "repo", "namespace": "default"},
        "spec": {"interval": "10m", "url": format!("file://{}", repo.path().display()), "ref": {"branch": "main"}}})).await;
    (client, handle, data, repo)
}

fn ks(name: &str, path: &str, extra: Value) -> Value {
    let mut spec = json!({"interval": "10m", "retryInterval": "1m", "prune": true, "path": path,
        "sourceRef": {"kind": "GitRepository", "name": "repo"}});
    for (k, v) in extra.as_object().unwrap() {
        spec[k] = v.clone();
    }
    json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
           "metadata": {"name": name, "namespace": "default"}, "spec": spec})
}

async fn ready(client: &kube::Client, name: &str, status: &str) -> Value {
    // "Source artifact not found" is the transient state before the GitRepository is ready.
    wait_for(client, &kustomize::resource(), "default", name, WAIT, |o| {
        ready_status(o) == Some(status)
            && condition(o, "Ready").is_some_and(|c| {
                !c["message"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("Source artifact not found")
            })
    })
    .await
}

fn ready_message(o: &Value) -> (String, String) {
    let c = condition(o, "Ready").unwrap();
    (
        c["reason"].as_str().unwrap().to_string(),
        c["message"].as_str().unwrap().to_string(),
    )
}

/// The Warning event Flux records for a failure: the Ready reason, on the Kustomization.
async fn warning_event(
    client: &kube::Client,
    name: &str,
    reason: &str,
) -> k8s_openapi::api::core::v1::Event {
    wait_event(client, "default", WAIT, |e| {
        e.involved_object.name.as_deref() == Some(name)
            && e.type_.as_deref() == Some("Warning")
            && e.reason.as_deref() == Some(reason)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_and_api_errors_name_the_culprit_and_apply_nothing() {
    let files = [
        ("good/cm.yaml", GOOD),
        ("badyaml/cm.yaml", GOOD),
        (
            "badyaml/broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: [oops\n",
        ),
        (
            "missing/kustomization.yaml",
            "resources:\n  - present.yaml\n  - absent.yaml\n",
        ),
        (
            "missing/present.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: present, namespace: default}\n",
        ),
        (
            "strict/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: strict, namespace: default}\ndata:\n  a: ${undefined_var}\n",
        ),
        (
            "rejected/a-cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: before-widget, namespace: default}\n",
        ),
        (
            "rejected/widget.yaml",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: default}\n",
        ),
    ];
    let (client, _h, _d, _r) = env(&files).await;
    let r = kustomize::resource();
    apply(&client, &r, ks("good", "./good", json!({}))).await;
    apply(&client, &r, ks("badyaml", "./badyaml", json!({}))).await;
    apply(&client, &r, ks("missing", "./missing", json!({}))).await;
    apply(
        &client,
        &r,
        ks(
            "strict",
            "./strict",
            json!({"postBuild": {"substitute": {"other": "x"}}}),
        ),
    )
    .await;
    apply(&client, &r, ks("rejected", "./rejected", json!({}))).await;
    apply(
        &client,
        &r,
        ks(
            "nosource",
            "./good",
            json!({"sourceRef": {"kind": "GitRepository", "name": "nope"}}),
        ),
    )
    .await;
    apply(&client, &r, ks("nopath", "./does/not/exist", json!({}))).await;

    let good = ready(&client, "good", "True").await;
    assert_eq!(kstatus(&good), Status::Current);
    let cms = ar("", "v1", "ConfigMap", "configmaps");

    let (reason, msg) = ready_message(&ready(&client, "badyaml", "False").await);
    assert_eq!(reason, "BuildFailed");
    assert!(msg.contains("broken.yaml"), "{msg}");
    let (reason, msg) = ready_message(&ready(&client, "missing", "False").await);
    assert_eq!(reason, "BuildFailed");
    assert!(msg.contains("absent.yaml"), "{msg}");
    assert!(
        get(&client, &cms, "default", "present").await.is_none(),
        "nothing applied"
    );
    let (reason, msg) = ready_message(&ready(&client, "strict", "False").await);
    assert_eq!(reason, "BuildFailed");
    assert!(
        msg.contains("variable not set (strict mode): \"undefined_var\""),
        "{msg}"
    );
    assert!(msg.contains("ConfigMap/strict"), "{msg}");
    let rejected = ready(&client, "rejected", "False").await;
    let (reason, msg) = ready_message(&rejected);
    assert_eq!(reason, "ReconciliationFailed");
    assert!(msg.contains("Widget/default/w"), "{msg}");
    assert!(
        get(&client, &cms, "default", "before-widget")
            .await
            .is_none(),
        "dry-run first: nothing applied"
    );
    let (reason, msg) = ready_message(&ready(&client, "nosource", "False").await);
    assert_eq!(
        (reason.as_str(), msg.as_str()),
        (
            "ArtifactFailed",
            "Source 'GitRepository/default/nope' not found"
        )
    );
    let (reason, msg) = ready_message(&ready(&client, "nopath", "False").await);
    assert_eq!(reason, "ArtifactFailed");
    assert!(msg.starts_with("kustomization path not found"), "{msg}");
    assert_eq!(kstatus(&rejected), Status::InProgress);
    for (name, reason) in [
        ("missing", "BuildFailed"),
        ("strict", "BuildFailed"),
        ("nosource", "ArtifactFailed"),
        ("nopath", "ArtifactFailed"),
    ] {
        warning_event(&client, name, reason).await;
    }
    warning_event(&client, "rejected", "ReconciliationFailed").await;
    warning_event(&client, "badyaml", "BuildFailed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_commit_keeps_the_last_good_state() {
    let (client, _h, _d, repo) = env(&[("app/cm.yaml", GOOD)]).await;
    let r = kustomize::resource();
    apply(&client, &r, ks("app", "./app", json!({}))).await;
    let first = ready(&client, "app", "True").await;
    let good_rev = first["status"]["lastAppliedRevision"].clone();
    let changed = GOOD.replace("\"1\"", "\"2\"");
    commit_files(
        repo.path(),
        &[("app/cm.yaml", &changed), ("app/bad.yaml", "kind: [\n")],
        "break it",
    );
    request_reconcile(&client, &source_git::resource(), "default", "repo", "t1").await;
    let failed = wait_for(&client, &r, "default", "app", WAIT, |o| {
        ready_status(o) == Some("False") && o["status"]["lastAttemptedRevision"] != good_rev
    })
    .await;
    assert_eq!(failed["status"]["lastAppliedRevision"], good_rev);
    assert_eq!(failed["status"]["inventory"], first["status"]["inventory"]);
    let cm = get(
        &client,
        &ar("", "v1", "ConfigMap", "configmaps"),
        "default",
        "good",
    )
    .await
    .unwrap();
    assert_eq!(
        cm["data"]["v"], "1",
        "the change in the bad commit is not applied"
    );
    assert_eq!(kstatus(&failed), Status::InProgress);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depends_on_orders_reconciles_and_cycles_stall() {
    let (client, _h, _d, _r) = env(&[("a/cm.yaml", GOOD)]).await;
    let r = kustomize::resource();
    apply(
        &client,
        &r,
        ks("child", "./a", json!({"dependsOn": [{"name": "parent"}]})),
    )
    .await;
    let waiting = wait_for(&client, &r, "default", "child", WAIT, |o| {
        condition(o, "Ready").is_some_and(|c| c["reason"] == "DependencyNotReady")
    })
    .await;
    let (reason, msg) = ready_message(&waiting);
    assert_eq!(reason, "DependencyNotReady");
    assert_eq!(msg, "dependency 'default/parent' not found");
    apply(&client, &r, ks("parent", "./a", json!({}))).await;
    let parent = ready(&client, "parent", "True").await;
    let child = ready(&client, "child", "True").await;
    assert_eq!(kstatus(&parent), Status::Current);
    assert_eq!(kstatus(&child), Status::Current);

    apply(
        &client,
        &r,
        ks("ping", "./a", json!({"dependsOn": [{"name": "pong"}]})),
    )
    .await;
    apply(
        &client,
        &r,
        ks("pong", "./a", json!({"dependsOn": [{"name": "ping"}]})),
    )
    .await;
    let ping = wait_for(&client, &r, "default", "ping", WAIT, |o| {
        condition(o, "Stalled").is_some()
    })
    .await;
    let (_, msg) = ready_message(&ping);
    assert!(
        msg.starts_with(
            "circular dependency detected: default/ping -> default/pong -> default/ping"
        ),
        "{msg}"
    );
    assert_eq!(kstatus(&ping), Status::Failed);
    let event = warning_event(&client, "ping", "DependencyNotReady").await;
    assert!(
        event
            .message
            .unwrap_or_default()
            .starts_with("circular dependency detected")
    );
}

fn sops_fixture(name: &str) -> String {
    std::fs::read_to_string(
        concat!(env!("CARGO_MANIFEST_DIR"), "/src/engine/sops/testdata/").to_string() + name,
    )
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sops_secrets_decrypt_with_the_right_age_key_only() {
    let secret = sops_fixture("flux.enc.yaml");
    let (client, _h, _d, _r) = env(&[("secrets/secret.enc.yaml", &secret)]).await;
    let secrets = ar("", "v1", "Secret", "secrets");
    for (name, key) in [("right-key", "test.agekey"), ("wrong-key", "other.agekey")] {
        apply(
            &client,
            &secrets,
            json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": name, "namespace": "default"},
            "stringData": {"age.agekey": sops_fixture(key)}}),
        )
        .await;
    }
    let r = kustomize::resource();
    apply(&client, &r, ks("plain", "./secrets", json!({}))).await;
    let (reason, msg) = ready_message(&ready(&client, "plain", "False").await);
    assert_eq!(reason, "BuildFailed");
    assert!(
        msg.contains("is SOPS encrypted, configuring decryption is required"),
        "{msg}"
    );
    apply(
        &client,
        &r,
        ks(
            "wrong",
            "./secrets",
            json!({"decryption": {"provider": "sops", "secretRef": {"name": "wrong-key"}}}),
        ),
    )
    .await;
    let (reason, msg) = ready_message(&ready(&client, "wrong", "False").await);
    assert_eq!(reason, "BuildFailed");
    assert!(msg.contains("decryption failed for 'Secret/demo'"), "{msg}");
    assert!(get(&client, &secrets, "default", "demo").await.is_none());
    apply(
        &client,
        &r,
        ks(
            "right",
            "./secrets",
            json!({"decryption": {"provider": "sops", "secretRef": {"name": "right-key"}}}),
        ),
    )
    .await;
    let ok = ready(&client, "right", "True").await;
    assert_eq!(kstatus(&ok), Status::Current);
    let applied = get(&client, &secrets, "default", "demo").await.unwrap();
    assert!(applied.get("sops").is_none());
    let data = serde_json::to_string(&applied["data"]).unwrap();
    assert!(!data.contains("ENC["), "{data}");
}

/// A repository cannot make the controller read its host: `..` past the artifact root and an
/// absolute path fail the build, naming the path, and nothing is applied (Flux's secure
/// filesystem). A symlink is not even in the artifact (left out, as Flux does); symlinks in
/// an unpacked tree are refused by `ConfinedFs` (its unit test).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paths_out_of_the_artifact_are_refused() {
    let host = tempfile::tempdir().unwrap();
    let host_file = host.path().join("host.yaml");
    std::fs::write(
        &host_file,
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: host, namespace: default}\n",
    )
    .unwrap();
    let up = format!(
        "{}{}",
        "../".repeat(20),
        host_file.display().to_string().trim_start_matches('/')
    );
    let absolute = host_file.display().to_string();
    let dotdot = format!("resources:\n- {up}\n");
    let abs = format!("resources:\n- {absolute}\n");
    let generated = format!("configMapGenerator:\n- name: leak\n  files:\n  - {up}\n");
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join("link")).unwrap();
    std::os::unix::fs::symlink(&host_file, repo.path().join("link/host.yaml")).unwrap();
    let files = [
        ("dotdot/kustomization.yaml", dotdot.as_str()),
        ("abs/kustomization.yaml", abs.as_str()),
        ("gen/kustomization.yaml", generated.as_str()),
        ("link/kustomization.yaml", "resources:\n- host.yaml\n"),
        ("good/cm.yaml", GOOD),
    ];
    let (client, _h, _d, _repo) = env_in(repo, &files).await;
    let r = kustomize::resource();
    for name in ["dotdot", "abs", "gen", "link", "good"] {
        apply(&client, &r, ks(name, &format!("./{name}"), json!({}))).await;
    }
    assert_eq!(
        ready(&client, "good", "True").await["status"]["inventory"]["entries"][0]["id"],
        "default_good__ConfigMap"
    );
    let (reason, msg) = ready_message(&ready(&client, "link", "False").await);
    assert_eq!(reason, "BuildFailed");
    assert!(msg.contains("link/host.yaml does not exist"), "{msg}");
    for name in ["dotdot", "abs", "gen"] {
        let failed = ready(&client, name, "False").await;
        let (reason, msg) = ready_message(&failed);
        assert_eq!(reason, "BuildFailed", "{name}: {msg}");
        assert!(msg.contains("outside the source artifact"), "{name}: {msg}");
        assert_eq!(kstatus(&failed), Status::InProgress);
    }
    let cms = ar("", "v1", "ConfigMap", "configmaps");
    assert!(get(&client, &cms, "default", "host").await.is_none());
    let api: kube::Api<kube::api::DynamicObject> =
        kube::Api::namespaced_with(client.clone(), "default", &cms);
    let leaked = api.list(&Default::default()).await.unwrap().items;
    assert!(
        leaked
            .iter()
            .all(|c| !c.metadata.name.as_deref().unwrap_or("").starts_with("leak")),
        "no generator read the host file"
    );
}
