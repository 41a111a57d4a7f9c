//! Renderers: App state → one frame. Pure functions of the state (no I/O), so the same code
//! draws the terminal, the headless `snapshot` command and the TestBackend snapshots.

pub mod approvals;
pub mod detail;
pub mod diff;
pub mod events;
pub mod header;
pub mod help;
pub mod highlight;
pub mod list;
pub mod status;
pub mod text;
pub mod tree;

use super::app::input::Input;
use super::app::{App, Overlay, View};
use crate::config::Slot;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders};

/// Draw the whole app.
pub fn draw(f: &mut Frame, app: &mut App) {
    let area = f.area();
    let [head, body, hints, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    header::draw(f, head, app);
    app.page = body.height.saturating_sub(3) as usize;
    match app.view {
        View::List => list::draw(f, body, app),
        View::Tree => tree::draw(f, body, app),
        View::Events => events::draw(f, body, app),
        View::Detail => detail::draw(f, body, app),
        View::Diff => diff::draw(f, body, app),
        View::Approvals => approvals::draw(f, body, app),
    }
    match &app.input {
        Some(Input::Editor(_)) => status::draw_editor(f, body, app),
        Some(_) => status::draw_prompt(f, hints, app),
        None => help::draw_hints(f, hints, app),
    }
    status::draw_status(f, status, app);
    match app.overlay {
        Some(Overlay::Help) => help::draw_help(f, body, app),
        Some(Overlay::ActionLog) => help::draw_log(f, body, app),
        None => {}
    }
}

/// The bordered box every pane uses (ASCII borders in ASCII mode).
pub fn pane<'a>(app: &App, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_set(app.glyphs.border)
        .border_style(app.theme.style(Slot::Border))
        .title(ratatui::text::Span::styled(
            format!(" {title} "),
            app.theme.style(Slot::Title),
        ))
}

/// Keep `cursor` visible in a window of `height` rows starting at `offset`.
pub fn scroll_into_view(cursor: usize, offset: usize, height: usize) -> usize {
    if height == 0 {
        return 0;
    }
    if cursor < offset {
        cursor
    } else if cursor >= offset + height {
        cursor + 1 - height
    } else {
        offset
    }
}

/// A centered rectangle for overlays.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Cut a string to `width` columns, ending with `…` (or `~` in ASCII mode) when cut.
pub fn clip(s: &str, width: usize, ascii: bool) -> String {
    let count = s.chars().count();
    if count <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push_str(if ascii { "~" } else { "…" });
    out
}
