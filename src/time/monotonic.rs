//! One monotonic time base for the whole process, in integer nanoseconds.
//!
//! The audio callback stamps when its samples will be heard, the presenter asks what the clock
//! says now, and both must speak the same units: nanoseconds since the first call here, from
//! `Instant` (CLOCK_MONOTONIC), as `i64` so differences can be negative.

use std::sync::OnceLock;
use std::time::Instant;

static ORIGIN: OnceLock<Instant> = OnceLock::new();

/// Nanoseconds since the process's time origin. Lock-free after the first call, so the audio
/// callback may use it (call it once before starting a stream).
pub fn now_ns() -> i64 {
    let origin = ORIGIN.get_or_init(Instant::now);
    origin.elapsed().as_nanos() as i64
}

/// The `Instant` that [`now_ns`] `ns` stands for (for sleeping until it).
pub fn instant_of(ns: i64) -> Instant {
    let origin = *ORIGIN.get_or_init(Instant::now);
    if ns >= 0 {
        origin + std::time::Duration::from_nanos(ns as u64)
    } else {
        origin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advances_and_round_trips() {
        let a = now_ns();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = now_ns();
        assert!(b - a >= 2_000_000);
        let i = instant_of(b);
        assert!(i.elapsed().as_nanos() < 50_000_000);
    }
}
