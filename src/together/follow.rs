//! Where a guest's transport should be now: the host said that at its instant `host_ns` the
//! programme was at the start of `frame`, running at `speed`; the clock estimate turns that
//! instant into ours, and the time since runs the programme on. Integer nanoseconds throughout.
//! [`Follower`] moves a guest's review there: seeks while stopped, and while playing a start
//! planned at a shared instant (learning how long this output takes to be heard), a restart
//! when the guest has run too far from the host, and within that a steady correction of the
//! speed ([`DriftControl`]) so two sound cards' clocks do not carry the guest away.

use super::clock_sync::ClockSync;
use super::drift::DriftControl;
use super::message::SharedTransport;
use crate::player::{Command, Transport};
use crate::review::{Intent, Review};
use crate::time::{Frame, FrameRate};

/// The programme position a guest should be at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    /// Programme time, ns from the first frame.
    pub pos_ns: i64,
    pub speed: i32,
}

impl Target {
    pub fn frame(&self, rate: FrameRate) -> u64 {
        rate.frame_at_ns(self.pos_ns).max(0) as u64
    }
}

/// A programme position run past a forward loop's out point, brought back into the loop (the
/// host's player wraps there on the sample, and so does every guest's).
fn wrap(t: &SharedTransport, rate: FrameRate, pos: i64) -> i64 {
    match t.loop_range.filter(|_| t.looping && t.speed > 0) {
        Some((a, b)) => {
            let (a, b) = (rate.frame_start_ns(a as i64), rate.frame_start_ns(b as i64));
            if b > a && pos >= b {
                a + (pos - a) % (b - a)
            } else {
                pos
            }
        }
        None => pos,
    }
}

/// `d`, a difference of programme positions, taken the shorter way round a running loop.
pub fn loop_distance(t: &SharedTransport, rate: FrameRate, d: i64) -> i64 {
    match t.loop_range.filter(|_| t.looping && t.speed > 0) {
        Some((a, b)) => {
            let len = rate.frame_start_ns(b as i64) - rate.frame_start_ns(a as i64);
            if len <= 0 {
                return d;
            }
            (d + len / 2).rem_euclid(len) - len / 2
        }
        None => d,
    }
}

/// Whether `pos` is within a moment of a running loop's wrap (either side of it).
pub fn near_wrap(t: &SharedTransport, rate: FrameRate, pos: i64) -> bool {
    const MOMENT_NS: i64 = 150_000_000;
    t.loop_range
        .filter(|_| t.looping && t.speed > 0)
        .is_some_and(|(a, b)| {
            let (a, b) = (rate.frame_start_ns(a as i64), rate.frame_start_ns(b as i64));
            (pos - a).abs() < MOMENT_NS || (b - pos).abs() < MOMENT_NS
        })
}

/// The target at our instant `now_ns`, or `None` before the clock is known.
pub fn target(
    t: &SharedTransport,
    clock: &ClockSync,
    rate: FrameRate,
    now_ns: i64,
) -> Option<Target> {
    let start = rate.frame_start_ns(t.frame as i64);
    if t.speed == 0 {
        return Some(Target {
            pos_ns: start,
            speed: 0,
        });
    }
    let since = now_ns - clock.to_local(t.host_ns)?;
    Some(Target {
        pos_ns: wrap(t, rate, (start + since * i64::from(t.speed)).max(0)),
        speed: t.speed,
    })
}

/// How a play is asked to lead: it is scheduled this far ahead, so every participant has time
/// to queue its sound before the shared start.
const START_LEAD_NS: i64 = 300_000_000;
/// A playing guest more than this far from the host starts again from where the host is (a
/// coarse correction: the output's own start-up time stays within it).
const DRIFT_LIMIT_NS: i64 = 250_000_000;
/// A start is looked at once it has run this long (the clock's smoothing has settled).
const CHECK_AFTER_NS: i64 = 1_000_000_000;
/// After a start, how long its offset is reported often.
const SETTLING_NS: i64 = 2_000_000_000;
/// A start this far off is made again, with what it taught.
const RESTART_OVER_NS: i64 = 20_000_000;

/// How a guest keeps up with a playing host: when its last start is heard, what its output
/// has been seen to be late by (a start is made that much earlier next time), and when it last
/// said how far from the host it runs.
#[derive(Default)]
pub struct Follower {
    /// Our instant the last start is heard; until shortly after it the clock is not judged.
    sounding_at: i64,
    /// Learned lateness of this output's starts, ns (what the device reports of its latency
    /// and what it does can differ).
    bias_ns: i64,
    /// A start was made and its result is not yet looked at.
    checking: bool,
    /// When the last start was made, and the last report.
    started_at: i64,
    reported_at: i64,
    /// The host told where it is since the last look.
    told: bool,
    /// The speed correction, and whether the player has been asked to put it in.
    drift: DriftControl,
    trim_on: bool,
    /// When the correction was last said.
    drift_said_at: i64,
}

/// How often the speed correction is said (it changes every half second).
const DRIFT_SAID_EVERY_NS: i64 = 30_000_000_000;

/// After a start's instant, the clock is judged once this has passed (its first reading
/// comes with the first buffer heard).
const SOUNDING_NS: i64 = 150_000_000;

impl Follower {
    /// The host told where it is (a move, or the once-a-second reading): the next look
    /// compares, and a playing guest more than a little off starts again from there.
    pub fn host_moved(&mut self) {
        self.told = true;
    }

    fn forget_start(&mut self) {
        self.checking = false;
        self.drift.hold();
    }

    /// A follower for a participant joining again: what was learned of the two sound cards'
    /// rates is kept (it belongs to the devices), the rest starts afresh.
    pub fn rejoined(&self) -> Self {
        let mut drift = self.drift.clone();
        drift.hold();
        Self {
            drift,
            trim_on: self.trim_on,
            ..Self::default()
        }
    }

    /// The session is over for this participant: the player plays at its own speed again
    /// from its next start.
    pub fn release(&mut self, review: &Review) {
        if self.trim_on {
            review.player().send(Command::SetDriftTrim(None));
            self.trim_on = false;
        }
    }

    /// Moves the guest's review toward the host's transport; says how far from the host a
    /// playing guest runs, once a second, in `said`.
    pub fn follow(
        &mut self,
        review: &mut Review,
        t: &SharedTransport,
        clock: &ClockSync,
        now: i64,
        said: &mut Vec<String>,
    ) {
        let rate = review.player().rate();
        if !self.trim_on {
            // In from the first start: the stage cannot be put in mid-play unheard.
            review
                .player()
                .send(Command::SetDriftTrim(Some(self.drift.speed_ppb())));
            self.trim_on = true;
        }
        let snap = review.snapshot().clone();
        let Some(target) = target(t, clock, rate, now) else {
            return;
        };
        // The host's loop is everyone's: set here before anything moves.
        let shared_loop = t.loop_range.map(|(a, b)| (Frame(a), Frame(b)));
        if snap.looping != t.looping || (t.looping && snap.loop_range != shared_loop) {
            review.apply(Intent::SetLoop {
                range: shared_loop,
                on: t.looping,
            });
        }
        let playing = snap.transport != Transport::Paused;
        if target.speed == 0 {
            self.forget_start();
            if playing {
                review.apply(Intent::Pause);
            } else if snap.frame.0 != target.frame(rate) {
                review.apply(Intent::Seek(Frame(target.frame(rate))));
            }
            return;
        }
        if target.speed != 1 {
            // Shuttle: follow the speed, correct the place coarsely.
            self.forget_start();
            if snap.transport
                != (Transport::Playing {
                    speed: target.speed,
                })
            {
                review.apply(Intent::Seek(Frame(target.frame(rate))));
                review.apply(Intent::Shuttle(target.speed));
            }
            return;
        }
        if playing {
            if snap.transport == Transport::Starting || now < self.sounding_at + SOUNDING_NS {
                self.drift.hold();
                return;
            }
            let (pos, _, _) = review.player().clock();
            // Around a loop's wrap both clocks pass from one lap's anchors to the next's (the
            // sound itself wraps on the sample on both sides): no judging there.
            if near_wrap(t, rate, target.pos_ns) || near_wrap(t, rate, pos) {
                self.drift.hold();
                return;
            }
            // Positive: this participant is behind the host. In a loop, the shorter way round
            // (just after a wrap one side may read the loop's end and the other its start).
            let behind = loop_distance(t, rate, target.pos_ns - pos);
            // Often while a start settles (how long re-converging takes is read from these),
            // then once a second.
            let every = if now - self.started_at < SETTLING_NS {
                100_000_000
            } else {
                1_000_000_000
            };
            if now - self.reported_at >= every {
                self.reported_at = now;
                said.push(format!(
                    "playing, {:+.1} ms from the host",
                    -behind as f64 / 1e6
                ));
            }
            if behind.abs() <= RESTART_OVER_NS
                && let Some(speed) = self.drift.observe(now, behind)
            {
                review.player().send(Command::SetDriftTrim(Some(speed)));
                if now - self.drift_said_at >= DRIFT_SAID_EVERY_NS {
                    self.drift_said_at = now;
                    said.push(format!(
                        "keeping in step with the host: sound {:+.1} ppm (sound cards differ by \
                         {:+.1} ppm)",
                        speed as f64 / 1000.0,
                        -self.drift.learned_ppb() as f64 / 1000.0
                    ));
                }
            }
            let check = self.checking && now - self.started_at >= CHECK_AFTER_NS;
            if check {
                self.checking = false;
            }
            let told = std::mem::take(&mut self.told);
            if behind.abs() > RESTART_OVER_NS {
                log::debug!(
                    "off the host by {} ms (told {told}, check {check}, pos {pos}, target {})",
                    behind / 1_000_000,
                    target.pos_ns
                );
            }
            if told && !check && behind.abs() > RESTART_OVER_NS {
                // The host jumped (a seek or step while playing): start again from there.
                review.apply(Intent::Pause);
            } else if check && behind.abs() > RESTART_OVER_NS {
                // Heard later (or earlier) than the device said: learn it and start again.
                // Three quarters of the error: a start spoiled by a busy moment does not swing
                // the next one as far the other way.
                self.bias_ns = (self.bias_ns + behind * 3 / 4).clamp(-500_000_000, 500_000_000);
                review.apply(Intent::Pause);
            } else if behind.abs() > DRIFT_LIMIT_NS {
                // The host went elsewhere: start again from there.
                review.apply(Intent::Pause);
            }
            return;
        }
        if now < self.sounding_at + SOUNDING_NS {
            // A start is on its way (the player has not said so yet).
            return;
        }
        // Start together: from the first frame the host reaches a little ahead, its first
        // sample heard the moment the host's programme is there (our clock, by the estimate).
        let ahead = wrap(t, rate, target.pos_ns + START_LEAD_NS);
        let frame = rate.frame_at_ns(ahead).max(0) as u64 + 1;
        let at_ns =
            now + START_LEAD_NS + (rate.frame_start_ns(frame as i64) - ahead) - self.bias_ns;
        log::debug!(
            "start with the host: frame {frame} heard in {} ms (host at {} ns, bias {} ms)",
            (at_ns - now) / 1_000_000,
            target.pos_ns,
            self.bias_ns / 1_000_000
        );
        said.push(format!(
            "starting with the host at frame {frame}, heard in {} ms",
            (at_ns - now) / 1_000_000
        ));
        self.checking = true;
        self.started_at = now;
        self.sounding_at = at_ns;
        review.apply(Intent::PlayAt {
            from: Frame(frame),
            at_ns,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::together::clock_sync::Exchange;

    #[test]
    fn a_stopped_host_is_followed_to_its_frame_and_a_playing_one_runs_on() {
        let rate = FrameRate::new(25, 1).expect("rate");
        let mut clock = ClockSync::default();
        // The host's clock reads 10 s ahead of ours.
        clock.add(Exchange {
            t1: 0,
            t2: 10_000_000_000 + 100_000,
            t3: 10_000_000_000 + 150_000,
            t4: 250_000,
        });
        let stopped = SharedTransport {
            frame: 100,
            host_ns: 10_000_000_000,
            ..SharedTransport::default()
        };
        let t = target(&stopped, &clock, rate, 5).expect("target");
        assert_eq!((t.frame(rate), t.speed), (100, 0));
        let playing = SharedTransport {
            speed: 1,
            ..stopped
        };
        // Host instant 10 s is our 0 (± the 25 µs asymmetry); 2 s later, 50 frames on.
        let t = target(&playing, &clock, rate, 2_000_000_000).expect("target");
        assert_eq!(t.frame(rate), 150);
        assert!((t.pos_ns - 6_000_000_000).abs() < 100_000, "{t:?}");
        let back = SharedTransport {
            speed: -2,
            ..stopped
        };
        assert_eq!(
            target(&back, &clock, rate, 1_000_000_000).map(|t| t.frame(rate)),
            Some(50)
        );
        assert_eq!(target(&playing, &ClockSync::default(), rate, 0), None);
        // Looping over frames [100, 150): 2 s on from frame 100 is 50 frames on, back at 100;
        // 2.4 s on is frame 110.
        let looping = SharedTransport {
            looping: true,
            loop_range: Some((100, 150)),
            ..playing
        };
        let at = |ns| target(&looping, &clock, rate, ns).map(|t| t.frame(rate));
        assert_eq!(at(2_000_000_000), Some(100));
        assert_eq!(at(2_400_000_000), Some(110));
        assert_eq!(at(1_960_000_000), Some(149));
        // Either side of the wrap, 10 ms apart the short way round, not two seconds.
        assert_eq!(loop_distance(&looping, rate, 1_990_000_000), -10_000_000);
        assert_eq!(loop_distance(&looping, rate, -1_990_000_000), 10_000_000);
        assert_eq!(loop_distance(&playing, rate, 1_990_000_000), 1_990_000_000);
    }
}
