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
        let wait_ns = (due - pos) / speed as i64;
        if wait_ns > 1_500_000 {
            let until = monotonic::instant_of(monotonic::now_ns() + wait_ns - 1_000_000);
            std::thread::sleep(until.saturating_duration_since(std::time::Instant::now()));
        }
        // The last stretch by polling the clock: sleep granularity would cost a millisecond.
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
            // Yield while the frame is close; a held clock (sound still on its way) may take
            // longer, and sleeping a little then keeps a core free for the decoders.
            let left = if s > 0 { due - now_pos } else { now_pos - due };
            if left > 2_000_000 {
                std::thread::sleep(Duration::from_micros(500));
            } else {
                std::thread::yield_now();
            }
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
