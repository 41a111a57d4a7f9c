//! The approvals pane: a slot that the image feature fills. Until then it says what will
//! appear there and how to get it.

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

pub fn draw_approvals(f: &mut Frame, area: Rect, app: &mut App) {
    let lines = [
        "No pending approvals.".to_string(),
        String::new(),
        "This pane will list image updates waiting for a decision: the ImagePolicy, the current"
            .into(),
        "and the proposed tag, and the files the ImageUpdateAutomation would change.".into(),
        format!(
            "Press {} to approve or {} to reject the selected update.",
            key(app, Layer::Approvals, Action::Approve),
            key(app, Layer::Approvals, Action::Reject)
        ),
    ];
    empty_state(f, area, app, "approvals", &lines);
}
