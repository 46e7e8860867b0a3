//! The picture: the decoded frame as a texture, aspect-correct and letterboxed on neutral dark
//! grey, fitted to the space or at 100 %.
//!
//! The texture is uploaded only when the frame on screen changes; a paused window redraws the
//! same texture without touching the pixels. The viewer's watermark, when on, is drawn over the
//! picture (`watermark_overlay`).

use super::watermark_overlay::WatermarkOverlay;
use crate::player::Picture;
use crate::settings::Settings;
use eframe::egui;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// Neutral dark grey around the picture, as in a review room (no colour cast, not black so the
/// picture's own blacks read as black).
pub const SURROUND: egui::Color32 = egui::Color32::from_gray(28);

/// The frame on screen and its texture.
#[derive(Default)]
pub struct PictureView {
    texture: Option<egui::TextureHandle>,
    /// Frame held by the texture.
    frame: Option<u64>,
    /// Size of the texture in pixels.
    pixels: [usize; 2],
    /// The picture's native size (pictures may arrive scaled to the display).
    native: Option<[usize; 2]>,
    /// The size asked of the player (`None`: native).
    pub requested: Option<(u32, u32)>,
    /// Time the last upload took (µs), for the frame-time statistics.
    pub last_upload_us: u64,
    /// Uploads so far.
    pub uploads: u64,
    /// The viewer's watermark over the picture (`None`: turned off in the settings).
    pub watermark: Option<WatermarkOverlay>,
}

impl PictureView {
    /// A view of `media`'s pictures, watermarked as `settings` say.
    pub fn watermarked(settings: &Settings, media: &Path, ctx: &egui::Context) -> Self {
        Self {
            watermark: WatermarkOverlay::for_media(settings, media, ctx),
            ..Self::default()
        }
    }

    /// The frame the texture holds (what is on screen).
    pub fn frame(&self) -> Option<u64> {
        self.frame
    }

    /// Uploads `picture` unless it is already the one on screen. True when it changed.
    pub fn update(&mut self, ctx: &egui::Context, picture: Option<&Arc<Picture>>) -> bool {
        let Some(pic) = picture else {
            return false;
        };
        if self.frame == Some(pic.frame) && self.texture.is_some() {
            return false;
        }
        let started = Instant::now();
        let size = [pic.image.width as usize, pic.image.height as usize];
        if self.requested.is_none() {
            self.native = Some(size);
        }
        // The decoder writes opaque RGBA, so premultiplied and straight alpha are the same:
        // taking it as premultiplied skips a per-pixel conversion.
        let image = egui::ColorImage::from_rgba_premultiplied(size, &pic.image.pixels);
        // Linear filtering when the window scales the picture, as any player does.
        let options = egui::TextureOptions::LINEAR;
        match &mut self.texture {
            Some(tex) if self.pixels == size => tex.set(image, options),
            _ => self.texture = Some(ctx.load_texture("picture", image, options)),
        }
        self.pixels = size;
        self.frame = Some(pic.frame);
        super::picture_trace::picture_shown(pic.frame);
        self.uploads += 1;
        self.last_upload_us = started.elapsed().as_micros() as u64;
        true
    }

    /// The size, in pixels, pictures should arrive at to fill `rect` (fitted), or `None` for
    /// native size (at 100 %, or when the space is larger than the picture).
    pub fn wanted_size(&self, rect: egui::Rect, full_size: bool, ppp: f32) -> Option<(u32, u32)> {
        let [w, h] = self.native?;
        if full_size || w == 0 || h == 0 {
            return None;
        }
        let scale = (rect.width() * ppp / w as f32).min(rect.height() * ppp / h as f32);
        if scale >= 1.0 || scale <= 0.0 {
            return None;
        }
        // Even sizes: chroma-subsampled pictures scale cleanly, and small resizes don't churn.
        let even = |v: f32| ((v / 2.0).round() as u32 * 2).max(2);
        Some((even(w as f32 * scale), even(h as f32 * scale)))
    }

    /// Draws the picture into `rect` (fitted, or one image pixel per screen pixel at 100 %).
    /// Returns where the picture landed.
    pub fn paint(
        &mut self,
        ui: &mut egui::Ui,
        rect: egui::Rect,
        full_size: bool,
    ) -> Option<egui::Rect> {
        ui.painter().rect_filled(rect, 0.0, SURROUND);
        let tex = self.texture.as_ref()?;
        let [w, h] = self.native.unwrap_or(self.pixels);
        if w == 0 || h == 0 {
            return None;
        }
        let native = egui::vec2(w as f32, h as f32) / ui.ctx().pixels_per_point();
        let size = if full_size {
            native
        } else {
            let scale = (rect.width() / native.x).min(rect.height() / native.y);
            native * scale.max(0.01)
        };
        let at = egui::Rect::from_center_size(rect.center(), size);
        let painter = ui.painter().with_clip_rect(rect);
        painter.image(
            tex.id(),
            at,
            egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
            egui::Color32::WHITE,
        );
        if let Some(mark) = &mut self.watermark {
            mark.paint(ui, at, at.intersect(rect));
        }
        Some(at)
    }
}
