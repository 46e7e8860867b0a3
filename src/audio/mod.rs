//! Sound: decoding the file's audio to interleaved f32, trimmed at the sample to the
//! presentation timeline, and the monitoring matrix the listener hears it through. (Output and
//! resampling arrive with the playback engine.)

mod decode;
mod error;
mod monitor;
pub mod output;
mod resample;

pub use decode::{AudioChunk, AudioDecoder};
pub use error::AudioError;
pub use monitor::{Monitor, MonitorMode, RAMP_MS};
pub use resample::StreamResampler;
