//! `spec.kubeConfig.secretRef`: two real `fluxdeck server` processes. The first runs the
//! controllers and holds the source, the Kustomizations and the kubeconfig Secret of the
//! second; the objects land in the second cluster only (checked with kubectl against each),
//! are pruned there, and a missing Secret or key is named in Ready=False.

use crate::common;
use crate::controllers_support;

use std::time::Duration;

use common::{Server, condition_status};
use controllers_support::commit_files;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

fn config_map(name: &str, ns: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: {ns}\ndata:\n  v: \"1\"\n"
    )
}

fn namespace(name: &str) -> String {
    format!("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {name}\n")
}

fn kustomization(name: &str, path: &str, kube_config: Value) -> String {
    let obj = json!({
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"interval": "10m", "retryInterval": "2s", "prune": true, "path": path,
                 "sourceRef": {"kind": "GitRepository", "name": "repo"},
                 "kubeConfig": kube_config}});
    serde_json::to_string(&obj).unwrap()
}

fn secret(name: &str, key: &str, value: &str) -> String {
    let obj = json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": name, "namespace": "default"},
        "stringData": {key: value}});
    serde_json::to_string(&obj).unwrap()
}

fn ready_message(obj: &Value) -> String {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
        .and_then(|c| c["message"].as_str())
        .unwrap_or("")
        .to_string()
}

fn wait_ready(server: &Server, name: &str, status: &str) -> Value {
    server.wait_json("kustomization", "default", name, WAIT, |o| {
        condition_status(o, "Ready") == Some(status)
            && !ready_message(o).starts_with("Source artifact not found")
    })
}

fn exists(server: &Server, kind: &str, ns: &str, name: &str) -> bool {
    server.get_json(kind, ns, name).is_some()
}

#[test]
fn objects_go_to_the_cluster_of_the_kubeconfig_secret_only() {
    let management = Server::start(&["--no-demo"]);
    let remote = Server::start(&["--no-demo", "--no-controllers"]);
    let repo = tempfile::tempdir().unwrap();
    commit_files(
        repo.path(),
        &[
            ("app/ns.yaml", &namespace("remote-apps")),
            ("app/one.yaml", &config_map("one", "remote-apps")),
            ("app/two.yaml", &config_map("two", "remote-apps")),
            ("other/ns.yaml", &namespace("remote-other")),
            ("other/three.yaml", &config_map("three", "remote-other")),
            ("third/ns.yaml", &namespace("remote-third")),
            ("third/four.yaml", &config_map("four", "remote-third")),
        ],
        "initial",
    );
    let gitrepo = json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "repo", "namespace": "default"},
        "spec": {"interval": "10m", "url": format!("file://{}", repo.path().display()),
                 "ref": {"branch": "main"}}});
    management.apply(&serde_json::to_string(&gitrepo).unwrap());
    let remote_kubeconfig = std::fs::read_to_string(&remote.kubeconfig).unwrap();
    management.apply(&secret("remote-kc", "value", &remote_kubeconfig));
    management.apply(&secret("remote-kc-yaml", "value.yaml", &remote_kubeconfig));
    management.apply(&secret("remote-kc-wrong-key", "config", &remote_kubeconfig));
    management.apply(&kustomization(
        "to-remote",
        "./app",
        json!({"secretRef": {"name": "remote-kc"}}),
    ));
    management.apply(&kustomization(
        "to-remote-yaml-key",
        "./other",
        json!({"secretRef": {"name": "remote-kc-yaml"}}),
    ));
    management.apply(&kustomization(
        "no-secret",
        "./third",
        json!({"secretRef": {"name": "absent-kc"}}),
    ));
    management.apply(&kustomization(
        "wrong-key",
        "./third",
        json!({"secretRef": {"name": "remote-kc-wrong-key"}}),
    ));

    let ok = wait_ready(&management, "to-remote", "True");
    assert!(
        ready_message(&ok).starts_with("Applied revision: main@sha1:"),
        "{ok:#?}"
    );
    wait_ready(&management, "to-remote-yaml-key", "True");
    for (ns, name) in [
        ("remote-apps", "one"),
        ("remote-apps", "two"),
        ("remote-other", "three"),
    ] {
        assert!(
            exists(&remote, "configmap", ns, name),
            "{name} in the remote cluster"
        );
        assert!(
            !exists(&management, "configmap", ns, name),
            "{name} not in the management cluster"
        );
    }
    assert!(!exists(&management, "namespace", "", "remote-apps"));
    let cm = remote.get_json("configmap", "remote-apps", "one").unwrap();
    assert_eq!(
        cm["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"],
        "to-remote"
    );

    let missing = wait_ready(&management, "no-secret", "False");
    let msg = ready_message(&missing);
    assert!(
        msg.contains("Secret 'default/absent-kc' not found"),
        "{msg}"
    );
    assert!(msg.contains("spec.kubeConfig.secretRef"), "{msg}");
    let wrong = wait_ready(&management, "wrong-key", "False");
    let msg = ready_message(&wrong);
    assert!(msg.contains("'default/remote-kc-wrong-key'"), "{msg}");
    assert!(msg.contains("'value' key"), "{msg}");
    assert!(
        !msg.contains("insecure-skip-tls-verify"),
        "no kubeconfig text: {msg}"
    );
    let events = management.kubectl_ok(&["get", "events", "-n", "default", "-o", "json"]);
    let events: Value = serde_json::from_str(&events).unwrap();
    assert!(
        events["items"].as_array().unwrap().iter().any(|e| {
            e["involvedObject"]["name"] == "no-secret"
                && e["type"] == "Warning"
                && e["reason"] == "ReconciliationFailed"
        }),
        "a Warning event for no-secret: {events:#}"
    );

    // Creating the missing Secret (labelled for watching) fixes it.
    let mut fixed: Value =
        serde_json::from_str(&secret("absent-kc", "value", &remote_kubeconfig)).unwrap();
    fixed["metadata"]["labels"] = json!({"reconcile.fluxcd.io/watch": "Enabled"});
    management.apply(&serde_json::to_string(&fixed).unwrap());
    wait_ready(&management, "no-secret", "True");
    assert!(exists(&remote, "configmap", "remote-third", "four"));

    // Prune happens in the remote cluster too.
    std::fs::remove_file(repo.path().join("app/two.yaml")).unwrap();
    commit_files(repo.path(), &[], "drop two");
    management.kubectl_ok(&[
        "annotate",
        "--overwrite",
        "-n",
        "default",
        "gitrepository/repo",
        "reconcile.fluxcd.io/requestedAt=prune",
    ]);
    let deadline = std::time::Instant::now() + WAIT;
    while exists(&remote, "configmap", "remote-apps", "two") {
        assert!(
            std::time::Instant::now() < deadline,
            "two was not pruned from the remote cluster"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(exists(&remote, "configmap", "remote-apps", "one"));

    // Deleting a Kustomization prunes its objects in the remote cluster (finalizer).
    management.kubectl_ok(&[
        "delete",
        "-n",
        "default",
        "kustomization/to-remote-yaml-key",
        "--wait=true",
    ]);
    let deadline = std::time::Instant::now() + WAIT;
    while exists(&remote, "configmap", "remote-other", "three") {
        assert!(
            std::time::Instant::now() < deadline,
            "three was not pruned from the remote cluster on deletion"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(exists(&remote, "configmap", "remote-apps", "one"));
}
