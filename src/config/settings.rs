//! config.toml in the config directory:
//! ```toml
//! theme = "dark"          # or light, high-contrast, monochrome, or a user theme name
//! ascii = false           # no box drawing, no glyphs
//! [contexts.production]
//! read_only = true        # never offer writes on this kubeconfig context
//! ```

use super::{ConfigPaths, Keymap, KeymapError, Theme, ThemeError, line_of};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSettings {
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub theme: Option<String>,
    #[serde(default)]
    pub ascii: bool,
    #[serde(default)]
    pub contexts: BTreeMap<String, ContextSettings>,
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "{origin}:{line}: invalid settings: {message} (keys: theme, ascii, [contexts.<name>] read_only)"
    )]
    Syntax {
        origin: String,
        line: usize,
        message: String,
    },
    #[error("cannot read {path}: {message}")]
    Io { path: String, message: String },
    #[error(transparent)]
    Keymap(#[from] KeymapError),
    #[error(transparent)]
    Theme(#[from] ThemeError),
}

impl Settings {
    pub fn parse(text: &str, origin: &str) -> Result<Self, SettingsError> {
        toml::from_str(text).map_err(|e| SettingsError::Syntax {
            origin: origin.into(),
            line: e.span().map(|s| line_of(text, s.start)).unwrap_or(1),
            message: e.message().to_string(),
        })
    }

    /// The settings file if it exists; defaults if it does not.
    pub fn load(paths: &ConfigPaths) -> Result<Self, SettingsError> {
        match read_optional(&paths.settings())? {
            Some(text) => Self::parse(&text, &paths.settings().display().to_string()),
            None => Ok(Self::default()),
        }
    }

    /// Whether a kubeconfig context is configured read-only.
    pub fn read_only_for(&self, context: &str) -> bool {
        self.contexts.get(context).is_some_and(|c| c.read_only)
    }
}

fn read_optional(path: &std::path::Path) -> Result<Option<String>, SettingsError> {
    match std::fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(SettingsError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        }),
    }
}

/// The defaults with the user's keymap file applied (if there is one).
pub fn load_keymap(paths: Option<&ConfigPaths>) -> Result<Keymap, SettingsError> {
    let km = Keymap::defaults()?;
    let Some(paths) = paths else { return Ok(km) };
    match read_optional(&paths.keymap())? {
        Some(text) => Ok(km.apply_user(&text, &paths.keymap().display().to_string())?),
        None => Ok(km),
    }
}

/// The theme named in settings (or dark), from the user's directory or built in.
pub fn load_theme(
    settings: &Settings,
    paths: Option<&ConfigPaths>,
) -> Result<Theme, SettingsError> {
    Ok(Theme::load(
        settings.theme.as_deref().unwrap_or("dark"),
        paths,
    )?)
}
