//! The headless presenter: a stand-in for a display that refreshes exactly when the next frame
//! is due. It sleeps until the master clock reaches the next frame's start, then presents.
//!
//! Used by `earmark FILE --play-for … --exit`, by the A/V sync tests and by the playback
//! benchmark: what it logs is what a perfect display would have shown, and when.

use super::engine::Player;
use crate::time::monotonic;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Presents pictures on time until `stop` is set.
pub fn run_presenter(player: &Player, stop: &AtomicBool) {
    let rate = player.rate();
    while !stop.load(Ordering::Relaxed) {
        let (pos, speed, _) = player.clock();
        player.present_waiting(Duration::from_millis(20));
        if speed == 0 {
            std::thread::sleep(Duration::from_millis(2));
            continue;
        }
        let frame = rate.frame_at_ns(pos);
        // The next picture is due when the clock leaves this frame: forwards at the next
        // frame's start, backwards just before this one's; a jump (loop wrap, seek) at once.
        let due = if speed > 0 {
            rate.frame_start_ns(frame + 1)
        } else {
            rate.frame_start_ns(frame) - 1
        };
        // Sleep until the clock is due to leave the frame, then look again: the clock may
        // have been nudged by a new device reading meanwhile. Sleeping (not yielding in a
        // loop) matters on a busy machine: a thread waking from a timer preempts a
        // CPU-bound neighbour at once, while one that yields waits out the neighbour's slice.
        let give_up = monotonic::now_ns() + 50_000_000;
        loop {
            let (now_pos, s, _) = player.clock();
            if rate.frame_at_ns(now_pos) != frame
                || s != speed
                || stop.load(Ordering::Relaxed)
                || monotonic::now_ns() > give_up
            {
                break;
            }
            let left_ns = if s > 0 { due - now_pos } else { now_pos - due };
            let wait_ns = (left_ns / i64::from(s.unsigned_abs().max(1))).clamp(20_000, 20_000_000);
            let asleep = monotonic::now_ns();
            std::thread::sleep(Duration::from_nanos(wait_ns as u64));
            player.note_wake_lateness(monotonic::now_ns() - asleep - wait_ns);
        }
    }
    player.present();
}

/// Runs [`run_presenter`] on its own thread ("present") until the returned flag is set.
pub fn spawn_presenter(
    player: Arc<Player>,
) -> std::io::Result<(Arc<AtomicBool>, std::thread::JoinHandle<()>)> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::Builder::new()
        .name("present".into())
        .spawn(move || run_presenter(&player, &flag))?;
    Ok((stop, handle))
}
