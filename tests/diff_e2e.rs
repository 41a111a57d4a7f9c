//! `fluxdeck diff kustomization` end to end: a real `fluxdeck server` (in-process controllers),
//! a real Git repository, real kubectl edits, a Secret encrypted with the real sops and age
//! binaries. Covers: no change → exit 0; a live edit → the field, exit 1; a file deleted
//! from Git → would-be-pruned; a changed SOPS Secret → masked diff, no plain value or its
//! base64 anywhere in the output; a broken build → exit 2 with the build error.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::git_cli::git;
use common::{Server, stderr, stdout};

const OLD_SECRET: &str = "s3cr3t-plain-old-value";
const NEW_SECRET: &str = "n3w-plain-secret-value";

fn commit_all(dir: &Path, msg: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", msg]);
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn cm(name: &str, color: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: drift\ndata:\n  color: {color}\n"
    )
}

/// A Secret encrypted by the real sops binary with the age recipient of `key`.
fn encrypted_secret(work: &Path, key: &Path, value: &str) -> String {
    let recipient = Command::new("age-keygen")
        .arg("-y")
        .arg(key)
        .output()
        .expect("age-keygen -y");
    assert!(recipient.status.success());
    let recipient = String::from_utf8(recipient.stdout).unwrap();
    let plain = work.join("secret.yaml");
    std::fs::write(
        &plain,
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: drift-secret\n  namespace: drift\ntype: Opaque\nstringData:\n  password: {value}\n"
        ),
    )
    .unwrap();
    let out = Command::new("sops")
        .current_dir(work)
        .args(["--encrypt", "--age", recipient.trim()])
        .args(["--encrypted-regex", "^(data|stringData)$"])
        .arg(&plain)
        .output()
        .expect("sops --encrypt");
    assert!(
        out.status.success(),
        "sops: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(&plain).unwrap();
    String::from_utf8(out.stdout).unwrap()
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn all_output(o: &Output) -> String {
    format!("{}{}", stdout(o), stderr(o))
}

fn assert_no_secret(text: &str) {
    for plain in [OLD_SECRET, NEW_SECRET] {
        assert!(!text.contains(plain), "plain secret value leaked:\n{text}");
        assert!(
            !text.contains(&b64(plain)),
            "base64 secret value leaked:\n{text}"
        );
    }
}

fn wait_ready(server: &Server, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(90);
    let jp = "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}";
    loop {
        let out = server.kubectl(&["-n", "flux-system", "get", "kustomization", name, "-o", jp]);
        if stdout(&out).trim() == "True" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "Kustomization {name} not ready: {}",
            server.kubectl_ok(&[
                "-n",
                "flux-system",
                "get",
                "kustomization",
                name,
                "-o",
                "yaml"
            ])
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn drift_of_a_live_kustomization_with_kubectl_git_and_sops() {
    let server = Server::start(&[]);
    let work = tempfile::tempdir().unwrap();
    let repo = work.path().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    let key = work.path().join("age.agekey");
    let gen_key = Command::new("age-keygen")
        .arg("-o")
        .arg(&key)
        .output()
        .unwrap();
    assert!(gen_key.status.success());
    write(
        &repo,
        "app/ns.yaml",
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: drift\n",
    );
    write(&repo, "app/cm.yaml", &cm("drift-cm", "blue"));
    write(&repo, "app/extra.yaml", &cm("drift-extra", "green"));
    write(
        &repo,
        "app/secret.enc.yaml",
        &encrypted_secret(work.path(), &key, OLD_SECRET),
    );
    commit_all(&repo, "initial");

    server.kubectl_ok(&[
        "-n",
        "flux-system",
        "create",
        "secret",
        "generic",
        "sops-age",
        &format!("--from-file=age.agekey={}", key.display()),
    ]);
    let manifests = work.path().join("flux.yaml");
    std::fs::write(
        &manifests,
        format!(
            "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: drift-repo\n  namespace: flux-system\nspec:\n  interval: 10m\n  url: file://{}\n  ref:\n    branch: main\n---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: drift\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./app\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: drift-repo\n  decryption:\n    provider: sops\n    secretRef:\n      name: sops-age\n",
            repo.display()
        ),
    )
    .unwrap();
    server.kubectl_ok(&["apply", "-f", manifests.to_str().unwrap()]);
    wait_ready(&server, "drift");
    assert_eq!(
        server.kubectl_ok(&[
            "-n",
            "drift",
            "get",
            "configmap",
            "drift-cm",
            "-o",
            "jsonpath={.data.color}"
        ]),
        "blue"
    );

    // No change: exit 0, nothing listed.
    let out = server.fluxdeck(&["diff", "kustomization", "drift"]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    assert!(!stdout(&out).contains('►'), "{}", stdout(&out));

    // A live edit with kubectl: the field is shown, exit 1.
    server.kubectl_ok(&[
        "-n",
        "drift",
        "patch",
        "configmap",
        "drift-cm",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"color":"red"}}"#,
    ]);
    let out = server.fluxdeck(&["diff", "kustomization", "drift"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(
        text.contains("► ConfigMap/drift/drift-cm drifted"),
        "{text}"
    );
    assert!(text.contains("data.color"), "{text}");
    assert!(text.contains("- red") && text.contains("+ blue"), "{text}");

    // A file deleted from Git: the object is shown as would-be-pruned.
    git(&repo, &["rm", "-q", "app/extra.yaml"]);
    commit_all(&repo, "drop extra");
    let out = server.fluxdeck(&["diff", "kustomization", "drift", "--revision", "main"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{}", all_output(&out));
    assert!(
        text.contains("► ConfigMap/drift/drift-extra deleted"),
        "{text}"
    );

    // A changed SOPS-encrypted Secret: masked, in every output format.
    write(
        &repo,
        "app/secret.enc.yaml",
        &encrypted_secret(work.path(), &key, NEW_SECRET),
    );
    commit_all(&repo, "rotate secret");
    let mut seen_secret = false;
    for format in ["text", "json", "markdown"] {
        let out = server.fluxdeck(&[
            "diff",
            "kustomization",
            "drift",
            "--revision",
            "main",
            "-o",
            format,
        ]);
        let text = all_output(&out);
        assert_eq!(out.status.code(), Some(1), "{text}");
        assert_no_secret(&text);
        assert!(text.contains("drift-secret"), "{format}: {text}");
        assert!(
            text.contains("***"),
            "{format}: masked values expected: {text}"
        );
        seen_secret = true;
    }
    assert!(seen_secret);
    let out = server.fluxdeck(&["diff", "kustomization", "drift", "--revision", "main"]);
    assert!(
        stdout(&out).contains("► Secret/drift/drift-secret drifted"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("*** (before)") && stdout(&out).contains("*** (after)"));

    // A broken build: exit 2 with the build error.
    write(
        &repo,
        "app/kustomization.yaml",
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - cm.yaml\n  - missing-file.yaml\n",
    );
    commit_all(&repo, "break the build");
    let out = server.fluxdeck(&["diff", "kustomization", "drift", "--revision", "main"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert!(
        err.contains("BuildFailed") && err.contains("missing-file.yaml"),
        "{err}"
    );
}

/// The console's backend computes drift off the UI thread: `Command::Drift` reports the
/// summary and the snapshot carries the report; background detection finds drift by itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_backend_publishes_drift_reports() {
    use fluxdeck::tui::backend::{
        Backend, Command as TuiCommand, ContextInfo, Mode, ObjectRef, Progress,
    };
    let server = Server::start(&[]);
    let kc = kube::config::Kubeconfig::read_from(&server.kubeconfig).unwrap();
    let cfg = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let client = kube::Client::try_from(cfg).unwrap();
    wait_ready(&server, "apps");
    server.kubectl_ok(&[
        "-n",
        "podinfo",
        "patch",
        "deployment",
        "podinfo",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"replicas":7}}"#,
    ]);
    let context = ContextInfo {
        name: "test".into(),
        namespace: None,
        mode: Mode::Cluster,
        read_only: false,
    };
    let backend = fluxdeck::app::console::ClusterBackend::start(client, context, "test".into())
        .await
        .unwrap();
    let apps = ObjectRef::new("Kustomization", "flux-system", "apps");
    let mut rx = backend.submit(TuiCommand::Drift {
        target: apps.clone(),
    });
    let mut last = None;
    while let Some(p) = rx.recv().await {
        last = Some(p);
    }
    match last {
        Some(Progress::Done(text)) => assert!(text.contains("1 drifted"), "{text}"),
        other => panic!("drift command ended with {other:?}"),
    }
    let snap = backend.snapshot();
    let status = snap.drift.get(&apps).expect("report in the snapshot");
    assert!(status.has_changes());

    // Background detection on its own finds the drift of infra-controllers after an edit.
    server.kubectl_ok(&[
        "-n",
        "ingress-nginx",
        "patch",
        "deployment",
        "ingress-nginx-controller",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"replicas":4}}"#,
    ]);
    backend.start_drift_detection(Duration::from_millis(500));
    let infra = ObjectRef::new("Kustomization", "flux-system", "infra-controllers");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if backend
            .snapshot()
            .drift
            .get(&infra)
            .is_some_and(|d| d.has_changes())
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no background drift report for {infra}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
