//! How loud the programme is at the reviewer's ears, as an honest estimate: the chain's gain from
//! headphone sensitivity and source voltage (or from a one-time calibration), plus Earmark's gain,
//! plus the programme's loudness, with a ± that says how far off it may be and the assumptions
//! behind it. Pure functions; the figures come from headphones.md §5 and loudness.md §5–6. The
//! dB/mW ↔ dB/V conversions live with the profiles (`profile::db_per_v_from_db_per_mw`); the
//! worked examples below check them against the headphone table.
//!
//! ## The chain
//!
//! `G_ear` is the SPL at each ear of a 0 dBFS sine in each channel:
//!
//! `G_ear = S_V + 20·log10(V_FS) + 20·log10(Z / (Z + R_s)) + g_device + g_earmark`
//!
//! with `S_V` the sensitivity in dB SPL for 1 Vrms, `V_FS` the source's unloaded RMS output for a
//! full-scale sine, `R_s` its output impedance into the headphone's `Z` (the divider term, used
//! when both are known), and the OS/amp volume and Earmark's gain in dB.
//!
//! ## From LUFS to dB SPL
//!
//! BS.1770 reads a 0 dBFS 997 Hz sine in one channel as −3.01 LUFS, so the same sine in both
//! channels reads 0 LUFS and puts `G_ear` at each ear. A stereo programme with equally loud
//! channels measuring `L` LUFS therefore gives `SPL_ear ≈ G_ear + L` (loudness.md §5.3). This is
//! exact for mid-band tones; for programme, K-weighting is not the A-weighting a sound level meter
//! (or the dose rule) uses, which is one of the ± terms below.
//!
//! Earmark's reference pink noise at −20 dBFS RMS (`20·log10(RMS)`, see `signals`) measures
//! −19.3 LUFS per channel and −16.3 LUFS in both, so it plays at ≈ `G_ear − 16.3`. (Its spectrum
//! is exactly 1/f up to 20 kHz, where K-weighting adds 4 dB; the FFmpeg `anoisesrc` pink noise
//! of loudness.md §5.1 read 0.4 dB *under* its RMS, so pink noises differ by about a dB here.
//! A calibration uses the loudness of the signal actually played, `SignalLoop::stereo_lufs`.)
//! headphones.md's "≈ 83 dB SPL" example for an HD 650 at 1 Vrms takes −20 dBFS straight as the
//! programme level; in LUFS terms the same noise plays at ≈ 86.7.
//!
//! ## The ± model
//!
//! Each input that is not exact contributes a half-width in dB (a plausible range, not a
//! standard deviation). The inputs are independent, so the headline ± is their root sum of
//! squares; the worst case (plain sum) is kept alongside. A spec sensitivity from a verified data
//! sheet is ±3 dB (sample spread, coupler vs ear, single frequency: headphones.md §5); an
//! unverified one ±5 (the HD 600's dB/V vs dB/mW confusion is 5.2 dB at 300 Ω). A source voltage is
//! ±0.5 measured, ±1.5 published, ±6 guessed. Fit and seal ±2 (±1 after a calibration made with
//! the same headphones on the same head). LUFS standing in for dB(A) SPL ±2. A calibration with a
//! sound level meter on a coupler is ±1.5; matching a loudspeaker room by ear (EBU Tech 3343 §8.2,
//! which says no satisfactory measurement exists) ±3. With a verified profile and a published
//! source voltage this gives ±4.4 dB (±4.5 with the source impedance unknown), within
//! headphones.md's "treat the estimate as ±5 dB".

use super::profile::db_per_v_from_db_per_mw;
use serde::{Deserialize, Serialize};

/// dB SPL at the ear for a 0 dBFS sine in both channels (`G_ear`) that matches the default
/// review room: Netflix's 79 dB calibrated room, −20 dBFS RMS pink = 79 dBC per speaker
/// (loudness.md §5.1, §6).
pub const REFERENCE_EAR_GAIN_DB: f64 = 99.0;
/// Netflix's dialogue-gated target (loudness.md §4.1): −27 LKFS.
pub const DIALOGUE_TARGET_LUFS: f64 = -27.0;
/// Headroom the chain should have over the reference before Earmark calls it comfortable: room
/// for the ± of the estimate and for a quiet mix, without running the OS volume at the top.
pub const DRIVE_MARGIN_DB: f64 = 6.0;

/// Half-widths of the ± model, dB (see the module docs for where each comes from).
pub mod plus_minus {
    pub const SENSITIVITY_VERIFIED: f64 = 3.0;
    pub const SENSITIVITY_UNVERIFIED: f64 = 5.0;
    pub const VOLTAGE_MEASURED: f64 = 0.5;
    pub const VOLTAGE_PUBLISHED: f64 = 1.5;
    pub const VOLTAGE_TYPICAL: f64 = 6.0;
    /// One of source or load impedance unknown, so the divider is left out.
    pub const DIVIDER_UNKNOWN: f64 = 1.0;
    pub const FIT: f64 = 2.0;
    pub const FIT_AFTER_CALIBRATION: f64 = 1.0;
    pub const LOUDNESS_AS_SPL: f64 = 2.0;
    pub const CALIBRATION_METER: f64 = 1.5;
    pub const CALIBRATION_LOUDSPEAKER_MATCH: f64 = 3.0;
    /// "Full but comfortable" judged by ear with nothing to compare: people's comfortable
    /// levels spread by several dB (this module's choice, wider than a room match).
    pub const CALIBRATION_BY_EAR: f64 = 5.0;
}

/// Reference rooms a review level can be matched to: their `G_ear` (loudness.md §5.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferenceRoom {
    /// EBU Tech 3343 §8.2: 73 dBC per speaker for −23 LUFS noise → `G_ear` ≈ 96.
    Ebu,
    /// Netflix 79 dB room (the default) → `G_ear` ≈ 99.
    #[default]
    Netflix79,
    /// Netflix 82 dB room → `G_ear` ≈ 102.
    Netflix82,
}

impl ReferenceRoom {
    pub fn ear_gain_db(self) -> f64 {
        match self {
            Self::Ebu => 96.0,
            Self::Netflix79 => REFERENCE_EAR_GAIN_DB,
            Self::Netflix82 => 102.0,
        }
    }
}

/// Level lost (≤ 0 dB) by a source of output impedance `source_ohm` driving `load_ohm`.
pub fn divider_db(load_ohm: f64, source_ohm: f64) -> f64 {
    20.0 * (load_ohm / (load_ohm + source_ohm)).log10()
}

/// The "1/8 rule": the load should be at least eight times the source impedance, or the
/// headphone's impedance curve colours its frequency response (headphones.md §5).
pub fn source_impedance_ok(load_ohm: f64, source_ohm: f64) -> bool {
    load_ohm >= 8.0 * source_ohm
}

/// RMS volts needed for `spl_db` from headphones of `db_per_v`.
pub fn volts_for_spl(spl_db: f64, db_per_v: f64) -> f64 {
    10f64.powf((spl_db - db_per_v) / 20.0)
}

/// Power in mW of `vrms` into `impedance_ohm`.
pub fn milliwatts(vrms: f64, impedance_ohm: f64) -> f64 {
    1000.0 * vrms * vrms / impedance_ohm
}

/// A headphone's sensitivity for the estimate, normalised to the voltage basis (the profile's
/// `Sensitivity` keeps the figure as published).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpecSensitivity {
    /// dB SPL for 1 Vrms.
    pub db_per_v: f64,
    /// Checked against the manufacturer's data sheet (headphones.md's "U" marks are not).
    pub verified: bool,
}

impl SpecSensitivity {
    /// From a dB SPL/mW figure (beyerdynamic, Sony, Audio-Technica, Shure, Audeze).
    pub fn from_db_per_mw(db_per_mw: f64, impedance_ohm: f64, verified: bool) -> Self {
        Self {
            db_per_v: db_per_v_from_db_per_mw(db_per_mw, impedance_ohm),
            verified,
        }
    }
}

/// Where a source voltage figure comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VoltageBasis {
    /// Measured on this unit.
    Measured,
    /// The maker's or a measured review's figure for the model (Apple's 1.25 / 3 Vrms).
    Published,
    /// A guess for the kind of device ("laptop jacks are around 1 Vrms").
    Typical,
}

/// What drives the headphones.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SourceDrive {
    /// Unloaded RMS output for a full-scale sine at maximum device volume. If the figure is
    /// already "into this headphone's impedance", leave `output_impedance_ohm` as `None`.
    pub vrms_full_scale: f64,
    pub output_impedance_ohm: Option<f64>,
    pub basis: VoltageBasis,
}

/// Divider loss when both impedances are known, else 0.
fn loss_db(drive: &SourceDrive, load_ohm: Option<f64>) -> f64 {
    match (load_ohm, drive.output_impedance_ohm) {
        (Some(z), Some(rs)) if z > 0.0 && rs >= 0.0 => divider_db(z, rs),
        _ => 0.0,
    }
}

/// Highest sine SPL the source can drive the headphones to: `S_V + 20·log10(V_FS)` less the
/// divider loss. Compare with the review reference for the "needs an amplifier" warning.
pub fn max_spl_db(sensitivity_db_per_v: f64, drive: &SourceDrive, load_ohm: Option<f64>) -> f64 {
    sensitivity_db_per_v + 20.0 * drive.vrms_full_scale.log10() + loss_db(drive, load_ohm)
}

/// Whether a source can drive headphones to the review reference.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DriveVerdict {
    /// At least [`DRIVE_MARGIN_DB`] to spare.
    Enough { spare_db: f64 },
    /// Reaches the reference, but only near full volume.
    Marginal { spare_db: f64 },
    /// Cannot reach the reference at all: an amplifier is needed.
    NeedsAmp { short_by_db: f64 },
}

impl DriveVerdict {
    /// Compares the chain's `max_spl_db` (a 0 dBFS sine) with the reference `G_ear`.
    pub fn judge(max_spl_db: f64, reference_ear_gain_db: f64) -> Self {
        let spare_db = max_spl_db - reference_ear_gain_db;
        if spare_db < 0.0 {
            Self::NeedsAmp {
                short_by_db: -spare_db,
            }
        } else if spare_db < DRIVE_MARGIN_DB {
            Self::Marginal { spare_db }
        } else {
            Self::Enough { spare_db }
        }
    }

    pub fn message(self) -> String {
        match self {
            Self::Enough { spare_db } => {
                format!("Enough drive: about {spare_db:.0} dB above the review level.")
            }
            Self::Marginal { spare_db } => format!(
                "Only about {spare_db:.0} dB above the review level: expect to run the volume \
                 near the top. An amplifier is advisable."
            ),
            Self::NeedsAmp { short_by_db } => format!(
                "This output cannot reach the review level with these headphones (about \
                 {short_by_db:.0} dB short). Use a headphone amplifier."
            ),
        }
    }
}

/// How a calibration was made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CalibrationMethod {
    /// A sound level meter on a coupler or ear simulator read the SPL of the reference noise.
    SoundLevelMeter,
    /// The reviewer matched the headphones by ear to a calibrated loudspeaker room (EBU Tech
    /// 3343 §8.2), and gave the SPL the room plays that noise at.
    LoudspeakerMatch,
    /// No meter and no room: the reviewer set the reference noise to "full but comfortable"
    /// by ear, taken as the review room's reference level for it (`REFERENCE_EAR_GAIN_DB`).
    /// The fallback where the system volume cannot be read or the output is unknown.
    ByEar,
}

impl CalibrationMethod {
    fn plus_minus_db(self) -> f64 {
        match self {
            Self::SoundLevelMeter => plus_minus::CALIBRATION_METER,
            Self::LoudspeakerMatch => plus_minus::CALIBRATION_LOUDSPEAKER_MATCH,
            Self::ByEar => plus_minus::CALIBRATION_BY_EAR,
        }
    }
}

/// A one-time level calibration of one headphone on one output device: the chain's `G_ear`
/// at Earmark gain 0 dB, found by observation, standing in for sensitivity and source voltage.
/// Stored by whoever keeps user state, keyed by [`calibration_key`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LevelCalibration {
    pub headphone_id: String,
    pub device_id: String,
    /// `G_ear` at Earmark gain 0 dB and the device volume below: the offset the estimate uses.
    pub ear_gain_db: f64,
    /// OS/amp volume at calibration time, if it could be read; later changes are then allowed
    /// for, otherwise the volume is assumed untouched.
    #[serde(default)]
    pub device_volume_db: Option<f64>,
    pub method: CalibrationMethod,
}

/// Key for one headphone on one device, for storing calibrations in a map.
pub fn calibration_key(headphone_id: &str, device_id: &str) -> String {
    format!("{headphone_id}@{device_id}")
}

impl LevelCalibration {
    /// Calibration from one observation: a signal whose stereo BS.1770 loudness is
    /// `signal_stereo_lufs` (e.g. `SignalLoop::stereo_lufs` of the reference noise) played at
    /// Earmark gain `earmark_gain_db` and was observed at `observed_spl_db` at the ear (the meter
    /// reading, or the room's SPL for that noise when matched by ear).
    pub fn from_observation(
        headphone_id: &str,
        device_id: &str,
        method: CalibrationMethod,
        observed_spl_db: f64,
        signal_stereo_lufs: f64,
        earmark_gain_db: f64,
        device_volume_db: Option<f64>,
    ) -> Self {
        Self {
            headphone_id: headphone_id.to_owned(),
            device_id: device_id.to_owned(),
            ear_gain_db: observed_spl_db - signal_stereo_lufs - earmark_gain_db,
            device_volume_db,
            method,
        }
    }

    pub fn key(&self) -> String {
        calibration_key(&self.headphone_id, &self.device_id)
    }
}

/// How the chain's gain is known.
#[derive(Clone, Debug, PartialEq)]
pub enum Chain {
    /// From the headphone profile and the output-device profile; `None` for what is not known.
    Specs {
        sensitivity: Option<SpecSensitivity>,
        impedance_ohm: Option<f64>,
        source: Option<SourceDrive>,
    },
    /// From a level calibration of this headphone on this device.
    Calibrated(LevelCalibration),
}

/// Everything the estimate needs.
#[derive(Clone, Debug, PartialEq)]
pub struct EarLevelInputs {
    pub chain: Chain,
    /// Earmark's own output gain, dB (exact).
    pub earmark_gain_db: f64,
    /// OS/amp volume in dB relative to the source's maximum, if it could be read.
    pub device_volume_db: Option<f64>,
    /// Stereo BS.1770 loudness of what is playing (short-term, integrated or dialogue, as the
    /// caller wants the level of), LUFS.
    pub programme_lufs: f64,
}

/// An input the estimate cannot do without.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Missing {
    Sensitivity,
    /// Unknown source voltage: a level calibration supplies it.
    SourceVoltage,
    /// Silence or no reading yet.
    ProgrammeLevel,
}

impl Missing {
    pub fn message(self) -> &'static str {
        match self {
            Self::Sensitivity => "the headphones' sensitivity is not known",
            Self::SourceVoltage => {
                "the output's voltage is not known: run the level calibration once"
            }
            Self::ProgrammeLevel => "nothing is playing",
        }
    }
}

/// One thing the estimate takes on trust, with what it adds to the ±.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Assumption {
    /// Sensitivity taken from a spec sheet (checked or not).
    SensitivityFromSpec { verified: bool },
    /// Source voltage from a measurement, a published figure or a guess.
    SourceVoltage(VoltageBasis),
    /// One of source or load impedance unknown: the divider loss is left out.
    DividerUnknown,
    /// The device volume was not read: the estimate is for full volume, an upper bound.
    DeviceVolumeNotRead,
    /// The chain's gain comes from a calibration.
    Calibrated(CalibrationMethod),
    /// Device volume, amplifier and headphones assumed unchanged since the calibration.
    UnchangedSinceCalibration,
    /// How the headphones sit and seal on this head.
    Fit { calibrated: bool },
    /// K-weighted loudness standing in for A-weighted SPL.
    LoudnessAsSpl,
}

impl Assumption {
    pub fn plus_minus_db(self) -> f64 {
        use plus_minus as pm;
        match self {
            Self::SensitivityFromSpec { verified: true } => pm::SENSITIVITY_VERIFIED,
            Self::SensitivityFromSpec { verified: false } => pm::SENSITIVITY_UNVERIFIED,
            Self::SourceVoltage(VoltageBasis::Measured) => pm::VOLTAGE_MEASURED,
            Self::SourceVoltage(VoltageBasis::Published) => pm::VOLTAGE_PUBLISHED,
            Self::SourceVoltage(VoltageBasis::Typical) => pm::VOLTAGE_TYPICAL,
            Self::DividerUnknown => pm::DIVIDER_UNKNOWN,
            Self::DeviceVolumeNotRead | Self::UnchangedSinceCalibration => 0.0,
            Self::Calibrated(method) => method.plus_minus_db(),
            Self::Fit { calibrated: false } => pm::FIT,
            Self::Fit { calibrated: true } => pm::FIT_AFTER_CALIBRATION,
            Self::LoudnessAsSpl => pm::LOUDNESS_AS_SPL,
        }
    }

    /// The assumption in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::SensitivityFromSpec { verified: true } => {
                "headphone sensitivity from the maker's data sheet"
            }
            Self::SensitivityFromSpec { verified: false } => {
                "headphone sensitivity from an unchecked figure"
            }
            Self::SourceVoltage(VoltageBasis::Measured) => "output voltage measured",
            Self::SourceVoltage(VoltageBasis::Published) => "output voltage as published",
            Self::SourceVoltage(VoltageBasis::Typical) => {
                "output voltage guessed for this kind of device"
            }
            Self::DividerUnknown => "loss in the output's impedance not known",
            Self::DeviceVolumeNotRead => {
                "system volume not read: this is the level at full volume, so at most"
            }
            Self::Calibrated(CalibrationMethod::SoundLevelMeter) => {
                "calibrated with a sound level meter"
            }
            Self::Calibrated(CalibrationMethod::LoudspeakerMatch) => {
                "calibrated by matching a loudspeaker room by ear"
            }
            Self::Calibrated(CalibrationMethod::ByEar) => {
                "reference noise set by ear to full but comfortable (no meter)"
            }
            Self::UnchangedSinceCalibration => {
                "system volume and amplifier as they were at calibration"
            }
            Self::Fit { .. } => "fit and seal of the headphones",
            Self::LoudnessAsSpl => "loudness (LUFS) standing in for sound level (dBA)",
        }
    }
}

/// The estimated level at the ear.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub spl_db: f64,
    /// Root sum of squares of the assumptions' half-widths.
    pub plus_minus_db: f64,
    /// Plain sum of the half-widths: every input wrong the same way.
    pub worst_case_db: f64,
    /// The device volume was not read, so the true level is at most this (and likely lower).
    pub upper_bound: bool,
    pub assumptions: Vec<Assumption>,
}

impl Estimate {
    /// "≈ 72 dB SPL (estimate, ±4 dB)", "≤ …" when only an upper bound.
    pub fn label(&self) -> String {
        let sign = if self.upper_bound { "≤" } else { "≈" };
        format!(
            "{sign} {:.0} dB SPL (estimate, ±{:.0} dB)",
            self.spl_db, self.plus_minus_db
        )
    }
}

/// The chain's `G_ear` (at the inputs' gains) and the assumptions it rests on.
fn ear_gain(inputs: &EarLevelInputs) -> Result<(f64, Vec<Assumption>), Vec<Missing>> {
    let mut assumptions = Vec::new();
    let gain = match &inputs.chain {
        Chain::Specs {
            sensitivity,
            impedance_ohm,
            source,
        } => {
            let mut missing = Vec::new();
            if sensitivity.is_none() {
                missing.push(Missing::Sensitivity);
            }
            if source.is_none() {
                missing.push(Missing::SourceVoltage);
            }
            let (Some(sens), Some(drive)) = (sensitivity, source) else {
                return Err(missing);
            };
            assumptions.push(Assumption::SensitivityFromSpec {
                verified: sens.verified,
            });
            assumptions.push(Assumption::SourceVoltage(drive.basis));
            if impedance_ohm.is_none() || drive.output_impedance_ohm.is_none() {
                assumptions.push(Assumption::DividerUnknown);
            }
            let device = match inputs.device_volume_db {
                Some(v) => v,
                None => {
                    assumptions.push(Assumption::DeviceVolumeNotRead);
                    0.0
                }
            };
            assumptions.push(Assumption::Fit { calibrated: false });
            max_spl_db(sens.db_per_v, drive, *impedance_ohm) + device
        }
        Chain::Calibrated(cal) => {
            assumptions.push(Assumption::Calibrated(cal.method));
            let device = match (cal.device_volume_db, inputs.device_volume_db) {
                (Some(then), Some(now)) => now - then,
                _ => {
                    assumptions.push(Assumption::UnchangedSinceCalibration);
                    0.0
                }
            };
            assumptions.push(Assumption::Fit { calibrated: true });
            cal.ear_gain_db + device
        }
    };
    Ok((gain + inputs.earmark_gain_db, assumptions))
}

/// Estimated SPL at each ear for the programme, with its ± and assumptions, or what is missing.
pub fn ear_spl_estimate(inputs: &EarLevelInputs) -> Result<Estimate, Vec<Missing>> {
    let chain = ear_gain(inputs);
    let programme_ok = inputs.programme_lufs.is_finite();
    let (gain, mut assumptions) = match chain {
        Ok(g) if programme_ok => g,
        Ok(_) => return Err(vec![Missing::ProgrammeLevel]),
        Err(mut missing) => {
            if !programme_ok {
                missing.push(Missing::ProgrammeLevel);
            }
            return Err(missing);
        }
    };
    assumptions.push(Assumption::LoudnessAsSpl);
    let widths = assumptions.iter().map(|a| a.plus_minus_db());
    let plus_minus_db = widths.clone().map(|w| w * w).sum::<f64>().sqrt();
    let worst_case_db = widths.sum();
    Ok(Estimate {
        spl_db: gain + inputs.programme_lufs,
        plus_minus_db,
        worst_case_db,
        upper_bound: assumptions.contains(&Assumption::DeviceVolumeNotRead),
        assumptions,
    })
}

#[cfg(test)]
mod tests {
    use super::super::profile::db_per_mw_from_db_per_v;
    use super::*;

    fn near(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    const MAC_LOW_Z: SourceDrive = SourceDrive {
        vrms_full_scale: 1.25,
        output_impedance_ohm: None,
        basis: VoltageBasis::Published,
    };
    const MAC_HIGH_Z: SourceDrive = SourceDrive {
        vrms_full_scale: 3.0,
        output_impedance_ohm: None,
        basis: VoltageBasis::Published,
    };

    #[test]
    fn sensitivity_conversions_match_the_headphone_table() {
        // headphones.md §1: (model, dB/mW, Z, ≈dB/V).
        for (model, mw, z, v) in [
            ("DT 770 PRO 80", 96.0, 80.0, 107.0),
            ("DT 770 PRO 250", 96.0, 250.0, 102.0),
            ("DT 1990 PRO", 102.0, 250.0, 108.0),
            ("MDR-7506", 106.0, 63.0, 118.0),
            ("ATH-M50x", 99.0, 38.0, 113.2),
            ("SINE", 110.0, 20.0, 127.0),
            ("SRH1840", 96.0, 65.0, 107.9),
            ("LCD-2", 101.0, 70.0, 112.5),
            ("LCD-4", 97.0, 200.0, 104.0),
        ] {
            let got = db_per_v_from_db_per_mw(mw, z);
            assert!(near(got, v, 0.05), "{model}: {got:.2} dB/V, table {v}");
            assert!(near(db_per_mw_from_db_per_v(got, z), mw, 1e-9));
        }
        // loudness.md §5.3: 0.318 Vrms for 94 dB SPL is 104 dB/V, 100.76 dB/mW at 474 Ω.
        let volts: f64 = 318.0 / 1000.0;
        let per_v = 94.0 - 20.0 * volts.log10();
        assert!(near(per_v, 104.0, 0.05));
        assert!(near(db_per_mw_from_db_per_v(104.0, 474.0), 100.76, 0.01));
    }

    #[test]
    fn max_spl_from_a_mac_jack_matches_the_worked_examples() {
        // headphones.md §5: 1.25 V below 150 Ω, 3 V from 150 Ω up.
        for (model, per_v, z, max_spl, v_85) in [
            ("HD 600", 97.0, 300.0, 106.5, 0.25),
            ("HD 650", 103.0, 300.0, 112.5, 0.13),
            ("HD 800", 102.0, 300.0, 111.5, 0.14),
            ("LCD-4", 104.0, 200.0, 113.5, 0.11),
            ("DT 990 PRO 250", 102.0, 250.0, 111.6, 0.14),
            ("DT 770 PRO 80", 107.0, 80.0, 108.9, 0.08),
            ("MDR-7506", 118.0, 63.0, 119.9, 0.02),
            ("SINE", 127.0, 20.0, 128.9, 0.008),
        ] {
            let drive = if z < 150.0 { MAC_LOW_Z } else { MAC_HIGH_Z };
            let got = max_spl_db(per_v, &drive, Some(z));
            // The table rounds its dB/V figures to 0.1 dB, hence the tolerance.
            assert!(near(got, max_spl, 0.1), "{model}: {got:.2} dB SPL");
            let v = volts_for_spl(85.0, per_v);
            assert!(near(v, v_85, v_85 * 0.15), "{model}: {v:.3} V for 85 dB");
        }
    }

    #[test]
    fn output_impedance_divides_the_voltage() {
        // Apogee Groove (~20 Ω, headphones.md §2) into a 20 Ω Audeze SINE: half the voltage.
        assert!(near(divider_db(20.0, 20.0), -6.02, 0.01));
        assert!(!source_impedance_ok(20.0, 20.0));
        // An ALC1150's 37 Ω into an HD 600's 300 Ω costs about 1 dB and passes the 1/8 rule.
        assert!(near(divider_db(300.0, 37.0), -1.01, 0.01));
        assert!(source_impedance_ok(300.0, 37.0));
        let groove = SourceDrive {
            vrms_full_scale: 1.0,
            output_impedance_ohm: Some(20.0),
            basis: VoltageBasis::Typical,
        };
        assert!(near(max_spl_db(127.0, &groove, Some(20.0)), 120.98, 0.01));
        // Without the load impedance the divider cannot be applied.
        assert!(near(max_spl_db(127.0, &groove, None), 127.0, 1e-9));
        // 1 V into 300 Ω is 3.33 mW.
        assert!(near(milliwatts(1.0, 300.0), 3.333, 0.001));
    }

    #[test]
    fn hd600_on_a_1_volt_output_at_netflix_dialogue_level() {
        // 97 dB/V + 20·log10(1.0) + 0 dB gain + (−27 LUFS) = 70 dB SPL at each ear.
        let inputs = EarLevelInputs {
            chain: Chain::Specs {
                sensitivity: Some(SpecSensitivity {
                    db_per_v: 97.0,
                    verified: false,
                }),
                impedance_ohm: Some(300.0),
                source: Some(SourceDrive {
                    vrms_full_scale: 1.0,
                    output_impedance_ohm: None,
                    basis: VoltageBasis::Published,
                }),
            },
            earmark_gain_db: 0.0,
            device_volume_db: Some(0.0),
            programme_lufs: -27.0,
        };
        let e = ear_spl_estimate(&inputs).expect("estimate");
        assert!(near(e.spl_db, 70.0, 1e-9));
        // Unverified sensitivity 5, published voltage 1.5, divider 1, fit 2, LUFS-as-SPL 2.
        let rss = (25.0f64 + 2.25 + 1.0 + 4.0 + 4.0).sqrt();
        assert!(near(e.plus_minus_db, rss, 1e-9), "{}", e.plus_minus_db);
        assert!(near(e.worst_case_db, 11.5, 1e-9));
        assert!(!e.upper_bound);
        assert_eq!(e.label(), "≈ 70 dB SPL (estimate, ±6 dB)");
        // 2 dB short of the 79 dB-room reference at full volume: needs an amplifier.
        let max = max_spl_db(
            97.0,
            &SourceDrive {
                vrms_full_scale: 1.0,
                ..MAC_LOW_Z
            },
            None,
        );
        assert_eq!(
            DriveVerdict::judge(max, REFERENCE_EAR_GAIN_DB),
            DriveVerdict::NeedsAmp { short_by_db: 2.0 }
        );
    }

    #[test]
    fn macbook_with_100_db_per_volt_headphones() {
        // loudness.md §5.3: G_ear ≈ 101.9 at full volume; −27 dialogue ≈ 75, −14 music ≈ 88.
        let chain = Chain::Specs {
            sensitivity: Some(SpecSensitivity {
                db_per_v: 100.0,
                verified: true,
            }),
            impedance_ohm: Some(32.0),
            source: Some(MAC_LOW_Z),
        };
        let at = |lufs| {
            ear_spl_estimate(&EarLevelInputs {
                chain: chain.clone(),
                earmark_gain_db: 0.0,
                device_volume_db: None,
                programme_lufs: lufs,
            })
            .expect("estimate")
        };
        let dialogue = at(-27.0);
        assert!(near(dialogue.spl_db, 74.9, 0.05));
        assert!(near(at(-14.0).spl_db, 87.9, 0.05));
        assert!(dialogue.upper_bound, "volume not read: at most");
        assert!(dialogue.label().starts_with("≤ 75 dB SPL"));
        // Verified 3, published 1.5, divider 1, fit 2, LUFS 2: ±4.5.
        assert!(near(dialogue.plus_minus_db, 4.5, 1e-9));
        assert!(matches!(
            DriveVerdict::judge(max_spl_db(100.0, &MAC_LOW_Z, Some(32.0)), 99.0),
            DriveVerdict::Marginal { .. }
        ));
    }

    #[test]
    fn reference_pink_noise_through_an_hd650() {
        // −20 dBFS RMS pink in both channels reads ≈ −16.3 LUFS stereo; at 1 Vrms into 103 dB/V
        // that is ≈ 86.7 dB SPL (headphones.md's 83 takes −20 dBFS straight as the level).
        let e = ear_spl_estimate(&EarLevelInputs {
            chain: Chain::Specs {
                sensitivity: Some(SpecSensitivity {
                    db_per_v: 103.0,
                    verified: false,
                }),
                impedance_ohm: Some(300.0),
                source: Some(SourceDrive {
                    vrms_full_scale: 1.0,
                    output_impedance_ohm: Some(0.0),
                    basis: VoltageBasis::Measured,
                }),
            },
            earmark_gain_db: 0.0,
            device_volume_db: Some(0.0),
            programme_lufs: -16.3,
        })
        .expect("estimate");
        assert!(near(e.spl_db, 86.7, 1e-9));
        assert!(!e.assumptions.contains(&Assumption::DividerUnknown));
    }

    #[test]
    fn calibration_replaces_the_unknown_source_voltage() {
        // Without a source voltage there is no estimate, only a request to calibrate.
        let unknown = EarLevelInputs {
            chain: Chain::Specs {
                sensitivity: Some(SpecSensitivity {
                    db_per_v: 102.0,
                    verified: true,
                }),
                impedance_ohm: Some(300.0),
                source: None,
            },
            earmark_gain_db: 0.0,
            device_volume_db: None,
            programme_lufs: -24.0,
        };
        assert_eq!(
            ear_spl_estimate(&unknown),
            Err(vec![Missing::SourceVoltage])
        );

        // A meter read 85.5 dB on noise of −17.55 LUFS stereo at Earmark gain −6 dB, system
        // volume −12 dB: G_ear at gain 0 and that volume is 85.5 + 17.55 + 6 = 109.05.
        let cal = LevelCalibration::from_observation(
            "sennheiser.hd800",
            "alsa:Realtek",
            CalibrationMethod::SoundLevelMeter,
            85.5,
            -17.55,
            -6.0,
            Some(-12.0),
        );
        assert!(near(cal.ear_gain_db, 109.05, 1e-9));
        assert_eq!(cal.key(), "sennheiser.hd800@alsa:Realtek");
        // Later: gain −10, volume turned down 4 dB more, programme −24 LUFS → 71.05.
        let e = ear_spl_estimate(&EarLevelInputs {
            chain: Chain::Calibrated(cal.clone()),
            earmark_gain_db: -10.0,
            device_volume_db: Some(-16.0),
            programme_lufs: -24.0,
        })
        .expect("estimate");
        assert!(near(e.spl_db, 71.05, 1e-9));
        // Meter 1.5, fit after calibration 1, LUFS-as-SPL 2.
        assert!(near(e.plus_minus_db, (2.25f64 + 1.0 + 4.0).sqrt(), 1e-9));
        assert!(
            !e.assumptions
                .contains(&Assumption::UnchangedSinceCalibration)
        );
        // Volume unreadable now: assumed unchanged, and said so.
        let e = ear_spl_estimate(&EarLevelInputs {
            chain: Chain::Calibrated(cal.clone()),
            earmark_gain_db: 0.0,
            device_volume_db: None,
            programme_lufs: -27.0,
        })
        .expect("estimate");
        assert!(near(e.spl_db, 82.05, 1e-9));
        assert!(
            e.assumptions
                .contains(&Assumption::UnchangedSinceCalibration)
        );
        // It survives storage.
        let json = serde_json::to_string(&cal).expect("json");
        let back: LevelCalibration = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, cal);
    }

    #[test]
    fn loudspeaker_match_to_the_ebu_room_gives_its_ear_gain() {
        // EBU noise is −23 LUFS per channel (−19.99 LUFS stereo); matched to a room that plays it
        // at 73 dBC puts G_ear at ≈ 93 for the dual-mono signal, with the ±3 of a match by ear.
        let cal = LevelCalibration::from_observation(
            "h",
            "d",
            CalibrationMethod::LoudspeakerMatch,
            73.0,
            -19.99,
            0.0,
            None,
        );
        assert!(near(cal.ear_gain_db, 92.99, 1e-9));
        let e = ear_spl_estimate(&EarLevelInputs {
            chain: Chain::Calibrated(cal),
            earmark_gain_db: 0.0,
            device_volume_db: None,
            programme_lufs: -19.99,
        })
        .expect("estimate");
        assert!(near(e.spl_db, 73.0, 1e-9), "the match reproduces itself");
        assert!(near(e.plus_minus_db, (9.0f64 + 1.0 + 4.0).sqrt(), 1e-9));
    }

    #[test]
    fn missing_inputs_are_all_named() {
        let e = ear_spl_estimate(&EarLevelInputs {
            chain: Chain::Specs {
                sensitivity: None,
                impedance_ohm: None,
                source: None,
            },
            earmark_gain_db: 0.0,
            device_volume_db: None,
            programme_lufs: f64::NEG_INFINITY,
        });
        assert_eq!(
            e,
            Err(vec![
                Missing::Sensitivity,
                Missing::SourceVoltage,
                Missing::ProgrammeLevel
            ])
        );
        for m in [
            Missing::Sensitivity,
            Missing::SourceVoltage,
            Missing::ProgrammeLevel,
        ] {
            assert!(!m.message().is_empty());
        }
    }

    #[test]
    fn reference_rooms() {
        assert_eq!(
            ReferenceRoom::default().ear_gain_db(),
            REFERENCE_EAR_GAIN_DB
        );
        // Dialogue at the Netflix target in the default room: 72 dB SPL (loudness.md §6).
        assert_eq!(REFERENCE_EAR_GAIN_DB + DIALOGUE_TARGET_LUFS, 72.0);
        assert_eq!(ReferenceRoom::Ebu.ear_gain_db(), 96.0);
        assert_eq!(ReferenceRoom::Netflix82.ear_gain_db(), 102.0);
    }
}
