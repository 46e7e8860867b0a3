//! Which notes a view shows, and the deleted notes Ctrl+Z can bring back.
//!
//! Both last for this session only: a filter is a way of looking (each window or participant
//! has its own; Up/Down pass theirs with the intent), and an undo stack that outlived the
//! session would resurrect notes the reviewer deleted on purpose yesterday.

use crate::notes::{Category, Note, NoteId, NoteList, Status};

/// What the notes panel (and Up/Down, and the timeline's markers) show. `None`: every value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoteFilter {
    pub category: Option<Category>,
    pub status: Option<Status>,
}

impl NoteFilter {
    pub fn matches(&self, note: &Note) -> bool {
        self.category.is_none_or(|c| c == note.category)
            && self.status.is_none_or(|s| s == note.status)
    }

    /// True when some notes may be hidden.
    pub fn is_active(&self) -> bool {
        self.category.is_some() || self.status.is_some()
    }

    /// The category a note added now takes: the filtered one (reviewing dialogue only, M
    /// makes a dialogue note), so the text field it opens with is on screen.
    pub fn category_for_new(&self) -> Option<Category> {
        self.category
    }

    /// Makes a note just added visible under this filter: an "addressed only" filter is
    /// lifted, since a new note is open.
    pub fn admit_new(&mut self, note: &Note) {
        if self.status.is_some_and(|s| s != note.status) {
            self.status = None;
        }
    }
}

/// The notes deleted this session, newest last.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeletedNotes {
    stack: Vec<Note>,
}

impl DeletedNotes {
    /// Removes `id` from `notes` and keeps it for undo; false when there is no such note.
    pub fn delete(&mut self, notes: &mut NoteList, id: NoteId) -> bool {
        let Some(note) = notes.get(id).cloned() else {
            return false;
        };
        notes.remove(id);
        self.stack.push(note);
        true
    }

    /// How many deleted notes are held.
    pub fn len(&self) -> usize {
        self.stack.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stack.is_empty()
    }

    /// The note Ctrl+Z would bring back.
    pub fn last(&self) -> Option<&Note> {
        self.stack.last()
    }

    /// Puts the newest deleted note back into `notes` with its own id (so its store entry is
    /// rewritten, not duplicated) and returns that id.
    pub fn undo(&mut self, notes: &mut NoteList) -> Option<NoteId> {
        let note = self.stack.pop()?;
        let id = note.id;
        notes.put(note);
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_by_category_and_status() {
        let mut list = NoteList::new();
        let a = list.add(crate::time::Frame(1), "a");
        list.add(crate::time::Frame(2), "b");
        if let Some(n) = list.get_mut(a) {
            n.category = Category::Dialogue;
            n.status = Status::Addressed;
        }
        let shown = |f: NoteFilter| -> Vec<String> {
            list.iter()
                .filter(|n| f.matches(n))
                .map(|n| n.text.clone())
                .collect()
        };
        assert_eq!(shown(NoteFilter::default()), vec!["a", "b"]);
        let dx = NoteFilter {
            category: Some(Category::Dialogue),
            status: None,
        };
        assert_eq!(shown(dx), vec!["a"]);
        let open = NoteFilter {
            category: None,
            status: Some(Status::Open),
        };
        assert_eq!(shown(open), vec!["b"]);
        assert!(open.is_active() && !NoteFilter::default().is_active());
    }

    #[test]
    fn a_new_note_is_admitted_by_the_filter() {
        let mut list = NoteList::new();
        let id = list.add(crate::time::Frame(1), "");
        let mut f = NoteFilter {
            category: Some(Category::Music),
            status: Some(Status::Addressed),
        };
        assert_eq!(f.category_for_new(), Some(Category::Music));
        let note = list.get_mut(id).expect("note");
        note.category = Category::Music;
        f.admit_new(note);
        assert_eq!(f.status, None);
        assert!(f.matches(note));
    }

    #[test]
    fn undo_restores_the_same_note_and_ids_never_collide() {
        let mut list = NoteList::new();
        let a = list.add(crate::time::Frame(10), "a");
        let b = list.add(crate::time::Frame(20), "b");
        let c = list.add(crate::time::Frame(30), "c");
        let mut del = DeletedNotes::default();
        assert!(del.delete(&mut list, c));
        assert!(del.delete(&mut list, b));
        assert!(!del.delete(&mut list, b));
        assert_eq!(del.last().map(|n| n.id), Some(b));
        assert_eq!(del.undo(&mut list), Some(b));
        assert_eq!(list.get(b).map(|n| n.text.as_str()), Some("b"));
        // c is still deleted; a new note must not take its id.
        let d = list.add(crate::time::Frame(5), "d");
        assert_ne!(d, c);
        assert_eq!(del.undo(&mut list), Some(c));
        let order: Vec<NoteId> = list.iter().map(|n| n.id).collect();
        assert_eq!(order, vec![d, a, b, c]);
        assert_eq!(del.undo(&mut list), None);
    }
}
