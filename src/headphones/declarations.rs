//! What the user has told Earmark about each output device: which headphones are plugged into
//! it and which amplifier (if any) sits in between.
//!
//! Wired headphones and analog amplifiers cannot be detected, so this is the only way Earmark
//! can know them. The caller decides where the file lives and when to save; this module reads
//! and writes it. Writes are atomic (temporary file, fsync, rename) so a crash or a full disk
//! never leaves a half-written file that would lose every declaration.

use super::error::ProfileError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name in Earmark's config folder.
pub const DECLARATIONS_FILE: &str = "headphone_declarations.toml";

/// What is connected to one output device.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// The headphone profile id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headphones: Option<String>,
    /// The device profile id of an amplifier between the output and the headphones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amplifier: Option<String>,
}

/// Declarations per output device, keyed by the device string the caller uses to tell devices
/// apart (the cpal device name today; its stable id where the host has one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declarations {
    #[serde(default)]
    pub devices: BTreeMap<String, Declaration>,
}

impl Declarations {
    /// `headphone_declarations.toml` in Earmark's config folder.
    pub fn default_path() -> Result<PathBuf, ProfileError> {
        directories::ProjectDirs::from("", "", "earmark")
            .map(|d| d.config_dir().join(DECLARATIONS_FILE))
            .ok_or(ProfileError::NoConfigDir)
    }

    /// What was declared for `device`.
    pub fn get(&self, device: &str) -> Option<&Declaration> {
        self.devices.get(device)
    }

    /// Records that `headphones` (a profile id) are used on `device`.
    pub fn declare_headphones(&mut self, device: &str, headphones: &str) {
        self.devices
            .entry(device.to_owned())
            .or_default()
            .headphones = Some(headphones.to_owned());
    }

    /// Records the amplifier (a device profile id) between `device` and the headphones, or that
    /// there is none.
    pub fn declare_amplifier(&mut self, device: &str, amplifier: Option<&str>) {
        self.devices.entry(device.to_owned()).or_default().amplifier = amplifier.map(str::to_owned);
        self.drop_if_empty(device);
    }

    /// Forgets everything declared for `device`.
    pub fn forget(&mut self, device: &str) {
        self.devices.remove(device);
    }

    fn drop_if_empty(&mut self, device: &str) {
        if self.devices.get(device) == Some(&Declaration::default()) {
            self.devices.remove(device);
        }
    }

    /// Reads `path`; a missing file means nothing was declared yet.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(ProfileError::DeclarationsRead {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        toml::from_str(&text).map_err(|e| ProfileError::DeclarationsParse {
            path: path.to_path_buf(),
            line: super::error::line_column(&text, e.span().map_or(0, |s| s.start)).0,
            problem: e.message().to_owned(),
        })
    }

    /// Writes to `path` atomically, creating its folder.
    pub fn save(&self, path: &Path) -> Result<(), ProfileError> {
        let fail = |reason: String| ProfileError::DeclarationsWrite {
            path: path.to_path_buf(),
            reason,
        };
        let text = toml::to_string_pretty(self).map_err(|e| fail(e.to_string()))?;
        crate::persist::write_atomic(path, text.as_bytes()).map_err(|e| fail(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clearing_the_amplifier_of_an_otherwise_empty_entry_removes_it() {
        let mut d = Declarations::default();
        d.declare_amplifier("USB Audio", Some("schiit.magni"));
        assert!(d.get("USB Audio").is_some());
        d.declare_amplifier("USB Audio", None);
        assert!(d.get("USB Audio").is_none());
    }

    #[test]
    fn a_damaged_file_names_its_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(DECLARATIONS_FILE);
        std::fs::write(&path, "[devices.\"x\"]\nheadphones = \"a\"\nmodel = 3\n").expect("write");
        let e = Declarations::load(&path).expect_err("unknown field");
        assert_eq!(e.line(), Some(3), "{e}");
        assert!(e.to_string().contains(DECLARATIONS_FILE), "{e}");
    }
}
