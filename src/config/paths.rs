//! Where user files live: `~/.config/fluxdeck` on Linux (directories crate,
//! `ProjectDirs::from("io", "fluxdeck", "fluxdeck")`). `FLUXDECK_CONFIG_DIR` overrides it so
//! tests and scripts never touch a real home directory.

use std::path::{Path, PathBuf};

/// The files fluxdeck reads from the user's configuration directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigPaths {
    pub dir: PathBuf,
}

impl ConfigPaths {
    /// The platform directory, or `FLUXDECK_CONFIG_DIR` when set; None if there is no home.
    pub fn discover() -> Option<Self> {
        if let Some(dir) = std::env::var_os("FLUXDECK_CONFIG_DIR") {
            return Some(Self {
                dir: PathBuf::from(dir),
            });
        }
        directories::ProjectDirs::from("io", "fluxdeck", "fluxdeck").map(|p| Self {
            dir: p.config_dir().to_path_buf(),
        })
    }

    pub fn at(dir: impl AsRef<Path>) -> Self {
        Self {
            dir: dir.as_ref().to_path_buf(),
        }
    }

    /// User keymap: entries override or prepend to the embedded defaults.
    pub fn keymap(&self) -> PathBuf {
        self.dir.join("keymap.toml")
    }

    /// Settings: theme, ascii, per-context read-only.
    pub fn settings(&self) -> PathBuf {
        self.dir.join("config.toml")
    }

    /// A user theme `<name>.toml`, looked up before the built-in themes.
    pub fn theme(&self, name: &str) -> PathBuf {
        self.dir.join("themes").join(format!("{name}.toml"))
    }
}
