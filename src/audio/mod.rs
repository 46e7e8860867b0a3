//! Sound: decoding the file's audio to interleaved f32, trimmed at the sample to the
//! presentation timeline. (Output, resampling and monitoring arrive with the playback engine.)

mod decode;
mod error;

pub use decode::{AudioChunk, AudioDecoder};
pub use error::AudioError;
