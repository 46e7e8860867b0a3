//! One review's notes in the notes database ([`super::db`]), as the window and the command line
//! use them: open, save a change, delete, import a batch, and pick up what other processes
//! changed.
//!
//! Notes are kept per media *content* (`persist::content_id`), not per path: a review file that
//! is renamed or moved finds its notes again. Every change is a transaction on the disk before
//! it is confirmed. A save writes only the fields this process changed (compared with the note
//! as this process last saw it stored), merged into the stored row inside the transaction, so a
//! field someone else changed meanwhile is kept; the merged note comes back to show.

use super::db::{DbError, LegacyMigration, NotesDb, ReviewInfo};
use super::note_list::{Note, NoteId, NoteList};
use super::record::{NoteRecord, Stamp};
use crate::persist::content_id;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Salt of the notes' content key (never change it: notes would stop being found).
const KEY_SALT: &str = "earmark-notes";

#[derive(Debug, Error)]
pub enum NotesError {
    #[error("could not read {path} to find its notes: {source}")]
    Media {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The open store of one media file's notes.
#[derive(Debug)]
pub struct NoteStore {
    db: NotesDb,
    key: String,
    /// The review's file, as recorded when it was opened.
    info: ReviewInfo,
    /// Who changes notes from here (stamped on each field they change).
    editor: String,
    /// Each note as this process last saw it stored: what a save compares against.
    known: HashMap<NoteId, NoteRecord>,
    /// The newest change number taken in.
    seen_seq: i64,
    /// The database's change counter when last asked.
    data_version: i64,
}

/// What opening a store gives: the notes and any damage report.
#[derive(Debug)]
pub struct Opened {
    pub store: NoteStore,
    pub notes: NoteList,
    /// Plain words, naming the file (empty when all was well).
    pub problems: Vec<String>,
}

/// A change another process made, to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A note added or changed: put it in place of the one with its id.
    Put(Box<Note>),
    /// A note deleted.
    Gone(NoteId),
}

impl NoteStore {
    /// The notes folder under the user's data directory (`None` if the system has no home).
    pub fn default_root() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "earmark").map(|d| d.data_dir().join("notes"))
    }

    /// The notes database in `root`.
    pub fn database_path(root: &Path) -> PathBuf {
        root.join(super::db::FILE)
    }

    /// The key `media`'s notes are kept under (by content).
    pub fn review_key(media: &Path) -> Result<String, NotesError> {
        content_id(media, KEY_SALT).map_err(|source| NotesError::Media {
            path: media.to_path_buf(),
            source,
        })
    }

    /// Opens the store of `media`'s notes in the database under `root` (creating it), bringing
    /// in an old journal of them if there is one.
    pub fn open(root: &Path, media: &Path) -> Result<Opened, NotesError> {
        let key = Self::review_key(media)?;
        let (mut db, mut problems) = NotesDb::open(root)?;
        let info = ReviewInfo {
            path: std::path::absolute(media).unwrap_or_else(|_| media.to_path_buf()),
            name: media
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            size: std::fs::metadata(media).map(|m| m.len()).unwrap_or(0),
            rate: None,
            start_tc: None,
        };
        db.describe_review(&key, &info)?;
        let LegacyMigration { problems: old, .. } = db.migrate_legacy(root, &key)?;
        problems.extend(old);
        let data_version = db.data_version()?;
        let (records, seen_seq) = db.load(&key)?;
        let notes = NoteList::from_notes(records.iter().filter_map(|r| r.live().cloned()));
        let known = records.into_iter().map(|r| (r.id(), r)).collect();
        Ok(Opened {
            store: Self {
                db,
                key,
                info,
                editor: String::new(),
                known,
                seen_seq,
                data_version,
            },
            notes,
            problems,
        })
    }

    /// Names who makes the changes from here.
    pub fn set_editor(&mut self, name: &str) {
        name.trim().clone_into(&mut self.editor);
    }

    /// Records how this review's frames read as timecode, so notes can be listed with
    /// timecodes without the media at hand.
    pub fn describe_timecode(
        &mut self,
        rate: (u32, u32),
        start_tc: &str,
    ) -> Result<(), NotesError> {
        let info = ReviewInfo {
            rate: Some(rate),
            start_tc: Some(start_tc.to_owned()),
            ..self.info.clone()
        };
        self.db.describe_review(&self.key, &info)?;
        Ok(())
    }

    fn stamp(&self) -> Stamp {
        Stamp {
            ms: super::now_ms(),
            by: self.editor.clone(),
        }
    }

    /// Saves `note` (new or edited) and returns it as stored: the fields this process changed,
    /// merged with any change another made meanwhile (`None`: it stays deleted). On the disk
    /// when this returns.
    pub fn save(&mut self, note: &Note) -> Result<Option<Note>, NotesError> {
        let stamp = self.stamp();
        let before = self.known.get(&note.id).map(|r| r.note.clone());
        let key = self.key.clone();
        let record = self.db.write(|w| {
            let mut record = w
                .get(note.id)?
                .unwrap_or_else(|| NoteRecord::created(note.clone(), &stamp));
            if record.edit(before.as_ref(), note, &stamp) || before.is_none() {
                w.put(&key, &record)?;
            }
            Ok(record)
        })?;
        let shown = record.live().cloned();
        self.known.insert(note.id, record);
        Ok(shown)
    }

    /// The record (note and per-field times) of note `id` as this process last stored or read
    /// it: what a shared review sends to the other participants.
    pub fn record(&self, id: NoteId) -> Option<&NoteRecord> {
        self.known.get(&id)
    }

    /// Folds in `theirs`, a copy of a note from another participant of a shared review, field
    /// by field (the later change wins), and stores the result. Returns what to show when it
    /// changed anything here.
    pub fn merge_remote(&mut self, theirs: &NoteRecord) -> Result<Option<Change>, NotesError> {
        let key = self.key.clone();
        let id = theirs.id();
        let merged = self.db.write(|w| {
            let stored = w.get(id)?;
            let mut merged = stored.clone().unwrap_or_else(|| theirs.clone());
            merged.merge(theirs);
            if stored.as_ref() != Some(&merged) {
                w.put(&key, &merged)?;
            }
            Ok(merged)
        })?;
        if self.known.get(&id) == Some(&merged) {
            return Ok(None);
        }
        let change = match merged.live() {
            Some(n) => Change::Put(Box::new(n.clone())),
            None => Change::Gone(id),
        };
        self.known.insert(id, merged);
        Ok(Some(change))
    }

    /// Records that the note is deleted; on the disk when this returns.
    pub fn delete(&mut self, id: NoteId) -> Result<(), NotesError> {
        let stamp = self.stamp();
        let key = self.key.clone();
        let record = self.db.write(|w| {
            let Some(mut record) = w.get(id)? else {
                return Ok(None);
            };
            if !record.deleted {
                record.delete(&stamp);
                w.put(&key, &record)?;
            }
            Ok(Some(record))
        })?;
        if let Some(r) = record {
            self.known.insert(id, r);
        }
        Ok(())
    }

    /// Adds `notes` (and first deletes every note, with `replace`) in one transaction: all of
    /// them are stored, or, if anything fails or the process dies part-way, none.
    pub fn import(&mut self, notes: &[Note], replace: bool) -> Result<NoteList, NotesError> {
        let stamp = self.stamp();
        let key = self.key.clone();
        let abort_after = fault_abort_after();
        self.db.write(|w| {
            if replace {
                for mut r in w.all(&key)?.into_iter().filter(|r| !r.deleted) {
                    r.delete(&stamp);
                    w.put(&key, &r)?;
                }
            }
            for (i, n) in notes.iter().enumerate() {
                if abort_after == Some(i) {
                    // Test hook: a crash in the middle of an import (see `fault_abort_after`).
                    std::process::abort();
                }
                w.put(&key, &NoteRecord::created(n.clone(), &stamp))?;
            }
            Ok(())
        })?;
        self.take_changes(&BTreeSet::new())?;
        Ok(NoteList::from_notes(
            self.known.values().filter_map(|r| r.live().cloned()),
        ))
    }

    /// What other processes changed since the last call (empty, and cheap, when nothing did).
    /// Notes in `keep` have changes here that are not stored yet: they are left as this
    /// process has them (their next save merges, field by field).
    pub fn changes(&mut self, keep: &BTreeSet<NoteId>) -> Result<Vec<Change>, NotesError> {
        let version = self.db.data_version()?;
        if version == self.data_version {
            return Ok(Vec::new());
        }
        self.data_version = version;
        self.take_changes(keep)
    }

    fn take_changes(&mut self, keep: &BTreeSet<NoteId>) -> Result<Vec<Change>, NotesError> {
        let (records, newest) = self.db.changes_since(&self.key, self.seen_seq)?;
        self.seen_seq = newest;
        let mut out = Vec::new();
        for r in records {
            let id = r.id();
            if keep.contains(&id) || self.known.get(&id) == Some(&r) {
                continue;
            }
            out.push(match r.live() {
                Some(n) => Change::Put(Box::new(n.clone())),
                None => Change::Gone(id),
            });
            self.known.insert(id, r);
        }
        Ok(out)
    }

    /// Calls `wake` (from a thread of its own) whenever another process or window changes the
    /// notes, so an idle window can look; stops when the returned watch is dropped.
    pub fn watch(&self, wake: Box<dyn Fn() + Send>) -> Result<super::db::Watch, NotesError> {
        Ok(super::db::watch(self.db.path(), wake)?)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        self.db.path()
    }

    /// This review's key in the database.
    pub fn key(&self) -> &str {
        &self.key
    }
}

/// `EARMARK_FAULT_ABORT_IMPORT_AFTER=N`: the process dies (abort, no clean-up) after storing N
/// notes of an import, before it commits. Only the crash tests set it.
fn fault_abort_after() -> Option<usize> {
    std::env::var("EARMARK_FAULT_ABORT_IMPORT_AFTER")
        .ok()?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, b"not really a movie, but content all the same").expect("write");
        p
    }

    fn save_new(o: &mut Opened, frame: u64, text: &str) -> NoteId {
        let id = o.notes.add(crate::time::Frame(frame), text);
        let n = o.notes.get(id).expect("note").clone();
        o.store.save(&n).expect("save");
        id
    }

    #[test]
    fn notes_come_back_after_reopening_and_follow_a_renamed_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("notes");
        let m = media(dir.path(), "reel1.mov");
        let mut o = NoteStore::open(&root, &m).expect("open");
        assert!(o.notes.is_empty() && o.problems.is_empty());
        let a = save_new(&mut o, 240, "dialogue buried under music, \"here\"");
        let b = save_new(&mut o, 10, "pop at the cut");
        if let Some(n) = o.notes.get_mut(a) {
            n.text.push_str(" (fixed?)");
        }
        let n = o.notes.get(a).expect("note").clone();
        o.store.save(&n).expect("save");
        o.store.delete(b).expect("delete");
        drop(o);

        let moved = dir.path().join("renamed.mov");
        std::fs::rename(&m, &moved).expect("rename");
        let o = NoteStore::open(&root, &moved).expect("reopen");
        let texts: Vec<&str> = o.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(
            texts,
            vec!["dialogue buried under music, \"here\" (fixed?)"]
        );
    }

    #[test]
    fn different_content_has_its_own_notes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("notes");
        let a = media(dir.path(), "a.mov");
        let b = dir.path().join("b.mov");
        std::fs::write(&b, b"another file").expect("write");
        let mut o = NoteStore::open(&root, &a).expect("open");
        save_new(&mut o, 1, "for a");
        let o = NoteStore::open(&root, &b).expect("open b");
        assert!(o.notes.is_empty());
    }

    #[test]
    fn a_missing_media_file_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = NoteStore::open(dir.path(), &dir.path().join("gone.mov")).expect_err("missing");
        assert!(err.to_string().contains("gone.mov"), "{err}");
    }

    #[test]
    fn two_stores_see_each_others_changes_and_keep_each_others_fields() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("notes");
        let m = media(dir.path(), "m.mov");
        let mut one = NoteStore::open(&root, &m).expect("one");
        let mut two = NoteStore::open(&root, &m).expect("two");
        one.store.set_editor("Ada");
        two.store.set_editor("山田");
        let id = save_new(&mut one, 50, "hiss under the line");
        let none = BTreeSet::new();
        let seen = two.store.changes(&none).expect("changes");
        assert!(
            matches!(&seen[..], [Change::Put(n)] if n.id == id),
            "{seen:?}"
        );
        for c in seen {
            if let Change::Put(n) = c {
                two.notes.put(*n);
            }
        }
        // One edits the text, the other the status, each from the same starting point.
        let mut a = one.notes.get(id).expect("note").clone();
        a.text = "hiss under the line at 01:00:02".into();
        let mut b = two.notes.get(id).expect("note").clone();
        b.status = crate::notes::Status::Addressed;
        one.store.save(&a).expect("save one");
        let merged = two.store.save(&b).expect("save two").expect("alive");
        assert_eq!(merged.text, "hiss under the line at 01:00:02");
        assert_eq!(merged.status, crate::notes::Status::Addressed);
        // And the first sees the second's field.
        let seen = one.store.changes(&none).expect("changes");
        assert!(
            matches!(&seen[..], [Change::Put(n)] if n.status == crate::notes::Status::Addressed
                && n.text.ends_with("01:00:02")),
            "{seen:?}"
        );
        // Nothing new: nothing reported, and cheaply.
        assert!(one.store.changes(&none).expect("again").is_empty());
    }

    #[test]
    fn an_import_is_one_transaction_and_replace_deletes_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("notes");
        let m = media(dir.path(), "m.mov");
        let mut o = NoteStore::open(&root, &m).expect("open");
        save_new(&mut o, 1, "typed in the window");
        let batch: Vec<Note> = (0..100)
            .map(|i| Note::new(crate::time::Frame(i), format!("imported {i}")))
            .collect();
        let all = o.store.import(&batch, false).expect("import");
        assert_eq!(all.len(), 101);
        let all = o.store.import(&batch[..3], true).expect("replace");
        assert_eq!(all.len(), 3, "replace leaves only the new ones");
        let again = NoteStore::open(&root, &m).expect("reopen");
        assert_eq!(again.notes.len(), 3);
    }
}
