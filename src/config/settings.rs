//! config.toml in the config directory:
//! ```toml
//! theme = "dark"          # or light, high-contrast, monochrome, or a user theme name
//! ascii = false           # no box drawing, no glyphs
//! drift_interval = "5m"  # background drift detection of every Kustomization ("0" = off)
//! drift_read_only = true  # also in read-only mode (false: off whenever the console is read-only)
//! [contexts.production]
//! read_only = true        # never offer writes on this kubeconfig context
//! drift = false           # no background drift detection on this context
//! ```

use super::{ConfigPaths, Keymap, KeymapError, Theme, ThemeError, line_of};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextSettings {
    #[serde(default)]
    pub read_only: bool,
    /// Background drift detection on this context (default: on).
    pub drift: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub theme: Option<String>,
    #[serde(default)]
    pub ascii: bool,
    #[serde(default)]
    pub contexts: BTreeMap<String, ContextSettings>,
    /// Interval of background drift detection (`5m` when unset; `0` turns it off).
    pub drift_interval: Option<String>,
    /// Whether background drift detection also runs in read-only mode (default: yes; it
    /// only reads and dry-runs).
    pub drift_read_only: Option<bool>,
}

/// Background drift detection every 5 minutes unless configured otherwise.
pub const DEFAULT_DRIFT_INTERVAL: std::time::Duration = std::time::Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(
        "{origin}:{line}: invalid settings: {message} (keys: theme, ascii, drift_interval, drift_read_only, [contexts.<name>] read_only, drift)"
    )]
    Syntax {
        origin: String,
        line: usize,
        message: String,
    },
    #[error("{origin}: drift interval {value:?}: {message} (use e.g. 30s, 5m, 1h; 0 turns it off)")]
    DriftInterval {
        origin: String,
        value: String,
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

    /// How often the console checks every Kustomization for drift, None = never. The flag
    /// (`--drift-interval`) wins over `drift_interval`; a context with `drift = false`, or
    /// read-only mode with `drift_read_only = false`, turns it off.
    pub fn drift_interval(
        &self,
        flag: Option<&str>,
        context: &str,
        read_only: bool,
    ) -> Result<Option<std::time::Duration>, SettingsError> {
        let (origin, text) = match (flag, &self.drift_interval) {
            (Some(f), _) => ("--drift-interval", Some(f)),
            (None, Some(s)) => ("config.toml drift_interval", Some(s.as_str())),
            (None, None) => ("", None),
        };
        let every = match text {
            None => DEFAULT_DRIFT_INTERVAL,
            Some(t) if t.trim() == "0" || t.trim() == "off" => return Ok(None),
            Some(t) => {
                crate::engine::duration::parse(t).map_err(|e| SettingsError::DriftInterval {
                    origin: origin.into(),
                    value: t.into(),
                    message: e.to_string(),
                })?
            }
        };
        let context_off = self.contexts.get(context).and_then(|c| c.drift) == Some(false);
        let read_only_off = read_only && self.drift_read_only == Some(false);
        if every.is_zero() || context_off || read_only_off {
            return Ok(None);
        }
        Ok(Some(every))
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

#[cfg(test)]
mod drift_tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn drift_interval_from_flag_settings_context_and_read_only() {
        let s = Settings::parse(
            "drift_interval = \"30s\"\ndrift_read_only = false\n[contexts.prod]\ndrift = false\n",
            "config.toml",
        )
        .unwrap();
        assert_eq!(
            s.drift_interval(None, "dev", false).unwrap(),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            s.drift_interval(Some("2m"), "dev", false).unwrap(),
            Some(Duration::from_secs(120))
        );
        assert_eq!(s.drift_interval(Some("0"), "dev", false).unwrap(), None);
        assert_eq!(s.drift_interval(None, "prod", false).unwrap(), None);
        assert_eq!(s.drift_interval(None, "dev", true).unwrap(), None);
        assert_eq!(
            Settings::default().drift_interval(None, "x", true).unwrap(),
            Some(DEFAULT_DRIFT_INTERVAL)
        );
        let err = s.drift_interval(Some("soon"), "dev", false).unwrap_err();
        assert!(err.to_string().contains("--drift-interval"), "{err}");
    }
}
