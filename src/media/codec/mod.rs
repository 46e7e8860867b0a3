//! Codec configuration parsers: the H.264 SPS and its VUI, the MPEG-4 `esds` descriptors and
//! AudioSpecificConfig, and the CoreAudio `chan` channel layout. Each reads a byte slice a
//! container reader has already cut out of a sample description, so none of them knows about
//! atoms, files or the spec check; the split follows Symphonia's, format apart from codec.
//!
//! The bytes are untrusted: every parser stops at the end of its slice, checks the values its
//! standard bounds, and answers `None` (or leaves a field at its default) instead of panicking.

mod aac_config;
mod bits;
mod chan;
mod colour_codes;
mod h264_sps;

pub use aac_config::{AudioConfig, Esds, parse_audio_config, parse_esds};
pub use chan::{ChannelLayout, MAX_CHAN_LABELS, parse_chan};
pub use colour_codes::ColourCodes;
pub use h264_sps::{SpsFields, Vui, parse_sps};
