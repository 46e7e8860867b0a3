//! Looking after review content on home machines (issue 9): who opened, exported and deleted
//! which media, and deleting a review's media — with everything Earmark derived from it — once
//! the review is complete.
//!
//! - [`access_log`]: the recorder the window and the commands call; non-blocking, the file's
//!   SHA-256 worked out on its own thread ("access-log")
//! - [`entry`]: one access event as stored (time, user, file, size, SHA-256)
//! - [`log_file`]: the append-only log on disk, read back with damaged lines reported
//! - [`hash_cache`]: the whole-file SHA-256 worked out once per content (path + size + mtime)
//! - [`review_state`]: which reviews are complete, so the window can remind
//! - [`derived`]: every file Earmark keeps about a media file, and which of them go with it
//! - [`purge`]: "review complete": plan what goes and what stays, delete, verify
//! - [`dirs`]: where all of that lives
//!
//! Nothing here opens a network connection; `tests/device/no_network.rs` checks the whole binary.

pub mod access_log;
pub mod derived;
pub mod dirs;
pub mod entry;
pub mod hash_cache;
pub mod log_file;
pub mod purge;
pub mod review_state;

pub use access_log::AccessLog;
pub use derived::{Item, ItemKind};
pub use dirs::Dirs;
pub use entry::{AccessEntry, AccessEvent};
pub use hash_cache::{HashCache, sha256_of};
pub use log_file::{LogRead, read_log};
pub use purge::{Outcome, Plan, ReviewComplete};
pub use review_state::{ReviewRecord, ReviewStates, completed_review, is_complete, review_key};

use std::path::PathBuf;
use thiserror::Error;

/// What can go wrong keeping the log, the review records, or deleting a review's media.
#[derive(Debug, Error)]
pub enum SecurityError {
    #[error("no data folder for this user (is HOME set?)")]
    NoDataDir,
    #[error("could not record in the access log ({source}): {}", path.display())]
    LogWrite {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not read the access log ({source}): {}", path.display())]
    LogRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not read the media ({source}): {}", path.display())]
    Media {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not save the review record ({reason}): {}", path.display())]
    ReviewState { path: PathBuf, reason: String },
    #[error("could not delete the media ({source}); nothing was deleted: {}", path.display())]
    Delete {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not start the access log thread: {0}")]
    Thread(std::io::Error),
}
