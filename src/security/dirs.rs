//! Where the security records live and where the files derived from media are, in one place so
//! the planner of a deletion and the checker of it look in the same folders as their writers.
//!
//! The access log and the review records are the user's (data folder, `…/earmark/security/`);
//! the SHA-256 cache is throwaway (cache folder). The loudness cache, notes and settings
//! folders are taken from their owners, not spelt again here.

use super::SecurityError;
use std::path::{Path, PathBuf};

/// The folders and files this subsystem reads and writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dirs {
    /// The access log and the review records.
    pub security: PathBuf,
    /// The whole-file SHA-256 cache (one JSON file).
    pub hash_cache: PathBuf,
    /// The loudness scan cache folder (`persist::loudness_cache_dir`), if any.
    pub loudness_cache: Option<PathBuf>,
    /// The notes folders (`NoteStore::default_root`), if any; kept, only named.
    pub notes_root: Option<PathBuf>,
    /// The settings file (its recent files name the media), if any.
    pub settings: Option<PathBuf>,
}

impl Dirs {
    /// This user's folders (`XDG_DATA_HOME`, `XDG_CACHE_HOME`, `XDG_CONFIG_HOME` on Linux).
    pub fn system() -> Result<Self, SecurityError> {
        let dirs =
            directories::ProjectDirs::from("", "", "earmark").ok_or(SecurityError::NoDataDir)?;
        Ok(Self {
            security: dirs.data_dir().join("security"),
            hash_cache: dirs.cache_dir().join("sha256.json"),
            loudness_cache: crate::persist::loudness_cache_dir(),
            notes_root: crate::notes::NoteStore::default_root(),
            settings: crate::settings::Settings::path().ok(),
        })
    }

    /// Everything under `root` (for tests).
    pub fn under(root: &Path) -> Self {
        Self {
            security: root.join("data/security"),
            hash_cache: root.join("cache/sha256.json"),
            loudness_cache: Some(root.join("cache/loudness")),
            notes_root: Some(root.join("data/notes")),
            settings: Some(root.join("config/settings.toml")),
        }
    }

    /// The access log, one JSON line per event.
    pub fn access_log(&self) -> PathBuf {
        self.security.join("access_log.jsonl")
    }

    /// The review records (which reviews are complete).
    pub fn review_states(&self) -> PathBuf {
        self.security.join("reviews.json")
    }
}
