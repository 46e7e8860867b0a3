//! The one plain light a reviewer at home needs: "Too quiet — turn up", "Full but comfortable",
//! "Too loud". It reads the estimated level at the ear of the programme now (the short-term
//! loudness through the chain, see `listening_level`) against the review band of
//! [`LevelGuardConfig`]: below `too_low_below_db` is too quiet, above `loud_above_db` too loud.
//!
//! Unlike the guard's banners, which wait ten seconds of dialogue before nagging, the light
//! answers within seconds so a reviewer can set their volume by it: the level is smoothed over
//! about a short-term window and the light only changes colour once the smoothed level is past a
//! threshold by a small margin (no flicker at the edge). Silence (below the programme gate) and
//! pauses leave it as it was. The advice aims at the middle of the band.

use super::level_guard::LevelGuardConfig;

/// Time constant of the smoothed level, ms.
const SMOOTHING_MS: f64 = 2_000.0;
/// How far past a threshold the smoothed level must go to change the light, dB.
const MARGIN_DB: f64 = 1.0;

/// The light's colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Light {
    TooQuiet,
    Comfortable,
    TooLoud,
}

impl Light {
    /// The words on the light.
    pub fn words(self) -> &'static str {
        match self {
            Self::TooQuiet => "Too quiet — turn up",
            Self::Comfortable => "Full but comfortable",
            Self::TooLoud => "Too loud — turn down",
        }
    }
}

/// The light's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LevelLight {
    light: Option<Light>,
    smoothed: Option<f64>,
}

impl LevelLight {
    /// Starts over (another chain, another file).
    pub fn reset(&mut self) {
        *self = Self::default();
    }

    /// One estimate of the level at the ear, `dt_ms` after the last one. Returns the light.
    pub fn update(&mut self, spl_db: f64, dt_ms: u64, band: &LevelGuardConfig) -> Option<Light> {
        if !spl_db.is_finite() {
            return self.light;
        }
        let alpha = (dt_ms as f64 / SMOOTHING_MS).min(1.0);
        let level = match self.smoothed {
            Some(a) => a + (spl_db - a) * alpha,
            None => spl_db,
        };
        self.smoothed = Some(level);
        let (low, high) = (band.too_low_below_db, band.loud_above_db);
        let margin = if self.light.is_some() { MARGIN_DB } else { 0.0 };
        self.light = Some(match self.light {
            _ if level < low - margin => Light::TooQuiet,
            _ if level > high + margin => Light::TooLoud,
            Some(Light::TooQuiet) if level < low + margin => Light::TooQuiet,
            Some(Light::TooLoud) if level > high - margin => Light::TooLoud,
            _ => Light::Comfortable,
        });
        self.light
    }

    pub fn light(&self) -> Option<Light> {
        self.light
    }

    /// The smoothed level at the ear, dB SPL.
    pub fn level_db(&self) -> Option<f64> {
        self.smoothed
    }

    /// How much to turn up (negative: down) to reach the middle of the band, dB; 0 when
    /// comfortable or not known.
    pub fn change_db(&self, band: &LevelGuardConfig) -> f64 {
        match (self.light, self.smoothed) {
            (Some(Light::TooQuiet | Light::TooLoud), Some(level)) => {
                (band.too_low_below_db + band.loud_above_db) / 2.0 - level
            }
            _ => 0.0,
        }
    }
}

/// How sure an estimate with this ± is, in words.
pub fn sureness(plus_minus_db: f64, upper_bound: bool) -> String {
    let how = if plus_minus_db <= 3.0 {
        "a close estimate"
    } else if plus_minus_db <= 5.0 {
        "a fair estimate"
    } else if plus_minus_db <= 8.0 {
        "a rough estimate"
    } else {
        "a guess"
    };
    let bound = if upper_bound {
        "; the system volume was not read, so it may be quieter than this"
    } else {
        ""
    };
    format!("{how}, within about {plus_minus_db:.0} dB either way{bound}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(light: &mut LevelLight, spl: f64, secs: u64) -> Option<Light> {
        let band = LevelGuardConfig::default();
        let mut out = None;
        for _ in 0..secs * 10 {
            out = light.update(spl, 100, &band);
        }
        out
    }

    #[test]
    fn the_light_follows_the_band_within_seconds_without_flicker() {
        let band = LevelGuardConfig::default();
        let mut l = LevelLight::default();
        assert_eq!(l.light(), None, "nothing heard yet");
        assert_eq!(run(&mut l, 55.0, 3), Some(Light::TooQuiet));
        assert!(
            (l.change_db(&band) - 20.5).abs() < 0.5,
            "to the band's middle: {l:?}"
        );
        // Turned up 20 dB: comfortable within about five seconds.
        assert_eq!(run(&mut l, 75.0, 5), Some(Light::Comfortable));
        assert_eq!(l.change_db(&band), 0.0);
        // Just under the low edge: inside the margin, it stays comfortable.
        assert_eq!(run(&mut l, 65.5, 10), Some(Light::Comfortable));
        assert_eq!(run(&mut l, 64.0, 10), Some(Light::TooQuiet));
        assert_eq!(
            run(&mut l, 66.5, 10),
            Some(Light::TooQuiet),
            "margin on the way back"
        );
        assert_eq!(run(&mut l, 90.0, 10), Some(Light::TooLoud));
        assert!(l.change_db(&band) < -14.0);
        // Silence leaves it be.
        assert_eq!(
            l.update(f64::NEG_INFINITY, 100, &band),
            Some(Light::TooLoud)
        );
        l.reset();
        assert_eq!(l.light(), None);
    }

    #[test]
    fn sureness_is_said_in_words() {
        assert!(sureness(2.5, false).starts_with("a close estimate"));
        assert!(sureness(7.3, false).starts_with("a rough estimate, within about 7 dB"));
        assert!(sureness(7.3, true).contains("not read"));
    }
}
