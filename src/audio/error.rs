//! Errors of the audio subsystem.

use crate::media::MediaError;
use std::path::PathBuf;
use thiserror::Error;

/// Why audio could not be decoded.
#[derive(Debug, Error)]
pub enum AudioError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("no audio stream in file: {}", .0.display())]
    NoAudio(PathBuf),
    #[error("{0}")]
    Request(String),
    #[error("audio output failed: {0}")]
    Output(String),
    #[error("unsupported audio ({why}): {}", path.display())]
    Unsupported { path: PathBuf, why: String },
    #[error("audio file is truncated ({detail}; re-download it): {}", path.display())]
    Truncated { path: PathBuf, detail: String },
    #[error("{format} audio is damaged ({why}): {}", path.display())]
    Damaged {
        path: PathBuf,
        format: &'static str,
        why: String,
    },
}
