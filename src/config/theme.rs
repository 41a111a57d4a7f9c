//! Themes: a palette of named colours plus semantic slots (what the UI asks for: `ready`,
//! `failing`, `selected`, …). Built-in themes are the files under themes/ (embedded); a user
//! theme `<name>.toml` in the config directory wins over a built-in of the same name.
//! Colour output adapts to the terminal: truecolor, a 256-colour fallback, or none (NO_COLOR).

use super::line_of;
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const BUILTIN_THEMES: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
    ("monochrome", include_str!("../../themes/monochrome.toml")),
];

macro_rules! slots {
    ($($variant:ident => $name:literal),* $(,)?) => {
        /// A semantic place in the UI that has a style.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Slot { $($variant),* }
        impl Slot {
            pub const ALL: &'static [Slot] = &[$(Slot::$variant),*];
            pub fn name(self) -> &'static str { match self { $(Slot::$variant => $name),* } }
            pub fn from_name(n: &str) -> Option<Self> { match n { $($name => Some(Slot::$variant),)* _ => None } }
        }
    };
}

slots! {
    Text => "text", Muted => "muted", Border => "border", Title => "title", Header => "header",
    TableHeader => "table_header", Selected => "selected", Marked => "marked", Ready => "ready",
    Failing => "failing", Suspended => "suspended", Progress => "progress", Unknown => "unknown",
    Warning => "warning", Changed => "changed", Key => "key", Hint => "hint", Prompt => "prompt",
    Error => "error", Success => "success", Denied => "denied", TreeGuide => "tree_guide",
}

/// How many colours the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    TrueColor,
    Ansi256,
    NoColor,
}

impl ColorMode {
    /// NO_COLOR (any non-empty value) wins; COLORTERM=truecolor|24bit gives truecolor;
    /// anything else gets the 256-colour fallback.
    pub fn detect(no_color: Option<&str>, colorterm: Option<&str>) -> Self {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return ColorMode::NoColor;
        }
        match colorterm.map(str::to_ascii_lowercase).as_deref() {
            Some("truecolor") | Some("24bit") => ColorMode::TrueColor,
            _ => ColorMode::Ansi256,
        }
    }
    pub fn from_env() -> Self {
        Self::detect(
            std::env::var("NO_COLOR").ok().as_deref(),
            std::env::var("COLORTERM").ok().as_deref(),
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
struct SlotStyle {
    fg: Option<Color>,
    bg: Option<Color>,
    modifiers: Modifier,
}

/// A parsed theme, ready to hand out ratatui styles.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// The syntect theme used for YAML highlighting.
    pub syntax: String,
    slots: BTreeMap<Slot, SlotStyle>,
    pub mode: ColorMode,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThemeError {
    #[error("{origin}:{line}: invalid theme TOML: {message}")]
    Syntax {
        origin: String,
        line: usize,
        message: String,
    },
    #[error("{origin}: unknown slot {slot:?}; valid slots: {}", Slot::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().join(", "))]
    UnknownSlot { origin: String, slot: String },
    #[error(
        "{origin}: slot {slot:?}: colour {value:?} is neither a palette name, #rrggbb, a 0-255 index nor an ANSI name (red, lightblue, …)"
    )]
    BadColor {
        origin: String,
        slot: String,
        value: String,
    },
    #[error(
        "{origin}: slot {slot:?}: unknown modifier {value:?}; use bold, dim, italic, underlined, reversed"
    )]
    BadModifier {
        origin: String,
        slot: String,
        value: String,
    },
    #[error("{origin}: slots missing: {missing}; every slot needs a style")]
    MissingSlots { origin: String, missing: String },
    #[error(
        "theme {name:?} not found: not in {dir} and not built in (dark, light, high-contrast, monochrome)"
    )]
    NotFound { name: String, dir: String },
    #[error("cannot read theme {path}: {message}")]
    Io { path: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTheme {
    name: String,
    #[serde(default = "default_syntax")]
    syntax: String,
    #[serde(default)]
    palette: BTreeMap<String, String>,
    slots: BTreeMap<String, RawSlot>,
}

fn default_syntax() -> String {
    "base16-ocean.dark".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlot {
    fg: Option<String>,
    bg: Option<String>,
    #[serde(default)]
    modifiers: Vec<String>,
}

fn parse_color(value: &str, palette: &BTreeMap<String, String>, depth: u8) -> Option<Color> {
    if let Some(v) = palette.get(value).filter(|_| depth < 4) {
        return parse_color(v, palette, depth + 1);
    }
    if let Some(hex) = value.strip_prefix('#') {
        if hex.len() != 6 {
            return None;
        }
        let n = u32::from_str_radix(hex, 16).ok()?;
        return Some(Color::Rgb((n >> 16) as u8, (n >> 8) as u8, n as u8));
    }
    if let Ok(i) = value.parse::<u8>() {
        return Some(Color::Indexed(i));
    }
    if value == "reset" {
        return Some(Color::Reset);
    }
    value
        .parse::<Color>()
        .ok()
        .filter(|c| !matches!(c, Color::Rgb(..) | Color::Indexed(_)))
}

fn parse_modifier(name: &str) -> Option<Modifier> {
    Some(match name {
        "bold" => Modifier::BOLD,
        "dim" => Modifier::DIM,
        "italic" => Modifier::ITALIC,
        "underlined" | "underline" => Modifier::UNDERLINED,
        "reversed" | "reverse" => Modifier::REVERSED,
        _ => return None,
    })
}

/// Nearest xterm-256 index for an RGB colour (6x6x6 cube or the grey ramp).
pub fn rgb_to_256(r: u8, g: u8, b: u8) -> u8 {
    let level = |v: u8| -> (u8, i32) {
        let steps = [0, 95, 135, 175, 215, 255];
        let (i, s) = steps
            .iter()
            .enumerate()
            .min_by_key(|(_, s)| (i32::from(v) - **s).abs())
            .unwrap_or((0, &0));
        (i as u8, *s)
    };
    let ((ri, rv), (gi, gv), (bi, bv)) = (level(r), level(g), level(b));
    let cube_dist =
        (i32::from(r) - rv).pow(2) + (i32::from(g) - gv).pow(2) + (i32::from(b) - bv).pow(2);
    let avg = (u32::from(r) + u32::from(g) + u32::from(b)) / 3;
    let grey_i = (avg.saturating_sub(8) / 10).min(23) as u8;
    let gv2 = 8 + 10 * i32::from(grey_i);
    let grey_dist =
        (i32::from(r) - gv2).pow(2) + (i32::from(g) - gv2).pow(2) + (i32::from(b) - gv2).pow(2);
    if grey_dist < cube_dist {
        232 + grey_i
    } else {
        16 + 36 * ri + 6 * gi + bi
    }
}

impl Theme {
    pub fn parse(text: &str, origin: &str) -> Result<Self, ThemeError> {
        let raw: RawTheme = toml::from_str(text).map_err(|e| ThemeError::Syntax {
            origin: origin.into(),
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
            message: e.message().to_string(),
        })?;
        let mut slots = BTreeMap::new();
        for (name, rs) in &raw.slots {
            let slot = Slot::from_name(name).ok_or_else(|| ThemeError::UnknownSlot {
                origin: origin.into(),
                slot: name.clone(),
            })?;
            let color = |v: &Option<String>| -> Result<Option<Color>, ThemeError> {
                v.as_deref()
                    .map(|v| {
                        parse_color(v, &raw.palette, 0).ok_or_else(|| ThemeError::BadColor {
                            origin: origin.into(),
                            slot: name.clone(),
                            value: v.into(),
                        })
                    })
                    .transpose()
            };
            let mut modifiers = Modifier::empty();
            for m in &rs.modifiers {
                modifiers |= parse_modifier(m).ok_or_else(|| ThemeError::BadModifier {
                    origin: origin.into(),
                    slot: name.clone(),
                    value: m.clone(),
                })?;
            }
            slots.insert(
                slot,
                SlotStyle {
                    fg: color(&rs.fg)?,
                    bg: color(&rs.bg)?,
                    modifiers,
                },
            );
        }
        let missing: Vec<&str> = Slot::ALL
            .iter()
            .filter(|s| !slots.contains_key(s))
            .map(|s| s.name())
            .collect();
        if !missing.is_empty() {
            return Err(ThemeError::MissingSlots {
                origin: origin.into(),
                missing: missing.join(", "),
            });
        }
        Ok(Theme {
            name: raw.name,
            syntax: raw.syntax,
            slots,
            mode: ColorMode::TrueColor,
        })
    }

    /// A built-in theme by name.
    pub fn builtin(name: &str) -> Option<Self> {
        let (_, text) = BUILTIN_THEMES.iter().find(|(n, _)| *n == name)?;
        Theme::parse(text, &format!("themes/{name}.toml (built in)")).ok()
    }

    /// The user's theme file if present, else the built-in one.
    pub fn load(name: &str, paths: Option<&super::ConfigPaths>) -> Result<Self, ThemeError> {
        if let Some(p) = paths {
            let path = p.theme(name);
            if path.exists() {
                let text = std::fs::read_to_string(&path).map_err(|e| ThemeError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
                return Theme::parse(&text, &path.display().to_string());
            }
        }
        Theme::builtin(name).ok_or_else(|| ThemeError::NotFound {
            name: name.into(),
            dir: paths
                .map(|p| p.dir.join("themes").display().to_string())
                .unwrap_or_else(|| "(no config dir)".into()),
        })
    }

    /// The default theme (dark); built in, so it always parses (tested).
    pub fn default_dark() -> Self {
        Theme::builtin("dark").unwrap_or_else(|| Theme {
            name: "fallback".into(),
            syntax: default_syntax(),
            slots: BTreeMap::new(),
            mode: ColorMode::NoColor,
        })
    }

    pub fn with_mode(mut self, mode: ColorMode) -> Self {
        self.mode = mode;
        self
    }

    fn adapt(&self, c: Option<Color>) -> Option<Color> {
        match (self.mode, c) {
            (ColorMode::NoColor, _) => None,
            (ColorMode::Ansi256, Some(Color::Rgb(r, g, b))) => {
                Some(Color::Indexed(rgb_to_256(r, g, b)))
            }
            (_, c) => c,
        }
    }

    /// The style for a slot in the current colour mode. Without colour, slots that carry
    /// meaning only by colour get a modifier so they stay distinguishable.
    pub fn style(&self, slot: Slot) -> Style {
        let Some(s) = self.slots.get(&slot) else {
            return Style::default();
        };
        let mut style = Style::default().add_modifier(s.modifiers);
        if let Some(fg) = self.adapt(s.fg) {
            style = style.fg(fg);
        }
        if let Some(bg) = self.adapt(s.bg) {
            style = style.bg(bg);
        }
        if self.mode == ColorMode::NoColor {
            let extra = match slot {
                Slot::Selected => Modifier::REVERSED,
                Slot::Failing | Slot::Error | Slot::Warning | Slot::Title | Slot::TableHeader => {
                    Modifier::BOLD
                }
                Slot::Changed | Slot::Marked => Modifier::UNDERLINED,
                Slot::Muted | Slot::Denied => Modifier::DIM,
                _ => Modifier::empty(),
            };
            style = style.add_modifier(extra);
        }
        style
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_and_cube_fallbacks() {
        assert_eq!(rgb_to_256(0, 0, 0), 16);
        assert_eq!(rgb_to_256(255, 0, 0), 196);
        assert_eq!(rgb_to_256(128, 128, 128), 244);
    }

    #[test]
    fn color_mode_detection() {
        assert_eq!(
            ColorMode::detect(Some("1"), Some("truecolor")),
            ColorMode::NoColor
        );
        assert_eq!(
            ColorMode::detect(Some(""), Some("truecolor")),
            ColorMode::TrueColor
        );
        assert_eq!(ColorMode::detect(None, Some("24bit")), ColorMode::TrueColor);
        assert_eq!(ColorMode::detect(None, None), ColorMode::Ansi256);
    }
}
