//! Starting the programme on an instant rather than as soon as sound is queued: a shared review
//! starts every participant's first sample at the same moment (each on its own clock, the
//! instants made equal by the clock estimate). The callback knows when its buffer's first frame
//! will be heard; this says how many frames of silence come before the programme's first.

/// Frames of silence before the first programme frame in a buffer of `frames` frames whose
/// first is heard at `heard_at_ns`, for a start at `start_at_ns` (both monotonic ns) at `rate`
/// Hz; `None` when the whole buffer comes before the start. A start already past is made at
/// once: late is better than never.
pub fn lead_frames(start_at_ns: i64, heard_at_ns: i64, rate: u32, frames: usize) -> Option<usize> {
    if start_at_ns <= heard_at_ns {
        return Some(0);
    }
    let ahead = i128::from(start_at_ns) - i128::from(heard_at_ns);
    let lead = (ahead * i128::from(rate) + 500_000_000) / 1_000_000_000;
    let lead = usize::try_from(lead).unwrap_or(usize::MAX);
    (lead < frames).then_some(lead)
}

/// Frames of the programme a start made late has missed: from `start_at_ns` to `heard_at_ns`
/// at `rate` Hz, at most one second's (later than that, the caller starts again anyway).
pub fn late_frames(start_at_ns: i64, heard_at_ns: i64, rate: u32) -> usize {
    let late = (i128::from(heard_at_ns) - i128::from(start_at_ns)).clamp(0, 1_000_000_000);
    ((late * i128::from(rate) + 500_000_000) / 1_000_000_000) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_lands_on_its_sample_in_the_buffer_that_holds_it() {
        // 48 kHz, 480-frame buffers heard from t = 1 s: a start 2.5 ms in is frame 120.
        let t = 1_000_000_000;
        assert_eq!(lead_frames(t + 2_500_000, t, 48_000, 480), Some(120));
        // Exactly on the buffer's first frame, or already past: at once.
        assert_eq!(lead_frames(t, t, 48_000, 480), Some(0));
        assert_eq!(lead_frames(t - 7_000_000, t, 48_000, 480), Some(0));
        // Beyond this buffer (10 ms of 480 frames ends at frame 479): silence throughout.
        assert_eq!(lead_frames(t + 10_000_000, t, 48_000, 480), None);
        assert_eq!(lead_frames(t + 9_979_000, t, 48_000, 480), Some(479));
        // Far ahead does not overflow.
        assert_eq!(lead_frames(i64::MAX, i64::MIN + 1, 48_000, 480), None);
        // Late by 2.5 ms: 120 frames missed; never more than a second's; early: none.
        assert_eq!(late_frames(t, t + 2_500_000, 48_000), 120);
        assert_eq!(late_frames(i64::MIN + 1, i64::MAX, 48_000), 48_000);
        assert_eq!(late_frames(t + 1, t, 48_000), 0);
    }
}
