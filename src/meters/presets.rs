//! Loudness targets a mix is judged against, and the judgement in words.
//!
//! Netflix measures 2.0 mixes dialogue-gated (−27 LKFS ±2, true peak ≤ −2 dBTP); where a
//! programme has under 15 % dialogue its QC falls back to full-programme loudness (−24 ±2), as
//! partner QC does. The others are programme-gated (BS.1770 integrated).

use serde::Serialize;

/// What the target applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// BS.1770 gated integrated loudness of the whole programme.
    Programme,
    /// Speech-gated loudness (our estimate), falling back to programme below 15 % speech.
    Dialogue,
}

/// A delivery target.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Preset {
    pub id: &'static str,
    pub name: &'static str,
    pub measure: Measure,
    pub target_lufs: f64,
    pub tolerance_lu: f64,
    pub max_true_peak_dbtp: f64,
    /// For reference only (streaming music targets): shown, never a failure to deliver.
    pub reference_only: bool,
}

/// Every preset, the default first.
pub const PRESETS: [Preset; 6] = [
    Preset {
        id: "netflix",
        name: "Netflix 2.0",
        measure: Measure::Dialogue,
        target_lufs: -27.0,
        tolerance_lu: 2.0,
        max_true_peak_dbtp: -2.0,
        reference_only: false,
    },
    Preset {
        id: "ebu-r128",
        name: "EBU R128",
        measure: Measure::Programme,
        target_lufs: -23.0,
        tolerance_lu: 0.5,
        max_true_peak_dbtp: -1.0,
        reference_only: false,
    },
    Preset {
        id: "atsc-a85",
        name: "ATSC A/85",
        measure: Measure::Programme,
        target_lufs: -24.0,
        tolerance_lu: 2.0,
        max_true_peak_dbtp: -2.0,
        reference_only: false,
    },
    Preset {
        id: "streaming-14",
        name: "Streaming −14",
        measure: Measure::Programme,
        target_lufs: -14.0,
        tolerance_lu: 1.0,
        max_true_peak_dbtp: -1.0,
        reference_only: true,
    },
    Preset {
        id: "streaming-16",
        name: "Streaming −16",
        measure: Measure::Programme,
        target_lufs: -16.0,
        tolerance_lu: 1.0,
        max_true_peak_dbtp: -1.0,
        reference_only: true,
    },
    Preset {
        id: "none",
        name: "No target",
        measure: Measure::Programme,
        target_lufs: -23.0,
        tolerance_lu: f64::INFINITY,
        max_true_peak_dbtp: f64::INFINITY,
        reference_only: true,
    },
];

/// Below this share of speech, a dialogue-gated target is judged on the programme instead.
pub const MIN_SPEECH_FRACTION: f64 = 0.15;
/// Netflix's full-programme fallback: −24 LKFS ±2.
const PROGRAMME_FALLBACK: (f64, f64) = (-24.0, 2.0);

impl Preset {
    /// The preset with `id` (case-insensitive; also its name).
    pub fn by_id(id: &str) -> Option<Preset> {
        PRESETS
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(id) || p.name.eq_ignore_ascii_case(id))
            .copied()
    }

    /// Ids, for messages.
    pub fn ids() -> String {
        PRESETS.iter().map(|p| p.id).collect::<Vec<_>>().join(", ")
    }

    /// Judges measured values against this target.
    pub fn judge(&self, m: &Measured) -> Verdict {
        let mut problems = Vec::new();
        let (label, value, target, tol) = match (self.measure, m.dialogue_lufs) {
            (Measure::Dialogue, Some(d)) if m.speech_fraction >= MIN_SPEECH_FRACTION => (
                "Dialogue (estimate)",
                Some(d),
                self.target_lufs,
                self.tolerance_lu,
            ),
            (Measure::Dialogue, _) => (
                "Programme (under 15 % dialogue, so full-programme)",
                m.integrated_lufs,
                PROGRAMME_FALLBACK.0,
                PROGRAMME_FALLBACK.1,
            ),
            (Measure::Programme, _) => (
                "Integrated",
                m.integrated_lufs,
                self.target_lufs,
                self.tolerance_lu,
            ),
        };
        let loudness_ok = match value {
            None => {
                problems.push(format!("{label}: no programme above −70 LUFS (silence)"));
                false
            }
            Some(v) => {
                let off = v - target;
                if off.abs() > tol + 1e-9 {
                    problems.push(format!(
                        "{label} {v:.1} LUFS is {:.1} LU {} the {} target {target:.0} ±{tol}",
                        off.abs(),
                        if off > 0.0 { "above" } else { "below" },
                        self.name
                    ));
                    false
                } else {
                    true
                }
            }
        };
        let peak_ok = m.true_peak_dbtp <= self.max_true_peak_dbtp + 1e-9;
        if !peak_ok {
            problems.push(format!(
                "True peak {:.1} dBTP is over the {} ceiling {:.0} dBTP",
                m.true_peak_dbtp, self.name, self.max_true_peak_dbtp
            ));
        }
        Verdict {
            pass: loudness_ok && peak_ok,
            loudness_ok,
            peak_ok,
            judged_on: label,
            problems,
        }
    }
}

/// The numbers a verdict is made from.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Measured {
    pub integrated_lufs: Option<f64>,
    pub dialogue_lufs: Option<f64>,
    pub speech_fraction: f64,
    pub true_peak_dbtp: f64,
}

/// Pass or fail, and why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub pass: bool,
    pub loudness_ok: bool,
    pub peak_ok: bool,
    pub judged_on: &'static str,
    pub problems: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(i: f64, d: Option<f64>, speech: f64, tp: f64) -> Measured {
        Measured {
            integrated_lufs: Some(i),
            dialogue_lufs: d,
            speech_fraction: speech,
            true_peak_dbtp: tp,
        }
    }

    #[test]
    fn netflix_judges_dialogue_and_true_peak() {
        let p = Preset::by_id("netflix").expect("preset");
        assert!(p.judge(&measured(-24.0, Some(-27.5), 0.4, -3.0)).pass);
        let v = p.judge(&measured(-24.0, Some(-24.5), 0.4, -1.5));
        assert!(!v.pass && !v.loudness_ok && !v.peak_ok);
        assert!(v.problems[0].contains("2.5 LU above"), "{:?}", v.problems);
        assert!(v.problems[1].contains("-1.5 dBTP"), "{:?}", v.problems);
    }

    #[test]
    fn netflix_falls_back_to_programme_with_little_dialogue() {
        let p = Preset::by_id("Netflix 2.0").expect("preset");
        let v = p.judge(&measured(-24.5, Some(-30.0), 0.05, -3.0));
        assert!(v.pass, "{v:?}");
        assert!(v.judged_on.starts_with("Programme"));
    }

    #[test]
    fn r128_tolerance_is_half_a_lu() {
        let p = Preset::by_id("ebu-r128").expect("preset");
        assert!(p.judge(&measured(-23.4, None, 0.0, -1.0)).pass);
        assert!(!p.judge(&measured(-22.4, None, 0.0, -3.0)).pass);
        assert!(Preset::by_id("nope").is_none());
    }
}
