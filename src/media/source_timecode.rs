//! The file's own source timecode: where it comes from and how frame numbers map to it.
//!
//! Order of trust: the QuickTime `tmcd` track read by our atom reader (exact flags and start
//! frame), then FFmpeg's `timecode` metadata tag, then 00:00:00:00. Frame numbers are offsets from
//! the first picture; timecode = start + offset, wrapping at 24 hours like a real timecode does.

use super::movie::TmcdTrack;
use crate::time::{FrameRate, Timecode, TimecodeRate};
use serde::Serialize;

/// Where the start timecode was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimecodeSource {
    /// The QuickTime timecode track's first sample.
    Tmcd,
    /// FFmpeg's `timecode` stream/container tag.
    FfmpegTag,
    /// A Broadcast WAV time reference (samples since midnight).
    Bwf,
    /// No timecode in the file; counting starts at 00:00:00:00.
    None,
}

/// The file's start timecode and counting rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SourceTimecode {
    /// Label of frame 0.
    pub start: Timecode,
    /// Frames from 00:00:00:00 to frame 0 in this counting.
    pub start_frames: i64,
    /// Nominal fps and drop-frame flag.
    pub rate: TimecodeRate,
    /// Where the start came from.
    pub source: TimecodeSource,
}

impl SourceTimecode {
    /// Chooses the start timecode from a `tmcd` track, else an FFmpeg tag, else zero.
    pub fn resolve(tmcd: Option<TmcdTrack>, tag: Option<&str>, video_rate: FrameRate) -> Self {
        tmcd.and_then(|t| Self::from_tmcd(t, video_rate))
            .or_else(|| tag.and_then(|t| Self::from_tag(t, video_rate)))
            .unwrap_or_else(|| Self::zero(video_rate))
    }

    /// Counting from `start_frames` (frames since midnight) at `rate`, e.g. a BWF time reference.
    pub fn counted_from(start_frames: i64, rate: TimecodeRate, source: TimecodeSource) -> Self {
        let start_frames = start_frames.rem_euclid(rate.frames_per_day());
        Self {
            start: Timecode::from_frames(start_frames, rate),
            start_frames,
            rate,
            source,
        }
    }

    /// 00:00:00:00 at the video's nominal rate, non-drop.
    pub fn zero(video_rate: FrameRate) -> Self {
        let rate = video_rate.timecode_rate(false);
        Self {
            start: Timecode::from_frames(0, rate),
            start_frames: 0,
            rate,
            source: TimecodeSource::None,
        }
    }

    fn from_tmcd(t: TmcdTrack, video_rate: FrameRate) -> Option<Self> {
        let tmcd_rate = TimecodeRate {
            fps: u32::from(t.fps),
            drop_frame: t.drop_frame() && (t.fps == 30 || t.fps == 60),
        };
        if tmcd_rate.fps == 0 {
            return None;
        }
        let label = Timecode::from_frames(t.start_frame, tmcd_rate);
        let rate = video_rate.timecode_rate(tmcd_rate.drop_frame);
        // A tmcd counting at another rate than the picture (rare) keeps its label when that label
        // exists at the picture rate.
        let label = Timecode {
            drop_frame: rate.drop_frame,
            ..label
        };
        label.validate(rate).ok()?;
        Some(Self {
            start: label,
            start_frames: label.to_frames(rate),
            rate,
            source: TimecodeSource::Tmcd,
        })
    }

    fn from_tag(tag: &str, video_rate: FrameRate) -> Option<Self> {
        let drop = tag.contains(';') || tag.contains('.');
        let rate = video_rate.timecode_rate(drop);
        let start = Timecode::parse(tag, rate).ok()?;
        Some(Self {
            start,
            start_frames: start.to_frames(rate),
            rate,
            source: TimecodeSource::FfmpegTag,
        })
    }

    /// The label of frame `n` (0 = first frame of the file).
    pub fn at_frame(&self, n: i64) -> Timecode {
        Timecode::from_frames(self.start_frames + n, self.rate)
    }

    /// The frame number that carries label `tc` (may be past the end; callers range-check).
    pub fn frame_of(&self, tc: Timecode) -> i64 {
        (tc.to_frames(self.rate) - self.start_frames).rem_euclid(self.rate.frames_per_day())
    }

    /// Parses a timecode typed by a user in this file's counting.
    pub fn parse(&self, text: &str) -> Result<Timecode, crate::time::TimecodeError> {
        Timecode::parse(text, self.rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::movie::TMCD_DROP_FRAME;

    fn fr(n: i64, d: i64) -> FrameRate {
        FrameRate::new(n, d).expect("rate")
    }

    fn tmcd(flags: u32, fps: u8, start_frame: i64) -> TmcdTrack {
        TmcdTrack {
            flags,
            timescale: 30000,
            frame_duration: 1001,
            fps,
            start_frame,
        }
    }

    #[test]
    fn tmcd_wins_over_tag() {
        let s = SourceTimecode::resolve(
            Some(tmcd(TMCD_DROP_FRAME, 30, 107_892)),
            Some("02:00:00;00"),
            fr(30000, 1001),
        );
        assert_eq!(s.source, TimecodeSource::Tmcd);
        assert_eq!(s.start.to_string(), "01:00:00;00");
        assert!(s.rate.drop_frame);
        assert_eq!(s.at_frame(1800).to_string(), "01:01:00;02");
    }

    #[test]
    fn tag_then_zero() {
        let s = SourceTimecode::resolve(None, Some("01:00:00:00"), fr(24000, 1001));
        assert_eq!(
            (s.source, s.start_frames),
            (TimecodeSource::FfmpegTag, 86_400)
        );
        let z = SourceTimecode::resolve(None, Some("garbage"), fr(25, 1));
        assert_eq!(
            (z.source, z.start.to_string()),
            (TimecodeSource::None, "00:00:00:00".to_owned())
        );
    }

    #[test]
    fn frame_of_inverts_at_frame_across_midnight() {
        let s = SourceTimecode::resolve(None, Some("23:59:59:00"), fr(25, 1));
        assert_eq!(s.at_frame(25).to_string(), "00:00:00:00");
        for n in [0, 24, 25, 26, 1000] {
            assert_eq!(s.frame_of(s.at_frame(n)), n);
        }
    }

    #[test]
    fn drop_flag_ignored_where_no_drop_frame_exists() {
        let s = SourceTimecode::resolve(
            Some(tmcd(TMCD_DROP_FRAME, 24, 86_400)),
            None,
            fr(24000, 1001),
        );
        assert!(!s.rate.drop_frame);
        assert_eq!(s.start.to_string(), "01:00:00:00");
    }
}
