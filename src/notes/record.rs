//! A note as it is kept and shared: the note itself, who last changed each of its fields and
//! when, and whether it is deleted (a tombstone, so a delete travels like any other change).
//!
//! Two copies of a note, edited apart (two processes on one machine, two reviewers on two
//! machines), merge without loss: each field keeps the value of its latest change (last writer
//! wins per field, not per note), so one person's status change and another's text edit both
//! survive. Ties (same millisecond) are broken by the editor's name and then the value itself, so
//! every copy reaches the same result whichever order the changes arrive in.

use super::note_list::{Note, NoteId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The parts of a note that change on their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Frame,
    EndFrame,
    Text,
    Category,
    Author,
    Status,
    Setup,
    Deleted,
}

impl Field {
    /// The fields a note's content is made of (everything but `Deleted`).
    pub const CONTENT: [Field; 7] = [
        Field::Frame,
        Field::EndFrame,
        Field::Text,
        Field::Category,
        Field::Author,
        Field::Status,
        Field::Setup,
    ];
}

/// When a field was last changed, and by whom.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Stamp {
    /// Wall-clock ms since 1970 UTC.
    pub ms: i64,
    /// The editor's name (the reviewer of the seat that made the change; may be empty).
    pub by: String,
}

/// A note with the history merging needs (sent whole between participants of a shared review).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteRecord {
    /// The note's fields (for a tombstone: its id, frame and times; the rest blanked).
    pub note: Note,
    pub deleted: bool,
    /// Each field's latest change; a field without a stamp has never been changed since the
    /// note was made (it sorts before every stamp).
    pub stamps: BTreeMap<Field, Stamp>,
}

impl NoteRecord {
    /// A record for a note made here, every field stamped `stamp`.
    pub fn created(note: Note, stamp: &Stamp) -> Self {
        let stamps = Field::CONTENT.iter().map(|&f| (f, stamp.clone())).collect();
        Self {
            note,
            deleted: false,
            stamps,
        }
    }

    pub fn id(&self) -> NoteId {
        self.note.id
    }

    /// The note, unless it is deleted.
    pub fn live(&self) -> Option<&Note> {
        (!self.deleted).then_some(&self.note)
    }

    /// Takes the fields in which `after` differs from `before` (the version the editor started
    /// from), stamped `stamp`; every field when there is no `before`. Editing a note that was
    /// deleted elsewhere brings it back: the edit is the later word. Returns whether anything
    /// changed.
    pub fn edit(&mut self, before: Option<&Note>, after: &Note, stamp: &Stamp) -> bool {
        let mut changed = false;
        for f in Field::CONTENT {
            if before.is_none_or(|b| !same(f, b, after)) && !same(f, &self.note, after) {
                copy(f, after, &mut self.note);
                self.stamps.insert(f, stamp.clone());
                changed = true;
            } else if before.is_none() {
                self.stamps.insert(f, stamp.clone());
            }
        }
        if self.deleted && (changed || before.is_none()) {
            // Undo of a delete, or an edit racing one: the note is alive again, whole.
            for f in Field::CONTENT {
                copy(f, after, &mut self.note);
                self.stamps.insert(f, stamp.clone());
            }
            self.deleted = false;
            self.stamps.insert(Field::Deleted, stamp.clone());
            changed = true;
        }
        if changed {
            self.note.edited_ms = self.note.edited_ms.max(stamp.ms);
        }
        changed
    }

    /// Marks the note deleted and blanks what it said (a tombstone carries no words). The
    /// blanking is an edit like any other, stamped with the delete, so merging stays a plain
    /// per-field choice: an older copy's words lose to it.
    pub fn delete(&mut self, stamp: &Stamp) {
        self.deleted = true;
        self.stamps.insert(Field::Deleted, stamp.clone());
        for f in BLANKED {
            self.stamps.insert(f, stamp.clone());
        }
        blank(&mut self.note);
    }

    /// Folds `other` (another copy of the same note) in, field by field, the later change
    /// winning. Commutative, associative and idempotent, so copies that have seen the same
    /// changes agree.
    pub fn merge(&mut self, other: &NoteRecord) {
        for f in Field::CONTENT {
            if wins(
                other.stamps.get(&f),
                &other.note,
                self.stamps.get(&f),
                &self.note,
                f,
            ) {
                copy(f, &other.note, &mut self.note);
                if let Some(s) = other.stamps.get(&f) {
                    self.stamps.insert(f, s.clone());
                }
            }
        }
        let theirs = (other.stamps.get(&Field::Deleted), other.deleted);
        let ours = (self.stamps.get(&Field::Deleted), self.deleted);
        if theirs > ours {
            self.deleted = other.deleted;
            if let Some(s) = theirs.0 {
                self.stamps.insert(Field::Deleted, s.clone());
            }
        }
        self.note.created_ms = self.note.created_ms.min(other.note.created_ms);
        self.note.edited_ms = self.note.edited_ms.max(other.note.edited_ms);
    }
}

/// Whether `a`'s value of `f` (stamped `sa`) beats `b`'s (stamped `sb`).
fn wins(sa: Option<&Stamp>, a: &Note, sb: Option<&Stamp>, b: &Note, f: Field) -> bool {
    match sa.cmp(&sb) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        // The same stamp on different values: the larger value, so every copy picks the same.
        std::cmp::Ordering::Equal => value_key(f, a) > value_key(f, b),
    }
}

fn value_key(f: Field, n: &Note) -> String {
    match f {
        Field::Frame => format!("{:020}", n.frame.0),
        Field::EndFrame => format!("{:?}", n.end_frame),
        Field::Text => n.text.clone(),
        Field::Category => n.category.id().to_owned(),
        Field::Author => n.author.clone(),
        Field::Status => n.status.id().to_owned(),
        Field::Setup => serde_json::to_string(&n.setup).unwrap_or_default(),
        Field::Deleted => String::new(),
    }
}

fn same(f: Field, a: &Note, b: &Note) -> bool {
    match f {
        Field::Frame => a.frame == b.frame,
        Field::EndFrame => a.end_frame == b.end_frame,
        Field::Text => a.text == b.text,
        Field::Category => a.category == b.category,
        Field::Author => a.author == b.author,
        Field::Status => a.status == b.status,
        Field::Setup => a.setup == b.setup,
        Field::Deleted => true,
    }
}

fn copy(f: Field, from: &Note, to: &mut Note) {
    match f {
        Field::Frame => to.frame = from.frame,
        Field::EndFrame => to.end_frame = from.end_frame,
        Field::Text => to.text.clone_from(&from.text),
        Field::Category => to.category = from.category,
        Field::Author => to.author.clone_from(&from.author),
        Field::Status => to.status = from.status,
        Field::Setup => to.setup.clone_from(&from.setup),
        Field::Deleted => {}
    }
}

/// The fields a delete blanks.
const BLANKED: [Field; 4] = [Field::Text, Field::Author, Field::Setup, Field::EndFrame];

/// What a tombstone keeps of a note: its id, frame, category, status and times.
fn blank(n: &mut Note) {
    n.text.clear();
    n.author.clear();
    n.setup = None;
    n.end_frame = None;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::Status;

    fn stamp(ms: i64, by: &str) -> Stamp {
        Stamp { ms, by: by.into() }
    }

    fn base() -> NoteRecord {
        let mut n = Note::new(crate::time::Frame(100), "dialogue low");
        n.author = "Ada".into();
        NoteRecord::created(n, &stamp(1_000, "Ada"))
    }

    #[test]
    fn edits_of_different_fields_both_survive_in_either_order() {
        let start = base();
        let mut a = start.clone();
        let mut edited = a.note.clone();
        edited.text = "dialogue low at the door slam".into();
        assert!(a.edit(Some(&start.note), &edited, &stamp(2_000, "Ada")));
        let mut b = start.clone();
        let mut edited = b.note.clone();
        edited.status = Status::Addressed;
        assert!(b.edit(Some(&start.note), &edited, &stamp(2_500, "Бора")));

        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, ba);
        assert_eq!(ab.note.text, "dialogue low at the door slam");
        assert_eq!(ab.note.status, Status::Addressed);
        // Idempotent.
        let mut again = ab.clone();
        again.merge(&a);
        again.merge(&b);
        assert_eq!(again, ab);
    }

    #[test]
    fn the_same_field_takes_the_later_edit_and_ties_agree() {
        let start = base();
        let mut a = start.clone();
        let mut b = start.clone();
        let mut ea = a.note.clone();
        ea.text = "early".into();
        let mut eb = b.note.clone();
        eb.text = "late".into();
        a.edit(Some(&start.note), &ea, &stamp(2_000, "x"));
        b.edit(Some(&start.note), &eb, &stamp(3_000, "y"));
        let mut ab = a.clone();
        ab.merge(&b);
        assert_eq!(ab.note.text, "late");
        // Same stamp, different values: both orders agree.
        let mut c = start.clone();
        let mut ec = c.note.clone();
        ec.text = "other".into();
        c.edit(Some(&start.note), &ec, &stamp(3_000, "y"));
        let mut bc = b.clone();
        bc.merge(&c);
        let mut cb = c.clone();
        cb.merge(&b);
        assert_eq!(bc, cb);
    }

    #[test]
    fn a_delete_is_a_tombstone_without_words_and_a_later_edit_revives() {
        let start = base();
        let mut gone = start.clone();
        gone.delete(&stamp(2_000, "Ada"));
        assert!(gone.deleted && gone.note.text.is_empty() && gone.live().is_none());
        // Merging the old copy does not bring it back.
        let mut m = gone.clone();
        m.merge(&start);
        assert!(m.deleted && m.note.text.is_empty());
        // An edit made after the delete (undo, or someone still typing) does.
        let mut revived = gone.clone();
        let mut again = start.note.clone();
        again.text = "dialogue low (still)".into();
        assert!(revived.edit(Some(&gone.note), &again, &stamp(3_000, "Ada")));
        assert_eq!(
            revived.live().map(|n| n.text.as_str()),
            Some("dialogue low (still)")
        );
        let mut m = gone.clone();
        m.merge(&revived);
        assert_eq!(
            m.live().map(|n| n.text.as_str()),
            Some("dialogue low (still)")
        );
    }

    #[test]
    fn merging_is_order_free_over_many_random_edits() {
        // Three copies, each edited at random; every merge order gives the same note.
        let mut seed = 0x2545_f491_u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..200 {
            let start = base();
            let mut copies = [start.clone(), start.clone(), start.clone()];
            for (i, c) in copies.iter_mut().enumerate() {
                for _ in 0..3 {
                    let before = c.note.clone();
                    let mut after = before.clone();
                    match next(4) {
                        0 => after.text = format!("t{}", next(5)),
                        1 => after.frame = crate::time::Frame(next(5)),
                        2 => after.status = Status::Addressed,
                        _ => {
                            c.delete(&stamp(1_000 + next(10) as i64, &format!("p{i}")));
                            continue;
                        }
                    }
                    c.edit(
                        Some(&before),
                        &after,
                        &stamp(1_000 + next(10) as i64, &format!("p{i}")),
                    );
                }
            }
            let orders = [[0, 1, 2], [2, 1, 0], [1, 0, 2], [2, 0, 1]];
            let results: Vec<NoteRecord> = orders
                .iter()
                .map(|o| {
                    let mut r = copies[o[0]].clone();
                    r.merge(&copies[o[1]]);
                    r.merge(&copies[o[2]]);
                    r
                })
                .collect();
            for r in &results[1..] {
                assert_eq!(r, &results[0]);
            }
        }
    }
}
