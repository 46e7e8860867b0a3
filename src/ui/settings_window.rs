//! Settings (Ctrl+,): output device, monitoring mode, output gain and mute, the A/V offset of
//! the device in use, the reviewer's name for new notes, and the watermark (on/off, opacity,
//! size, e-mail), and for a file with several sound tracks or more than two channels, which
//! track plays and how it folds to stereo. Changes apply at once and are remembered on this
//! machine (the sound per file).

use super::status_bar::monitor_label;
use crate::player::{AudioChoice, AudioTrack, FoldDown, MonitorMode, OutputDevice, Snapshot};
use crate::video::{MIN_OPACITY, SIZE_RANGE, WatermarkSettings};
use eframe::egui;

/// A change made in the window.
#[derive(Clone, Debug, PartialEq)]
pub enum SettingsEvent {
    /// `None`: the system default.
    Device(Option<String>),
    Monitor(MonitorMode),
    Gain(f32),
    Muted(bool),
    AvOffset(i32),
    /// The name new notes are signed with.
    Reviewer(String),
    /// The watermark as set now.
    Watermark(WatermarkSettings),
    /// Play this sound of the open file, folded this way (reopens the sound; remembered).
    Sound(AudioChoice, FoldDown),
}

/// The window's own state while open.
#[derive(Clone, Debug, Default)]
pub struct SettingsWindow {
    /// Devices found when the window opened.
    pub devices: Vec<OutputDevice>,
    /// Device the user asked for (`None`: system default).
    pub chosen: Option<String>,
    /// The reviewer's name as typed.
    pub reviewer: String,
    /// The watermark as set in the window.
    pub watermark: WatermarkSettings,
    /// The open file's sound tracks, and the sound chosen for it.
    pub tracks: Vec<AudioTrack>,
    pub sound: (AudioChoice, FoldDown),
}

impl SettingsWindow {
    /// Shows the window; false once it is closed.
    pub fn show(
        &mut self,
        ctx: &egui::Context,
        s: &Snapshot,
        events: &mut Vec<SettingsEvent>,
    ) -> bool {
        let mut open = true;
        egui::Window::new("Settings")
            .collapsible(false)
            .resizable(false)
            .open(&mut open)
            .show(ctx, |ui| {
                egui::Grid::new("settings")
                    .num_columns(2)
                    .spacing([16.0, 10.0])
                    .show(ui, |ui| {
                        ui.label("Output device");
                        let shown = self
                            .chosen
                            .clone()
                            .unwrap_or_else(|| "System default".to_owned());
                        egui::ComboBox::from_id_salt("device")
                            .selected_text(shown)
                            .width(320.0)
                            .show_ui(ui, |ui| {
                                if ui
                                    .selectable_label(self.chosen.is_none(), "System default")
                                    .clicked()
                                {
                                    self.chosen = None;
                                    events.push(SettingsEvent::Device(None));
                                }
                                for d in &self.devices {
                                    let mut text = d.name.clone();
                                    if crate::player::is_bluetooth(&d.name) {
                                        text.push_str("  (Bluetooth)");
                                    }
                                    let on = self.chosen.as_deref() == Some(d.name.as_str());
                                    if ui.selectable_label(on, text).clicked() {
                                        self.chosen = Some(d.name.clone());
                                        events.push(SettingsEvent::Device(Some(d.name.clone())));
                                    }
                                }
                            });
                        ui.end_row();

                        ui.label("Monitoring");
                        egui::ComboBox::from_id_salt("monitor")
                            .selected_text(monitor_label(s.monitor))
                            .show_ui(ui, |ui| {
                                for m in MonitorMode::ALL {
                                    if ui
                                        .selectable_label(s.monitor == m, monitor_label(m))
                                        .clicked()
                                    {
                                        events.push(SettingsEvent::Monitor(m));
                                    }
                                }
                            });
                        ui.end_row();

                        ui.label("Output gain");
                        ui.horizontal(|ui| {
                            let mut gain = s.gain_db;
                            if ui
                                .add(egui::Slider::new(&mut gain, -30.0..=6.0).suffix(" dB"))
                                .changed()
                            {
                                events.push(SettingsEvent::Gain(gain));
                            }
                            let mut muted = s.muted;
                            if ui.checkbox(&mut muted, "Mute").changed() {
                                events.push(SettingsEvent::Muted(muted));
                            }
                        });
                        ui.end_row();

                        ui.label("A/V offset");
                        ui.horizontal(|ui| {
                            let mut ms = s.av_offset_ms;
                            let enabled = s.device.is_some();
                            let resp = ui.add_enabled(
                                enabled,
                                egui::DragValue::new(&mut ms)
                                    .range(-2000..=2000)
                                    .suffix(" ms"),
                            );
                            if resp.changed() {
                                events.push(SettingsEvent::AvOffset(ms));
                            }
                            ui.weak(match &s.device {
                                Some(d) => format!("for {d}; positive when its sound arrives late"),
                                None => "no output device".to_owned(),
                            });
                        });
                        ui.end_row();

                        let label = ui.label("Reviewer");
                        ui.horizontal(|ui| {
                            let resp = ui
                                .add(
                                    egui::TextEdit::singleline(&mut self.reviewer)
                                        .hint_text("your name")
                                        .desired_width(200.0),
                                )
                                .labelled_by(label.id);
                            if resp.changed() {
                                events.push(SettingsEvent::Reviewer(self.reviewer.clone()));
                            }
                            ui.weak("signs the notes you make");
                        });
                        ui.end_row();

                        self.sound_rows(ui, events);
                        self.watermark_rows(ui, events);
                    });
            });
        open
    }

    /// Which sound track plays and how more than two channels fold to stereo: shown when the
    /// file has several tracks or a surround one.
    fn sound_rows(&mut self, ui: &mut egui::Ui, events: &mut Vec<SettingsEvent>) {
        let surround = self.tracks.iter().any(|t| t.channels > 2);
        if self.tracks.len() < 2 && !surround {
            return;
        }
        let (choice, fold) = self.sound;
        let mut options: Vec<(AudioChoice, String)> =
            vec![(AudioChoice::Auto, "Earmark's pick".into())];
        for t in &self.tracks {
            options.push((
                AudioChoice::Track(t.track),
                format!("Track {} · {}", t.track, t.label()),
            ));
        }
        // Each two mono tracks in a row, as a split-mono left/right pair.
        for w in self.tracks.windows(2) {
            if w[0].channels == 1 && w[1].channels == 1 {
                options.push((
                    AudioChoice::Pair(w[0].track, w[1].track),
                    format!(
                        "Tracks {} + {} as left and right (split mono)",
                        w[0].track, w[1].track
                    ),
                ));
            }
        }
        let shown = options
            .iter()
            .find(|(c, _)| *c == choice)
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| choice.to_string());
        let label = ui.label("Sound track");
        egui::ComboBox::from_id_salt("sound-track")
            .selected_text(shown)
            .width(320.0)
            .show_ui(ui, |ui| {
                for (c, text) in &options {
                    if ui.selectable_label(*c == choice, text).clicked() && *c != choice {
                        self.sound.0 = *c;
                        events.push(SettingsEvent::Sound(*c, fold));
                    }
                }
            })
            .response
            .labelled_by(label.id);
        ui.end_row();
        if surround {
            let label = ui.label("Fold-down");
            egui::ComboBox::from_id_salt("fold-down")
                .selected_text(fold.words())
                .show_ui(ui, |ui| {
                    for f in FoldDown::ALL {
                        if ui.selectable_label(f == fold, f.words()).clicked() && f != fold {
                            self.sound.1 = f;
                            events.push(SettingsEvent::Sound(choice, f));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
        }
    }

    /// The watermark's rows: on/off, opacity, size, the e-mail shown after the name.
    fn watermark_rows(&mut self, ui: &mut egui::Ui, events: &mut Vec<SettingsEvent>) {
        let w = &mut self.watermark;
        let mut changed = false;
        ui.label("Watermark");
        ui.horizontal(|ui| {
            changed |= ui.checkbox(&mut w.enabled, "Over the picture").changed();
            ui.weak("and in stills and report thumbnails");
        });
        ui.end_row();

        ui.label("Opacity");
        changed |= ui
            .add_enabled(
                w.enabled,
                egui::Slider::new(&mut w.opacity, MIN_OPACITY..=1.0).fixed_decimals(2),
            )
            .changed();
        ui.end_row();

        ui.label("Size");
        let mut percent = w.size * 100.0;
        if ui
            .add_enabled(
                w.enabled,
                egui::Slider::new(&mut percent, SIZE_RANGE.0 * 100.0..=SIZE_RANGE.1 * 100.0)
                    .fixed_decimals(1)
                    .suffix(" % of the picture height"),
            )
            .changed()
        {
            w.size = percent / 100.0;
            changed = true;
        }
        ui.end_row();

        let label = ui.label("E-mail");
        changed |= ui
            .add_enabled(
                w.enabled,
                egui::TextEdit::singleline(&mut w.email)
                    .hint_text("shown after your name")
                    .desired_width(200.0),
            )
            .labelled_by(label.id)
            .changed();
        ui.end_row();
        if changed {
            events.push(SettingsEvent::Watermark(w.clone()));
        }
    }
}
