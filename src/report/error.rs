//! What can go wrong making a report or exporting notes, with the cause kept as the error's
//! source (a support log shows the whole chain), and the file named where there is one.

use crate::media::MediaError;
use crate::notes::NotesError;
use crate::security::SecurityError;
use std::path::PathBuf;
use thiserror::Error;

/// A report or an export could not be made.
#[derive(Debug, Error)]
pub enum ReportError {
    #[error("no data folder for the notes (is HOME set?)")]
    NoDataFolder,
    #[error("the notes of {media} could not be read")]
    Notes {
        media: PathBuf,
        #[source]
        source: NotesError,
    },
    #[error("{media} could not be hashed for the report")]
    Hash {
        media: PathBuf,
        #[source]
        source: SecurityError,
    },
    #[error("writing {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("frame {frame} could not be decoded for its thumbnail")]
    Frame {
        frame: u64,
        #[source]
        source: MediaError,
    },
    #[error("the watermark could not be drawn on frame {frame}'s thumbnail")]
    Watermark {
        frame: u64,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("frame {frame}'s thumbnail could not be encoded as PNG")]
    Png {
        frame: u64,
        #[source]
        source: png::EncodingError,
    },
}

impl ReportError {
    /// The message and every cause under it, `: `-separated, for a window or a log line.
    pub fn with_causes(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            text.push_str(": ");
            text.push_str(&c.to_string());
            cause = c.source();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_causes_are_kept_and_shown() {
        let e = ReportError::Write {
            path: PathBuf::from("/tmp/out/notes.csv"),
            source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "read-only"),
        };
        assert_eq!(e.with_causes(), "writing /tmp/out/notes.csv: read-only");
        assert!(std::error::Error::source(&e).is_some());
    }
}
