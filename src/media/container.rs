//! Opening a review file: checks that name the problem, the video stream, its frame index and
//! its source timecode. The one place that turns a path into an FFmpeg demuxer.

use super::atoms::{AtomError, AtomReader};
use super::error::MediaError;
use super::ffi::{self, StreamProbe};
use super::frame_index::FrameIndex;
use super::movie::Movie;
use super::source_timecode::SourceTimecode;
use crate::time::{FrameRate, Rational};
use ffmpeg_next as ffmpeg;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// Top-level atom types that mark a QuickTime / ISO-BMFF file.
const QUICKTIME_TOP: [&[u8; 4]; 8] = [
    b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot", b"uuid",
];

/// An opened media file with a video stream, ready for decoding.
pub struct Container {
    /// The file as given by the user.
    pub path: PathBuf,
    /// Size in bytes.
    pub file_size: u64,
    /// FFmpeg's demuxer.
    pub input: ffmpeg::format::context::Input,
    /// Index of the video stream in `input`.
    pub video_stream: usize,
    /// Index of the first audio stream, if any.
    pub audio_stream: Option<usize>,
    /// Frame numbering of the video stream.
    pub index: FrameIndex,
    /// The file's source timecode.
    pub timecode: SourceTimecode,
    /// The QuickTime track layout (None for files that are not QuickTime/MP4).
    pub movie: Option<Movie>,
    /// The media data stops before the index says (opened for playback only; `index.count`
    /// then holds the pictures whose data is all there).
    pub cut_short: Option<CutShort>,
}

/// A file whose media data ends early — a download or copy cut short with its index (`moov`)
/// intact at the front: what is there plays, and the player says where it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CutShort {
    /// One past the last byte the index refers to.
    pub needed: u64,
    /// The file's size.
    pub actual: u64,
    /// Pictures the index lists (more than are there).
    pub frames_listed: u64,
}

/// What to do with a file whose media data ends early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cut {
    /// Refuse it, naming the bytes missing (probe, checks: a report must not pass it).
    Refuse,
    /// Open what is there (playback).
    PlayToCut,
}

/// Initialises FFmpeg once per process and keeps its console chatter to real errors.
pub fn init_ffmpeg() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        // Registration is a no-op on FFmpeg ≥ 4 and cannot fail there; nothing to report.
        ffmpeg::init().ok();
        ffmpeg::util::log::set_level(ffmpeg::util::log::Level::Fatal);
    });
}

impl Container {
    /// The frame that carries source timecode `tc`, or an error naming the file's range.
    pub fn frame_of_timecode(&self, tc: crate::time::Timecode) -> Result<u64, MediaError> {
        let n = self.timecode.frame_of(tc);
        let count = self.index.count;
        if n < 0 || n as u64 >= count {
            return Err(MediaError::TimecodeOutOfRange {
                path: self.path.clone(),
                timecode: tc.to_string(),
                first: self.timecode.at_frame(0).to_string(),
                last: self.timecode.at_frame(count as i64 - 1).to_string(),
            });
        }
        Ok(n as u64)
    }

    /// Opens `path` with every stream fully probed (profile, pixel format, bit rate known),
    /// failing with a message that names the file and the problem.
    pub fn open(path: &Path) -> Result<Self, MediaError> {
        Self::open_probing(path, StreamProbe::Always, Cut::Refuse)
    }

    /// Opens `path` for playback: FFmpeg's stream probe, which decodes pictures, is skipped
    /// when the file's header says all playback needs. A file cut short with its index at the
    /// front opens up to the cut ([`Container::cut_short`]).
    pub fn open_for_playback(path: &Path) -> Result<Self, MediaError> {
        Self::open_probing(path, StreamProbe::WhenHeaderIncomplete, Cut::PlayToCut)
    }

    fn open_probing(path: &Path, probe: StreamProbe, cut: Cut) -> Result<Self, MediaError> {
        init_ffmpeg();
        let path_buf = path.to_path_buf();
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => MediaError::NotFound(path_buf.clone()),
            _ => MediaError::Unreadable {
                path: path_buf.clone(),
                reason: e.to_string(),
            },
        })?;
        if meta.is_dir() {
            return Err(MediaError::Unreadable {
                path: path_buf,
                reason: "it is a folder".into(),
            });
        }
        let file_size = meta.len();
        if file_size == 0 {
            return Err(MediaError::Empty(path_buf));
        }
        let movie = read_movie(path, file_size, cut)?;

        let input = super::ffi::open_input(path, probe).map_err(|e| MediaError::NotMedia {
            path: path_buf.clone(),
            reason: e.to_string(),
        })?;
        let video = input
            .streams()
            .best(ffmpeg::media::Type::Video)
            .ok_or_else(|| MediaError::NoVideo(path_buf.clone()))?;
        let video_stream = video.index();
        let codec_id = video.parameters().id();
        if ffmpeg::decoder::find(codec_id).is_none() || codec_id == ffmpeg::codec::Id::None {
            return Err(MediaError::UnsupportedCodec {
                path: path_buf,
                kind: "video",
                codec: format!("{codec_id:?}").to_lowercase(),
            });
        }
        let timebase = rational(video.time_base()).unwrap_or(Rational {
            num: 1,
            den: 90_000,
        });
        let declared_rate = rational(video.rate())
            .or_else(|| rational(video.avg_frame_rate()))
            .and_then(|r| FrameRate::new(r.num, r.den))
            .unwrap_or(FrameRate(Rational { num: 25, den: 1 }));
        let declared_count = video.frames().max(0) as u64;
        let start_time = video.start_time();
        let tag = video
            .metadata()
            .get("timecode")
            .map(str::to_owned)
            .or_else(|| input.metadata().get("timecode").map(str::to_owned))
            .or_else(|| {
                input
                    .streams()
                    .find_map(|s| s.metadata().get("timecode").map(str::to_owned))
            });
        let audio_stream = input
            .streams()
            .best(ffmpeg::media::Type::Audio)
            .map(|s| s.index());

        let entries = ffi::index_entries(&input, video_stream);
        let mut index = FrameIndex::from_entries(&entries, timebase, declared_rate, declared_count);
        if start_time != ffmpeg::ffi::AV_NOPTS_VALUE {
            index.first_pts = start_time;
        }
        let mut cut_short = None;
        if index.media_end > file_size {
            // Pictures in decode order up to the first whose data is not all there.
            let present = entries
                .iter()
                .filter(|e| !e.discard)
                .take_while(|e| e.pos >= 0 && e.size >= 0 && (e.pos + e.size) as u64 <= file_size)
                .count() as u64;
            if cut == Cut::Refuse || present == 0 {
                return Err(MediaError::Truncated {
                    path: path_buf,
                    needed: index.media_end,
                    actual: file_size,
                });
            }
            cut_short = Some(CutShort {
                needed: index.media_end,
                actual: file_size,
                frames_listed: index.count,
            });
            index.cut_to(present);
        }
        if index.count == 0 {
            return Err(MediaError::NoVideo(path_buf));
        }
        let tmcd = movie.as_ref().and_then(Movie::picture_timecode);
        let timecode = SourceTimecode::resolve(tmcd, tag.as_deref(), index.rate);
        Ok(Self {
            path: path_buf,
            file_size,
            input,
            video_stream,
            audio_stream,
            index,
            timecode,
            movie,
            cut_short,
        })
    }
}

/// Reads the QuickTime atom tree when the file is one; a damaged tree is reported here, with the
/// file named, before FFmpeg gives a vaguer answer.
fn read_movie(path: &Path, file_size: u64, cut: Cut) -> Result<Option<Movie>, MediaError> {
    let unreadable = |e: std::io::Error| MediaError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let file = File::open(path).map_err(unreadable)?;
    let mut reader =
        AtomReader::new(std::io::BufReader::new(file)).map_err(|e| MediaError::Atoms {
            path: path.to_path_buf(),
            source: e,
        })?;
    let first = reader.read_at(4, 4).ok();
    if !first.is_some_and(|k| QUICKTIME_TOP.iter().any(|t| t[..] == k[..])) {
        return Ok(None);
    }
    let mut result = Movie::read(&mut reader);
    if cut == Cut::PlayToCut
        && let Err(AtomError::Truncated { kind, offset, .. }) = &result
        && kind == "mdat"
    {
        // The media data was cut: the header before it may be whole (the index is checked
        // against the file's size afterwards). No header before it: the cut stays the error.
        let file = File::open(path).map_err(unreadable)?;
        let mut before =
            AtomReader::header_before(std::io::BufReader::new(file), file_size, *offset);
        if let Ok(Some(movie)) = Movie::read(&mut before) {
            result = Ok(Some(movie));
        }
    }
    match result {
        Ok(movie) => Ok(movie),
        Err(AtomError::Truncated { offset, size, .. }) => Err(MediaError::Truncated {
            path: path.to_path_buf(),
            needed: offset.saturating_add(size),
            actual: file_size,
        }),
        Err(e) => Err(MediaError::Atoms {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

/// An FFmpeg rational as ours, if it is a valid positive value.
pub(crate) fn rational(r: ffmpeg::Rational) -> Option<Rational> {
    Rational::new(r.numerator() as i64, r.denominator() as i64).filter(|r| r.is_positive())
}
