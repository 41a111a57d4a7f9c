//! An approval that no longer applies: after the demo automation proposed podinfo 6.7.0 →
//! 6.7.1, somebody pins the image by hand in Git and drops the policy marker. The update
//! cannot be rebased onto that head (there is nothing left to set), so approving refuses to
//! commit what was not shown and pushes nothing; the CLI says the proposal was withdrawn and
//! why, instead of reporting an approval.
//! (An upstream edit that leaves the marker is a plain push race: the update is re-applied on
//! the new head; tests/images_loop.rs covers it.)

use crate::common;

use std::time::Duration;

use common::git_cli::git;
use common::*;

#[test]
fn an_approval_that_no_longer_applies_is_refused_with_the_reason_and_pushes_nothing() {
    let server = Server::start(&[]);
    wait_until("the demo proposal", Duration::from_secs(120), || {
        let out = server.fluxdeck(&["images", "pending", "-n", "flux-system"]);
        let s = stdout(&out);
        s.contains("6.7.0 → 6.7.1").then_some(s)
    });
    // Someone else changes the marked line in Git.
    let bare = server.dir.path().join("data/demo-fleet");
    let work = server.dir.path().join("upstream-edit");
    git(
        server.dir.path(),
        &[
            "clone",
            "-q",
            bare.to_str().unwrap(),
            work.to_str().unwrap(),
        ],
    );
    let file = work.join("apps/demo/kustomization.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("newTag: 6.7.0"), "{text}");
    let pinned: String = text
        .lines()
        .map(|l| {
            if l.contains("$imagepolicy") {
                "    newTag: 6.6.0".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, pinned + "\n").unwrap();
    git(&work, &["commit", "-qam", "pin podinfo 6.6.0 by hand"]);
    git(&work, &["push", "-q", "origin", "HEAD:main"]);
    let upstream = git(&work, &["rev-parse", "HEAD"]);

    let out = server.fluxdeck(&[
        "approve",
        "podinfo",
        "-n",
        "flux-system",
        "--timeout",
        "90s",
    ]);
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!out.status.success(), "approve should fail: {said}");
    assert!(said.contains("withdrawn without a push"), "{said}");
    // fluxdeck pushed nothing on top of the hand edit.
    let head = git(&work, &["ls-remote", "origin", "refs/heads/main"]);
    assert!(head.starts_with(&upstream), "{head} vs {upstream}");
    // The automation's Ready condition says why.
    let why = server.kubectl_ok(&[
        "get",
        "imageupdateautomation",
        "podinfo",
        "-n",
        "flux-system",
        "-o",
        "jsonpath={.status.conditions[?(@.type==\"Ready\")].message}",
    ]);
    eprintln!("automation Ready message after the refused approval: {why}");
}
