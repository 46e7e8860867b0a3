//! The windows over the review: calibration, Settings (and the sound chosen there), Review
//! complete, the access log, and the reminder on closing a completed review.

use super::*;

impl ReviewApp {
    /// Opens the calibration wizard for the declared headphones on the device in use.
    pub(super) fn open_calibration(&mut self) {
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
        let volume_db = match &self.headphones.monitor().view().system_volume {
            Some(Ok(v)) => Some(v.db),
            _ => None,
        };
        let centre = self
            .calibration
            .open((&id, &name), &device, gain, volume_db);
        if let Some(s) = &self.session {
            s.player().send(centre);
        }
    }

    /// The calibration status of the chain in use, for the status bar.
    pub(super) fn calibration_status(&self) -> Option<crate::headphones::CalibrationStatus> {
        let device = self.session.as_ref()?.snapshot().device.clone()?;
        let id = self
            .headphones
            .declared_headphones()
            .unwrap_or(UNDECLARED_HEADPHONES);
        Some(self.calibration.status(Some(id), &device))
    }

    /// Draws the calibration wizard when open and carries out what it asks for.
    pub(super) fn calibration_window(&mut self, ctx: &egui::Context) {
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

    pub(super) fn open_settings(&mut self) {
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
    pub(super) fn choose_sound(&mut self, choice: AudioChoice, fold: FoldDown) {
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
    pub(super) fn sound_for(&self, path: &Path) -> (AudioChoice, FoldDown) {
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

    pub(super) fn apply_settings(&mut self, events: Vec<SettingsEvent>) {
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

    /// File → Review complete…: the dialog for the file under review.
    pub(super) fn open_review_complete(&mut self) {
        let (Some(s), Some(dirs)) = (&self.session, &self.security_dirs) else {
            return;
        };
        let completer = ReviewComplete::new(dirs.clone(), &self.settings.reviewer);
        self.view.review_complete = Some(ReviewCompleteDialog::new(
            s.review.path(),
            completer,
            self.preset().id,
        ));
    }

    /// The security windows: review complete, the access log, the reminder on closing a
    /// completed review whose file is still here.
    pub(super) fn security_windows(&mut self, ctx: &egui::Context) {
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

    pub(super) fn close_reminder_window(&mut self, ctx: &egui::Context) {
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

    /// Where no file dialog can be shown, Ctrl+O asks for the path here (it did nothing).
    pub(super) fn open_path_window(&mut self, ctx: &egui::Context) {
        let Some(text) = self.view.open_path.as_mut() else {
            return;
        };
        let mut open = true;
        let mut go = false;
        egui::Window::new("Open a file")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .open(&mut open)
            .show(ctx, |ui| {
                ui.label(
                    "No file dialog is available on this system (no desktop portal). \
                     Type or paste the path of the review file:",
                );
                let enter = prompt_field(ui, text, 480.0, "/path/to/episode.mov", false);
                go = ui.button("Open").clicked() || enter;
            });
        if go {
            let path = PathBuf::from(text.trim());
            self.view.open_path = None;
            self.open(&path);
        } else if !open {
            self.view.open_path = None;
        }
    }

    /// Asks for the reviewer's name when the first note is made without one: the note is
    /// already pinned; the name signs it (and every unsigned note), the report, and the notes
    /// to come, and is saved in the settings.
    pub(super) fn name_window(&mut self, ctx: &egui::Context) {
        let Some(text) = self.view.ask_name.as_mut() else {
            return;
        };
        let mut open = true;
        let mut go = false;
        let mut not_now = false;
        egui::Window::new("Who is reviewing?")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 80.0))
            .open(&mut open)
            .show(ctx, |ui| {
                ui.label("Your name signs your notes and the review report.");
                // The keyboard comes here until a name is begun (the new note's field asks for
                // it too); the note's text can follow once the name is given.
                let grab = text.is_empty();
                let enter = prompt_field(ui, text, 320.0, "Name (and role)", grab);
                ui.horizontal(|ui| {
                    go = ui.button("Use this name").clicked() || enter;
                    not_now = ui.button("Not now").clicked();
                });
            });
        let Some(name) = self.view.ask_name.clone() else {
            return;
        };
        let name = name.trim().to_owned();
        if not_now {
            self.view.ask_name = None;
        } else if go && !name.is_empty() {
            self.view.ask_name = None;
            self.settings.reviewer = name.clone();
            self.save_settings();
            if let Some(s) = self.session.as_mut() {
                s.apply(Intent::SignUnsigned { author: name });
            }
        } else if !open {
            self.view.ask_name = None;
        }
    }

    /// The side panel's layout (Sound, today's full panel, until one is chosen).
    pub(super) fn layout(&self) -> Layout {
        self.settings.window.layout.unwrap_or(Layout::Sound)
    }

    pub(super) fn set_layout(&mut self, layout: Layout) {
        self.settings.window.layout = Some(layout);
        self.view.side_panel = true;
        self.view.ask_layout = false;
        self.save_settings();
    }

    /// First launch: who is this window for? (Switchable any time under View.)
    pub(super) fn layout_window(&mut self, ctx: &egui::Context) {
        if !self.view.ask_layout {
            return;
        }
        let mut chosen = None;
        egui::Window::new("How will you review?")
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                ui.label(
                    "Choose what the side of the window shows. You can switch any time under View.",
                );
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if ui
                        .add(
                            egui::Button::new(
                                "Review\n\nThe picture large, your notes, and one light that says\n\
                             whether you are listening full but comfortable.",
                            )
                            .min_size(egui::vec2(260.0, 90.0)),
                        )
                        .clicked()
                    {
                        chosen = Some(Layout::Review);
                    }
                    if ui
                        .add(
                            egui::Button::new(
                                "Sound\n\nEvery meter: loudness, true peak, phase,\n\
                             the delivery check and the listening chain.",
                            )
                            .min_size(egui::vec2(260.0, 90.0)),
                        )
                        .clicked()
                    {
                        chosen = Some(Layout::Sound);
                    }
                });
            });
        if let Some(l) = chosen {
            self.set_layout(l);
        }
    }
}

/// A one-line field for a prompt window, holding the keyboard while nothing else does (always,
/// with `grab`); true when Enter was pressed in it. Enter is read before the field takes it.
fn prompt_field(ui: &mut egui::Ui, text: &mut String, width: f32, hint: &str, grab: bool) -> bool {
    let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
    let field = ui.add(
        egui::TextEdit::singleline(text)
            .desired_width(width)
            .hint_text(hint),
    );
    if grab || ui.memory(|m| m.focused().is_none()) {
        field.request_focus();
    }
    enter && (field.has_focus() || field.lost_focus())
}
