//! The watermark as pixels. Its lines are rasterised with real fonts through `ab_glyph` — the
//! window's own faces, and for other scripts the installed font the system's fallback offers
//! (`script::faces`), right-to-left runs in visual order — into a *stamp*: white letters in a
//! dark outline, so they read on a white sky and a black night alike, with the opacity already
//! applied, as premultiplied RGBA. Stills and report thumbnails get the stamp blended into their
//! pixels; the window shows the same stamp as a texture, so a screenshot and a still look alike.
//!
//! A viewer whose name this machine cannot draw (no font for its script, or a script that needs
//! letter shaping) is shown by their viewer code instead ([`ViewerLine`]), never as a row of
//! empty boxes: the mark exists to say whose screen a picture was on.

use super::rgba::RgbaImage;
use super::watermark::{WatermarkSpec, drift_position};
use crate::script::{Face, faces, visual_order};
use ab_glyph::{Font as _, FontRef, InvalidFont, PxScale, ScaleFont as _, point};
use std::sync::Arc;

/// The viewer's line as it will be drawn. Deciding it looks up a font for every letter, so it is
/// made once per viewer and reused for every paint and every minute's new date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ViewerLine {
    /// The spec's viewer it was made for.
    pub viewer: String,
    /// Their name, or their viewer code when this machine cannot draw the name faithfully.
    pub line: String,
    /// Set when the code stands in: says for whom and why, for the user to be told.
    pub substituted: Option<String>,
}

impl ViewerLine {
    /// `spec`'s viewer line: the name, else the code.
    pub fn new(spec: &WatermarkSpec) -> Self {
        match faces().check(&spec.viewer) {
            Ok(()) => Self {
                viewer: spec.viewer.clone(),
                line: spec.viewer.clone(),
                substituted: None,
            },
            Err(why) => {
                let code = spec.viewer_code();
                Self {
                    viewer: spec.viewer.clone(),
                    substituted: Some(format!(
                        "The watermark shows \"{code}\" for {}: {why}.",
                        spec.viewer
                    )),
                    line: code,
                }
            }
        }
    }

    /// `spec`'s lines at `unix_s`, with this viewer line first.
    pub fn lines(&self, spec: &WatermarkSpec, unix_s: i64) -> Vec<String> {
        let mut lines = spec.lines(unix_s);
        if let Some(first) = lines.first_mut() {
            first.clone_from(&self.line);
        }
        lines
    }
}

/// The watermark drawn once, ready to place on a picture.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stamp {
    pub width: u32,
    pub height: u32,
    /// `width × height × 4` bytes, premultiplied RGBA: each pixel adds its colour and covers
    /// the picture under it by its alpha.
    pub pixels: Vec<u8>,
}

/// `lines` in letters `line_px` pixels high, white in a dark outline, at `opacity` (0–1).
/// Fully transparent (all zero) wherever there is no letter or outline. Letters no installed
/// font has are left out (see [`ViewerLine`], which keeps them out of a watermark).
pub fn render_stamp(lines: &[String], line_px: f32, opacity: f32) -> Result<Stamp, InvalidFont> {
    let all = faces();
    let primary_face = all.primary();
    let primary = primary_face.font()?;
    let px = line_px.max(1.0);
    let scaled = primary.as_scaled(PxScale::from(px));
    // Every face is drawn at the primary's em size, so a Korean name is as large as a Latin one
    // (fonts differ in how much room above and below the em they claim).
    let em_px = px * primary.units_per_em().unwrap_or(1000.0) / primary.height_unscaled();
    // The outline grows with the letters, a twelfth of their height; 1.5 px at least, or small
    // letters would have a ring too faint to read on white.
    let radius = (px / 12.0).max(1.5);
    let pad = radius.ceil() as usize + 1;
    let advance = px + scaled.line_gap();
    // Each line in the order it is seen, each letter with the face that draws it.
    let laid: Vec<Vec<(Arc<Face>, char)>> = lines
        .iter()
        .map(|line| {
            visual_order(line)
                .chars()
                .filter(|c| !c.is_control())
                .filter_map(|c| all.face_for(c).map(|f| (f, c)))
                .collect()
        })
        .collect();
    // Walks a line: calls `place` with each letter's face, scale, glyph and caret; returns the
    // line's width.
    let walk = |line: &[(Arc<Face>, char)],
                place: &mut dyn FnMut(&FontRef<'_>, PxScale, ab_glyph::GlyphId, f32)|
     -> Result<f32, InvalidFont> {
        let mut caret = 0.0;
        let mut prev: Option<(&Arc<Face>, ab_glyph::GlyphId)> = None;
        for (face, c) in line {
            let font = face.font()?;
            let scale = PxScale::from(
                em_px * font.height_unscaled() / font.units_per_em().unwrap_or(1000.0),
            );
            let sf = font.as_scaled(scale);
            let id = sf.glyph_id(*c);
            if let Some((pf, pid)) = prev
                && Arc::ptr_eq(pf, face)
            {
                caret += sf.kern(pid, id);
            }
            place(&font, scale, id, caret);
            caret += sf.h_advance(id);
            prev = Some((face, id));
        }
        Ok(caret)
    };
    let mut text_w = 0.0_f32;
    for line in &laid {
        text_w = text_w.max(walk(line, &mut |_, _, _, _| {})?);
    }
    let w = text_w.ceil() as usize + 2 * pad;
    let h = (advance * lines.len() as f32 - scaled.line_gap())
        .ceil()
        .max(0.0) as usize
        + 2 * pad;
    // Letter coverage, 0–1.
    let mut fill = vec![0.0_f32; w * h];
    for (i, line) in laid.iter().enumerate() {
        let baseline = pad as f32 + scaled.ascent() + advance * i as f32;
        walk(line, &mut |font, scale, id, caret| {
            let glyph = id.with_scale_and_position(scale, point(pad as f32 + caret, baseline));
            if let Some(outlined) = font.outline_glyph(glyph) {
                let b = outlined.px_bounds();
                outlined.draw(|gx, gy, c| {
                    let x = b.min.x as i64 + i64::from(gx);
                    let y = b.min.y as i64 + i64::from(gy);
                    if (0..w as i64).contains(&x) && (0..h as i64).contains(&y) {
                        let at = y as usize * w + x as usize;
                        fill[at] = fill[at].max(c.min(1.0));
                    }
                });
            }
        })?;
    }
    let ring = outline(&fill, w, h, radius);
    let opacity = opacity.clamp(0.0, 1.0);
    let mut pixels = Vec::with_capacity(w * h * 4);
    for (f, o) in fill.iter().zip(&ring) {
        // Black outline under white letters: covered by one, then the other.
        let a_fill = opacity * f;
        let a_ring = opacity * o * (1.0 - f);
        let alpha = 1.0 - (1.0 - a_ring) * (1.0 - a_fill);
        let white = (a_fill * 255.0).round() as u8;
        pixels.extend_from_slice(&[white, white, white, (alpha * 255.0).round() as u8]);
    }
    Ok(Stamp {
        width: w as u32,
        height: h as u32,
        pixels,
    })
}

/// The outline's coverage: the letters grown by `radius` pixels (a disc, its edge smoothed).
fn outline(fill: &[f32], w: usize, h: usize, radius: f32) -> Vec<f32> {
    let reach = radius.ceil() as i64 + 1;
    let mut disc = Vec::new();
    for dy in -reach..=reach {
        for dx in -reach..=reach {
            let weight = (radius + 0.5 - ((dx * dx + dy * dy) as f32).sqrt()).clamp(0.0, 1.0);
            if weight > 0.0 {
                disc.push((dx, dy, weight));
            }
        }
    }
    let mut ring = vec![0.0_f32; w * h];
    for y in 0..h as i64 {
        for x in 0..w as i64 {
            let mut best = 0.0_f32;
            for &(dx, dy, weight) in &disc {
                let (sx, sy) = (x + dx, y + dy);
                if (0..w as i64).contains(&sx) && (0..h as i64).contains(&sy) {
                    best = best.max(fill[sy as usize * w + sx as usize] * weight);
                }
            }
            ring[y as usize * w + x as usize] = best;
        }
    }
    ring
}

/// Blends `stamp` into `image` with its top-left corner at `at` (pixels; parts outside the
/// image are dropped). Pixels under the stamp's transparent parts are left exactly as they
/// were.
pub fn blend(image: &mut RgbaImage, stamp: &Stamp, at: (i64, i64)) {
    let (iw, ih) = (i64::from(image.width), i64::from(image.height));
    for sy in 0..i64::from(stamp.height) {
        let y = at.1 + sy;
        if !(0..ih).contains(&y) {
            continue;
        }
        for sx in 0..i64::from(stamp.width) {
            let x = at.0 + sx;
            if !(0..iw).contains(&x) {
                continue;
            }
            let s = ((sy * i64::from(stamp.width) + sx) * 4) as usize;
            let Some(&[r, g, b, a]) = stamp.pixels.get(s..s + 4) else {
                continue;
            };
            if a == 0 {
                continue;
            }
            let d = ((y * iw + x) * 4) as usize;
            if let Some(px) = image.pixels.get_mut(d..d + 3) {
                for (dst, src) in px.iter_mut().zip([r, g, b]) {
                    let under = u32::from(*dst) * u32::from(255 - a);
                    *dst = (u32::from(src) + (under + 127) / 255).min(255) as u8;
                }
            }
        }
    }
}

/// Burns `spec`'s watermark, dated `unix_s`, into `image` at the centre (where the drift
/// starts, and where no crop can remove it from a still). Returns [`ViewerLine::substituted`]
/// when the viewer had to be shown by their code, for the caller to tell the user.
pub fn burn_watermark(
    image: &mut RgbaImage,
    spec: &WatermarkSpec,
    unix_s: i64,
) -> Result<Option<String>, InvalidFont> {
    let viewer = ViewerLine::new(spec);
    let stamp = render_stamp(
        &viewer.lines(spec, unix_s),
        spec.line_px_for(image.width as f32, image.height as f32),
        spec.opacity,
    )?;
    let [x, y] = drift_position(
        0.0,
        [image.width as f32, image.height as f32],
        [stamp.width as f32, stamp.height as f32],
        spec.seed,
    );
    blend(image, &stamp, (x.round() as i64, y.round() as i64));
    Ok(viewer.substituted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(width: u32, height: u32, grey: u8) -> RgbaImage {
        RgbaImage {
            width,
            height,
            pixels: [grey, grey, grey, 255].repeat((width * height) as usize),
        }
    }

    fn spec(opacity: f32) -> WatermarkSpec {
        WatermarkSpec {
            viewer: "Sam Reyes <sam@example.com>".into(),
            file_id: "0123456789ab".into(),
            opacity,
            size: 0.04,
            seed: 0,
        }
    }

    /// The bounding box of the pixels that differ, and how many do.
    fn changed(a: &RgbaImage, b: &RgbaImage) -> Option<((u32, u32, u32, u32), usize)> {
        let mut bbox: Option<(u32, u32, u32, u32)> = None;
        let mut n = 0;
        for y in 0..a.height {
            for x in 0..a.width {
                if a.pixel(x, y) != b.pixel(x, y) {
                    n += 1;
                    let (x0, y0, x1, y1) = bbox.unwrap_or((x, y, x, y));
                    bbox = Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)));
                }
            }
        }
        bbox.map(|b| (b, n))
    }

    #[test]
    fn the_stamp_has_letters_an_outline_and_clear_edges() {
        let lines = spec(1.0).lines(1_700_000_000);
        let stamp = render_stamp(&lines, 30.0, 1.0).expect("font");
        assert!(stamp.height >= 60 && stamp.height < 90, "{}", stamp.height);
        assert!(stamp.width > 300, "{}", stamp.width);
        let px: Vec<&[u8]> = stamp.pixels.chunks_exact(4).collect();
        // Solid white letters, solid dark outline (alpha but no colour), and clear space.
        assert!(px.iter().any(|p| p[0] == 255 && p[3] == 255));
        assert!(px.iter().any(|p| p[0] == 0 && p[3] == 255));
        assert!(px.iter().any(|p| p[3] == 0));
        // Premultiplied: colour never exceeds coverage.
        assert!(px.iter().all(|p| p[0] <= p[3]));
        // The border row is padding.
        assert!(
            stamp.pixels[..stamp.width as usize * 4]
                .iter()
                .all(|&b| b == 0)
        );
    }

    #[test]
    fn burns_into_white_and_black_near_the_centre_only() {
        for grey in [255u8, 0] {
            let plain = flat(640, 360, grey);
            let mut marked = plain.clone();
            burn_watermark(&mut marked, &spec(1.0), 1_700_000_000).expect("font");
            let ((x0, y0, x1, y1), n) = changed(&plain, &marked).expect("some pixels changed");
            assert!(n > 500, "{n} pixels changed on grey {grey}");
            // Centred: the changed box straddles the middle, well inside the picture.
            assert!(
                x0 < 320 && x1 > 320 && y0 < 180 && y1 > 180,
                "{x0},{y0}–{x1},{y1}"
            );
            assert!(
                x0 > 20 && x1 < 620 && y0 > 120 && y1 < 240,
                "{x0},{y0}–{x1},{y1}"
            );
            // Letters show against the background: dark outline on white, white text on black.
            let contrast = marked
                .pixels
                .chunks_exact(4)
                .map(|p| p[0].abs_diff(grey))
                .max()
                .unwrap_or(0);
            assert!(contrast > 200, "contrast {contrast} on grey {grey}");
            assert!(marked.pixels.chunks_exact(4).all(|p| p[3] == 255));
        }
    }

    #[test]
    fn opacity_limits_how_far_any_pixel_moves() {
        for grey in [255u8, 0, 128] {
            let plain = flat(640, 360, grey);
            let mut marked = plain.clone();
            burn_watermark(&mut marked, &spec(0.25), 0).expect("font");
            let most = plain
                .pixels
                .iter()
                .zip(&marked.pixels)
                .map(|(a, b)| a.abs_diff(*b))
                .max()
                .unwrap_or(0);
            // A quarter of the way to white or black, at most (one step for rounding).
            assert!(most > 0, "nothing drawn on grey {grey}");
            assert!(
                u32::from(most) <= u32::from(grey.max(255 - grey)).div_ceil(4) + 1,
                "{most} on grey {grey}"
            );
        }
    }

    #[test]
    fn a_stamp_larger_than_the_picture_is_cut_not_wrapped() {
        let mut image = flat(40, 10, 128);
        let stamp = render_stamp(&["wide text".into()], 20.0, 1.0).expect("font");
        blend(&mut image, &stamp, (-5, -5));
        blend(&mut image, &stamp, (35, 8));
        assert_eq!(image.pixels.len(), 40 * 10 * 4);
    }
}
