//! Signed image-update commits (spec.git.commit.signingKey): a real OpenPGP key made by gpg,
//! its armored private key and passphrase in a Secret (`git.asc`, `passphrase`), a real
//! registry (fluxdeck's demo registry over loopback HTTP), Git over smart HTTP. The pushed
//! commit carries a `gpgsig` header that `git verify-commit` accepts with the public key; the
//! message template uses sprig functions.

use crate::controllers_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;
use controllers_support::*;
use fluxdeck::controllers::{ControllerOptions, run_all, source_git};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(60);

fn gpg(home: &Path, args: &[&str]) -> String {
    let out = Command::new("gpg")
        .arg("--homedir")
        .arg(home)
        .args(["--batch", "--no-tty"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("gpg (apt-get install gnupg)");
    assert!(
        out.status.success(),
        "gpg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn git(dir: &Path, home: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GNUPGHOME", home)
        .output()
        .unwrap();
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn commits_are_signed_with_the_secret_key() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("gnupg");
    std::fs::create_dir_all(&home).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    gpg(
        &home,
        &[
            "--passphrase",
            "s3cret-pass",
            "--pinentry-mode",
            "loopback",
            "--quick-gen-key",
            "Flux Bot <flux@example.com>",
            "ed25519",
            "sign",
            "never",
        ],
    );
    let armored = gpg(
        &home,
        &[
            "--passphrase",
            "s3cret-pass",
            "--pinentry-mode",
            "loopback",
            "--armor",
            "--export-secret-keys",
            "flux@example.com",
        ],
    );
    assert!(armored.contains("BEGIN PGP PRIVATE KEY BLOCK"));

    let registry = fluxdeck::app::demo_registry::start().await.unwrap();
    let work = tmp.path().join("work");
    commit_files(
        &work,
        &[(
            "apps/app.yaml",
            "image: ghcr.io/stefanprodan/podinfo:6.7.0 # {\"$imagepolicy\": \"flux-system:podinfo\"}\n",
        )],
        "initial",
    );
    let repos = tmp.path().join("repos");
    let bare = bare_clone(&work, &repos, "fleet");
    let (ok, out) = git(&bare, &home, &["config", "http.receivepack", "true"]);
    assert!(ok, "{out}");
    let (_http, port) = git_http(&repos, "gituser:s3cret");

    let (_store, client) = cluster().await;
    let data = tempfile::tempdir().unwrap();
    let mut opts = ControllerOptions::new(data.path().to_path_buf(), true);
    opts.rollout_delay = Duration::ZERO;
    let _handle = run_all(client.clone(), opts).await.unwrap();
    apply(
        &client,
        &ar("", "v1", "Namespace", "namespaces"),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}}),
    )
    .await;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let secrets = ar("", "v1", "Secret", "secrets");
    apply(
        &client,
        &secrets,
        json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "gitcred", "namespace": "flux-system"},
        "data": {"username": b64("gituser"), "password": b64("s3cret")}}),
    )
    .await;
    apply(
        &client,
        &secrets,
        json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "signing", "namespace": "flux-system"},
        "data": {"git.asc": b64(&armored), "passphrase": b64("s3cret-pass")}}),
    )
    .await;
    apply(
        &client,
        &source_git::resource(),
        json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "flux-system"},
        "spec": {"interval": "10m", "url": format!("http://127.0.0.1:{port}/fleet.git"),
                 "ref": {"branch": "main"}, "secretRef": {"name": "gitcred"}}}),
    )
    .await;
    let img = |k: &str, p: &str| ar("image.toolkit.fluxcd.io", "v1", k, p);
    apply(
        &client,
        &img("ImageRepository", "imagerepositories"),
        json!({"apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImageRepository", "metadata": {"name": "podinfo", "namespace": "flux-system"},
        "spec": {"image": format!("{registry}/demo/podinfo"), "interval": "10m"}}),
    )
    .await;
    apply(&client, &img("ImagePolicy", "imagepolicies"), json!({"apiVersion": "image.toolkit.fluxcd.io/v1",
        "kind": "ImagePolicy", "metadata": {"name": "podinfo", "namespace": "flux-system"},
        "spec": {"imageRepositoryRef": {"name": "podinfo"}, "policy": {"semver": {"range": "6.7.x"}}}})).await;
    let iua_r = img("ImageUpdateAutomation", "imageupdateautomations");
    apply(&client, &iua_r, json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation",
        "metadata": {"name": "signed", "namespace": "flux-system"},
        "spec": {"interval": "10m", "sourceRef": {"kind": "GitRepository", "name": "fleet"},
            "git": {"checkout": {"ref": {"branch": "main"}}, "push": {"branch": "main"},
                "commit": {"author": {"name": "Flux Bot", "email": "flux@example.com"},
                    "signingKey": {"secretRef": {"name": "signing"}},
                    "messageTemplate": "{{ .AutomationObject.Name | upper }}: {{ range .Changed.Changes }}{{ .NewValue | trunc -5 }}{{ end }} ({{ .Values.team | default \"platform\" }})"}},
            "update": {"path": "./apps", "strategy": "Setters"}}})).await;
    let iua = wait_for(&client, &iua_r, "flux-system", "signed", WAIT, |o| {
        o.pointer("/status/lastPushCommit").is_some()
    })
    .await;
    let commit = iua["status"]["lastPushCommit"]
        .as_str()
        .unwrap()
        .to_string();
    let (ok, msg) = git(&bare, &home, &["log", "-1", "--format=%B", &commit]);
    assert!(ok, "{msg}");
    assert_eq!(msg.trim(), "SIGNED: 6.7.1 (platform)");
    let (ok, raw) = git(&bare, &home, &["cat-file", "commit", &commit]);
    assert!(
        ok && raw.contains("gpgsig -----BEGIN PGP SIGNATURE-----"),
        "{raw}"
    );
    let (ok, verify) = git(&bare, &home, &["verify-commit", "-v", &commit]);
    assert!(ok, "git verify-commit failed: {verify}");
    assert!(
        verify.contains("Good signature from \"Flux Bot <flux@example.com>\""),
        "{verify}"
    );

    // An SSH signing key stalls naming the field.
    apply(&client, &iua_r, json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation",
        "metadata": {"name": "ssh-signed", "namespace": "flux-system"},
        "spec": {"interval": "10m", "sourceRef": {"kind": "GitRepository", "name": "fleet"},
            "git": {"commit": {"author": {"email": "a@b.c"}, "signingKey": {"type": "ssh", "secretRef": {"name": "signing"}}}}}})).await;
    let stalled = wait_for(&client, &iua_r, "flux-system", "ssh-signed", WAIT, |o| {
        condition(o, "Stalled").is_some()
    })
    .await;
    let c = condition(&stalled, "Ready").unwrap();
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("spec.git.commit.signingKey.type 'ssh' is not supported"),
        "{c}"
    );
}
