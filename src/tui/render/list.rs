//! The main list: `flux get`-shaped columns, health glyphs, multi-select marks, brief
//! highlights of rows whose Ready just changed, and "restricted" for unreadable kinds.

use super::super::app::App;
use super::super::model::kinds::Column;
use super::super::model::list::ListModel;
use super::super::model::object::Health;
use super::{clip, pane, scroll_into_view};
use crate::config::Slot;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

pub fn health_slot(h: Health) -> Slot {
    match h {
        Health::Ready => Slot::Ready,
        Health::Failing => Slot::Failing,
        Health::Suspended => Slot::Suspended,
        Health::InProgress => Slot::Progress,
        Health::Unknown => Slot::Unknown,
    }
}

fn flexible(c: Column) -> bool {
    matches!(c, Column::Message | Column::LastEvent)
}

/// Widths per column for `width` columns of space; columns that do not fit are dropped
/// (last event first, then source, revision, suspended).
fn layout(model: &ListModel, width: usize) -> Vec<(usize, usize)> {
    let natural = |i: usize| -> usize {
        let title = model.columns[i].title().len();
        let cells = model.widths.get(i).copied().unwrap_or(0);
        title
            .max(cells)
            .min(if flexible(model.columns[i]) { 200 } else { 40 })
    };
    let mut keep: Vec<usize> = (0..model.columns.len()).collect();
    let drop_order = [
        Column::Suspended,
        Column::Source,
        Column::LastEvent,
        Column::Revision,
        Column::Namespace,
    ];
    loop {
        let fixed: usize = keep
            .iter()
            .filter(|i| !flexible(model.columns[**i]))
            .map(|i| natural(*i) + 1)
            .sum();
        let flex_count = keep.iter().filter(|i| flexible(model.columns[**i])).count();
        let room = width.saturating_sub(fixed);
        if flex_count == 0 || room >= 22 * flex_count {
            let mut out = Vec::new();
            let flex_natural: Vec<usize> = keep
                .iter()
                .filter(|i| flexible(model.columns[**i]))
                .map(|i| natural(*i))
                .collect();
            let total_flex: usize = flex_natural.iter().sum::<usize>().max(1);
            let mut fi = 0;
            for i in &keep {
                if flexible(model.columns[*i]) {
                    let share = if total_flex <= room {
                        flex_natural[fi]
                    } else {
                        (room * flex_natural[fi] / total_flex).max(12)
                    };
                    out.push((*i, share));
                    fi += 1;
                } else {
                    out.push((*i, natural(*i)));
                }
            }
            return out;
        }
        match drop_order
            .iter()
            .find_map(|c| keep.iter().position(|i| model.columns[*i] == *c))
        {
            Some(p) => {
                keep.remove(p);
            }
            None => return keep.iter().map(|i| (*i, natural(*i))).collect(),
        }
    }
}

pub fn draw(f: &mut Frame, area: Rect, app: &mut App) {
    let scope = app
        .list
        .query
        .scope
        .map(|s| s.title())
        .unwrap_or_else(|| "all".into());
    let height = area.height.saturating_sub(3) as usize;
    let cursor = app.list.cursor;
    app.list.offset = scroll_into_view(cursor, app.list.offset, height);
    let offset = app.list.offset;
    app.list_model();
    let app = &*app;
    let Some(model) = app.cached_list() else {
        return;
    };
    let q = &app.list.query;
    let mut title = format!("{scope} ({}/{})", model.rows.len(), model.total_in_scope);
    if !q.filter.text.is_empty() {
        title.push_str(&format!(" filter: {}", q.filter.text));
    }
    title.push_str(&format!(
        " sort: {}{}",
        q.sort.label(),
        if q.reverse { " desc" } else { "" }
    ));
    if q.health != Default::default() {
        title.push_str(&format!(" health: {}", q.health.label()));
    }
    if !app.list.marked.is_empty() {
        title.push_str(&format!(" selected: {}", app.list.marked.len()));
    }
    if q.drift_only {
        title.push_str(" drift only (esc clears)");
    }
    let block = pane(app, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let t = &app.theme;
    let g = &app.glyphs;
    if model.rows.is_empty() {
        let text = if !model.restricted.is_empty() {
            format!(
                "restricted: you may not list {}",
                model.restricted.join(", ")
            )
        } else if model.total_in_scope == 0 {
            format!("no {scope} objects in this scope")
        } else {
            "no objects match the filter (esc clears it)".into()
        };
        let slot = if model.restricted.is_empty() {
            Slot::Muted
        } else {
            Slot::Denied
        };
        f.render_widget(Paragraph::new(Span::styled(text, t.style(slot))), inner);
        return;
    }
    let cols = layout(model, inner.width.saturating_sub(5) as usize);
    let header = Row::new(
        std::iter::once(Cell::from(""))
            .chain(
                cols.iter()
                    .map(|(i, w)| Cell::from(clip(model.columns[*i].title(), *w, g.ascii))),
            )
            .collect::<Vec<_>>(),
    )
    .style(t.style(Slot::TableHeader));
    let rows: Vec<Row> = model
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(n, row)| {
            let marked = app.list.marked.contains(row.r());
            let flashing = app.flash.contains_key(row.r());
            let mark = if marked { g.marked } else { " " };
            let pointer = if n == cursor { g.pointer } else { " " };
            let mut cells = vec![Cell::from(Line::from(vec![
                Span::raw(pointer),
                Span::styled(mark, t.style(Slot::Marked)),
                Span::styled(g.health(Some(row.health)), t.style(health_slot(row.health))),
            ]))];
            for (i, w) in &cols {
                let text = clip(&row.cell(model.columns[*i]), *w, g.ascii);
                let style = match model.columns[*i] {
                    Column::Ready => t.style(health_slot(row.health)),
                    Column::LastEvent if row.last_event_warning => t.style(Slot::Warning),
                    Column::LastEvent => t.style(Slot::Muted),
                    Column::Message if row.health == Health::Failing => t.style(Slot::Failing),
                    _ => t.style(Slot::Text),
                };
                cells.push(Cell::from(Span::styled(text, style)));
            }
            let mut style = Style::default();
            if marked {
                style = style.patch(t.style(Slot::Marked));
            }
            if flashing {
                style = style.patch(t.style(Slot::Changed));
            }
            if n == cursor {
                style = style.patch(t.style(Slot::Selected));
            }
            Row::new(cells).style(style)
        })
        .collect();
    let widths: Vec<Constraint> = std::iter::once(Constraint::Length(3))
        .chain(cols.iter().map(|(_, w)| Constraint::Length(*w as u16)))
        .collect();
    f.render_widget(
        Table::new(rows, widths).header(header).column_spacing(1),
        inner,
    );
}
