//! The calibration checks as a guided, keyboard-first wizard: which ear is which, interchannel
//! polarity, balance, the reference level, the Lt/Rt decode, then a summary to save.
//!
//! The widget never touches the player: [`CalibrationWizard::show`] returns a [`WizardAction`]
//! (play this check signal, stop, set the balance trim, finished with this record, cancelled)
//! and the app turns it into player commands and a saved record. That keeps every step testable
//! through egui_kittest with no sound device. Keys: Enter = next / yes, digits pick an answer
//! (arrow keys move between answers, or trim the balance), Space plays / stops the signal,
//! Esc cancels.

use crate::headphones::listening_level::CalibrationMethod;
use crate::headphones::{
    CalibrationRecord, CheckId, CheckOutcome, CheckResult, CheckSignal, LevelCalibration,
};
use crate::player::MonitorMode;
use eframe::egui::{self, Key, Modifiers};

/// What the wizard asks of the app.
#[derive(Clone, Debug, PartialEq)]
pub enum WizardAction {
    /// Play this check signal in stereo, whatever the monitoring mode.
    Play(CheckSignal),
    /// Play this check signal through a listen (the Lt/Rt decode step).
    PlayThrough(CheckSignal, MonitorMode),
    /// Fade the check signal out.
    Stop,
    /// Set the output balance trim, dB (positive: right louder).
    SetBalance(f32),
    /// The checks are done: save this record.
    Finished(CalibrationRecord),
    /// The reviewer gave up: stop the signal, undo the trim, save nothing.
    Cancelled,
}

/// Who and what the checks are for.
#[derive(Clone, Debug, PartialEq)]
pub struct WizardSetup {
    pub headphone_id: String,
    /// The headphones in words (the profile's model name).
    pub headphone_name: String,
    pub device_name: String,
    /// Earmark's output gain now, recorded with the reference level.
    pub gain_db: f32,
    /// Stereo BS.1770 loudness of the reference noise (for a level calibration from an SPL
    /// reading); `None` when it could not be made.
    pub reference_lufs: Option<f64>,
    /// The room's SPL for the EBU matching noise needs that noise's loudness too.
    pub ebu_match_lufs: Option<f64>,
    /// When the checks run (UTC seconds), as the record's date.
    pub date_unix_s: i64,
    /// The system volume of the output now, dB, if it could be read: recorded with a level
    /// calibration, so a later change of volume is allowed for.
    pub device_volume_db: Option<f64>,
}

/// The balance trim's range and step, dB.
pub const BALANCE_RANGE_DB: f32 = 3.0;
pub const BALANCE_STEP_DB: f32 = 0.1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Intro,
    LeftEar,
    RightEar,
    Polarity,
    Balance,
    Level,
    LtRtCentre,
    LtRtSurround,
    Summary,
}

impl Step {
    fn next(self) -> Self {
        match self {
            Self::Intro => Self::LeftEar,
            Self::LeftEar => Self::RightEar,
            Self::RightEar => Self::Polarity,
            Self::Polarity => Self::Balance,
            Self::Balance => Self::Level,
            Self::Level => Self::LtRtCentre,
            Self::LtRtCentre => Self::LtRtSurround,
            Self::LtRtSurround | Self::Summary => Self::Summary,
        }
    }

    /// The signal the step starts with.
    fn signal(self) -> Option<CheckSignal> {
        match self {
            Self::LeftEar => Some(CheckSignal::LeftOnly),
            Self::RightEar => Some(CheckSignal::RightOnly),
            Self::Polarity => Some(CheckSignal::PolarityInPhase),
            Self::Balance => Some(CheckSignal::Balance),
            Self::Level => Some(CheckSignal::ReferenceLevel),
            Self::LtRtCentre => Some(CheckSignal::LtRtCentre),
            Self::LtRtSurround => Some(CheckSignal::LtRtSurround),
            Self::Intro | Self::Summary => None,
        }
    }

    /// The question and its answers (the first is the one a good chain gives, except for the
    /// ear questions, where it depends on the ear).
    fn answers(self) -> &'static [&'static str] {
        match self {
            Self::LeftEar | Self::RightEar => &["Left", "Right", "Both", "Neither"],
            Self::Polarity => &["A", "B", "Cannot tell"],
            Self::Balance => &["Centred", "Cannot centre it"],
            Self::Level => &["Full but comfortable", "Cannot get it loud enough", "Skip"],
            Self::LtRtCentre | Self::LtRtSurround => &["As described", "Not as described", "Skip"],
            Self::Intro | Self::Summary => &[],
        }
    }

    fn question(self) -> &'static str {
        match self {
            Self::LeftEar | Self::RightEar => "Which ear do you hear the noise in?",
            Self::Polarity => "Which sounds centred and solid: A or B? (A / B keys switch)",
            Self::Balance => {
                "Move the trim (Left / Right arrow keys, 0.1 dB) until the noise sits in the centre of your head."
            }
            Self::Level => {
                "Set your headphone volume so this noise is full but comfortable. Do not review \
                 quieter than this."
            }
            Self::LtRtCentre => {
                "Centre state (L = R): centred in stereo (T), full in the centre decode (C) and \
                 in mono (M), gone in the surround decode (S)?"
            }
            Self::LtRtSurround => {
                "Surround state (L = −R): diffuse in stereo (T), full in the surround decode (S), \
                 gone in the centre decode (C) and in mono (M)?"
            }
            Self::Intro | Self::Summary => "",
        }
    }
}

/// The wizard's state; drop it to close the window.
pub struct CalibrationWizard {
    setup: WizardSetup,
    step: Step,
    /// The answer picked in this step (index into [`Step::answers`]).
    picked: Option<usize>,
    /// Answers given, by step.
    answers: Vec<(Step, usize)>,
    playing: Option<CheckSignal>,
    listen: MonitorMode,
    balance_db: f32,
    spl_text: String,
    ebu: bool,
}

impl CalibrationWizard {
    pub fn new(setup: WizardSetup) -> Self {
        Self {
            setup,
            step: Step::Intro,
            picked: None,
            answers: Vec::new(),
            playing: None,
            listen: MonitorMode::Stereo,
            balance_db: 0.0,
            spl_text: String::new(),
            ebu: false,
        }
    }

    /// The headphones id and device name being calibrated.
    pub fn chain(&self) -> (&str, &str) {
        (&self.setup.headphone_id, &self.setup.device_name)
    }

    /// The trim the reviewer has set, dB.
    pub fn balance_db(&self) -> f32 {
        self.balance_db
    }

    /// Draws the wizard and handles its keys; at most one action per frame.
    pub fn show(&mut self, ctx: &egui::Context) -> Option<WizardAction> {
        let mut action = self.keys(ctx);
        let mut close = false;
        egui::Window::new("Calibration checks")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .default_width(460.0)
            .show(ctx, |ui| {
                if let Some(a) = self.body(ui) {
                    action.get_or_insert(a);
                }
                ui.separator();
                ui.horizontal(|ui| {
                    if ui.button("Cancel (Esc)").clicked() {
                        close = true;
                    }
                    let next = if self.step == Step::Summary {
                        "Save (Enter)"
                    } else {
                        "Next (Enter)"
                    };
                    if ui
                        .add_enabled(self.can_advance(), egui::Button::new(next))
                        .clicked()
                        && let Some(a) = self.advance()
                    {
                        action.get_or_insert(a);
                    }
                });
            });
        if close {
            return Some(WizardAction::Cancelled);
        }
        action
    }

    fn keys(&mut self, ctx: &egui::Context) -> Option<WizardAction> {
        let pressed = |key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        if pressed(Key::Escape) {
            return Some(WizardAction::Cancelled);
        }
        // Typing an SPL reading: the keys are the text field's, Enter included.
        if ctx.egui_wants_keyboard_input() {
            return None;
        }
        if pressed(Key::Enter) {
            return if self.can_advance() {
                self.advance()
            } else {
                None
            };
        }
        if pressed(Key::Space) {
            return self.toggle_play();
        }
        let n = self.step.answers().len();
        let digits = [Key::Num1, Key::Num2, Key::Num3, Key::Num4];
        for (i, key) in digits.into_iter().enumerate().take(n) {
            if pressed(key) {
                self.picked = Some(i);
            }
        }
        match self.step {
            Step::Balance => {
                let step = if pressed(Key::ArrowRight) {
                    BALANCE_STEP_DB
                } else if pressed(Key::ArrowLeft) {
                    -BALANCE_STEP_DB
                } else {
                    0.0
                };
                if step != 0.0 {
                    return Some(self.set_balance(self.balance_db + step));
                }
            }
            _ if n > 0 => {
                let down = pressed(Key::ArrowDown) || pressed(Key::ArrowRight);
                let up = pressed(Key::ArrowUp) || pressed(Key::ArrowLeft);
                if down {
                    self.picked = Some(self.picked.map_or(0, |p| (p + 1).min(n - 1)));
                } else if up {
                    self.picked = Some(self.picked.map_or(0, |p| p.saturating_sub(1)));
                }
            }
            _ => {}
        }
        match self.step {
            Step::Polarity if pressed(Key::A) => return self.play(CheckSignal::PolarityInPhase),
            Step::Polarity if pressed(Key::B) => return self.play(CheckSignal::PolarityInverted),
            Step::Level if pressed(Key::E) => {
                self.ebu = !self.ebu;
                return self.play(self.level_signal());
            }
            Step::LtRtCentre | Step::LtRtSurround => {
                let listen = [
                    (Key::T, MonitorMode::Stereo),
                    (Key::C, MonitorMode::LtRtCentre),
                    (Key::S, MonitorMode::LtRtSurround),
                    (Key::M, MonitorMode::Mono),
                ];
                for (key, mode) in listen {
                    if pressed(key) {
                        return self.listen_through(mode);
                    }
                }
            }
            _ => {}
        }
        None
    }

    fn level_signal(&self) -> CheckSignal {
        if self.ebu {
            CheckSignal::EbuMatch
        } else {
            CheckSignal::ReferenceLevel
        }
    }

    fn set_balance(&mut self, db: f32) -> WizardAction {
        let clamped = db.clamp(-BALANCE_RANGE_DB, BALANCE_RANGE_DB);
        // Whole tenths, so repeated steps never drift to 0.30000001.
        self.balance_db = (clamped / BALANCE_STEP_DB).round() * BALANCE_STEP_DB;
        WizardAction::SetBalance(self.balance_db)
    }

    fn play(&mut self, signal: CheckSignal) -> Option<WizardAction> {
        self.playing = Some(signal);
        Some(if self.listen == MonitorMode::Stereo {
            WizardAction::Play(signal)
        } else {
            WizardAction::PlayThrough(signal, self.listen)
        })
    }

    fn listen_through(&mut self, mode: MonitorMode) -> Option<WizardAction> {
        self.listen = mode;
        let signal = self.playing.or(self.step.signal())?;
        self.play(signal)
    }

    fn toggle_play(&mut self) -> Option<WizardAction> {
        if self.playing.take().is_some() {
            return Some(WizardAction::Stop);
        }
        let signal = match self.step {
            Step::Level => Some(self.level_signal()),
            s => s.signal(),
        }?;
        self.play(signal)
    }

    fn can_advance(&self) -> bool {
        self.step.answers().is_empty() || self.picked.is_some()
    }

    /// Records the answer, moves on, and starts the next step's signal.
    fn advance(&mut self) -> Option<WizardAction> {
        if self.step == Step::Summary {
            return Some(WizardAction::Finished(self.record()));
        }
        if let Some(p) = self.picked.take() {
            self.answers.retain(|(s, _)| *s != self.step);
            self.answers.push((self.step, p));
        }
        self.step = self.step.next();
        self.listen = MonitorMode::Stereo;
        self.ebu = false;
        match self.step.signal() {
            Some(signal) => self.play(signal),
            None => {
                self.playing = None;
                Some(WizardAction::Stop)
            }
        }
    }

    fn answer(&self, step: Step) -> Option<usize> {
        self.answers
            .iter()
            .find(|(s, _)| *s == step)
            .map(|(_, a)| *a)
    }

    fn answer_text(&self, step: Step) -> &'static str {
        self.answer(step)
            .and_then(|a| step.answers().get(a).copied())
            .unwrap_or("no answer")
    }

    /// The results so far, one per check.
    pub fn results(&self) -> Vec<CheckResult> {
        use CheckOutcome::{Failed, Passed, Skipped};
        let result = |check, outcome, note: String| CheckResult {
            check,
            outcome,
            note,
        };
        let lr = match (self.answer(Step::LeftEar), self.answer(Step::RightEar)) {
            (Some(0), Some(1)) => Passed,
            (None, None) => Skipped,
            _ => Failed,
        };
        let polarity = match self.answer(Step::Polarity) {
            Some(0) => Passed,
            Some(1) => Failed,
            _ => Skipped,
        };
        let balance = match self.answer(Step::Balance) {
            Some(0) => Passed,
            Some(_) => Failed,
            None => Skipped,
        };
        let level = match self.answer(Step::Level) {
            Some(0) => Passed,
            Some(1) => Failed,
            _ => Skipped,
        };
        let ltrt = match (
            self.answer(Step::LtRtCentre),
            self.answer(Step::LtRtSurround),
        ) {
            (Some(0), Some(0)) => Passed,
            (Some(1), _) | (_, Some(1)) => Failed,
            _ => Skipped,
        };
        vec![
            result(
                CheckId::LeftRight,
                lr,
                format!(
                    "left-only heard: {}; right-only heard: {}",
                    self.answer_text(Step::LeftEar),
                    self.answer_text(Step::RightEar)
                ),
            ),
            result(
                CheckId::Polarity,
                polarity,
                format!("focused: {}", self.answer_text(Step::Polarity)),
            ),
            result(
                CheckId::Balance,
                balance,
                format!("trim {:+.1} dB", self.balance_db),
            ),
            result(
                CheckId::ReferenceLevel,
                level,
                format!(
                    "{} at Earmark gain {:+.1} dB",
                    self.answer_text(Step::Level),
                    self.setup.gain_db
                ),
            ),
            result(
                CheckId::LtRt,
                ltrt,
                format!(
                    "centre: {}; surround: {}",
                    self.answer_text(Step::LtRtCentre),
                    self.answer_text(Step::LtRtSurround)
                ),
            ),
        ]
    }

    /// A level calibration from the SPL typed in (the meter's reading of the reference noise,
    /// or the room's SPL for the EBU noise the headphones were matched to); with nothing typed,
    /// from the reviewer's own ear when they set the reference noise full but comfortable.
    fn level(&self) -> Option<LevelCalibration> {
        let typed = self.spl_text.trim();
        if typed.is_empty() {
            if self.answer(Step::Level) != Some(0) {
                return None;
            }
            let lufs = self.setup.reference_lufs?;
            return Some(LevelCalibration::from_observation(
                &self.setup.headphone_id,
                &self.setup.device_name,
                CalibrationMethod::ByEar,
                crate::headphones::listening_level::REFERENCE_EAR_GAIN_DB + lufs,
                lufs,
                f64::from(self.setup.gain_db),
                self.setup.device_volume_db,
            ));
        }
        let spl: f64 = typed.parse().ok()?;
        if !(20.0..=130.0).contains(&spl) {
            return None;
        }
        let (method, lufs) = if self.ebu {
            (
                CalibrationMethod::LoudspeakerMatch,
                self.setup.ebu_match_lufs?,
            )
        } else {
            (
                CalibrationMethod::SoundLevelMeter,
                self.setup.reference_lufs?,
            )
        };
        Some(LevelCalibration::from_observation(
            &self.setup.headphone_id,
            &self.setup.device_name,
            method,
            spl,
            lufs,
            f64::from(self.setup.gain_db),
            self.setup.device_volume_db,
        ))
    }

    /// The record the summary saves.
    pub fn record(&self) -> CalibrationRecord {
        CalibrationRecord {
            headphone_id: self.setup.headphone_id.clone(),
            device_name: self.setup.device_name.clone(),
            date_unix_s: self.setup.date_unix_s,
            results: self.results(),
            balance_trim_db: self.balance_db,
            reference_gain_db: (self.answer(Step::Level) == Some(0)).then_some(self.setup.gain_db),
            level: self.level(),
            app_version: env!("CARGO_PKG_VERSION").to_owned(),
        }
    }

    fn body(&mut self, ui: &mut egui::Ui) -> Option<WizardAction> {
        let mut action = None;
        let step = self.step;
        match step {
            Step::Intro => {
                ui.heading("Check the listening chain");
                ui.label(format!(
                    "For {} on \u{201c}{}\u{201d}.",
                    self.setup.headphone_name, self.setup.device_name
                ));
                ui.label(
                    "Seven short steps, each under 30 s: which ear is which, polarity, balance, \
                     the reference level and the Lt/Rt decode. Turn your volume down before \
                     you start; the noise plays at −20 dBFS RMS.",
                );
                ui.weak(
                    "Enter: next · digits or arrows: answer · Space: play / stop · Esc: cancel",
                );
            }
            Step::Summary => {
                ui.heading("Summary");
                egui::Grid::new("calibration-summary")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        for r in self.results() {
                            ui.label(r.check.title());
                            let (text, colour) = match r.outcome {
                                CheckOutcome::Passed => ("passed", egui::Color32::LIGHT_GREEN),
                                CheckOutcome::Failed => {
                                    ("FAILED", egui::Color32::from_rgb(240, 90, 80))
                                }
                                CheckOutcome::Skipped => ("skipped", egui::Color32::GRAY),
                            };
                            ui.colored_label(colour, text);
                            ui.weak(r.note);
                            ui.end_row();
                        }
                    });
                ui.label(format!(
                    "Saved for {} on \u{201c}{}\u{201d}.",
                    self.setup.headphone_name, self.setup.device_name
                ));
            }
            _ => {
                let index = [
                    Step::LeftEar,
                    Step::RightEar,
                    Step::Polarity,
                    Step::Balance,
                    Step::Level,
                    Step::LtRtCentre,
                    Step::LtRtSurround,
                ]
                .iter()
                .position(|s| *s == step)
                .map_or(0, |i| i + 1);
                let signal = self.playing.or(step.signal());
                ui.heading(format!(
                    "{index}/7 · {}",
                    signal.map_or("", CheckSignal::title)
                ));
                if let Some(s) = signal {
                    ui.weak(s.listen_for());
                }
                ui.horizontal(|ui| {
                    let label = if self.playing.is_some() {
                        "Stop (Space)"
                    } else {
                        "Play (Space)"
                    };
                    if ui.button(label).clicked() {
                        action = self.toggle_play();
                    }
                    if self.listen != MonitorMode::Stereo {
                        ui.label(format!("listening through: {}", self.listen.cli_name()));
                    }
                });
                ui.add_space(6.0);
                ui.strong(step.question());
                if step == Step::Balance {
                    let mut db = self.balance_db;
                    let slider = egui::Slider::new(&mut db, -BALANCE_RANGE_DB..=BALANCE_RANGE_DB)
                        .step_by(f64::from(BALANCE_STEP_DB))
                        .suffix(" dB")
                        .text("balance (right louder +)");
                    // The slider also reports a change when it only re-snaps the same value.
                    if ui.add(slider).changed() && (db - self.balance_db).abs() > 1e-4 {
                        action = Some(self.set_balance(db));
                    }
                }
                if step == Step::Level {
                    ui.horizontal(|ui| {
                        ui.label(if self.ebu {
                            "Room SPL for this noise (optional):"
                        } else {
                            "SPL meter reading (optional):"
                        });
                        ui.add(
                            egui::TextEdit::singleline(&mut self.spl_text)
                                .desired_width(60.0)
                                .hint_text("dB SPL"),
                        );
                    });
                    let ebu = if self.ebu {
                        "E: back to the −20 dBFS reference noise"
                    } else {
                        "E: EBU Tech 3343 match to a loudspeaker room instead"
                    };
                    ui.weak(ebu);
                }
                for (i, text) in step.answers().iter().enumerate() {
                    let picked = self.picked == Some(i);
                    if ui
                        .selectable_label(picked, format!("{}  {text}", i + 1))
                        .clicked()
                    {
                        self.picked = Some(i);
                    }
                }
            }
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    type State = (CalibrationWizard, Vec<WizardAction>);

    fn setup() -> WizardSetup {
        WizardSetup {
            headphone_id: "sennheiser.hd650".into(),
            headphone_name: "Sennheiser HD 650".into(),
            device_name: "Review".into(),
            gain_db: -3.0,
            reference_lufs: Some(-17.0),
            ebu_match_lufs: Some(-20.0),
            date_unix_s: 1_750_000_000,
            device_volume_db: None,
        }
    }

    fn harness() -> Harness<'static, State> {
        let mut h = Harness::new_ui_state(
            |ui, state: &mut State| {
                if let Some(a) = state.0.show(ui.ctx()) {
                    state.1.push(a);
                }
            },
            (CalibrationWizard::new(setup()), Vec::new()),
        );
        h.step();
        h
    }

    /// Presses `keys` one frame each and returns the actions they produced.
    fn press(h: &mut Harness<'static, State>, keys: &[Key]) -> Vec<WizardAction> {
        for &k in keys {
            h.key_press(k);
            h.step();
        }
        std::mem::take(&mut h.state_mut().1)
    }

    fn finished(actions: &[WizardAction]) -> CalibrationRecord {
        match actions.last() {
            Some(WizardAction::Finished(r)) => r.clone(),
            other => panic!("not finished: {other:?}"),
        }
    }

    #[test]
    fn the_whole_wizard_by_keyboard_emits_each_signal_and_the_record() {
        use CheckSignal as S;
        use WizardAction as W;
        let mut h = harness();
        h.get_by_label_contains("Sennheiser HD 650");
        assert_eq!(press(&mut h, &[Key::Enter]), vec![W::Play(S::LeftOnly)]);
        h.get_by_label("Which ear do you hear the noise in?");
        assert_eq!(
            press(&mut h, &[Key::Num1, Key::Enter]),
            vec![W::Play(S::RightOnly)]
        );
        assert_eq!(
            press(&mut h, &[Key::Num2, Key::Enter]),
            vec![W::Play(S::PolarityInPhase)]
        );
        assert_eq!(
            press(&mut h, &[Key::B, Key::A, Key::Space, Key::Space]),
            vec![
                W::Play(S::PolarityInverted),
                W::Play(S::PolarityInPhase),
                W::Stop,
                W::Play(S::PolarityInPhase)
            ]
        );
        assert_eq!(
            press(&mut h, &[Key::Num1, Key::Enter]),
            vec![W::Play(S::Balance)]
        );
        let trims = press(
            &mut h,
            &[
                Key::ArrowRight,
                Key::ArrowRight,
                Key::ArrowRight,
                Key::ArrowLeft,
            ],
        );
        let want: Vec<W> = [0.1f32, 0.2, 0.3, 0.2]
            .iter()
            .map(|d| W::SetBalance((d / BALANCE_STEP_DB).round() * BALANCE_STEP_DB))
            .collect();
        assert_eq!(trims, want);
        assert_eq!(
            press(&mut h, &[Key::Num1, Key::Enter]),
            vec![W::Play(S::ReferenceLevel)]
        );
        assert_eq!(
            press(&mut h, &[Key::Num1, Key::Enter]),
            vec![W::Play(S::LtRtCentre)]
        );
        assert_eq!(
            press(&mut h, &[Key::C, Key::M]),
            vec![
                W::PlayThrough(S::LtRtCentre, MonitorMode::LtRtCentre),
                W::PlayThrough(S::LtRtCentre, MonitorMode::Mono)
            ]
        );
        assert_eq!(
            press(&mut h, &[Key::Num1, Key::Enter]),
            vec![W::Play(S::LtRtSurround)],
            "a new step listens in stereo again"
        );
        assert_eq!(press(&mut h, &[Key::Num1, Key::Enter]), vec![W::Stop]);
        h.get_by_label("Summary");
        let record = finished(&press(&mut h, &[Key::Enter]));
        assert_eq!(record.headphone_id, "sennheiser.hd650");
        assert_eq!(record.device_name, "Review");
        assert_eq!(record.date_unix_s, 1_750_000_000);
        assert!((record.balance_trim_db - 0.2).abs() < 1e-6);
        assert_eq!(record.reference_gain_db, Some(-3.0));
        // No SPL typed, the noise judged full but comfortable: a by-ear level, the reference
        // room's G_ear (99 dB) at the gain it was set at (−3 dB).
        let level = record.level.clone().expect("a by-ear level");
        assert_eq!(level.method, CalibrationMethod::ByEar);
        assert!((level.ear_gain_db - 102.0).abs() < 1e-9, "{level:?}");
        assert_eq!(record.failed(), vec![]);
        for check in CheckId::ALL {
            assert_eq!(
                record.result(check).map(|r| r.outcome),
                Some(CheckOutcome::Passed),
                "{check:?}"
            );
        }
    }

    #[test]
    fn a_wrong_ear_fails_left_right_and_the_rest_can_be_skipped() {
        let mut h = harness();
        press(&mut h, &[Key::Enter]);
        // Left-only heard on the right: swapped cups or cable.
        press(&mut h, &[Key::Num2, Key::Enter, Key::Num1, Key::Enter]);
        // Polarity: cannot tell; balance: cannot centre; level, Lt/Rt: skip.
        press(&mut h, &[Key::Num3, Key::Enter, Key::Num2, Key::Enter]);
        press(&mut h, &[Key::Num3, Key::Enter, Key::Num3, Key::Enter]);
        press(&mut h, &[Key::Num3, Key::Enter]);
        let record = finished(&press(&mut h, &[Key::Enter]));
        let outcome = |c| record.result(c).map(|r| r.outcome);
        assert_eq!(outcome(CheckId::LeftRight), Some(CheckOutcome::Failed));
        assert_eq!(outcome(CheckId::Polarity), Some(CheckOutcome::Skipped));
        assert_eq!(outcome(CheckId::Balance), Some(CheckOutcome::Failed));
        assert_eq!(
            outcome(CheckId::ReferenceLevel),
            Some(CheckOutcome::Skipped)
        );
        assert_eq!(outcome(CheckId::LtRt), Some(CheckOutcome::Skipped));
        assert_eq!(record.failed(), vec![CheckId::LeftRight, CheckId::Balance]);
        let note = &record.result(CheckId::LeftRight).map(|r| r.note.clone());
        assert_eq!(
            note.as_deref(),
            Some("left-only heard: Right; right-only heard: Left")
        );
    }

    #[test]
    fn enter_waits_for_an_answer_and_arrows_pick_one() {
        let mut h = harness();
        press(&mut h, &[Key::Enter]);
        assert_eq!(press(&mut h, &[Key::Enter]), vec![], "no answer yet");
        assert_eq!(
            press(
                &mut h,
                &[Key::ArrowDown, Key::ArrowDown, Key::ArrowUp, Key::Enter]
            ),
            vec![WizardAction::Play(CheckSignal::RightOnly)]
        );
        assert_eq!(
            h.state().0.answer(Step::LeftEar),
            Some(0),
            "down, down, up: the first answer"
        );
    }

    #[test]
    fn an_spl_reading_makes_a_level_calibration() {
        let mut w = CalibrationWizard::new(setup());
        w.answers.push((Step::Level, 0));
        w.spl_text = "79".into();
        let level = w.record().level.expect("calibration");
        assert_eq!(level.method, CalibrationMethod::SoundLevelMeter);
        // G_ear = 79 − (−17) − (−3).
        assert!((level.ear_gain_db - 99.0).abs() < 1e-9);
        w.ebu = true;
        let matched = w.record().level.expect("calibration");
        assert_eq!(matched.method, CalibrationMethod::LoudspeakerMatch);
        assert!((matched.ear_gain_db - 102.0).abs() < 1e-9);
    }

    #[test]
    fn escape_cancels_at_any_step() {
        let mut h = harness();
        assert_eq!(press(&mut h, &[Key::Escape]), vec![WizardAction::Cancelled]);
        let mut h = harness();
        press(&mut h, &[Key::Enter, Key::Num1, Key::Enter]);
        assert_eq!(press(&mut h, &[Key::Escape]), vec![WizardAction::Cancelled]);
    }
}
