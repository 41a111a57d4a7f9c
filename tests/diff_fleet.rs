//! `fluxdeck diff fleet` (PR preview, offline) on a temporary Git copy of
//! ../shared/fleets/flux2-kustomize-helm-example with two commits: a replica count set in the
//! staging values, and a file deleted from the infrastructure configs. No cluster anywhere.

use crate::common;

use std::path::Path;
use std::process::{Command, Output};

use common::git_cli::git;
use common::{fluxdeck_bin, shared, stderr, stdout};

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from) {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn fleet_diff(repo: &Path, from: &str, to: &str, extra: &[&str]) -> Output {
    Command::new(fluxdeck_bin())
        .args(["diff", "fleet", "--repo"])
        .arg(repo)
        .args([
            "--from",
            from,
            "--to",
            to,
            "--cluster-path",
            "clusters/staging",
        ])
        .args(extra)
        // Offline: make sure no kubeconfig could be used even by accident.
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .output()
        .expect("run fluxdeck diff fleet")
}

/// The example fleet in a fresh repository: commit 1 as upstream; commit 2 sets
/// `replicaCount: 3` for staging and deletes infrastructure/configs/gateway.yaml.
fn fleet_repo() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("fleet");
    copy_dir(&shared("fleets/flux2-kustomize-helm-example"), &repo);
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "upstream"]);
    let first = git(&repo, &["rev-parse", "HEAD"]);
    let values = repo.join("apps/staging/podinfo-values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    let text = text.replace("  values:\n", "  values:\n    replicaCount: 3\n");
    assert!(text.contains("replicaCount: 3"));
    std::fs::write(&values, text).unwrap();
    let k = repo.join("infrastructure/configs/kustomization.yaml");
    let text = std::fs::read_to_string(&k)
        .unwrap()
        .replace("  - gateway.yaml\n", "");
    std::fs::write(&k, text).unwrap();
    git(&repo, &["rm", "-q", "infrastructure/configs/gateway.yaml"]);
    git(&repo, &["add", "-A"]);
    git(
        &repo,
        &["commit", "-q", "-m", "scale podinfo, drop the gateway"],
    );
    let second = git(&repo, &["rev-parse", "HEAD"]);
    (dir, first, second)
}

#[test]
fn pr_preview_shows_changed_and_pruned_objects_per_kustomization() {
    let (dir, first, second) = fleet_repo();
    let repo = dir.path().join("fleet");
    let out = fleet_diff(&repo, &first, &second, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("► Kustomization flux-system/apps (path ./staging)"),
        "{text}"
    );
    assert!(
        text.contains("► HelmRelease/podinfo/podinfo drifted"),
        "{text}"
    );
    assert!(
        text.contains("spec.values\n+ one map entry added:\n  replicaCount: 3"),
        "{text}"
    );
    assert!(
        text.contains("► Kustomization flux-system/infra-configs (path ./configs)"),
        "{text}"
    );
    assert!(
        text.contains("► Gateway/") && text.contains("/envoy deleted"),
        "{text}"
    );
    assert!(text.contains("GatewayClass/envoy deleted"), "{text}");
    // Kustomizations without changes are not listed.
    assert!(
        !text.contains("► Kustomization flux-system/infra-controllers"),
        "{text}"
    );
    assert!(text.contains("2 of "), "summary: {text}");

    let md = stdout(&fleet_diff(&repo, &first, &second, &["-o", "markdown"]));
    assert!(md.starts_with("## fluxdeck diff fleet"), "{md}");
    assert!(md.contains("replicaCount") && md.contains("```"), "{md}");

    let json: serde_json::Value = serde_json::from_str(&stdout(&fleet_diff(
        &repo,
        &first,
        &second,
        &["-o", "json"],
    )))
    .expect("json output");
    let mut changed: Vec<&str> = json["kustomizations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["changes"] == true)
        .map(|k| k["kustomization"].as_str().unwrap())
        .collect();
    changed.sort_unstable();
    assert_eq!(
        changed,
        ["flux-system/apps", "flux-system/infra-configs"],
        "{json:#}"
    );
}

#[test]
fn same_revision_is_no_change_and_a_broken_build_is_an_error() {
    let (dir, first, second) = fleet_repo();
    let repo = dir.path().join("fleet");
    let out = fleet_diff(&repo, &second, &second, &[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("No changes"), "{}", stdout(&out));
    let _ = first;

    let k = repo.join("apps/staging/kustomization.yaml");
    let text = std::fs::read_to_string(&k).unwrap();
    let text = text.replacen("resources:\n", "resources:\n  - missing-values.yaml\n", 1);
    std::fs::write(&k, text).unwrap();
    git(&repo, &["commit", "-q", "-am", "broken"]);
    let out = fleet_diff(&repo, &second, "HEAD", &[]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("missing-values.yaml"),
        "{}",
        stderr(&out)
    );
}
