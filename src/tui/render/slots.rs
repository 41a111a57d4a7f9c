//! The diff and approvals panes: slots that other features fill. Until then they say what
//! will appear there and how to get it (approvals: `render::approvals`).

use super::super::app::App;
use super::pane;
use crate::config::{Action, Layer, Slot};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn key(app: &App, layer: Layer, action: Action) -> String {
    app.keymap
        .key_for(&[layer, Layer::Global], action)
        .map(|k| k.to_string())
        .unwrap_or_else(|| format!("(unbound: {})", action.name()))
}

fn empty_state(f: &mut Frame, area: Rect, app: &App, title: &str, lines: &[String]) {
    let block = pane(app, title.to_string());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let t = &app.theme;
    let text: Vec<Line> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            Line::from(Span::styled(
                l.to_string(),
                t.style(if i == 0 { Slot::Title } else { Slot::Muted }),
            ))
        })
        .collect();
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
}

pub fn draw_diff(f: &mut Frame, area: Rect, app: &mut App) {
    let about = app.focus.clone().or_else(|| app.current_target());
    let subject = about.map(|r| format!("for {r}")).unwrap_or_default();
    let lines = [
        "No drift report yet.".to_string(),
        String::new(),
        "This pane will show drift: the live objects of a Kustomization or HelmRelease compared"
            .into(),
        "with what its source revision would apply (like `flux diff kustomization`), with Secret"
            .into(),
        format!(
            "values masked. Select a Kustomization or HelmRelease and press {}.",
            key(app, Layer::List, Action::Diff)
        ),
    ];
    empty_state(f, area, app, &format!("diff {subject}"), &lines);
}

/// The approvals pane is filled by the image automation feature (`render::approvals`).
pub fn draw_approvals(f: &mut Frame, area: Rect, app: &mut App) {
    super::approvals::draw(f, area, app);
}
