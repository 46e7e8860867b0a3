//! The review window: the shell every review panel lives in.
//!
//! Layout, top to bottom: menu bar and the large timecode read-out; the picture (letterboxed
//! on dark grey) with the side panel (notes now; meters, headphone and spec checks join it);
//! the timeline with the loudness strip, the transport buttons and the status bar. In full
//! screen only the picture and a timecode overlay remain.
//!
//! The app never touches decoders or devices: the review ([`Review`]) takes its intents, the
//! player its listening commands, and it draws from their snapshots. The parts live beside this
//! file: `input` (keys and actions → intents), `bars`, `panels`, `windows`, `scripted`. It repaints only when something changes — when the next frame
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
use crate::review::{
    Event, Intent, NoteFilter, Review, ReviewOptions, ReviewSetup, SaveState, TogetherSetup,
};
use crate::security::{AccessEvent, AccessLog, Dirs, ReviewComplete};
use crate::settings::{Layout, Settings};
use crate::time::Frame;
use eframe::egui;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod bars;
mod input;
mod panels;
mod scripted;
mod together;
mod windows;

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
    /// Reviewing this file together with others (File → Review together…).
    pub together: Option<crate::together::session::SharedReview>,
}

/// What a drawn loudness strip was made for: width in points and preset id.
type StripKey = (usize, &'static str);
/// A drawn loudness strip: one value per column and the target band (LUFS).
type StripData = (Vec<f32>, (f32, f32));

impl Session {
    /// Carries out an intent and updates what this window shows of it: a new note gets the
    /// keyboard, a deleted one loses it, a restored one is made visible.
    /// In a shared review a guest's transport moves go to the host (or are refused without
    /// control), and notes changed here go to everyone.
    fn apply(&mut self, intent: Intent) -> Vec<Event> {
        if let Some(t) = self.together.as_mut()
            && t.ended().is_none()
            && !t.hosting()
            && let Some(c) = crate::together::session::control_for(&self.review, &intent)
        {
            t.transport(&mut self.review, c);
            return Vec::new();
        }
        let events = self.review.apply(intent);
        if let Some(t) = self.together.as_mut() {
            t.share_notes(&self.review, &events);
        }
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
    /// No file dialog could be shown: the path being typed instead.
    open_path: Option<String>,
    /// File → Open's dialog while it is open (the window goes on painting meanwhile).
    open_dialog: Option<super::dialogs::Pending<super::dialogs::Picked>>,
    /// The first note was made with no reviewer's name set: the name being typed.
    ask_name: Option<String>,
    /// The name was asked for in this window already (asked once, never nagged).
    name_asked: bool,
    /// The first-launch layout question is showing.
    ask_layout: bool,
    /// File → Review together… while open.
    together: Option<super::together_window::TogetherWindow>,
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
    /// How long a hosted session's invitations last (`--invite-hours`).
    together_hours: u32,
}

impl ReviewApp {
    /// What closing the window does, whichever renderer the platform draws with.
    fn shut_down(&mut self) {
        self.close_media();
        self.headphones.save();
        self.save_settings();
    }

    /// Builds the app and opens the first file (a failure shows in the window).
    pub fn new(ctx: &egui::Context, config: ReviewSetup) -> Self {
        let side_panel = config.settings.window.side_panel;
        let ask_layout = config.ask_layout && config.settings.window.layout.is_none();
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
                ask_layout,
                ..View::default()
            },
            automation,
            stats: FrameStats::default(),
            shot_flag: None,
            result: Arc::new(Mutex::new(RunResult::default())),
            headphones,
            calibration,
            notices: NoticeLog::default(),
            together_hours: 24,
        };
        ctx.set_visuals(egui::Visuals::dark());
        if let Some(file) = config.file {
            app.open(&file);
        }
        if let Some(together) = &config.together {
            app.start_together(together);
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
            editor: self.settings.reviewer.clone(),
            spec_profiles: self.spec_profiles.clone(),
        };
        match Review::open(path, options) {
            Ok((mut review, notes_problem)) => {
                let ctx = self.ctx.clone();
                review
                    .player()
                    .set_waker(Box::new(move || ctx.request_repaint()));
                let ctx = self.ctx.clone();
                review.watch_notes(Box::new(move || ctx.request_repaint()));
                self.session = Some(Session {
                    review,
                    picture: PictureView::watermarked(&self.settings, path, &self.ctx),
                    editing: None,
                    focus_note: false,
                    note_filter: NoteFilter::default(),
                    scrub_last: None,
                    scrub_sent: None,
                    strip: None,
                    together: None,
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
        if let Some(mut s) = self.session.take() {
            // Another file is not the same cut: the shared review ends here.
            if let Some(t) = s.together.as_mut() {
                t.leave();
                let _ = t.poll(&mut s.review, None);
            }
            if let Some(log) = &self.access {
                log.record_detail(AccessEvent::Close, s.review.path(), "review window");
            }
        }
    }
}

impl eframe::App for ReviewApp {
    /// Runs before every paint and also while the window is hidden or covered: a shared
    /// review keeps answering the others when nobody looks at this window.
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.poll_together(ctx);
        self.poll_open_dialog();
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let started = Instant::now();
        let ctx = ui.ctx().clone();
        self.view.inner_size = ctx.input(|i| i.viewport().inner_rect.map(|r| r.size()));
        if let Some(s) = self.session.as_mut()
            && s.review.refresh(Instant::now())
        {
            // Another window or `earmark notes` changed them; the panel shows it now, and a
            // support log (and a scripted run) can see when.
            eprintln!(
                "notice: notes: {} notes, changed elsewhere (another window or `earmark notes`)",
                s.review.notes().len()
            );
        }
        self.dropped_files(&ctx);
        self.keyboard(&ctx);
        if let Some(s) = self.session.as_mut() {
            let pic = s.player().present();
            if s.picture.update(&ctx, pic.as_ref()) {
                self.stats.upload_us.push(s.picture.last_upload_us as u32);
            }
            s.review.set_frame_on_screen(s.picture.frame());
            // Keys above may have moved the transport: draw what it does now. (Notes changed
            // elsewhere are taken in at most four times a second, by the first refresh above.)
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
                // Each layout keeps its own width: Sound has two columns (meters beside the
                // checks and notes), Review one.
                let (id, width, min) = match self.layout() {
                    Layout::Review => ("side-review", 320.0, 220.0),
                    Layout::Sound => ("side-sound", 600.0, 440.0),
                };
                egui::Panel::right(id)
                    .resizable(true)
                    .default_size(width)
                    .min_size(min)
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
        self.open_path_window(&ctx);
        self.layout_window(&ctx);
        self.name_window(&ctx);
        self.together_window(&ctx);
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
        let view = self.headphones.monitor().view();
        self.notices.observe_level(
            view.light.filter(|_| !view.muted).map(|l| l.words()),
            view.advice.as_deref(),
        );
    }

    #[cfg(not(target_os = "macos"))]
    fn on_exit(&mut self, _gl: Option<&eframe::glow::Context>) {
        self.shut_down();
    }

    #[cfg(target_os = "macos")]
    fn on_exit(&mut self) {
        self.shut_down();
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
    let mut setup = HeadphoneSetup::new(report.catalog, config.declarations_path.clone(), monitor);
    setup.watch_system_volume();
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
