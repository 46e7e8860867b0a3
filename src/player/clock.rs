//! The master clock: which programme time the listener is at *now*.
//!
//! Playing at 1× with sound, the audio device is the master: the time is the latest
//! [`Anchor`] the callback published (the frame it just queued and when that frame will be
//! heard), extrapolated to now and corrected by the device's A/V offset. Paused, shuttling, or
//! with no audio, it is a wall clock: a base time plus elapsed time × speed. Positions are
//! integer nanoseconds on the programme timeline (0 = first frame), never float seconds.

use crate::audio::output::Anchor;

/// How the clock runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    /// Stopped at a position.
    Held { pos_ns: i64 },
    /// Runs on the monotonic clock at `speed` (negative: backwards).
    Wall {
        base_ns: i64,
        since_ns: i64,
        speed: i32,
    },
    /// Follows the audio device. Until the device has published an anchor for `epoch`
    /// (the sound is still on its way), the clock holds at `start_ns`.
    Audio { epoch: u64, start_ns: i64 },
}

/// The clock and its per-device correction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MasterClock {
    pub mode: ClockMode,
    /// Sound reaches the ears this much later than the device reports (Bluetooth, HDMI …):
    /// picture is held back by the same amount.
    pub av_offset_ns: i64,
    /// Smoothed (programme − monotonic) offset of the audio clock: epoch, offset, and the
    /// anchor it last took in.
    smooth: Option<(u64, i64, i64)>,
}

/// Anchors step by a millisecond or two as the device's latency estimate is refreshed; each
/// new one moves the clock 1/16 of the way (about 160 ms at 10 ms callbacks), which keeps the
/// picture steady and still follows any drift between the device's and the system's clocks.
const SMOOTHING: i64 = 16;
/// A larger step is a real jump (a loop wrapping): taken at once.
const SNAP_NS: i64 = 15_000_000;

impl MasterClock {
    pub fn held(pos_ns: i64) -> Self {
        Self {
            mode: ClockMode::Held { pos_ns },
            av_offset_ns: 0,
            smooth: None,
        }
    }

    /// Programme time at `now_ns`, given the device's latest anchor.
    pub fn at(&mut self, now_ns: i64, anchor: Option<Anchor>) -> i64 {
        match self.mode {
            ClockMode::Held { pos_ns } => pos_ns,
            ClockMode::Wall {
                base_ns,
                since_ns,
                speed,
            } => base_ns + (now_ns - since_ns) * speed as i64,
            ClockMode::Audio { epoch, start_ns } => match anchor {
                Some(a) if a.epoch == epoch => {
                    let raw = a.pos_ns - a.heard_at_ns;
                    let offset = match self.smooth {
                        Some((e, off, seen)) if e == epoch => {
                            if seen == a.heard_at_ns {
                                off
                            } else if (raw - off).abs() > SNAP_NS {
                                raw
                            } else {
                                off + (raw - off) / SMOOTHING
                            }
                        }
                        _ => raw,
                    };
                    self.smooth = Some((epoch, offset, a.heard_at_ns));
                    (now_ns + offset - self.av_offset_ns).max(a.segment_start_ns)
                }
                _ => start_ns,
            },
        }
    }

    /// Whether the clock is waiting for the device's first anchor of this run.
    pub fn awaiting_audio(&self, anchor: Option<Anchor>) -> bool {
        matches!(self.mode, ClockMode::Audio { epoch, .. } if anchor.is_none_or(|a| a.epoch != epoch))
    }

    /// The speed the clock runs at (0 when held).
    pub fn speed(&self) -> i32 {
        match self.mode {
            ClockMode::Held { .. } => 0,
            ClockMode::Wall { speed, .. } => speed,
            ClockMode::Audio { .. } => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_and_wall() {
        assert_eq!(MasterClock::held(5).at(1_000, None), 5);
        let mut c = MasterClock::held(0);
        c.mode = ClockMode::Wall {
            base_ns: 1_000_000,
            since_ns: 100,
            speed: -2,
        };
        assert_eq!(c.at(600, None), 999_000);
        assert_eq!(c.speed(), -2);
    }

    #[test]
    fn audio_follows_its_own_epoch_only_and_applies_the_offset() {
        let mut c = MasterClock::held(0);
        c.mode = ClockMode::Audio {
            epoch: 3,
            start_ns: 1_000_000_000,
        };
        c.av_offset_ns = 20_000_000;
        let stale = Anchor {
            epoch: 2,
            pos_ns: 7,
            heard_at_ns: 0,
            segment_start_ns: 0,
        };
        assert_eq!(c.at(50, Some(stale)), 1_000_000_000);
        assert!(c.awaiting_audio(Some(stale)));
        let a = Anchor {
            epoch: 3,
            pos_ns: 1_100_000_000,
            heard_at_ns: 10_000,
            segment_start_ns: 1_000_000_000,
        };
        assert!(!c.awaiting_audio(Some(a)));
        // 1 ms after the anchor frame is heard: 1.101 s − 20 ms offset.
        assert_eq!(c.at(1_010_000, Some(a)), 1_081_000_000);
        // Before the segment's first sound, never earlier than the start.
        assert_eq!(c.at(-500_000_000, Some(a)), 1_000_000_000);
        // A next anchor 1.6 ms late (jitter) moves the clock by a sixteenth of that.
        let b = Anchor {
            pos_ns: 1_110_000_000,
            heard_at_ns: 10_000 + 10_000_000 + 1_600_000,
            ..a
        };
        assert_eq!(c.at(20_000_000, Some(b)), 1_099_990_000 - 100_000);
        // A loop wrap (a step of seconds) is taken at once.
        let wrapped = Anchor {
            pos_ns: 1_000_000_000,
            heard_at_ns: 30_000_000,
            segment_start_ns: 900_000_000,
            ..a
        };
        assert_eq!(c.at(30_000_000, Some(wrapped)), 980_000_000);
    }
}
