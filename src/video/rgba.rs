//! Decoded pictures as tightly packed 8-bit RGBA, converted with a cached swscale context.
//!
//! Building a swscale context costs far more than one conversion, so one is kept and rebuilt only
//! when the source format, size or colour description changes. The YUV→RGB matrix follows the
//! frame's colour space (BT.709 for HD; BT.601 only when the stream says so), limited range
//! unless the stream says full.

use crate::media::MediaError;
use ffmpeg::format::Pixel;
use ffmpeg::frame::Video;
use ffmpeg::software::scaling;
use ffmpeg_next as ffmpeg;

/// An RGBA picture, rows packed with no padding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RgbaImage {
    pub width: u32,
    pub height: u32,
    /// `width × height × 4` bytes, row-major, alpha always 255.
    pub pixels: Vec<u8>,
}

impl RgbaImage {
    /// The RGBA value at (x, y); `None` outside the picture.
    pub fn pixel(&self, x: u32, y: u32) -> Option<[u8; 4]> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = (y as usize * self.width as usize + x as usize) * 4;
        self.pixels.get(i..i + 4).and_then(|s| s.try_into().ok())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    format: Pixel,
    width: u32,
    height: u32,
    out_width: u32,
    out_height: u32,
    bt709: bool,
    full_range: bool,
}

/// Converts decoded frames to RGBA, reusing its scaler while the input stays the same.
#[derive(Default)]
pub struct RgbaConverter {
    scaler: Option<(Key, scaling::Context)>,
    out: Option<Video>,
}

impl RgbaConverter {
    /// Converts `frame` at its native size.
    pub fn convert(&mut self, frame: &Video) -> Result<RgbaImage, MediaError> {
        let mut image = RgbaImage::default();
        self.convert_into(frame, &mut image)?;
        Ok(image)
    }

    /// Converts `frame` into `image`, reusing its pixel buffer.
    pub fn convert_into(&mut self, frame: &Video, image: &mut RgbaImage) -> Result<(), MediaError> {
        self.convert_sized_into(frame, image, None)
    }

    /// Like [`RgbaConverter::convert_into`], scaled to `size` (width, height) in the same pass
    /// when given: a window showing a 1080p picture in 1044×587 pixels uploads a third of the
    /// data, and the conversion itself gets cheaper.
    pub fn convert_sized_into(
        &mut self,
        frame: &Video,
        image: &mut RgbaImage,
        size: Option<(u32, u32)>,
    ) -> Result<(), MediaError> {
        let err = |reason: String| MediaError::Ffmpeg {
            path: Default::default(),
            doing: "converting a picture to RGB",
            reason,
        };
        let (out_width, out_height) = size
            .filter(|(w, h)| *w > 0 && *h > 0)
            .unwrap_or((frame.width(), frame.height()));
        let key = Key {
            format: frame.format(),
            width: frame.width(),
            height: frame.height(),
            out_width,
            out_height,
            bt709: !matches!(
                frame.color_space(),
                ffmpeg::color::Space::BT470BG | ffmpeg::color::Space::SMPTE170M
            ),
            full_range: frame.color_range() == ffmpeg::color::Range::JPEG,
        };
        if key.width == 0 || key.height == 0 {
            return Err(err("empty picture".into()));
        }
        if self.scaler.as_ref().is_none_or(|(k, _)| *k != key) {
            // Bicubic when the size changes (a sharp downscale for review); plain conversion
            // otherwise.
            let flags = if (key.out_width, key.out_height) == (key.width, key.height) {
                scaling::Flags::BILINEAR
            } else {
                scaling::Flags::BICUBIC
            };
            let mut ctx = scaling::Context::get(
                key.format,
                key.width,
                key.height,
                Pixel::RGBA,
                key.out_width,
                key.out_height,
                flags,
            )
            .map_err(|e| err(e.to_string()))?;
            crate::media::ffi::set_scaler_colorspace(&mut ctx, key.bt709, key.full_range);
            self.scaler = Some((key, ctx));
            self.out = None;
        }
        let out = self
            .out
            .get_or_insert_with(|| Video::new(Pixel::RGBA, key.out_width, key.out_height));
        if let Some((_, scaler)) = self.scaler.as_mut() {
            scaler.run(frame, out).map_err(|e| err(e.to_string()))?;
        }
        let row = key.out_width as usize * 4;
        let stride = out.stride(0);
        let data = out.data(0);
        image.pixels.clear();
        image.pixels.reserve(row * key.out_height as usize);
        for y in 0..key.out_height as usize {
            let start = y * stride;
            let line = data
                .get(start..start + row)
                .ok_or_else(|| err("short RGBA plane".into()))?;
            image.pixels.extend_from_slice(line);
        }
        image.width = key.out_width;
        image.height = key.out_height;
        Ok(())
    }
}
