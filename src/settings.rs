//! Per-machine preferences (the chosen output device, per-device A/V offset …), stored as TOML
//! in the platform's config folder (`~/.config/earmark/settings.toml` on Linux).
//!
//! Written atomically (temporary file, then rename) so a crash never leaves half a file. A file
//! that cannot be parsed is set aside (`settings.toml.corrupt`, through `persist::set_aside`)
//! and defaults are used, and the user is told where the old file went; one that cannot be read
//! at all, or set aside, is left alone and nothing is saved over it this session.

use crate::video::WatermarkSpec;
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
    #[error("settings cannot be saved ({reason}); changes are kept until Earmark closes: {}", path.display())]
    Write { path: PathBuf, reason: String },
}

/// The settings a session starts with, and what the user must hear about the file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Loaded {
    pub settings: Settings,
    /// A damaged file set aside, or a file that could not be read (both paths named).
    pub notice: Option<String>,
    /// Saving would overwrite a file the user may want back: save nothing this session.
    pub keep_off: bool,
}

/// What Earmark remembers on this machine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Output device last chosen by the user (None: the system default).
    pub output_device: Option<String>,
    /// Per-device A/V offset in milliseconds (positive: sound later).
    pub av_offset_ms: BTreeMap<String, i32>,
    /// Files opened in the window, newest first.
    pub recent_files: Vec<PathBuf>,
    /// The window's size and panels as the user left them.
    pub window: WindowLayout,
    /// Delivery target for loudness (a `meters::Preset` id; empty: Netflix 2.0).
    pub loudness_preset: String,
    /// The listening band the level guard keeps (defaults from loudness.md §6); any subset of
    /// its fields may be set in `[listening_band]`.
    pub listening_band: crate::headphones::LevelGuardConfig,
    /// The reviewer's name, stamped as the author of every note made here (empty: none).
    pub reviewer: String,
    /// Delivery spec profile the window checks files against (a `spec_profiles` id; empty:
    /// PIX Standard).
    pub spec_profile: String,
    /// The per-viewer watermark over the picture and in stills (`[watermark]`: `enabled`,
    /// `opacity`, `size`, `email`).
    pub watermark: crate::video::WatermarkSettings,
    /// The sound track and fold-down chosen per file, by the file's content key (so a renamed
    /// copy remembers): `"2"`, `"1+2"`, `"3;ltrt"` (`[sound]`).
    pub sound: BTreeMap<String, String>,
}

/// How the review window was laid out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WindowLayout {
    /// Inner size in points.
    pub width: f32,
    pub height: f32,
    /// The side panel (notes; meters and checks later) is shown.
    pub side_panel: bool,
    /// Review (picture, notes, one level light) or Sound (every meter and check); `None` until
    /// the reviewer chooses, on first launch.
    pub layout: Option<Layout>,
}

/// What the side of the window is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// For showrunners and producers: the picture large, the notes, a plain level light.
    Review,
    /// For the sound team: the live meters (never scrolled away), loudness, delivery check.
    Sound,
}

impl Default for WindowLayout {
    fn default() -> Self {
        Self {
            width: 1320.0,
            height: 860.0,
            side_panel: true,
            layout: None,
        }
    }
}

/// How many recent files are remembered.
pub const RECENT_FILES: usize = 10;

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
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => {
                return Err(SettingsError::Read {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        // Bytes that are not text are damage in the file, not trouble reading it.
        let text = String::from_utf8(bytes).map_err(|e| SettingsError::Parse {
            path: path.to_path_buf(),
            reason: format!("not UTF-8 text: {e}"),
        })?;
        toml::from_str(&text).map_err(|e| SettingsError::Parse {
            path: path.to_path_buf(),
            reason: e.message().to_owned(),
        })
    }

    /// Loads from `path` for a session that goes on whatever the file holds: a damaged file is
    /// set aside and defaults are used; a file that cannot be read (or set aside) is left alone
    /// and `keep_off` says not to save over it.
    pub fn load_or_reset(path: &Path) -> Loaded {
        let error = match Self::load_from(path) {
            Ok(settings) => {
                return Loaded {
                    settings,
                    ..Loaded::default()
                };
            }
            Err(e) => e,
        };
        let (notice, keep_off) = match &error {
            SettingsError::Parse { reason, .. } => match crate::persist::set_aside(path) {
                Ok(aside) => (
                    format!(
                        "The settings file was damaged ({reason}), so Earmark started with \
                         default settings; the old file is kept as {}: {}",
                        aside.display(),
                        path.display()
                    ),
                    false,
                ),
                Err(e) => (
                    format!(
                        "The settings file is damaged ({reason}) and could not be set aside \
                         ({e}); default settings are used and the file is left as it is: {}",
                        path.display()
                    ),
                    true,
                ),
            },
            SettingsError::Read { reason, .. } => (
                format!(
                    "The settings file cannot be read ({reason}); default settings are used \
                     and the file is left as it is: {}",
                    path.display()
                ),
                true,
            ),
            other => (other.to_string(), true),
        };
        Loaded {
            settings: Self::default(),
            notice: Some(notice),
            keep_off,
        }
    }

    /// Puts `path` at the top of the recent files.
    pub fn remember_file(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.recent_files.retain(|p| *p != path);
        self.recent_files.insert(0, path);
        self.recent_files.truncate(RECENT_FILES);
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
        crate::persist::write_atomic(path, text.as_bytes()).map_err(|e| fail(e.to_string()))
    }
}

impl WatermarkSpec {
    /// The watermark `settings` ask for on the media whose id is `file_id`, shown to the
    /// reviewer they name (or, with none named, to this machine's login); `None` when it is
    /// turned off. Here rather than in `video`, which knows neither settings nor logins.
    pub fn from_settings(settings: &Settings, file_id: String) -> Option<Self> {
        let login = os_user();
        WatermarkSpec::new(
            &settings.watermark,
            &settings.reviewer,
            Some(&login),
            file_id,
        )
    }
}

/// The watermark this machine's settings ask for on pictures of `file` (stills, the report's
/// thumbnails). A settings file that cannot be read is reported and the defaults apply, so the
/// watermark stays on; a file id that cannot be read is reported and left out.
/// The reviewer's name from the settings (`None`: not set, or the settings unreadable), for
/// what is signed with it when no name was given on the command line.
pub fn reviewer_name() -> Option<String> {
    Settings::load()
        .ok()
        .map(|s| s.reviewer.trim().to_owned())
        .filter(|r| !r.is_empty())
}

pub fn watermark_for(file: &Path) -> Option<WatermarkSpec> {
    let settings = Settings::load().unwrap_or_else(|e| {
        eprintln!("earmark: {e}");
        Settings::default()
    });
    if !settings.watermark.enabled {
        return None;
    }
    let id = crate::video::file_id(file).unwrap_or_else(|e| {
        eprintln!(
            "earmark: watermark without a file id ({e}): {}",
            file.display()
        );
        String::new()
    });
    WatermarkSpec::from_settings(&settings, id)
}

/// The operating system's user name: `$USER`, `$LOGNAME` or `$USERNAME`, else (a service or
/// container that sets none) the name `/etc/passwd` gives this process's user id; empty when
/// nothing says.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .or_else(passwd_user)
        .unwrap_or_default()
}

/// This process's user name from `/proc/self/status` and `/etc/passwd` (Linux).
fn passwd_user() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_owned();
    user_for_uid(&std::fs::read_to_string("/etc/passwd").ok()?, &uid)
}

/// The name `passwd` (the text of /etc/passwd) gives `uid`.
fn user_for_uid(passwd: &str, uid: &str) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_is_found_by_uid_in_passwd() {
        let passwd =
            "root:x:0:0:root:/root:/bin/bash\n# note\nsam:x:1000:1000:Sam:/home/sam:/bin/sh\n";
        assert_eq!(user_for_uid(passwd, "1000").as_deref(), Some("sam"));
        assert_eq!(user_for_uid(passwd, "0").as_deref(), Some("root"));
        assert_eq!(user_for_uid(passwd, "42"), None);
        assert_eq!(user_for_uid("", "0"), None);
    }

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
            reviewer: "Sam (re-recording mixer)".into(),
            ..Settings::default()
        };
        s.av_offset_ms.insert("AirPods".into(), 180);
        s.save_to(&path).expect("save");
        assert_eq!(Settings::load_from(&path).expect("load"), s);
    }

    #[test]
    fn recent_files_newest_first_without_repeats() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut s = Settings::default();
        for i in 0..12 {
            let p = dir.path().join(format!("f{i}.mov"));
            std::fs::write(&p, b"x").expect("write");
            s.remember_file(&p);
        }
        let again = dir.path().join("f5.mov");
        s.remember_file(&again);
        assert_eq!(s.recent_files.len(), RECENT_FILES);
        assert!(s.recent_files[0].ends_with("f5.mov"));
        assert_eq!(
            s.recent_files
                .iter()
                .filter(|p| p.ends_with("f5.mov"))
                .count(),
            1
        );
        assert!(s.recent_files[1].ends_with("f11.mov"));
    }

    #[test]
    fn older_files_without_the_new_keys_still_load() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, "output_device = \"Phones\"\n").expect("write");
        let s = Settings::load_from(&path).expect("load");
        assert_eq!(s.output_device.as_deref(), Some("Phones"));
        assert_eq!(s.window, WindowLayout::default());
        assert_eq!(s.reviewer, "");
        assert!(s.watermark.enabled, "the watermark is on unless turned off");
    }

    #[test]
    fn watermark_section_sets_any_of_its_fields() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("settings.toml");
        std::fs::write(
            &path,
            "reviewer = \"Sam\"\n[watermark]\nopacity = 0.5\nemail = \"sam@example.com\"\n",
        )
        .expect("write");
        let s = Settings::load_from(&path).expect("load");
        assert!(s.watermark.enabled);
        assert_eq!(s.watermark.opacity, 0.5);
        assert_eq!(s.watermark.email, "sam@example.com");
        assert_eq!(
            s.watermark.size,
            crate::video::WatermarkSettings::default().size
        );
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_defaults_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("settings.toml");
        std::fs::write(&path, b"\xff\xfe garbage [[[").expect("write");
        let loaded = Settings::load_or_reset(&path);
        assert_eq!(loaded.settings, Settings::default());
        assert!(!loaded.keep_off, "the next save may write a fresh file");
        let aside = dir.path().join("settings.toml.corrupt");
        assert_eq!(
            std::fs::read(&aside).expect("kept aside"),
            b"\xff\xfe garbage [[["
        );
        assert!(!path.exists(), "moved, not copied");
        let notice = loaded.notice.expect("the user is told");
        assert!(
            notice.contains(&aside.display().to_string())
                && notice.contains(&path.display().to_string()),
            "{notice}"
        );
        // A good file is used as it is and left untouched.
        Settings {
            reviewer: "Sam".into(),
            ..Settings::default()
        }
        .save_to(&path)
        .expect("save");
        let before = std::fs::read(&path).expect("read");
        let again = Settings::load_or_reset(&path);
        assert_eq!(
            (again.settings.reviewer.as_str(), again.notice),
            ("Sam", None)
        );
        assert_eq!(std::fs::read(&path).expect("read"), before);
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
