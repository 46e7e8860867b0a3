//! Timecoded review notes: what a reviewer says about the mix, pinned to a frame.
//!
//! - [`note_list`]: the notes of one review, kept in frame order, with previous/next lookups
//!   the transport uses (Up/Down).
//! - [`record`]: a note with who changed each field when, and tombstones: how copies merge
//! - [`db`]: the notes database (SQLite), every review's notes in one file, queried across
//!   reviews
//! - [`store`]: one review's notes in it, as the window and the command line use them
//! - [`listening_setup`]: the headphones, device and calibration a note was heard on.
//! - [`exchange`]: notes to and from the exporters' markers (the CLI's import/export).
//!
//! Notes are pinned to frame numbers (the file's own picture frames), never to seconds; their
//! timecode label is derived from the file's source timecode when shown or exported.

pub mod db;
mod listening_setup;
mod note_list;
pub mod record;
mod store;

pub use listening_setup::ListeningSetup;
pub use markers::{Category, Status};
pub use note_list::{Note, NoteId, NoteList, now_ms};
pub use record::NoteRecord;
pub use store::{Change, NoteStore, NotesError, Opened};
pub mod exchange;
pub mod markers;
