//! Positions on a file's timeline as their own types, so a frame number cannot be passed where
//! nanoseconds or samples are meant: [`Frame`] (0 = the file's first frame), [`ProgrammeNs`]
//! (integer nanoseconds from the first frame's start) and [`SamplePos`] (a sample index at a
//! stated rate). The conversions between them are exact integer arithmetic on the file's
//! [`FrameRate`], never floating-point seconds.

use super::FrameRate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A frame number on a file's timeline (stored and exchanged as the plain number).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Frame(pub u64);

/// Programme time: nanoseconds from the start of frame 0 (negative before it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProgrammeNs(pub i64);

/// A sample index at `rate` samples per second (0 = the sample under frame 0's start).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SamplePos {
    pub index: i64,
    pub rate: u32,
}

impl Frame {
    /// `n` frames later (earlier for negative `n`), stopping at frame 0.
    pub fn offset(self, n: i64) -> Frame {
        Frame(self.0.saturating_add_signed(n))
    }

    /// The frame at most `last` (a file's last frame).
    pub fn at_most(self, last: Frame) -> Frame {
        self.min(last)
    }

    /// When this frame starts, in programme time.
    pub fn start(self, rate: FrameRate) -> ProgrammeNs {
        ProgrammeNs(rate.frame_start_ns(i64::try_from(self.0).unwrap_or(i64::MAX)))
    }

    /// The first sample of this frame at `sample_rate`.
    pub fn first_sample(self, rate: FrameRate, sample_rate: u32) -> SamplePos {
        SamplePos {
            index: rate.frame_start_sample(i64::try_from(self.0).unwrap_or(i64::MAX), sample_rate),
            rate: sample_rate,
        }
    }
}

impl ProgrammeNs {
    /// The frame shown at this time (frame 0 before the start).
    pub fn frame(self, rate: FrameRate) -> Frame {
        Frame(u64::try_from(rate.frame_at_ns(self.0)).unwrap_or(0))
    }
}

impl SamplePos {
    /// Programme time of this sample (rounded down to the nanosecond).
    pub fn programme(self) -> ProgrammeNs {
        let ns = i128::from(self.index) * 1_000_000_000 / i128::from(self.rate.max(1));
        ProgrammeNs(i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX }))
    }
}

impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "frame {}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Rational;

    const NTSC_FILM: FrameRate = FrameRate(Rational {
        num: 24_000,
        den: 1001,
    });

    #[test]
    fn frames_times_and_samples_agree_exactly() {
        let f = Frame(24_000);
        // 24 000 frames of 23.976 are exactly 1 001 s.
        assert_eq!(f.start(NTSC_FILM), ProgrammeNs(1_001_000_000_000));
        assert_eq!(f.start(NTSC_FILM).frame(NTSC_FILM), f);
        assert_eq!(
            ProgrammeNs(f.start(NTSC_FILM).0 - 1).frame(NTSC_FILM),
            Frame(23_999)
        );
        let s = f.first_sample(NTSC_FILM, 48_000);
        assert_eq!(
            s,
            SamplePos {
                index: 48_048_000,
                rate: 48_000
            }
        );
        assert_eq!(s.programme(), f.start(NTSC_FILM));
    }

    #[test]
    fn offsets_and_limits_stay_on_the_timeline() {
        assert_eq!(Frame(5).offset(-9), Frame(0));
        assert_eq!(Frame(5).offset(3), Frame(8));
        assert_eq!(Frame(500).at_most(Frame(299)), Frame(299));
        assert_eq!(ProgrammeNs(-5).frame(NTSC_FILM), Frame(0));
        assert_eq!(Frame(42).to_string(), "frame 42");
    }
}
