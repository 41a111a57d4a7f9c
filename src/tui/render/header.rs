//! Header: context, namespace scope, mode, read-only, and the fleet health counts.

use super::super::app::App;
use super::super::backend::Mode;
use crate::config::Slot;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, area: Rect, app: &App) {
    let t = &app.theme;
    let g = &app.glyphs;
    let ctx = &app.snapshot.context;
    let h = t.style(Slot::Header);
    let sep = Span::styled(format!(" {} ", g.sep), h);
    let mode = match ctx.mode {
        Mode::Embedded => "embedded",
        Mode::Cluster => "cluster",
    };
    let c = app.index.counts;
    let mut spans = vec![
        Span::styled(" fluxdeck", h.patch(t.style(Slot::Title))),
        sep.clone(),
        Span::styled(
            format!("ctx {}", if ctx.name.is_empty() { "-" } else { &ctx.name }),
            h,
        ),
        sep.clone(),
        Span::styled(
            format!("ns {}", ctx.namespace.as_deref().unwrap_or("all")),
            h,
        ),
        sep.clone(),
        Span::styled(mode.to_string(), h),
    ];
    if app.read_only {
        spans.push(sep.clone());
        spans.push(Span::styled("read-only", h.patch(t.style(Slot::Warning))));
    }
    spans.push(sep);
    for (glyph, n, slot, label) in [
        (g.ok, c.ready, Slot::Ready, "ready"),
        (g.fail, c.failing, Slot::Failing, "failing"),
        (g.suspended, c.suspended, Slot::Suspended, "suspended"),
        (g.progress, c.in_progress, Slot::Progress, "in progress"),
    ] {
        let text = if area.width >= 100 {
            format!("{glyph} {n} {label}  ")
        } else {
            format!("{glyph} {n}  ")
        };
        spans.push(Span::styled(text, h.patch(t.style(slot))));
    }
    // Painted before every watch has listed: say so, so a short list is not mistaken for the fleet.
    let sync = app.snapshot.sync;
    if sync.syncing() {
        spans.push(Span::styled(
            format!("syncing {}/{} kinds", sync.listed, sync.total),
            h.patch(t.style(Slot::Progress)),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(h), area);
}
