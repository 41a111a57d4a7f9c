//! Image automation end to end with real components: a Debian docker-registry on loopback with
//! htpasswd auth (tags pushed over the distribution API), Git over smart HTTP with basic auth,
//! the in-process controllers (run_all) on the embedded store. The loop: push a tag → scan →
//! policy selects → proposal → approve (through the CLI's API path) → templated commit pushed
//! on top of a racing commit → GitRepository fetches → Kustomization applies → the Deployment
//! has the new image. Also rejection, a marker naming a missing policy, malformed YAML, and
//! registry 401 and 500.

use crate::controllers_support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use base64::Engine;
use controllers_support::git_cli::git;
use controllers_support::*;
use fluxdeck::cli::DecideArgs;
use fluxdeck::commands::{Ctx, images};
use fluxdeck::controllers::{ControllerOptions, run_all, source_git};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(60);

fn img(kind: &str, plural: &str) -> kube::api::ApiResource {
    ar("image.toolkit.fluxcd.io", "v1", kind, plural)
}

/// docker-registry with htpasswd (bcrypt) auth on a free loopback port.
fn registry(dir: &Path) -> (Daemon, u16) {
    let port = free_port();
    let st = Command::new("htpasswd")
        .args(["-bcB"])
        .arg(dir.join("htpasswd"))
        .args(["reguser", "regpass"])
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(
        st.success(),
        "htpasswd failed (apt-get install -y apache2-utils)"
    );
    let config = format!(
        "version: 0.1\nstorage: {{filesystem: {{rootdirectory: {}}}, delete: {{enabled: true}}}}\nhttp: {{addr: 127.0.0.1:{port}}}\nauth: {{htpasswd: {{realm: test, path: {}}}}}\nlog: {{level: error}}\n",
        dir.join("data").display(),
        dir.join("htpasswd").display()
    );
    std::fs::write(dir.join("registry.yml"), config).unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(dir.join("registry.yml"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("docker-registry (apt-get install -y docker-registry)");
    wait_port(port);
    (Daemon(child), port)
}

fn wait_port(port: u16) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn push_tags(port: u16) {
    let out = Command::new("python3")
        .arg(shared("tools/push_tags.py"))
        .arg(format!("127.0.0.1:{port}"))
        .args(["team/app", "reguser", "regpass"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Push a new tag: copy an existing manifest under a new name (PUT /v2/<repo>/manifests/<tag>).
async fn push_tag(port: u16, from: &str, to: &str) {
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/v2/team/app/manifests");
    let accept = "application/vnd.oci.image.manifest.v1+json";
    let body = http
        .get(format!("{base}/{from}"))
        .basic_auth("reguser", Some("regpass"))
        .header("Accept", accept)
        .send()
        .await
        .unwrap();
    assert!(body.status().is_success());
    let bytes = body.bytes().await.unwrap();
    let put = http
        .put(format!("{base}/{to}"))
        .basic_auth("reguser", Some("regpass"))
        .header("Content-Type", accept)
        .body(bytes)
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 201);
}

fn dockerconfig(port: u16, user: &str, pass: &str) -> String {
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    base64::engine::general_purpose::STANDARD.encode(format!(
        r#"{{"auths":{{"127.0.0.1:{port}":{{"auth":"{auth}"}}}}}}"#
    ))
}

fn deploy(port: u16, tag: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: flux-system\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n        - name: web\n          # keep this comment\n          image: \"127.0.0.1:{port}/team/app:{tag}\" # {{\"$imagepolicy\": \"flux-system:app\"}}\n"
    )
}

fn ctx(client: &kube::Client) -> Ctx {
    Ctx {
        client: client.clone(),
        namespace: "flux-system".into(),
        context: "test".into(),
        mode: fluxdeck::cluster::connect::Mode::Embedded,
        read_only: false,
        actor: "alice".into(),
        ascii: false,
        embedded: None,
        controllers: None,
    }
}

async fn events(client: &kube::Client, reason: &str) -> Vec<String> {
    let api: kube::Api<k8s_openapi::api::core::v1::Event> =
        kube::Api::namespaced(client.clone(), "flux-system");
    api.list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some(reason))
        .map(|e| e.message.unwrap_or_default())
        .collect()
}

async fn wait_events(client: &kube::Client, reason: &str) -> Vec<String> {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let e = events(client, reason).await;
        if !e.is_empty() || std::time::Instant::now() > deadline {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_pending(client: &kube::Client, new_tag: &str) -> images::Pending {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let p = images::list_pending(client, Some("flux-system"))
            .await
            .unwrap();
        if let Some(p) = p
            .into_iter()
            .find(|p| p.proposal.changes.iter().any(|c| c.new.ends_with(new_tag)))
        {
            return p;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no proposal for {new_tag}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn decide(name: &str) -> DecideArgs {
    DecideArgs {
        name: Some(name.into()),
        all: false,
        timeout: "60s".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scan_select_propose_approve_apply_and_reject() {
    let tmp = tempfile::tempdir().unwrap();
    let (_reg, port) = registry(tmp.path());
    push_tags(port);
    // The fleet repository, served over smart HTTP with basic auth (push enabled).
    let work = tmp.path().join("work");
    commit_files(
        &work,
        &[
            ("apps/deploy.yaml", &deploy(port, "1.2.4")),
            (
                "other/broken.yaml",
                "image: x # {\"$imagepolicy\": \"flux-system:app\"}\n  bad: [\n",
            ),
            (
                "other/missing.yaml",
                "image: a:1 # {\"$imagepolicy\": \"flux-system:nosuch\"}\n",
            ),
        ],
        "initial",
    );
    let repos = tmp.path().join("repos");
    let bare = bare_clone(&work, &repos, "fleet");
    git(&bare, &["config", "http.receivepack", "true"]);
    let (_http, git_port) = git_http(&repos, "gituser:s3cret");
    let url = format!("http://127.0.0.1:{git_port}/fleet.git");

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
    let secrets = ar("", "v1", "Secret", "secrets");
    apply(&client, &secrets, json!({"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": "regcred", "namespace": "flux-system"}, "data": {".dockerconfigjson": dockerconfig(port, "reguser", "regpass")}})).await;
    apply(&client, &secrets, json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "badcred", "namespace": "flux-system"},
        "data": {".dockerconfigjson": dockerconfig(port, "reguser", "wrong")}})).await;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    apply(&client, &secrets, json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "gitcred", "namespace": "flux-system"},
        "data": {"username": b64("gituser"), "password": b64("s3cret")}})).await;
    apply(&client, &source_git::resource(), json!({"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "flux-system"},
        "spec": {"interval": "10m", "url": url, "ref": {"branch": "main"}, "secretRef": {"name": "gitcred"}}})).await;
    let ks = ar(
        "kustomize.toolkit.fluxcd.io",
        "v1",
        "Kustomization",
        "kustomizations",
    );
    apply(&client, &ks, json!({"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system"},
        "spec": {"interval": "10m", "prune": true, "path": "./apps", "sourceRef": {"kind": "GitRepository", "name": "fleet"}}})).await;
    let repo_r = img("ImageRepository", "imagerepositories");
    apply(&client, &repo_r, json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository",
        "metadata": {"name": "app", "namespace": "flux-system"},
        "spec": {"image": format!("127.0.0.1:{port}/team/app"), "interval": "10m", "secretRef": {"name": "regcred"}}})).await;
    let pol_r = img("ImagePolicy", "imagepolicies");
    apply(&client, &pol_r, json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImagePolicy",
        "metadata": {"name": "app", "namespace": "flux-system"},
        "spec": {"imageRepositoryRef": {"name": "app"}, "policy": {"semver": {"range": ">=1.0.0 <2.0.0"}}}})).await;

    // Scan: 50 tags, newest ten in descending byte order, canonical name.
    let repo = wait_for(&client, &repo_r, "flux-system", "app", WAIT, |o| {
        ready_status(o) == Some("True")
    })
    .await;
    assert_eq!(repo["status"]["lastScanResult"]["tagCount"], 50);
    let latest: Vec<String> = repo["status"]["lastScanResult"]["latestTags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut expect = latest.clone();
    expect.sort_by(|a, b| b.cmp(a));
    assert_eq!((latest.len(), &latest), (10, &expect));
    assert_eq!(latest[0], "v2.1.0");
    assert_eq!(
        repo["status"]["canonicalImageName"],
        format!("127.0.0.1:{port}/team/app")
    );
    let pol = wait_for(&client, &pol_r, "flux-system", "app", WAIT, |o| {
        o.pointer("/status/latestRef/tag").is_some()
    })
    .await;
    assert_eq!(
        pol["status"]["latestRef"],
        json!({"name": format!("127.0.0.1:{port}/team/app"), "tag": "1.2.4"})
    );

    let iua_r = img("ImageUpdateAutomation", "imageupdateautomations");
    apply(&client, &iua_r, json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation",
        "metadata": {"name": "auto", "namespace": "flux-system", "annotations": {"fluxdeck.io/approval": "required"}},
        "spec": {"interval": "10m", "sourceRef": {"kind": "GitRepository", "name": "fleet"},
            "git": {"checkout": {"ref": {"branch": "main"}}, "push": {"branch": "main"},
                "commit": {"author": {"name": "Flux Bot", "email": "flux@example.com"},
                    "messageTemplate": "Update {{ .AutomationObject }} ({{ .Values.team }})\n{{ range .Changed.Changes }}- {{ .OldValue }} -> {{ .NewValue }}\n{{ end }}",
                    "messageTemplateValues": {"team": "shop"}}},
            "update": {"path": "./", "strategy": "Setters"}}})).await;
    let iua = wait_for(&client, &iua_r, "flux-system", "auto", WAIT, |o| {
        ready_status(o) == Some("True")
    })
    .await;
    assert_eq!(iua["status"]["observedPolicies"]["app"]["tag"], "1.2.4");
    assert!(
        condition(&iua, "Ready").unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("up-to-date"),
        "{iua}"
    );
    // Malformed YAML is skipped with a warning; a marker naming a missing policy is reported.
    let skipped = wait_events(&client, "SkippedFile").await;
    assert!(
        skipped.iter().any(|m| m.contains("other/broken.yaml")),
        "{skipped:?}"
    );
    let unapplied = wait_events(&client, "MarkerNotApplied").await;
    assert!(
        unapplied
            .iter()
            .any(|m| m.contains("other/missing.yaml") && m.contains("nosuch")),
        "{unapplied:?}"
    );

    // A new tag → rescan → the policy moves → a proposal, nothing pushed.
    let head_before = git(&bare, &["rev-parse", "main"]);
    push_tag(port, "1.2.4", "1.3.0").await;
    request_reconcile(&client, &repo_r, "flux-system", "app", "scan-1").await;
    let p = wait_pending(&client, ":1.3.0").await;
    assert_eq!(p.automation, "auto");
    assert_eq!(p.proposal.changes.len(), 1);
    assert_eq!(p.proposal.changes[0].file, "apps/deploy.yaml");
    assert!(p.proposal.changes[0].old.ends_with(":1.2.4"));
    assert!(
        p.proposal.diff.contains("+++ b/apps/deploy.yaml")
            && p.proposal.diff.contains("+          image: \"127.0.0.1"),
        "{}",
        p.proposal.diff
    );
    assert_eq!(
        p.proposal.message,
        format!(
            "Update flux-system/auto (shop)\n- 127.0.0.1:{port}/team/app:1.2.4 -> 127.0.0.1:{port}/team/app:1.3.0\n"
        )
    );
    assert_eq!(
        git(&bare, &["rev-parse", "main"]),
        head_before,
        "a gated automation must not push"
    );

    // Push race: somebody else pushes to main before the approval.
    commit_files(&work, &[("README.md", "hello\n")], "unrelated change");
    git(
        &work,
        &[
            "push",
            "-q",
            &format!("http://gituser:s3cret@127.0.0.1:{git_port}/fleet.git"),
            "main",
        ],
    );
    let race_head = git(&bare, &["rev-parse", "main"]);

    // Approve through the CLI's API path.
    assert_eq!(
        images::decide(&ctx(&client), &decide("auto"), true)
            .await
            .unwrap(),
        0
    );
    let pushed = git(&bare, &["rev-parse", "main"]);
    assert_eq!(
        git(&bare, &["rev-parse", "main~1"]),
        race_head,
        "the update is replayed on the new head"
    );
    assert_eq!(
        git(&bare, &["log", "-1", "--format=%B", "main"]).trim_end(),
        p.proposal.message.trim_end()
    );
    assert_eq!(
        git(&bare, &["log", "-1", "--format=%an <%ae>", "main"]),
        "Flux Bot <flux@example.com>"
    );
    let file = git(&bare, &["show", "main:apps/deploy.yaml"]);
    assert_eq!(
        format!("{file}\n"),
        deploy(port, "1.3.0"),
        "only the scalar changes"
    );
    assert!(git(&bare, &["show", "main:README.md"]).contains("hello"));
    let iua = wait_for(&client, &iua_r, "flux-system", "auto", WAIT, |o| {
        o.pointer("/status/lastPushCommit").is_some()
    })
    .await;
    assert_eq!(iua["status"]["lastPushCommit"], pushed.as_str());
    let approved = wait_events(&client, "ProposalApproved").await;
    assert!(
        approved
            .iter()
            .any(|m| m.contains("alice") && m.contains(&p.proposal.id)),
        "{approved:?}"
    );

    // The GitRepository fetches the pushed commit, the Kustomization applies it.
    request_reconcile(
        &client,
        &source_git::resource(),
        "flux-system",
        "fleet",
        "after-push",
    )
    .await;
    let dep_r = ar("apps", "v1", "Deployment", "deployments");
    let dep = wait_for(&client, &dep_r, "flux-system", "web", WAIT, |o| {
        o.pointer("/spec/template/spec/containers/0/image")
            .and_then(Value::as_str)
            .is_some_and(|i| i.ends_with(":1.3.0"))
    })
    .await;
    assert_eq!(
        dep["spec"]["template"]["spec"]["containers"][0]["image"],
        format!("127.0.0.1:{port}/team/app:1.3.0")
    );

    // Rejection: 1.4.0 is proposed, rejected, and not proposed again; 1.5.0 is.
    push_tag(port, "1.2.4", "1.4.0").await;
    request_reconcile(&client, &repo_r, "flux-system", "app", "scan-2").await;
    let p14 = wait_pending(&client, ":1.4.0").await;
    assert_eq!(
        images::decide(&ctx(&client), &decide("auto"), false)
            .await
            .unwrap(),
        0
    );
    request_reconcile(&client, &iua_r, "flux-system", "auto", "after-reject").await;
    let iua = wait_for(&client, &iua_r, "flux-system", "auto", WAIT, |o| {
        condition(o, "Ready")
            .and_then(|c| c["message"].as_str())
            .is_some_and(|m| m.contains("rejected"))
    })
    .await;
    assert!(
        images::list_pending(&client, Some("flux-system"))
            .await
            .unwrap()
            .is_empty(),
        "{iua}"
    );
    let rejected = wait_events(&client, "ProposalRejected").await;
    assert!(
        rejected
            .iter()
            .any(|m| m.contains(&p14.proposal.id) && m.contains("alice")),
        "{rejected:?}"
    );
    assert_eq!(git(&bare, &["rev-parse", "main"]), pushed);
    push_tag(port, "1.2.4", "1.5.0").await;
    request_reconcile(&client, &repo_r, "flux-system", "app", "scan-3").await;
    wait_pending(&client, ":1.5.0").await;

    // Registry 401: wrong credentials give a clear AuthenticationFailed.
    apply(&client, &repo_r, json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository",
        "metadata": {"name": "denied", "namespace": "flux-system"},
        "spec": {"image": format!("127.0.0.1:{port}/team/app"), "interval": "10m", "secretRef": {"name": "badcred"}}})).await;
    let denied = wait_for(&client, &repo_r, "flux-system", "denied", WAIT, |o| {
        ready_status(o) == Some("False")
    })
    .await;
    let c = condition(&denied, "Ready").unwrap();
    assert_eq!(c["reason"], "AuthenticationFailed");
    assert!(
        c["message"].as_str().unwrap().contains("401")
            && c["message"].as_str().unwrap().contains("spec.secretRef"),
        "{c}"
    );
}

/// A registry answering HTTP 500 (a loopback server standing in for a failing registry).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_500_is_a_clear_read_failure() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        while let Ok((mut s, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf).await;
            let body = "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"storage backend down\"}]}";
            let _ = s.write_all(format!("HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len()).as_bytes()).await;
        }
    });
    let (_store, client) = cluster().await;
    let data = tempfile::tempdir().unwrap();
    let _handle = run_all(
        client.clone(),
        ControllerOptions::new(data.path().to_path_buf(), true),
    )
    .await
    .unwrap();
    let repo_r = img("ImageRepository", "imagerepositories");
    apply(
        &client,
        &repo_r,
        json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository",
        "metadata": {"name": "broken", "namespace": "default"},
        "spec": {"image": format!("127.0.0.1:{port}/team/app"), "interval": "10m"}}),
    )
    .await;
    let obj = wait_for(&client, &repo_r, "default", "broken", WAIT, |o| {
        ready_status(o) == Some("False")
    })
    .await;
    let c = condition(&obj, "Ready").unwrap();
    assert_eq!(c["reason"], "ReadOperationFailed");
    let m = c["message"].as_str().unwrap();
    assert!(
        m.contains("HTTP 500") && m.contains("storage backend down"),
        "{m}"
    );
    // A policy over a repository that is not ready waits for it.
    let pol_r = img("ImagePolicy", "imagepolicies");
    apply(
        &client,
        &pol_r,
        json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImagePolicy",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"imageRepositoryRef": {"name": "broken"}, "policy": {"alphabetical": {}}}}),
    )
    .await;
    let pol = wait_for(&client, &pol_r, "default", "p", WAIT, |o| {
        ready_status(o) == Some("False")
    })
    .await;
    let c = condition(&pol, "Ready").unwrap();
    assert_eq!(c["reason"], "DependencyNotReady");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("'default/broken' is not ready"),
        "{c}"
    );
    // A signing key Secret without `git.asc` stalls naming the field (no unsigned pushes).
    apply(
        &client,
        &ar("", "v1", "Secret", "secrets"),
        json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "gpg", "namespace": "default"},
        "data": {"passphrase": base64::engine::general_purpose::STANDARD.encode("x")}}),
    )
    .await;
    let iua_r = img("ImageUpdateAutomation", "imageupdateautomations");
    apply(&client, &iua_r, json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation",
        "metadata": {"name": "signed", "namespace": "default"},
        "spec": {"interval": "10m", "sourceRef": {"kind": "GitRepository", "name": "x"},
            "git": {"commit": {"author": {"email": "a@b.c"}, "signingKey": {"secretRef": {"name": "gpg"}}}}}})).await;
    let iua = wait_for(&client, &iua_r, "default", "signed", WAIT, |o| {
        condition(o, "Stalled").is_some()
    })
    .await;
    let c = condition(&iua, "Ready").unwrap();
    assert!(
        c["message"].as_str().unwrap().contains(
            "spec.git.commit.signingKey.secretRef: Secret 'default/gpg' has no 'git.asc' key"
        ),
        "{c}"
    );
}
