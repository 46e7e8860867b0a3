//! AAC-LC decoding with symphonia, fed by FFmpeg's demuxer, trimmed at the sample.
//!
//! Symphonia's own MP4 reader ignores the edit list (its issue #544), which leaves AAC 1024 or
//! 2112 samples (21–44 ms) late against picture. Here FFmpeg demuxes — it applies the edit list,
//! so priming packets carry negative timestamps — and every decoded sample is placed by its
//! packet's timestamp: samples before position 0 (priming) or before a seek target, and after
//! the stream's end (padding), are dropped one by one, not packet by packet.

use super::error::AudioError;
use crate::media::{AudioPacket, AudioPackets, AudioStreamInfo};
use std::path::{Path, PathBuf};
use symphonia::core::audio::{Channels, Position};
use symphonia::core::codecs::audio::well_known::CODEC_ID_AAC;
use symphonia::core::codecs::audio::{
    AudioCodecParameters, AudioDecoder as _, AudioDecoderOptions,
};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::packet::Packet;
use symphonia::core::units::{Duration, Timestamp};
use symphonia::default::codecs::AacDecoder;

/// A run of decoded samples.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AudioChunk {
    /// Sample position (per channel) of the first frame on the presentation timeline.
    pub start: i64,
    /// Interleaved samples, `channels` per frame.
    pub samples: Vec<f32>,
}

/// Decodes a file's first audio stream to interleaved f32 at its own rate.
pub struct AudioDecoder {
    path: PathBuf,
    packets: AudioPackets,
    decoder: AacDecoder,
    channels: usize,
    /// Samples before this position are dropped (0, or the last seek target).
    keep_from: i64,
    /// Samples at or after this position are dropped (end of the stream), if known.
    keep_until: Option<i64>,
    scratch: Vec<f32>,
    /// Packets the decoder rejected (skipped; their span is silence-free but missing).
    pub bad_packets: u64,
}

impl AudioDecoder {
    /// Opens the first audio stream of `path`.
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        let packets =
            AudioPackets::open(path)?.ok_or_else(|| AudioError::NoAudio(path.to_path_buf()))?;
        let info = packets.info().clone();
        let unsupported = |why: String| AudioError::Unsupported {
            path: path.to_path_buf(),
            why,
        };
        if info.codec != "aac" {
            return Err(unsupported(format!(
                "codec `{}`; review files carry AAC-LC",
                info.codec
            )));
        }
        let mut params = AudioCodecParameters::new();
        params
            .for_codec(CODEC_ID_AAC)
            .with_sample_rate(info.sample_rate)
            .with_channels(channels_of(info.channels));
        if !info.extradata.is_empty() {
            params.with_extra_data(info.extradata.clone().into_boxed_slice());
        }
        let decoder = AacDecoder::try_new(&params, &AudioDecoderOptions::default())
            .map_err(|e| unsupported(format!("AAC decoder refused the stream: {e}")))?;
        Ok(Self {
            path: path.to_path_buf(),
            channels: info.channels as usize,
            keep_until: (info.duration_samples > 0).then_some(info.duration_samples as i64),
            packets,
            decoder,
            keep_from: 0,
            scratch: Vec::new(),
            bad_packets: 0,
        })
    }

    /// Sample rate, channels and codec of the stream.
    pub fn info(&self) -> &AudioStreamInfo {
        self.packets.info()
    }

    /// The file being decoded.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Continues decoding so that the next chunk starts exactly at `sample`.
    pub fn seek(&mut self, sample: i64) -> Result<(), AudioError> {
        self.packets.seek_to_sample(sample)?;
        self.decoder.reset();
        self.keep_from = sample.max(0);
        Ok(())
    }

    /// The next run of samples; `None` at the end of the stream.
    pub fn next_chunk(&mut self) -> Result<Option<AudioChunk>, AudioError> {
        loop {
            let Some(packet) = self.packets.next_packet()? else {
                return Ok(None);
            };
            if let Some(chunk) = self.decode(packet) {
                return Ok(Some(chunk));
            }
        }
    }

    /// Decodes one packet and trims it to `[keep_from, keep_until)`; `None` when nothing remains.
    fn decode(&mut self, packet: AudioPacket) -> Option<AudioChunk> {
        let p = Packet::new(
            0,
            Timestamp::new(packet.pts),
            Duration::new(packet.duration.max(0) as u64),
            packet.data,
        );
        let decoded = match self.decoder.decode(&p) {
            Ok(buf) => buf,
            Err(SymphoniaError::DecodeError(_)) => {
                self.bad_packets += 1;
                return None;
            }
            Err(_) => {
                self.bad_packets += 1;
                self.decoder.reset();
                return None;
            }
        };
        decoded.copy_to_vec_interleaved(&mut self.scratch);
        let ch = self.channels.max(1);
        let frames = (self.scratch.len() / ch) as i64;
        let first = (self.keep_from - packet.pts).clamp(0, frames);
        let last = match self.keep_until {
            Some(end) => (end - packet.pts).clamp(first, frames),
            None => frames,
        };
        if first >= last {
            return None;
        }
        Some(AudioChunk {
            start: packet.pts + first,
            samples: self.scratch[first as usize * ch..last as usize * ch].to_vec(),
        })
    }
}

fn channels_of(count: u16) -> Channels {
    match count {
        1 => Channels::Positioned(Position::FRONT_CENTER),
        2 => Channels::Positioned(Position::FRONT_LEFT | Position::FRONT_RIGHT),
        n => Channels::Discrete(n),
    }
}
