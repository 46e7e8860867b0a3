//! Keeping a playing guest on the host's sample when their sound cards' clocks differ. Two
//! crystals tens of ppm apart move the guest a few milliseconds a minute; restarting from the
//! host's position would be heard as a jump, so the guest's sound is instead played a hair
//! faster or slower ([`crate::audio::Varispeed`]) until the two agree, and kept so.
//!
//! A proportional-integral controller on how far behind the host the guest is heard: the
//! integral learns the sound cards' rate difference (it is kept across starts and re-joins: it
//! belongs to the two devices, not to one play), the proportional part takes out what is left.
//! Readings are averaged over half a second, and the loop is tuned critically damped with a
//! 8 s time constant: five times slower than the ~1.5 s the change takes to be heard and read back
//! (the feed's quarter second, the audio clock's smoothing, the averaging), so it cannot
//! oscillate, and a speed change never exceeds a small fraction of a cent of pitch.

use crate::player::MAX_DRIFT_TRIM_PPB as MAX_SPEED_PPB;

/// Readings are averaged over this long before the speed is changed.
const WINDOW_NS: i64 = 500_000_000;
/// The loop's time constant, seconds.
const TAU_S: f64 = 8.0;
/// Proportional gain, per second: ppb of speed per ns behind (critically damped: 2/τ).
const KP: f64 = 2.0 / TAU_S;
/// Integral gain, per second squared (1/τ²).
const KI: f64 = 1.0 / (TAU_S * TAU_S);
/// A longer gap between readings (a pause, a start) counts as this long for the integral.
const MAX_STEP_NS: i64 = 1_000_000_000;

/// The controller's state.
#[derive(Clone, Debug, Default)]
pub struct DriftControl {
    /// What the sound cards' rate difference has been learned to be, ppb.
    learned_ppb: f64,
    /// Readings in the current window: their sum (ns) and count, and when it began.
    sum_ns: i128,
    count: i64,
    window_from: Option<i64>,
    /// When the speed was last worked out.
    last_at: Option<i64>,
    /// The speed last asked for.
    speed_ppb: i64,
}

impl DriftControl {
    /// The speed now asked for, ppb.
    pub fn speed_ppb(&self) -> i64 {
        self.speed_ppb
    }

    /// A reading at `now_ns`: the guest is heard `behind_ns` behind the host (negative: ahead).
    /// Returns the speed to play at when it changes.
    pub fn observe(&mut self, now_ns: i64, behind_ns: i64) -> Option<i64> {
        let from = *self.window_from.get_or_insert(now_ns);
        self.sum_ns += i128::from(behind_ns);
        self.count += 1;
        if now_ns - from < WINDOW_NS {
            return None;
        }
        let mean = (self.sum_ns / i128::from(self.count)) as f64;
        let step_ns = self
            .last_at
            .map_or(now_ns - from, |t| now_ns - t)
            .clamp(0, MAX_STEP_NS);
        self.sum_ns = 0;
        self.count = 0;
        self.window_from = None;
        self.last_at = Some(now_ns);
        let limit = MAX_SPEED_PPB as f64;
        self.learned_ppb =
            (self.learned_ppb + KI * mean * step_ns as f64 / 1e9).clamp(-limit, limit);
        let speed = (KP * mean + self.learned_ppb).clamp(-limit, limit).round() as i64;
        (speed != self.speed_ppb).then(|| {
            self.speed_ppb = speed;
            speed
        })
    }

    /// The readings stop (paused, a new start, a loop's wrap): the half-gathered window is
    /// dropped and the next reading starts afresh; what was learned stays.
    pub fn hold(&mut self) {
        self.sum_ns = 0;
        self.count = 0;
        self.window_from = None;
        self.last_at = None;
    }

    /// The rate difference learned so far, ppb.
    pub fn learned_ppb(&self) -> i64 {
        self.learned_ppb.round() as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A guest whose sound runs `error_ppb` fast on its own, corrected by the controller: the
    /// speed it asks for is heard a second and a half later (feed, clock smoothing), readings
    /// come every 20 ms with ±0.3 ms of noise. Returns the offset (ns, guest ahead positive)
    /// every second.
    fn simulate(
        error_ppb: i64,
        seconds: i64,
        start_offset_ns: f64,
        correct: bool,
    ) -> (Vec<f64>, DriftControl) {
        let mut c = DriftControl::default();
        let mut ahead = start_offset_ns;
        let mut asked: Vec<(i64, i64)> = vec![(0, 0)];
        let mut out = Vec::new();
        let mut noise = 0x2545_f491u64;
        let step = 20_000_000i64;
        for i in 0..seconds * 50 {
            let now = i * step;
            let heard = asked
                .iter()
                .rev()
                .find(|(at, _)| *at + 1_500_000_000 <= now)
                .map_or(0, |a| a.1);
            ahead += (error_ppb + heard) as f64 * step as f64 / 1e9;
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            let jitter = (noise % 600_001) as f64 - 300_000.0;
            if let Some(s) = c.observe(now, -(ahead + jitter) as i64).filter(|_| correct) {
                asked.push((now, s));
            }
            if i % 50 == 0 {
                out.push(ahead);
            }
        }
        (out, c)
    }

    #[test]
    fn a_forty_ppm_fast_sound_card_is_brought_back_and_held_within_a_fraction_of_a_ms() {
        let (ahead, c) = simulate(40_000, 600, 0.0, true);
        let worst = ahead.iter().fold(0.0f64, |m, a| m.max(a.abs()));
        assert!(worst < 1_000_000.0, "worst {worst} ns");
        // After settling, no drift: the first and last minutes agree within 0.2 ms.
        let mean = |s: &[f64]| s.iter().sum::<f64>() / s.len() as f64;
        let (first, last) = (mean(&ahead[60..120]), mean(&ahead[540..600]));
        assert!((first - last).abs() < 200_000.0, "{first} → {last}");
        // It learned the card's error (the speed is its opposite), within a few ppm.
        assert!(
            (c.learned_ppb() + 40_000).abs() < 5_000,
            "{}",
            c.learned_ppb()
        );
        // Uncorrected, the same card is 24 ms ahead after ten minutes.
        let (loose, _) = simulate(40_000, 600, 0.0, false);
        assert!(loose[599] > 23_000_000.0, "{}", loose[599]);
    }

    #[test]
    fn a_start_a_few_ms_off_is_pulled_in_without_overshooting_far() {
        let (ahead, _) = simulate(-100_000, 240, 4_000_000.0, true);
        assert!(
            ahead[60..].iter().all(|a| a.abs() < 1_000_000.0),
            "{ahead:?}"
        );
        let overshoot = ahead.iter().fold(0.0f64, |m, a| m.min(*a));
        assert!(overshoot > -2_000_000.0, "overshoot {overshoot}");
    }

    #[test]
    fn holding_keeps_what_was_learned_and_the_speed_stays_in_bounds() {
        let mut c = DriftControl::default();
        for i in 0..2_000 {
            c.observe(i * 100_000_000, 50_000_000);
        }
        assert_eq!(c.speed_ppb(), MAX_SPEED_PPB);
        let learned = c.learned_ppb();
        c.hold();
        assert_eq!(c.learned_ppb(), learned);
        // The first reading after a hold opens a window; nothing changes until it is full.
        assert_eq!(c.observe(500_000_000_000, 0), None);
    }
}
