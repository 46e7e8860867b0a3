//! The review window: the shell every review panel lives in.
//!
//! Layout, top to bottom: menu bar and the large timecode read-out; the picture (letterboxed
//! on dark grey) with the side panel (notes now; meters, headphone and spec checks join it);
//! the timeline with the loudness strip, the transport buttons and the status bar. In full
//! screen only the picture and a timecode overlay remain.
//!
//! The app never touches decoders or devices: it sends [`Command`]s to the [`Player`] and
//! draws from its [`Snapshot`]. It repaints only when something changes — when the next frame
//! is due while playing, when the player's snapshot changes (the player wakes it), or on input
//! — so a paused window costs nothing.

use super::access_log_window::AccessLogWindow;
use super::automation::{Automation, FrameStats, Observed, Step};
use super::calibration_session::CalibrationChecks;
use super::headphone_setup::HeadphoneSetup;
use super::keymap::{Action, KeyPress, action_for};
use super::loudness_panel::{self, LoudnessEvent};
use super::meter_panel::{self, PresetView};
use super::notice_log::NoticeLog;
use super::picture_view::PictureView;
use super::review_complete::{ReviewCompleteDialog, ReviewEvent};
use super::settings_window::{SettingsEvent, SettingsWindow};
use super::spec_panel::{self, SpecEvent};
use super::timecode_bar::{TcEntry, TcEvent, TimecodeModel};
use super::timeline::{Scrub, TimelineModel};
use super::watermark_overlay::WatermarkOverlay;
use super::{
    dialogs, headphone_panel, help_overlay, notes_panel, status_bar, timecode_bar, timeline,
    transport_bar,
};
use crate::analysis::{ScanState, SpecState};
use crate::meters::Preset;
use crate::notes::NoteId;
use crate::player::{
    AudioChoice, Command, FoldDown, Player, PlayerOptions, Snapshot, SpecProfiles, Transport,
};
use crate::review::{Event, Intent, NoteFilter, Review, ReviewOptions, ReviewSetup, SaveState};
use crate::security::{AccessEvent, AccessLog, Dirs, ReviewComplete};
use crate::settings::Settings;
use eframe::egui;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The headphone id calibrations are kept under when none is declared for the device.
const UNDECLARED_HEADPHONES: &str = "undeclared";

/// How a scripted run ended, for the binary's exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunResult {
    pub failure: Option<String>,
    /// The failure was the input's fault (file, timecode): exit status 2.
    pub bad_input: bool,
}

/// One file open for review: the review itself, and how this window shows it.
pub struct Session {
    pub review: Review,
    picture: PictureView,
    /// Note whose text field has the keyboard.
    editing: Option<NoteId>,
    /// Give that field focus on the next frame.
    focus_note: bool,
    /// Which notes the panel, Up/Down and the timeline's markers show.
    pub note_filter: NoteFilter,
    /// Last frame shown while scrubbing (the drag may end off the bar).
    scrub_last: Option<u64>,
    /// Keyframe last asked for while scrubbing (so a drag does not flood the decoder).
    scrub_sent: Option<u64>,
    /// The loudness strip as drawn: (width, preset id) it was made for, and its values.
    strip: Option<(StripKey, StripData)>,
}

/// What a drawn loudness strip was made for: width in points and preset id.
type StripKey = (usize, &'static str);
/// A drawn loudness strip: one value per column and the target band (LUFS).
type StripData = (Vec<f32>, (f32, f32));

impl Session {
    /// Carries out an intent and updates what this window shows of it: a new note gets the
    /// keyboard, a deleted one loses it, a restored one is made visible.
    fn apply(&mut self, intent: Intent) -> Vec<Event> {
        let events = self.review.apply(intent);
        for e in &events {
            match *e {
                Event::NoteAdded(id) => {
                    if let Some(n) = self.review.notes().get(id) {
                        self.note_filter.admit_new(n);
                    }
                    self.editing = Some(id);
                    self.focus_note = true;
                }
                Event::NoteDeleted(id) if self.editing == Some(id) => self.editing = None,
                Event::NoteRestored(id) => {
                    // Visible again even if the filter changed since it was deleted.
                    if let Some(n) = self.review.notes().get(id)
                        && !self.note_filter.matches(n)
                    {
                        self.note_filter = NoteFilter::default();
                    }
                }
                _ => {}
            }
        }
        events
    }

    fn snapshot(&self) -> &Snapshot {
        self.review.snapshot()
    }

    fn player(&self) -> &Player {
        self.review.player()
    }

    fn speed(&self) -> i32 {
        match self.snapshot().transport {
            Transport::Paused => 0,
            Transport::Starting => 1,
            Transport::Playing { speed } => speed,
        }
    }
}

#[derive(Default)]
struct View {
    help: bool,
    settings: Option<SettingsWindow>,
    fullscreen: bool,
    full_size: bool,
    tc_entry: Option<TcEntry>,
    side_panel: bool,
    /// A problem to show until dismissed (bad file …).
    banner: Option<String>,
    inner_size: Option<egui::Vec2>,
    /// Where the picture was last painted (points).
    picture_rect: Option<egui::Rect>,
    /// The status bar's spec badge was clicked: open the delivery check section and show it.
    reveal_spec: bool,
    /// File → Review complete… while open.
    review_complete: Option<ReviewCompleteDialog>,
    /// View → Access log… while open.
    access_window: Option<AccessLogWindow>,
    /// The window was asked to close while a completed review's media is still here: the
    /// reminder is showing (the path).
    close_reminder: Option<PathBuf>,
    /// The reviewer chose to quit anyway.
    close_confirmed: bool,
}

/// The review window's state.
pub struct ReviewApp {
    ctx: egui::Context,
    session: Option<Session>,
    settings: Settings,
    settings_path: Option<PathBuf>,
    player_options: PlayerOptions,
    scan_cache: Option<PathBuf>,
    notes_root: Option<PathBuf>,
    /// The delivery profiles files are checked against (shipped and the user's own).
    spec_profiles: SpecProfiles,
    /// Where the access log and review records live (`None`: no data folder).
    security_dirs: Option<Dirs>,
    /// Records opening and closing media (`None`: it could not start; the banner said why).
    access: Option<AccessLog>,
    view: View,
    automation: Option<Automation>,
    stats: FrameStats,
    /// Set by the screenshot callback once the picture is saved.
    shot_flag: Option<Arc<AtomicBool>>,
    /// The listening chain, the level at the ear and the weekly dose.
    headphones: HeadphoneSetup,
    /// The calibration checks: the wizard while open, and the saved results.
    calibration: CalibrationChecks,
    /// Where a scripted run reports how it ended.
    pub result: Arc<Mutex<RunResult>>,
    /// Every notice shown, echoed once to stderr (support logs, scripted runs).
    notices: NoticeLog,
}

impl ReviewApp {
    /// Builds the app and opens the first file (a failure shows in the window).
    pub fn new(ctx: &egui::Context, config: ReviewSetup) -> Self {
        let side_panel = config.settings.window.side_panel;
        let automation = (!config.script.is_empty()).then(|| {
            Automation::new(
                config.script.clone(),
                config.launched.unwrap_or_else(Instant::now),
            )
        });
        let (headphones, profile_errors) = headphone_setup(&config);
        let (calibration, calibration_problem) =
            CalibrationChecks::new(config.calibration_path.as_deref());
        let (security_dirs, access, access_problem) = match Dirs::system() {
            Ok(dirs) => match AccessLog::start(&dirs, &config.settings.reviewer) {
                Ok(log) => (Some(dirs), Some(log), None),
                Err(e) => (Some(dirs), None, Some(e.to_string())),
            },
            Err(e) => (None, None, Some(e.to_string())),
        };
        let user_profiles = crate::player::spec_profile_dir();
        let (spec_profiles, spec_problem) = match SpecProfiles::load(user_profiles.as_deref()) {
            Ok(set) => (set, None),
            Err(e) => (SpecProfiles::default(), Some(e.to_string())),
        };
        let mut app = Self {
            ctx: ctx.clone(),
            session: None,
            settings: config.settings,
            settings_path: config.settings_path,
            player_options: config.player,
            scan_cache: config.scan_cache,
            notes_root: config.notes_root,
            spec_profiles,
            security_dirs,
            access,
            view: View {
                side_panel,
                ..View::default()
            },
            automation,
            stats: FrameStats::default(),
            shot_flag: None,
            result: Arc::new(Mutex::new(RunResult::default())),
            headphones,
            calibration,
            notices: NoticeLog::default(),
        };
        ctx.set_visuals(egui::Visuals::dark());
        if let Some(file) = config.file {
            app.open(&file);
        }
        // After the file: opening one clears the banner, and these must be seen once.
        if let Some(e) = profile_errors {
            app.view.banner = Some(e);
        }
        if let Some(e) = calibration_problem {
            app.view.banner = Some(e);
        }
        if let Some(e) = spec_problem {
            app.view.banner = Some(e);
        }
        if let Some(e) = access_problem {
            app.view.banner = Some(format!("Access to media is not being recorded: {e}"));
        }
        if let Some(n) = config.notice {
            app.view.banner = Some(n);
        }
        app
    }

    /// Opens `path` for review, replacing the file under review. On failure the current file
    /// stays and the reason is shown.
    pub fn open(&mut self, path: &Path) -> bool {
        let mut options = self.player_options.clone();
        options.av_offsets = self.settings.av_offset_ms.clone();
        (options.audio, options.fold_down) = self.sound_for(path);
        // Release the current file's decoders and device before opening the next.
        self.close_media();
        let options = ReviewOptions {
            player: options,
            scan_cache: self.scan_cache.clone(),
            notes_root: self.notes_root.clone(),
            spec_profiles: self.spec_profiles.clone(),
        };
        match Review::open(path, options) {
            Ok((review, notes_problem)) => {
                let ctx = self.ctx.clone();
                review
                    .player()
                    .set_waker(Box::new(move || ctx.request_repaint()));
                self.session = Some(Session {
                    review,
                    picture: PictureView::watermarked(&self.settings, path, &self.ctx),
                    editing: None,
                    focus_note: false,
                    note_filter: NoteFilter::default(),
                    scrub_last: None,
                    scrub_sent: None,
                    strip: None,
                });
                self.view.banner = notes_problem;
                self.calibration.forget_restore();
                self.view.tc_entry = None;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                self.ctx
                    .send_viewport_cmd(egui::ViewportCommand::Title(format!("Earmark — {name}")));
                self.settings.remember_file(path);
                self.save_settings();
                if let Some(log) = &self.access {
                    log.record_detail(AccessEvent::Open, path, "review window");
                }
                true
            }
            Err(e) => {
                self.view.banner = Some(format!("Could not open the file. {e}"));
                false
            }
        }
    }

    /// Whether the viewer's watermark is drawn over the picture now.
    pub fn watermark_shown(&self) -> bool {
        self.session
            .as_ref()
            .is_some_and(|s| s.picture.watermark.is_some())
    }

    /// The file under review.
    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// Where the delivery spec check of the open file stands.
    pub fn spec_state(&self) -> Option<SpecState> {
        self.session.as_ref().map(|s| s.review.spec().state())
    }

    /// The frame whose picture is on screen.
    pub fn frame_on_screen(&self) -> Option<u64> {
        self.session.as_ref().and_then(|s| s.picture.frame())
    }

    /// The player's latest state.
    pub fn snapshot(&self) -> Option<Snapshot> {
        self.session.as_ref().map(|s| s.player().snapshot())
    }

    /// The problem shown in the window, if any.
    pub fn banner(&self) -> Option<&str> {
        self.view.banner.as_deref()
    }

    pub fn help_open(&self) -> bool {
        self.view.help
    }

    /// Uses a level calibration of the current headphones on the current device for the level
    /// estimate (`None`: the profiles' figures again). For the calibration wizard and its store.
    pub fn set_level_calibration(
        &mut self,
        calibration: Option<crate::headphones::LevelCalibration>,
    ) {
        self.headphones.set_calibration(calibration);
    }

    /// What a note made now records about the listening chain.
    pub fn listening_setup(&self) -> crate::notes::ListeningSetup {
        self.headphones.listening_setup()
    }

    fn save_settings(&mut self) {
        if let Some(size) = self.view.inner_size {
            self.settings.window.width = size.x;
            self.settings.window.height = size.y;
        }
        self.settings.window.side_panel = self.view.side_panel;
        if let Some(path) = &self.settings_path
            && let Err(e) = self.settings.save_to(path)
        {
            self.view.banner = Some(e.to_string());
        }
    }

    /// Carries out one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Open => {
                let dir = self
                    .session
                    .as_ref()
                    .and_then(|s| s.review.path().parent().map(Path::to_path_buf));
                if let Some(path) = dialogs::pick_media_file(dir) {
                    self.open(&path);
                }
                return;
            }
            Action::Settings => {
                self.open_settings();
                return;
            }
            Action::Help => {
                self.view.help = !self.view.help;
                return;
            }
            Action::Calibration => {
                self.open_calibration();
                return;
            }
            Action::ToggleFullscreen => {
                self.view.fullscreen = !self.view.fullscreen;
                self.ctx
                    .send_viewport_cmd(egui::ViewportCommand::Fullscreen(self.view.fullscreen));
                return;
            }
            Action::ToggleZoom => {
                self.view.full_size = !self.view.full_size;
                return;
            }
            Action::Escape => {
                if self.view.help {
                    self.view.help = false;
                } else if self.view.settings.is_some() {
                    self.view.settings = None;
                } else if self.view.fullscreen {
                    self.apply(Action::ToggleFullscreen);
                }
                return;
            }
            _ => {}
        }
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let intent = match action {
            Action::TogglePlay => Intent::TogglePlay,
            Action::Shuttle(speed) => Intent::Shuttle(speed),
            Action::Step(n) => Intent::Step(n),
            Action::StepSeconds(n) => Intent::StepSeconds(n),
            Action::GoToStart => Intent::GoToStart,
            Action::GoToEnd => Intent::GoToEnd,
            // Up/Down walk the notes the filter shows: "open only" then Down visits what is
            // left to do.
            Action::PreviousNote => Intent::PreviousNote(s.note_filter),
            Action::NextNote => Intent::NextNote(s.note_filter),
            Action::MarkIn => Intent::MarkIn,
            Action::MarkOut => Intent::MarkOut,
            Action::ClearIn => Intent::ClearIn,
            Action::ClearOut => Intent::ClearOut,
            Action::ToggleLoop => Intent::ToggleLoop,
            Action::AddNote => {
                self.view.side_panel = true;
                Intent::AddNote {
                    text: String::new(),
                    author: self.settings.reviewer.clone(),
                    setup: Some(self.headphones.listening_setup()),
                    category: s.note_filter.category_for_new(),
                }
            }
            Action::Undo => Intent::UndoDelete,
            Action::TypeTimecode(digit) => {
                self.view.tc_entry = Some(TcEntry::starting_with(
                    digit.map(|d| d.to_string()).unwrap_or_default(),
                ));
                return;
            }
            Action::Open
            | Action::Settings
            | Action::Calibration
            | Action::Help
            | Action::ToggleFullscreen
            | Action::ToggleZoom
            | Action::Escape => return,
        };
        s.apply(intent);
    }

    /// Opens the calibration wizard for the declared headphones on the device in use.
    fn open_calibration(&mut self) {
        let device = self
            .session
            .as_ref()
            .and_then(|s| s.snapshot().device.clone())
            .or_else(|| self.headphones.device().map(str::to_owned))
            .unwrap_or_else(|| "no output device".into());
        let gain = self.session.as_ref().map_or(0.0, |s| s.snapshot().gain_db);
        let id = self
            .headphones
            .declared_headphones()
            .unwrap_or(UNDECLARED_HEADPHONES)
            .to_owned();
        let name = self.headphones.catalog().headphone(&id).map_or_else(
            || "headphones not declared".to_owned(),
            |h| format!("{} {}", h.maker, h.model),
        );
        self.calibration.open((&id, &name), &device, gain);
    }

    /// The calibration status of the chain in use, for the status bar.
    fn calibration_status(&self) -> Option<crate::headphones::CalibrationStatus> {
        let device = self.session.as_ref()?.snapshot().device.clone()?;
        let id = self
            .headphones
            .declared_headphones()
            .unwrap_or(UNDECLARED_HEADPHONES);
        Some(self.calibration.status(Some(id), &device))
    }

    /// Draws the calibration wizard when open and carries out what it asks for.
    fn calibration_window(&mut self, ctx: &egui::Context) {
        // A chain with a stored calibration gets its balance trim and level back.
        if let Some(device) = self
            .session
            .as_ref()
            .and_then(|s| s.snapshot().device.clone())
        {
            let id = self
                .headphones
                .declared_headphones()
                .unwrap_or(UNDECLARED_HEADPHONES)
                .to_owned();
            if let Some(r) = self.calibration.restore_for(&id, &device) {
                if let Some(s) = &self.session {
                    s.player().send(Command::SetBalance(r.balance_db));
                }
                if r.level.is_some() {
                    self.headphones.set_calibration(r.level);
                }
            }
        }
        let out = self.calibration.show(ctx);
        if let Some(s) = &self.session {
            for c in out.commands {
                s.player().send(c);
            }
        }
        if let Some(level) = out.saved.and_then(|r| r.level) {
            self.headphones.set_calibration(Some(level));
        }
        if let Some(m) = out.message {
            self.view.banner = Some(m);
        }
    }

    fn open_settings(&mut self) {
        let (tracks, sound) = match self.session.as_ref() {
            Some(s) => (
                crate::player::audio_tracks(s.review.path()).unwrap_or_default(),
                self.sound_for(s.review.path()),
            ),
            None => (Vec::new(), Default::default()),
        };
        self.view.settings = Some(SettingsWindow {
            devices: crate::player::output_devices(),
            chosen: self.settings.output_device.clone(),
            reviewer: self.settings.reviewer.clone(),
            watermark: self.settings.watermark.clone(),
            tracks,
            sound,
        });
    }

    /// Plays another sound of the open file (a track, a split-mono pair, a fold-down),
    /// remembered for this file; the file is reopened on the frame it was on.
    fn choose_sound(&mut self, choice: AudioChoice, fold: FoldDown) {
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let (path, frame) = (s.review.path().to_path_buf(), s.snapshot().frame);
        if let Ok(key) = crate::persist::content_key(&path) {
            let value = match fold {
                FoldDown::Bs775 => choice.to_string(),
                other => format!("{choice};{other}"),
            };
            self.settings.sound.insert(key, value);
            self.save_settings();
        }
        // A choice made here outranks the command line's for the rest of the session.
        self.player_options.audio = AudioChoice::Auto;
        self.player_options.fold_down = FoldDown::default();
        if self.open(&path)
            && let Some(s) = self.session.as_ref()
        {
            s.player().send(Command::Seek(frame));
        }
    }

    /// The sound to play for `path`: what the command line asked for, else what was chosen for
    /// this file before (by content, so a renamed copy remembers), else Earmark's pick.
    fn sound_for(&self, path: &Path) -> (AudioChoice, FoldDown) {
        let asked = (self.player_options.audio, self.player_options.fold_down);
        let remembered = crate::persist::content_key(path)
            .ok()
            .and_then(|k| self.settings.sound.get(&k).cloned())
            .map(|v| parse_sound(&v))
            .unwrap_or_default();
        (
            if asked.0 == AudioChoice::Auto {
                remembered.0
            } else {
                asked.0
            },
            if asked.1 == FoldDown::default() {
                remembered.1
            } else {
                asked.1
            },
        )
    }

    fn apply_settings(&mut self, events: Vec<SettingsEvent>) {
        // The name needs no file open; everything else goes to the player.
        let (sound, events): (Vec<_>, Vec<_>) = events
            .into_iter()
            .partition(|e| matches!(e, SettingsEvent::Sound(..)));
        if let Some(SettingsEvent::Sound(choice, fold)) = sound.last() {
            self.choose_sound(*choice, *fold);
        }
        let (named, events): (Vec<_>, Vec<_>) = events
            .into_iter()
            .partition(|e| matches!(e, SettingsEvent::Reviewer(_) | SettingsEvent::Watermark(_)));
        let mut save = false;
        for e in named {
            match e {
                SettingsEvent::Reviewer(name) => self.settings.reviewer = name,
                SettingsEvent::Watermark(w) => self.settings.watermark = w,
                _ => {}
            }
            save = true;
        }
        if save && let Some(s) = self.session.as_mut() {
            // The mark names the reviewer and follows the settings: redrawn at once.
            s.picture.watermark = WatermarkOverlay::restyled(
                s.picture.watermark.take(),
                &self.settings,
                s.review.path(),
                &self.ctx,
            );
        }
        let Some(s) = self.session.as_mut() else {
            if save {
                self.save_settings();
            }
            return;
        };
        for e in events {
            match e {
                SettingsEvent::Reviewer(_)
                | SettingsEvent::Watermark(_)
                | SettingsEvent::Sound(..) => {}
                SettingsEvent::Device(d) => {
                    s.player().send(Command::SetDevice(d.clone()));
                    self.player_options.device = d.clone();
                    self.settings.output_device = d;
                    save = true;
                }
                SettingsEvent::Monitor(m) => {
                    s.player().send(Command::SetMonitor(m));
                    self.player_options.monitor = m;
                }
                SettingsEvent::Gain(db) => {
                    s.player().send(Command::SetGain(db));
                    self.player_options.gain_db = db;
                }
                SettingsEvent::Muted(m) => s.player().send(Command::SetMuted(m)),
                SettingsEvent::AvOffset(ms) => {
                    s.player().send(Command::SetAvOffset(ms));
                    if let Some(d) = &s.snapshot().device {
                        self.settings.av_offset_ms.insert(d.clone(), ms);
                        save = true;
                    }
                }
            }
        }
        if save {
            self.save_settings();
        }
    }

    /// Keys this frame, unless a text field has them.
    fn keyboard(&mut self, ctx: &egui::Context) {
        if ctx.egui_wants_keyboard_input()
            || self.view.tc_entry.is_some()
            || self.calibration.is_open()
        {
            return;
        }
        let speed = self.session.as_ref().map(Session::speed).unwrap_or(0);
        let presses: Vec<KeyPress> = ctx.input(|i| {
            let k_held = i.key_down(egui::Key::K);
            i.events
                .iter()
                .filter_map(|e| match e {
                    egui::Event::Key {
                        key,
                        pressed: true,
                        repeat,
                        modifiers,
                        ..
                    } => Some(KeyPress {
                        key: *key,
                        shift: modifiers.shift,
                        command: modifiers.command,
                        k_held: k_held && *key != egui::Key::K,
                        repeat: *repeat,
                    }),
                    _ => None,
                })
                .collect()
        });
        let mut speed = speed;
        for press in presses {
            if let Some(action) = action_for(press, speed) {
                if let Action::Shuttle(s) = action {
                    speed = s;
                }
                self.apply(action);
            }
        }
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Option<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .find(|p| !p.as_os_str().is_empty())
        });
        if let Some(path) = dropped {
            self.open(&path);
        }
    }

    fn menu_bar(&mut self, ui: &mut egui::Ui) {
        let mut action = None;
        let mut open_recent = None;
        let mut review_complete = false;
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open…  (Ctrl+O)").clicked() {
                    action = Some(Action::Open);
                }
                ui.menu_button("Open recent", |ui| {
                    if self.settings.recent_files.is_empty() {
                        ui.weak("nothing yet");
                    }
                    for p in &self.settings.recent_files {
                        if ui.button(p.display().to_string()).clicked() {
                            open_recent = Some(p.clone());
                        }
                    }
                });
                ui.separator();
                if ui.button("Settings…  (Ctrl+,)").clicked() {
                    action = Some(Action::Settings);
                }
                ui.separator();
                let open = self.session.is_some() && self.security_dirs.is_some();
                if ui
                    .add_enabled(open, egui::Button::new("Review complete…"))
                    .on_hover_text("Export, then delete the media and what Earmark derived from it")
                    .clicked()
                {
                    review_complete = true;
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Full-screen picture  (F)").clicked() {
                    action = Some(Action::ToggleFullscreen);
                }
                if ui.button("Picture at 100 % / fitted  (Z)").clicked() {
                    action = Some(Action::ToggleZoom);
                }
                if ui.button("Calibration checks…  (Ctrl+K)").clicked() {
                    action = Some(Action::Calibration);
                }
                if let Some(dirs) = &self.security_dirs
                    && ui.button("Access log…").clicked()
                {
                    self.view.access_window = Some(AccessLogWindow::open(dirs));
                }
                if ui
                    .checkbox(&mut self.view.side_panel, "Side panel")
                    .changed()
                {
                    self.save_settings();
                }
            });
            ui.menu_button("Help", |ui| {
                if ui.button("Keys  (?)").clicked() {
                    action = Some(Action::Help);
                }
            });
            if let Some(s) = &self.session {
                ui.separator();
                ui.weak(s.review.path().display().to_string());
            }
        });
        if let Some(p) = open_recent {
            self.open(&p);
        }
        if review_complete {
            self.open_review_complete();
        }
        if let Some(a) = action {
            self.apply(a);
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let model = TimecodeModel {
            tc: s.player().timecode(),
            frame: s.scrub_last.unwrap_or(s.snapshot().frame),
            frame_count: s.player().frame_count(),
        };
        let event = ui
            .horizontal(|ui| {
                let e = timecode_bar::show(ui, &model, &mut self.view.tc_entry);
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let tc = s.player().timecode();
                    ui.label(format!(
                        "{} fps{}",
                        s.snapshot().rate_label,
                        if tc.rate.drop_frame {
                            " drop-frame"
                        } else {
                            ""
                        }
                    ));
                    ui.strong(status_bar::transport_label(s.snapshot().transport));
                });
                e
            })
            .inner;
        match event {
            Some(TcEvent::Begin) => self.view.tc_entry = Some(TcEntry::default()),
            Some(TcEvent::Jump(f)) => {
                s.player().send(Command::Seek(f));
                self.view.tc_entry = None;
            }
            Some(TcEvent::Cancel) => self.view.tc_entry = None,
            None => {}
        }
    }

    fn bottom_bar(&mut self, ui: &mut egui::Ui) {
        let preset = self.preset();
        let spec_profile = self.spec_profile();
        let calibration = self.calibration_status();
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let tc = *s.player().timecode();
        let filter = s.note_filter;
        let notes: Vec<u64> = s
            .review
            .notes()
            .iter()
            .filter(|n| filter.matches(n))
            .map(|n| n.frame)
            .collect();
        let label = move |f: u64| format!("{}  (frame {f})", tc.at_frame(f as i64));
        let width = ui.available_width().max(1.0) as usize;
        if let ScanState::Done(scan) = s.review.scan().state() {
            let key = (width, preset.id);
            if s.strip.as_ref().is_none_or(|(k, _)| *k != key) {
                s.strip = Some((key, loudness_panel::strip(&scan, &preset, width)));
            }
        }
        let model = TimelineModel {
            frame_count: s.player().frame_count(),
            frame: s.scrub_last.unwrap_or(s.snapshot().frame),
            mark_in: s.review.marks().mark_in,
            mark_out: s.review.marks().mark_out,
            looping: s.snapshot().looping,
            notes: &notes,
            loudness: s.strip.as_ref().map(|(_, (v, band))| (v.as_slice(), *band)),
            label: &label,
        };
        match timeline::show(ui, &model) {
            Some(Scrub::Moving(f)) => {
                s.scrub_last = Some(f);
                // While dragging, the keyframe at or before the pointer: one picture to decode.
                let k = s.player().keyframe_at_or_before(f);
                if s.scrub_sent != Some(k) {
                    s.scrub_sent = Some(k);
                    s.player().send(Command::Seek(k));
                }
            }
            Some(Scrub::Landed(f)) => {
                s.player().send(Command::Seek(f));
                s.scrub_last = None;
                s.scrub_sent = None;
            }
            None => {
                if s.scrub_last.is_some() && !ui.input(|i| i.pointer.any_down()) {
                    // The drag ended off the bar: land where it last was.
                    if let Some(f) = s.scrub_last.take() {
                        s.player().send(Command::Seek(f));
                    }
                    s.scrub_sent = None;
                }
            }
        }
        let fmt = |f: Option<u64>| f.map(|f| tc.at_frame(f as i64).to_string());
        let marks = transport_bar::Marks {
            mark_in: fmt(s.review.marks().mark_in),
            mark_out: fmt(s.review.marks().mark_out),
            looping: s.snapshot().looping,
        };
        ui.add_space(4.0);
        let action = transport_bar::show(ui, s.snapshot(), &marks);
        ui.add_space(2.0);
        ui.separator();
        let spec = spec_panel::badge(&s.review.spec().state(), &spec_profile);
        if status_bar::show(ui, s.snapshot(), calibration.as_ref(), &spec) {
            self.view.reveal_spec = true;
            self.view.side_panel = true;
        }
        if let Some(a) = action {
            self.apply(a);
        }
    }

    /// Feeds the listening monitor this frame's player state and meters; its problems (a
    /// damaged dose record, a declaration that could not be saved) go to the banner.
    fn listen(&mut self) {
        let today = crate::headphones::dose::today_utc();
        match self.session.as_mut() {
            Some(s) => {
                let (meters, snapshot) = s.review.meters_and_snapshot();
                self.headphones
                    .update(snapshot, meters.map(|m| m.read()), today);
            }
            None => self.headphones.update(&Snapshot::default(), None, today),
        }
        let problems = self.headphones.take_problems();
        if !problems.is_empty() {
            self.view.banner = Some(problems.join(" "));
        }
    }

    /// Closes the file under review (if any), recording it in the access log.
    fn close_media(&mut self) {
        if let Some(s) = self.session.take()
            && let Some(log) = &self.access
        {
            log.record_detail(AccessEvent::Close, s.review.path(), "review window");
        }
    }

    /// File → Review complete…: the dialog for the file under review.
    fn open_review_complete(&mut self) {
        let (Some(s), Some(dirs)) = (&self.session, &self.security_dirs) else {
            return;
        };
        let completer = ReviewComplete::new(dirs.clone(), &self.settings.reviewer);
        self.view.review_complete = Some(ReviewCompleteDialog::new(s.review.path(), completer));
    }

    /// The security windows: review complete, the access log, the reminder on closing a
    /// completed review whose file is still here.
    fn security_windows(&mut self, ctx: &egui::Context) {
        if let Some(log) = &self.access {
            let problems = log.take_problems();
            if !problems.is_empty() {
                self.view.banner = Some(problems.join(" "));
            }
        }
        if let Some(mut dialog) = self.view.review_complete.take() {
            let mut events = Vec::new();
            if dialog.show(ctx, &mut events) {
                self.view.review_complete = Some(dialog);
            }
            for e in events {
                match e {
                    ReviewEvent::CloseMedia => {
                        self.close_media();
                        // The close must be on disk (with the file's hash) before the
                        // deletion starts next frame.
                        if let Some(log) = &self.access {
                            let problems = log.flush();
                            if !problems.is_empty() {
                                self.view.banner = Some(problems.join(" "));
                            }
                        }
                    }
                    ReviewEvent::Exported(media, export) => {
                        if let Some(log) = &self.access {
                            let detail = format!("review complete export to {}", export.display());
                            log.record_detail(AccessEvent::Export, &media, &detail);
                        }
                    }
                    ReviewEvent::Deleted(media) => {
                        let gone = std::fs::canonicalize(&media).unwrap_or(media.clone());
                        self.settings
                            .recent_files
                            .retain(|p| *p != media && *p != gone);
                        self.save_settings();
                        if self.view.close_reminder.take().is_some() {
                            self.view.close_confirmed = true;
                        }
                    }
                }
            }
        }
        if let Some(mut w) = self.view.access_window.take() {
            let media = self.session.as_ref().map(|s| s.review.path().to_path_buf());
            if w.show(ctx, media.as_deref()) {
                self.view.access_window = Some(w);
            }
        }
        let asked_to_close = ctx.input(|i| i.viewport().close_requested());
        if asked_to_close && !self.view.close_confirmed && self.automation.is_none() {
            let completed = self.session.as_ref().filter(|s| {
                s.review.path().exists()
                    && crate::security::completed_review(s.review.path()).is_some()
            });
            if let Some(s) = completed {
                self.view.close_reminder = Some(s.review.path().to_path_buf());
                ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
            }
        }
        self.close_reminder_window(ctx);
    }

    fn close_reminder_window(&mut self, ctx: &egui::Context) {
        let Some(path) = self.view.close_reminder.clone() else {
            return;
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut choice = None;
        egui::Window::new("The review is complete")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(format!(
                    "The review of {name} is marked complete, but the file is still on this \
                     computer. Content sent for review should be deleted once the review is done."
                ));
                ui.horizontal(|ui| {
                    if ui.button("Delete it now…").clicked() {
                        choice = Some(true);
                    }
                    if ui.button("Keep it and quit").clicked() {
                        choice = Some(false);
                    }
                });
            });
        match choice {
            Some(true) => {
                self.open_review_complete();
            }
            Some(false) => {
                self.view.close_reminder = None;
                self.view.close_confirmed = true;
                ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            }
            None => {}
        }
    }

    /// The delivery spec profile the reviewer chose (PIX Standard unless changed).
    fn spec_profile(&self) -> String {
        match self.settings.spec_profile.as_str() {
            "" => crate::player::DEFAULT_SPEC_PROFILE.to_owned(),
            id => id.to_owned(),
        }
    }

    /// The delivery target the reviewer chose (Netflix 2.0 unless changed).
    fn preset(&self) -> Preset {
        Preset::by_id(&self.settings.loudness_preset).unwrap_or(crate::meters::PRESETS[0])
    }

    fn side_panel(&mut self, ui: &mut egui::Ui) {
        // The chain first: a Bluetooth or unknown headphone changes how everything below is heard.
        headphone_panel::show(ui, &mut self.headphones);
        ui.separator();
        let preset = self.preset();
        let spec_profile = self.spec_profile();
        let reveal_spec = std::mem::take(&mut self.view.reveal_spec);
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let mut picked = None;
        let mut picked_spec = None;
        egui::ScrollArea::vertical()
            .id_salt("side-scroll")
            // The notes below keep two fifths of the height (they are the reviewer's work);
            // the meters scroll if they must.
            .max_height(ui.available_height() * 0.6)
            .show(ui, |ui| {
                // The file's verdict first: it is what a reviewer checks on opening.
                let state = s.review.scan().state();
                if matches!(state, ScanState::Running(_)) {
                    // Keep the progress bar moving while nothing else repaints.
                    ui.ctx().request_repaint_after(Duration::from_millis(250));
                }
                if let Some(LoudnessEvent::Preset(id)) = loudness_panel::show(ui, &state, &preset) {
                    picked = Some(id);
                }
                ui.separator();
                let spec = s.review.spec().state();
                if matches!(spec, SpecState::Running) {
                    ui.ctx().request_repaint_after(Duration::from_millis(100));
                }
                if let Some(SpecEvent::Profile(id)) =
                    spec_panel::show(ui, &spec, &spec_profile, reveal_spec)
                {
                    picked_spec = Some(id);
                }
                ui.separator();
                if let Some(out) = s.review.meters_mut() {
                    let view = PresetView {
                        name: preset.name.to_owned(),
                        target_lufs: preset.target_lufs,
                        tolerance_lu: preset.tolerance_lu,
                        max_true_peak_dbtp: preset.max_true_peak_dbtp,
                    };
                    let r = meter_panel::show(ui, out.read(), &view);
                    if r.reset_clicked {
                        s.player().reset_meters();
                    }
                }
            });
        if let Some(id) = picked {
            s.strip = None;
            self.settings.loudness_preset = id.to_owned();
            self.save_settings();
        }
        if let Some(id) = picked_spec {
            self.settings.spec_profile = id;
            self.save_settings();
        }
        let Some(s) = self.session.as_mut() else {
            return;
        };
        ui.separator();
        let tc = *s.player().timecode();
        let here = s.review.looking_at();
        let saved = s.review.save_state();
        let deleted = s.review.undo_preview().map(|(n, count)| (n.clone(), count));
        let view = notes_panel::NotesView {
            tc: &tc,
            current: here,
            saved: &saved,
            deleted: deleted.as_ref().map(|(n, count)| (n, *count)),
        };
        let event = notes_panel::show(
            ui,
            s.review.edit_notes(),
            &mut s.note_filter,
            &view,
            &mut s.editing,
            &mut s.focus_note,
        );
        let intent = match event {
            Some(notes_panel::NotesEvent::GoTo(f)) => Intent::Seek(f),
            Some(notes_panel::NotesEvent::Delete(id)) => Intent::DeleteNote(id),
            Some(notes_panel::NotesEvent::Undo) => Intent::UndoDelete,
            Some(notes_panel::NotesEvent::Edited(id)) => Intent::NoteEdited(id),
            None => return,
        };
        s.apply(intent);
    }

    fn central(&mut self, ui: &mut egui::Ui) {
        let rect = ui.max_rect();
        let Some(s) = self.session.as_mut() else {
            ui.painter()
                .rect_filled(rect, 0.0, super::picture_view::SURROUND);
            ui.centered_and_justified(|ui| {
                ui.label(
                    egui::RichText::new(
                        "Open a review file: Ctrl+O, drag it onto this window, or name it on the command line.",
                    )
                    .size(18.0),
                );
            });
            return;
        };
        if !s.snapshot().has_video {
            ui.painter()
                .rect_filled(rect, 0.0, super::picture_view::SURROUND);
            ui.centered_and_justified(|ui| {
                ui.label(
                    egui::RichText::new(format!(
                        "Sound only\n{}\n{}",
                        s.review
                            .path()
                            .file_name()
                            .unwrap_or_default()
                            .to_string_lossy(),
                        s.snapshot().timecode
                    ))
                    .size(28.0)
                    .monospace(),
                );
            });
            return;
        }
        let at = s.picture.paint(ui, rect, self.view.full_size);
        self.view.picture_rect = at;
        // Pictures decoded at the size they are shown: a third of the pixels to convert and
        // upload for 1080p in a laptop-sized window.
        let wanted = s
            .picture
            .wanted_size(rect, self.view.full_size, ui.ctx().pixels_per_point());
        let differs = match (wanted, s.picture.requested) {
            (Some((w, h)), Some((rw, rh))) => w.abs_diff(rw) * 50 > rw || h.abs_diff(rh) * 50 > rh,
            (a, b) => a != b,
        };
        if differs {
            s.player().set_display_size(wanted);
            s.picture.requested = wanted;
        }
        if self.view.fullscreen
            && let Some(at) = at
        {
            // The timecode stays visible in full screen, small, under the picture's corner.
            let text = format!("{}  {}", s.snapshot().timecode, s.snapshot().frame);
            let pos = egui::pos2(at.min.x + 12.0, (at.max.y - 12.0).min(rect.max.y - 12.0));
            let galley = ui.painter().layout_no_wrap(
                text,
                egui::FontId::monospace(20.0),
                egui::Color32::from_gray(230),
            );
            let bg = egui::Rect::from_min_size(
                pos - egui::vec2(6.0, galley.size().y + 4.0),
                galley.size() + egui::vec2(12.0, 8.0),
            );
            ui.painter()
                .rect_filled(bg, 4.0, egui::Color32::from_black_alpha(160));
            ui.painter().galley(
                pos - egui::vec2(0.0, galley.size().y),
                galley,
                egui::Color32::WHITE,
            );
        }
    }

    fn banners(&mut self, ui: &mut egui::Ui) {
        let player_message = self
            .session
            .as_ref()
            .and_then(|s| s.snapshot().message.clone());
        let mut dismiss = false;
        if let Some(text) = &self.view.banner {
            egui::Frame::new()
                .fill(egui::Color32::from_rgb(110, 30, 30))
                .inner_margin(8.0)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        ui.label(egui::RichText::new(text).color(egui::Color32::WHITE));
                        if ui.button("Dismiss").clicked() {
                            dismiss = true;
                        }
                    });
                });
        }
        if let Some(text) = player_message {
            egui::Frame::new()
                .fill(egui::Color32::from_rgb(100, 70, 10))
                .inner_margin(8.0)
                .show(ui, |ui| {
                    ui.label(egui::RichText::new(text).color(egui::Color32::WHITE));
                });
        }
        if dismiss {
            self.view.banner = None;
        }
    }

    /// Runs the script one step.
    fn automate(&mut self, ctx: &egui::Context) {
        if self.automation.is_none() {
            return;
        }
        if let (Some(flag), Some(auto)) = (&self.shot_flag, self.automation.as_mut())
            && flag.load(Ordering::Acquire)
        {
            auto.shot_done = true;
        }
        let Some(s) = self.session.as_ref() else {
            let failure = self
                .view
                .banner
                .clone()
                .unwrap_or_else(|| "no file is open".into());
            self.fail(ctx, failure, true);
            return;
        };
        let (tc, count, now) = (
            *s.player().timecode(),
            s.player().frame_count(),
            s.snapshot().frame,
        );
        if let Some(auto) = self.automation.as_mut()
            && let Err(e) = auto.resolve(|t| super::tc_entry::parse_jump(t, &tc, now, count))
        {
            self.fail(ctx, e, true);
            return;
        }
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let seen = Observed {
            clock_frame: s.snapshot().frame,
            painted: s.picture.frame(),
            has_video: s.snapshot().has_video,
            stopped: s.snapshot().transport == Transport::Paused,
            trouble: s.snapshot().message.is_some(),
        };
        let Some(auto) = self.automation.as_mut() else {
            return;
        };
        let step = auto.step(seen);
        if let Some((after_seek, after_launch)) = auto.goto_times.take() {
            eprintln!(
                "goto: frame {} ({}) on screen {:.1} ms after the go-to, {:.0} ms after launch",
                seen.clock_frame,
                s.snapshot().timecode,
                after_seek.as_secs_f64() * 1000.0,
                after_launch.as_secs_f64() * 1000.0
            );
        }
        let mut failed = None;
        match step {
            Some(Step::Seek(f)) => s.player().send(Command::Seek(f)),
            Some(Step::Play) => s.player().send(Command::Play),
            Some(Step::Stop) => {
                s.player().send(Command::Pause);
                let snap = s.player().snapshot();
                eprintln!(
                    "played: {} dropped frames, {} samples of sound dropout",
                    snap.dropped_frames, snap.underrun_frames
                );
                eprintln!(
                    "sound: {}",
                    snap.audio_label.as_deref().unwrap_or("none (picture only)")
                );
                eprintln!("{}", self.stats.summary());
            }
            Some(Step::Screenshot(path)) => {
                let ctx2 = ctx.clone();
                let result = self.result.clone();
                let done = Arc::new(AtomicBool::new(false));
                self.shot_flag = Some(done.clone());
                // Where the picture sits in the screenshot, in pixels (for tests and support).
                let ppp = ctx.pixels_per_point();
                let shown = s
                    .picture
                    .frame()
                    .map(|f| format!(" of frame {f}"))
                    .unwrap_or_default();
                let area = self
                    .view
                    .picture_rect
                    .map(|r| {
                        format!(
                            " (picture at {:.0},{:.0} size {:.0}x{:.0} px)",
                            r.min.x * ppp,
                            r.min.y * ppp,
                            r.width() * ppp,
                            r.height() * ppp
                        )
                    })
                    .unwrap_or_default();
                ctx.request_screenshot(move |image| {
                    match super::screenshot::save(&image, &path) {
                        Ok(()) => eprintln!("screenshot: {}{shown}{area}", path.display()),
                        Err(e) => {
                            if let Ok(mut r) = result.lock() {
                                r.failure = Some(format!(
                                    "could not save screenshot {}: {e}",
                                    path.display()
                                ));
                            }
                        }
                    }
                    done.store(true, Ordering::Release);
                    ctx2.request_repaint();
                });
            }
            Some(Step::Close) => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Some(Step::Fail(why)) => failed = Some(why),
            None => {}
        }
        if let Some(why) = failed {
            self.fail(ctx, why, false);
        }
    }

    fn fail(&mut self, ctx: &egui::Context, why: String, bad_input: bool) {
        if let Ok(mut r) = self.result.lock() {
            r.failure = Some(why);
            r.bad_input = bad_input;
        }
        self.automation = None;
        ctx.send_viewport_cmd(egui::ViewportCommand::Close);
    }

    /// When to paint next: at the next frame while playing; soon while a picture is on its
    /// way; otherwise only on input or when the player wakes us.
    fn schedule_repaint(&self, ctx: &egui::Context) {
        // A script polls while stopped; while playing, the frame schedule below paints often
        // enough (painting more would steal the decoder's CPU and skew what is measured).
        let stopped = self
            .session
            .as_ref()
            .is_none_or(|s| s.snapshot().transport == Transport::Paused);
        if stopped && self.automation.as_ref().is_some_and(Automation::active) {
            ctx.request_repaint_after(Duration::from_millis(4));
        }
        let Some(s) = &self.session else {
            return;
        };
        match s.snapshot().transport {
            Transport::Paused => {
                if s.snapshot().has_video && s.picture.frame() != Some(s.snapshot().frame) {
                    ctx.request_repaint_after(Duration::from_millis(4));
                }
            }
            Transport::Starting => ctx.request_repaint_after(Duration::from_millis(4)),
            Transport::Playing { .. } => {
                let (pos, speed, _) = s.player().clock();
                if speed == 0 {
                    ctx.request_repaint_after(Duration::from_millis(4));
                    return;
                }
                let rate = s.player().rate();
                let frame = rate.frame_at_ns(pos);
                let due = if speed > 0 {
                    rate.frame_start_ns(frame + 1)
                } else {
                    rate.frame_start_ns(frame) - 1
                };
                let wait_ns = ((due - pos) / i64::from(speed)).clamp(0, 50_000_000);
                ctx.request_repaint_after(Duration::from_nanos(wait_ns as u64));
            }
        }
    }
}

impl eframe::App for ReviewApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let started = Instant::now();
        let ctx = ui.ctx().clone();
        self.view.inner_size = ctx.input(|i| i.viewport().inner_rect.map(|r| r.size()));
        if let Some(s) = self.session.as_mut() {
            s.review.refresh(Instant::now());
        }
        self.dropped_files(&ctx);
        self.keyboard(&ctx);
        if let Some(s) = self.session.as_mut() {
            let pic = s.player().present();
            if s.picture.update(&ctx, pic.as_ref()) {
                self.stats.upload_us.push(s.picture.last_upload_us as u32);
            }
            s.review.set_frame_on_screen(s.picture.frame());
            // Keys above may have moved the transport: draw what it does now.
            s.review.refresh(Instant::now());
        }
        self.listen();
        // Notes the disk refused are retried whether or not the side panel is showing, and an
        // idle window wakes up to do it.
        if let Some(s) = self.session.as_ref()
            && matches!(s.review.save_state(), SaveState::Unsaved(..))
        {
            ctx.request_repaint_after(Duration::from_secs(2));
        }

        if !self.view.fullscreen {
            egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
            egui::Panel::top("timecode")
                .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(8.0))
                .show(ui, |ui| self.top_bar(ui));
            egui::Panel::bottom("transport")
                .frame(egui::Frame::side_top_panel(ui.style()).inner_margin(8.0))
                .show(ui, |ui| self.bottom_bar(ui));
            if self.view.side_panel {
                egui::Panel::right("side")
                    .resizable(true)
                    .default_size(300.0)
                    .min_size(220.0)
                    .show(ui, |ui| self.side_panel(ui));
            }
        }
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE)
            .show(ui, |ui| {
                self.banners(ui);
                let rest = ui.available_rect_before_wrap();
                let mut child = ui.new_child(egui::UiBuilder::new().max_rect(rest));
                self.central(&mut child);
            });
        if ctx.input(|i| !i.raw.hovered_files.is_empty()) {
            egui::Area::new(egui::Id::unique("drop"))
                .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
                .show(&ctx, |ui| {
                    ui.label(egui::RichText::new("Drop to open").size(28.0));
                });
        }
        if self.view.help {
            self.view.help = help_overlay::show(&ctx);
        }
        if let Some(mut w) = self.view.settings.take() {
            let snapshot = self
                .session
                .as_ref()
                .map(|s| s.snapshot().clone())
                .unwrap_or_default();
            let mut events = Vec::new();
            let open = w.show(&ctx, &snapshot, &mut events);
            if open {
                self.view.settings = Some(w);
            }
            self.apply_settings(events);
        }
        self.calibration_window(&ctx);
        self.security_windows(&ctx);
        self.automate(&ctx);
        self.schedule_repaint(&ctx);
        let playing = self
            .session
            .as_ref()
            .is_some_and(|s| s.snapshot().transport != Transport::Paused);
        if self.automation.is_some() {
            self.stats.frame(started, started.elapsed(), playing);
        }
        let s = self.session.as_ref();
        self.notices.observe(
            self.view.banner.as_deref(),
            s.and_then(|s| s.snapshot().message.as_deref()),
            s.map(|s| s.review.save_state()).as_ref(),
        );
    }

    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.close_media();
        self.headphones.save();
        self.save_settings();
    }
}

/// The headphone catalogue, declarations and listening monitor for a new window, and what to
/// tell the reviewer about profiles that could not be read (each error names its file).
fn headphone_setup(config: &ReviewSetup) -> (HeadphoneSetup, Option<String>) {
    let report = crate::headphones::Catalog::load_standard();
    let errors = (!report.errors.is_empty()).then(|| {
        let list: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
        format!("Some headphone profiles were skipped. {}", list.join(" "))
    });
    let monitor = crate::player::ListeningMonitor::new(
        config.settings.listening_band.clone(),
        config.dose_path.clone(),
        crate::headphones::dose::today_utc(),
    );
    let setup = HeadphoneSetup::new(report.catalog, config.declarations_path.clone(), monitor);
    (setup, errors)
}

/// A remembered sound choice, `"2"`, `"1+2"` or `"3;ltrt"`; Earmark's pick when unreadable.
fn parse_sound(v: &str) -> (AudioChoice, FoldDown) {
    let (choice, fold) = v.split_once(';').unwrap_or((v, ""));
    (
        choice.parse().unwrap_or_default(),
        fold.parse().unwrap_or_default(),
    )
}
