//! Symbols, with an ASCII set for poor terminals (`--ascii`): no box drawing, no glyphs.

use super::model::object::Health;
use ratatui::symbols::border;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    pub ascii: bool,
    pub ok: &'static str,
    pub fail: &'static str,
    pub progress: &'static str,
    pub suspended: &'static str,
    pub unknown: &'static str,
    pub marked: &'static str,
    /// The cursor row marker (visible without colours too).
    pub pointer: &'static str,
    pub warn: &'static str,
    pub branch: &'static str,
    pub last: &'static str,
    pub pipe: &'static str,
    pub space: &'static str,
    pub expanded: &'static str,
    pub collapsed: &'static str,
    pub sep: &'static str,
    /// Badge of objects and Kustomizations whose live state differs from Git.
    pub drift: &'static str,
    pub border: border::Set<'static>,
}

pub const UNICODE: Glyphs = Glyphs {
    ascii: false,
    ok: "✔",
    fail: "✗",
    progress: "◎",
    suspended: "⏸",
    unknown: "?",
    marked: "●",
    pointer: "›",
    warn: "⚠",
    branch: "├── ",
    last: "└── ",
    pipe: "│   ",
    space: "    ",
    expanded: "▾",
    collapsed: "▸",
    sep: "│",
    drift: "≠",
    border: border::ROUNDED,
};

pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

pub const ASCII: Glyphs = Glyphs {
    ascii: true,
    ok: "+",
    fail: "x",
    progress: "~",
    suspended: "=",
    unknown: "?",
    marked: "*",
    pointer: ">",
    warn: "!",
    branch: "|-- ",
    last: "`-- ",
    pipe: "|   ",
    space: "    ",
    expanded: "v",
    collapsed: ">",
    sep: "|",
    drift: "!=",
    border: ASCII_BORDER,
};

impl Glyphs {
    pub fn for_mode(ascii: bool) -> Self {
        if ascii { ASCII } else { UNICODE }
    }
    pub fn health(&self, h: Option<Health>) -> &'static str {
        match h {
            Some(Health::Ready) => self.ok,
            Some(Health::Failing) => self.fail,
            Some(Health::InProgress) => self.progress,
            Some(Health::Suspended) => self.suspended,
            Some(Health::Unknown) | None => self.unknown,
        }
    }
}
