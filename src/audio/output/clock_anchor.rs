//! Where the audio clock stands: the callback publishes, for each buffer, which programme time
//! its first frame carries and when (on the process's monotonic time base) that frame will
//! reach the listener. Readers extrapolate from the latest pair.
//!
//! A sequence lock over atomics: the callback (the only writer) never waits, readers retry on
//! the rare torn read. No `unsafe`, no locks.

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering, fence};

/// One published reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// The player request (seek counter) the audio belongs to.
    pub epoch: u64,
    /// Programme time of the frame, in nanoseconds.
    pub pos_ns: i64,
    /// When the listener hears it, in [`crate::time::monotonic`] nanoseconds.
    pub heard_at_ns: i64,
    /// Programme time where the frame's segment began (the clock never reads earlier).
    pub segment_start_ns: i64,
    /// Which segment (unique for the stream's life: each lap of a loop is a new one).
    pub segment: u64,
}

impl Anchor {
    /// Programme time being heard at `now_ns`.
    pub fn at(&self, now_ns: i64) -> i64 {
        (self.pos_ns + (now_ns - self.heard_at_ns)).max(self.segment_start_ns)
    }
}

/// The shared cell.
#[derive(Debug, Default)]
pub struct ClockAnchor {
    seq: AtomicU64,
    valid: AtomicBool,
    epoch: AtomicU64,
    pos_ns: AtomicI64,
    heard_at_ns: AtomicI64,
    segment_start_ns: AtomicI64,
    segment: AtomicU64,
}

impl ClockAnchor {
    /// Publishes a reading (callback only: one writer).
    pub fn publish(&self, a: Anchor) {
        let s = self.seq.load(Ordering::Relaxed);
        self.seq.store(s.wrapping_add(1), Ordering::Relaxed);
        fence(Ordering::Release);
        self.epoch.store(a.epoch, Ordering::Relaxed);
        self.pos_ns.store(a.pos_ns, Ordering::Relaxed);
        self.heard_at_ns.store(a.heard_at_ns, Ordering::Relaxed);
        self.segment_start_ns
            .store(a.segment_start_ns, Ordering::Relaxed);
        self.segment.store(a.segment, Ordering::Relaxed);
        self.valid.store(true, Ordering::Relaxed);
        self.seq.store(s.wrapping_add(2), Ordering::Release);
    }

    /// Forgets the reading (the stream stopped or the device went away).
    pub fn invalidate(&self) {
        self.valid.store(false, Ordering::Release);
    }

    /// The latest reading, if any.
    pub fn read(&self) -> Option<Anchor> {
        for _ in 0..1000 {
            let s1 = self.seq.load(Ordering::Acquire);
            if s1 % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let a = Anchor {
                epoch: self.epoch.load(Ordering::Relaxed),
                pos_ns: self.pos_ns.load(Ordering::Relaxed),
                heard_at_ns: self.heard_at_ns.load(Ordering::Relaxed),
                segment_start_ns: self.segment_start_ns.load(Ordering::Relaxed),
                segment: self.segment.load(Ordering::Relaxed),
            };
            let valid = self.valid.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if self.seq.load(Ordering::Relaxed) == s1 {
                return valid.then_some(a);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn reads_what_was_published_never_a_mix() {
        let cell = Arc::new(ClockAnchor::default());
        assert_eq!(cell.read(), None);
        let start = Arc::new(std::sync::Barrier::new(2));
        let writer = {
            let cell = cell.clone();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                for i in 0..200_000i64 {
                    cell.publish(Anchor {
                        epoch: i as u64,
                        pos_ns: i * 3,
                        heard_at_ns: i * 5,
                        segment_start_ns: i * 7,
                        segment: i as u64 * 11,
                    });
                }
            })
        };
        start.wait();
        while !writer.is_finished() {
            if let Some(a) = cell.read() {
                let i = a.epoch as i64;
                assert_eq!(
                    (a.pos_ns, a.heard_at_ns, a.segment_start_ns, a.segment),
                    (i * 3, i * 5, i * 7, i as u64 * 11)
                );
            }
        }
        writer.join().expect("writer");
        // However the threads were scheduled, the last publication is what is read at the end.
        assert_eq!(cell.read().map(|a| a.epoch), Some(199_999));
    }

    #[test]
    fn extrapolates_and_never_reads_before_the_segment() {
        let a = Anchor {
            epoch: 1,
            pos_ns: 10_000,
            heard_at_ns: 500,
            segment_start_ns: 9_900,
            segment: 0,
        };
        assert_eq!(a.at(700), 10_200);
        assert_eq!(a.at(0), 9_900);
    }
}
