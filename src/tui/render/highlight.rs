//! YAML highlighting with syntect (pure-Rust regex engine), mapped to the colour mode:
//! truecolor as is, 256-colour through the nearest xterm index, nothing under NO_COLOR.

use crate::config::{ColorMode, Theme, theme::rgb_to_256};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use std::sync::OnceLock;
use syntect::easy::HighlightLines;
use syntect::highlighting::ThemeSet;
use syntect::parsing::SyntaxSet;

fn sets() -> &'static (SyntaxSet, ThemeSet) {
    static SETS: OnceLock<(SyntaxSet, ThemeSet)> = OnceLock::new();
    SETS.get_or_init(|| {
        (
            SyntaxSet::load_defaults_newlines(),
            ThemeSet::load_defaults(),
        )
    })
}

/// Highlighted lines of a YAML text (plain lines when colour is off or highlighting fails).
pub fn yaml_lines(text: &str, theme: &Theme) -> Vec<Line<'static>> {
    let plain = || text.lines().map(|l| Line::from(l.to_string())).collect();
    if theme.mode == ColorMode::NoColor {
        return plain();
    }
    let (ss, ts) = sets();
    let Some(syntax) = ss.find_syntax_by_extension("yaml") else {
        return plain();
    };
    let Some(st) = ts
        .themes
        .get(&theme.syntax)
        .or_else(|| ts.themes.values().next())
    else {
        return plain();
    };
    let mut h = HighlightLines::new(syntax, st);
    let mut out = Vec::new();
    for line in syntect::util::LinesWithEndings::from(text) {
        let Ok(ranges) = h.highlight_line(line, ss) else {
            return plain();
        };
        let spans: Vec<Span<'static>> = ranges
            .into_iter()
            .map(|(style, piece)| {
                let c = style.foreground;
                let color = match theme.mode {
                    ColorMode::TrueColor => Color::Rgb(c.r, c.g, c.b),
                    _ => Color::Indexed(rgb_to_256(c.r, c.g, c.b)),
                };
                Span::styled(
                    piece.trim_end_matches(['\n', '\r']).to_string(),
                    Style::default().fg(color),
                )
            })
            .collect();
        out.push(Line::from(spans));
    }
    out
}
