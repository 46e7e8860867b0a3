//! Where a review's notes live between launches, and why none is ever lost: every note added,
//! edited or deleted is appended to a journal and flushed to the disk before the window shows it
//! as saved (`persist::Journal`), so a crash or `kill -9` mid-typing loses at most the keystroke
//! being written. A damaged store is set aside and reported, never overwritten.
//!
//! Notes are kept per media *content* (`persist::content_id`), not per path: a review file that
//! is renamed or moved finds its notes again. Each store folder also records the media's path,
//! name and size (`media.json`) so a person browsing the data folder can tell what it is for.
//! Layout: `<data dir>/notes/<content id>/{journal.jsonl, snapshot.json, media.json}`.

use super::note_list::{Note, NoteId, NoteList};
use crate::persist::{Journal, JournalError, content_id, write_atomic};
use serde::Serialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Salt of the notes' content key (never change it: notes would stop being found).
const KEY_SALT: &str = "earmark-notes";
/// Compact the journal into the snapshot after this many changes (typing is one per key).
const COMPACT_AFTER: usize = 2000;

#[derive(Debug, Error)]
pub enum NotesError {
    #[error("could not read {path} to find its notes: {source}")]
    Media {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] JournalError),
}

#[derive(Serialize)]
struct MediaInfo<'a> {
    path: &'a Path,
    name: String,
    size: u64,
}

/// The open store of one media file's notes.
#[derive(Debug)]
pub struct NoteStore {
    journal: Journal<Note>,
}

/// What opening a store gives: the notes and any damage report.
#[derive(Debug)]
pub struct Opened {
    pub store: NoteStore,
    pub notes: NoteList,
    /// Plain words, naming the file (empty when all was well).
    pub problems: Vec<String>,
}

impl NoteStore {
    /// The notes folder under the user's data directory (`None` if the system has no home).
    pub fn default_root() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "earmark").map(|d| d.data_dir().join("notes"))
    }

    /// The folder the notes of `media` are kept in under `root`.
    pub fn folder_for(root: &Path, media: &Path) -> Result<PathBuf, NotesError> {
        let key = content_id(media, KEY_SALT).map_err(|source| NotesError::Media {
            path: media.to_path_buf(),
            source,
        })?;
        Ok(root.join(key))
    }

    /// Opens (creating) the store of `media`'s notes under `root`.
    pub fn open(root: &Path, media: &Path) -> Result<Opened, NotesError> {
        let dir = Self::folder_for(root, media)?;
        let (journal, recovered) = Journal::<Note>::open(&dir)?;
        let mut problems = recovered.problems;
        let info = MediaInfo {
            path: media,
            name: media
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            size: std::fs::metadata(media).map(|m| m.len()).unwrap_or(0),
        };
        // Only a label for people: failing to write it costs nothing.
        if let Ok(bytes) = serde_json::to_vec_pretty(&info)
            && let Err(e) = write_atomic(&dir.join("media.json"), &bytes)
        {
            problems.push(format!(
                "could not label the notes folder {}: {e}",
                dir.display()
            ));
        }
        let notes = NoteList::from_notes(recovered.records.into_values());
        Ok(Opened {
            store: Self { journal },
            notes,
            problems,
        })
    }

    /// Saves `note` (new or edited); returns once it is on the disk.
    pub fn save(&mut self, note: &Note) -> Result<(), NotesError> {
        self.journal.put(note.id.0, note)?;
        Ok(())
    }

    /// Records that the note is deleted; returns once it is on the disk.
    pub fn delete(&mut self, id: NoteId) -> Result<(), NotesError> {
        self.journal.delete(id.0)?;
        Ok(())
    }

    /// Folds the journal into the snapshot when it has grown long (call with the notes as
    /// they stand; cheap when there is nothing to do).
    pub fn maybe_compact(&mut self, notes: &NoteList) -> Result<(), NotesError> {
        if self.journal.appended >= COMPACT_AFTER {
            let all = notes.iter().map(|n| (n.id.0, n.clone())).collect();
            self.journal.compact(&all)?;
        }
        Ok(())
    }

    /// The store's folder.
    pub fn dir(&self) -> &Path {
        self.journal.dir()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn media(dir: &Path, name: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, b"not really a movie, but content all the same").expect("write");
        p
    }

    #[test]
    fn notes_come_back_after_reopening_and_follow_a_renamed_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("notes");
        let m = media(dir.path(), "reel1.mov");
        let mut o = NoteStore::open(&root, &m).expect("open");
        assert!(o.notes.is_empty() && o.problems.is_empty());
        let a = o.notes.add(240, "dialogue buried under music, \"here\"");
        let b = o.notes.add(10, "pop at the cut");
        for id in [a, b] {
            let n = o.notes.get(id).expect("note").clone();
            o.store.save(&n).expect("save");
        }
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
        // New ids continue after the stored ones.
        let mut notes = o.notes;
        let c = notes.add(5, "");
        assert!(c.0 > a.0);
        let info = std::fs::read_to_string(o.store.dir().join("media.json")).expect("label");
        assert!(info.contains("renamed.mov"), "{info}");
    }

    #[test]
    fn different_content_has_its_own_notes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path().join("notes");
        let a = media(dir.path(), "a.mov");
        let b = dir.path().join("b.mov");
        std::fs::write(&b, b"another file").expect("write");
        let mut o = NoteStore::open(&root, &a).expect("open");
        let id = o.notes.add(1, "for a");
        let n = o.notes.get(id).expect("note").clone();
        o.store.save(&n).expect("save");
        let o = NoteStore::open(&root, &b).expect("open b");
        assert!(o.notes.is_empty());
    }

    #[test]
    fn a_missing_media_file_is_named() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = NoteStore::open(dir.path(), &dir.path().join("gone.mov")).expect_err("missing");
        assert!(err.to_string().contains("gone.mov"), "{err}");
    }
}
