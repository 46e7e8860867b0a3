//! SMPTE timecode: frame count ⇄ `HH:MM:SS:FF`, drop-frame included (`;` before the frames).
//!
//! The maths follows FFmpeg's `av_timecode_adjust_ntsc_framenum2` and OpenTimelineIO: a timecode
//! is a label for a frame count since 00:00:00:00 at the nominal rate. Drop-frame skips labels,
//! never frames, so conversion is exact integer arithmetic with no seconds involved.

use super::frame_rate::TimecodeRate;
use std::fmt;
use thiserror::Error;

/// A timecode label. Always valid for the rate it was built for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Timecode {
    pub hours: u32,
    pub minutes: u32,
    pub seconds: u32,
    pub frames: u32,
    /// Printed with `;` before the frames when true.
    pub drop_frame: bool,
}

/// Why a timecode string or label was rejected.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TimecodeError {
    #[error("timecode must look like HH:MM:SS:FF (or HH:MM:SS;FF for drop-frame), got {0:?}")]
    Syntax(String),
    #[error(
        "timecode {text} is out of range at {fps} fps (hours < 24, minutes and seconds < 60, frames < {fps})"
    )]
    OutOfRange { text: String, fps: u32 },
    #[error(
        "timecode {0} does not exist in drop-frame counting (frames 00–{1:02} are skipped at this minute)"
    )]
    DroppedLabel(String, u32),
    #[error("drop-frame timecode {0} given, but the rate ({1} fps) has no drop-frame counting")]
    DropFrameNotAllowed(String, u32),
}

impl Timecode {
    /// The label of frame `count` (frames since 00:00:00:00), wrapping at 24 hours.
    pub fn from_frames(count: i64, rate: TimecodeRate) -> Self {
        let fps = rate.fps.max(1) as i64;
        let mut n = count.rem_euclid(rate.frames_per_day());
        let d = rate.dropped_per_minute() as i64;
        if d > 0 {
            let per_ten = fps * 600 - 9 * d;
            let per_minute = fps * 60 - d;
            let tens = n / per_ten;
            let rest = n % per_ten;
            // Truncating division on purpose: for rest < d the correction must be 0, not -1.
            n += 9 * d * tens + d * ((rest - d) / per_minute);
        }
        Self {
            hours: (n / (fps * 3600)) as u32,
            minutes: (n / (fps * 60) % 60) as u32,
            seconds: (n / fps % 60) as u32,
            frames: (n % fps) as u32,
            drop_frame: d > 0,
        }
    }

    /// The frame count (since 00:00:00:00) this label stands for.
    pub fn to_frames(self, rate: TimecodeRate) -> i64 {
        let fps = rate.fps as i64;
        let total_minutes = 60 * self.hours as i64 + self.minutes as i64;
        let n = (total_minutes * 60 + self.seconds as i64) * fps + self.frames as i64;
        let d = rate.dropped_per_minute() as i64;
        n - d * (total_minutes - total_minutes / 10)
    }

    /// Parses `HH:MM:SS:FF`, `HH:MM:SS;FF` or `HH:MM:SS.FF` and checks it against `rate`.
    ///
    /// A `;`/`.` separator asks for drop-frame; at a drop-frame rate `:` is accepted too (people
    /// type colons) and the label is read in the rate's counting.
    pub fn parse(text: &str, rate: TimecodeRate) -> Result<Self, TimecodeError> {
        let trimmed = text.trim();
        let syntax = || TimecodeError::Syntax(trimmed.to_owned());
        let bytes = trimmed.as_bytes();
        if bytes.len() != 11 {
            return Err(syntax());
        }
        let sep = bytes[8];
        let wants_drop = sep == b';' || sep == b'.' || sep == b',';
        if bytes[2] != b':' || bytes[5] != b':' || !(sep == b':' || wants_drop) {
            return Err(syntax());
        }
        let field = |i: usize| -> Result<u32, TimecodeError> {
            let s = &trimmed[i..i + 2];
            if s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().map_err(|_| syntax())
            } else {
                Err(syntax())
            }
        };
        let tc = Self {
            hours: field(0)?,
            minutes: field(3)?,
            seconds: field(6)?,
            frames: field(9)?,
            drop_frame: rate.drop_frame,
        };
        if wants_drop && !rate.drop_frame {
            return Err(TimecodeError::DropFrameNotAllowed(
                trimmed.to_owned(),
                rate.fps,
            ));
        }
        tc.validate(rate)?;
        Ok(tc)
    }

    /// Checks field ranges and, for drop-frame, that the label is not one of the skipped ones.
    pub fn validate(self, rate: TimecodeRate) -> Result<(), TimecodeError> {
        if self.hours >= 24 || self.minutes >= 60 || self.seconds >= 60 || self.frames >= rate.fps {
            return Err(TimecodeError::OutOfRange {
                text: self.to_string(),
                fps: rate.fps,
            });
        }
        let d = rate.dropped_per_minute();
        if d > 0 && self.seconds == 0 && !self.minutes.is_multiple_of(10) && self.frames < d {
            return Err(TimecodeError::DroppedLabel(self.to_string(), d - 1));
        }
        Ok(())
    }
}

impl fmt::Display for Timecode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if self.drop_frame { ';' } else { ':' };
        write!(
            f,
            "{:02}:{:02}:{:02}{sep}{:02}",
            self.hours, self.minutes, self.seconds, self.frames
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const fn rate(fps: u32, drop_frame: bool) -> TimecodeRate {
        TimecodeRate { fps, drop_frame }
    }

    /// Every timecode rate Earmark supports: 23.976/24 (24), 25, 29.97 DF/NDF and 30 (30), 50,
    /// 59.94 DF/NDF and 60 (60).
    const RATES: [TimecodeRate; 7] = [
        rate(24, false),
        rate(25, false),
        rate(30, false),
        rate(30, true),
        rate(50, false),
        rate(60, false),
        rate(60, true),
    ];

    fn tc(text: &str, r: TimecodeRate) -> Timecode {
        Timecode::parse(text, r).expect("valid timecode")
    }

    #[test]
    fn known_drop_frame_values() {
        let df30 = rate(30, true);
        let df60 = rate(60, true);
        let cases = [
            (df30, 1799, "00:00:59;29"),
            (df30, 1800, "00:01:00;02"),
            (df30, 17_982, "00:10:00;00"),
            (df30, 107_892, "01:00:00;00"),
            (df60, 3600, "00:01:00;04"),
            (df60, 215_784, "01:00:00;00"),
            (rate(24, false), 86_400, "01:00:00:00"),
            (rate(25, false), 90_000, "01:00:00:00"),
            (rate(30, false), 108_000, "01:00:00:00"),
        ];
        for (r, frames, text) in cases {
            assert_eq!(
                Timecode::from_frames(frames, r).to_string(),
                text,
                "{frames} at {r:?}"
            );
            assert_eq!(tc(text, r).to_frames(r), frames, "{text} at {r:?}");
        }
    }

    #[test]
    fn rejects_bad_strings_and_dropped_labels() {
        let df30 = rate(30, true);
        assert!(matches!(
            Timecode::parse("00:01:00;00", df30),
            Err(TimecodeError::DroppedLabel(..))
        ));
        assert!(matches!(
            Timecode::parse("00:01:00;01", df30),
            Err(TimecodeError::DroppedLabel(..))
        ));
        assert!(Timecode::parse("00:10:00;00", df30).is_ok());
        assert!(
            Timecode::parse("00:01:00:02", df30).is_ok(),
            "colon accepted at a DF rate"
        );
        assert!(matches!(
            Timecode::parse("01:00:00;00", rate(25, false)),
            Err(TimecodeError::DropFrameNotAllowed(..))
        ));
        assert!(matches!(
            Timecode::parse("01:00:00:25", rate(25, false)),
            Err(TimecodeError::OutOfRange { .. })
        ));
        assert!(matches!(
            Timecode::parse("24:00:00:00", rate(25, false)),
            Err(TimecodeError::OutOfRange { .. })
        ));
        for bad in [
            "",
            "1:00:00:00",
            "01-00-00-00",
            "01:00:00:0x",
            "01:00:00:000",
            "+1:00:00:00",
        ] {
            assert!(
                matches!(
                    Timecode::parse(bad, rate(24, false)),
                    Err(TimecodeError::Syntax(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn wraps_at_24_hours() {
        for r in RATES {
            let day = r.frames_per_day();
            assert_eq!(Timecode::from_frames(day, r), Timecode::from_frames(0, r));
            assert_eq!(
                Timecode::from_frames(-1, r),
                Timecode::from_frames(day - 1, r)
            );
            assert_eq!(Timecode::from_frames(day - 1, r).hours, 23);
        }
    }

    /// Every frame of 24 hours at every rate: the label is valid, strictly increasing, and maps
    /// back to the same frame. (About 22 million frames; runs in well under a second in release.)
    #[test]
    fn every_frame_of_a_day_round_trips() {
        for r in RATES {
            let mut prev = None::<Timecode>;
            for n in 0..r.frames_per_day() {
                let t = Timecode::from_frames(n, r);
                assert_eq!(t.to_frames(r), n, "{t} at {r:?}");
                if let Some(p) = prev {
                    let key = |t: Timecode| (t.hours, t.minutes, t.seconds, t.frames);
                    assert!(key(t) > key(p), "{p} then {t} at {r:?}");
                }
                prev = Some(t);
            }
            let last = prev.expect("non-empty day");
            assert_eq!(
                last.to_string().replace(';', ":"),
                format!("23:59:59:{:02}", r.fps - 1)
            );
        }
    }

    proptest! {
        #[test]
        fn parse_format_round_trip(idx in 0usize..RATES.len(), frame in 0i64..6_000_000) {
            let r = RATES[idx];
            let n = frame % r.frames_per_day();
            let t = Timecode::from_frames(n, r);
            prop_assert!(t.validate(r).is_ok());
            let parsed = Timecode::parse(&t.to_string(), r).expect("own output parses");
            prop_assert_eq!(parsed, t);
            prop_assert_eq!(parsed.to_frames(r), n);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,16}") {
            for r in RATES {
                let _ = Timecode::parse(&text, r);
            }
        }
    }
}
