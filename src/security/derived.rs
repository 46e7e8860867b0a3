//! Every file Earmark keeps about a media file, sorted into what goes with the media when a
//! review is complete and what stays. This is the one list to extend when a new cache appears.
//!
//! Goes (derived from the content, useless without it): the loudness scan cache entry
//! (`…/cache/earmark/loudness/<content key>.json`), the SHA-256 cache entry, the file's line in
//! Settings' recent files. Stays (the user's work, or the record of what happened): the notes
//! folder, the exports, the access log, the review record. Thumbnails are not stored: the
//! window draws frames from the media and the report carries its own inside the page.

use super::Dirs;
use super::hash_cache::HashCache;
use std::path::{Path, PathBuf};

/// What a planned deletion or keep is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    /// The media file itself.
    Media,
    /// A symbolic link to the media that was named on the command line.
    Link,
    /// The loudness scan's cached result (a file).
    LoudnessCache,
    /// The media's entry in the SHA-256 cache (a line in a shared file).
    HashCacheEntry,
    /// The media's entry in Settings' recent files (a line in the settings file).
    RecentFile,
    /// Kept: the notes (the user's work).
    Notes,
    /// Kept: an export made on completion.
    Export,
    /// Kept: the access log.
    AccessLog,
    /// Kept: the review record.
    ReviewRecord,
}

/// One file (or entry in a file) and what it is, in plain words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    pub kind: ItemKind,
    pub what: String,
    pub path: PathBuf,
}

impl Item {
    pub fn new(kind: ItemKind, what: &str, path: &Path) -> Self {
        Self {
            kind,
            what: what.to_owned(),
            path: path.to_path_buf(),
        }
    }
}

/// The derived artefacts of the content `sha256` once at `media` (absolute) that exist now.
pub fn to_delete(dirs: &Dirs, media: &Path, sha256: &str, loudness_key: Option<&str>) -> Vec<Item> {
    let mut items = Vec::new();
    if let (Some(dir), Some(key)) = (&dirs.loudness_cache, loudness_key) {
        let entry = dir.join(format!("{key}.json"));
        if entry.exists() {
            items.push(Item::new(
                ItemKind::LoudnessCache,
                "loudness analysis cache",
                &entry,
            ));
        }
    }
    let hashes = HashCache::new(&dirs.hash_cache);
    if hashes.holds(media, sha256) {
        items.push(Item::new(
            ItemKind::HashCacheEntry,
            "SHA-256 cache entry",
            hashes.path(),
        ));
    }
    if let Some(settings) = &dirs.settings
        && recent_files(settings).iter().any(|p| p == media)
    {
        items.push(Item::new(
            ItemKind::RecentFile,
            "recent files entry in Settings",
            settings,
        ));
    }
    items
}

/// What stays: the notes database (every review's notes), the access log and the review
/// records.
pub fn to_keep(dirs: &Dirs) -> Vec<Item> {
    let mut items = Vec::new();
    if let Some(root) = &dirs.notes_root {
        let db = crate::notes::NoteStore::database_path(root);
        if db.exists() {
            items.push(Item::new(
                ItemKind::Notes,
                "review notes (all reviews)",
                &db,
            ));
        }
    }
    items.push(Item::new(
        ItemKind::AccessLog,
        "access log",
        &dirs.access_log(),
    ));
    items.push(Item::new(
        ItemKind::ReviewRecord,
        "review record",
        &dirs.review_states(),
    ));
    items
}

/// Removes one derived item; `Ok` also when it was already gone.
pub fn remove(item: &Item, media: &Path, sha256: &str) -> std::io::Result<()> {
    match item.kind {
        ItemKind::Media | ItemKind::Link | ItemKind::LoudnessCache => {
            match std::fs::remove_file(&item.path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        }
        ItemKind::HashCacheEntry => HashCache::new(&item.path).forget(media, sha256).map(drop),
        ItemKind::RecentFile => {
            let mut s = crate::settings::Settings::load_from(&item.path)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            s.recent_files.retain(|p| p != media);
            s.save_to(&item.path)
                .map_err(|e| std::io::Error::other(e.to_string()))
        }
        ItemKind::Notes | ItemKind::Export | ItemKind::AccessLog | ItemKind::ReviewRecord => Ok(()),
    }
}

fn recent_files(settings: &Path) -> Vec<PathBuf> {
    crate::settings::Settings::load_from(settings)
        .map(|s| s.recent_files)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_removes_each_derived_kind() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dirs = Dirs::under(dir.path());
        let media = dir.path().join("ep1.mov");
        std::fs::write(&media, b"abc").expect("write");
        let media = super::super::entry::absolute(&media);
        let sha = HashCache::new(&dirs.hash_cache)
            .sha256(&media)
            .expect("hash");
        let loudness = dirs.loudness_cache.as_ref().expect("dir").join("k1.json");
        crate::persist::write_atomic(&loudness, b"{}").expect("cache");
        let mut settings = crate::settings::Settings::default();
        settings.remember_file(&media);
        settings
            .save_to(dirs.settings.as_ref().expect("settings"))
            .expect("save");
        let found = to_delete(&dirs, &media, &sha, Some("k1"));
        let kinds: Vec<_> = found.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                ItemKind::LoudnessCache,
                ItemKind::HashCacheEntry,
                ItemKind::RecentFile
            ]
        );
        for item in &found {
            remove(item, &media, &sha).expect("remove");
        }
        assert!(to_delete(&dirs, &media, &sha, Some("k1")).is_empty());
        assert!(media.exists(), "derived items only");
    }
}
