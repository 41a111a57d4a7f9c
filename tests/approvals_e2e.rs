//! The approval gate end to end on a real `fluxdeck server` with the embedded demo: the demo
//! registry (served in process over real HTTP) is scanned, the demo automation proposes
//! podinfo 6.7.1, `fluxdeck images pending` lists it, `fluxdeck approve podinfo -n
//! flux-system` (a separate process, through the kubeconfig) approves it, and then the commit
//! is in the demo Git repository and the Deployment in the store runs the new image.

use crate::common;

use std::time::Duration;

use common::*;

#[test]
fn demo_proposal_approved_from_the_cli_moves_git_and_the_deployment() {
    let server = Server::start(&[]);
    // The ImageRepository scans the in-process demo registry.
    let tags = wait_until(
        "the demo ImageRepository scan",
        Duration::from_secs(90),
        || {
            let out = server.kubectl(&[
                "get",
                "imagerepository",
                "podinfo",
                "-n",
                "flux-system",
                "-o",
                "jsonpath={.status.lastScanResult.tagCount} {.spec.image}",
            ]);
            let s = stdout(&out);
            (out.status.success() && s.starts_with('7')).then_some(s)
        },
    );
    assert!(
        tags.contains("127.0.0.1:") && tags.ends_with("/demo/podinfo"),
        "{tags}"
    );
    // The proposal, as the CLI lists it.
    let pending = wait_until("the demo proposal", Duration::from_secs(90), || {
        let out = server.fluxdeck(&["images", "pending", "-n", "flux-system"]);
        let s = stdout(&out);
        s.contains("6.7.0 → 6.7.1").then_some(s)
    });
    assert!(
        pending.contains("podinfo") && pending.contains("apps/demo/kustomization.yaml"),
        "{pending}"
    );
    let out = server.fluxdeck(&[
        "approve",
        "podinfo",
        "-n",
        "flux-system",
        "--timeout",
        "90s",
    ]);
    assert!(
        out.status.success(),
        "approve failed: {}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("approved"), "{}", stdout(&out));
    // Git: the commit with the templated message, the tag moved in the file.
    let repo = git2::Repository::open(server.dir.path().join("data/demo-fleet")).unwrap();
    let head = repo
        .find_reference("refs/heads/main")
        .unwrap()
        .peel_to_commit()
        .unwrap();
    let msg = head.message().unwrap().to_string();
    assert!(
        msg.starts_with("Update podinfo images") && msg.contains("- 6.7.0 -> 6.7.1"),
        "{msg}"
    );
    let blob = head
        .tree()
        .unwrap()
        .get_path(std::path::Path::new("apps/demo/kustomization.yaml"))
        .unwrap()
        .to_object(&repo)
        .unwrap()
        .peel_to_blob()
        .unwrap();
    let text = String::from_utf8_lossy(blob.content()).to_string();
    assert!(
        text.contains("newTag: 6.7.1 # {\"$imagepolicy\": \"flux-system:podinfo:tag\"}"),
        "{text}"
    );
    // The Deployment: GitRepository fetches, Kustomization applies.
    server.kubectl_ok(&[
        "annotate",
        "--overwrite",
        "gitrepository",
        "flux-system",
        "-n",
        "flux-system",
        "reconcile.fluxcd.io/requestedAt=approved",
    ]);
    wait_until(
        "the new image on the Deployment",
        Duration::from_secs(120),
        || {
            let out = server.kubectl(&[
                "get",
                "deployment",
                "podinfo",
                "-n",
                "podinfo",
                "-o",
                "jsonpath={.spec.template.spec.containers[0].image}",
            ]);
            let s = stdout(&out);
            (s == "ghcr.io/stefanprodan/podinfo:6.7.1").then_some(s)
        },
    );
    // The decision is a Kubernetes Event naming who approved.
    let events = server.kubectl_ok(&[
        "get",
        "events",
        "-n",
        "flux-system",
        "--field-selector",
        "reason=ProposalApproved",
        "-o",
        "jsonpath={.items[*].message}",
    ]);
    assert!(events.contains("approved by"), "{events}");
    // Nothing is pending any more.
    let out = server.fluxdeck(&["images", "pending", "-n", "flux-system"]);
    assert!(!stdout(&out).contains("6.7.1"), "{}", stdout(&out));
}
