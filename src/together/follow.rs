//! Where a guest's transport should be now: the host said that at its instant `host_ns` the
//! programme was at the start of `frame`, running at `speed`; the clock estimate turns that
//! instant into ours, and the time since runs the programme on. Integer nanoseconds throughout.

use super::clock_sync::ClockSync;
use super::message::SharedTransport;
use crate::time::FrameRate;

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
        pos_ns: (start + since * i64::from(t.speed)).max(0),
        speed: t.speed,
    })
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
    }
}
