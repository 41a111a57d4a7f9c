//! Events pane: for the focused object and its source chain, or the global stream.
//! Warnings highlighted; follow mode keeps the newest line in view.

use super::super::app::App;
use super::super::model::time;
use super::{clip, pane, scroll_into_view};
use crate::config::Slot;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, area: Rect, app: &mut App) {
    let rows = app.event_rows();
    let height = area.height.saturating_sub(3) as usize;
    if app.events.follow {
        app.events.cursor = rows.len().saturating_sub(1);
    }
    app.events.cursor = app.events.cursor.min(rows.len().saturating_sub(1));
    app.events.offset = scroll_into_view(app.events.cursor, app.events.offset, height);
    let about = match (&app.focus, app.events.global) {
        (Some(r), false) => format!("for {r}"),
        _ => "all objects".into(),
    };
    let title = format!(
        "events {about} ({}) {} {}",
        rows.len(),
        app.events.types.label(),
        if app.events.follow {
            "follow"
        } else {
            "paused"
        }
    );
    let block = pane(app, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let t = &app.theme;
    let g = &app.glyphs;
    if rows.is_empty() {
        f.render_widget(
            Paragraph::new(Span::styled("no events", t.style(Slot::Muted))),
            inner,
        );
        return;
    }
    let obj_w = rows
        .iter()
        .map(|r| r.object.kind.len() + r.object.name.len() + 1)
        .max()
        .unwrap_or(10)
        .min(36);
    let reason_w = rows
        .iter()
        .map(|r| r.reason.len())
        .max()
        .unwrap_or(6)
        .clamp(6, 26);
    let width = inner.width as usize;
    let msg_w = width.saturating_sub(6 + 8 + reason_w + obj_w + 4);
    let mut out = vec![Line::from(Span::styled(
        format!(
            "{:<6} {:<8} {:<reason_w$} {:<obj_w$} {}",
            "AGE", "TYPE", "REASON", "OBJECT", "MESSAGE"
        ),
        t.style(Slot::TableHeader),
    ))];
    for (n, r) in rows.iter().enumerate().skip(app.events.offset).take(height) {
        let age =
            r.at.map(|a| time::age(a, app.now))
                .unwrap_or_else(|| "-".into());
        let type_ = if r.warning {
            format!("{} {}", g.warn, "Warn")
        } else {
            r.type_.clone()
        };
        let object = clip(
            &format!("{}/{}", r.object.kind, r.object.name),
            obj_w,
            g.ascii,
        );
        let count = if r.count > 1 {
            format!(" (x{})", r.count)
        } else {
            String::new()
        };
        let msg = clip(
            &format!("{}{count}", r.message.replace('\n', " ")),
            msg_w,
            g.ascii,
        );
        let style = if r.warning {
            t.style(Slot::Warning)
        } else {
            t.style(Slot::Text)
        };
        let mut line = Line::from(vec![
            Span::styled(format!("{age:<6} "), t.style(Slot::Muted)),
            Span::styled(format!("{:<8} ", clip(&type_, 8, g.ascii)), style),
            Span::styled(
                format!("{:<reason_w$} ", clip(&r.reason, reason_w, g.ascii)),
                style,
            ),
            Span::styled(format!("{object:<obj_w$} "), t.style(Slot::Text)),
            Span::styled(msg, style),
        ]);
        if n == app.events.cursor && !app.events.follow {
            line = line.style(t.style(Slot::Selected));
        }
        out.push(line);
    }
    f.render_widget(Paragraph::new(out), inner);
}
