//! Per-machine preferences (the chosen output device, per-device A/V offset …), stored as TOML
//! in the platform's config folder (`~/.config/earmark/settings.toml` on Linux).
//!
//! Written atomically (temporary file, then rename) so a crash never leaves half a file. A file
//! that cannot be read or parsed is reported, naming it, and defaults are used; it is never
//! overwritten silently until the user changes a setting.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Problems with the settings file.
#[derive(Debug, Error)]
pub enum SettingsError {
    #[error("no config folder for this user (HOME unset?)")]
    NoConfigDir,
    #[error("cannot read settings ({reason}): {}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("settings file is damaged ({reason}); using defaults: {}", path.display())]
    Parse { path: PathBuf, reason: String },
    #[error("cannot save settings ({reason}): {}", path.display())]
    Write { path: PathBuf, reason: String },
}

/// What Earmark remembers on this machine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Output device last chosen by the user (None: the system default).
    pub output_device: Option<String>,
    /// Per-device A/V offset in milliseconds (positive: sound later).
    pub av_offset_ms: BTreeMap<String, i32>,
}

impl Settings {
    /// The settings file path.
    pub fn path() -> Result<PathBuf, SettingsError> {
        directories::ProjectDirs::from("", "", "earmark")
            .map(|d| d.config_dir().join("settings.toml"))
            .ok_or(SettingsError::NoConfigDir)
    }

    /// Loads the settings; a missing file gives defaults.
    pub fn load() -> Result<Self, SettingsError> {
        Self::load_from(&Self::path()?)
    }

    /// Loads from `path`; a missing file gives defaults.
    pub fn load_from(path: &Path) -> Result<Self, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(SettingsError::Read {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        toml::from_str(&text).map_err(|e| SettingsError::Parse {
            path: path.to_path_buf(),
            reason: e.message().to_owned(),
        })
    }

    /// Saves to the standard path.
    pub fn save(&self) -> Result<(), SettingsError> {
        self.save_to(&Self::path()?)
    }

    /// Saves to `path` atomically.
    pub fn save_to(&self, path: &Path) -> Result<(), SettingsError> {
        let fail = |reason: String| SettingsError::Write {
            path: path.to_path_buf(),
            reason,
        };
        let text = toml::to_string_pretty(self).map_err(|e| fail(e.to_string()))?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| fail(e.to_string()))?;
        }
        let tmp = path.with_extension("toml.tmp");
        std::fs::write(&tmp, text).map_err(|e| fail(e.to_string()))?;
        std::fs::rename(&tmp, path).map_err(|e| fail(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_missing_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub/settings.toml");
        assert_eq!(
            Settings::load_from(&path).expect("missing is fine"),
            Settings::default()
        );
        let mut s = Settings {
            output_device: Some("Headphones".into()),
            ..Settings::default()
        };
        s.av_offset_ms.insert("AirPods".into(), 180);
        s.save_to(&path).expect("save");
        assert_eq!(Settings::load_from(&path).expect("load"), s);
    }

    #[test]
    fn damaged_file_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "output_device = [unclosed").expect("write");
        let err = Settings::load_from(&path).expect_err("damaged");
        assert!(err.to_string().contains("settings.toml"), "{err}");
    }
}
