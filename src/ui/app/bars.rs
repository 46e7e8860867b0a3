//! The window's bars: the menu, the large timecode read-out, and the bottom bar — the timeline
//! (scrub, marks, note markers, loudness strip), the transport buttons and the status bar.

use super::*;

impl ReviewApp {
    pub(super) fn menu_bar(&mut self, ui: &mut egui::Ui) {
        let mut action = None;
        let mut open_recent = None;
        let mut review_complete = false;
        let mut together = false;
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
                if ui
                    .add_enabled(
                        self.session.is_some(),
                        egui::Button::new("Review together…"),
                    )
                    .on_hover_text(
                        "Host this review or join one: same frame, same sound, shared notes",
                    )
                    .clicked()
                {
                    together = true;
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
                ui.separator();
                if ui.button("Quit  (Ctrl+Q)").clicked() {
                    action = Some(Action::Quit);
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
                ui.separator();
                let now = self.layout();
                for (layout, words) in [
                    (Layout::Review, "Review layout: picture, notes, level light"),
                    (Layout::Sound, "Sound layout: every meter and check"),
                ] {
                    if ui.radio(now == layout, words).clicked() {
                        self.set_layout(layout);
                    }
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
        if together {
            self.open_together();
        }
        if review_complete {
            self.open_review_complete();
        }
        if let Some(a) = action {
            self.apply(a);
        }
    }

    pub(super) fn top_bar(&mut self, ui: &mut egui::Ui) {
        let Some(s) = self.session.as_ref() else {
            return;
        };
        let model = TimecodeModel {
            tc: s.player().timecode(),
            frame: s.scrub_last.unwrap_or(s.snapshot().frame.0),
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
                s.player().send(Command::Seek(Frame(f)));
                self.view.tc_entry = None;
            }
            Some(TcEvent::Cancel) => self.view.tc_entry = None,
            None => {}
        }
    }

    pub(super) fn bottom_bar(&mut self, ui: &mut egui::Ui) {
        let preset = self.preset();
        let spec_profile = self.spec_profile();
        let layout = self.layout();
        let calibration = self.calibration_status();
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let tc = *s.player().timecode();
        let filter = s.note_filter;
        let notes: Vec<timeline::TimelineNote> = s
            .review
            .notes()
            .iter()
            .filter(|n| filter.matches(n))
            .map(|n| timeline::TimelineNote {
                frame: n.frame.0,
                last: n.last_frame().map(|f| f.0),
                colour: timeline::category_colour(n.category),
            })
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
            frame: s.scrub_last.unwrap_or(s.snapshot().frame.0),
            mark_in: s.review.marks().mark_in.map(|f| f.0),
            mark_out: s.review.marks().mark_out.map(|f| f.0),
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
                    s.player().send(Command::Seek(Frame(k)));
                }
            }
            Some(Scrub::Landed(f)) => {
                s.player().send(Command::Seek(Frame(f)));
                s.scrub_last = None;
                s.scrub_sent = None;
            }
            None => {
                if s.scrub_last.is_some() && !ui.input(|i| i.pointer.any_down()) {
                    // The drag ended off the bar: land where it last was.
                    if let Some(f) = s.scrub_last.take() {
                        s.player().send(Command::Seek(Frame(f)));
                    }
                    s.scrub_sent = None;
                }
            }
        }
        let fmt = |f: Option<u64>| f.map(|f| tc.at_frame(f as i64).to_string());
        let marks = transport_bar::Marks {
            mark_in: fmt(s.review.marks().mark_in.map(|f| f.0)),
            mark_out: fmt(s.review.marks().mark_out.map(|f| f.0)),
            looping: s.snapshot().looping,
        };
        ui.add_space(4.0);
        let action = transport_bar::show(ui, s.snapshot(), &marks);
        ui.add_space(2.0);
        ui.separator();
        let spec = (layout == Layout::Sound)
            .then(|| spec_panel::badge(&s.review.spec().state(), &spec_profile));
        if status_bar::show(ui, s.snapshot(), calibration.as_ref(), spec.as_ref()) {
            self.view.reveal_spec = true;
            self.view.side_panel = true;
        }
        if let Some(a) = action {
            self.apply(a);
        }
    }
}
