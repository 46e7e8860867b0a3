//! Saving the window's own pixels to a PNG (used by tests under Xvfb and for bug reports).

use crate::video::{RgbaImage, write_png};
use eframe::egui::ColorImage;
use std::path::Path;

/// Writes an egui screenshot to `path`.
pub fn save(image: &ColorImage, path: &Path) -> std::io::Result<()> {
    let [w, h] = image.size;
    let pixels = image.pixels.iter().flat_map(|c| c.to_array()).collect();
    let rgba = RgbaImage {
        width: w as u32,
        height: h as u32,
        pixels,
    };
    write_png(&rgba, path)
}
