//! One frame of the real app without a terminal: `fluxdeck snapshot` and the TestBackend
//! snapshot tests both go through here, so what CI checks is what users see.

use super::app::{App, View};
use super::backend::{ObjectRef, Snapshot};
use super::glyphs::Glyphs;
use super::render;
use crate::config::{ColorMode, Keymap, Theme};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use std::sync::Arc;

/// Options beyond the snapshot command's flags.
#[derive(Debug, Clone)]
pub struct FrameOptions {
    pub ascii: bool,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Pin the wall clock (for stable ages); None = now.
    pub now: Option<jiff::Timestamp>,
}

impl Default for FrameOptions {
    fn default() -> Self {
        Self {
            ascii: false,
            theme: Theme::default_dark(),
            keymap: Keymap::defaults().unwrap_or_default(),
            now: None,
        }
    }
}

/// Build an App showing `view`, with `select` (`KIND/NS/NAME`) selected and focused.
pub fn prepared_app(
    snapshot: &Snapshot,
    view: View,
    select: Option<&str>,
    opts: FrameOptions,
) -> App {
    let mut app = App::new(
        Arc::new(snapshot.clone()),
        opts.keymap,
        opts.theme,
        Glyphs::for_mode(opts.ascii),
    );
    if let Some(now) = opts.now {
        app.now = now;
    }
    let target = select.and_then(ObjectRef::parse);
    if let Some(t) = &target {
        app.select_ref(t);
        app.focus = Some(t.clone());
    } else {
        app.focus = app.selected_row();
    }
    app.view = view;
    match view {
        View::Tree => {
            if let Some(t) = &target {
                app.tree_jump(t);
            }
        }
        View::Events => app.events.global = target.is_none(),
        View::Diff => {
            app.show_diff_of(target.clone());
        }
        _ => {}
    }
    app
}

/// Draw the app into a buffer of `cols`×`rows`.
pub fn render_buffer(app: &mut App, cols: u16, rows: u16) -> Buffer {
    let backend = TestBackend::new(cols.max(20), rows.max(6));
    let Ok(mut term) = Terminal::new(backend);
    let _ = term.draw(|f| render::draw(f, app));
    term.backend().buffer().clone()
}

/// One frame of the real app as plain text (or with ANSI colours).
pub fn render_frame(
    snapshot: &Snapshot,
    view: View,
    cols: u16,
    rows: u16,
    select: Option<&str>,
    ansi: bool,
) -> String {
    let mut opts = FrameOptions::default();
    let mode = if ansi {
        ColorMode::detect(std::env::var("NO_COLOR").ok().as_deref(), Some("truecolor"))
    } else {
        ColorMode::NoColor
    };
    opts.theme = opts.theme.with_mode(mode);
    render_frame_with(snapshot, view, cols, rows, select, ansi, opts)
}

pub fn render_frame_with(
    snapshot: &Snapshot,
    view: View,
    cols: u16,
    rows: u16,
    select: Option<&str>,
    ansi: bool,
    opts: FrameOptions,
) -> String {
    let mut app = prepared_app(snapshot, view, select, opts);
    let buf = render_buffer(&mut app, cols, rows);
    if ansi {
        render::text::ansi(&buf)
    } else {
        render::text::plain(&buf)
    }
}
