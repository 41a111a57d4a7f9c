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
    let lines: Vec<&str> = text.lines().collect();
    match yaml_pieces(&lines, theme) {
        Some(pieces) => pieces
            .into_iter()
            .map(|p| {
                Line::from(
                    p.into_iter()
                        .map(|(style, s)| Span::styled(s, style))
                        .collect::<Vec<_>>(),
                )
            })
            .collect(),
        None => lines.iter().map(|l| Line::from(l.to_string())).collect(),
    }
}

/// Highlight a sequence of YAML lines with one parser state (so block scalars and nesting
/// carry over): per line, (style, piece) in order. None when colour is off or it fails.
pub fn yaml_pieces(lines: &[&str], theme: &Theme) -> Option<Vec<Vec<(Style, String)>>> {
    if theme.mode == ColorMode::NoColor {
        return None;
    }
    let (ss, ts) = sets();
    let syntax = ss.find_syntax_by_extension("yaml")?;
    let st = ts
        .themes
        .get(&theme.syntax)
        .or_else(|| ts.themes.values().next())?;
    let mut h = HighlightLines::new(syntax, st);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        let with_newline = format!("{line}\n");
        let ranges = h.highlight_line(&with_newline, ss).ok()?;
        let pieces = ranges
            .into_iter()
            .map(|(style, piece)| {
                let c = style.foreground;
                let color = match theme.mode {
                    ColorMode::TrueColor => Color::Rgb(c.r, c.g, c.b),
                    _ => Color::Indexed(rgb_to_256(c.r, c.g, c.b)),
                };
                (
                    Style::default().fg(color),
                    piece.trim_end_matches(['\n', '\r']).to_string(),
                )
            })
            .filter(|(_, p)| !p.is_empty())
            .collect();
        out.push(pieces);
    }
    Some(out)
}
