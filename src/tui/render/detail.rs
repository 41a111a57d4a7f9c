//! Detail pane with tabs: conditions/status, YAML (highlighted, Secret data masked),
//! describe with events, trace, reconciliation history.

use super::super::app::{App, DetailTab};
use super::super::model::detail::{self, DLine, Tone};
use super::super::model::{trace, yaml};
use super::highlight;
use super::pane;
use crate::config::Slot;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

fn tone_slot(t: Tone) -> Slot {
    match t {
        Tone::Normal => Slot::Text,
        Tone::Heading => Slot::TableHeader,
        Tone::Good => Slot::Ready,
        Tone::Bad => Slot::Failing,
        Tone::Warn => Slot::Warning,
        Tone::Muted => Slot::Muted,
    }
}

fn styled(app: &App, lines: Vec<DLine>) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .map(|l| Line::from(Span::styled(l.text, app.theme.style(tone_slot(l.tone)))))
        .collect()
}

pub fn draw(f: &mut Frame, area: Rect, app: &mut App) {
    let target = app.focus.clone().or_else(|| app.current_target());
    let title = target
        .as_ref()
        .map(|t| t.to_string())
        .unwrap_or_else(|| "detail".into());
    let block = pane(app, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(inner);
    let t = &app.theme;
    let mut tab_spans = Vec::new();
    for (i, tab) in DetailTab::ALL.iter().enumerate() {
        if i > 0 {
            tab_spans.push(Span::styled(
                format!(" {} ", app.glyphs.sep),
                t.style(Slot::Border),
            ));
        }
        let slot = if *tab == app.detail_tab {
            Slot::Selected
        } else {
            Slot::Muted
        };
        tab_spans.push(Span::styled(tab.title(), t.style(slot)));
    }
    f.render_widget(Paragraph::new(Line::from(tab_spans)), tabs);
    let Some(obj) = target.as_ref().and_then(|r| app.object(r)) else {
        let msg = "nothing selected: pick an object in the list and press enter";
        f.render_widget(
            Paragraph::new(Span::styled(msg, t.style(Slot::Muted))),
            body,
        );
        return;
    };
    let lines: Vec<Line<'static>> = match app.detail_tab {
        DetailTab::Overview => styled(app, detail::overview(&obj, app.now)),
        DetailTab::Yaml => {
            // Highlighting is the costliest thing we draw: only redo it when the text changed.
            let text = yaml::to_yaml(&obj);
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::hash::Hash::hash(&text, &mut h);
            let key = std::hash::Hasher::finish(&h);
            match &app.yaml_cache {
                Some((k, lines)) if *k == key => lines.clone(),
                _ => {
                    let lines = highlight::yaml_lines(&text, &app.theme);
                    app.yaml_cache = Some((key, lines.clone()));
                    lines
                }
            }
        }
        DetailTab::Describe => styled(
            app,
            detail::describe(&app.snapshot, &app.index, &obj, app.now),
        ),
        DetailTab::Trace => styled(app, trace::trace(&app.snapshot, &app.index, &obj)),
        DetailTab::History => styled(
            app,
            detail::history(&app.snapshot, &app.index, &obj, app.now),
        ),
    };
    let max_scroll = lines.len().saturating_sub(body.height as usize);
    app.detail_scroll = app.detail_scroll.min(max_scroll);
    let visible: Vec<Line> = lines
        .into_iter()
        .skip(app.detail_scroll)
        .take(body.height as usize)
        .collect();
    f.render_widget(Paragraph::new(visible), body);
}
