//! Writing a picture to a PNG file (8-bit RGB: review stills carry no alpha).

use super::rgba::RgbaImage;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

/// Writes `image` to `path` as an 8-bit RGB PNG.
pub fn write_png(image: &RgbaImage, path: &Path) -> Result<(), std::io::Error> {
    let file = BufWriter::new(File::create(path)?);
    let mut encoder = png::Encoder::new(file, image.width, image.height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    let rgb: Vec<u8> = image
        .pixels
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    writer
        .write_image_data(&rgb)
        .map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}
