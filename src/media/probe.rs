//! `earmark probe`: what a review file holds, as a serialisable summary.

use super::audio_packets::AudioStreamInfo;
use super::audio_tracks::AudioTrack;
use super::bwf::{AudioTimecode, TimeReferenceSource};
use super::container::Container;
use super::error::MediaError;
use super::source_timecode::TimecodeSource;
use crate::time::{FrameRate, Rational};
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
    /// The sound track Earmark's player picks first (FFmpeg's choice of "best" stream).
    pub audio: Option<AudioInfo>,
    /// Every sound track, in file order.
    pub audio_tracks: Vec<AudioTrack>,
}

/// The picture stream.
#[derive(Clone, Debug, Serialize)]
pub struct VideoInfo {
    pub codec: String,
    pub profile: Option<String>,
    /// The picture as shown: the stored size turned by `rotation` (what `still` writes).
    pub width: u32,
    pub height: u32,
    /// Clockwise quarter turn the track's display matrix asks for: 0, 90, 180 or 270.
    pub rotation: u16,
    /// The display matrix also mirrors the picture left–right (before the turn).
    pub mirrored: bool,
    /// The picture as coded in the stream, before turning.
    pub stored_width: u32,
    pub stored_height: u32,
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
    /// "mono", "stereo", "5.1", …
    pub layout: String,
    pub bit_rate: Option<u64>,
}

/// Summary of a file with sound and no picture (the `probe --json` schema when `video` is null):
/// WAV/BWF, RF64, AIFF, FLAC, M4A.
#[derive(Clone, Debug, Serialize)]
pub struct AudioOnlyInfo {
    pub path: String,
    pub file_size: u64,
    /// `wav`, `rf64`, `aiff`, `flac`, `mp4` or `other`.
    pub container: String,
    pub duration_seconds: f64,
    pub duration_samples: u64,
    /// Label of the frame holding the first sample (Broadcast WAV); null without a time
    /// reference.
    pub start_timecode: Option<String>,
    /// The rate `start_timecode` counts in (`num/den`).
    pub timecode_rate: Option<String>,
    /// Whether the file states that rate (iXML `TIMECODE_RATE`). When it does not, the label is
    /// counted at [`AUDIO_ONLY_FALLBACK_RATE`]: BWF counts samples, so any rate is as right.
    pub timecode_rate_stated: bool,
    pub drop_frame: bool,
    /// BWF `TimeReference`: samples since midnight, at `time_reference_sample_rate`.
    pub time_reference_samples: Option<u64>,
    pub time_reference_sample_rate: Option<u32>,
    /// `bext`, `ixml` or `none`.
    pub timecode_source: String,
    /// Always null: there is no picture.
    pub video: Option<VideoInfo>,
    pub audio: AudioInfo,
    /// Every sound track (one for WAV, AIFF and FLAC).
    pub audio_tracks: Vec<AudioTrack>,
}

/// The rate a sound-only file's start is labelled at when the file names none (EBU television).
pub const AUDIO_ONLY_FALLBACK_RATE: Rational = Rational { num: 25, den: 1 };

/// Summarises a sound-only file from its decoder's description and start position.
pub fn describe_audio_only(
    path: &Path,
    file_size: u64,
    container: &str,
    stream: &AudioStreamInfo,
    start: Option<&AudioTimecode>,
) -> AudioOnlyInfo {
    let fallback = FrameRate(AUDIO_ONLY_FALLBACK_RATE);
    let rate = start.map(|t| t.frame_rate.unwrap_or(fallback));
    let drop_frame = match (start, rate) {
        (Some(t), Some(r)) => t.drop_frame && r.supports_drop_frame(),
        _ => false,
    };
    AudioOnlyInfo {
        path: path.display().to_string(),
        file_size,
        container: container.to_owned(),
        duration_seconds: if stream.sample_rate > 0 {
            stream.duration_samples as f64 / f64::from(stream.sample_rate)
        } else {
            0.0
        },
        duration_samples: stream.duration_samples,
        start_timecode: start
            .zip(rate)
            .map(|(t, r)| t.label_at(r, drop_frame).to_string()),
        timecode_rate: rate.map(|r| r.to_string()),
        timecode_rate_stated: start.is_some_and(|t| t.frame_rate.is_some()),
        drop_frame,
        time_reference_samples: start.map(|t| t.samples_since_midnight),
        time_reference_sample_rate: start.map(|t| t.sample_rate),
        timecode_source: match start.map(|t| t.source) {
            Some(TimeReferenceSource::Bext) => "bext",
            Some(TimeReferenceSource::Ixml) => "ixml",
            None => "none",
        }
        .to_owned(),
        video: None,
        audio: AudioInfo {
            codec: stream.codec.clone(),
            profile: None,
            sample_rate: stream.sample_rate,
            channels: stream.channels,
            layout: stream.layout.name(),
            bit_rate: None,
        },
        audio_tracks: Vec::new(),
    }
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
        audio_tracks: super::audio_tracks::list(&c.input),
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
    let orientation = c
        .input
        .stream(c.video_stream)
        .map(|s| super::Orientation::of_stream(&s))
        .unwrap_or_default();
    let (shown_width, shown_height) = orientation.shown_size(width, height);
    VideoInfo {
        codec,
        profile,
        width: shown_width,
        height: shown_height,
        rotation: orientation.rotation,
        mirrored: orientation.mirrored,
        stored_width: width,
        stored_height: height,
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
    let (rate, channels, br, profile, mask) = match &dec {
        Some(a) => (
            a.rate(),
            a.channels(),
            non_zero(a.bit_rate() as u64),
            profile_name(a.profile()),
            a.channel_layout().bits(),
        ),
        None => (0, 0, None, None, 0),
    };
    Some(AudioInfo {
        codec: codec_name(id),
        profile,
        sample_rate: rate,
        channels,
        layout: super::channel_layout::ChannelLayout::from_mask(mask, channels).name(),
        bit_rate: br,
    })
}

fn codec_name(id: ffmpeg::codec::Id) -> String {
    ffmpeg::decoder::find(id)
        .map(|c| c.name().to_owned())
        .unwrap_or_else(|| format!("{id:?}").to_lowercase())
}

pub(super) fn profile_name(profile: ffmpeg::codec::Profile) -> Option<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn stream() -> AudioStreamInfo {
        AudioStreamInfo {
            codec: "pcm_s24le".into(),
            sample_rate: 48_000,
            channels: 2,
            extradata: Vec::new(),
            duration_samples: 144_000,
            layout: super::super::channel_layout::ChannelLayout::usual(2),
            profile: None,
        }
    }

    #[test]
    fn audio_only_without_a_stated_rate_counts_at_the_fallback() {
        let tc = AudioTimecode {
            samples_since_midnight: 172_800_000,
            sample_rate: 48_000,
            frame_rate: None,
            drop_frame: false,
            source: TimeReferenceSource::Bext,
        };
        let i = describe_audio_only(Path::new("a.wav"), 10, "wav", &stream(), Some(&tc));
        assert_eq!(i.start_timecode.as_deref(), Some("01:00:00:00"));
        assert_eq!(i.timecode_rate.as_deref(), Some("25/1"));
        assert!(!i.timecode_rate_stated);
        assert_eq!(i.timecode_source, "bext");
        assert!((i.duration_seconds - 3.0).abs() < 1e-12);
        assert!(i.video.is_none());
    }

    #[test]
    fn audio_only_with_a_stated_drop_frame_rate() {
        let tc = AudioTimecode {
            samples_since_midnight: 172_799_828,
            sample_rate: 48_000,
            frame_rate: FrameRate::new(30000, 1001),
            drop_frame: true,
            source: TimeReferenceSource::Ixml,
        };
        let i = describe_audio_only(Path::new("a.wav"), 10, "wav", &stream(), Some(&tc));
        assert_eq!(i.start_timecode.as_deref(), Some("01:00:00;00"));
        assert!(i.drop_frame && i.timecode_rate_stated);
        assert_eq!(i.timecode_source, "ixml");
        let none = describe_audio_only(Path::new("a.flac"), 10, "flac", &stream(), None);
        assert_eq!(none.start_timecode, None);
        assert_eq!(none.timecode_source, "none");
    }
}
