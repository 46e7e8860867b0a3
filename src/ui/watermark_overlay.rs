//! The viewer's watermark over the picture in the window. It is the very stamp that stills get
//! burned in (`video::render_stamp`), shown as a texture one stamp pixel per screen pixel, at
//! the picture's scale, clipped to the visible picture and drifting along
//! `video::drift_position`. Window screenshots therefore carry it as well.
//!
//! The stamp is redrawn only when its text changes (once a minute, for the time) or when the
//! picture changes size. A paused window asks for one repaint a minute, to keep the time right,
//! and otherwise stays idle. Moving the mark while the picture stands still would not stop
//! anyone from capturing it.

use crate::settings::Settings;
use crate::video::{
    DriftClock, ViewerLine, WatermarkSpec, drift_position, file_id, now_unix_s, render_stamp,
};
use eframe::egui;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What the stamp on the texture was drawn for.
#[derive(Clone, Debug, PartialEq)]
struct StampKey {
    lines: Vec<String>,
    line_px: u32,
}

/// The stamp's texture and its size in pixels.
struct StampTexture {
    key: StampKey,
    texture: egui::TextureHandle,
    size: [usize; 2],
}

/// A watermark that is on, as the window draws it.
pub struct WatermarkOverlay {
    spec: WatermarkSpec,
    /// The file id, read in the background (3 MiB of the file; the window should not wait on
    /// a slow disk for it). Until it arrives the mark shows the rest.
    pending_id: Option<mpsc::Receiver<String>>,
    stamp: Option<StampTexture>,
    clock: DriftClock,
    /// The stamp could not be drawn (reported once; the picture goes on without it).
    failed: bool,
    /// The viewer's line, decided once per viewer (it looks up a font for each letter).
    viewer: Option<ViewerLine>,
    /// The viewer is shown by their code: why, until the window has taken it to say so.
    notice: Option<String>,
}

impl WatermarkOverlay {
    /// The watermark the settings ask for over `media`'s picture (`None`: turned off).
    pub fn for_media(settings: &Settings, media: &Path, ctx: &egui::Context) -> Option<Self> {
        let spec = WatermarkSpec::from_settings(settings, String::new())?;
        let (tx, rx) = mpsc::channel();
        let path = media.to_path_buf();
        let ctx = ctx.clone();
        let started = std::thread::Builder::new()
            .name("watermark-file-id".into())
            .spawn(move || match file_id(&path) {
                Ok(id) => {
                    // The window may have moved on to another file: nobody to tell then.
                    tx.send(id).ok();
                    ctx.request_repaint();
                }
                Err(e) => eprintln!(
                    "earmark: watermark without a file id ({e}): {}",
                    path.display()
                ),
            });
        let pending_id = match started {
            Ok(_) => Some(rx),
            Err(e) => {
                eprintln!("earmark: watermark without a file id (no thread: {e})");
                None
            }
        };
        Some(Self {
            spec,
            pending_id,
            stamp: None,
            clock: DriftClock::default(),
            failed: false,
            viewer: None,
            notice: None,
        })
    }

    /// The same file's mark as changed `settings` ask for (`None`: turned off). The file id and
    /// the drift carry over: the file is not hashed again for a new opacity or e-mail.
    pub fn restyled(
        current: Option<Self>,
        settings: &Settings,
        media: &Path,
        ctx: &egui::Context,
    ) -> Option<Self> {
        let Some(mut mark) = current else {
            return Self::for_media(settings, media, ctx);
        };
        let spec = WatermarkSpec::from_settings(settings, mark.spec.file_id.clone())?;
        mark.spec = spec;
        // Drawn again with the new look on the next paint.
        mark.stamp = None;
        mark.failed = false;
        Some(mark)
    }

    /// What the window should tell the reviewer about the mark (the viewer shown by their code,
    /// and why), once each time it changes.
    pub fn take_notice(&mut self) -> Option<String> {
        self.notice.take()
    }

    /// Draws the mark over a picture shown at `picture`, of which `visible` is on screen.
    pub fn paint(&mut self, ui: &egui::Ui, picture: egui::Rect, visible: egui::Rect) {
        if let Some(rx) = &self.pending_id {
            match rx.try_recv() {
                Ok(id) => {
                    self.spec.file_id = id;
                    self.pending_id = None;
                }
                Err(mpsc::TryRecvError::Disconnected) => self.pending_id = None,
                Err(mpsc::TryRecvError::Empty) => {}
            }
        }
        if self.failed || visible.width() <= 0.0 || visible.height() <= 0.0 {
            return;
        }
        let ctx = ui.ctx();
        let ppp = ctx.pixels_per_point();
        let now_s = now_unix_s();
        let viewer = match &mut self.viewer {
            Some(v) if v.viewer == self.spec.viewer => v,
            slot => {
                let v = ViewerLine::new(&self.spec);
                self.notice.clone_from(&v.substituted);
                slot.insert(v)
            }
        };
        let lines = viewer.lines(&self.spec, now_s);
        let key = StampKey {
            lines,
            // Sized for the 16:9 frame inside the picture, so a portrait picture keeps its
            // mark inside it.
            line_px: self
                .spec
                .line_px_for(picture.width() * ppp, picture.height() * ppp)
                .round() as u32,
        };
        if self.stamp.as_ref().is_none_or(|s| s.key != key) {
            match render_stamp(&key.lines, key.line_px as f32, self.spec.opacity) {
                Ok(stamp) => {
                    let size = [stamp.width as usize, stamp.height as usize];
                    let image = egui::ColorImage::from_rgba_premultiplied(size, &stamp.pixels);
                    let options = egui::TextureOptions::LINEAR;
                    match &mut self.stamp {
                        Some(s) => {
                            s.texture.set(image, options);
                            s.key = key;
                            s.size = size;
                        }
                        None => {
                            self.stamp = Some(StampTexture {
                                key,
                                texture: ctx.load_texture("watermark", image, options),
                                size,
                            });
                        }
                    }
                }
                Err(e) => {
                    eprintln!("earmark: the watermark cannot be drawn: {e}");
                    self.failed = true;
                    return;
                }
            }
        }
        let Some(stamp) = &self.stamp else {
            return;
        };
        let [w, h] = [stamp.size[0] as f32, stamp.size[1] as f32];
        let t = self.clock.tick(Instant::now());
        let area = [visible.width() * ppp, visible.height() * ppp];
        let [x, y] = drift_position(t, area, [w, h], self.spec.seed);
        // Whole screen pixels: the stamp is drawn pixel for pixel, so it stays sharp.
        let at = egui::pos2(
            ((visible.min.x * ppp).round() + x.round()) / ppp,
            ((visible.min.y * ppp).round() + y.round()) / ppp,
        );
        ui.painter().with_clip_rect(visible).image(
            stamp.texture.id(),
            egui::Rect::from_min_size(at, egui::vec2(w, h) / ppp),
            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
            egui::Color32::WHITE,
        );
        // The time on the mark changes on the minute.
        let to_next_minute = 60 - now_s.rem_euclid(60) as u64;
        ctx.request_repaint_after(Duration::from_secs(to_next_minute));
    }
}
