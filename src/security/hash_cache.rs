//! The whole-file SHA-256 of a media file, worked out once per content: a 20 GB review file
//! takes minutes to hash, and every log entry, report and deletion wants its value. Entries are
//! keyed by the file's absolute path and checked against its size and modification time, so a
//! file replaced or changed in place is hashed again.
//!
//! The cache is one small JSON file in the user's cache folder, re-read before every change and
//! replaced atomically, so two Earmarks lose at most each other's newest entry, never the file.
//! Losing it costs only time. The hashing itself is [`crate::persist::file_sha256`].

use super::{Dirs, SecurityError};
use crate::persist::{file_sha256, write_atomic};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// What a hash is trusted for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    mtime_s: i64,
    mtime_ns: u32,
    sha256: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    /// Absolute path → stamp.
    entries: BTreeMap<String, Stamp>,
}

/// The SHA-256 cache file.
#[derive(Clone, Debug)]
pub struct HashCache {
    path: PathBuf,
}

impl HashCache {
    /// The cache kept in `path` (created when first needed).
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
        }
    }

    /// The SHA-256 of `media`, from the cache when its size and time still match, else worked
    /// out now (slow for a big file: call it off the UI thread) and remembered.
    pub fn sha256(&self, media: &Path) -> Result<String, SecurityError> {
        let fail = |source| SecurityError::Media {
            path: media.to_path_buf(),
            source,
        };
        let key = key_of(media);
        let before = stamp_of(media, String::new()).map_err(fail)?;
        if let Some(hit) = self.load().entries.get(&key)
            && same_file(hit, &before)
        {
            return Ok(hit.sha256.clone());
        }
        let sha256 = file_sha256(media).map_err(fail)?;
        // Changed while it was read: the value is of no known version; do not keep it.
        let after = stamp_of(media, sha256.clone()).map_err(fail)?;
        if same_file(&after, &before) {
            let mut file = self.load();
            file.entries.insert(key, after);
            // A cache that cannot be written only costs hashing again next time.
            self.save(&file).ok();
        }
        Ok(sha256)
    }

    /// Forgets every entry for `media`'s path or for the content `sha256`; whether any was
    /// there. An error means an entry could not be removed.
    pub fn forget(&self, media: &Path, sha256: &str) -> std::io::Result<bool> {
        let mut file = self.load();
        let key = key_of(media);
        let before = file.entries.len();
        file.entries
            .retain(|k, s| *k != key && !s.sha256.eq_ignore_ascii_case(sha256));
        if file.entries.len() == before {
            return Ok(false);
        }
        self.save(&file)?;
        Ok(true)
    }

    /// Whether an entry for `media`'s path or the content `sha256` is there (checks a deletion).
    pub fn holds(&self, media: &Path, sha256: &str) -> bool {
        let key = key_of(media);
        self.load()
            .entries
            .iter()
            .any(|(k, s)| *k == key || s.sha256.eq_ignore_ascii_case(sha256))
    }

    /// The cache file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn load(&self) -> CacheFile {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn save(&self, file: &CacheFile) -> std::io::Result<()> {
        write_atomic(&self.path, &serde_json::to_vec_pretty(file)?)
    }
}

/// The SHA-256 of `media` through this user's cache (see [`HashCache::sha256`]).
pub fn sha256_of(media: &Path) -> Result<String, SecurityError> {
    match Dirs::system() {
        Ok(dirs) => HashCache::new(&dirs.hash_cache).sha256(media),
        Err(_) => file_sha256(media).map_err(|source| SecurityError::Media {
            path: media.to_path_buf(),
            source,
        }),
    }
}

fn key_of(media: &Path) -> String {
    super::entry::absolute(media).display().to_string()
}

fn stamp_of(media: &Path, sha256: String) -> std::io::Result<Stamp> {
    let meta = std::fs::metadata(media)?;
    let since = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Ok(Stamp {
        size: meta.len(),
        mtime_s: i64::try_from(since.as_secs()).unwrap_or(i64::MAX),
        mtime_ns: since.subsec_nanos(),
        sha256,
    })
}

fn same_file(a: &Stamp, b: &Stamp) -> bool {
    (a.size, a.mtime_s, a.mtime_ns) == (b.size, b.mtime_s, b.mtime_ns)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn hashed_once_then_served_until_the_file_changes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let media = dir.path().join("m.mov");
        std::fs::write(&media, b"abc").expect("write");
        let cache = HashCache::new(&dir.path().join("cache/sha256.json"));
        assert_eq!(cache.sha256(&media).expect("hash"), ABC);
        assert!(cache.holds(&media, ABC));
        // Plant a different value under the same stamp: a hit must serve it unread.
        let text = std::fs::read_to_string(cache.path()).expect("cache");
        std::fs::write(cache.path(), text.replace(ABC, &"0".repeat(64))).expect("plant");
        assert_eq!(cache.sha256(&media).expect("hit"), "0".repeat(64));
        // A changed size is a miss.
        std::fs::write(&media, b"abcd").expect("write");
        assert_ne!(cache.sha256(&media).expect("miss"), "0".repeat(64));
    }

    #[test]
    fn forget_removes_by_path_and_by_content() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (a, b) = (dir.path().join("a.mov"), dir.path().join("b.mov"));
        std::fs::write(&a, b"abc").expect("write");
        std::fs::write(&b, b"abc").expect("write");
        let cache = HashCache::new(&dir.path().join("sha256.json"));
        cache.sha256(&a).expect("a");
        cache.sha256(&b).expect("b");
        assert!(cache.forget(&a, ABC).expect("forget"));
        assert!(
            !cache.holds(&b, ABC),
            "the copy's entry names the same content"
        );
        assert!(!cache.forget(&a, ABC).expect("again"));
    }

    #[test]
    fn a_damaged_cache_is_only_a_miss() {
        let dir = tempfile::tempdir().expect("temp dir");
        let media = dir.path().join("m.mov");
        std::fs::write(&media, b"abc").expect("write");
        let cache = HashCache::new(&dir.path().join("sha256.json"));
        std::fs::write(cache.path(), b"{not json").expect("damage");
        assert_eq!(cache.sha256(&media).expect("hash"), ABC);
    }
}
