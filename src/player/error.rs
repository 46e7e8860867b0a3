//! Errors of the player: what stops a file from being opened for review.

use crate::audio::AudioError;
use crate::media::MediaError;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum PlayerError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error("nothing to play: the file has no video or audio stream (text or data tracks only?): {}", .0.display())]
    NothingToPlay(PathBuf),
    #[error("could not start a player thread: {0}")]
    Thread(std::io::Error),
    #[error("the {0} decoder failed to start")]
    DecoderStart(&'static str),
    #[error(transparent)]
    Timecode(#[from] crate::time::TimecodeError),
    #[error("timecode {asked} is outside the file ({first} to {last})")]
    OutsideFile {
        asked: String,
        first: String,
        last: String,
    },
    #[error(transparent)]
    Signal(#[from] super::signal_deck::SignalPlayError),
}
