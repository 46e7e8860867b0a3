//! Bringing in the notes earlier versions kept in a journal per review
//! (`<notes>/<content key>/{snapshot.json, journal.jsonl}`): read with the same journal code that
//! wrote them (a damaged line is reported and the rest kept, as before), written in one
//! transaction, and marked done so it happens once. The old files are left where they were.
//!
//! Each old note gets an id made from the review and its old number (a UUIDv7 carrying its
//! creation time), so a second run (two processes opening the review together, or a database
//! rebuilt after damage) finds the notes already there instead of adding them twice.

use super::{DbError, NotesDb};
use crate::notes::record::{NoteRecord, Stamp};
use crate::notes::{Category, ListeningSetup, Note, NoteId, Status};
use crate::persist::Journal;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A note as the journal stored it (numbered ids).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct LegacyNote {
    id: u64,
    frame: u64,
    #[serde(default)]
    end_frame: Option<u64>,
    text: String,
    #[serde(default)]
    category: Category,
    #[serde(default)]
    author: String,
    #[serde(default)]
    status: Status,
    #[serde(default)]
    created_ms: i64,
    #[serde(default)]
    edited_ms: i64,
    #[serde(default)]
    setup: Option<ListeningSetup>,
}

/// What a migration did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LegacyMigration {
    /// Notes brought in (0 when there was no journal or it had been brought in before).
    pub notes: usize,
    /// Damage found in the old files, in words naming them.
    pub problems: Vec<String>,
}

/// The old journal folder of review `key` under `root`.
pub fn legacy_dir(root: &Path, key: &str) -> PathBuf {
    root.join(key)
}

impl NotesDb {
    /// Brings in review `key`'s old journal under `root` if it has one that was not brought in.
    pub fn migrate_legacy(&mut self, root: &Path, key: &str) -> Result<LegacyMigration, DbError> {
        let dir = legacy_dir(root, key);
        let has_journal = ["journal.jsonl", "snapshot.json"]
            .iter()
            .any(|f| dir.join(f).exists());
        if !has_journal || self.migrated(key)? {
            return Ok(LegacyMigration::default());
        }
        self.write(|w| {
            // Checked again under the write lock: another process may have just done it.
            let done =
                w.tx.query_row("SELECT 1 FROM migrated WHERE key = ?1", [key], |_| Ok(()))
                    .is_ok();
            if done {
                return Ok(LegacyMigration::default());
            }
            let (_journal, recovered) =
                Journal::<LegacyNote>::open(&dir).map_err(|e| DbError::Row {
                    path: dir.clone(),
                    what: e.to_string(),
                })?;
            let mut notes = 0;
            for old in recovered.records.values() {
                let record = convert(key, old);
                if w.put_new(key, &record)? {
                    notes += 1;
                }
            }
            w.mark_migrated(key, &dir, notes)?;
            Ok(LegacyMigration {
                notes,
                problems: recovered.problems,
            })
        })
    }
}

fn convert(key: &str, old: &LegacyNote) -> NoteRecord {
    let note = Note {
        id: legacy_id(key, old.id, old.created_ms),
        frame: crate::time::Frame(old.frame),
        end_frame: old.end_frame.map(crate::time::Frame),
        text: old.text.clone(),
        category: old.category,
        author: old.author.clone(),
        status: old.status,
        created_ms: old.created_ms,
        edited_ms: old.edited_ms,
        setup: old.setup.clone(),
    };
    let stamp = Stamp {
        ms: old.edited_ms.max(old.created_ms),
        by: old.author.clone(),
    };
    NoteRecord::created(note, &stamp)
}

/// The same id for the same old note every time: its creation time in the time bits (notes
/// keep their creation order), its old number in the next twelve (ties on one millisecond keep
/// their order), a hash of review and number in the rest (unique across reviews).
fn legacy_id(key: &str, old: u64, created_ms: i64) -> NoteId {
    let hash = Sha256::new()
        .chain_update(key.as_bytes())
        .chain_update(old.to_le_bytes())
        .finalize();
    let mut bytes = [0u8; 10];
    let order = old.min(0x0fff) as u16;
    bytes[0] = (order >> 8) as u8;
    bytes[1] = order as u8;
    bytes[2..].copy_from_slice(&hash[..8]);
    let ms = created_ms.max(0) as u64;
    NoteId(uuid::Builder::from_unix_timestamp_millis(ms, &bytes).into_uuid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_ids_are_stable_unique_and_in_creation_order() {
        let a = legacy_id("k1", 0, 1_000);
        assert_eq!(a, legacy_id("k1", 0, 1_000));
        assert_ne!(a, legacy_id("k2", 0, 1_000));
        assert!(legacy_id("k1", 1, 1_000) > a);
        assert!(legacy_id("k1", 0, 2_000) > legacy_id("k1", 9, 1_000));
        assert_eq!(a.0.get_version_num(), 7);
    }
}
