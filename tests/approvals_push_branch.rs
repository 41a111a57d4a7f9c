//! Push-branch approvals against a real Git server (smart HTTP with basic auth, credentials
//! from the GitRepository's secretRef), with no in-process controllers: the commits on the
//! push branch are made by `git` itself, as real Flux's image-automation-controller would.
//! The console backend lists them in its snapshot; approving merges them into the checkout
//! branch — fast-forward, then a real merge commit after main moved — a conflict is refused
//! and a push branch that moved since it was shown is not merged.

use crate::controllers_support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine;
use controllers_support::git_cli::git;
use controllers_support::*;
use fluxdeck::app::console::ClusterBackend;
use fluxdeck::cluster::approvals::{self, ApprovalError, Decision};
use fluxdeck::cluster::progress::CollectingReporter;
use fluxdeck::tui::backend::{
    Backend, Command as UiCommand, ContextInfo, Mode, ObjectRef, Progress,
};
use fluxdeck::tui::model::approvals::ApprovalSource;
use serde_json::json;

fn deploy(tag: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:{tag} # {{\"$imagepolicy\": \"flux-system:web\"}}\n"
    )
}

/// Commit `files` in the clone `work` on `branch` and push it.
fn push_commit(work: &Path, branch: &str, files: &[(&str, &str)], message: &str) -> String {
    git(work, &["checkout", "-q", branch]);
    for (rel, text) in files {
        std::fs::create_dir_all(work.join(rel).parent().unwrap()).unwrap();
        std::fs::write(work.join(rel), text).unwrap();
    }
    git(work, &["add", "-A"]);
    git(work, &["commit", "-q", "-m", message]);
    git(work, &["push", "-q", "origin", branch]);
    git(work, &["rev-parse", "HEAD"])
}

fn decision<'a>(approve: bool, expect: Option<&'a str>) -> Decision<'a> {
    Decision {
        namespace: "flux-system",
        automation: "web",
        approve,
        expect,
        actor: "alice",
        timeout: Duration::from_secs(30),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn push_branch_commits_are_listed_and_merged_never_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = tmp.path().join("seed");
    commit_files(
        &seed,
        &[
            ("apps/web.yaml", &deploy("1.0.0")),
            ("README.md", "fleet\n"),
        ],
        "initial",
    );
    let repos = tmp.path().join("repos");
    let bare = bare_clone(&seed, &repos, "fleet");
    git(&bare, &["config", "http.receivepack", "true"]);
    let (_http, port) = git_http(&repos, "gituser:s3cret");
    let remote = format!("http://gituser:s3cret@127.0.0.1:{port}/fleet.git");
    let work = tmp.path().join("work");
    let out = Command::new("git")
        .args(["clone", "-q", &remote])
        .arg(&work)
        .output()
        .unwrap();
    assert!(out.status.success());
    git(&work, &["checkout", "-q", "-b", "flux/updates"]);
    git(&work, &["push", "-q", "origin", "flux/updates"]);
    let head1 = push_commit(
        &work,
        "flux/updates",
        &[("apps/web.yaml", &deploy("1.1.0"))],
        "Update web to 1.1.0",
    );

    let (_store, client) = cluster().await;
    apply(
        &client,
        &ar("", "v1", "Namespace", "namespaces"),
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "flux-system"}}),
    )
    .await;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    apply(
        &client,
        &ar("", "v1", "Secret", "secrets"),
        json!({"apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": "gitcred", "namespace": "flux-system"},
        "data": {"username": b64("gituser"), "password": b64("s3cret")}}),
    )
    .await;
    apply(
        &client,
        &fluxdeck::controllers::source_git::resource(),
        json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
        "metadata": {"name": "fleet", "namespace": "flux-system"},
        "spec": {"interval": "10m", "url": format!("http://127.0.0.1:{port}/fleet.git"),
                 "ref": {"branch": "main"}, "secretRef": {"name": "gitcred"}}}),
    )
    .await;
    let iua_r = ar(
        "image.toolkit.fluxcd.io",
        "v1",
        "ImageUpdateAutomation",
        "imageupdateautomations",
    );
    apply(
        &client,
        &iua_r,
        json!({"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation",
        "metadata": {"name": "web", "namespace": "flux-system"},
        "spec": {"interval": "10m", "sourceRef": {"kind": "GitRepository", "name": "fleet"},
            "git": {"checkout": {"ref": {"branch": "main"}}, "push": {"branch": "flux/updates"},
                "commit": {"author": {"name": "Flux Bot", "email": "flux@example.com"}}},
            "update": {"path": "./apps", "strategy": "Setters"}}}),
    )
    .await;

    // The console backend lists the push-branch commits in its snapshot.
    let backend = ClusterBackend::start(
        client.clone(),
        ContextInfo {
            name: "test".into(),
            namespace: None,
            mode: Mode::Cluster,
            read_only: false,
        },
        "alice".into(),
    )
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let row = loop {
        if let Some(a) = backend.snapshot().approvals.first().cloned() {
            break a;
        }
        assert!(
            Instant::now() < deadline,
            "no push-branch row in the snapshot"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        row.source,
        ApprovalSource::PushBranch {
            branch: "flux/updates".into(),
            into: "main".into()
        }
    );
    assert_eq!(row.id, head1);
    assert_eq!(row.files, vec!["apps/web.yaml"]);
    assert_eq!(
        row.images,
        vec![(
            "ghcr.io/acme/web:1.0.0".to_string(),
            "ghcr.io/acme/web:1.1.0".to_string()
        )]
    );
    assert_eq!(row.policies, vec!["flux-system:web"]);
    assert_eq!(row.commits.len(), 1);
    assert!(row.commits[0].ends_with("Update web to 1.1.0"));
    assert!(
        row.diff
            .contains("+          image: ghcr.io/acme/web:1.1.0"),
        "{}",
        row.diff
    );

    // `a` in the console: a fast-forward of main, pushed.
    let mut rx = backend.submit(UiCommand::Approve {
        target: ObjectRef::new("ImageUpdateAutomation", "flux-system", "web"),
        id: head1.clone(),
    });
    let mut last = None;
    while let Some(p) = rx.recv().await {
        last = Some(p);
    }
    match last {
        Some(Progress::Done(m)) => assert!(m.contains("fast-forwarded 1 commit(s)"), "{m}"),
        other => panic!("approve did not finish: {other:?}"),
    }
    assert_eq!(git(&bare, &["rev-parse", "main"]), head1);
    // The row disappears once nothing is ahead.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !backend.snapshot().approvals.is_empty() {
        assert!(Instant::now() < deadline, "the merged row stays");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // main moves (someone edits the README), Flux pushes another update: a merge commit.
    git(&work, &["checkout", "-q", "main"]);
    git(&work, &["pull", "-q", "--ff-only", "origin", "main"]);
    let main_moved = push_commit(&work, "main", &[("README.md", "fleet!\n")], "docs");
    let head2 = push_commit(
        &work,
        "flux/updates",
        &[("apps/web.yaml", &deploy("1.2.0"))],
        "Update web to 1.2.0",
    );
    // A push branch that moved since it was shown is not merged.
    let r = CollectingReporter::default();
    let stale = approvals::decide(&client, &decision(true, Some(&head1)), &r).await;
    assert!(
        matches!(&stale, Err(ApprovalError::PushBranch(m)) if m.contains("moved")),
        "{stale:?}"
    );
    assert_eq!(git(&bare, &["rev-parse", "main"]), main_moved);
    let merged = approvals::decide(&client, &decision(true, Some(&head2)), &r)
        .await
        .unwrap();
    assert!(merged.starts_with("merged 1 commit(s)"), "{merged}");
    let main = git(&bare, &["rev-parse", "main"]);
    let parents = git(&bare, &["log", "-1", "--format=%P", &main]);
    assert_eq!(
        parents,
        format!("{main_moved} {head2}"),
        "a real merge commit"
    );
    assert!(git(&bare, &["log", "-1", "--format=%B", &main]).contains("Approved by alice"));
    assert!(git(&bare, &["show", &format!("{main}:apps/web.yaml")]).contains("web:1.2.0"));
    assert_eq!(
        git(&bare, &["show", &format!("{main}:README.md")]),
        "fleet!"
    );

    // A conflict is refused, main untouched.
    git(&work, &["checkout", "-q", "main"]);
    git(&work, &["pull", "-q", "--ff-only", "origin", "main"]);
    let main_edit = push_commit(
        &work,
        "main",
        &[("apps/web.yaml", &deploy("9.9.9"))],
        "hotfix",
    );
    git(&work, &["checkout", "-q", "flux/updates"]);
    git(
        &work,
        &["pull", "-q", "--ff-only", "origin", "flux/updates"],
    );
    push_commit(
        &work,
        "flux/updates",
        &[("apps/web.yaml", &deploy("1.3.0"))],
        "Update web to 1.3.0",
    );
    let conflict = approvals::decide(&client, &decision(true, None), &r).await;
    assert!(
        matches!(&conflict, Err(ApprovalError::PushBranch(m)) if m.contains("conflicts in apps/web.yaml")),
        "{conflict:?}"
    );
    assert_eq!(git(&bare, &["rev-parse", "main"]), main_edit);
    // Rejecting push-branch commits is not something fluxdeck does to Git.
    let rejected = approvals::decide(&client, &decision(false, None), &r).await;
    assert!(
        matches!(rejected, Err(ApprovalError::Nothing { .. })),
        "{rejected:?}"
    );

    // Both merges are Kubernetes Events naming who approved.
    let events: kube::Api<k8s_openapi::api::core::v1::Event> =
        kube::Api::namespaced(client.clone(), "flux-system");
    let merged_events: Vec<String> = events
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.reason.as_deref() == Some("PushBranchMerged"))
        .map(|e| e.message.unwrap_or_default())
        .collect();
    assert_eq!(merged_events.len(), 2, "{merged_events:?}");
    assert!(
        merged_events
            .iter()
            .all(|m| m.contains("approved by alice"))
    );
}
