//! Pictures: exact frame decoding, the cache that makes backward steps cheap, RGBA output turned
//! upright as the track's display matrix says, and the per-viewer watermark (its model, and its
//! burning into stills).

mod frame_cache;
mod frame_reader;
mod png_out;
mod rgba;
mod rotate;
mod watermark;
mod watermark_burn;

pub use frame_cache::{FrameCache, Weigh};
pub use frame_reader::{FrameReader, ReaderOptions, ReaderStats};
pub use png_out::write_png;
pub use rgba::{RgbaConverter, RgbaImage};
pub use rotate::{orient_into, oriented};
pub use watermark::{
    DRIFT_PERIODS_S, DriftClock, MIN_OPACITY, SIZE_RANGE, WatermarkSettings, WatermarkSpec,
    drift_position, file_id, now_unix_s, viewer_code, viewer_label,
};
pub use watermark_burn::{Stamp, ViewerLine, burn_watermark, render_stamp};
