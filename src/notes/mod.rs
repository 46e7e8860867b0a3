//! Timecoded review notes: what a reviewer says about the mix, pinned to a frame.
//!
//! - [`note_list`]: the notes of one review, kept in frame order, with previous/next lookups
//!   the transport uses (Up/Down).
//! - [`store`]: the notes on disk, per media content, every change flushed before it shows
//! - [`listening_setup`]: the headphones, device and calibration a note was heard on.
//! - [`exchange`]: notes to and from the exporters' markers (the CLI's import/export).
//!
//! Notes are pinned to frame numbers (the file's own picture frames), never to seconds; their
//! timecode label is derived from the file's source timecode when shown or exported.

mod listening_setup;
mod note_list;
mod store;

pub use listening_setup::ListeningSetup;
pub use markers::{Category, Status};
pub use note_list::{Note, NoteId, NoteList, now_ms};
pub use store::{NoteStore, NotesError, Opened};
pub mod exchange;
pub mod markers;
