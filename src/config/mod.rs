//! config layer (see ARCHITECTURE.md): where fluxdeck's files live, and the parsers for the
//! keymap, the themes and the settings file. Everything here is pure parsing plus a thin
//! loader at the edge, so every error can say which file, which line and how to fix it.

pub mod key;
pub mod keymap;
pub mod paths;
pub mod settings;
pub mod theme;

pub use key::{Key, KeyParseError, KeySeq};
pub use keymap::{Action, Binding, Keymap, KeymapError, Layer};
pub use paths::ConfigPaths;
pub use settings::{Settings, SettingsError};
pub use theme::{ColorMode, Slot, Theme, ThemeError};

/// Turn a byte offset in `text` into a 1-based line number (for toml spans).
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
