//! Sound: decoding the file's audio to interleaved f32, trimmed at the sample to the
//! presentation timeline, and the monitoring matrix the listener hears it through. (Output and
//! resampling arrive with the playback engine.)

mod decode;
mod error;
mod file_decoder;
mod monitor;
pub mod output;
mod patched_source;
mod resample;
mod sniff;
mod source;

pub use crate::media::bwf::AudioTimecode;
pub use decode::{AudioChunk, AudioDecoder};
pub use error::AudioError;
pub use file_decoder::FileDecoder;
pub use monitor::{Monitor, MonitorMode, RAMP_MS};
pub use resample::StreamResampler;
pub use sniff::{AudioFormat, sniff};
pub use source::AudioSource;
