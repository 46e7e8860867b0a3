//! How the host's clock reads against ours, from four-timestamp exchanges (as NTP does): the
//! guest sends at t1 (its clock), the host receives at t2 and answers at t3 (host clock), the
//! guest receives at t4. Offset θ = ((t2 − t1) + (t3 − t4)) / 2, round trip δ = (t4 − t1) −
//! (t3 − t2); θ is wrong by at most δ/2, so of the latest samples the one with the smallest δ
//! is believed (RFC 5905's clock filter). All times are integer nanoseconds on each machine's
//! monotonic clock.

use std::collections::VecDeque;

/// Samples kept; the best of these is the estimate (NTP keeps eight).
const KEEP: usize = 8;

/// One exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub t1: i64,
    pub t2: i64,
    pub t3: i64,
    pub t4: i64,
}

impl Exchange {
    /// Host clock minus guest clock, ns.
    pub fn offset_ns(&self) -> i64 {
        ((self.t2 - self.t1) + (self.t3 - self.t4)) / 2
    }

    /// Time on the wire both ways, ns (the host's turnaround left out).
    pub fn round_trip_ns(&self) -> i64 {
        (self.t4 - self.t1) - (self.t3 - self.t2)
    }
}

/// The running estimate.
#[derive(Clone, Debug, Default)]
pub struct ClockSync {
    samples: VecDeque<Exchange>,
}

/// What is known of the host's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Estimate {
    /// Host clock minus ours, ns.
    pub offset_ns: i64,
    /// Round trip of the sample believed, ns; the offset is good to half of it.
    pub round_trip_ns: i64,
}

impl ClockSync {
    /// Takes in one exchange; impossible ones (the answer before the question) are dropped.
    pub fn add(&mut self, e: Exchange) {
        if e.t4 < e.t1 || e.t3 < e.t2 || e.round_trip_ns() < 0 {
            return;
        }
        if self.samples.len() == KEEP {
            self.samples.pop_front();
        }
        self.samples.push_back(e);
    }

    /// The estimate from the lowest-delay sample kept, once there is one.
    pub fn estimate(&self) -> Option<Estimate> {
        self.samples
            .iter()
            .min_by_key(|e| e.round_trip_ns())
            .map(|e| Estimate {
                offset_ns: e.offset_ns(),
                round_trip_ns: e.round_trip_ns(),
            })
    }

    /// Our clock's reading of a host instant.
    pub fn to_local(&self, host_ns: i64) -> Option<i64> {
        self.estimate().map(|e| host_ns - e.offset_ns)
    }

    /// The host's reading of one of our instants.
    pub fn to_host(&self, local_ns: i64) -> Option<i64> {
        self.estimate().map(|e| local_ns + e.offset_ns)
    }

    /// Exchanges taken in so far (up to the number kept).
    pub fn samples(&self) -> usize {
        self.samples.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host whose clock reads `offset` ahead of ours; the question takes `up` ns to arrive,
    /// the answer `down` ns, the host takes 50 µs to answer.
    fn exchange(at: i64, offset: i64, up: i64, down: i64) -> Exchange {
        let t2 = at + up + offset;
        let t3 = t2 + 50_000;
        Exchange {
            t1: at,
            t2,
            t3,
            t4: t3 - offset + down,
        }
    }

    #[test]
    fn symmetric_paths_give_the_offset_exactly() {
        let e = exchange(1_000, 7_000_000_000, 300_000, 300_000);
        assert_eq!(e.offset_ns(), 7_000_000_000);
        assert_eq!(e.round_trip_ns(), 600_000);
    }

    #[test]
    fn the_error_is_at_most_half_the_round_trip_and_the_quickest_sample_wins() {
        let offset = -3_250_000_000;
        let mut s = ClockSync::default();
        // Congested exchanges with lopsided paths, then one quick one.
        s.add(exchange(0, offset, 40_000_000, 2_000_000));
        s.add(exchange(1_000_000_000, offset, 1_000_000, 90_000_000));
        let slow = s.estimate().expect("estimate");
        assert!((slow.offset_ns - offset).abs() <= slow.round_trip_ns / 2);
        s.add(exchange(2_000_000_000, offset, 200_000, 260_000));
        let e = s.estimate().expect("estimate");
        assert_eq!(e.round_trip_ns, 460_000);
        assert!((e.offset_ns - offset).abs() <= 30_000, "{e:?}");
        assert_eq!(s.to_local(s.to_host(5).expect("host")), Some(5));
    }

    #[test]
    fn only_the_latest_eight_count_and_impossible_ones_are_dropped() {
        let mut s = ClockSync::default();
        s.add(exchange(0, 0, 10, 10));
        for i in 1..=KEEP as i64 {
            s.add(exchange(i * 1_000_000, 1_000, 5_000, 5_000));
        }
        assert_eq!(s.samples(), KEEP);
        assert_eq!(s.estimate().map(|e| e.offset_ns), Some(1_000));
        s.add(Exchange {
            t1: 10,
            t2: 0,
            t3: 0,
            t4: 5,
        });
        assert_eq!(s.samples(), KEEP);
    }
}
