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
    /// How the audio clock is being followed (None until the first anchor of a run).
    smooth: Option<Smooth>,
    /// The latest time read on the audio clock, and the run it belongs to.
    floor: Option<Floor>,
}

/// Smoothed (programme − monotonic) offset of the audio clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Smooth {
    epoch: u64,
    segment: u64,
    offset: i64,
    /// The anchor last taken in (its `heard_at_ns`).
    seen: i64,
    /// A reading that stepped far from `offset`, waiting for a second one to confirm it.
    pending: Option<i64>,
}

/// The audio clock never reads earlier than it already has within one stretch of sound
/// (epoch, segment) at one A/V offset: a picture once shown cannot be taken back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Floor {
    epoch: u64,
    segment: u64,
    av_offset_ns: i64,
    pos_ns: i64,
}

/// Anchors step by a millisecond or two as the device's latency estimate is refreshed; each
/// new one moves the clock 1/16 of the way (about 160 ms at 10 ms callbacks), which keeps the
/// picture steady and still follows any drift between the device's and the system's clocks.
const SMOOTHING: i64 = 16;
/// A larger step is taken at once when it is real: the sound moved to another segment (a loop
/// wrapping), or two readings in a row agree on it (the device's latency estimate settling at a
/// stream's start, sound that ran dry). One reading alone is a callback the machine held up and
/// is passed over, so a stalled thread cannot step the picture back.
const SNAP_NS: i64 = 15_000_000;

impl MasterClock {
    pub fn held(pos_ns: i64) -> Self {
        Self {
            mode: ClockMode::Held { pos_ns },
            av_offset_ns: 0,
            smooth: None,
            floor: None,
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
                    let offset = self.follow(a);
                    let pos = (now_ns + offset - self.av_offset_ns).max(a.segment_start_ns);
                    self.hold_floor(a, pos)
                }
                _ => start_ns,
            },
        }
    }

    /// Takes in anchor `a` and returns the (programme − monotonic) offset to read by.
    fn follow(&mut self, a: Anchor) -> i64 {
        let raw = a.pos_ns - a.heard_at_ns;
        let next = match self.smooth {
            Some(s) if s.epoch == a.epoch && s.segment == a.segment => {
                if s.seen == a.heard_at_ns {
                    s
                } else if (raw - s.offset).abs() <= SNAP_NS {
                    Smooth {
                        offset: s.offset + (raw - s.offset) / SMOOTHING,
                        seen: a.heard_at_ns,
                        pending: None,
                        ..s
                    }
                } else if s.pending.is_some_and(|p| (raw - p).abs() <= SNAP_NS) {
                    Smooth {
                        offset: raw,
                        seen: a.heard_at_ns,
                        pending: None,
                        ..s
                    }
                } else {
                    Smooth {
                        seen: a.heard_at_ns,
                        pending: Some(raw),
                        ..s
                    }
                }
            }
            _ => Smooth {
                epoch: a.epoch,
                segment: a.segment,
                offset: raw,
                seen: a.heard_at_ns,
                pending: None,
            },
        };
        self.smooth = Some(next);
        next.offset
    }

    /// `pos`, or the latest reading of this stretch of sound if that was later.
    fn hold_floor(&mut self, a: Anchor, pos: i64) -> i64 {
        let same = |f: &Floor| {
            f.epoch == a.epoch && f.segment == a.segment && f.av_offset_ns == self.av_offset_ns
        };
        let pos = match self.floor {
            Some(f) if same(&f) => pos.max(f.pos_ns),
            _ => pos,
        };
        self.floor = Some(Floor {
            epoch: a.epoch,
            segment: a.segment,
            av_offset_ns: self.av_offset_ns,
            pos_ns: pos,
        });
        pos
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
            segment: 0,
        };
        assert_eq!(c.at(50, Some(stale)), 1_000_000_000);
        assert!(c.awaiting_audio(Some(stale)));
        let a = Anchor {
            epoch: 3,
            pos_ns: 1_100_000_000,
            heard_at_ns: 10_000,
            segment_start_ns: 1_000_000_000,
            segment: 1,
        };
        assert!(!c.awaiting_audio(Some(a)));
        // Before the segment's first sound, never earlier than the start.
        assert_eq!(c.clone().at(-500_000_000, Some(a)), 1_000_000_000);
        // 1 ms after the anchor frame is heard: 1.101 s − 20 ms offset.
        assert_eq!(c.at(1_010_000, Some(a)), 1_081_000_000);
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
            segment: 2,
            ..a
        };
        assert_eq!(c.at(30_000_000, Some(wrapped)), 980_000_000);
    }

    fn audio_clock(epoch: u64) -> MasterClock {
        let mut c = MasterClock::held(0);
        c.mode = ClockMode::Audio { epoch, start_ns: 0 };
        c
    }

    /// Anchors every 10 ms of a steady stream: programme `pos` heard at `pos` + 50 ms.
    fn steady(i: i64, segment_start_ns: i64) -> Anchor {
        Anchor {
            epoch: 1,
            pos_ns: segment_start_ns + i * 10_000_000,
            heard_at_ns: i * 10_000_000 + 50_000_000,
            segment_start_ns,
            segment: 1,
        }
    }

    #[test]
    fn one_held_up_callback_does_not_step_the_clock_back() {
        let mut c = audio_clock(1);
        for i in 0..10 {
            c.at(i * 10_000_000 + 60_000_000, Some(steady(i, 0)));
        }
        let before = c.at(150_000_000, Some(steady(9, 0)));
        // The callback ran 20 ms late: its anchor claims the sound is 20 ms further off.
        let late = Anchor {
            heard_at_ns: steady(10, 0).heard_at_ns + 20_000_000,
            ..steady(10, 0)
        };
        let after = c.at(151_000_000, Some(late));
        assert_eq!(
            after - before,
            1_000_000,
            "the late reading was passed over"
        );
        // The next reading is on time again: the clock never noticed.
        assert_eq!(c.at(160_000_000, Some(steady(11, 0))), 110_000_000);
    }

    #[test]
    fn a_step_that_two_readings_agree_on_is_taken_at_once() {
        let mut c = audio_clock(1);
        c.at(60_000_000, Some(steady(0, 0)));
        // The sound ran dry for 30 ms: every later anchor is 30 ms behind.
        let behind = |i: i64| Anchor {
            heard_at_ns: steady(i, 0).heard_at_ns + 30_000_000,
            ..steady(i, 0)
        };
        let first = c.at(70_000_000, Some(behind(1)));
        assert_eq!(first, 20_000_000, "one reading alone is passed over");
        // Held where it was (never earlier) until the device's time catches up with it.
        assert_eq!(c.at(80_000_000, Some(behind(2))), 20_000_000);
        assert_eq!(c.at(110_000_000, Some(behind(2))), 30_000_000);
    }

    #[test]
    fn the_clock_never_reads_earlier_within_a_stretch_but_wraps_and_offsets_move_it() {
        let mut c = audio_clock(1);
        c.at(60_000_000, Some(steady(0, 0)));
        let t = c.at(75_000_000, Some(steady(0, 0)));
        // A reader that took `now` before another but locked after it.
        assert_eq!(c.at(70_000_000, Some(steady(0, 0))), t);
        // A refreshed latency estimate 10 ms longer nudges the offset back by a sixteenth of
        // that: held, not stepped back.
        let nudged = Anchor {
            heard_at_ns: steady(1, 0).heard_at_ns + 10_000_000,
            ..steady(1, 0)
        };
        assert_eq!(c.at(75_000_000, Some(nudged)), t);
        assert_eq!(
            c.at(76_000_000, Some(nudged)),
            t + 1_000_000 - 10_000_000 / SMOOTHING
        );
        // A loop wrap goes back at once: the next lap is a new segment, though it starts at the
        // same programme time as the one before.
        let wrap = Anchor {
            epoch: 1,
            pos_ns: 0,
            heard_at_ns: 80_000_000,
            segment_start_ns: 0,
            segment: 2,
        };
        assert_eq!(c.at(80_000_000, Some(wrap)), 0);
        // So does the reviewer moving the picture's A/V offset later.
        let now = c.at(90_000_000, Some(wrap));
        c.av_offset_ns = 5_000_000;
        assert_eq!(c.at(90_000_000, Some(wrap)), now - 5_000_000);
    }
}
