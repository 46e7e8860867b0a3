//! "Review complete": the review is marked done, then — once the user confirms — the media file
//! is deleted with everything Earmark derived from it, and the deletion is checked. The notes,
//! the exports, the access log and the review record stay.
//!
//! Three steps, so the window can show the plan in a confirmation dialog between them:
//! [`ReviewComplete::plan`] (slow for a big file: it needs the SHA-256, so call it off the UI
//! thread), [`ReviewComplete::mark_complete`] (after the exports, before asking), and
//! [`ReviewComplete::execute`] (after "yes").
//!
//! The media goes first and alone: if it cannot be deleted (read-only folder, locked file) the
//! error names it and nothing else is touched, so the caches still match a file that is still
//! there. After deleting, every path is looked up again (the file must be reported missing by
//! the filesystem; no cache entry for its content may remain): that is `verified_gone`.
//!
//! Deleting is not erasing, and the plan says so in plain words: the bytes stay on the disk
//! until reused, and on SSDs, copy-on-write filesystems and in snapshots or backups Earmark
//! cannot make sure they are overwritten. Overwriting the file first would take minutes for a
//! big file and still guarantee nothing there, so Earmark does not pretend to; disk encryption
//! is what protects deleted content.

use super::derived::{self, Item, ItemKind};
use super::review_state::{ReviewRecord, ReviewStates, review_key};
use super::{AccessEntry, AccessEvent, Dirs, SecurityError, hash_cache::HashCache, log_file};
use std::path::{Path, PathBuf};

/// Said with every deletion plan.
pub const NOT_ERASED: &str = "Deleting removes the file from its folder; it does not erase the \
bytes. On SSDs and on copy-on-write filesystems (APFS, Btrfs, ZFS), and in snapshots, backups \
or synced copies, Earmark cannot make sure they are overwritten. Full-disk encryption \
(FileVault, BitLocker, LUKS) is what keeps deleted content unreadable.";

/// What completing a review will delete and keep.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The media file (absolute, links resolved).
    pub media: PathBuf,
    pub file_name: String,
    pub size: u64,
    pub sha256: String,
    /// Whether the media file is still there (false: a review completed before; only
    /// leftovers, if any, are deleted).
    pub media_present: bool,
    /// What will be deleted, media first.
    pub deletes: Vec<Item>,
    /// What stays.
    pub keeps: Vec<Item>,
    /// Plain words the user must read before confirming.
    pub warnings: Vec<String>,
    review_key: String,
    loudness_key: Option<String>,
}

impl Plan {
    /// Nothing is left to delete (the media and all derived files are already gone).
    pub fn nothing_to_delete(&self) -> bool {
        self.deletes.is_empty()
    }

    /// Adds an export to what is kept.
    pub fn keep_export(&mut self, path: &Path) {
        self.keeps.push(Item::new(
            ItemKind::Export,
            "export",
            &super::entry::absolute(path),
        ));
    }
}

/// What a deletion did.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Deleted and checked gone.
    pub deleted: Vec<Item>,
    pub kept: Vec<Item>,
    /// The media file is reported missing and no derived entry for its content remains.
    pub verified_gone: bool,
    /// Still there after deleting (empty when verified).
    pub leftovers: Vec<Item>,
    /// What went wrong after the media was deleted (a cache entry that could not be removed,
    /// the log that could not be written), in plain words.
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
}

/// Completing reviews for one user's folders.
#[derive(Clone, Debug)]
pub struct ReviewComplete {
    dirs: Dirs,
    reviewer: String,
}

impl ReviewComplete {
    /// Completing reviews with `dirs`' records, naming `reviewer` in the log.
    pub fn new(dirs: Dirs, reviewer: &str) -> Self {
        Self {
            dirs,
            reviewer: reviewer.to_owned(),
        }
    }

    /// What completing the review of `media` deletes and keeps. A media file already deleted
    /// by an earlier completion gives a plan of its leftovers (usually nothing to delete).
    pub fn plan(&self, media: &Path) -> Result<Plan, SecurityError> {
        let media_err = |source| SecurityError::Media {
            path: media.to_path_buf(),
            source,
        };
        let link = match std::fs::symlink_metadata(media) {
            Ok(m) => m.file_type().is_symlink(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return self.plan_after_deletion(media, e);
            }
            Err(e) => return Err(media_err(e)),
        };
        let meta = std::fs::metadata(media).map_err(media_err)?;
        if !meta.is_file() {
            return Err(media_err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a file",
            )));
        }
        let target = std::fs::canonicalize(media).map_err(media_err)?;
        let sha256 = HashCache::new(&self.dirs.hash_cache).sha256(&target)?;
        let review_key = review_key(&target).map_err(media_err)?;
        let loudness_key = crate::persist::content_key(&target).ok();
        let mut deletes = vec![Item::new(ItemKind::Media, "media file", &target)];
        if link {
            let named = std::path::absolute(media).map_err(media_err)?;
            deletes.push(Item::new(ItemKind::Link, "link to the media file", &named));
        }
        deletes.extend(derived::to_delete(
            &self.dirs,
            &target,
            &sha256,
            loudness_key.as_deref(),
        ));
        let mut warnings = vec![NOT_ERASED.to_owned()];
        if hard_links(&meta) > 1 {
            warnings.push(format!(
                "This file has {} names (hard links); its content stays on the disk under the \
                 others until they are deleted too.",
                hard_links(&meta)
            ));
        }
        Ok(Plan {
            file_name: file_name(&target),
            keeps: derived::to_keep(&self.dirs),
            media: target,
            size: meta.len(),
            sha256,
            media_present: true,
            deletes,
            warnings,
            review_key,
            loudness_key,
        })
    }

    /// The plan for a media file that is gone: from its review record, the leftovers.
    fn plan_after_deletion(
        &self,
        media: &Path,
        missing: std::io::Error,
    ) -> Result<Plan, SecurityError> {
        let (states, _) = ReviewStates::load(&self.dirs.review_states())?;
        let Some((key, record)) = states.find_by_path(media) else {
            return Err(SecurityError::Media {
                path: media.to_path_buf(),
                source: missing,
            });
        };
        Ok(Plan {
            media: record.path.clone(),
            file_name: record.file_name.clone(),
            size: record.size,
            sha256: record.sha256.clone(),
            media_present: false,
            deletes: derived::to_delete(
                &self.dirs,
                &record.path,
                &record.sha256,
                record.loudness_key.as_deref(),
            ),
            keeps: derived::to_keep(&self.dirs),
            warnings: Vec::new(),
            review_key: key.to_owned(),
            loudness_key: record.loudness_key.clone(),
        })
    }

    /// Records that the review is complete (with what was exported) and logs it; call after the
    /// exports and before asking to delete, so a user who keeps the file is reminded later.
    pub fn mark_complete(&self, plan: &Plan, exports: &[PathBuf]) -> Result<(), SecurityError> {
        if !plan.media_present {
            return Ok(());
        }
        let (mut states, _) = ReviewStates::load(&self.dirs.review_states())?;
        let entry = self.entry(plan, AccessEvent::ReviewComplete, &exports_detail(exports));
        states.put(
            &plan.review_key,
            ReviewRecord {
                file_name: plan.file_name.clone(),
                path: plan.media.clone(),
                size: plan.size,
                sha256: plan.sha256.clone(),
                completed_at: entry.time.clone(),
                reviewer: self.reviewer.clone(),
                exports: exports.iter().map(|p| super::entry::absolute(p)).collect(),
                media_deleted_at: None,
                loudness_key: plan.loudness_key.clone(),
            },
        )?;
        log_file::append(&self.dirs.access_log(), &entry)
    }

    /// Deletes what `plan` lists — the media first; if that fails nothing else is touched —
    /// logs the deletion with the media's size and SHA-256, and checks that everything is gone.
    pub fn execute(&self, plan: &Plan) -> Result<Outcome, SecurityError> {
        let mut out = Outcome {
            kept: plan.keeps.clone(),
            warnings: plan.warnings.clone(),
            ..Outcome::default()
        };
        let (media_items, derived_items): (Vec<&Item>, Vec<&Item>) = plan
            .deletes
            .iter()
            .partition(|i| matches!(i.kind, ItemKind::Media | ItemKind::Link));
        for item in &media_items {
            derived::remove(item, &plan.media, &plan.sha256).map_err(|source| {
                SecurityError::Delete {
                    path: item.path.clone(),
                    source,
                }
            })?;
        }
        if plan.media_present {
            let detail = "review complete";
            if let Err(e) = log_file::append(
                &self.dirs.access_log(),
                &self.entry(plan, AccessEvent::Delete, detail),
            ) {
                out.problems
                    .push(format!("the deletion is not in the access log: {e}"));
            }
        }
        for item in derived_items {
            if let Err(e) = derived::remove(item, &plan.media, &plan.sha256) {
                out.problems.push(format!(
                    "could not delete the {} ({e}): {}",
                    item.what,
                    item.path.display()
                ));
            }
        }
        // Check by looking again, not by trusting the calls above.
        for item in &media_items {
            match std::fs::symlink_metadata(&item.path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                _ => out.leftovers.push((*item).clone()),
            }
        }
        out.leftovers.extend(derived::to_delete(
            &self.dirs,
            &plan.media,
            &plan.sha256,
            plan.loudness_key.as_deref(),
        ));
        out.deleted = plan
            .deletes
            .iter()
            .filter(|i| !out.leftovers.contains(i))
            .cloned()
            .collect();
        out.verified_gone = out.leftovers.is_empty();
        if plan.media_present
            && let Err(e) = self.record_deleted(plan, out.verified_gone)
        {
            out.problems.push(e.to_string());
        }
        Ok(out)
    }

    /// Notes in the review record that the media was deleted (creating the record when the
    /// review was not marked complete first).
    fn record_deleted(&self, plan: &Plan, verified: bool) -> Result<(), SecurityError> {
        let (mut states, _) = ReviewStates::load(&self.dirs.review_states())?;
        let now = crate::time::iso8601_utc(crate::time::now_ms());
        let mut record = states
            .get(&plan.review_key)
            .cloned()
            .unwrap_or(ReviewRecord {
                file_name: plan.file_name.clone(),
                path: plan.media.clone(),
                size: plan.size,
                sha256: plan.sha256.clone(),
                completed_at: now.clone(),
                reviewer: self.reviewer.clone(),
                exports: Vec::new(),
                media_deleted_at: None,
                loudness_key: plan.loudness_key.clone(),
            });
        if verified {
            record.media_deleted_at = Some(now);
        }
        states.put(&plan.review_key, record)
    }

    /// A log entry about the plan's media, with the size and SHA-256 taken before deleting.
    fn entry(&self, plan: &Plan, event: AccessEvent, detail: &str) -> AccessEntry {
        let mut e = AccessEntry::now(event, &plan.media, &self.reviewer, detail);
        e.size = Some(plan.size);
        e.sha256 = Some(plan.sha256.clone());
        e
    }
}

fn exports_detail(exports: &[PathBuf]) -> String {
    if exports.is_empty() {
        return "nothing exported".to_owned();
    }
    let names: Vec<String> = exports
        .iter()
        .map(|p| super::entry::absolute(p).display().to_string())
        .collect();
    format!("exported {}", names.join(", "))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(unix)]
fn hard_links(meta: &std::fs::Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn hard_links(_meta: &std::fs::Metadata) -> u64 {
    1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::read_log;

    fn setup() -> (tempfile::TempDir, Dirs, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let dirs = Dirs::under(dir.path());
        let media = dir.path().join("media/ep1.mov");
        std::fs::create_dir_all(media.parent().expect("parent")).expect("dir");
        std::fs::write(&media, b"abc").expect("write");
        (dir, dirs, media)
    }

    #[test]
    fn deletes_the_media_and_its_caches_and_says_so() {
        let (_dir, dirs, media) = setup();
        let rc = ReviewComplete::new(dirs.clone(), "Ana");
        let key = crate::persist::content_key(&media).expect("key");
        let cache = dirs
            .loudness_cache
            .as_ref()
            .expect("dir")
            .join(format!("{key}.json"));
        crate::persist::write_atomic(&cache, b"{}").expect("cache");
        let plan = rc.plan(&media).expect("plan");
        let kinds: Vec<_> = plan.deletes.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                ItemKind::Media,
                ItemKind::LoudnessCache,
                ItemKind::HashCacheEntry
            ]
        );
        assert!(plan.warnings[0].contains("SSD"));
        rc.mark_complete(&plan, &[]).expect("mark");
        let out = rc.execute(&plan).expect("execute");
        assert!(out.verified_gone, "{out:?}");
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        assert!(!media.exists() && !cache.exists());
        let log = read_log(&dirs.access_log()).expect("log");
        let events: Vec<_> = log.entries.iter().map(|e| e.event).collect();
        assert_eq!(events, [AccessEvent::ReviewComplete, AccessEvent::Delete]);
        assert_eq!(log.entries[1].size, Some(3));
        assert_eq!(log.entries[1].sha256.as_deref(), Some(plan.sha256.as_str()));
        // Again: the record knows the file; nothing is left.
        let again = rc.plan(&media).expect("second plan");
        assert!(!again.media_present && again.nothing_to_delete());
        let (states, _) = ReviewStates::load(&dirs.review_states()).expect("states");
        let (_, record) = states.find_by_path(&media).expect("record");
        assert!(record.media_deleted_at.is_some());
    }

    #[test]
    fn a_link_goes_with_its_target() {
        let (dir, dirs, media) = setup();
        let link = dir.path().join("link.mov");
        std::os::unix::fs::symlink(&media, &link).expect("link");
        let rc = ReviewComplete::new(dirs, "");
        let plan = rc.plan(&link).expect("plan");
        assert_eq!(
            plan.deletes[0].path,
            std::fs::canonicalize(&media).expect("c")
        );
        assert_eq!(plan.deletes[1].kind, ItemKind::Link);
        let out = rc.execute(&plan).expect("execute");
        assert!(out.verified_gone);
        assert!(std::fs::symlink_metadata(&link).is_err() && !media.exists());
    }

    #[test]
    fn hard_links_are_warned_about() {
        let (dir, dirs, media) = setup();
        std::fs::hard_link(&media, dir.path().join("other-name.mov")).expect("link");
        let plan = ReviewComplete::new(dirs, "").plan(&media).expect("plan");
        assert!(
            plan.warnings.iter().any(|w| w.contains("2 names")),
            "{:?}",
            plan.warnings
        );
    }

    #[test]
    fn an_unknown_missing_file_is_an_error_naming_it() {
        let (dir, dirs, _) = setup();
        let e = ReviewComplete::new(dirs, "")
            .plan(&dir.path().join("never.mov"))
            .expect_err("missing");
        assert!(e.to_string().contains("never.mov"), "{e}");
    }
}
