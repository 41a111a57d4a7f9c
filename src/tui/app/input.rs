//! Text inputs: the `/` filter, the `:` command line, the suspend-reason prompt, the delete
//! confirmation and the YAML editor (ratatui-textarea). Bound keys of the prompt/editor
//! layers act; every other key is typed into the text area.

use crate::config::key::{Key, KeyCode};
use crate::tui::backend::ObjectRef;
use ratatui_textarea::{Input as TaInput, Key as TaKey, TextArea};

pub enum Input {
    Filter(TextArea<'static>),
    Command(TextArea<'static>),
    SuspendReason {
        targets: Vec<ObjectRef>,
        area: TextArea<'static>,
    },
    ConfirmDelete {
        targets: Vec<ObjectRef>,
    },
    /// Approve or reject an image update: `what` says exactly what will happen.
    ConfirmDecision {
        what: String,
        command: crate::tui::backend::Command,
    },
    Editor(Editor),
}

pub struct Editor {
    pub target: ObjectRef,
    pub area: TextArea<'static>,
    /// (line, message) of the last validation or apply error, shown in place.
    pub error: Option<(Option<usize>, String)>,
    /// The Apply command in flight, if any.
    pub pending: Option<u64>,
    pub original: String,
}

impl Editor {
    /// Show an error in place; with a line number, put the cursor on that line.
    pub fn set_error(&mut self, error: (Option<usize>, String)) {
        if let Some(line) = error.0.filter(|l| *l > 0) {
            let row = u16::try_from(line - 1).unwrap_or(u16::MAX);
            self.area
                .move_cursor(ratatui_textarea::CursorMove::Jump(row, 0));
        }
        self.error = Some(error);
    }
}

impl Input {
    pub fn is_editor(&self) -> bool {
        matches!(self, Input::Editor(_))
    }
    pub fn title(&self) -> String {
        match self {
            Input::Filter(_) => "filter".into(),
            Input::Command(_) => "command".into(),
            Input::SuspendReason { targets, .. } => {
                format!("suspend {} (reason, optional)", names(targets))
            }
            Input::ConfirmDelete { targets } => format!("delete {}?", names(targets)),
            Input::ConfirmDecision { what, .. } => format!("{what}?"),
            Input::Editor(e) => format!("edit {}", e.target),
        }
    }
}

pub fn names(targets: &[ObjectRef]) -> String {
    match targets {
        [one] => one.to_string(),
        many => format!("{} objects", many.len()),
    }
}

pub fn single_line(text: &str) -> TextArea<'static> {
    let mut t = TextArea::new(vec![text.to_string()]);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

pub fn editor_area(text: &str) -> TextArea<'static> {
    let mut t = TextArea::new(text.lines().map(str::to_string).collect());
    t.set_line_number_style(
        ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::DIM),
    );
    t
}

/// Feed one key to a text area; single-line areas ignore Enter (the prompt layer handles it).
pub fn type_key(area: &mut TextArea<'static>, key: Key, single: bool) -> bool {
    let k = match key.code {
        KeyCode::Char(c) => TaKey::Char(c),
        KeyCode::Enter if single => return false,
        KeyCode::Enter => TaKey::Enter,
        KeyCode::Esc => TaKey::Esc,
        KeyCode::Tab => TaKey::Tab,
        KeyCode::BackTab => return false,
        KeyCode::Backspace => TaKey::Backspace,
        KeyCode::Delete => TaKey::Delete,
        KeyCode::Up => TaKey::Up,
        KeyCode::Down => TaKey::Down,
        KeyCode::Left => TaKey::Left,
        KeyCode::Right => TaKey::Right,
        KeyCode::Home => TaKey::Home,
        KeyCode::End => TaKey::End,
        KeyCode::PageUp => TaKey::PageUp,
        KeyCode::PageDown => TaKey::PageDown,
        KeyCode::F(n) => TaKey::F(n),
    };
    let shift = matches!(key.code, KeyCode::Char(c) if c.is_uppercase());
    area.input(TaInput {
        key: k,
        ctrl: key.ctrl,
        alt: key.alt,
        shift,
    })
}

pub fn text_of(area: &TextArea<'_>) -> String {
    area.lines().join("\n")
}
