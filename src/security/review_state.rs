//! Which reviews are complete: `…/earmark/security/reviews.json`, one record per media content,
//! written atomically. The window asks on closing a file whether its review is complete while
//! the file is still here (the user said "complete" but kept the media), and reminds them.
//!
//! Keyed by the media's quick content id (`persist::content_id`, salted for reviews), like the
//! notes: a renamed or moved copy is the same review. Each record also keeps what the deletion
//! needs after the media is gone (its SHA-256, path, the loudness cache key), so running
//! "review complete" again can still find and check what was derived from it.

use super::{Dirs, SecurityError};
use crate::persist::{content_id, set_aside, write_atomic};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Salt of the review key (never change it: completed reviews would be forgotten).
const KEY_SALT: &str = "earmark-review";

/// One completed review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewRecord {
    pub file_name: String,
    /// Absolute path of the media when the review was completed.
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    /// UTC, ISO-8601.
    pub completed_at: String,
    #[serde(default)]
    pub reviewer: String,
    /// What was exported on completion (kept).
    #[serde(default)]
    pub exports: Vec<PathBuf>,
    /// When the media was deleted and checked gone (`None`: it was kept).
    #[serde(default)]
    pub media_deleted_at: Option<String>,
    /// The loudness cache key of the media, to check the entry stays gone.
    #[serde(default)]
    pub loudness_key: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct StateFile {
    /// Review key → record.
    reviews: BTreeMap<String, ReviewRecord>,
}

/// The review records file, loaded.
#[derive(Debug)]
pub struct ReviewStates {
    path: PathBuf,
    reviews: BTreeMap<String, ReviewRecord>,
}

/// The review key of `media` (fast: a few MiB are read, whatever the size).
pub fn review_key(media: &Path) -> std::io::Result<String> {
    content_id(media, KEY_SALT)
}

impl ReviewStates {
    /// Loads the records from `path` (missing: none). A damaged file is set aside
    /// (`reviews.json.corrupt`) and reported in the second value; the records start empty.
    pub fn load(path: &Path) -> Result<(Self, Vec<String>), SecurityError> {
        let mut problems = Vec::new();
        let reviews = match std::fs::read(path) {
            Ok(bytes) => match serde_json::from_slice::<StateFile>(&bytes) {
                Ok(f) => f.reviews,
                Err(e) => {
                    let aside = set_aside(path).map_err(|e| SecurityError::ReviewState {
                        path: path.to_path_buf(),
                        reason: format!("damaged and could not be set aside: {e}"),
                    })?;
                    problems.push(format!(
                        "the review records were damaged ({e}); kept as {} and started afresh: {}",
                        aside.display(),
                        path.display()
                    ));
                    BTreeMap::new()
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => {
                return Err(SecurityError::ReviewState {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        Ok((
            Self {
                path: path.to_path_buf(),
                reviews,
            },
            problems,
        ))
    }

    /// Whether the review with this key is complete.
    pub fn is_complete(&self, key: &str) -> bool {
        self.reviews.contains_key(key)
    }

    pub fn get(&self, key: &str) -> Option<&ReviewRecord> {
        self.reviews.get(key)
    }

    /// The record under `key` if its review was completed on the file at `media` itself. A copy
    /// elsewhere with the same content shares the notes, but completing the copy's review says
    /// nothing about the original: offering to delete the original on that ground would be
    /// wrong.
    pub fn completed_here(&self, key: &str, media: &Path) -> Option<&ReviewRecord> {
        let here = super::entry::absolute(media);
        self.reviews.get(key).filter(|r| r.path == here)
    }

    /// The record of the media that was at `path` (for a file already deleted).
    pub fn find_by_path(&self, path: &Path) -> Option<(&str, &ReviewRecord)> {
        let path = super::entry::absolute(path);
        self.reviews
            .iter()
            .find(|(_, r)| r.path == path)
            .map(|(k, r)| (k.as_str(), r))
    }

    /// Adds or replaces the record under `key`; on disk when this returns.
    pub fn put(&mut self, key: &str, record: ReviewRecord) -> Result<(), SecurityError> {
        // Another Earmark may have completed a review since this one loaded: start from the
        // file as it is now, so its record is not lost.
        if let Some(now) = std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice::<StateFile>(&b).ok())
        {
            self.reviews = now.reviews;
        }
        self.reviews.insert(key.to_owned(), record);
        let file = StateFile {
            reviews: self.reviews.clone(),
        };
        let fail = |reason: String| SecurityError::ReviewState {
            path: self.path.clone(),
            reason,
        };
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| fail(e.to_string()))?;
        write_atomic(&self.path, &bytes).map_err(|e| fail(e.to_string()))
    }
}

/// Whether the review of the content `content_id` ([`review_key`]) is complete, in this user's
/// records (unreadable records: not complete).
pub fn is_complete(content_id: &str) -> bool {
    Dirs::system()
        .ok()
        .and_then(|d| ReviewStates::load(&d.review_states()).ok())
        .is_some_and(|(s, _)| s.is_complete(content_id))
}

/// The record of `media`'s review if it was completed on this very file — what the window
/// needs to remind the user, on closing it, that the review is done but the file is still here.
pub fn completed_review(media: &Path) -> Option<ReviewRecord> {
    let key = review_key(media).ok()?;
    let dirs = Dirs::system().ok()?;
    let (states, _) = ReviewStates::load(&dirs.review_states()).ok()?;
    states.completed_here(&key, media).cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(path: &Path) -> ReviewRecord {
        ReviewRecord {
            file_name: "ep1.mov".into(),
            path: path.to_path_buf(),
            size: 3,
            sha256: "ab".repeat(32),
            completed_at: "2026-05-01T14:03:07.125Z".into(),
            reviewer: "Ana".into(),
            exports: vec![],
            media_deleted_at: None,
            loudness_key: None,
        }
    }

    #[test]
    fn complete_survives_reload_and_moves_with_the_content() {
        let dir = tempfile::tempdir().expect("temp dir");
        let media = dir.path().join("ep1.mov");
        std::fs::write(&media, b"abc").expect("write");
        let path = dir.path().join("data/reviews.json");
        let (mut states, problems) = ReviewStates::load(&path).expect("load");
        assert!(problems.is_empty());
        let key = review_key(&media).expect("key");
        assert!(!states.is_complete(&key));
        states
            .put(&key, record(&super::super::entry::absolute(&media)))
            .expect("put");
        let moved = dir.path().join("moved.mov");
        std::fs::rename(&media, &moved).expect("move");
        let (states, _) = ReviewStates::load(&path).expect("reload");
        assert!(states.is_complete(&review_key(&moved).expect("key")));
        assert!(states.find_by_path(&media).is_some(), "found where it was");
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_reported() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("reviews.json");
        std::fs::write(&path, b"{broken").expect("damage");
        let (states, problems) = ReviewStates::load(&path).expect("load");
        assert!(!states.is_complete("x"));
        assert_eq!(problems.len(), 1);
        assert!(dir.path().join("reviews.json.corrupt").exists());
    }

    #[test]
    fn completing_a_copy_does_not_flag_the_original() {
        let dir = tempfile::tempdir().expect("tmp");
        let original = dir.path().join("ep1.mov");
        let copy = dir.path().join("ep1 copy.mov");
        std::fs::write(&original, b"same bytes").expect("write");
        std::fs::write(&copy, b"same bytes").expect("write");
        let key = review_key(&original).expect("key");
        assert_eq!(
            review_key(&copy).expect("key"),
            key,
            "one content, one review key"
        );
        let (mut states, _) = ReviewStates::load(&dir.path().join("reviews.json")).expect("load");
        states
            .put(&key, record(&super::super::entry::absolute(&copy)))
            .expect("put");
        assert!(
            states.completed_here(&key, &copy).is_some(),
            "the copy's review is complete"
        );
        assert!(
            states.completed_here(&key, &original).is_none(),
            "the original was not the file completed"
        );
    }
}
