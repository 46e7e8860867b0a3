//! A note's frame as a small PNG in memory, for the report's inline `data:` images: decoded
//! exactly (the same reader as `earmark still`) and scaled by swscale straight to the
//! thumbnail size, so a 1080p page of notes stays a few hundred KB. The viewer's watermark is
//! burned in after scaling, so its letters stay sharp at thumbnail size.

use super::ReportError;
use crate::video::{FrameReader, RgbaImage, WatermarkSpec, burn_watermark, now_unix_s};

/// Frame `frame` of `reader`, whose pictures are `native` (width, height), scaled to `width`
/// pixels wide (height keeps the aspect), with `watermark` burned in when given, as an 8-bit
/// RGB PNG.
pub fn png_thumbnail(
    reader: &mut FrameReader,
    frame: u64,
    native: (u32, u32),
    width: u32,
    watermark: Option<&WatermarkSpec>,
) -> Result<Vec<u8>, ReportError> {
    let (w, h) = (native.0.max(1), native.1.max(1));
    // Even sizes keep swscale's chroma subsampling happy.
    let width = width.clamp(2, w.max(2)) & !1;
    let height = (u64::from(h) * u64::from(width) + u64::from(w) / 2) / u64::from(w);
    let height = u32::try_from(height).unwrap_or(2).max(2) & !1;
    let mut image = RgbaImage::default();
    reader
        .rgba_sized_into(frame, &mut image, Some((width, height)))
        .map_err(|source| ReportError::Frame { frame, source })?;
    if let Some(spec) = watermark {
        let substituted =
            burn_watermark(&mut image, spec, now_unix_s()).map_err(|e| ReportError::Watermark {
                frame,
                source: Box::new(e),
            })?;
        if let Some(why) = substituted {
            log::warn!("report thumbnail of frame {frame}: {why}");
        }
    }
    encode_png(&image).map_err(|source| ReportError::Png { frame, source })
}

fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, image.width, image.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    let rgb: Vec<u8> = image
        .pixels
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(bytes)
}
