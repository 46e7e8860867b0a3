//! A picture viewer over [`FrameReader`]: shows the exact frame with its source timecode, steps
//! frame by frame, and plays picture on the wall clock. Sound and the real transport come with
//! the playback engine.

use crate::media::MediaError;
use crate::video::{FrameReader, RgbaImage};
use eframe::egui;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub struct PreviewApp {
    reader: FrameReader,
    /// Frame on screen.
    current: u64,
    /// Texture holding `current` (uploaded only when the frame changes).
    texture: Option<(u64, egui::TextureHandle)>,
    /// Playing: the frame and instant playback started from.
    playing_from: Option<(u64, Instant)>,
    /// Last decode error, shown in the status line.
    error: Option<String>,
    screenshot_to: Option<PathBuf>,
    screenshot_requested: bool,
    /// Where a failed screenshot reports back to `run_window`.
    pub screenshot_error: Arc<Mutex<Option<String>>>,
}

impl PreviewApp {
    pub fn open(
        path: &Path,
        start: Option<u64>,
        screenshot_to: Option<PathBuf>,
    ) -> Result<Self, MediaError> {
        let reader = FrameReader::open(path)?;
        let current = start
            .unwrap_or(0)
            .min(reader.frame_count().saturating_sub(1));
        Ok(Self {
            reader,
            current,
            texture: None,
            playing_from: None,
            error: None,
            screenshot_to,
            screenshot_requested: false,
            screenshot_error: Arc::new(Mutex::new(None)),
        })
    }

    fn last_frame(&self) -> u64 {
        self.reader.frame_count().saturating_sub(1)
    }

    fn go_to(&mut self, n: u64) {
        self.current = n.min(self.last_frame());
    }

    fn handle_keys(&mut self, ctx: &egui::Context) {
        let rate = self.reader.index().rate;
        let second = rate.nominal_fps() as u64;
        ctx.input(|i| {
            let shift = i.modifiers.shift;
            let step = if shift { second } else { 1 };
            if i.key_pressed(egui::Key::ArrowRight) {
                self.playing_from = None;
                self.go_to(self.current + step);
            }
            if i.key_pressed(egui::Key::ArrowLeft) {
                self.playing_from = None;
                self.go_to(self.current.saturating_sub(step));
            }
            if i.key_pressed(egui::Key::Home) {
                self.playing_from = None;
                self.go_to(0);
            }
            if i.key_pressed(egui::Key::End) {
                self.playing_from = None;
                self.go_to(u64::MAX);
            }
            if i.key_pressed(egui::Key::Space) {
                self.playing_from = match self.playing_from {
                    Some(_) => None,
                    None => Some((self.current, Instant::now())),
                };
            }
        });
    }

    fn advance_playback(&mut self, ctx: &egui::Context) {
        let Some((from, started)) = self.playing_from else {
            return;
        };
        let rate = self.reader.index().rate.0;
        let elapsed_us = started.elapsed().as_micros() as i64;
        // frames = elapsed × rate, computed in integers (µs × num / (den × 10⁶)).
        let frames =
            (elapsed_us as i128 * rate.num as i128 / (rate.den as i128 * 1_000_000)) as u64;
        let target = from + frames;
        if target >= self.last_frame() {
            self.go_to(u64::MAX);
            self.playing_from = None;
        } else {
            self.current = target;
        }
        ctx.request_repaint();
    }

    fn picture(&mut self, ctx: &egui::Context) -> Option<egui::TextureHandle> {
        if let Some((n, tex)) = &self.texture
            && *n == self.current
        {
            return Some(tex.clone());
        }
        match self.reader.rgba(self.current) {
            Ok(image) => {
                self.error = None;
                let color = to_color_image(&image);
                let tex = match self.texture.take() {
                    Some((_, mut tex)) => {
                        tex.set(color, egui::TextureOptions::LINEAR);
                        tex
                    }
                    None => ctx.load_texture("picture", color, egui::TextureOptions::LINEAR),
                };
                self.texture = Some((self.current, tex.clone()));
                Some(tex)
            }
            Err(e) => {
                self.error = Some(e.to_string());
                self.playing_from = None;
                self.texture.as_ref().map(|(_, t)| t.clone())
            }
        }
    }

    fn status_line(&self, ui: &mut egui::Ui) {
        let tc = self.reader.timecode().at_frame(self.current as i64);
        let index = self.reader.index();
        ui.horizontal(|ui| {
            ui.label(
                egui::RichText::new(tc.to_string())
                    .monospace()
                    .size(22.0)
                    .strong(),
            );
            ui.separator();
            ui.label(
                egui::RichText::new(format!(
                    "frame {} / {}",
                    self.current,
                    index.count.saturating_sub(1)
                ))
                .monospace(),
            );
            ui.separator();
            ui.label(format!(
                "{} fps{}",
                index.rate.label(),
                if self.reader.timecode().rate.drop_frame {
                    " DF"
                } else {
                    ""
                }
            ));
            ui.separator();
            ui.label(if self.playing_from.is_some() {
                "PLAYING (picture only)"
            } else {
                "PAUSED"
            });
            ui.separator();
            ui.weak("Space play/pause · ←/→ frame · Shift+←/→ second · Home/End");
        });
        if let Some(e) = &self.error {
            ui.colored_label(egui::Color32::from_rgb(230, 80, 80), e);
        }
    }

    fn maybe_screenshot(&mut self, ctx: &egui::Context) {
        let Some(path) = self.screenshot_to.clone() else {
            return;
        };
        if self.screenshot_requested || self.texture.is_none() {
            return;
        }
        self.screenshot_requested = true;
        let report = self.screenshot_error.clone();
        let ctx_for_close = ctx.clone();
        ctx.request_screenshot(move |image| {
            if let Err(e) = super::screenshot::save(&image, &path)
                && let Ok(mut slot) = report.lock()
            {
                *slot = Some(format!("could not save screenshot {}: {e}", path.display()));
            }
            ctx_for_close.send_viewport_cmd(egui::ViewportCommand::Close);
        });
    }
}

impl eframe::App for PreviewApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.handle_keys(&ctx);
        self.advance_playback(&ctx);
        let texture = self.picture(&ctx);
        egui::Panel::bottom("status").show(ui, |ui| self.status_line(ui));
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE.fill(egui::Color32::from_gray(12)))
            .show(ui, |ui| {
                if let Some(tex) = texture {
                    let avail = ui.available_size();
                    let size = tex.size_vec2();
                    let scale = (avail.x / size.x).min(avail.y / size.y).max(0.01);
                    ui.centered_and_justified(|ui| {
                        ui.add(egui::Image::new((tex.id(), size * scale)));
                    });
                }
            });
        self.maybe_screenshot(&ctx);
    }
}

fn to_color_image(image: &RgbaImage) -> egui::ColorImage {
    egui::ColorImage::from_rgba_premultiplied(
        [image.width as usize, image.height as usize],
        &image.pixels,
    )
}
