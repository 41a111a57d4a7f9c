//! End to end: real kubectl and the fluxdeck CLI against a real `fluxdeck server` process.
//! A test thread plays the controller's part (status writes) where the flow needs one.

use crate::common;

use common::{Server, stderr, stdout};
use std::io::Write;
use std::process::{Command, Stdio};

const FIXTURE: &str = r#"
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: fleet
  namespace: flux-system
spec:
  interval: 1m
  url: https://git.example/fleet
  ref:
    branch: main
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: fleet
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
  namespace: flux-system
  labels:
    kustomize.toolkit.fluxcd.io/name: apps
    kustomize.toolkit.fluxcd.io/namespace: flux-system
data:
  a: "1"
"#;

fn apply(server: &Server, yaml: &str) {
    let mut child = Command::new(common::KUBECTL)
        .arg("--kubeconfig")
        .arg(&server.kubeconfig)
        .args(["apply", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(yaml.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "kubectl apply failed: {}",
        stderr(&out)
    );
}

fn status_patch(server: &Server, kind: &str, name: &str, status: serde_json::Value) {
    let body = serde_json::json!({ "status": status }).to_string();
    server.kubectl_ok(&[
        "-n",
        "flux-system",
        "patch",
        kind,
        name,
        "--subresource=status",
        "--type=merge",
        "-p",
        &body,
    ]);
}

fn ready_status(generation: i64, handled: Option<&str>) -> serde_json::Value {
    let mut s = serde_json::json!({
        "observedGeneration": generation,
        "lastAppliedRevision": "main@sha1:0123456789abcdef0123456789abcdef01234567",
        "artifact": {"revision": "main@sha1:0123456789abcdef0123456789abcdef01234567", "path": "x", "url": "http://x",
                     "digest": "sha256:00", "lastUpdateTime": "2026-01-01T00:00:00Z"},
        "inventory": {"entries": [{"id": "flux-system_app-config__ConfigMap", "v": "v1"}]},
        "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                        "message": "Applied revision: main@sha1:0123456789abcdef0123456789abcdef01234567",
                        "observedGeneration": generation, "lastTransitionTime": "2026-01-01T00:00:00Z"}]
    });
    if let Some(h) = handled {
        s["lastHandledReconcileAt"] = serde_json::json!(h);
    }
    s
}

#[test]
fn flux_shaped_commands_against_a_real_server() {
    let server = Server::start(&["--no-controllers", "--no-demo"]);
    apply(&server, FIXTURE);

    // get: no status yet → False / waiting to be reconciled.
    let out = server.fluxdeck(&["get", "ks"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("NAME"), "{text}");
    assert!(
        text.contains("apps") && text.contains("waiting to be reconciled"),
        "{text}"
    );

    // suspend with a reason, then kubectl sees it.
    let out = server.fluxdeck(&["suspend", "ks", "apps", "--reason", "incident 4711"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("► suspending kustomization apps in flux-system namespace"),
        "{}",
        stderr(&out)
    );
    let suspended = server.kubectl_ok(&[
        "-n",
        "flux-system",
        "get",
        "ks",
        "apps",
        "-o",
        "jsonpath={.spec.suspend}",
    ]);
    assert_eq!(suspended, "true");
    let reason = server.kubectl_ok(&[
        "-n",
        "flux-system",
        "get",
        "ks",
        "apps",
        "-o",
        "jsonpath={.metadata.annotations.fluxdeck\\.io/suspend-reason}",
    ]);
    assert_eq!(reason, "incident 4711");

    // reconcile of a suspended object is refused, as flux does.
    let out = server.fluxdeck(&["reconcile", "ks", "apps"]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("resource is suspended"),
        "{}",
        stderr(&out)
    );

    // resume without waiting clears spec.suspend.
    let out = server.fluxdeck(&["resume", "ks", "apps", "--wait=false"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let suspended = server.kubectl_ok(&[
        "-n",
        "flux-system",
        "get",
        "ks",
        "apps",
        "-o",
        "jsonpath={.spec.suspend}",
    ]);
    assert_eq!(suspended, "");

    // reconcile: a thread plays kustomize-controller and answers the request.
    let generation: i64 = server
        .kubectl_ok(&[
            "-n",
            "flux-system",
            "get",
            "ks",
            "apps",
            "-o",
            "jsonpath={.metadata.generation}",
        ])
        .parse()
        .expect("generation");
    let kubeconfig = server.kubeconfig.clone();
    let controller = std::thread::spawn(move || {
        for _ in 0..200 {
            let out = Command::new(common::KUBECTL)
                .arg("--kubeconfig")
                .arg(&kubeconfig)
                .args([
                    "-n",
                    "flux-system",
                    "get",
                    "ks",
                    "apps",
                    "-o",
                    "jsonpath={.metadata.annotations.reconcile\\.fluxcd\\.io/requestedAt}",
                ])
                .output()
                .expect("kubectl");
            let token = String::from_utf8_lossy(&out.stdout).to_string();
            if !token.is_empty() {
                return token;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        String::new()
    });
    let reconcile = Command::new(common::fluxdeck_bin())
        .arg("--kubeconfig")
        .arg(&server.kubeconfig)
        .args(["reconcile", "ks", "apps", "--timeout", "30s"])
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("reconcile");
    let token = controller.join().expect("controller thread");
    assert!(!token.is_empty(), "requestedAt annotation never appeared");
    status_patch(
        &server,
        "kustomization",
        "apps",
        ready_status(generation, Some(&token)),
    );
    let out = reconcile.wait_with_output().expect("wait reconcile");
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("◎ waiting for Kustomization reconciliation"),
        "{err}"
    );
    assert!(
        err.contains("✔ applied revision main@sha1:0123456789abcdef0123456789abcdef01234567"),
        "{err}"
    );

    // get shows the status, hashes shortened.
    let text = stdout(&server.fluxdeck(&["get", "ks", "apps"]));
    assert!(
        text.contains("main@sha1:01234567") && text.contains("True"),
        "{text}"
    );

    // get all -A as JSON lists both objects.
    let out = server.fluxdeck(&["get", "all", "-A", "-o", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let kinds: Vec<&str> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["kind"].as_str())
        .collect();
    assert!(
        kinds.contains(&"GitRepository") && kinds.contains(&"Kustomization"),
        "{kinds:?}"
    );

    // tree from the inventory.
    let text = stdout(&server.fluxdeck(&["tree", "kustomization", "apps"]));
    assert_eq!(
        text,
        "Kustomization/flux-system/apps\n└── ConfigMap/flux-system/app-config\n\n"
    );

    // trace finds the owner and its source.
    status_patch(&server, "gitrepository", "fleet", ready_status(1, None));
    let text = stdout(&server.fluxdeck(&["trace", "configmap", "app-config"]));
    assert!(
        text.contains("Kustomization:   apps\n") && text.contains("GitRepository:   fleet\n"),
        "{text}"
    );
    assert!(text.contains("Branch:          main\n"), "{text}");

    // export prints apply-ready YAML.
    let text = stdout(&server.fluxdeck(&["export", "source", "git", "fleet"]));
    assert!(
        text.starts_with("---\napiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"),
        "{text}"
    );
    assert!(!text.contains("status:"), "{text}");

    // unknown object: one clear line and a non-zero exit.
    let out = server.fluxdeck(&["get", "ks", "nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no Kustomization 'nope' found in flux-system namespace"),
        "{}",
        stderr(&out)
    );
}
