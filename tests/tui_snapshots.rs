//! Whole-app frames (TestBackend) at 120x40 and 80x24, through the same code path as
//! `fluxdeck snapshot`. The clock is pinned, so ages are stable; hashes are shortened by
//! the app itself (flux get rule).

use crate::tui_support;

use fluxdeck::tui::app::{DetailTab, Overlay, View};
use fluxdeck::tui::headless::{prepared_app, render_buffer, render_frame_with};
use fluxdeck::tui::render::text::plain;
use tui_support::{fleet, fleet_with_approvals, frame_opts};

const SIZES: [(u16, u16); 2] = [(120, 40), (80, 24)];

fn frame(view: View, cols: u16, rows: u16, select: Option<&str>) -> String {
    render_frame_with(&fleet(), view, cols, rows, select, false, frame_opts(false))
}

#[test]
fn list_frames() {
    for (c, r) in SIZES {
        insta::assert_snapshot!(format!("list_{c}x{r}"), frame(View::List, c, r, None));
    }
}

#[test]
fn tree_frames() {
    for (c, r) in SIZES {
        insta::assert_snapshot!(
            format!("tree_{c}x{r}"),
            frame(View::Tree, c, r, Some("Kustomization/flux-system/apps"))
        );
    }
}

#[test]
fn events_frames() {
    for (c, r) in SIZES {
        insta::assert_snapshot!(
            format!("events_global_{c}x{r}"),
            frame(View::Events, c, r, None)
        );
        insta::assert_snapshot!(
            format!("events_hr_{c}x{r}"),
            frame(View::Events, c, r, Some("HelmRelease/podinfo/podinfo"))
        );
    }
}

#[test]
fn detail_frames() {
    for (c, r) in SIZES {
        insta::assert_snapshot!(
            format!("detail_{c}x{r}"),
            frame(View::Detail, c, r, Some("Kustomization/flux-system/apps"))
        );
    }
}

#[test]
fn detail_tabs_at_120x40() {
    for (tab, name) in [
        (DetailTab::Yaml, "yaml"),
        (DetailTab::Describe, "describe"),
        (DetailTab::Trace, "trace"),
        (DetailTab::History, "history"),
    ] {
        let mut app = prepared_app(
            &fleet(),
            View::Detail,
            Some("HelmRelease/podinfo/podinfo"),
            frame_opts(false),
        );
        app.detail_tab = tab;
        insta::assert_snapshot!(
            format!("detail_{name}_120x40"),
            plain(&render_buffer(&mut app, 120, 40))
        );
    }
}

#[test]
fn slot_frames() {
    for (c, r) in SIZES {
        insta::assert_snapshot!(
            format!("diff_{c}x{r}"),
            frame(View::Diff, c, r, Some("Kustomization/flux-system/apps"))
        );
        insta::assert_snapshot!(
            format!("approvals_{c}x{r}"),
            frame(View::Approvals, c, r, None)
        );
    }
}

#[test]
fn approvals_frames() {
    for (c, r) in SIZES {
        insta::assert_snapshot!(
            format!("approvals_pending_{c}x{r}"),
            render_frame_with(
                &fleet_with_approvals(),
                View::Approvals,
                c,
                r,
                None,
                false,
                frame_opts(false)
            )
        );
    }
    // The push-branch row selected, and the confirmation prompt of `a`.
    let mut app = prepared_app(
        &fleet_with_approvals(),
        View::Approvals,
        None,
        frame_opts(false),
    );
    app.run(fluxdeck::config::Action::Down);
    app.run(fluxdeck::config::Action::Approve);
    insta::assert_snapshot!(
        "approvals_branch_confirm_120x40",
        plain(&render_buffer(&mut app, 120, 40))
    );
    // Confirming submits exactly the row that was shown (automation + branch head).
    app.run(fluxdeck::config::Action::Submit);
    let submitted: Vec<_> = app
        .effects
        .iter()
        .filter_map(|e| match e {
            fluxdeck::tui::app::Effect::Submit { command, .. } => Some(command.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        submitted,
        vec![fluxdeck::tui::backend::Command::Approve {
            target: fluxdeck::tui::backend::ObjectRef::new(
                "ImageUpdateAutomation",
                "flux-system",
                "staging"
            ),
            id: tui_support::SHA.into(),
        }]
    );
    // Rejecting a push-branch row is refused with the reason; nothing is submitted.
    app.effects.clear();
    app.run(fluxdeck::config::Action::Reject);
    assert!(app.input.is_none() && app.effects.is_empty());
    assert!(
        app.message
            .as_ref()
            .is_some_and(|(m, err)| *err && m.contains("never rewrites branches")),
        "{:?}",
        app.message
    );
}

#[test]
fn help_frames() {
    for (c, r) in SIZES {
        let mut app = prepared_app(&fleet(), View::List, None, frame_opts(false));
        app.overlay = Some(Overlay::Help);
        insta::assert_snapshot!(
            format!("help_list_{c}x{r}"),
            plain(&render_buffer(&mut app, c, r))
        );
    }
    let mut app = prepared_app(&fleet(), View::Tree, None, frame_opts(false));
    app.overlay = Some(Overlay::Help);
    app.read_only = true;
    insta::assert_snapshot!(
        "help_tree_read_only_120x40",
        plain(&render_buffer(&mut app, 120, 40))
    );
}

#[test]
fn ascii_mode_has_no_box_drawing_or_glyphs() {
    for view in [View::List, View::Tree, View::Events, View::Detail] {
        let text = render_frame_with(
            &fleet(),
            view,
            80,
            24,
            Some("Kustomization/flux-system/flux-system"),
            false,
            frame_opts(true),
        );
        assert!(
            text.is_ascii(),
            "{view:?} frame has non-ASCII characters:\n{text}"
        );
        if view == View::List {
            insta::assert_snapshot!("list_ascii_80x24", text);
        }
    }
}
