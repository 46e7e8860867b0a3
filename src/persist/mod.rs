//! Saving a user's data so that nothing confirmed is ever lost: atomic file replacement and an
//! append-only journal. Depends on nothing else in the crate, so every layer can use it.
//!
//! - [`append_log`]: lines only ever added, each flushed (the access log)
//! - [`atomic_file`]: write-temp-flush-rename, and setting damaged files aside
//! - [`content_id`]: a file's key by content (renamed or moved files keep their notes), the
//!   loudness cache's key and folder
//! - [`csv_table`]: the one CSV writer and reader (notes, the access log): RFC 4180 with a BOM,
//!   spreadsheet formulas defused
//! - [`journal`]: records by id, each change flushed before it is confirmed

pub mod append_log;
pub mod atomic_file;
pub mod content_id;
pub mod csv_table;
pub mod journal;

pub use atomic_file::{set_aside, write_atomic};
pub use content_id::{content_id, content_key, file_sha256, loudness_cache_dir};
pub use journal::{Journal, JournalError, Recovered};
