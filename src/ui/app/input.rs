//! Input: keys and dropped files become actions, and actions become the review's intents (or
//! changes to this window's view).

use super::*;

impl ReviewApp {
    /// Opens what File → Open's dialog gave, once it has answered.
    pub(super) fn poll_open_dialog(&mut self) {
        let Some(picked) = self
            .view
            .open_dialog
            .as_ref()
            .and_then(|d| d.answer(dialogs::Picked::NoDialog))
        else {
            return;
        };
        self.view.open_dialog = None;
        match picked {
            dialogs::Picked::File(path) => {
                self.open(&path);
            }
            dialogs::Picked::Cancelled => {}
            dialogs::Picked::NoDialog => self.view.open_path = Some(String::new()),
        }
    }

    /// Carries out one action.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::Open => {
                // One dialog at a time; asking again while it is open does nothing.
                if self.view.open_dialog.is_none() {
                    let dir = self
                        .session
                        .as_ref()
                        .and_then(|s| s.review.path().parent().map(Path::to_path_buf));
                    self.view.open_dialog = Some(dialogs::pick_media_file(&self.ctx, dir));
                    self.poll_open_dialog();
                }
                return;
            }
            Action::Quit => {
                self.ctx.send_viewport_cmd(egui::ViewportCommand::Close);
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
                if egui::Popup::is_any_open(&self.ctx) {
                    // Esc closes the open drop-down (egui does that), not the window under it.
                    return;
                }
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
                // Notes are signed, and so is the report: ask who is reviewing, once.
                if self.settings.reviewer.trim().is_empty() && !self.view.name_asked {
                    self.view.name_asked = true;
                    self.view.ask_name = Some(String::new());
                }
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
            | Action::Quit
            | Action::Settings
            | Action::Calibration
            | Action::Help
            | Action::ToggleFullscreen
            | Action::ToggleZoom
            | Action::Escape => return,
        };
        s.apply(intent);
    }

    /// Keys this frame, unless a text field has them.
    pub(super) fn keyboard(&mut self, ctx: &egui::Context) {
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

    pub(super) fn dropped_files(&mut self, ctx: &egui::Context) {
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
}
