//! App behaviour: keys → state and effects, prompts, bulk actions, read-only and RBAC
//! gating, progress and cancellation, the Ready-change highlight and its single deadline.

use crate::tui_support;

use fluxdeck::config::{Key, KeySeq};
use fluxdeck::tui::app::input::Input;
use fluxdeck::tui::app::{App, Effect, Outcome, Overlay, View};
use fluxdeck::tui::backend::{Command, Denial, ObjectRef, Progress, Verb};
use fluxdeck::tui::headless::{prepared_app, render_buffer};
use fluxdeck::tui::render::text::plain;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tui_support::*;

fn app() -> App {
    prepared_app(&fleet(), View::List, None, frame_opts(false))
}

fn press(app: &mut App, keys: &str) {
    for k in KeySeq::parse(keys).unwrap().0 {
        app.on_key(k);
    }
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        app.on_key(Key::char(c));
    }
}

fn submits(app: &mut App) -> Vec<Command> {
    app.effects
        .drain(..)
        .filter_map(|e| match e {
            Effect::Submit { command, .. } => Some(command),
            _ => None,
        })
        .collect()
}

fn r(s: &str) -> ObjectRef {
    ObjectRef::parse(s).unwrap()
}

#[test]
fn suspend_asks_for_a_reason() {
    let mut a = app();
    assert_eq!(a.selected_row(), Some(r("Kustomization/flux-system/apps")));
    press(&mut a, "s");
    assert!(matches!(a.input, Some(Input::SuspendReason { .. })));
    type_text(&mut a, "db migration");
    press(&mut a, "enter");
    assert_eq!(
        submits(&mut a),
        [Command::Suspend {
            target: r("Kustomization/flux-system/apps"),
            reason: Some("db migration".into())
        }]
    );
    press(&mut a, "s enter");
    assert_eq!(
        submits(&mut a),
        [Command::Suspend {
            target: r("Kustomization/flux-system/apps"),
            reason: None
        }]
    );
    press(&mut a, "s esc");
    assert!(submits(&mut a).is_empty() && a.input.is_none());
}

#[test]
fn space_selects_for_bulk_actions() {
    let mut a = app();
    press(&mut a, "space space");
    assert_eq!(a.list.marked.len(), 2);
    press(&mut a, "R");
    assert_eq!(
        submits(&mut a),
        [
            Command::Reconcile {
                target: r("GitRepository/flux-system/apps-repo")
            },
            Command::Reconcile {
                target: r("Kustomization/flux-system/apps")
            },
        ]
    );
    press(&mut a, "r");
    assert_eq!(submits(&mut a).len(), 2);
    press(&mut a, "esc");
    assert!(a.list.marked.is_empty(), "esc clears the selection");
}

#[test]
fn read_only_hides_writes_and_refuses_them() {
    let mut snap = fleet();
    snap.context.read_only = true;
    let mut a = prepared_app(&snap, View::List, None, frame_opts(false));
    press(&mut a, "s");
    assert!(a.input.is_none());
    assert_eq!(a.message.as_ref().unwrap().0, "suspend: read-only mode");
    press(&mut a, "ctrl-d R");
    assert!(submits(&mut a).is_empty());
    let frame = plain(&render_buffer(&mut a, 200, 30));
    assert!(frame.contains("read-only"));
    let hints = frame.lines().rev().nth(1).unwrap();
    assert!(
        !hints.contains("Suspend") && hints.contains("YAML"),
        "{hints}"
    );
}

#[test]
fn rbac_denied_keys_show_not_permitted() {
    let mut snap = fleet();
    snap.permissions.denied.push(Denial {
        verb: Verb::Patch,
        kind: "Kustomization".into(),
        namespace: None,
    });
    let mut a = prepared_app(&snap, View::List, None, frame_opts(false));
    press(&mut a, "R");
    assert!(submits(&mut a).is_empty());
    assert_eq!(
        a.message.as_ref().unwrap().0,
        "reconcile: not permitted (RBAC)"
    );
    a.overlay = Some(Overlay::Help);
    let frame = plain(&render_buffer(&mut a, 120, 50));
    assert!(frame.contains("Reconcile (not permitted)"), "{frame}");
    assert!(frame.contains("YAML") && !frame.contains("YAML (not permitted)"));
    a.overlay = None;
    let frame = plain(&render_buffer(&mut a, 200, 30));
    assert!(
        frame
            .lines()
            .rev()
            .nth(1)
            .unwrap()
            .contains("R Reconcile (not permitted)"),
        "{frame}"
    );
}

#[test]
fn help_lists_only_actions_of_the_focused_view() {
    let mut a = app();
    a.overlay = Some(Overlay::Help);
    let list_help = plain(&render_buffer(&mut a, 120, 60));
    assert!(list_help.contains("Suspend") && !list_help.contains("Approve"));
    assert!(
        !list_help.contains("Force (HelmRelease)"),
        "force only for HelmReleases"
    );
    a.select_ref(&r("HelmRelease/podinfo/podinfo"));
    let hr_help = plain(&render_buffer(&mut a, 120, 60));
    assert!(hr_help.contains("Force (HelmRelease)"));
    a.view = View::Approvals;
    let empty = plain(&render_buffer(&mut a, 120, 60));
    assert!(
        !empty.contains("Approve") && !empty.contains("Suspend"),
        "nothing to approve: the keys are not offered"
    );
    a.set_snapshot(std::sync::Arc::new(tui_support::fleet_with_approvals()));
    let ap = plain(&render_buffer(&mut a, 120, 60));
    assert!(ap.contains("Approve") && ap.contains("Reject") && !ap.contains("Suspend"));
}

#[test]
fn chords_motion_filter_and_commands() {
    let mut a = app();
    press(&mut a, "G");
    assert_eq!(a.list.cursor, 14);
    press(&mut a, "g");
    assert_eq!(a.list.cursor, 14, "waiting for the chord");
    press(&mut a, "g");
    assert_eq!(a.list.cursor, 0);
    press(&mut a, "/");
    type_text(&mut a, "cycle");
    assert_eq!(a.list_model().rows.len(), 2, "filters while typing");
    press(&mut a, "enter");
    assert_eq!(a.list_model().rows.len(), 2, "enter keeps the filter");
    press(&mut a, "esc");
    assert_eq!(a.list_model().rows.len(), 15, "esc clears it");
    press(&mut a, ":");
    type_text(&mut a, "hr");
    press(&mut a, "enter");
    assert_eq!(a.list_model().rows.len(), 1);
    press(&mut a, ":");
    type_text(&mut a, "nonsense");
    press(&mut a, "enter");
    assert!(
        a.message
            .as_ref()
            .unwrap()
            .0
            .starts_with("unknown command :nonsense")
    );
    press(&mut a, "t");
    assert_eq!(a.view, View::Tree);
    assert_eq!(
        a.tree_line().unwrap().target,
        Some(r("HelmRelease/podinfo/podinfo")),
        "tree jumps to the selection"
    );
    press(&mut a, "esc");
    assert_eq!(a.view, View::List);
}

#[test]
fn editor_validates_in_place_and_applies() {
    let mut a = app();
    press(&mut a, "ctrl-e");
    let Some(Input::Editor(ed)) = &a.input else {
        panic!("editor open")
    };
    assert!(
        ed.area
            .lines()
            .iter()
            .any(|l| l.contains("kind: Kustomization"))
    );
    assert!(
        !ed.area.lines().iter().any(|l| l.starts_with("status:")),
        "status is not editable"
    );
    press(&mut a, "ctrl-s");
    let cmds = submits(&mut a);
    assert!(matches!(cmds.as_slice(), [Command::Apply { yaml }] if yaml.contains("name: apps")));
    let id = a.actions.front().unwrap().id;
    a.on_progress(
        id,
        Progress::Failed(
            "admission webhook denied: spec.interval: invalid duration at line 7".into(),
        ),
    );
    let Some(Input::Editor(ed)) = &a.input else {
        panic!("editor stays open on failure")
    };
    assert_eq!(ed.error.as_ref().unwrap().0, Some(7));
    let frame = plain(&render_buffer(&mut a, 120, 40));
    assert!(
        frame.contains("line 7: admission webhook denied"),
        "{frame}"
    );
    // Break the document: local validation catches it before anything is sent.
    if let Some(Input::Editor(ed)) = &mut a.input {
        ed.area = fluxdeck::tui::app::input::editor_area("kind: [\n");
    }
    press(&mut a, "ctrl-s");
    assert!(submits(&mut a).is_empty());
    press(&mut a, "esc");
    assert!(a.input.is_none());
}

#[test]
fn external_edit_round_trip() {
    let mut a = app();
    press(&mut a, "E");
    let Some(Effect::ExternalEdit { target, text }) = a.effects.pop() else {
        panic!("external edit requested")
    };
    a.on_external_edit(target.clone(), &text, Ok(text.clone()));
    assert_eq!(a.message.as_ref().unwrap().0, "edit cancelled: no changes");
    a.on_external_edit(
        target.clone(),
        &text,
        Ok("apiVersion: v1\nkind: [\n".into()),
    );
    assert!(
        matches!(&a.input, Some(Input::Editor(ed)) if ed.error.is_some()),
        "invalid text reopens in the editor with the error"
    );
    a.input = None;
    a.on_external_edit(target, &text, Ok(text.replace("10m", "5m")));
    assert!(
        matches!(submits(&mut a).as_slice(), [Command::Apply { yaml }] if yaml.contains("interval: 5m"))
    );
}

#[test]
fn delete_needs_confirmation() {
    let mut a = app();
    press(&mut a, "ctrl-d");
    assert!(matches!(a.input, Some(Input::ConfirmDelete { .. })));
    let frame = plain(&render_buffer(&mut a, 120, 40));
    assert!(
        frame.contains("delete Kustomization/flux-system/apps? enter confirm, esc cancel"),
        "{frame}"
    );
    press(&mut a, "enter");
    assert_eq!(
        submits(&mut a),
        [Command::Delete {
            target: r("Kustomization/flux-system/apps")
        }]
    );
}

#[test]
fn progress_elapsed_cancel_and_log() {
    let mut a = app();
    press(&mut a, "R");
    let id = a.actions.front().unwrap().id;
    submits(&mut a);
    a.on_progress(
        id,
        Progress::Step("waiting for Kustomization reconciliation".into()),
    );
    a.instant += Duration::from_secs(3);
    let frame = plain(&render_buffer(&mut a, 120, 40));
    let status = frame.lines().last().unwrap();
    assert!(status.starts_with("◎ reconcile Kustomization/flux-system/apps 3s  waiting for Kustomization reconciliation  [ctrl-x cancel]"), "{status}");
    assert!(
        a.next_deadline().is_some(),
        "elapsed time ticks while running"
    );
    press(&mut a, "ctrl-x");
    assert_eq!(a.effects.pop(), Some(Effect::Cancel { id }));
    assert_eq!(a.actions.front().unwrap().outcome, Outcome::Cancelled);
    press(&mut a, "R");
    let id2 = a.actions.front().unwrap().id;
    a.on_progress(
        id2,
        Progress::Done("applied revision main@sha1:67e2c98a".into()),
    );
    let frame = plain(&render_buffer(&mut a, 120, 40));
    assert!(
        frame
            .lines()
            .last()
            .unwrap()
            .starts_with("✔ reconcile Kustomization/flux-system/apps 0s  applied revision")
    );
    press(&mut a, "L");
    let log = plain(&render_buffer(&mut a, 120, 40));
    assert!(log.contains("action log") && log.contains("cancelled"));
    assert_eq!(a.next_deadline(), None, "idle: no timer at all");
}

#[test]
fn ready_change_highlights_once_with_one_deadline() {
    let mut a = app();
    assert_eq!(a.next_deadline(), None, "nothing scheduled while idle");
    let mut snap = fleet();
    for o in snap.objects.iter_mut() {
        edit(o, |o| {
            if o["metadata"]["name"] == "apps" {
                o["status"]["conditions"] = json!([cond(
                    "Ready",
                    "True",
                    "ReconciliationSucceeded",
                    "Applied",
                    0
                )]);
            }
        });
    }
    let t0 = a.instant;
    a.set_snapshot(Arc::new(snap.clone()));
    assert!(a.flash.contains_key(&r("Kustomization/flux-system/apps")));
    assert_eq!(a.flash.len(), 1);
    let deadline = a.next_deadline().unwrap();
    assert_eq!(deadline, t0 + fluxdeck::tui::app::state::FLASH);
    a.dirty = false;
    a.tick(deadline - Duration::from_millis(1));
    assert!(!a.dirty && a.flash.len() == 1, "not yet");
    a.tick(deadline);
    assert!(a.dirty && a.flash.is_empty());
    assert_eq!(a.next_deadline(), None);
    // The same state again changes nothing.
    a.set_snapshot(Arc::new(snap));
    assert!(a.flash.is_empty());
}

#[test]
fn ctrl_z_and_copy_are_effects() {
    let mut a = app();
    press(&mut a, "ctrl-z");
    assert_eq!(a.effects.pop(), Some(Effect::SuspendProcess));
    press(&mut a, "c");
    assert_eq!(
        a.effects.pop(),
        Some(Effect::Copy("Kustomization/flux-system/apps".into()))
    );
    press(&mut a, "C");
    assert!(matches!(a.effects.pop(), Some(Effect::Copy(y)) if y.contains("kind: Kustomization")));
    press(&mut a, "q");
    assert!(a.quit);
}

#[test]
fn headless_ansi_output_has_colours() {
    let snap = fleet();
    let text = fluxdeck::tui::headless::render_frame(
        &snap,
        View::List,
        100,
        20,
        Some("HelmRelease/podinfo/podinfo"),
        true,
    );
    if std::env::var_os("NO_COLOR").is_none() {
        assert!(
            text.contains("\x1b[0;") && text.contains(";38;2;"),
            "truecolor SGR codes"
        );
    }
    let plain_text = fluxdeck::tui::headless::render_frame(
        &snap,
        View::Detail,
        100,
        20,
        Some("HelmRelease/podinfo/podinfo"),
        false,
    );
    assert!(!plain_text.contains('\x1b'));
    assert!(plain_text.contains("HelmRelease/podinfo/podinfo"));
}

#[test]
fn tree_nodes_of_managed_objects_open_and_trace() {
    let mut a = prepared_app(
        &fleet(),
        View::Tree,
        Some("HelmRelease/podinfo/podinfo"),
        frame_opts(false),
    );
    let target = r("Deployment/podinfo/podinfo");
    let i = a
        .tree_lines()
        .iter()
        .position(|l| l.target.as_ref() == Some(&target))
        .unwrap();
    a.tree.cursor = i;
    press(&mut a, "T");
    assert_eq!(a.view, View::Detail);
    let frame = plain(&render_buffer(&mut a, 120, 40));
    assert!(
        frame.contains("Object:         Deployment/podinfo"),
        "{frame}"
    );
    assert!(frame.contains("HelmRelease:    podinfo") && frame.contains("HelmRepository: podinfo"));
    press(&mut a, "esc");
    assert_eq!(a.view, View::Tree);
    press(&mut a, "s");
    assert!(a.input.is_none(), "a Deployment cannot be suspended");
    // Editor errors with a line move the cursor there.
    a.view = View::List;
    press(&mut a, "ctrl-e");
    let id = {
        press(&mut a, "ctrl-s");
        a.actions.front().unwrap().id
    };
    a.on_progress(id, Progress::Failed("invalid value at line 3".into()));
    let Some(Input::Editor(ed)) = &a.input else {
        panic!()
    };
    assert_eq!(ed.area.cursor().0, 2);
}
