//! The window's side of "notes are never lost": every added, edited or deleted note goes to the
//! store (on the disk) at once, and the notes panel says "saved" only when the disk has it.
//! When the disk refuses (full, read-only, unplugged), the change stays in memory, the reviewer
//! is told plainly, and saving is retried every two seconds until it succeeds.
//!
//! It also brings in what other processes change (a `notes import`, another window): the store
//! is asked four times a second, and a note with a change of ours not yet stored is left as we
//! have it (its save merges field by field), so neither side overwrites the other.

use crate::notes::{Change, NoteId, NoteList, NoteRecord, NoteStore};
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

const RETRY: Duration = Duration::from_secs(2);
/// How often other processes' changes are looked for (well inside the one second promised).
const POLL: Duration = Duration::from_millis(250);

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
    polled_at: Option<Instant>,
    /// Wakes the window when another process changes the notes (kept running while open).
    watch: Option<crate::notes::db::Watch>,
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
            polled_at: None,
            watch: None,
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

    /// Calls `wake` whenever another process changes these notes (the window asks for a
    /// repaint, and the next refresh takes the change in). Without a store, nothing to watch.
    pub fn watch(&mut self, wake: Box<dyn Fn() + Send>) {
        if let Some(s) = self.store.as_ref() {
            // Without the watch, changes still arrive at the next repaint.
            self.watch = s.watch(wake).ok();
        }
    }

    /// Names who makes the changes from this seat (stamped on the fields they change).
    pub fn set_editor(&mut self, name: &str) {
        if let Some(s) = self.store.as_mut() {
            s.set_editor(name);
        }
    }

    /// Records how the review's frames read as timecode (for listing notes without the media);
    /// a failure costs only that, so it is not reported.
    pub fn describe_timecode(&mut self, rate: crate::time::FrameRate, start_tc: &str) {
        let (num, den) = (rate.0.num, rate.0.den);
        if let (Some(s), Ok(num), Ok(den)) =
            (self.store.as_mut(), u32::try_from(num), u32::try_from(den))
        {
            let _ = s.describe_timecode((num, den), start_tc);
        }
    }

    /// Note `id` was added, edited or deleted in `notes`: save that now (what comes back, merged
    /// with other processes' changes, replaces it in `notes`).
    pub fn changed(&mut self, notes: &mut NoteList, id: NoteId) {
        self.pending.insert(id);
        self.flush(notes);
    }

    /// Retries what the disk refused, at most every two seconds, and takes in other processes'
    /// changes, four times a second. True when `notes` changed.
    pub fn refresh(&mut self, notes: &mut NoteList, now: Instant) -> bool {
        if !self.pending.is_empty() && self.retry_at.is_none_or(|t| now >= t) {
            self.flush(notes);
        }
        if self.polled_at.is_some_and(|t| now < t + POLL) {
            return false;
        }
        self.polled_at = Some(now);
        let Some(store) = self.store.as_mut() else {
            return false;
        };
        match store.changes(&self.pending) {
            Ok(changes) => {
                let any = !changes.is_empty();
                for c in changes {
                    match c {
                        Change::Put(n) => notes.put(*n),
                        Change::Gone(id) => {
                            notes.remove(id);
                        }
                    }
                }
                any
            }
            // Reading failed (the disk went away): what is shown stays; the next poll retries.
            Err(_) => false,
        }
    }

    /// The stored record of note `id` (what a shared review sends to the others).
    pub fn record(&self, id: NoteId) -> Option<NoteRecord> {
        self.store.as_ref()?.record(id).cloned()
    }

    /// Takes in a note from another participant: merged with ours field by field, stored, and
    /// shown. True when `notes` changed. Without a store it is only shown.
    pub fn take_in(&mut self, notes: &mut NoteList, theirs: &NoteRecord) -> Result<bool, String> {
        let change = match self.store.as_mut() {
            Some(store) => store.merge_remote(theirs).map_err(|e| e.to_string())?,
            None => Some(match theirs.live() {
                Some(n) => Change::Put(Box::new(n.clone())),
                None => Change::Gone(theirs.id()),
            }),
        };
        Ok(match change {
            Some(Change::Put(n)) => {
                notes.put(*n);
                true
            }
            Some(Change::Gone(id)) => notes.remove(id),
            None => false,
        })
    }

    fn flush(&mut self, notes: &mut NoteList) {
        let Some(store) = self.store.as_mut() else {
            self.pending.clear();
            return;
        };
        while let Some(&id) = self.pending.first() {
            let result = match notes.get(id) {
                Some(n) => store.save(n).map(|stored| {
                    match stored {
                        Some(s) if Some(&s) != notes.get(id) => notes.put(s),
                        Some(_) => {}
                        // Deleted elsewhere after our change was made: it stays deleted.
                        None => {
                            notes.remove(id);
                        }
                    }
                }),
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
        let a = notes.add(crate::time::Frame(3), "first");
        k.changed(&mut notes, a);
        let b = notes.add(crate::time::Frame(9), "second");
        k.changed(&mut notes, b);
        notes.remove(a);
        k.changed(&mut notes, a);
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
        let a = notes.add(crate::time::Frame(1), "x");
        k.changed(&mut notes, a);
        assert_eq!(k.state(), SaveState::NotKept);
    }

    #[test]
    fn without_a_store_nothing_claims_to_be_saved() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut k, mut notes, problem) = NoteKeeper::open(None, &dir.path().join("x.mov"));
        assert_eq!(problem, None);
        let a = notes.add(crate::time::Frame(1), "x");
        k.changed(&mut notes, a);
        assert_eq!(k.state(), SaveState::NotKept);
    }
}
