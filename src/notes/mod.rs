//! Timecoded review notes: what a reviewer says about the mix, pinned to a frame.
//!
//! - [`note_list`]: the notes of one review, kept in frame order, with previous/next lookups
//!   the transport uses (Up/Down).
//!
//! Notes are pinned to frame numbers (the file's own picture frames), never to seconds; their
//! timecode label is derived from the file's source timecode when shown or exported.

mod note_list;

pub use note_list::{Note, NoteId, NoteList};
