//! The diff pane: a summary line (counts per class, age of the report), the per-object list
//! with class glyphs and +/- counts, and the selected object's unified diff, YAML-highlighted
//! with syntect and the changed words of each line emphasised.

use super::super::app::App;
use super::super::model::diff::{self, BodyRow};
use super::super::model::time;
use super::{clip, highlight, pane, scroll_into_view};
use crate::config::{Action, Layer, Slot, Theme};
use crate::engine::diff::Class;
use crate::engine::diff::unified::{LineTag, ObjectView};
use crate::tui::backend::DriftStatus;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

fn key(app: &App, action: Action) -> String {
    app.keymap
        .key_for(&[Layer::Diff, Layer::Global], action)
        .map(|k| k.to_string())
        .unwrap_or_else(|| action.name().to_string())
}

fn class_slot(c: Class) -> Slot {
    match c {
        Class::Created => Slot::Ready,
        Class::Drifted => Slot::Warning,
        Class::Deleted => Slot::Failing,
        Class::Unchanged | Class::Skipped => Slot::Muted,
    }
}

fn message(f: &mut Frame, area: Rect, app: &App, lines: &[(String, Slot)]) {
    let text: Vec<Line> = lines
        .iter()
        .map(|(l, s)| Line::from(Span::styled(l.clone(), app.theme.style(*s))))
        .collect();
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
}

pub fn draw(f: &mut Frame, area: Rect, app: &mut App) {
    let target = app.diff.target.clone();
    let mode = if app.diff.full { "full" } else { "compact" };
    let title = match &target {
        Some(t) => format!("diff {t} ({mode})"),
        None => "diff".to_string(),
    };
    let block = pane(app, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let computing = app.diff_computing();
    let Some(t) = target else {
        let hint = format!(
            "Select a Kustomization (or an object it applies) in the list or tree and press {}.",
            key(app, Action::Diff)
        );
        let lines = [
            ("No Kustomization selected.".to_string(), Slot::Title),
            (String::new(), Slot::Text),
            (hint, Slot::Muted),
            (
                "The pane compares what the source revision would apply (built like the controller builds it, server-side dry-run) with the live objects; Secret values are masked.".into(),
                Slot::Muted,
            ),
        ];
        return message(f, inner, app, &lines);
    };
    let status = app.diff_status().cloned();
    let report_at = status.as_ref().map(DriftStatus::at);
    let model = app.diff_model();
    let [summary, rest] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let mut spans = Vec::new();
    if let Some(m) = &model {
        let g = |c| crate::engine::diff::unified::glyph(c, app.glyphs.ascii);
        for (class, n) in [
            (Class::Created, m.counts.created),
            (Class::Drifted, m.counts.drifted),
            (Class::Deleted, m.counts.deleted),
            (Class::Unchanged, m.counts.unchanged),
            (Class::Skipped, m.counts.skipped),
        ] {
            if n > 0 || matches!(class, Class::Drifted | Class::Unchanged) {
                spans.push(Span::styled(
                    format!("{} {n} {}  ", g(class), class_word(class)),
                    app.theme.style(class_slot(class)),
                ));
            }
        }
    }
    if computing {
        spans.push(Span::styled(
            format!("{} computing…", app.glyphs.progress),
            app.theme.style(Slot::Progress),
        ));
    } else if let Some(at) = report_at {
        spans.push(Span::styled(
            format!("as of {} ago", time::age(at, app.now)),
            app.theme.style(Slot::Muted),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), summary);
    let model = match (status, model) {
        (Some(DriftStatus::Failed { message: m, .. }), _) => {
            let lines = [
                (
                    format!("{} drift of {t} not computed", app.glyphs.fail),
                    Slot::Error,
                ),
                (m, Slot::Error),
                (String::new(), Slot::Text),
                (format!("{} retries.", key(app, Action::Diff)), Slot::Muted),
            ];
            return message(f, rest, app, &lines);
        }
        (_, Some(m)) => m,
        _ => {
            let line = format!("{} computing the drift of {t}…", app.glyphs.progress);
            return message(f, rest, app, &[(line, Slot::Progress)]);
        }
    };
    if model.objects.is_empty() {
        let c = model.counts;
        let lines = [
            (
                format!(
                    "{} No drift: the {} objects of {t} match its source.",
                    app.glyphs.ok, c.unchanged
                ),
                Slot::Ready,
            ),
            (
                if c.skipped > 0 {
                    format!(
                        "{} objects are skipped (ssa: Ignore or reconcile: disabled).",
                        c.skipped
                    )
                } else {
                    String::new()
                },
                Slot::Muted,
            ),
        ];
        return message(f, rest, app, &lines);
    }
    let list_w = (rest.width / 3)
        .clamp(24, 44)
        .min(rest.width.saturating_sub(20));
    let [left, right] =
        Layout::horizontal([Constraint::Length(list_w), Constraint::Min(10)]).areas(rest);
    draw_list(f, left, app, &model.objects);
    if let Some(v) = model.objects.get(app.diff.cursor) {
        draw_body(f, right, app, v);
    }
}

fn class_word(c: Class) -> &'static str {
    match c {
        Class::Deleted => "to prune",
        other => other.as_str(),
    }
}

fn draw_list(f: &mut Frame, area: Rect, app: &mut App, objects: &[ObjectView]) {
    let block = Block::default()
        .borders(Borders::RIGHT)
        .border_set(app.glyphs.border)
        .border_style(app.theme.style(Slot::Border));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let height = inner.height as usize;
    app.diff.offset = scroll_into_view(app.diff.cursor, app.diff.offset, height);
    let width = inner.width as usize;
    let t = &app.theme;
    let lines: Vec<Line> = objects
        .iter()
        .enumerate()
        .skip(app.diff.offset)
        .take(height)
        .map(|(i, o)| {
            let counts = match o.class {
                Class::Drifted => format!(" +{} -{}", o.added, o.removed),
                _ => String::new(),
            };
            let pointer = if i == app.diff.cursor {
                app.glyphs.pointer
            } else {
                " "
            };
            let room = width.saturating_sub(4 + counts.chars().count());
            let subject = clip(&short_subject(&o.subject, room), room, app.glyphs.ascii);
            let pad = room.saturating_sub(subject.chars().count());
            let mut line = Line::from(vec![
                Span::raw(pointer),
                Span::styled(format!("{} ", o.glyph), t.style(class_slot(o.class))),
                Span::styled(format!("{subject}{}", " ".repeat(pad)), t.style(Slot::Text)),
                Span::styled(counts, t.style(Slot::Muted)),
            ]);
            if i == app.diff.cursor {
                line = line.style(t.style(Slot::Selected));
            }
            line
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}

/// `Kind/ns/name`, or `Kind/name` when the namespace does not fit, or just the name.
fn short_subject(subject: &str, room: usize) -> String {
    let parts: Vec<&str> = subject.split('/').collect();
    let candidates = match parts.as_slice() {
        [k, _, n] => vec![subject.to_string(), format!("{k}/{n}"), n.to_string()],
        _ => vec![subject.to_string()],
    };
    candidates
        .iter()
        .find(|c| c.chars().count() <= room)
        .unwrap_or(&candidates[candidates.len() - 1])
        .clone()
}

fn draw_body(f: &mut Frame, area: Rect, app: &mut App, v: &ObjectView) {
    let (rows, _) = diff::body(v);
    // Highlighting is the costliest part of the frame: only redo it when the object changed.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&format!("{rows:?}"), &mut h);
    let key = std::hash::Hasher::finish(&h);
    let lines = match &app.diff.styled {
        Some((k, l)) if *k == key => l.clone(),
        _ => {
            let l = styled_rows(&rows, &app.theme, app.glyphs.ascii);
            app.diff.styled = Some((key, l.clone()));
            l
        }
    };
    let height = area.height as usize;
    app.diff.scroll = app.diff.scroll.min(lines.len().saturating_sub(1));
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(app.diff.scroll)
        .take(height)
        .collect();
    let inner = Rect {
        x: area.x + 1,
        width: area.width.saturating_sub(1),
        ..area
    };
    f.render_widget(Paragraph::new(visible), inner);
}

/// Body rows as styled lines: gutter (line number, sign), syntect colours, changed words
/// emphasised (reversed, so they show without colour too).
pub fn styled_rows(rows: &[BodyRow], theme: &Theme, _ascii: bool) -> Vec<Line<'static>> {
    let texts: Vec<String> = rows
        .iter()
        .map(|r| match r {
            BodyRow::Line(l) => diff::line_text(l),
            _ => String::new(),
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let pieces = highlight::yaml_pieces(&refs, theme);
    rows.iter()
        .enumerate()
        .map(|(i, row)| match row {
            BodyRow::Hunk(h) => Line::from(Span::styled(h.clone(), theme.style(Slot::Progress))),
            BodyRow::Note(n) => Line::from(Span::styled(n.clone(), theme.style(Slot::Muted))),
            BodyRow::Line(l) => {
                let (slot, no) = match l.tag {
                    LineTag::Added => (Slot::Ready, l.new_no),
                    LineTag::Removed => (Slot::Failing, l.old_no),
                    LineTag::Context => (Slot::Muted, l.new_no),
                };
                let gutter = no
                    .map(|n| format!("{n:>4} "))
                    .unwrap_or_else(|| "     ".into());
                let mut spans = vec![
                    Span::styled(gutter, theme.style(Slot::Muted)),
                    Span::styled(format!("{} ", diff::sign(l.tag)), theme.style(slot)),
                ];
                let base: Vec<(Style, String)> = match &pieces {
                    Some(p) => p[i].clone(),
                    None => vec![(theme.style(Slot::Text), texts[i].clone())],
                };
                let emph_style = theme
                    .style(slot)
                    .add_modifier(Modifier::REVERSED | Modifier::BOLD);
                let emph = if l.tag == LineTag::Context {
                    Vec::new()
                } else {
                    emphasis_ranges(&l.segments)
                };
                spans.extend(merge(base, &emph, emph_style));
                Line::from(spans)
            }
        })
        .collect()
}

/// Byte ranges of the emphasised segments of a line (when only part of it changed).
fn emphasis_ranges(segments: &[(bool, String)]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    let all = segments.iter().all(|(e, _)| *e);
    for (emph, s) in segments {
        if *emph && !all {
            out.push((at, at + s.len()));
        }
        at += s.len();
    }
    out
}

/// Split highlighted pieces at the emphasis boundaries; emphasised parts get `emph`.
pub fn merge(
    pieces: Vec<(Style, String)>,
    emph: &[(usize, usize)],
    emph_style: Style,
) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut at = 0;
    for (style, text) in pieces {
        let end = at + text.len();
        let mut cuts = vec![at, end];
        for (a, b) in emph {
            for c in [*a, *b] {
                if c > at && c < end && text.is_char_boundary(c - at) {
                    cuts.push(c);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let (s, e) = (w[0], w[1]);
            let part = text[s - at..e - at].to_string();
            let hot = emph.iter().any(|(a, b)| s >= *a && e <= *b);
            out.push(Span::styled(part, if hot { emph_style } else { style }));
        }
        at = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Color;

    #[test]
    fn emphasis_splits_highlighted_pieces_at_word_boundaries() {
        let red = Style::default().fg(Color::Red);
        let blue = Style::default().fg(Color::Blue);
        let hot = Style::default().add_modifier(Modifier::REVERSED);
        let spans = merge(
            vec![(red, "replicas: ".into()), (blue, "3".into())],
            &[(10, 11)],
            hot,
        );
        let got: Vec<(String, Style)> = spans
            .iter()
            .map(|s| (s.content.to_string(), s.style))
            .collect();
        assert_eq!(
            got,
            vec![("replicas: ".to_string(), red), ("3".to_string(), hot)]
        );
        let spans = merge(vec![(red, "image: a:1".into())], &[(9, 10)], hot);
        let texts: Vec<&str> = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, ["image: a:", "1"]);
    }

    #[test]
    fn whole_line_changes_are_not_emphasised() {
        assert!(emphasis_ranges(&[(true, "a: 1".into())]).is_empty());
        assert_eq!(
            emphasis_ranges(&[(false, "a: ".into()), (true, "2".into())]),
            vec![(3, 4)]
        );
    }
}
