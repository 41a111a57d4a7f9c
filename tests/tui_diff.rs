//! The console's diff pane: whole-app frames (TestBackend) at 120x40 and 80x24 with a drift
//! report in the snapshot, as the backend publishes it; hunk navigation, compact/full, copy
//! (masked), the drift badge in list and tree, and the `:drift` filter.

use crate::tui_support;

use std::sync::Arc;

use fluxdeck::config::Action;
use fluxdeck::engine::diff::{self, Report};
use fluxdeck::tui::app::{Effect, View};
use fluxdeck::tui::backend::{DriftStatus, ObjectRef, Snapshot};
use fluxdeck::tui::headless::{prepared_app, render_buffer};
use fluxdeck::tui::render::text::plain;
use serde_json::{Value, json};
use tui_support::{fleet, frame_opts, now};

const SECRET: &str = "hunter2-plain";

fn deployment(replicas: i64, image: &str) -> Value {
    let mut env = Vec::new();
    for i in 0..12 {
        env.push(json!({"name": format!("VAR_{i:02}"), "value": format!("v{i}")}));
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "podinfo", "namespace": "podinfo",
                        "labels": {"app": "podinfo"}},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "podinfo"}},
                    "template": {"metadata": {"labels": {"app": "podinfo"}},
                                 "spec": {"containers": [{"name": "podinfo", "image": image,
                                                          "env": env,
                                                          "resources": {"limits": {"memory": "128Mi"}}}]}}}})
}

/// A server-side dry-run result of an existing object carries its resourceVersion.
fn dry(v: &Value) -> Value {
    let mut d = v.clone();
    d["metadata"]["resourceVersion"] = json!("7");
    d
}

fn report() -> Report {
    let live = deployment(5, "ghcr.io/stefanprodan/podinfo:6.5.0");
    let mut desired = deployment(2, "ghcr.io/stefanprodan/podinfo:6.7.1");
    desired["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] =
        json!("256Mi");
    let secret = |v: &str| {
        json!({"apiVersion": "v1", "kind": "Secret",
               "metadata": {"name": "db", "namespace": "podinfo"},
               "data": {"password": base64(v)}})
    };
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": "podinfo-config", "namespace": "podinfo"},
                    "data": {"color": "blue"}});
    let svc = json!({"apiVersion": "v1", "kind": "Service",
                     "metadata": {"name": "podinfo-canary", "namespace": "podinfo"},
                     "spec": {"ports": [{"port": 9898}]}});
    let same = json!({"apiVersion": "v1", "kind": "ServiceAccount",
                      "metadata": {"name": "podinfo", "namespace": "podinfo"}});
    Report {
        objects: vec![
            diff::compare(&desired, Some(&dry(&desired)), Some(&live)),
            diff::compare(
                &secret("rotated"),
                Some(&dry(&secret("rotated"))),
                Some(&secret(SECRET)),
            ),
            diff::compare(&cm, None, None),
            diff::compare(&same, Some(&dry(&same)), Some(&same)),
            diff::pruned("Service/podinfo/podinfo-canary".into(), Some(&svc)),
        ],
    }
}

fn base64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

const APPS: &str = "Kustomization/flux-system/apps";

fn with_drift() -> Snapshot {
    let mut snap = fleet();
    let at = now() - jiff::SignedDuration::from_secs(42);
    snap.drift = Arc::new(
        [(
            ObjectRef::parse(APPS).unwrap(),
            DriftStatus::Ready {
                report: Arc::new(report()),
                at,
            },
        )]
        .into_iter()
        .collect(),
    );
    snap
}

fn diff_app(snap: &Snapshot) -> fluxdeck::tui::app::App {
    prepared_app(snap, View::Diff, Some(APPS), frame_opts(false))
}

#[test]
fn diff_pane_frames() {
    let snap = with_drift();
    for (c, r) in [(120, 40), (80, 24)] {
        let mut app = diff_app(&snap);
        let frame = plain(&render_buffer(&mut app, c, r));
        assert!(!frame.contains(SECRET) && !frame.contains(&base64(SECRET)));
        insta::assert_snapshot!(format!("diff_{c}x{r}"), frame);
    }
    let mut app = diff_app(&snap);
    app.run(Action::ToggleFullDiff);
    insta::assert_snapshot!("diff_full_120x40", plain(&render_buffer(&mut app, 120, 40)));
    let mut app = diff_app(&snap);
    app.run(Action::Down);
    insta::assert_snapshot!(
        "diff_secret_120x40",
        plain(&render_buffer(&mut app, 120, 40))
    );
}

#[test]
fn diff_pane_without_report_or_without_drift() {
    let mut app = prepared_app(&fleet(), View::Diff, Some(APPS), frame_opts(false));
    let frame = plain(&render_buffer(&mut app, 80, 24));
    assert!(
        frame.contains("computing the drift of Kustomization/flux-system/apps"),
        "{frame}"
    );
    let mut snap = fleet();
    let clean = Report {
        objects: vec![report().objects[3].clone()],
    };
    snap.drift = Arc::new(
        [(
            ObjectRef::parse(APPS).unwrap(),
            DriftStatus::Ready {
                report: Arc::new(clean),
                at: now(),
            },
        )]
        .into_iter()
        .collect(),
    );
    let mut app = prepared_app(&snap, View::Diff, Some(APPS), frame_opts(false));
    let frame = plain(&render_buffer(&mut app, 80, 24));
    assert!(frame.contains("No drift: the 1 objects"), "{frame}");
    snap.drift = Arc::new(
        [(
            ObjectRef::parse(APPS).unwrap(),
            DriftStatus::Failed {
                message: "BuildFailed: kustomize build failed: missing.yaml".into(),
                at: now(),
            },
        )]
        .into_iter()
        .collect(),
    );
    let mut app = prepared_app(&snap, View::Diff, Some(APPS), frame_opts(false));
    let frame = plain(&render_buffer(&mut app, 80, 24));
    assert!(frame.contains("missing.yaml"), "{frame}");
}

#[test]
fn hunk_keys_full_view_and_masked_copy() {
    let snap = with_drift();
    let mut app = diff_app(&snap);
    render_buffer(&mut app, 120, 40);
    assert_eq!(app.diff.scroll, 0);
    app.run(Action::NextHunk);
    let second = app.diff.scroll;
    assert!(second > 0, "the deployment diff has more than one hunk");
    app.run(Action::NextHunk);
    assert!(app.diff.scroll >= second);
    app.run(Action::PrevHunk);
    app.run(Action::PrevHunk);
    assert_eq!(app.diff.scroll, 0);
    app.run(Action::ToggleFullDiff);
    assert!(app.diff.full);
    let frame = plain(&render_buffer(&mut app, 120, 40));
    assert!(frame.contains("(full)"), "{frame}");
    app.run(Action::Down);
    app.run(Action::CopyDiff);
    let copied: Vec<&String> = app
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Copy(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(copied.len(), 1);
    assert!(
        copied[0].contains("--- live/Secret/podinfo/db"),
        "{}",
        copied[0]
    );
    assert!(copied[0].contains("***"), "{}", copied[0]);
    assert!(!copied[0].contains(SECRET) && !copied[0].contains(&base64(SECRET)));
}

#[test]
fn drift_badges_and_the_drift_filter() {
    let snap = with_drift();
    let mut app = prepared_app(&snap, View::List, None, frame_opts(false));
    let frame = plain(&render_buffer(&mut app, 120, 40));
    let apps_row = frame
        .lines()
        .find(|l| l.contains(" apps ≠"))
        .unwrap_or_default();
    assert!(!apps_row.is_empty(), "badge on the apps row:\n{frame}");
    app.run_command("drift");
    let frame = plain(&render_buffer(&mut app, 120, 40));
    assert!(frame.contains("drift only"), "{frame}");
    let rows = app.list_model().rows.len();
    assert_eq!(rows, 1, "{frame}");
    app.run(Action::Back);
    assert!(app.list_model().rows.len() > 1);

    let mut tree = prepared_app(&snap, View::Tree, Some(APPS), frame_opts(false));
    let frame = plain(&render_buffer(&mut tree, 120, 40));
    assert!(frame.contains("apps ≠ drift"), "{frame}");
    // The help overlay lists the diff layer's keys.
    let mut app = diff_app(&snap);
    app.run(Action::Help);
    let frame = plain(&render_buffer(&mut app, 120, 40));
    for key in ["Next hunk", "Previous hunk", "Compact / full", "Copy diff"] {
        assert!(frame.contains(key), "{key}: {frame}");
    }
}
