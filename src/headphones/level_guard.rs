//! Keeping the reviewer in the listening band the guidance asks for: "Full, but comfortable. Do
//! not listen at low levels." A state machine fed the estimated level at the ear turns it into
//! three alerts: too low (while dialogue plays), loud, and over the safe ceiling.
//!
//! Every alert needs its condition to hold for a while before it is raised, and to stay away by
//! a margin (the hysteresis) for a while before it clears, so a single quiet line or one loud
//! effect never nags. Time beyond a threshold counts up; time back inside it by more than the
//! hysteresis resets the count; time in between holds it. Too-low is judged on dialogue only,
//! so silence, fades and music beds neither raise nor clear it.
//!
//! Time comes in explicitly, as milliseconds or sample frames, never from the wall clock: the
//! guard runs the same in a test as on the meter thread. Feed it the level estimate for the
//! short-term loudness (`G_ear + S`, see `listening_level`) at each meter update.
//!
//! Defaults (loudness.md §6, for a Netflix 79 dB room, `G_ear` reference 99 dB): review dialogue
//! sits at 99 − 27 = 72 dB SPL; too low below 66 (the reference less 6 dB) for 10 s of dialogue;
//! loud above 85 dB for 30 s; the red ceiling at 100 dB, the IEC 62368-1 / EN 50332 limit. The
//! 3 dB hysteresis, 5 s clearing time and 1 s ceiling time are this module's design choices.

use serde::{Deserialize, Serialize};

/// Time constant of the smoothed levels reported in alerts: about one short-term window, so the
/// "turn up N dB" figure follows a change of volume within seconds without jittering.
const SMOOTHING_MS: f64 = 3_000.0;

/// The band and its timings. Every field has a default, so a settings file may set any subset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LevelGuardConfig {
    /// Dialogue level at the ear the "turn up" prompt aims for, dB SPL.
    pub reference_dialogue_spl_db: f64,
    /// Dialogue below this is too low, dB SPL.
    pub too_low_below_db: f64,
    /// How much dialogue time below the band raises the prompt, ms.
    pub too_low_after_ms: u64,
    /// Above this for a while is loud, dB SPL.
    pub loud_above_db: f64,
    pub loud_after_ms: u64,
    /// Above this is over the safe ceiling (red), dB SPL.
    pub ceiling_db: f64,
    pub ceiling_after_ms: u64,
    /// How far back inside a threshold the level must come before the alert may clear, dB.
    pub hysteresis_db: f64,
    /// How long it must stay there, ms (dialogue time for too-low).
    pub clear_after_ms: u64,
}

impl Default for LevelGuardConfig {
    fn default() -> Self {
        Self {
            reference_dialogue_spl_db: 72.0,
            too_low_below_db: 66.0,
            too_low_after_ms: 10_000,
            loud_above_db: 85.0,
            loud_after_ms: 30_000,
            ceiling_db: 100.0,
            ceiling_after_ms: 1_000,
            hysteresis_db: 3.0,
            clear_after_ms: 5_000,
        }
    }
}

/// How urgent an alert is: the colour of its banner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Amber.
    Caution,
    /// Red.
    Danger,
}

/// Something to tell the reviewer about the listening level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LevelAlert {
    /// Dialogue has been below the review band: turn up by about this much.
    TooLow { turn_up_db: u32 },
    /// Louder than the review reference for a while; `spl_db` is the smoothed level.
    Loud { spl_db: f64 },
    /// Above the safe-listening ceiling.
    OverCeiling { spl_db: f64 },
}

impl LevelAlert {
    pub fn severity(&self) -> Severity {
        match self {
            Self::TooLow { .. } | Self::Loud { .. } => Severity::Caution,
            Self::OverCeiling { .. } => Severity::Danger,
        }
    }

    /// Rank for picking the most pressing of several alerts.
    fn rank(&self) -> u8 {
        match self {
            Self::TooLow { .. } => 0,
            Self::Loud { .. } => 1,
            Self::OverCeiling { .. } => 2,
        }
    }

    /// The banner text.
    pub fn message(&self) -> String {
        match self {
            Self::TooLow { turn_up_db } => format!(
                "Below review level: turn up about {turn_up_db} dB. At low levels the bass and \
                 treble of the mix are heard weaker than they are."
            ),
            Self::Loud { spl_db } => format!(
                "Louder than the review reference (about {spl_db:.0} dB SPL, estimated). \
                 Consider turning down."
            ),
            Self::OverCeiling { spl_db } => format!(
                "Over the safe-listening limit (about {spl_db:.0} dB SPL, estimated). Turn down \
                 now."
            ),
        }
    }
}

/// Where a reading falls for one condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Zone {
    /// Past the threshold: counts toward raising, resets a clearing count.
    Beyond,
    /// Between the threshold and the threshold less the hysteresis: holds both counts.
    Between,
    /// Back inside by the hysteresis or more: counts toward clearing, resets a raising count.
    Inside,
    /// Not judged (no dialogue for too-low, or no number at all).
    Ignored,
}

/// One condition's sustain-and-hysteresis state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sustain {
    active: bool,
    /// Time counted toward raising (inactive) or clearing (active), ms.
    count_ms: u64,
}

impl Sustain {
    /// Advances by `dt_ms` in `zone`; true when the alert has just been raised.
    fn step(&mut self, zone: Zone, dt_ms: u64, raise_after_ms: u64, clear_after_ms: u64) -> bool {
        match (self.active, zone) {
            (false, Zone::Beyond) => {
                self.count_ms = self.count_ms.saturating_add(dt_ms);
                if self.count_ms >= raise_after_ms {
                    *self = Self {
                        active: true,
                        count_ms: 0,
                    };
                    return true;
                }
            }
            (true, Zone::Inside) => {
                self.count_ms = self.count_ms.saturating_add(dt_ms);
                if self.count_ms >= clear_after_ms {
                    *self = Self::default();
                }
            }
            (false, Zone::Inside) | (true, Zone::Beyond) => self.count_ms = 0,
            (_, Zone::Between | Zone::Ignored) => {}
        }
        false
    }
}

/// Zone of `spl` for a condition that is "above `threshold`".
fn zone_above(spl: f64, threshold: f64, hysteresis: f64) -> Zone {
    if spl.is_nan() {
        Zone::Ignored
    } else if spl > threshold {
        Zone::Beyond
    } else if spl <= threshold - hysteresis {
        Zone::Inside
    } else {
        Zone::Between
    }
}

/// Exponential smoothing step toward `x` over `dt_ms` (first reading taken as is).
fn smooth(avg: &mut Option<f64>, x: f64, dt_ms: u64) {
    let alpha = (dt_ms as f64 / SMOOTHING_MS).min(1.0);
    *avg = Some(match *avg {
        Some(a) => a + (x - a) * alpha,
        None => x,
    });
}

/// The listening-band state machine.
#[derive(Clone, Debug, PartialEq)]
pub struct LevelGuard {
    config: LevelGuardConfig,
    too_low: Sustain,
    loud: Sustain,
    ceiling: Sustain,
    /// Smoothed level of all readings, and of dialogue readings, dB SPL.
    level: Option<f64>,
    dialogue_level: Option<f64>,
    /// Sub-millisecond remainder of frame counts (frames × 1000 mod rate), and its rate.
    frame_remainder: u64,
    remainder_rate: u32,
}

impl LevelGuard {
    pub fn new(config: LevelGuardConfig) -> Self {
        Self {
            config,
            too_low: Sustain::default(),
            loud: Sustain::default(),
            ceiling: Sustain::default(),
            level: None,
            dialogue_level: None,
            frame_remainder: 0,
            remainder_rate: 0,
        }
    }

    pub fn config(&self) -> &LevelGuardConfig {
        &self.config
    }

    /// Forgets everything (new headphones, new device, new calibration).
    pub fn reset(&mut self) {
        *self = Self::new(self.config.clone());
    }

    /// Advances by `elapsed_ms` during which the estimated level at the ear was `spl_db`
    /// (−∞ for silence) and dialogue was or was not playing. Returns an alert when one is newly
    /// raised (the most severe, if several are).
    pub fn update(
        &mut self,
        elapsed_ms: u64,
        spl_db: f64,
        dialogue_active: bool,
    ) -> Option<LevelAlert> {
        let c = &self.config;
        if spl_db.is_finite() {
            smooth(&mut self.level, spl_db, elapsed_ms);
        }
        let judged_dialogue = dialogue_active && spl_db.is_finite();
        if judged_dialogue {
            smooth(&mut self.dialogue_level, spl_db, elapsed_ms);
        }
        let too_low_zone = if judged_dialogue {
            // "Below" mirrored onto "above": −spl above −threshold.
            zone_above(-spl_db, -c.too_low_below_db, c.hysteresis_db)
        } else {
            Zone::Ignored
        };
        let raised_low = self.too_low.step(
            too_low_zone,
            elapsed_ms,
            c.too_low_after_ms,
            c.clear_after_ms,
        );
        let raised_loud = self.loud.step(
            zone_above(spl_db, c.loud_above_db, c.hysteresis_db),
            elapsed_ms,
            c.loud_after_ms,
            c.clear_after_ms,
        );
        let raised_ceiling = self.ceiling.step(
            zone_above(spl_db, c.ceiling_db, c.hysteresis_db),
            elapsed_ms,
            c.ceiling_after_ms,
            c.clear_after_ms,
        );
        let alerts = self.alerts();
        let raised = |a: &LevelAlert| match a {
            LevelAlert::TooLow { .. } => raised_low,
            LevelAlert::Loud { .. } => raised_loud,
            LevelAlert::OverCeiling { .. } => raised_ceiling,
        };
        alerts
            .into_iter()
            .flatten()
            .filter(raised)
            .max_by_key(LevelAlert::rank)
    }

    /// As [`update`](Self::update), with the time as a count of frames at `rate` Hz. Fractions
    /// of a millisecond are carried to the next call, so no time is lost to rounding.
    pub fn update_frames(
        &mut self,
        frames: u64,
        rate: u32,
        spl_db: f64,
        dialogue_active: bool,
    ) -> Option<LevelAlert> {
        if rate == 0 {
            return None;
        }
        if rate != self.remainder_rate {
            self.remainder_rate = rate;
            self.frame_remainder = 0;
        }
        let total = frames
            .saturating_mul(1000)
            .saturating_add(self.frame_remainder);
        self.frame_remainder = total % u64::from(rate);
        self.update(total / u64::from(rate), spl_db, dialogue_active)
    }

    /// The most pressing alert now in force, if any.
    pub fn state(&self) -> Option<LevelAlert> {
        self.alerts()
            .into_iter()
            .flatten()
            .max_by_key(LevelAlert::rank)
    }

    /// The alerts in force, with their current figures.
    fn alerts(&self) -> [Option<LevelAlert>; 3] {
        let level = self.level.unwrap_or(f64::NEG_INFINITY);
        let turn_up = self
            .dialogue_level
            .map(|d| (self.config.reference_dialogue_spl_db - d).round().max(1.0) as u32)
            .unwrap_or(1);
        [
            self.too_low.active.then_some(LevelAlert::TooLow {
                turn_up_db: turn_up,
            }),
            self.loud
                .active
                .then_some(LevelAlert::Loud { spl_db: level }),
            self.ceiling
                .active
                .then_some(LevelAlert::OverCeiling { spl_db: level }),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `spl` for `ms` in 100 ms steps (the meters' 10 Hz), collecting raised alerts.
    fn run(g: &mut LevelGuard, ms: u64, spl: f64, dialogue: bool) -> Vec<LevelAlert> {
        (0..ms / 100)
            .filter_map(|_| g.update(100, spl, dialogue))
            .collect()
    }

    fn guard() -> LevelGuard {
        LevelGuard::new(LevelGuardConfig::default())
    }

    #[test]
    fn quiet_dialogue_for_ten_seconds_asks_to_turn_up() {
        let mut g = guard();
        assert!(run(&mut g, 9_900, 60.0, true).is_empty());
        assert_eq!(g.state(), None);
        assert_eq!(
            run(&mut g, 100, 60.0, true),
            vec![LevelAlert::TooLow { turn_up_db: 12 }]
        );
        assert_eq!(g.state(), Some(LevelAlert::TooLow { turn_up_db: 12 }));
        // Raised once, not again every update.
        assert!(run(&mut g, 5_000, 60.0, true).is_empty());
    }

    #[test]
    fn only_dialogue_time_counts_toward_too_low() {
        let mut g = guard();
        run(&mut g, 5_000, 60.0, true);
        // A minute of quiet music or silence between lines neither counts nor resets.
        assert!(run(&mut g, 60_000, 50.0, false).is_empty());
        assert!(run(&mut g, 60_000, f64::NEG_INFINITY, true).is_empty());
        assert!(run(&mut g, 4_900, 60.0, true).is_empty());
        assert_eq!(run(&mut g, 100, 60.0, true).len(), 1);
    }

    #[test]
    fn dialogue_back_in_band_restarts_the_count_but_the_hysteresis_zone_holds_it() {
        let mut g = guard();
        run(&mut g, 9_000, 60.0, true);
        run(&mut g, 1_000, 70.0, true); // ≥ 66 + 3: inside, resets
        assert!(run(&mut g, 9_000, 60.0, true).is_empty());
        assert_eq!(g.state(), None);
        let mut g = guard();
        run(&mut g, 9_000, 60.0, true);
        run(&mut g, 1_000, 67.5, true); // between 66 and 69: holds
        assert_eq!(run(&mut g, 1_000, 60.0, true).len(), 1);
    }

    #[test]
    fn too_low_clears_only_after_five_seconds_clearly_in_band() {
        let mut g = guard();
        run(&mut g, 10_000, 60.0, true);
        assert!(g.state().is_some());
        run(&mut g, 60_000, 68.0, true); // in the hysteresis zone
        assert!(matches!(g.state(), Some(LevelAlert::TooLow { .. })));
        run(&mut g, 4_900, 71.0, true);
        assert!(g.state().is_some());
        run(&mut g, 100, 71.0, true);
        assert_eq!(g.state(), None);
    }

    #[test]
    fn turn_up_figure_follows_the_volume() {
        let mut g = guard();
        run(&mut g, 10_000, 58.0, true);
        assert_eq!(g.state(), Some(LevelAlert::TooLow { turn_up_db: 14 }));
        // Turned up a little, still too low: the prompt now asks for less.
        run(&mut g, 10_000, 64.0, true);
        assert_eq!(g.state(), Some(LevelAlert::TooLow { turn_up_db: 8 }));
    }

    #[test]
    fn loud_for_thirty_seconds_then_clears_with_hysteresis() {
        let mut g = guard();
        assert!(run(&mut g, 29_900, 88.0, false).is_empty());
        let raised = run(&mut g, 100, 88.0, false);
        assert_eq!(raised.len(), 1);
        assert!(matches!(raised[0], LevelAlert::Loud { spl_db } if (spl_db - 88.0).abs() < 0.01));
        assert_eq!(raised[0].severity(), Severity::Caution);
        run(&mut g, 60_000, 84.0, false); // under 85 but above 82: still loud
        assert!(matches!(g.state(), Some(LevelAlert::Loud { .. })));
        run(&mut g, 5_000, 81.0, false);
        assert_eq!(g.state(), None);
    }

    #[test]
    fn a_dip_below_the_band_restarts_the_loud_count() {
        let mut g = guard();
        run(&mut g, 25_000, 88.0, false);
        run(&mut g, 100, 70.0, false);
        assert!(run(&mut g, 25_000, 88.0, false).is_empty());
        assert_eq!(run(&mut g, 5_000, 88.0, false).len(), 1);
    }

    #[test]
    fn over_the_ceiling_is_red_and_outranks_loud() {
        let mut g = guard();
        run(&mut g, 30_000, 90.0, false);
        assert!(matches!(g.state(), Some(LevelAlert::Loud { .. })));
        assert!(
            run(&mut g, 900, 103.0, false).is_empty(),
            "one effect is not sustained"
        );
        let raised = run(&mut g, 100, 103.0, false);
        assert!(matches!(
            raised.as_slice(),
            [LevelAlert::OverCeiling { .. }]
        ));
        assert_eq!(raised[0].severity(), Severity::Danger);
        assert!(matches!(g.state(), Some(LevelAlert::OverCeiling { .. })));
        // Back to 90: the ceiling clears after 5 s, loud remains.
        run(&mut g, 5_000, 90.0, false);
        assert!(matches!(g.state(), Some(LevelAlert::Loud { .. })));
    }

    #[test]
    fn a_jump_straight_past_both_thresholds_raises_the_worse() {
        let cfg = LevelGuardConfig {
            loud_after_ms: 1_000,
            ..LevelGuardConfig::default()
        };
        let mut g = LevelGuard::new(cfg);
        assert!(matches!(
            run(&mut g, 1_000, 105.0, false).as_slice(),
            [LevelAlert::OverCeiling { .. }]
        ));
        assert!(matches!(g.state(), Some(LevelAlert::OverCeiling { .. })));
    }

    #[test]
    fn frame_counts_keep_sub_millisecond_remainders() {
        let mut g = guard();
        // 10 s of 44.1 kHz frames in awkward 441-frame blocks (10 ms each, exactly).
        for _ in 0..999 {
            assert!(g.update_frames(441, 44_100, 60.0, true).is_none());
        }
        assert!(matches!(
            g.update_frames(441, 44_100, 60.0, true),
            Some(LevelAlert::TooLow { .. })
        ));
        // 47 frames at 48 kHz is under 1 ms; a thousand of them still add up to 979 ms.
        let mut g = guard();
        for _ in 0..1000 {
            g.update_frames(47, 48_000, 60.0, true);
        }
        assert_eq!(g.too_low.count_ms, 979);
    }

    #[test]
    fn nan_and_silence_never_raise() {
        let mut g = guard();
        assert!(run(&mut g, 120_000, f64::NAN, true).is_empty());
        assert!(run(&mut g, 120_000, f64::NEG_INFINITY, true).is_empty());
        assert_eq!(g.state(), None);
    }

    #[test]
    fn config_from_partial_toml_keeps_the_other_defaults() {
        let cfg: LevelGuardConfig = toml::from_str("loud_above_db = 83.0").expect("toml");
        assert_eq!(cfg.loud_above_db, 83.0);
        assert_eq!(cfg.too_low_after_ms, 10_000);
        assert_eq!(cfg.ceiling_db, 100.0);
    }

    #[test]
    fn messages_are_plain_words_with_the_numbers() {
        assert!(
            LevelAlert::TooLow { turn_up_db: 6 }
                .message()
                .contains("turn up about 6 dB")
        );
        assert!(
            LevelAlert::Loud { spl_db: 88.4 }
                .message()
                .contains("88 dB")
        );
        assert!(
            LevelAlert::OverCeiling { spl_db: 101.0 }
                .message()
                .contains("Turn down now")
        );
    }

    #[test]
    fn reset_forgets() {
        let mut g = guard();
        run(&mut g, 10_000, 60.0, true);
        g.reset();
        assert_eq!(g, guard());
    }
}
