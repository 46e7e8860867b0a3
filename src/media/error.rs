//! Errors from opening, probing and decoding media. Every variant names the file (last, as
//! `CODE_STYLE` asks) so a message shown alone still says which file is at fault.

use super::atoms::AtomError;
use std::path::PathBuf;
use thiserror::Error;

/// Why a media file could not be opened or read.
#[derive(Debug, Error)]
pub enum MediaError {
    #[error("file not found: {}", .0.display())]
    NotFound(PathBuf),
    #[error("cannot read file ({reason}): {}", path.display())]
    Unreadable { path: PathBuf, reason: String },
    #[error("file is empty (0 bytes): {}", .0.display())]
    Empty(PathBuf),
    #[error("not a media file FFmpeg can open ({reason}): {}", path.display())]
    NotMedia { path: PathBuf, reason: String },
    #[error("no video stream in file, so no picture to show (`earmark probe` describes its sound): {}", .0.display())]
    NoVideo(PathBuf),
    #[error("unsupported {kind} codec `{codec}`: {}", path.display())]
    UnsupportedCodec {
        path: PathBuf,
        kind: &'static str,
        codec: String,
    },
    #[error("file is truncated: its media data runs to byte {needed} but the file has {actual} bytes (re-download it): {}", path.display())]
    Truncated {
        path: PathBuf,
        needed: u64,
        actual: u64,
    },
    #[error("QuickTime structure is damaged ({source}): {}", path.display())]
    Atoms { path: PathBuf, source: AtomError },
    #[error("frame {frame} is out of range: the file has {count} frames (0–{last}): {}", path.display(), last = count.saturating_sub(1))]
    FrameOutOfRange {
        path: PathBuf,
        frame: i64,
        count: u64,
    },
    #[error("timecode {timecode} is outside the file ({first} to {last}): {}", path.display())]
    TimecodeOutOfRange {
        path: PathBuf,
        timecode: String,
        first: String,
        last: String,
    },
    #[error("could not decode frame {frame} ({reason}): {}", path.display())]
    Decode {
        path: PathBuf,
        frame: u64,
        reason: String,
    },
    #[error("FFmpeg error while {doing} ({reason}): {}", path.display())]
    Ffmpeg {
        path: PathBuf,
        doing: &'static str,
        reason: String,
    },
}
