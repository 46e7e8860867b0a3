//! The listening monitor: turns what is playing into "how loud is it at the ears", keeps the
//! reviewer in the review band, and counts the weekly listening dose.
//!
//! Each UI frame it is handed the player's snapshot (gain, mute, transport) and the newest live
//! meter reading. From the output chain (the recognised or declared headphones and what drives
//! them, or a level calibration) it estimates the SPL at the ear for the short-term loudness
//! (`G_ear + S`, see `headphones::listening_level`). While the programme plays at 1× and is not
//! muted, the estimate feeds the band guard (too low / loud / over the ceiling) and the dose log;
//! paused, shuttling or muted, nothing reaches the ears and nothing is counted.
//!
//! Time comes from the meters, not the wall clock: the guard and the dose advance by the
//! programme time metered since the last frame (`MeterSnapshot::seconds`), so a window that
//! paints irregularly, or a paused one that does not paint at all, counts exactly what played.
//!
//! "Dialogue is playing", for the too-low prompt, is the live voice detector on the meter
//! thread (the dialogue estimate's detector: speech in a third of the last second,
//! `MeterSnapshot::speech`), so quiet music or effects do not ask the reviewer to turn up; the
//! view says so ([`DIALOGUE_BASIS`]).
//!
//! The dose record is loaded when the monitor is made, saved after every minute of counted
//! listening and when the caller asks (on exit); problems are kept for the caller to show once.
//!
//! Without a calibration the estimate still stands when the headphones are known: an output
//! with no profile is taken to give about 1 Vrms at full scale (headphones.md §2: "many are
//! around 1 Vrms or less"), a guess the ± says (±6 dB for it alone), and the system volume, read
//! from the sound server ([`crate::audio::output::system_volume`]), takes the place of "at full
//! volume". From that the level light ([`crate::headphones::LevelLight`]) tells the reviewer
//! too quiet, full but comfortable, or too loud, with advice in the units of their volume
//! control and how sure the estimate is, in words.

use super::transport::{Snapshot, Transport};
use crate::audio::output::SystemVolume;
use crate::headphones::dose::{DoseLog, Loaded};
use crate::headphones::level_light::sureness;
use crate::headphones::listening_level::{
    Chain, EarLevelInputs, Estimate, LevelCalibration, Missing, SourceDrive, SpecSensitivity,
    VoltageBasis, ear_spl_estimate,
};
use crate::headphones::{LevelAlert, LevelGuard, LevelGuardConfig, LevelLight, Light, Recognition};
use crate::meters::MeterSnapshot;
use std::path::{Path, PathBuf};

/// The dose record's file name in Earmark's data folder.
pub const DOSE_FILE: &str = "listening_dose.json";
/// Counted listening between saves of the dose record, ms: a crash loses at most this much.
pub const SAVE_EVERY_MS: u64 = 60_000;
/// Short-term loudness below which nothing counts as dialogue, whatever the detector says
/// (loudness.md §6: the prompt is judged only while speech plays, above −50 LUFS).
pub const PROGRAMME_GATE_LUFS: f64 = -50.0;
/// What the too-low prompt is judged on, for people.
pub const DIALOGUE_BASIS: &str = "Too-low is judged only while the voice detector hears \
     speech (an estimate), so quiet music or effects do not ask you to turn up.";

/// Full-scale output of a wired output Earmark has no profile for, Vrms (a guess: see the
/// module docs).
pub const UNKNOWN_OUTPUT_VRMS: f64 = 1.0;

/// `listening_dose.json` in Earmark's data folder (`~/.local/share/earmark` on Linux).
pub fn default_dose_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "earmark").map(|d| d.data_dir().join(DOSE_FILE))
}

/// The chain's gain for the estimate: a calibration when there is one, else the headphone's
/// sensitivity and the full-scale voltage of what drives it (the declared amplifier, else the
/// recognised output). Bluetooth has no voltage to speak of: its level needs a calibration.
pub fn chain_for(recognition: &Recognition, calibration: Option<&LevelCalibration>) -> Chain {
    if let Some(c) = calibration {
        return Chain::Calibrated(c.clone());
    }
    let hp = recognition.headphones.as_ref().map(|h| &h.profile);
    let sensitivity = hp
        .and_then(|h| h.db_spl_per_v.as_ref())
        .map(|s| SpecSensitivity {
            db_per_v: s.value,
            verified: s.verified,
        });
    let impedance_ohm = hp.and_then(|h| h.impedance_ohm.as_ref()).map(|z| z.value);
    let driver = recognition
        .amplifier
        .as_ref()
        .or(recognition.output.as_ref().map(|o| &o.profile))
        .filter(|_| recognition.bluetooth.is_none());
    let source = driver
        .and_then(|d| {
            let v = d.full_scale_vrms(impedance_ohm)?;
            Some(SourceDrive {
                vrms_full_scale: v.value,
                output_impedance_ohm: d.output_impedance_ohm.as_ref().map(|z| z.value),
                // An unchecked figure is treated as a guess: the wider ± is the honest one.
                basis: if v.verified {
                    VoltageBasis::Published
                } else {
                    VoltageBasis::Typical
                },
            })
        })
        // A wired output with no profile: the typical figure, as a guess.
        .or_else(|| {
            recognition.bluetooth.is_none().then_some(SourceDrive {
                vrms_full_scale: UNKNOWN_OUTPUT_VRMS,
                output_impedance_ohm: None,
                basis: VoltageBasis::Typical,
            })
        });
    Chain::Specs {
        sensitivity,
        impedance_ohm,
        source,
    }
}

/// What the UI draws: a plain copy, refreshed by [`ListeningMonitor::update`].
#[derive(Clone, Debug, PartialEq)]
pub struct ListeningView {
    /// The level at the ear for the short-term loudness now, or what the estimate lacks.
    pub estimate: Result<Estimate, Vec<Missing>>,
    /// The band alert in force, if any.
    pub alert: Option<LevelAlert>,
    /// Share of the WHO/ITU-T H.870 weekly allowance (80 dB(A) × 40 h) used in the last 7 days.
    pub dose_percent: f64,
    /// The guard and the dose are running (playing at 1×, sound on, not muted).
    pub counting: bool,
    pub muted: bool,
    /// The chain's gain comes from a level calibration.
    pub calibrated: bool,
    /// The level light (`None`: nothing heard through a known chain yet).
    pub light: Option<Light>,
    /// What to do about it, in the units of the reviewer's volume control.
    pub advice: Option<String>,
    /// How sure the estimate behind the light is, in words.
    pub sureness: Option<String>,
    /// The system volume of the output, or why it was not read (`None`: not asked yet).
    pub system_volume: Option<Result<SystemVolume, String>>,
}

impl Default for ListeningView {
    fn default() -> Self {
        Self {
            estimate: Err(vec![Missing::ProgrammeLevel]),
            alert: None,
            dose_percent: 0.0,
            counting: false,
            muted: false,
            calibrated: false,
            light: None,
            advice: None,
            sureness: None,
            system_volume: None,
        }
    }
}

/// The listening monitor (see the module docs).
#[derive(Debug)]
pub struct ListeningMonitor {
    chain: Chain,
    guard: LevelGuard,
    light: LevelLight,
    /// The system volume of the output in use, as last read.
    volume: Option<Result<SystemVolume, String>>,
    dose: DoseLog,
    dose_path: Option<PathBuf>,
    /// Counted listening since the dose was last saved, ms.
    unsaved_ms: u64,
    /// Meter time at the last update, s, and the sub-millisecond remainder carried on.
    last_seconds: Option<f64>,
    carry_ms: f64,
    view: ListeningView,
    problems: Vec<String>,
}

impl ListeningMonitor {
    /// A monitor with the band in `config`, its dose record at `dose_path` (`None`: kept in
    /// memory only, as in tests) loaded now, for day `today` (UTC day number).
    pub fn new(config: LevelGuardConfig, dose_path: Option<PathBuf>, today: i64) -> Self {
        let mut problems = Vec::new();
        let dose = match dose_path.as_deref().map(DoseLog::load) {
            None => DoseLog::new(),
            Some(Ok(Loaded { log, set_aside })) => {
                problems.extend(set_aside.map(|s| s.message()));
                log
            }
            Some(Err(e)) => {
                problems.push(e.to_string());
                DoseLog::new()
            }
        };
        let view = ListeningView {
            dose_percent: dose.percent_this_week(today),
            ..ListeningView::default()
        };
        Self {
            chain: Chain::Specs {
                sensitivity: None,
                impedance_ohm: None,
                source: None,
            },
            guard: LevelGuard::new(config),
            light: LevelLight::default(),
            volume: None,
            dose,
            dose_path,
            unsaved_ms: 0,
            last_seconds: None,
            carry_ms: 0.0,
            view,
            problems,
        }
    }

    /// A new output chain (device, headphones, amplifier or calibration changed): the band
    /// guard starts over, the dose carries on.
    pub fn set_chain(&mut self, recognition: &Recognition, calibration: Option<&LevelCalibration>) {
        let chain = chain_for(recognition, calibration);
        if chain != self.chain {
            self.chain = chain;
            self.guard.reset();
            self.light.reset();
        }
    }

    /// The system volume of the output in use, as last read (or why it could not be).
    pub fn set_system_volume(&mut self, reading: Option<Result<SystemVolume, String>>) {
        self.volume = reading;
    }

    /// One step: the player's state and the newest meter reading (`None` for a file without
    /// sound), on day `today`.
    pub fn update(&mut self, player: &Snapshot, meters: Option<&MeterSnapshot>, today: i64) {
        let volume: Option<SystemVolume> =
            self.volume.as_ref().and_then(|r| r.as_ref().ok()).cloned();
        let volume = volume.as_ref();
        let system_muted = volume.is_some_and(|v| v.muted);
        let Some(m) = meters else {
            self.last_seconds = None;
            self.view = ListeningView {
                dose_percent: self.dose.percent_this_week(today),
                muted: player.muted || system_muted,
                calibrated: matches!(self.chain, Chain::Calibrated(_)),
                system_volume: self.volume.clone(),
                ..ListeningView::default()
            };
            return;
        };
        let elapsed_ms = self.elapsed_ms(m.seconds);
        let estimate = ear_spl_estimate(&EarLevelInputs {
            chain: self.chain.clone(),
            earmark_gain_db: f64::from(player.gain_db),
            device_volume_db: volume.map(|v| v.db),
            programme_lufs: m.short_term,
        });
        let counting = player.has_audio
            && !player.muted
            && !system_muted
            && player.transport == Transport::Playing { speed: 1 };
        // The light waits for a full short-term window (3 s metered): a window still filling
        // reads low and would advise turning up too far.
        if counting
            && elapsed_ms > 0
            && m.seconds >= 3.0
            && m.short_term > PROGRAMME_GATE_LUFS
            && let Ok(e) = &estimate
        {
            self.light.update(e.spl_db, elapsed_ms, self.guard.config());
        }
        if counting && elapsed_ms > 0 {
            match &estimate {
                Ok(e) => {
                    let dialogue = m.speech && m.short_term > PROGRAMME_GATE_LUFS;
                    self.guard.update(elapsed_ms, e.spl_db, dialogue);
                    self.dose.add(e.spl_db, elapsed_ms, today);
                    self.unsaved_ms += elapsed_ms;
                }
                // Silence with a known chain: time passes quietly, so a loud alert can clear.
                Err(missing) if missing.as_slice() == [Missing::ProgrammeLevel] => {
                    self.guard.update(elapsed_ms, f64::NEG_INFINITY, false);
                }
                Err(_) => {}
            }
        }
        if self.unsaved_ms >= SAVE_EVERY_MS {
            self.save();
        }
        let light = self.light.light();
        let change_db = self.light.change_db(self.guard.config());
        let advice = light.map(|l| advice(l, change_db, volume));
        let sureness = estimate
            .as_ref()
            .ok()
            .filter(|_| light.is_some())
            .map(|e| sureness(e.plus_minus_db, e.upper_bound));
        self.view = ListeningView {
            estimate,
            alert: self.guard.state(),
            dose_percent: self.dose.percent_this_week(today),
            counting,
            muted: player.muted || system_muted,
            calibrated: matches!(self.chain, Chain::Calibrated(_)),
            light,
            advice,
            sureness,
            system_volume: self.volume.clone(),
        };
    }

    /// Programme time metered since the last update, whole ms. A meter reset (the count went
    /// back) starts the count again from the new reading.
    fn elapsed_ms(&mut self, seconds: f64) -> u64 {
        let previous = self.last_seconds.replace(seconds);
        match previous {
            Some(p) if seconds >= p => {
                let ms = (seconds - p) * 1000.0 + self.carry_ms;
                let whole = ms.floor();
                self.carry_ms = ms - whole;
                whole as u64
            }
            _ => {
                self.carry_ms = 0.0;
                0
            }
        }
    }

    pub fn view(&self) -> &ListeningView {
        &self.view
    }

    /// The dose record as it stands (for tests and reports).
    pub fn dose(&self) -> &DoseLog {
        &self.dose
    }

    pub fn dose_path(&self) -> Option<&Path> {
        self.dose_path.as_deref()
    }

    /// Saves the dose record now (on exit; [`update`](Self::update) saves every minute of
    /// listening by itself). A failure is kept for [`take_problems`](Self::take_problems).
    pub fn save(&mut self) {
        self.unsaved_ms = 0;
        let Some(path) = &self.dose_path else {
            return;
        };
        match self.dose.save(path) {
            Ok(aside) => self.problems.extend(aside.map(|s| s.message())),
            Err(e) => self.problems.push(e.to_string()),
        }
    }

    /// Problems with the dose record since last asked, in words, to show once.
    pub fn take_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }
}

/// What to do about the light, in the units the reviewer has: the system volume slider's
/// percentage and volume-key presses when the volume was read, else dB.
pub fn advice(light: Light, change_db: f64, volume: Option<&SystemVolume>) -> String {
    if light == Light::Comfortable {
        return "Keep the volume here.".to_owned();
    }
    let way = if change_db > 0.0 { "up" } else { "down" };
    let Some(v) = volume else {
        return format!("Turn {way} about {:.0} dB.", change_db.abs());
    };
    let target = v.percent_for_change(change_db);
    if target > 100.5 {
        // The system volume alone cannot get there: what is left goes to Earmark's gain.
        let left_db = change_db - 60.0 * (100.0 / v.percent.max(0.1)).log10();
        return format!(
            "Turn the system volume up to 100 % (now {:.0} %) and Earmark's output gain up \
             about {left_db:.0} dB, or use a headphone amplifier.",
            v.percent
        );
    }
    let steps = v
        .key_step_percent
        .map(|s| ((target - v.percent) / s).abs().round())
        .filter(|&n| n >= 1.0)
        .map(|n| {
            format!(
                ", about {n:.0} volume-key press{}",
                if n == 1.0 { "" } else { "es" }
            )
        })
        .unwrap_or_default();
    format!(
        "Set the system volume to about {target:.0} % (now {:.0} %){steps}.",
        v.percent
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headphones::{Catalog, Declaration, DeviceInfo, recognise};

    const DAY: i64 = 20_000;

    fn hd650_on_builtin_jack() -> Recognition {
        let catalog = Catalog::load_standard().catalog;
        let declared = Declaration {
            headphones: Some("sennheiser.hd650".into()),
            amplifier: None,
        };
        recognise(
            &catalog,
            &DeviceInfo::named("Built-in Audio Analog Stereo"),
            Some(&declared),
        )
    }

    fn playing(gain_db: f32) -> Snapshot {
        Snapshot {
            transport: Transport::Playing { speed: 1 },
            gain_db,
            has_audio: true,
            ..Snapshot::default()
        }
    }

    /// A meter reading with speech heard (the dialogue the too-low prompt waits for).
    fn reading(seconds: f64, short_term: f64) -> MeterSnapshot {
        MeterSnapshot {
            seconds,
            short_term,
            momentary: short_term,
            speech: true,
            ..MeterSnapshot::default()
        }
    }

    fn monitor() -> ListeningMonitor {
        let mut m = ListeningMonitor::new(LevelGuardConfig::default(), None, DAY);
        m.set_chain(&hd650_on_builtin_jack(), None);
        m
    }

    /// Runs `secs` seconds of programme at `lufs` in 100 ms meter steps from `from` seconds.
    fn run(m: &mut ListeningMonitor, player: &Snapshot, from: f64, secs: f64, lufs: f64) -> f64 {
        let steps = (secs * 10.0).round() as u64;
        for i in 0..=steps {
            m.update(player, Some(&reading(from + i as f64 * 0.1, lufs)), DAY);
        }
        from + steps as f64 * 0.1
    }

    fn spl(m: &ListeningMonitor) -> f64 {
        m.view().estimate.as_ref().expect("estimate").spl_db
    }

    fn volume(percent: f64) -> Option<Result<SystemVolume, String>> {
        Some(Ok(SystemVolume {
            sink: "usb".into(),
            percent,
            db: 60.0 * (percent / 100.0).log10(),
            muted: false,
            key_step_percent: Some(5.0),
            source: "test",
        }))
    }

    #[test]
    fn the_light_needs_no_calibration_and_advises_in_volume_percent() {
        let catalog = Catalog::load_standard().catalog;
        let declared = Declaration {
            headphones: Some("sony.mdr7506".into()),
            amplifier: None,
        };
        let chain = recognise(
            &catalog,
            &DeviceInfo::named("USB Audio CODEC"),
            Some(&declared),
        );
        let mut m = ListeningMonitor::new(LevelGuardConfig::default(), None, DAY);
        m.set_chain(&chain, None);
        m.set_system_volume(volume(20.0));
        let t = run(&mut m, &playing(0.0), 0.0, 5.0, -20.0);
        let v = m.view().clone();
        assert_eq!(v.light, Some(Light::TooQuiet), "{v:?}");
        // 118 dB/V, 1 V guessed, −41.9 dB at 20 %, −20 LUFS: 56.1 dB SPL; 75.5 wanted.
        let advice = v.advice.expect("advice");
        assert!(
            advice.starts_with("Set the system volume to about 42 % (now 20 %)"),
            "{advice}"
        );
        assert!(advice.contains("about 4 volume-key presses"), "{advice}");
        let sure = v.sureness.expect("sureness");
        // Unchecked sensitivity (±5) and a guessed voltage (±6): √70 ≈ 8.4 dB.
        assert!(sure.starts_with("a guess, within about 8 dB"), "{sure}");
        m.set_system_volume(volume(42.0));
        run(&mut m, &playing(0.0), t, 8.0, -20.0);
        assert_eq!(m.view().light, Some(Light::Comfortable));
        assert_eq!(m.view().advice.as_deref(), Some("Keep the volume here."));
        // Volume not read: advice in dB, and the estimate is "at most".
        m.set_system_volume(Some(Err("pactl is not installed".into())));
        run(&mut m, &playing(0.0), t + 8.0, 8.0, -20.0);
        assert_eq!(m.view().light, Some(Light::TooLoud));
        assert!(
            m.view()
                .advice
                .as_deref()
                .is_some_and(|a| a.starts_with("Turn down about"))
        );
        assert!(
            m.view()
                .sureness
                .as_deref()
                .is_some_and(|s| s.contains("not read"))
        );
    }

    #[test]
    fn the_estimate_moves_by_exactly_the_gain_change() {
        let mut m = monitor();
        m.update(&playing(0.0), Some(&reading(1.0, -23.0)), DAY);
        let at_unity = spl(&m);
        // HD 650 (103 dB/V) on a 1 Vrms jack: G_ear 103, so −23 LUFS plays at about 80.
        assert!((at_unity - 80.0).abs() < 1e-9, "{at_unity}");
        m.update(&playing(-7.5), Some(&reading(1.1, -23.0)), DAY);
        assert!((spl(&m) - (at_unity - 7.5)).abs() < 1e-9);
        m.update(&playing(-8.0), Some(&reading(1.2, -23.0)), DAY);
        let label = m.view().estimate.as_ref().expect("estimate").label();
        // Upper bound: the system volume is not read.
        assert!(label.starts_with("≤ 72 dB SPL (estimate, ±"), "{label}");
    }

    #[test]
    fn quiet_music_without_speech_never_asks_to_turn_up() {
        let mut m = monitor();
        for i in 0..=300 {
            let r = MeterSnapshot {
                speech: false,
                ..reading(i as f64 * 0.1, -23.0)
            };
            m.update(&playing(-20.0), Some(&r), DAY);
        }
        assert_eq!(m.view().alert, None, "30 s of quiet music, no speech");
    }

    #[test]
    fn quiet_dialogue_raises_turn_up_and_loud_programme_the_alerts() {
        let mut m = monitor();
        // −20 dB of Earmark gain: −23 LUFS plays at about 60 dB, under the 66 dB band.
        let t = run(&mut m, &playing(-20.0), 0.0, 9.0, -23.0);
        assert_eq!(m.view().alert, None, "needs 10 s of dialogue first");
        let t = run(&mut m, &playing(-20.0), t, 2.0, -23.0);
        match m.view().alert {
            Some(LevelAlert::TooLow { turn_up_db }) => {
                assert!((11..=13).contains(&turn_up_db), "{turn_up_db}")
            }
            other => panic!("expected too-low, got {other:?}"),
        }
        // +3 dB gain: −5 LUFS plays at about 101 dB, over the 100 dB ceiling within a second.
        run(&mut m, &playing(3.0), t, 1.5, -5.0);
        assert!(
            matches!(m.view().alert, Some(LevelAlert::OverCeiling { .. })),
            "{:?}",
            m.view().alert
        );
    }

    #[test]
    fn sustained_loud_programme_warns_after_thirty_seconds() {
        let mut m = monitor();
        // −14 LUFS at unity: about 89 dB, over the 85 dB "loud" line, under the ceiling.
        let t = run(&mut m, &playing(0.0), 0.0, 29.0, -14.0);
        assert_eq!(m.view().alert, None);
        run(&mut m, &playing(0.0), t, 2.0, -14.0);
        assert!(matches!(m.view().alert, Some(LevelAlert::Loud { .. })));
    }

    #[test]
    fn dose_counts_only_while_playing_and_unmuted() {
        let mut m = monitor();
        let paused = Snapshot {
            transport: Transport::Paused,
            ..playing(0.0)
        };
        let muted = Snapshot {
            muted: true,
            ..playing(0.0)
        };
        let shuttle = Snapshot {
            transport: Transport::Playing { speed: 2 },
            ..playing(0.0)
        };
        let mut t = 0.0;
        for p in [&paused, &muted, &shuttle] {
            t = run(&mut m, p, t, 10.0, -23.0);
        }
        assert_eq!(m.dose().percent_this_week(DAY), 0.0);
        assert!(!m.view().counting);
        // One hour at 80 dB SPL (−23 LUFS at unity) is 1/40 of the weekly allowance: 2.5 %.
        run(&mut m, &playing(0.0), t, 3600.0, -23.0);
        let pct = m.view().dose_percent;
        assert!((pct - 2.5).abs() < 0.01, "{pct}");
        assert!(m.view().counting);
        // A meter reset sends the count back: no time is invented or lost beyond that step.
        m.update(&playing(0.0), Some(&reading(0.0, -23.0)), DAY);
        m.update(&playing(0.0), Some(&reading(0.1, -23.0)), DAY);
        assert!(m.view().dose_percent > pct && m.view().dose_percent < pct + 0.001);
    }

    #[test]
    fn dose_is_kept_across_launches() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(DOSE_FILE);
        let mut m = ListeningMonitor::new(LevelGuardConfig::default(), Some(path.clone()), DAY);
        m.set_chain(&hd650_on_builtin_jack(), None);
        // 61 s of listening saves by itself.
        run(&mut m, &playing(0.0), 0.0, 61.0, -23.0);
        assert!(path.exists(), "not saved after a minute");
        run(&mut m, &playing(0.0), 61.0, 10.0, -23.0);
        m.save();
        let before = m.view().dose_percent;
        assert!(m.take_problems().is_empty());
        let again = ListeningMonitor::new(LevelGuardConfig::default(), Some(path), DAY);
        assert!((again.view().dose_percent - before).abs() < 1e-12);
        assert!(before > 0.0);
    }

    #[test]
    fn unknown_headphones_say_what_is_missing_and_count_nothing() {
        let catalog = Catalog::load_standard().catalog;
        let r = recognise(&catalog, &DeviceInfo::named("Review"), None);
        let mut m = ListeningMonitor::new(LevelGuardConfig::default(), None, DAY);
        m.set_chain(&r, None);
        run(&mut m, &playing(0.0), 0.0, 5.0, -23.0);
        let missing = m.view().estimate.clone().expect_err("no chain");
        assert!(missing.contains(&Missing::Sensitivity), "{missing:?}");
        assert_eq!(m.dose().percent_this_week(DAY), 0.0);
    }

    #[test]
    fn a_calibration_replaces_the_specs() {
        let cal = LevelCalibration {
            headphone_id: "sennheiser.hd650".into(),
            device_id: "Review".into(),
            ear_gain_db: 99.0,
            device_volume_db: None,
            method: crate::headphones::listening_level::CalibrationMethod::SoundLevelMeter,
        };
        let mut m = monitor();
        m.set_chain(&hd650_on_builtin_jack(), Some(&cal));
        m.update(&playing(0.0), Some(&reading(1.0, -27.0)), DAY);
        assert!((spl(&m) - 72.0).abs() < 1e-9);
        assert!(m.view().calibrated);
        assert!(!m.view().estimate.as_ref().expect("estimate").upper_bound);
    }
}
