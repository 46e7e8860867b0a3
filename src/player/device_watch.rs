//! Watching the output device while a file is open: when it goes away (unplugged, switched
//! off, taken by another program) playback pauses and says so; once a second the device is
//! looked for again, and when it is back playback resumes where it stopped if it was playing.
//!
//! Kept apart from the player thread so the rules — two listings in a row before a device
//! counts as gone, at most one look or retry a second — are plain logic with tests.

/// How often a device is listed, and a lost one looked for again.
pub(super) const RETRY_NS: i64 = 1_000_000_000;
/// Device listings in a row without the chosen device before it counts as gone.
const MISSING_LOOKS: u32 = 2;

/// What is known about the output device's presence.
#[derive(Debug, Default)]
pub(super) struct DeviceWatch {
    /// Name of the device that went away, while it is away.
    lost: Option<String>,
    /// Playback was running when it went: resume when it is back.
    resume: bool,
    last_retry_ns: i64,
    last_watch_ns: i64,
    /// Device lists in a row that did not have the chosen device.
    missing_looks: u32,
}

impl DeviceWatch {
    /// Whether the open device is gone at `now`: its stream reported a failure, or — for a
    /// device the reviewer chose by name, listed at most once a second — two listings in a
    /// row did not have it. One listing is not enough: on a loaded machine the sound server
    /// can answer late and leave out a device that is there, and pausing a review for that
    /// would be a fault of Earmark's own. (Some systems move a stream to another output when
    /// its device goes away instead of failing it; a chosen device that no longer exists is
    /// lost all the same.)
    pub fn gone(
        &mut self,
        now: i64,
        stream_failed: bool,
        chosen: bool,
        still_listed: impl FnOnce() -> bool,
    ) -> bool {
        if chosen && now - self.last_watch_ns > RETRY_NS {
            self.last_watch_ns = now;
            self.missing_looks = if still_listed() {
                0
            } else {
                self.missing_looks + 1
            };
        }
        stream_failed || self.missing_looks >= MISSING_LOOKS
    }

    /// The device `name` went away at `now`, while playing or not.
    pub fn lose(&mut self, name: String, playing: bool, now: i64) {
        self.lost = Some(name);
        self.resume = playing;
        self.missing_looks = 0;
        self.last_retry_ns = now;
    }

    /// Whether to try opening the lost device again now (once a second while it is away).
    pub fn retry_due(&mut self, now: i64) -> bool {
        if self.lost.is_none() || now - self.last_retry_ns <= RETRY_NS {
            return false;
        }
        self.last_retry_ns = now;
        true
    }

    /// The lost device opened again: its name, and whether playback should resume.
    pub fn back(&mut self) -> (String, bool) {
        (
            self.lost.take().unwrap_or_default(),
            std::mem::take(&mut self.resume),
        )
    }

    /// Another device was chosen: the lost one is no longer waited for.
    pub fn forget(&mut self) {
        self.lost = None;
        self.resume = false;
        self.missing_looks = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn a_chosen_device_is_gone_after_two_missing_listings_a_second_apart() {
        let mut w = DeviceWatch::default();
        assert!(
            !w.gone(2 * S, false, true, || false),
            "one listing is not enough"
        );
        // Within the second: not listed again, however often asked.
        assert!(!w.gone(2 * S + 10, false, true, || panic!("listed too often")));
        assert!(w.gone(3 * S + 1, false, true, || false));
        // A listing that has it again clears the count.
        let mut w = DeviceWatch::default();
        assert!(!w.gone(2 * S, false, true, || false));
        assert!(!w.gone(3 * S + 1, false, true, || true));
        assert!(!w.gone(5 * S, false, true, || false));
    }

    #[test]
    fn a_failed_stream_is_gone_at_once_and_the_default_device_is_not_listed() {
        let mut w = DeviceWatch::default();
        assert!(w.gone(0, true, false, || panic!("not listed")));
        assert!(!w.gone(10 * S, false, false, || panic!("not listed")));
    }

    #[test]
    fn a_lost_device_is_retried_once_a_second_and_resumes_if_it_was_playing() {
        let mut w = DeviceWatch::default();
        assert!(!w.retry_due(10 * S), "nothing lost, nothing to retry");
        w.lose("Studio Headphones".into(), true, 10 * S);
        assert!(!w.retry_due(10 * S + S / 2));
        assert!(w.retry_due(11 * S + 1));
        assert!(!w.retry_due(11 * S + 2));
        assert_eq!(w.back(), ("Studio Headphones".to_owned(), true));
        assert!(!w.retry_due(20 * S), "back: no more retries");
        w.lose("USB DAC".into(), false, 30 * S);
        w.forget();
        assert!(!w.retry_due(40 * S));
    }
}
