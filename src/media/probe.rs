//! `earmark probe`: what a review file holds, as a serialisable summary.

use super::container::Container;
use super::error::MediaError;
use super::source_timecode::TimecodeSource;
use ffmpeg_next as ffmpeg;
use serde::Serialize;
use std::path::Path;

/// Summary of a media file (the `probe --json` schema).
#[derive(Clone, Debug, Serialize)]
pub struct MediaInfo {
    pub path: String,
    pub file_size: u64,
    /// FFmpeg's demuxer name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub container: String,
    /// Duration of the picture: frame_count / frame_rate.
    pub duration_seconds: f64,
    /// Label of the first frame, `;` before the frames for drop-frame.
    pub start_timecode: String,
    /// Label of the last frame.
    pub end_timecode: String,
    pub drop_frame: bool,
    pub timecode_source: TimecodeSource,
    pub video: VideoInfo,
    pub audio: Option<AudioInfo>,
}

/// The picture stream.
#[derive(Clone, Debug, Serialize)]
pub struct VideoInfo {
    pub codec: String,
    pub profile: Option<String>,
    pub width: u32,
    pub height: u32,
    pub pixel_format: String,
    /// Exact rate as `num/den`, e.g. `24000/1001`.
    pub frame_rate: String,
    /// The rate as people say it: `23.976`.
    pub frame_rate_label: String,
    pub frame_count: u64,
    pub constant_frame_rate: bool,
    /// Stream timebase `num/den`.
    pub timebase: String,
    pub keyframe_count: usize,
    /// Longest keyframe interval in frames.
    pub max_gop: u64,
    pub bit_rate: Option<u64>,
}

/// The first audio stream.
#[derive(Clone, Debug, Serialize)]
pub struct AudioInfo {
    pub codec: String,
    pub profile: Option<String>,
    pub sample_rate: u32,
    pub channels: u16,
    pub bit_rate: Option<u64>,
}

/// Opens `path` and summarises it.
pub fn probe(path: &Path) -> Result<MediaInfo, MediaError> {
    let c = Container::open(path)?;
    Ok(describe(&c))
}

/// Summarises an opened container.
pub fn describe(c: &Container) -> MediaInfo {
    let ix = &c.index;
    let last = ix.count.saturating_sub(1) as i64;
    MediaInfo {
        path: c.path.display().to_string(),
        file_size: c.file_size,
        container: c.input.format().name().to_owned(),
        duration_seconds: ix.duration().to_f64(),
        start_timecode: c.timecode.start.to_string(),
        end_timecode: c.timecode.at_frame(last).to_string(),
        drop_frame: c.timecode.rate.drop_frame,
        timecode_source: c.timecode.source,
        video: video_info(c),
        audio: audio_info(c),
    }
}

fn video_info(c: &Container) -> VideoInfo {
    let ix = &c.index;
    let (codec, profile, width, height, pixel_format, bit_rate) =
        match c.input.stream(c.video_stream) {
            Some(s) => {
                let params = s.parameters();
                let ctx = ffmpeg::codec::Context::from_parameters(params).ok();
                let (w, h, fmt, br, profile) = match ctx.and_then(|cx| cx.decoder().video().ok()) {
                    Some(v) => (
                        v.width(),
                        v.height(),
                        pixel_name(v.format()),
                        non_zero(v.bit_rate() as u64),
                        profile_name(v.profile()),
                    ),
                    None => (0, 0, "unknown".to_owned(), None, None),
                };
                let id = s.parameters().id();
                (codec_name(id), profile, w, h, fmt, br)
            }
            None => ("unknown".to_owned(), None, 0, 0, "unknown".to_owned(), None),
        };
    VideoInfo {
        codec,
        profile,
        width,
        height,
        pixel_format,
        frame_rate: ix.rate.to_string(),
        frame_rate_label: ix.rate.label(),
        frame_count: ix.count,
        constant_frame_rate: ix.constant_rate,
        timebase: ix.timebase.to_string(),
        keyframe_count: ix.keyframes.len(),
        max_gop: ix.max_gop(),
        bit_rate,
    }
}

fn audio_info(c: &Container) -> Option<AudioInfo> {
    let s = c.input.stream(c.audio_stream?)?;
    let params = s.parameters();
    let id = params.id();
    let ctx = ffmpeg::codec::Context::from_parameters(params).ok()?;
    let dec = ctx.decoder().audio().ok();
    let (rate, channels, br, profile) = match &dec {
        Some(a) => (
            a.rate(),
            a.channels(),
            non_zero(a.bit_rate() as u64),
            profile_name(a.profile()),
        ),
        None => (0, 0, None, None),
    };
    Some(AudioInfo {
        codec: codec_name(id),
        profile,
        sample_rate: rate,
        channels,
        bit_rate: br,
    })
}

fn codec_name(id: ffmpeg::codec::Id) -> String {
    ffmpeg::decoder::find(id)
        .map(|c| c.name().to_owned())
        .unwrap_or_else(|| format!("{id:?}").to_lowercase())
}

fn profile_name(profile: ffmpeg::codec::Profile) -> Option<String> {
    match profile {
        ffmpeg::codec::Profile::Unknown => None,
        ffmpeg::codec::Profile::H264(p) => Some(format!("{p:?}")),
        ffmpeg::codec::Profile::AAC(p) => Some(format!("{p:?}")),
        other => Some(format!("{other:?}")),
    }
}

fn pixel_name(fmt: ffmpeg::format::Pixel) -> String {
    fmt.descriptor()
        .map(|d| d.name().to_owned())
        .unwrap_or_else(|| format!("{fmt:?}").to_lowercase())
}

fn non_zero(v: u64) -> Option<u64> {
    (v > 0).then_some(v)
}
