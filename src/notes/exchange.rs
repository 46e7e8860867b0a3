//! Notes ⇄ markers: the bridge between the store's [`Note`] and the exporters' [`Marker`]
//! (notes speak [`Frame`]; the formats' own code works in plain frame counts).
//!
//! Why a separate step: the marker formats know nothing of ids, time stamps or listening
//! set-ups, and the store knows nothing of formats. Everything a `Marker` carries (frame, range
//! end, text, category, author, status) crosses unchanged in both directions; what it cannot
//! carry (id, times, set-up) is kept by the note on export and filled in fresh on import.
//! Media-dependent set-up (which rate, which start timecode) is the caller's: `notes` does not
//! depend on `media`, so the CLI builds the [`MarkerContext`].

use super::markers::Marker;
use super::note_list::{Note, NoteId, NoteList, now_ms};
use crate::time::Frame;

/// The marker an exporter sees for `note`.
pub fn to_marker(note: &Note) -> Marker {
    Marker {
        frame: note.frame.0,
        end_frame: note.end_frame.map(|e| e.0),
        text: note.text.clone(),
        category: note.category,
        author: note.author.clone(),
        status: note.status,
    }
}

/// Every note of `list` as markers, in the list's (frame) order.
pub fn to_markers(list: &NoteList) -> Vec<Marker> {
    list.iter().map(to_marker).collect()
}

/// A new note carrying `marker` (stamped now, no listening set-up: it was not heard here).
pub fn from_marker(marker: &Marker) -> Note {
    let mut note = Note::new(Frame(marker.frame), marker.text.clone());
    apply(marker, &mut note);
    note
}

/// Adds `marker` to `list` as a new note (stamped now, no listening set-up: an imported note
/// was not heard here) and returns its id.
pub fn add_marker(list: &mut NoteList, marker: &Marker) -> NoteId {
    let id = list.add(Frame(marker.frame), marker.text.clone());
    if let Some(note) = list.get_mut(id) {
        apply(marker, note);
    }
    id
}

/// Writes what `marker` carries onto `note`, leaving its id and set-up alone.
pub fn apply(marker: &Marker, note: &mut Note) {
    note.frame = Frame(marker.frame);
    note.end_frame = marker.end_frame.map(Frame);
    note.text.clone_from(&marker.text);
    note.category = marker.category;
    note.author.clone_from(&marker.author);
    note.status = marker.status;
    note.edited_ms = now_ms();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::{Category, Status};

    #[test]
    fn every_marker_field_survives_both_ways() {
        let marker = Marker {
            frame: 1234,
            end_frame: Some(1300),
            text: "line one\n\"two\", | três".into(),
            category: Category::MixBalance,
            author: "Ana".into(),
            status: Status::Addressed,
        };
        let mut list = NoteList::new();
        let id = add_marker(&mut list, &marker);
        let note = list.get(id).expect("added");
        assert_eq!(to_marker(note), marker);
        assert_eq!(to_markers(&list), vec![marker]);
        assert!(note.setup.is_none());
    }
}
