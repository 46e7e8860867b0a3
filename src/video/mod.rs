//! Pictures: exact frame decoding, the cache that makes backward steps cheap, and RGBA output.

mod frame_cache;
mod frame_reader;
mod png_out;
mod rgba;

pub use frame_cache::{FrameCache, Weigh};
pub use frame_reader::{FrameReader, ReaderOptions, ReaderStats};
pub use png_out::write_png;
pub use rgba::{RgbaConverter, RgbaImage};
