//! Reading review files: the QuickTime atom tree, FFmpeg's demuxer, the frame index and the source
//! timecode. Everything above this module sees frame numbers and timecodes, never FFmpeg types,
//! except `video/`, which decodes the packets this module's [`Container`] demuxes.

pub mod atoms;
mod audio_frames;
mod audio_packets;
mod audio_tracks;
pub mod bwf;
mod channel_layout;
pub mod codec;
mod container;
mod display_matrix;
mod error;
pub(crate) mod ffi;
mod frame_index;
pub mod movie;
mod probe;
mod source_timecode;

pub use audio_frames::{DamagedPacket, DecodedFrame, FfmpegAudioDecoder};
pub use audio_packets::{AudioPacket, AudioPackets, AudioStreamInfo};
pub use audio_tracks::{AudioTrack, audio_tracks, codec_words};
pub use channel_layout::{ChannelLayout, Speaker};
pub use container::{Container, CutShort, init_ffmpeg};
pub use display_matrix::Orientation;
pub use error::MediaError;
pub use frame_index::FrameIndex;
pub use probe::{
    AUDIO_ONLY_FALLBACK_RATE, AudioInfo, AudioOnlyInfo, MediaInfo, VideoInfo, describe,
    describe_audio_only, probe,
};
pub use source_timecode::{SourceTimecode, TimecodeSource};
