//! GitRepository controller against the embedded store with real Git servers: local
//! repositories (file:// and plain paths), `git daemon` (git://), smart HTTP with basic auth.

use crate::controllers_support;

use std::collections::BTreeSet;
use std::io::Read;
use std::time::Duration;

use controllers_support::source_env::*;
use controllers_support::*;
use fluxdeck::controllers::artifact;
use fluxdeck::controllers::source_git;
use fluxdeck::engine::kstatus::Status;
use serde_json::json;

const WAIT: Duration = SOURCE_WAIT;

fn archive_files(bytes: &[u8]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut a = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let mut s = String::new();
        let _ = e.read_to_string(&mut s);
        out.insert(e.path().unwrap().display().to_string());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_repository_artifact_with_ignore_rules_and_new_commits() {
    let env = start().await;
    let repo = tempfile::tempdir().unwrap();
    let first = commit_files(
        repo.path(),
        &[
            ("apps/app.yaml", "kind: ConfigMap\n"),
            ("apps/notes.md", "notes"),
            ("docs/readme.txt", "docs"),
            ("logo.png", "png"),
            (".sourceignore", "docs/\n"),
            (".github/workflows/ci.yaml", "on: push"),
        ],
        "first commit",
    );
    let url = format!("file://{}", repo.path().display());
    apply(
        &env.client,
        &source_git::resource(),
        gitrepo("app", &url, json!({"ignore": "*.md\n"})),
    )
    .await;
    let obj = ready_gitrepo(&env, "app").await;
    let artifact = &obj["status"]["artifact"];
    assert_eq!(artifact["revision"], format!("main@sha1:{first}"));
    assert_eq!(
        artifact["path"],
        format!("gitrepository/default/app/{first}.tar.gz")
    );
    assert_eq!(
        condition(&obj, "Ready").unwrap()["message"],
        format!("stored artifact for revision 'main@sha1:{first}'")
    );
    assert_eq!(
        condition(&obj, "ArtifactInStorage").unwrap()["status"],
        "True"
    );
    assert_eq!(obj["status"]["observedIgnore"], "*.md\n");
    // Served by URL, digest-checked by the consumer side.
    let http = reqwest::Client::new();
    let bytes = artifact::fetch(
        None,
        &http,
        artifact["url"].as_str().unwrap(),
        artifact["digest"].as_str().unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(artifact["size"], bytes.len());
    let files = archive_files(&bytes);
    assert_eq!(
        files,
        BTreeSet::from(["apps/app.yaml".to_string(), ".sourceignore".to_string()])
    );
    assert!(env.storage.verify(artifact));

    // A new commit plus a reconcile request gives a new artifact.
    let second = commit_files(
        repo.path(),
        &[("apps/two.yaml", "kind: Secret\n")],
        "second",
    );
    request_reconcile(&env.client, &source_git::resource(), "default", "app", "t1").await;
    let obj = wait_for(
        &env.client,
        &source_git::resource(),
        "default",
        "app",
        WAIT,
        |o| o["status"]["lastHandledReconcileAt"] == "t1",
    )
    .await;
    assert_eq!(
        obj["status"]["artifact"]["revision"],
        format!("main@sha1:{second}")
    );
    assert_eq!(
        obj["status"]["observedGeneration"],
        obj["metadata"]["generation"]
    );
    assert_eq!(kstatus(&obj), Status::Current);
    // Events with Flux's reason and component.
    wait_event(&env.client, "default", WAIT, |e| {
        e.reason.as_deref() == Some("NewArtifact")
            && e.source.as_ref().and_then(|s| s.component.as_deref()) == Some("source-controller")
            && e.message.as_deref() == Some("stored artifact for commit 'second'")
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_daemon_tags_semver_commit_and_a_remote_that_goes_down() {
    let env = start().await;
    let work = tempfile::tempdir().unwrap();
    let c1 = commit_files(work.path(), &[("a.yaml", "v: 1\n")], "one");
    tag(work.path(), "v1.0.0");
    let c2 = commit_files(work.path(), &[("a.yaml", "v: 2\n")], "two");
    tag(work.path(), "v1.1.0");
    let c3 = commit_files(work.path(), &[("a.yaml", "v: 3\n")], "three");
    tag(work.path(), "v2.0.0");
    let served = tempfile::tempdir().unwrap();
    bare_clone(work.path(), served.path(), "fleet");
    let (daemon, port) = git_daemon(served.path());
    let url = format!("git://127.0.0.1:{port}/fleet.git");
    let r = source_git::resource();
    apply(
        &env.client,
        &r,
        gitrepo("tag", &url, json!({"ref": {"tag": "v1.0.0"}})),
    )
    .await;
    apply(
        &env.client,
        &r,
        gitrepo("semver", &url, json!({"ref": {"semver": "~1"}})),
    )
    .await;
    apply(
        &env.client,
        &r,
        gitrepo(
            "commit",
            &url,
            json!({"ref": {"branch": "main", "commit": c2}}),
        ),
    )
    .await;
    apply(&env.client, &r, gitrepo("branch", &url, json!({}))).await;
    let tag_obj = ready_gitrepo(&env, "tag").await;
    assert_eq!(
        tag_obj["status"]["artifact"]["revision"],
        format!("v1.0.0@sha1:{c1}")
    );
    let semver = ready_gitrepo(&env, "semver").await;
    assert_eq!(
        semver["status"]["artifact"]["revision"],
        format!("v1.1.0@sha1:{c2}")
    );
    let commit = ready_gitrepo(&env, "commit").await;
    assert_eq!(
        commit["status"]["artifact"]["revision"],
        format!("main@sha1:{c2}")
    );
    let branch = ready_gitrepo(&env, "branch").await;
    assert_eq!(
        branch["status"]["artifact"]["revision"],
        format!("main@sha1:{c3}")
    );

    // The server goes away: Ready=False with the reason, the last artifact stays.
    drop(daemon);
    let before = branch["status"]["artifact"].clone();
    request_reconcile(&env.client, &r, "default", "branch", "down").await;
    let down = wait_for(&env.client, &r, "default", "branch", WAIT, |o| {
        o["status"]["lastHandledReconcileAt"] == "down"
    })
    .await;
    assert_eq!(ready_status(&down), Some("False"));
    let ready = condition(&down, "Ready").unwrap();
    assert_eq!(ready["reason"], "GitOperationFailed");
    assert!(ready["message"].as_str().unwrap().contains(&url), "{ready}");
    assert_eq!(condition(&down, "FetchFailed").unwrap()["status"], "True");
    assert_eq!(down["status"]["artifact"], before, "last artifact kept");
    assert!(env.storage.verify(&before));
    assert_eq!(kstatus(&down), Status::InProgress);
    assert_eq!(kstatus(&tag_obj), Status::Current);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smart_http_basic_auth_from_secret_ref() {
    let env = start().await;
    let work = tempfile::tempdir().unwrap();
    let c1 = commit_files(work.path(), &[("x.yaml", "x: 1\n")], "one");
    let served = tempfile::tempdir().unwrap();
    bare_clone(work.path(), served.path(), "private");
    let (_http, port) = git_http(served.path(), "gituser:s3cret");
    let url = format!("http://127.0.0.1:{port}/private.git");
    let secrets = ar("", "v1", "Secret", "secrets");
    apply(
        &env.client,
        &secrets,
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": "creds", "namespace": "default"},
               "stringData": {"username": "gituser", "password": "s3cret"}}),
    )
    .await;
    let r = source_git::resource();
    apply(
        &env.client,
        &r,
        gitrepo("authed", &url, json!({"secretRef": {"name": "creds"}})),
    )
    .await;
    apply(&env.client, &r, gitrepo("anonymous", &url, json!({}))).await;
    let ok = ready_gitrepo(&env, "authed").await;
    assert_eq!(
        ok["status"]["artifact"]["revision"],
        format!("main@sha1:{c1}")
    );
    assert_eq!(kstatus(&ok), Status::Current);
    let denied = wait_for(&env.client, &r, "default", "anonymous", WAIT, |o| {
        ready_status(o) == Some("False")
    })
    .await;
    let msg = condition(&denied, "Ready").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(msg.contains(&url), "{msg}");
    assert!(!msg.contains("s3cret"));
    assert_eq!(kstatus(&denied), Status::InProgress);

    // Missing secret is named in the message.
    apply(
        &env.client,
        &r,
        gitrepo("nosecret", &url, json!({"secretRef": {"name": "absent"}})),
    )
    .await;
    let missing = wait_for(&env.client, &r, "default", "nosecret", WAIT, |o| {
        ready_status(o) == Some("False")
    })
    .await;
    let cond = condition(&missing, "Ready").unwrap();
    assert_eq!(cond["reason"], "AuthenticationFailed");
    assert!(cond["message"].as_str().unwrap().contains("default/absent"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suspend_and_invalid_specs() {
    let env = start().await;
    let repo = tempfile::tempdir().unwrap();
    commit_files(repo.path(), &[("a.yaml", "a: 1\n")], "one");
    let r = source_git::resource();
    let path = repo.path().display().to_string();
    apply(&env.client, &r, gitrepo("plain", &path, json!({}))).await;
    let plain = ready_gitrepo(&env, "plain").await;
    assert_eq!(kstatus(&plain), Status::Current);
    apply(
        &env.client,
        &r,
        gitrepo("badref", &path, json!({"ref": {"semver": "><"}})),
    )
    .await;
    let bad = wait_for(&env.client, &r, "default", "badref", WAIT, |o| {
        condition(o, "Stalled").is_some()
    })
    .await;
    assert!(
        condition(&bad, "Ready").unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("spec.ref.semver")
    );
    assert_eq!(kstatus(&bad), Status::Failed);
    apply(
        &env.client,
        &r,
        gitrepo("paused", &path, json!({"suspend": true})),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let paused = get(&env.client, &r, "default", "paused").await.unwrap();
    assert!(paused["status"].get("artifact").is_none());
    assert!(condition(&paused, "Ready").is_none());
}
