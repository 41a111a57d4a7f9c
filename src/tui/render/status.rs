//! Status line (action progress ◎ ✔ ✗ with elapsed time, or a message), the one-line prompts
//! and the YAML editor with validation errors in place.

use super::super::app::input::Input;
use super::super::app::{App, Outcome};
use super::{centered, clip, pane};
use crate::config::{Action, Layer, Slot};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

fn key(app: &App, layers: &[Layer], action: Action) -> String {
    app.keymap
        .key_for(layers, action)
        .map(|k| k.to_string())
        .unwrap_or_else(|| action.name().into())
}

pub fn draw_status(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let g = &app.glyphs;
    let width = area.width as usize;
    let line = if let Some((msg, err)) = &app.message {
        Line::from(Span::styled(
            clip(msg, width, g.ascii),
            t.style(if *err { Slot::Error } else { Slot::Success }),
        ))
    } else if let Some(a) = app.running().next() {
        let secs = app.instant.saturating_duration_since(a.started).as_secs();
        let more = app.running().count() - 1;
        let more = if more > 0 {
            format!(" (+{more} more)")
        } else {
            String::new()
        };
        let cancel = key(app, &[Layer::Global], Action::CancelAction);
        let text = format!(
            "{} {} {secs}s{more}  {}  [{cancel} cancel]",
            g.progress, a.what, a.message
        );
        Line::from(Span::styled(
            clip(&text, width, g.ascii),
            t.style(Slot::Progress),
        ))
    } else if let Some(a) = app.actions.front() {
        let (glyph, slot) = match a.outcome {
            Outcome::Done => (g.ok, Slot::Success),
            Outcome::Cancelled => (g.fail, Slot::Muted),
            _ => (g.fail, Slot::Error),
        };
        let secs = a
            .finished
            .unwrap_or(app.instant)
            .saturating_duration_since(a.started)
            .as_secs();
        let text = format!("{glyph} {} {secs}s  {}", a.what, a.message);
        Line::from(Span::styled(clip(&text, width, g.ascii), t.style(slot)))
    } else {
        let help = key(app, &[Layer::Global], Action::Help);
        Line::from(Span::styled(format!("{help} help"), t.style(Slot::Hint)))
    };
    f.render_widget(Paragraph::new(line), area);
}

pub fn draw_prompt(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let Some(input) = &app.input else { return };
    let submit = key(app, &[Layer::Prompt], Action::Submit);
    let cancel = key(app, &[Layer::Prompt], Action::Cancel);
    let (label, area_widget) = match input {
        Input::Filter(a) => ("/".to_string(), Some(a)),
        Input::Command(a) => (":".to_string(), Some(a)),
        Input::SuspendReason { area: a, .. } => (
            format!(
                "{} reason ({submit} suspend, {cancel} cancel): ",
                input.title()
            ),
            Some(a),
        ),
        Input::ConfirmDelete { .. } | Input::ConfirmDecision { .. } => (
            format!("{} {submit} confirm, {cancel} cancel", input.title()),
            None,
        ),
        Input::Editor(_) => return,
    };
    let style = t.style(Slot::Prompt);
    let label_w = (label.chars().count() as u16).min(area.width.saturating_sub(10));
    let [l, r] = Layout::horizontal([Constraint::Length(label_w), Constraint::Min(1)]).areas(area);
    let slot = if matches!(
        input,
        Input::ConfirmDelete { .. } | Input::ConfirmDecision { .. }
    ) {
        Slot::Warning
    } else {
        Slot::Key
    };
    f.render_widget(
        Paragraph::new(Span::styled(label, style.patch(t.style(slot)))).style(style),
        l,
    );
    match area_widget {
        Some(a) => {
            let mut a = a.clone();
            a.set_style(style);
            a.set_cursor_line_style(style);
            f.render_widget(&a, r);
        }
        None => f.render_widget(Paragraph::new("").style(style), r),
    }
}

pub fn draw_editor(f: &mut Frame, body: Rect, app: &App) {
    let t = &app.theme;
    let Some(Input::Editor(ed)) = &app.input else {
        return;
    };
    let area = centered(body, body.width, body.height);
    f.render_widget(Clear, area);
    let save = key(app, &[Layer::Editor], Action::Save);
    let cancel = key(app, &[Layer::Editor], Action::Cancel);
    let ext = key(app, &[Layer::Editor], Action::EditExternal);
    let state = if ed.pending.is_some() {
        format!(" {} applying…", app.glyphs.progress)
    } else {
        String::new()
    };
    let block = pane(
        app,
        format!(
            "edit {}  [{save} apply, {ext} $EDITOR, {cancel} cancel]{state}",
            ed.target
        ),
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let err_h = if ed.error.is_some() { 2 } else { 0 };
    let [text, err] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(err_h)]).areas(inner);
    f.render_widget(&ed.area, text);
    if let Some((line, msg)) = &ed.error {
        let at = line.map(|l| format!("line {l}: ")).unwrap_or_default();
        let text = format!("{} {at}{}", app.glyphs.fail, msg.replace('\n', " "));
        f.render_widget(
            Paragraph::new(Span::styled(
                clip(&text, err.width as usize * 2, app.glyphs.ascii),
                t.style(Slot::Error),
            ))
            .wrap(ratatui::widgets::Wrap { trim: true }),
            err,
        );
    }
}
