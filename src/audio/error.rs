//! Errors of the audio subsystem.

use super::AudioChoice;
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
    #[error("one sound track, or two mono tracks as left and right, not {0}")]
    TrackCount(usize),
    #[error("there is no sound track {choice}: {} has no sound", path.display())]
    NoTrackInSilentFile { choice: AudioChoice, path: PathBuf },
    #[error("there is no sound track {track}; this file has {of}: {listing}")]
    NoSuchTrack {
        track: u16,
        of: usize,
        /// The file's tracks, numbered and labelled, so the user can pick again.
        listing: String,
    },
    #[error(
        "only mono tracks can play as left and right; track {a} is {a_layout} and track {b} is {b_layout}"
    )]
    PairNotMono {
        a: u16,
        a_layout: String,
        b: u16,
        b_layout: String,
    },
    #[error("only two mono tracks can be joined as left and right")]
    JoinNotMono,
    #[error("the two mono tracks run at different rates ({0} and {1} Hz)")]
    JoinRates(u32, u32),
    #[error("the file has no sound track")]
    NoTrackPicked,
    #[error("audio output failed: {0}")]
    Output(#[from] OutputError),
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

/// Why the sound device could not be used.
#[derive(Debug, Error)]
pub enum OutputError {
    #[error("no output device{}", .0.as_ref().map(|d| format!(" named {d:?}")).unwrap_or_default())]
    NoDevice(Option<String>),
    /// The device refused the stream (the backend's reason kept as the source).
    #[error("{device}: {source}")]
    Stream {
        device: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{0}: the device did not take the signal")]
    SignalNotTaken(String),
    #[error("{0}: the device went away")]
    Gone(String),
    /// The player opened no device; its message says why, in words.
    #[error("{0}")]
    NotOpen(String),
}
