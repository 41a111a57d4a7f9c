//! The dependency tree pane, drawn with `├── └── │` guides like `flux tree` (ASCII in ASCII
//! mode), a health glyph per node and notes (blocked by, cycles, kstatus messages).

use super::super::app::App;
use super::super::model::tree::Role;
use super::list::health_slot;
use super::{pane, scroll_into_view};
use crate::config::Slot;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, area: Rect, app: &mut App) {
    let height = area.height.saturating_sub(2) as usize;
    let lines = app.tree_lines().to_vec();
    app.tree.offset = scroll_into_view(app.tree.cursor, app.tree.offset, height);
    let block = pane(app, format!("tree ({} nodes)", lines.len()));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let drifted = super::super::model::diff::drifted_subjects(&app.snapshot.drift);
    let t = &app.theme;
    let g = &app.glyphs;
    if lines.is_empty() {
        let msg = "no Kustomizations or HelmReleases: the tree shows appliers with their sources, dependencies and inventories";
        f.render_widget(
            Paragraph::new(Span::styled(msg, t.style(Slot::Muted))),
            inner,
        );
        return;
    }
    let out: Vec<Line> = lines
        .iter()
        .enumerate()
        .skip(app.tree.offset)
        .take(height)
        .map(|(n, l)| {
            let mut guide = String::new();
            let depth = l.lasts.len();
            for (lvl, last) in l.lasts.iter().enumerate() {
                if lvl + 1 == depth {
                    if depth > 1 {
                        guide.push_str(if *last { g.last } else { g.branch });
                    }
                } else if lvl > 0 {
                    guide.push_str(if *last { g.space } else { g.pipe });
                }
            }
            let fold = if l.has_children {
                if l.expanded { g.expanded } else { g.collapsed }
            } else {
                " "
            };
            let label_slot = match l.role {
                Role::Applier => Slot::Text,
                Role::Revision => Slot::Muted,
                Role::Repeat => Slot::Warning,
                _ => Slot::Text,
            };
            let pointer = if n == app.tree.cursor { g.pointer } else { " " };
            let mut spans = vec![
                Span::raw(pointer),
                Span::styled(guide, t.style(Slot::TreeGuide)),
                Span::styled(format!("{fold} "), t.style(Slot::TreeGuide)),
            ];
            if l.role != Role::Revision {
                let slot = l.health.map(health_slot).unwrap_or(Slot::Unknown);
                spans.push(Span::styled(
                    format!("{} ", g.health(l.health)),
                    t.style(slot),
                ));
            }
            spans.push(Span::styled(l.label.clone(), t.style(label_slot)));
            if l.role != Role::Revision
                && l.target
                    .as_ref()
                    .is_some_and(|r| drifted.contains(&r.to_string()))
            {
                spans.push(Span::styled(
                    format!(" {} drift", g.drift),
                    t.style(Slot::Warning),
                ));
            }
            if let Some(note) = &l.note {
                let slot = if note.contains("cycle") || note.contains("blocked") {
                    Slot::Warning
                } else {
                    Slot::Muted
                };
                spans.push(Span::styled(format!("  ({note})"), t.style(slot)));
            }
            let mut line = Line::from(spans);
            if n == app.tree.cursor {
                line = line.style(t.style(Slot::Selected));
            }
            line
        })
        .collect();
    f.render_widget(Paragraph::new(out), inner);
}
