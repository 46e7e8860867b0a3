//! Sound: decoding the file's audio (the track or split-mono pair chosen) to interleaved f32,
//! trimmed at the sample to the presentation timeline; folding any layout to the two ears; the
//! monitoring matrix the listener hears it through; resampling (and a shared review's drift
//! correction) and the output device.

mod chunked;
mod decode;
mod downmix;
mod error;
mod file_decoder;
mod monitor;
pub mod output;
mod patched_source;
mod resample;
mod sniff;
mod source;
mod track_choice;
mod varispeed;

pub use crate::media::bwf::AudioTimecode;
pub use decode::{AudioChunk, AudioDecoder};
pub use downmix::{Downmix, FoldDown};
pub use error::{AudioError, OutputError};
pub use file_decoder::FileDecoder;
pub use monitor::{Monitor, MonitorMode, RAMP_MS};
pub use resample::StreamResampler;
pub use sniff::{AudioFormat, sniff};
pub use source::AudioSource;
pub use track_choice::{AudioChoice, Resolved, resolve, split_mono_pair};
pub use varispeed::{MAX_SPEED_PPB, Varispeed};
