//! The window's side of the calibration checks: opens the wizard for the headphones and device
//! in use, turns its actions into player commands, saves the finished record, and answers the
//! status bar's question "did this set-up pass, and when?".
//!
//! Kept out of `app.rs` so the shell only wires it in: one field, one call per frame.

use super::calibration_wizard::{CalibrationWizard, WizardAction, WizardSetup};
use crate::headphones::calibration_store::now_unix_s;
use crate::headphones::{CalibrationRecord, CalibrationStatus, CalibrationStore, CheckSignal};
use crate::player::Command;
use eframe::egui;
use std::path::Path;

/// Rate the level signals are measured at for a level calibration (their loudness does not
/// depend on it beyond a few hundredths of a dB).
const MEASURE_RATE: u32 = 48_000;

/// The wizard (while open) and the store of results.
pub struct CalibrationChecks {
    wizard: Option<CalibrationWizard>,
    store: CalibrationStore,
    /// Whether the store has a file (`None` path: in memory only, as in tests).
    persistent: bool,
    /// The headphones + device whose stored trim and level were last put in force.
    restored_for: Option<(String, String)>,
}

/// What a stored calibration puts back in force for a chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Restore {
    /// The balance trim to apply (0 when the chain has no record).
    pub balance_db: f32,
    pub level: Option<crate::headphones::LevelCalibration>,
}

/// What a frame of the wizard asks of the window.
#[derive(Debug, Default)]
pub struct CalibrationOutput {
    pub commands: Vec<Command>,
    /// A record was saved (or failed to be: the message says).
    pub saved: Option<CalibrationRecord>,
    pub message: Option<String>,
}

impl CalibrationChecks {
    /// Opens the store at `path` (`None`: in memory). A damaged file is set aside; the second
    /// value says so, for a banner.
    pub fn new(path: Option<&Path>) -> (Self, Option<String>) {
        let (store, problem) = match path {
            None => (CalibrationStore::empty(Path::new("")), None),
            Some(p) => match CalibrationStore::open(p) {
                Ok((s, aside)) => (s, aside.map(|a| format!("Calibration records: {a}"))),
                Err(e) => (CalibrationStore::empty(p), Some(e.to_string())),
            },
        };
        (
            Self {
                wizard: None,
                store,
                persistent: path.is_some(),
                restored_for: None,
            },
            problem,
        )
    }

    pub fn is_open(&self) -> bool {
        self.wizard.is_some()
    }

    /// Opens the wizard for `headphone` (id and name) on `device` at output gain `gain_db`.
    /// The wizard starts centred, so the returned command takes any stored trim off the
    /// output: what is heard must be what its slider shows (a re-run used to keep applying the
    /// old trim while showing and saving 0.0 dB).
    #[must_use = "the output must lose the old trim while the wizard shows 0 dB"]
    pub fn open(
        &mut self,
        headphone: (&str, &str),
        device: &str,
        gain_db: f32,
        device_volume_db: Option<f64>,
    ) -> Command {
        let lufs = |s: CheckSignal| s.generate(MEASURE_RATE).ok().map(|l| l.stereo_lufs());
        self.wizard = Some(CalibrationWizard::new(WizardSetup {
            headphone_id: headphone.0.to_owned(),
            headphone_name: headphone.1.to_owned(),
            device_name: device.to_owned(),
            gain_db,
            reference_lufs: lufs(CheckSignal::ReferenceLevel),
            ebu_match_lufs: lufs(CheckSignal::EbuMatch),
            date_unix_s: now_unix_s(),
            device_volume_db,
        }));
        Command::SetBalance(0.0)
    }

    /// Draws the wizard if open and maps what it asks for.
    pub fn show(&mut self, ctx: &egui::Context) -> CalibrationOutput {
        let mut out = CalibrationOutput::default();
        let Some(wizard) = self.wizard.as_mut() else {
            return out;
        };
        match wizard.show(ctx) {
            None => {}
            Some(WizardAction::Play(s)) => out.commands.push(Command::PlaySignal(s)),
            Some(WizardAction::PlayThrough(s, m)) => {
                out.commands.push(Command::PlaySignalThrough(s, m));
            }
            Some(WizardAction::Stop) => out.commands.push(Command::StopSignal),
            Some(WizardAction::SetBalance(db)) => out.commands.push(Command::SetBalance(db)),
            Some(WizardAction::Cancelled) => {
                // Cancelling changes nothing: the chain's stored trim (if any) is back in force.
                let (id, device) = wizard.chain();
                let stored = self
                    .store
                    .get(id, device)
                    .map_or(0.0, |r| r.balance_trim_db);
                out.commands.push(Command::StopSignal);
                out.commands.push(Command::SetBalance(stored));
                self.wizard = None;
            }
            Some(WizardAction::Finished(record)) => {
                // The trim that centred the image stays on (sent again, so the output holds
                // exactly what was saved), and comes back next launch.
                out.commands.push(Command::StopSignal);
                out.commands
                    .push(Command::SetBalance(record.balance_trim_db));
                self.restored_for = Some((record.headphone_id.clone(), record.device_name.clone()));
                self.store.insert(record.clone());
                if self.persistent
                    && let Err(e) = self.store.save()
                {
                    out.message = Some(format!("Calibration not saved: {e}"));
                }
                out.saved = Some(record);
                self.wizard = None;
            }
        }
        out
    }

    /// When the chain in use becomes `headphone` on `device` (at start, or on a change of
    /// device or headphones), what its stored calibration puts back: the balance trim that
    /// centred it and its level calibration. `None` while the chain stays the same, or while
    /// the wizard is open (it sets the trim itself).
    pub fn restore_for(&mut self, headphone: &str, device: &str) -> Option<Restore> {
        let key = (headphone.to_owned(), device.to_owned());
        if self.wizard.is_some() || self.restored_for.as_ref() == Some(&key) {
            return None;
        }
        self.restored_for = Some(key);
        let record = self.store.get(headphone, device);
        Some(Restore {
            balance_db: record.map_or(0.0, |r| r.balance_trim_db),
            level: record.and_then(|r| r.level.clone()),
        })
    }

    /// A new player (another file) starts without a trim: put the stored one back next frame.
    pub fn forget_restore(&mut self) {
        self.restored_for = None;
    }

    /// Whether `headphone` on `device` passed calibration, now.
    pub fn status(&self, headphone: Option<&str>, device: &str) -> CalibrationStatus {
        self.store.status(headphone, device, now_unix_s())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(trim: f32) -> CalibrationRecord {
        CalibrationRecord {
            headphone_id: "sennheiser.hd650".into(),
            device_name: "Review".into(),
            date_unix_s: now_unix_s(),
            results: Vec::new(),
            balance_trim_db: trim,
            reference_gain_db: None,
            level: None,
            app_version: "test".into(),
        }
    }

    #[test]
    fn a_stored_trim_comes_back_once_per_chain_and_again_for_a_new_player() {
        let (mut c, problem) = CalibrationChecks::new(None);
        assert_eq!(problem, None);
        c.store.insert(record(-0.4));
        let r = c
            .restore_for("sennheiser.hd650", "Review")
            .expect("first frame");
        assert_eq!(r.balance_db, -0.4);
        assert_eq!(
            c.restore_for("sennheiser.hd650", "Review"),
            None,
            "same chain"
        );
        // Another device has no record: the trim goes back to 0.
        let r = c
            .restore_for("sennheiser.hd650", "USB DAC")
            .expect("new chain");
        assert_eq!(r.balance_db, 0.0);
        let r = c
            .restore_for("sennheiser.hd650", "Review")
            .expect("back again");
        assert_eq!(r.balance_db, -0.4);
        c.forget_restore();
        assert!(
            c.restore_for("sennheiser.hd650", "Review").is_some(),
            "new player"
        );
    }

    /// The balance in force on the output after `commands` (what the last trim sent set).
    fn trim_in_force(start: f32, commands: &[Command]) -> f32 {
        commands.iter().fold(start, |t, c| match c {
            Command::SetBalance(db) => *db,
            _ => t,
        })
    }

    /// Drives the wizard to its end with the keyboard, answering "heard right" throughout and
    /// never touching the balance slider; returns every command the window would send.
    fn run_wizard_untouched(
        c: &mut CalibrationChecks,
        cancel: bool,
    ) -> (Vec<Command>, Option<CalibrationRecord>) {
        use egui::Key;
        let mut commands = vec![c.open(
            ("sennheiser.hd650", "Sennheiser HD 650"),
            "Review",
            -3.0,
            None,
        )];
        let mut saved = None;
        let ctx = egui::Context::default();
        let keys: &[Key] = if cancel {
            &[Key::Enter, Key::Escape]
        } else {
            &[
                Key::Enter,
                Key::Num1,
                Key::Enter, // left only: heard left
                Key::Num2,
                Key::Enter, // right only: heard right
                Key::Num1,
                Key::Enter, // polarity
                Key::Num1,
                Key::Enter, // balance: centred as it is
                Key::Num1,
                Key::Enter, // reference level
                Key::Num1,
                Key::Enter, // Lt/Rt centre
                Key::Num1,
                Key::Enter, // Lt/Rt surround
                Key::Enter, // summary: save
            ]
        };
        for &key in keys.iter().chain(std::iter::once(&Key::F35)) {
            let input = egui::RawInput {
                events: vec![egui::Event::Key {
                    key,
                    physical_key: None,
                    pressed: true,
                    repeat: false,
                    modifiers: egui::Modifiers::NONE,
                }],
                ..Default::default()
            };
            let _ = ctx.run_ui(input, |ui| {
                let out = c.show(ui.ctx());
                commands.extend(out.commands);
                if out.saved.is_some() {
                    saved = out.saved;
                }
            });
        }
        (commands, saved)
    }

    #[test]
    fn a_rerun_left_centred_saves_and_plays_no_trim() {
        // Earlier calibration centred the image with +0.2 dB; that trim is on the output.
        let (mut c, _) = CalibrationChecks::new(None);
        c.store.insert(record(0.2));
        let restored = c
            .restore_for("sennheiser.hd650", "Review")
            .expect("restore");
        assert_eq!(restored.balance_db, 0.2);
        let (commands, saved) = run_wizard_untouched(&mut c, false);
        let saved = saved.expect("the wizard finished and saved");
        assert_eq!(saved.balance_trim_db, 0.0, "the slider stayed at 0.00");
        assert_eq!(
            trim_in_force(restored.balance_db, &commands),
            0.0,
            "the output must play the trim that was saved: {commands:?}"
        );
        assert_eq!(
            c.store
                .get("sennheiser.hd650", "Review")
                .map(|r| r.balance_trim_db),
            Some(0.0)
        );
    }

    #[test]
    fn cancelling_a_rerun_puts_the_stored_trim_back() {
        let (mut c, _) = CalibrationChecks::new(None);
        c.store.insert(record(0.2));
        let restored = c
            .restore_for("sennheiser.hd650", "Review")
            .expect("restore");
        let (commands, saved) = run_wizard_untouched(&mut c, true);
        assert!(saved.is_none());
        assert!(!c.is_open(), "Esc closed the wizard: {commands:?}");
        assert_eq!(trim_in_force(restored.balance_db, &commands), 0.2);
    }
}
