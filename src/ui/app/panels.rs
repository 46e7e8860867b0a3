//! The side panel (headphones, meters, loudness, delivery check, notes), the picture area and the
//! banners over it.

use super::*;

impl ReviewApp {
    /// The delivery spec profile the reviewer chose (PIX Standard unless changed).
    pub(super) fn spec_profile(&self) -> String {
        match self.settings.spec_profile.as_str() {
            "" => crate::player::DEFAULT_SPEC_PROFILE.to_owned(),
            id => id.to_owned(),
        }
    }

    /// The delivery target the reviewer chose (Netflix 2.0 unless changed).
    pub(super) fn preset(&self) -> Preset {
        Preset::by_id(&self.settings.loudness_preset).unwrap_or(crate::meters::PRESETS[0])
    }

    pub(super) fn side_panel(&mut self, ui: &mut egui::Ui) {
        match self.layout() {
            Layout::Review => self.review_side(ui),
            Layout::Sound => self.sound_side(ui),
        }
    }

    /// The Review layout: the level light first, in words; the headphones (folded away once
    /// declared); then the notes, with the rest of the height.
    fn review_side(&mut self, ui: &mut egui::Ui) {
        ui.heading("Listening level");
        crate::ui::level_light::show(ui, self.headphones.monitor().view());
        let declared = self.headphones.declared_headphones().is_some();
        egui::CollapsingHeader::new("Headphones")
            .default_open(!declared)
            .show(ui, |ui| headphone_panel::show(ui, &mut self.headphones));
        ui.separator();
        self.notes_section(ui);
    }

    /// The Sound layout, in two columns: the live meters on the left, whole (never scrolled
    /// away); on the right the listening chain, the file's loudness and delivery check, then
    /// the notes.
    fn sound_side(&mut self, ui: &mut egui::Ui) {
        ui.columns(2, |cols| {
            if let [left, right] = cols {
                self.live_meters(left);
                self.checks_and_notes(right);
            }
        });
    }

    fn live_meters(&mut self, ui: &mut egui::Ui) {
        let preset = self.preset();
        if let Some(s) = self.session.as_mut()
            && let Some(out) = s.review.meters_mut()
        {
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
    }

    fn checks_and_notes(&mut self, ui: &mut egui::Ui) {
        let preset = self.preset();
        let spec_profile = self.spec_profile();
        let reveal_spec = std::mem::take(&mut self.view.reveal_spec);
        let mut picked = None;
        let mut picked_spec = None;
        egui::ScrollArea::vertical()
            .id_salt("side-scroll")
            // The notes below keep two fifths of the height (they are the reviewer's work).
            .max_height(ui.available_height() * 0.6)
            .show(ui, |ui| {
                // The chain: a Bluetooth or unknown headphone changes how everything is heard.
                headphone_panel::show(ui, &mut self.headphones);
                ui.separator();
                let Some(s) = self.session.as_mut() else {
                    return;
                };
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
            });
        if let Some(id) = picked {
            if let Some(s) = self.session.as_mut() {
                s.strip = None;
            }
            self.settings.loudness_preset = id.to_owned();
            self.save_settings();
        }
        if let Some(id) = picked_spec {
            self.settings.spec_profile = id;
            self.save_settings();
        }
        ui.separator();
        self.notes_section(ui);
    }

    /// The notes list and its filter, with whatever height is left.
    fn notes_section(&mut self, ui: &mut egui::Ui) {
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let tc = *s.player().timecode();
        let here = s.review.looking_at();
        let saved = s.review.save_state();
        let deleted = s.review.undo_preview().map(|(n, count)| (n.clone(), count));
        let view = notes_panel::NotesView {
            tc: &tc,
            current: here.0,
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
            Some(notes_panel::NotesEvent::GoTo(f)) => Intent::Seek(crate::time::Frame(f)),
            Some(notes_panel::NotesEvent::Delete(id)) => Intent::DeleteNote(id),
            Some(notes_panel::NotesEvent::Undo) => Intent::UndoDelete,
            Some(notes_panel::NotesEvent::Edited(id)) => Intent::NoteEdited(id),
            None => return,
        };
        s.apply(intent);
    }

    pub(super) fn central(&mut self, ui: &mut egui::Ui) {
        let rect = ui.max_rect();
        let Some(s) = self.session.as_mut() else {
            ui.painter()
                .rect_filled(rect, 0.0, crate::ui::picture_view::SURROUND);
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
                .rect_filled(rect, 0.0, crate::ui::picture_view::SURROUND);
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
        if let Some(notice) = s.picture.watermark.as_mut().and_then(|w| w.take_notice()) {
            self.view.banner = Some(notice);
        }
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

    pub(super) fn banners(&mut self, ui: &mut egui::Ui) {
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
}
