//! Frame rates (exact rationals) and the timecode rate derived from them (nominal fps + drop flag).

use super::rational::Rational;
use std::fmt;

/// An exact picture rate in frames per second, e.g. `24000/1001`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameRate(pub Rational);

impl FrameRate {
    /// Builds a rate from `num/den` frames per second; `None` unless positive.
    pub fn new(num: i64, den: i64) -> Option<Self> {
        Rational::new(num, den)
            .filter(|r| r.is_positive())
            .map(Self)
    }

    /// The rates a review QuickTime comes in, with the name people say out loud.
    pub const KNOWN: [(i64, i64, &'static str); 8] = [
        (24000, 1001, "23.976"),
        (24, 1, "24"),
        (25, 1, "25"),
        (30000, 1001, "29.97"),
        (30, 1, "30"),
        (50, 1, "50"),
        (60000, 1001, "59.94"),
        (60, 1, "60"),
    ];

    /// The integer frames-per-second that timecode counts in (24 for 23.976, 30 for 29.97 …).
    pub fn nominal_fps(self) -> u32 {
        let r = self.0;
        ((r.num + r.den / 2) / r.den).clamp(1, 1000) as u32
    }

    /// Whether drop-frame timecode exists at this rate (only 30000/1001 and 60000/1001).
    pub fn supports_drop_frame(self) -> bool {
        self.0.den == 1001 && (self.0.num == 30000 || self.0.num == 60000)
    }

    /// The timecode rate for this picture rate; drop-frame is honoured only where it exists.
    pub fn timecode_rate(self, drop_frame: bool) -> TimecodeRate {
        TimecodeRate {
            fps: self.nominal_fps(),
            drop_frame: drop_frame && self.supports_drop_frame(),
        }
    }

    /// Duration of one frame in seconds as a rational (`den/num`).
    pub fn frame_duration(self) -> Rational {
        Rational {
            num: self.0.den,
            den: self.0.num,
        }
    }

    /// When frame `n` starts on the programme timeline, in nanoseconds (rounded down).
    pub fn frame_start_ns(self, n: i64) -> i64 {
        let r = self.0;
        (n as i128 * r.den as i128 * 1_000_000_000).div_euclid(r.num as i128) as i64
    }

    /// The frame whose display interval holds programme time `ns` (floor; may be negative).
    pub fn frame_at_ns(self, ns: i64) -> i64 {
        let r = self.0;
        // Frame n holds [start(n), start(n+1)); start is rounded down, so undo with a ceiling
        // on the boundary: n = floor((ns + 1) × num / (den × 1e9) − tiny) done exactly.
        let mut n = (ns as i128 * r.num as i128).div_euclid(r.den as i128 * 1_000_000_000) as i64;
        while self.frame_start_ns(n + 1) <= ns {
            n += 1;
        }
        while self.frame_start_ns(n) > ns {
            n -= 1;
        }
        n
    }

    /// The first audio sample (at `sample_rate`) of frame `n`: floor(n × rate / fps).
    pub fn frame_start_sample(self, n: i64, sample_rate: u32) -> i64 {
        let r = self.0;
        (n as i128 * sample_rate as i128 * r.den as i128).div_euclid(r.num as i128) as i64
    }

    /// A short human label: "23.976", "29.97", "25" …; other rates print with 3 decimals.
    pub fn label(self) -> String {
        Self::KNOWN
            .iter()
            .find(|(n, d, _)| Rational::new(*n, *d) == Some(self.0))
            .map(|(_, _, name)| (*name).to_owned())
            .unwrap_or_else(|| format!("{:.3}", self.0.to_f64()))
    }
}

impl fmt::Display for FrameRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How a timecode counts: its nominal frames per second and whether it drops frame labels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimecodeRate {
    /// Frame labels per timecode second (24, 25, 30, 50, 60 …).
    pub fps: u32,
    /// Drop-frame counting (29.97 and 59.94 only): labels 00–01 (or 00–03) skipped each minute
    /// except every tenth.
    pub drop_frame: bool,
}

impl TimecodeRate {
    /// Labels skipped at the start of each non-tenth minute: 2 at 30, 4 at 60, 0 for non-drop.
    pub fn dropped_per_minute(self) -> u32 {
        if self.drop_frame { self.fps / 15 } else { 0 }
    }

    /// How many frames 24 hours of timecode holds at this rate.
    pub fn frames_per_day(self) -> i64 {
        let full = self.fps as i64 * 86_400;
        full - self.dropped_per_minute() as i64 * (24 * 60 - 24 * 6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_times_round_trip_at_every_rate() {
        for (num, den, _) in FrameRate::KNOWN {
            let r = FrameRate::new(num, den).expect("rate");
            for n in [0i64, 1, 2, 999, 86_400 * 60, -3] {
                let start = r.frame_start_ns(n);
                assert_eq!(r.frame_at_ns(start), n, "{num}/{den} frame {n}");
                assert_eq!(r.frame_at_ns(start - 1), n - 1);
                assert_eq!(r.frame_at_ns(r.frame_start_ns(n + 1) - 1), n);
            }
        }
        let r = FrameRate::new(24000, 1001).expect("rate");
        assert_eq!(r.frame_start_ns(1), 41_708_333);
        assert_eq!(r.frame_start_sample(168, 48_000), 336_336);
        let r = FrameRate::new(30000, 1001).expect("rate");
        assert_eq!(r.frame_start_sample(5, 48_000), 8008);
    }

    #[test]
    fn nominal_and_drop_support() {
        let r = |n, d| FrameRate::new(n, d).expect("rate");
        assert_eq!(r(24000, 1001).nominal_fps(), 24);
        assert_eq!(r(30000, 1001).nominal_fps(), 30);
        assert_eq!(r(60000, 1001).nominal_fps(), 60);
        assert!(!r(24000, 1001).supports_drop_frame());
        assert!(r(30000, 1001).supports_drop_frame());
        assert!(!r(30, 1).timecode_rate(true).drop_frame);
        assert_eq!(r(60000, 1001).timecode_rate(true).dropped_per_minute(), 4);
    }

    #[test]
    fn frames_per_day() {
        let df30 = TimecodeRate {
            fps: 30,
            drop_frame: true,
        };
        assert_eq!(df30.frames_per_day(), 17_982 * 6 * 24);
        let ndf24 = TimecodeRate {
            fps: 24,
            drop_frame: false,
        };
        assert_eq!(ndf24.frames_per_day(), 2_073_600);
    }

    #[test]
    fn labels() {
        assert_eq!(FrameRate::new(24000, 1001).expect("rate").label(), "23.976");
        assert_eq!(FrameRate::new(48, 2).expect("rate").label(), "24");
        assert_eq!(FrameRate::new(15, 1).expect("rate").label(), "15.000");
    }
}
