//! The window's side of "notes are never lost": every added, edited or deleted note goes to the
//! store (flushed to disk) at once, and the notes panel says "saved" only when the disk has it.
//! When the disk refuses (full, read-only, unplugged), the change stays in memory, the reviewer
//! is told plainly, and saving is retried every two seconds until it succeeds.

use crate::notes::{NoteId, NoteList, NoteStore};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

const RETRY: Duration = Duration::from_secs(2);

/// Where the review's notes stand on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaveState {
    /// Every change is on disk.
    Saved,
    /// Not kept between launches (no store: tests, or no data folder).
    NotKept,
    /// This many notes have changes the disk has not taken, and why.
    Unsaved(usize, String),
}

/// The store and what it has not taken yet.
pub struct NoteKeeper {
    store: Option<NoteStore>,
    /// Notes whose latest state (or deletion) is not on disk.
    pending: BTreeSet<NoteId>,
    last_error: Option<String>,
    retry_at: Option<Instant>,
}

impl NoteKeeper {
    /// Opens the notes of `media` under `root` (`None`: keep them in memory only). Returns the
    /// keeper, the notes, and a message for the banner when something was wrong.
    pub fn open(root: Option<&Path>, media: &Path) -> (Self, NoteList, Option<String>) {
        let empty = |store| Self {
            store,
            pending: BTreeSet::new(),
            last_error: None,
            retry_at: None,
        };
        let Some(root) = root else {
            return (empty(None), NoteList::new(), None);
        };
        match NoteStore::open(root, media) {
            Ok(o) => {
                let problem = (!o.problems.is_empty())
                    .then(|| format!("Notes store problem: {}", o.problems.join(" ")));
                (empty(Some(o.store)), o.notes, problem)
            }
            Err(e) => (
                empty(None),
                NoteList::new(),
                Some(format!(
                    "Notes for this file cannot be saved, so they will be lost when Earmark \
                     closes: {e}"
                )),
            ),
        }
    }

    /// Note `id` was added, edited or deleted in `notes`: save that now.
    pub fn changed(&mut self, notes: &NoteList, id: NoteId) {
        self.pending.insert(id);
        self.flush(notes);
    }

    /// Retries what the disk refused, at most every two seconds.
    pub fn retry(&mut self, notes: &NoteList, now: Instant) {
        if self.pending.is_empty() || self.retry_at.is_some_and(|t| now < t) {
            return;
        }
        self.flush(notes);
    }

    fn flush(&mut self, notes: &NoteList) {
        let Some(store) = self.store.as_mut() else {
            self.pending.clear();
            return;
        };
        while let Some(&id) = self.pending.first() {
            let result = match notes.get(id) {
                Some(n) => store.save(n),
                None => store.delete(id),
            };
            match result {
                Ok(()) => {
                    self.pending.remove(&id);
                }
                Err(e) => {
                    self.last_error = Some(e.to_string());
                    self.retry_at = Some(Instant::now() + RETRY);
                    return;
                }
            }
        }
        self.last_error = None;
        self.retry_at = None;
        if let Err(e) = store.maybe_compact(notes) {
            // The journal still holds everything; compaction only keeps opening quick.
            self.last_error = Some(e.to_string());
        }
    }

    pub fn state(&self) -> SaveState {
        match (&self.store, self.pending.len()) {
            (None, _) => SaveState::NotKept,
            (Some(_), 0) => SaveState::Saved,
            (Some(_), n) => SaveState::Unsaved(
                n,
                self.last_error.clone().unwrap_or_else(|| "saving…".into()),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_saved_at_once_and_found_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let media = dir.path().join("m.mov");
        std::fs::write(&media, b"content").expect("write");
        let root = dir.path().join("notes");
        let (mut k, mut notes, problem) = NoteKeeper::open(Some(&root), &media);
        assert_eq!(problem, None);
        let a = notes.add(3, "first");
        k.changed(&notes, a);
        let b = notes.add(9, "second");
        k.changed(&notes, b);
        notes.remove(a);
        k.changed(&notes, a);
        assert_eq!(k.state(), SaveState::Saved);
        let (_, again, _) = NoteKeeper::open(Some(&root), &media);
        let texts: Vec<&str> = again.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(texts, vec!["second"]);
    }

    #[test]
    fn a_store_that_cannot_open_is_reported_and_claims_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let media = dir.path().join("m.mov");
        std::fs::write(&media, b"content").expect("write");
        // The notes folder's place is taken by a file.
        let root = dir.path().join("notes");
        std::fs::write(&root, b"not a folder").expect("write");
        let (mut k, mut notes, problem) = NoteKeeper::open(Some(&root), &media);
        let problem = problem.expect("reported");
        assert!(problem.contains("cannot be saved"), "{problem}");
        let a = notes.add(1, "x");
        k.changed(&notes, a);
        assert_eq!(k.state(), SaveState::NotKept);
    }

    #[test]
    fn without_a_store_nothing_claims_to_be_saved() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut k, mut notes, problem) = NoteKeeper::open(None, &dir.path().join("x.mov"));
        assert_eq!(problem, None);
        let a = notes.add(1, "x");
        k.changed(&notes, a);
        assert_eq!(k.state(), SaveState::NotKept);
    }
}
