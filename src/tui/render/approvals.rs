//! The Approvals pane: pending image updates (proposals of the approval gate, and commits on
//! separate push branches) in a table — automation, source, policy, files, old → new images,
//! age — and below it the selected one's commit message and full diff.

use super::super::app::App;
use super::super::model::approvals::{Approval, ApprovalSource};
use super::{clip, pane, scroll_into_view};
use crate::config::{Action, Layer, Slot};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

/// Rows of the table before it scrolls (the rest of the pane is the diff).
const MAX_TABLE_ROWS: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Automation,
    Source,
    Policy,
    Files,
    Images,
    Age,
}

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Automation => "AUTOMATION",
            Col::Source => "SOURCE",
            Col::Policy => "POLICY",
            Col::Files => "FILES",
            Col::Images => "IMAGES",
            Col::Age => "AGE",
        }
    }

    fn cell(self, a: &Approval, app: &App, arrow: &str) -> String {
        match self {
            Col::Automation => format!("{}/{}", a.automation.namespace, a.automation.name),
            Col::Source => a.source_text(),
            Col::Policy => a.policies.join(","),
            Col::Files => a.files.join(","),
            Col::Images => a.images_text(arrow),
            Col::Age => a.age(app.now),
        }
    }
}

fn key(app: &App, action: Action) -> String {
    app.keymap
        .key_for(&[Layer::Approvals, Layer::Global], action)
        .map(|k| k.to_string())
        .unwrap_or_else(|| format!("(unbound: {})", action.name()))
}

fn arrow(app: &App) -> &'static str {
    if app.glyphs.ascii { " -> " } else { " → " }
}

/// Column widths for `width`; Source, then Policy, then Files are dropped when Images would
/// get less than 24 columns.
fn layout(cells: &[Vec<String>], cols: &[Col], width: usize) -> Vec<(usize, usize)> {
    let natural = |i: usize| {
        let w = cells
            .iter()
            .map(|r| r[i].chars().count())
            .max()
            .unwrap_or(0)
            .max(cols[i].title().len());
        if cols[i] == Col::Images { w } else { w.min(32) }
    };
    let mut keep: Vec<usize> = (0..cols.len()).collect();
    for drop in [Col::Source, Col::Policy, Col::Files] {
        let fixed: usize = keep
            .iter()
            .filter(|i| cols[**i] != Col::Images)
            .map(|i| natural(*i) + 1)
            .sum();
        if width.saturating_sub(fixed) >= 24 {
            break;
        }
        keep.retain(|i| cols[*i] != drop);
    }
    let fixed: usize = keep
        .iter()
        .filter(|i| cols[**i] != Col::Images)
        .map(|i| natural(*i) + 1)
        .sum();
    keep.iter()
        .map(|i| {
            let w = if cols[*i] == Col::Images {
                width.saturating_sub(fixed).max(8)
            } else {
                natural(*i)
            };
            (*i, w)
        })
        .collect()
}

pub fn draw(f: &mut Frame, area: Rect, app: &mut App) {
    if app.approval_rows().is_empty() {
        return draw_empty(f, area, app);
    }
    let rows_len = app.approval_rows().len();
    let table_h = rows_len.min(MAX_TABLE_ROWS) as u16 + 3;
    let [top, bottom] =
        Layout::vertical([Constraint::Length(table_h), Constraint::Min(3)]).areas(area);
    let visible = table_h.saturating_sub(3) as usize;
    app.approvals.offset = scroll_into_view(app.approvals.cursor, app.approvals.offset, visible);
    let app = &*app;
    draw_table(f, top, app, visible);
    if let Some(item) = app.selected_approval() {
        draw_selected(f, bottom, app, item);
    }
}

fn draw_table(f: &mut Frame, area: Rect, app: &App, visible: usize) {
    let t = &app.theme;
    let g = &app.glyphs;
    let rows = app.approval_rows();
    let block = pane(
        app,
        format!(
            "approvals ({})  [{} approve, {} reject]",
            rows.len(),
            key(app, Action::Approve),
            key(app, Action::Reject)
        ),
    );
    let inner = block.inner(area);
    f.render_widget(block, area);
    let cols = [
        Col::Automation,
        Col::Source,
        Col::Policy,
        Col::Files,
        Col::Images,
        Col::Age,
    ];
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|a| cols.iter().map(|c| c.cell(a, app, arrow(app))).collect())
        .collect();
    let widths = layout(&cells, &cols, inner.width.saturating_sub(3) as usize);
    let header = Row::new(
        std::iter::once(Cell::from(""))
            .chain(
                widths
                    .iter()
                    .map(|(i, w)| Cell::from(clip(cols[*i].title(), *w, g.ascii))),
            )
            .collect::<Vec<_>>(),
    )
    .style(t.style(Slot::TableHeader));
    let body: Vec<Row> = rows
        .iter()
        .enumerate()
        .skip(app.approvals.offset)
        .take(visible)
        .map(|(n, a)| {
            let selected = n == app.approvals.cursor;
            let (glyph, slot) = if a.blocked.is_some() {
                (g.warn, Slot::Warning)
            } else {
                (g.progress, Slot::Progress)
            };
            let mut line = vec![Cell::from(Line::from(vec![
                Span::raw(if selected { g.pointer } else { " " }),
                Span::styled(glyph, t.style(slot)),
            ]))];
            for (i, w) in &widths {
                let style = match cols[*i] {
                    Col::Images => t.style(Slot::Changed),
                    Col::Age | Col::Source => t.style(Slot::Muted),
                    _ => t.style(Slot::Text),
                };
                line.push(Cell::from(Span::styled(
                    clip(&cells[n][*i], *w, g.ascii),
                    style,
                )));
            }
            let mut style = Style::default();
            if selected {
                style = style.patch(t.style(Slot::Selected));
            }
            Row::new(line).style(style)
        })
        .collect();
    let constraints: Vec<Constraint> = std::iter::once(Constraint::Length(2))
        .chain(widths.iter().map(|(_, w)| Constraint::Length(*w as u16)))
        .collect();
    f.render_widget(
        Table::new(body, constraints)
            .header(header)
            .column_spacing(1),
        inner,
    );
}

fn detail_lines<'a>(app: &App, a: &'a Approval) -> Vec<Line<'a>> {
    let t = &app.theme;
    let label = |s: &'static str| Span::styled(s, t.style(Slot::Muted));
    let mut out = vec![
        Line::from(vec![label("policy   "), Span::raw(a.policies.join(", "))]),
        Line::from(vec![label("files    "), Span::raw(a.files.join(", "))]),
        Line::from(vec![
            label("images   "),
            Span::styled(a.images_text(arrow(app)), t.style(Slot::Changed)),
        ]),
    ];
    if let ApprovalSource::PushBranch { branch, into } = &a.source {
        out.push(Line::from(vec![
            label("branch   "),
            Span::raw(format!(
                "{} commit(s) on '{branch}' not on '{into}'",
                a.commits.len()
            )),
        ]));
        for c in &a.commits {
            out.push(Line::from(vec![label("         "), Span::raw(c.clone())]));
        }
    }
    if let Some(b) = &a.blocked {
        out.push(Line::from(Span::styled(
            format!("{} blocked: {b}", app.glyphs.warn),
            t.style(Slot::Warning),
        )));
    }
    out.push(Line::from(label("message")));
    for l in a.message.lines() {
        out.push(Line::from(Span::raw(format!("  {l}"))));
    }
    out.push(Line::from(label("diff")));
    for l in a.diff.lines() {
        let slot = if l.starts_with("+++") || l.starts_with("---") {
            Slot::Title
        } else if l.starts_with('+') {
            Slot::Ready
        } else if l.starts_with('-') {
            Slot::Failing
        } else if l.starts_with("@@") {
            Slot::Muted
        } else {
            Slot::Text
        };
        out.push(Line::from(Span::styled(l.to_string(), t.style(slot))));
    }
    out
}

fn draw_selected(f: &mut Frame, area: Rect, app: &App, a: &Approval) {
    let title = match &a.source {
        ApprovalSource::Proposal => format!(
            "{}/{} proposal {}",
            a.automation.namespace, a.automation.name, a.id
        ),
        ApprovalSource::PushBranch { branch, .. } => format!(
            "{}/{} {branch} @ {}",
            a.automation.namespace,
            a.automation.name,
            a.id.chars().take(7).collect::<String>()
        ),
    };
    let block = pane(app, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines = detail_lines(app, a);
    let max = lines.len().saturating_sub(inner.height as usize);
    let scroll = app.detail_scroll.min(max);
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0)),
        inner,
    );
}

fn draw_empty(f: &mut Frame, area: Rect, app: &App) {
    let block = pane(app, "approvals (0)".into());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let t = &app.theme;
    let lines = [
        "No pending approvals.".to_string(),
        String::new(),
        "Image updates waiting for a decision appear here: proposals of ImageUpdateAutomations annotated fluxdeck.io/approval: required, and commits on a separate push branch (spec.git.push.branch) not yet on the checkout branch.".into(),
        String::new(),
        format!(
            "Press {} to approve or {} to reject the selected update.",
            key(app, Action::Approve),
            key(app, Action::Reject)
        ),
    ];
    let text: Vec<Line> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            Line::from(Span::styled(
                l.clone(),
                t.style(if i == 0 { Slot::Title } else { Slot::Muted }),
            ))
        })
        .collect();
    f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
}
