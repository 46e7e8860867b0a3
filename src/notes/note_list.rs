//! The notes of one review, in frame order.
//!
//! Two notes may sit on the same frame (two people, two remarks); they keep the order they
//! were made in. Ids are UUIDv7: unique across processes and machines without asking anyone
//! (two windows, a command-line import and another reviewer's copy can all add notes at once),
//! and ordered by creation, which is the tie-break on a shared frame.

use super::markers::{Category, Status};
use crate::time::Frame;
use serde::{Deserialize, Serialize};

/// Wall-clock time for note stamps, ms since 1970 UTC (0 if the clock is before 1970).
pub use crate::time::now_ms;

/// Identifies a note everywhere: in its list, its store and on other reviewers' machines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NoteId(pub uuid::Uuid);

impl NoteId {
    /// A new id, later than every id this process made before it.
    pub fn new() -> Self {
        Self(uuid::Uuid::now_v7())
    }
}

impl Default for NoteId {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Display for NoteId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::str::FromStr for NoteId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(Self)
    }
}

/// One note (field names are its stored form; fields added later default when absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    pub id: NoteId,
    /// Frame the note is pinned to (0 = first picture of the file).
    pub frame: Frame,
    /// For a note about a stretch: the first frame after it (exclusive end).
    #[serde(default)]
    pub end_frame: Option<Frame>,
    pub text: String,
    #[serde(default)]
    pub category: Category,
    /// Who wrote it (the reviewer's name from the settings).
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub status: Status,
    /// When it was made and last changed, ms since 1970 UTC (0: not known).
    #[serde(default)]
    pub created_ms: i64,
    #[serde(default)]
    pub edited_ms: i64,
    /// What the reviewer was listening on when the note was made (None: not known).
    #[serde(default)]
    pub setup: Option<super::ListeningSetup>,
}

/// Notes kept sorted by frame, then by creation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NoteList {
    notes: Vec<Note>,
}

impl Note {
    /// A new open note at `frame`, stamped now.
    pub fn new(frame: Frame, text: impl Into<String>) -> Self {
        let now = now_ms();
        Self {
            id: NoteId::new(),
            frame,
            end_frame: None,
            text: text.into(),
            category: Category::Other,
            author: String::new(),
            status: Status::Open,
            created_ms: now,
            edited_ms: now,
            setup: None,
        }
    }

    /// A range's last frame (inclusive), as every view shows it; `None` for a point.
    pub fn last_frame(&self) -> Option<Frame> {
        super::markers::last_frame(self.frame.0, self.end_frame.map(|e| e.0)).map(Frame)
    }
}

impl NoteList {
    pub fn new() -> Self {
        Self::default()
    }

    /// A list holding `notes` (from a store), ids kept.
    pub fn from_notes(notes: impl IntoIterator<Item = Note>) -> Self {
        let mut notes: Vec<Note> = notes.into_iter().collect();
        // Frame order, creation (id) order on ties, as `add` keeps them.
        notes.sort_by_key(|n| (n.frame, n.id));
        Self { notes }
    }

    /// Adds a note at `frame` and returns its id.
    pub fn add(&mut self, frame: Frame, text: impl Into<String>) -> NoteId {
        let note = Note::new(frame, text);
        let id = note.id;
        self.put(note);
        id
    }

    /// Puts `note` in its place, replacing the note with its id if there is one (an undone
    /// delete, or a change another process or reviewer made).
    pub fn put(&mut self, note: Note) {
        self.notes.retain(|n| n.id != note.id);
        let at = self
            .notes
            .partition_point(|n| (n.frame, n.id) <= (note.frame, note.id));
        self.notes.insert(at, note);
    }

    /// Removes a note; false when there is no such note.
    pub fn remove(&mut self, id: NoteId) -> bool {
        let before = self.notes.len();
        self.notes.retain(|n| n.id != id);
        self.notes.len() != before
    }

    pub fn get(&self, id: NoteId) -> Option<&Note> {
        self.notes.iter().find(|n| n.id == id)
    }

    pub fn get_mut(&mut self, id: NoteId) -> Option<&mut Note> {
        self.notes.iter_mut().find(|n| n.id == id)
    }

    /// All notes in frame order.
    pub fn iter(&self) -> impl Iterator<Item = &Note> {
        self.notes.iter()
    }

    pub fn len(&self) -> usize {
        self.notes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.notes.is_empty()
    }

    /// The first note after `frame` (strictly later).
    pub fn next_after(&self, frame: Frame) -> Option<&Note> {
        self.notes.iter().find(|n| n.frame > frame)
    }

    /// The last note before `frame` (strictly earlier).
    pub fn previous_before(&self, frame: Frame) -> Option<&Note> {
        self.notes.iter().rev().find(|n| n.frame < frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_in_frame_order_with_creation_order_on_ties() {
        let mut list = NoteList::new();
        let a = list.add(Frame(50), "a");
        let b = list.add(Frame(10), "b");
        let c = list.add(Frame(50), "c");
        let frames: Vec<(u64, NoteId)> = list.iter().map(|n| (n.frame.0, n.id)).collect();
        assert_eq!(frames, vec![(10, b), (50, a), (50, c)]);
    }

    #[test]
    fn previous_and_next_are_strict() {
        let mut list = NoteList::new();
        list.add(Frame(10), "");
        list.add(Frame(20), "");
        assert_eq!(list.next_after(Frame(10)).map(|n| n.frame.0), Some(20));
        assert_eq!(list.next_after(Frame(9)).map(|n| n.frame.0), Some(10));
        assert_eq!(list.next_after(Frame(20)), None);
        assert_eq!(list.previous_before(Frame(20)).map(|n| n.frame.0), Some(10));
        assert_eq!(list.previous_before(Frame(10)), None);
        assert_eq!(
            list.previous_before(Frame(u64::MAX)).map(|n| n.frame.0),
            Some(20)
        );
    }

    #[test]
    fn remove_and_edit_by_id() {
        let mut list = NoteList::new();
        let a = list.add(Frame(1), "x");
        let b = list.add(Frame(2), "y");
        if let Some(n) = list.get_mut(b) {
            n.text.push('!');
        }
        assert!(list.remove(a));
        assert!(!list.remove(a));
        assert_eq!(list.len(), 1);
        assert_eq!(list.get(b).map(|n| n.text.as_str()), Some("y!"));
    }
}
