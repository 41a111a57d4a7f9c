//! Hint bar, help overlay and action log, generated from the keymap: only actions that exist
//! in the focused view; writes hidden (hint bar) or greyed (help) in read-only mode; RBAC
//! denials shown as "not permitted".

use super::super::app::{App, Availability, Outcome};
use super::super::model::kinds;
use super::{centered, clip, pane};
use crate::config::{Action, Layer, Slot};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

/// (keys, description, availability) for the focused view, first binding per action.
pub fn entries(app: &mut App) -> Vec<(Layer, String, String, Availability)> {
    let layers = app.active_layers();
    let mut seen: Vec<Action> = Vec::new();
    let mut out = Vec::new();
    for layer in layers {
        let bindings = app.keymap.layer(layer).to_vec();
        for b in bindings {
            if b.run == Action::Noop || seen.contains(&b.run) {
                continue;
            }
            seen.push(b.run);
            let avail = app.availability(b.run);
            if avail != Availability::No {
                out.push((layer, b.on.to_string(), b.desc.clone(), avail));
            }
        }
    }
    out
}

pub fn draw_hints(f: &mut Frame, area: Rect, app: &mut App) {
    let t = app.theme.clone();
    let mut spans = Vec::new();
    let mut used = 0usize;
    let width = area.width as usize;
    if !app.pending_keys.is_empty() {
        let keys: Vec<String> = app.pending_keys.iter().map(|k| k.to_string()).collect();
        spans.push(Span::styled(
            format!("{} … ", keys.join(" ")),
            t.style(Slot::Key),
        ));
    }
    for (_, key, desc, avail) in entries(app) {
        if avail == Availability::ReadOnly {
            continue;
        }
        let desc = if avail == Availability::NotPermitted {
            format!("{desc} (not permitted)")
        } else {
            desc
        };
        let text_len = key.chars().count() + desc.chars().count() + 3;
        if used + text_len > width {
            break;
        }
        used += text_len;
        let (ks, ds) = match avail {
            Availability::NotPermitted => (Slot::Denied, Slot::Denied),
            _ => (Slot::Key, Slot::Hint),
        };
        spans.push(Span::styled(key, t.style(ks)));
        spans.push(Span::styled(format!(" {desc}  "), t.style(ds)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

pub fn draw_help(f: &mut Frame, body: Rect, app: &mut App) {
    let t = app.theme.clone();
    let list = entries(app);
    // Items in column-major order: a heading per layer, then `key  description` lines.
    let mut items: Vec<(String, Line)> = Vec::new();
    let mut last_layer = None;
    for (layer, key, desc, avail) in &list {
        if last_layer != Some(*layer) {
            let h = format!("[{layer}]");
            items.push((
                h.clone(),
                Line::from(Span::styled(h, t.style(Slot::TableHeader))),
            ));
            last_layer = Some(*layer);
        }
        let (note, slot) = match avail {
            Availability::ReadOnly => (" (read-only)", Slot::Denied),
            Availability::NotPermitted => (" (not permitted)", Slot::Denied),
            _ => ("", Slot::Hint),
        };
        let text = format!("{key:<9} {desc}{note}");
        items.push((
            text,
            Line::from(vec![
                Span::styled(
                    format!("{key:<9} "),
                    t.style(if note.is_empty() {
                        Slot::Key
                    } else {
                        Slot::Denied
                    }),
                ),
                Span::styled(format!("{desc}{note}"), t.style(slot)),
            ]),
        ));
    }
    let words: Vec<&str> = kinds::KINDS.iter().map(|k| k.short()).collect();
    let footer = vec![
        Line::from(Span::styled(
            format!(
                ":{} :all :sources :tree :events :diff :drift (only drifted) :approvals :log :q",
                words.join(" :")
            ),
            t.style(Slot::Hint),
        )),
        Line::from(Span::styled(
            "/ filter: text  regex  -f fuzzy  !inverse  -l label selector",
            t.style(Slot::Hint),
        )),
    ];
    let area = Rect {
        x: body.x + 1,
        y: body.y,
        width: body.width.saturating_sub(2),
        height: body.height,
    };
    f.render_widget(Clear, area);
    let block = pane(
        app,
        format!("help: {} view (any key closes)", app.view.name()),
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let col_w = items
        .iter()
        .map(|(s, _)| s.chars().count())
        .max()
        .unwrap_or(10)
        .min(44)
        + 2;
    let ncols = ((inner.width as usize) / col_w).max(1);
    let footer_h = (footer.len() as u16).min(inner.height.saturating_sub(1));
    let rows = inner.height.saturating_sub(footer_h + 1) as usize;
    let capacity = rows * ncols;
    if items.len() > capacity && capacity > 0 {
        items.truncate(capacity - 1);
        items.push((
            "".into(),
            Line::from(Span::styled(
                "… more: enlarge the terminal",
                t.style(Slot::Muted),
            )),
        ));
    }
    for c in 0..ncols {
        let chunk: Vec<Line> = items
            .iter()
            .skip(c * rows)
            .take(rows)
            .map(|(_, l)| l.clone())
            .collect();
        if chunk.is_empty() {
            break;
        }
        let x = inner.x + (c * col_w) as u16;
        let w = (col_w as u16).min(inner.x + inner.width - x);
        f.render_widget(
            Paragraph::new(chunk),
            Rect {
                x,
                y: inner.y,
                width: w,
                height: rows as u16,
            },
        );
    }
    let fy = inner.y + inner.height - footer_h;
    f.render_widget(
        Paragraph::new(footer).wrap(ratatui::widgets::Wrap { trim: true }),
        Rect {
            x: inner.x,
            y: fy,
            width: inner.width,
            height: footer_h,
        },
    );
}

pub fn draw_log(f: &mut Frame, body: Rect, app: &mut App) {
    let t = app.theme.clone();
    let g = app.glyphs;
    let width = body.width.saturating_sub(4).min(110);
    let mut lines = Vec::new();
    for a in &app.actions {
        let (glyph, slot) = match a.outcome {
            Outcome::Running => (g.progress, Slot::Progress),
            Outcome::Done => (g.ok, Slot::Success),
            Outcome::Failed => (g.fail, Slot::Error),
            Outcome::Cancelled => (g.fail, Slot::Muted),
        };
        let end = a.finished.unwrap_or(app.instant);
        let secs = end.saturating_duration_since(a.started).as_secs();
        let text = clip(
            &format!("{} {}s  {}", a.what, secs, a.message),
            width as usize - 6,
            g.ascii,
        );
        lines.push(Line::from(vec![
            Span::styled(format!("{glyph} "), t.style(slot)),
            Span::styled(text, t.style(Slot::Text)),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::from(Span::styled(
            "no actions yet",
            t.style(Slot::Muted),
        )));
    }
    let height = (lines.len() as u16 + 2).min(body.height);
    let area = centered(body, width, height);
    lines.truncate(height.saturating_sub(2) as usize);
    f.render_widget(Clear, area);
    f.render_widget(
        Paragraph::new(lines).block(pane(app, "action log".into())),
        area,
    );
}
