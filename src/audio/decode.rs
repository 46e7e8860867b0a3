//! The sound of a movie (QuickTime, MP4, M4A), demuxed by FFmpeg, decoded and trimmed at the
//! sample: one track, or two mono tracks joined as left and right (a split-mono delivery).
//!
//! Symphonia's own MP4 reader ignores the edit list (its issue #544), which leaves AAC 1024 or
//! 2112 samples (21–44 ms) late against picture. Here FFmpeg demuxes — it applies the edit list,
//! so priming packets carry negative timestamps — and every decoded sample is placed by its
//! packet's timestamp: samples before position 0 (priming) or before a seek target, and after
//! the stream's end (padding), are dropped one by one, not packet by packet.
//!
//! Stereo and mono AAC-LC decode with symphonia; everything else a review file carries — LPCM of
//! every QuickTime flavour, AAC Main/HE/HE v2, 5.1 and 7.1 AAC, MP3 — with FFmpeg's decoders
//! ([`FfmpegAudioDecoder`]), placed and trimmed the same way.

use super::error::AudioError;
use crate::media::{
    AudioPacket, AudioPackets, AudioStreamInfo, ChannelLayout, FfmpegAudioDecoder, MediaError,
};
use crate::time::Rational;
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

/// Packets FFmpeg may need before the first frame shows the decoder's real output (HE-AAC
/// reveals its doubled rate only when decoding).
const PROBE_PACKETS: usize = 64;

/// Decodes one track, or a split-mono pair, of a movie to interleaved f32.
pub struct AudioDecoder {
    path: PathBuf,
    packets: AudioPackets,
    slots: Vec<Slot>,
    /// What the caller gets: rate, channels and layout of the output.
    info: AudioStreamInfo,
    /// Samples before this position are dropped (0, or the last seek target).
    keep_from: i64,
    scratch: Vec<f32>,
    /// Packets the decoder rejected (skipped; their span is missing).
    pub bad_packets: u64,
}

/// One decoded stream.
struct Slot {
    decoder: SlotDecoder,
    /// Output samples per stream sample (HE-AAC: 2), applied to packet timestamps.
    scale: Rational,
    channels: usize,
    /// Samples at or after this position are dropped (the stream's end), if known.
    keep_until: Option<i64>,
    /// Decoded, trimmed samples not yet handed out (split mono: waiting for the other side),
    /// and the position of the first.
    queue: Vec<f32>,
    queue_start: i64,
    /// Where the next frame without a timestamp goes.
    next_pos: i64,
    ended: bool,
}

enum SlotDecoder {
    /// Boxed: the AAC decoder's tables make one ~22 KB.
    Symphonia(Box<AacDecoder>),
    Ffmpeg(Box<FfmpegAudioDecoder>),
}

impl AudioDecoder {
    /// Opens the first audio stream of `path` (FFmpeg's pick).
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        let packets =
            AudioPackets::open(path)?.ok_or_else(|| AudioError::NoAudio(path.to_path_buf()))?;
        Self::with_packets(path, packets)
    }

    /// Opens the streams with these FFmpeg stream numbers: one track, or two mono tracks
    /// joined as left and right.
    pub fn open_streams(path: &Path, streams: &[usize]) -> Result<Self, AudioError> {
        if streams.is_empty() || streams.len() > 2 {
            return Err(AudioError::TrackCount(streams.len()));
        }
        let packets = AudioPackets::open_streams(path, streams).map_err(|e| match e {
            // Sound no decoder knows: the picture is still worth reviewing.
            MediaError::UnsupportedCodec { codec, .. } => AudioError::Unsupported {
                path: path.to_path_buf(),
                why: format!("no decoder for the `{codec}` sound"),
            },
            e => e.into(),
        })?;
        Self::with_packets(path, packets)
    }

    fn with_packets(path: &Path, packets: AudioPackets) -> Result<Self, AudioError> {
        let unsupported = |why: String| AudioError::Unsupported {
            path: path.to_path_buf(),
            why,
        };
        let infos: Vec<AudioStreamInfo> = packets.infos().cloned().collect();
        let mut slots = Vec::with_capacity(infos.len());
        for (i, info) in infos.iter().enumerate() {
            let decoder = if symphonia_decodes(info) {
                SlotDecoder::Symphonia(Box::new(
                    symphonia_aac(info)
                        .map_err(|e| unsupported(format!("AAC decoder refused the stream: {e}")))?,
                ))
            } else {
                SlotDecoder::Ffmpeg(Box::new(
                    FfmpegAudioDecoder::new(&packets, i, path)
                        .map_err(|e| unsupported(format!("{} sound: {e}", info.codec)))?,
                ))
            };
            slots.push(Slot {
                decoder,
                scale: Rational { num: 1, den: 1 },
                channels: usize::from(info.channels),
                keep_until: None,
                queue: Vec::new(),
                queue_start: 0,
                next_pos: 0,
                ended: false,
            });
        }
        let mut me = Self {
            path: path.to_path_buf(),
            info: infos[0].clone(),
            packets,
            slots,
            keep_from: 0,
            scratch: Vec::new(),
            bad_packets: 0,
        };
        me.learn_output(&infos)?;
        Ok(me)
    }

    /// Decodes the first frame of each FFmpeg-decoded stream to learn the rate and channels it
    /// really produces, then goes back to the start.
    fn learn_output(&mut self, infos: &[AudioStreamInfo]) -> Result<(), AudioError> {
        let mut learnt: Vec<Option<(u32, u16)>> = self
            .slots
            .iter()
            .zip(infos)
            .map(|(s, i)| match s.decoder {
                SlotDecoder::Symphonia(_) => Some((i.sample_rate, i.channels)),
                SlotDecoder::Ffmpeg(_) => None,
            })
            .collect();
        let mut read = 0;
        while learnt.iter().any(Option::is_none) && read < PROBE_PACKETS * self.slots.len() {
            let Some(p) = self.packets.next_packet()? else {
                break;
            };
            read += 1;
            if let Some(SlotDecoder::Ffmpeg(d)) = self.slots.get_mut(p.slot).map(|s| &mut s.decoder)
                && d.send(&p).is_ok()
            {
                self.scratch.clear();
                if let Some(f) = d.receive(&mut self.scratch) {
                    learnt[p.slot] = Some((f.rate, f.channels));
                }
            }
        }
        for (i, l) in learnt.iter().enumerate() {
            let Some((rate, channels)) = *l else {
                return Err(AudioError::Unsupported {
                    path: self.path.clone(),
                    why: format!(
                        "the {} sound of track {} decodes to nothing",
                        infos[i].codec,
                        i + 1
                    ),
                });
            };
            let slot = &mut self.slots[i];
            slot.scale = Rational {
                num: i64::from(rate),
                den: i64::from(infos[i].sample_rate.max(1)),
            };
            slot.channels = usize::from(channels);
            let duration = infos[i].duration_samples as i64;
            slot.keep_until = (duration > 0).then(|| slot.scale.mul_round(duration));
        }
        let first = &self.slots[0];
        let rate = u32::try_from(first.scale.mul_round(i64::from(infos[0].sample_rate)))
            .unwrap_or(infos[0].sample_rate);
        self.info.sample_rate = rate;
        self.info.duration_samples = first.keep_until.unwrap_or(0).max(0) as u64;
        if self.slots.len() == 2 {
            if self.slots.iter().any(|s| s.channels != 1) {
                return Err(AudioError::JoinNotMono);
            }
            if infos[0].sample_rate != infos[1].sample_rate {
                return Err(AudioError::JoinRates(
                    infos[0].sample_rate,
                    infos[1].sample_rate,
                ));
            }
            self.info.channels = 2;
            self.info.layout = ChannelLayout::stereo();
        } else if usize::from(self.info.channels) != first.channels {
            // HE-AAC v2: parametric stereo makes two channels of a mono core.
            self.info.channels = u16::try_from(first.channels).unwrap_or(2);
            self.info.layout = ChannelLayout::usual(self.info.channels);
        }
        if self.info.channels > 1 && self.slots.len() == 1 {
            // FFmpeg reports the layout the decoder produces; the container's may be missing.
            self.info.layout = match self.info.layout.channels() == first.channels {
                true => self.info.layout.clone(),
                false => ChannelLayout::usual(self.info.channels),
            };
        }
        self.seek(0)
    }

    /// Rate, channels, layout and codec of what comes out.
    pub fn info(&self) -> &AudioStreamInfo {
        &self.info
    }

    /// The file being decoded.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Continues decoding so that the next chunk starts exactly at `sample`.
    pub fn seek(&mut self, sample: i64) -> Result<(), AudioError> {
        // The packets' clock is the first stream's own rate.
        let back = Rational {
            num: self.slots[0].scale.den,
            den: self.slots[0].scale.num,
        };
        self.packets.seek_to_sample(back.mul_floor(sample))?;
        for s in &mut self.slots {
            match &mut s.decoder {
                SlotDecoder::Symphonia(d) => d.reset(),
                SlotDecoder::Ffmpeg(d) => d.flush(),
            }
            s.queue.clear();
            s.ended = false;
            s.next_pos = i64::MIN;
        }
        self.keep_from = sample.max(0);
        Ok(())
    }

    /// The next run of samples; `None` at the end of the sound.
    pub fn next_chunk(&mut self) -> Result<Option<AudioChunk>, AudioError> {
        loop {
            if let Some(chunk) = self.take_ready() {
                return Ok(Some(chunk));
            }
            if self.slots.iter().all(|s| s.ended) {
                return Ok(None);
            }
            match self.packets.next_packet()? {
                Some(packet) => self.decode(packet),
                None => {
                    for s in &mut self.slots {
                        s.ended = true;
                    }
                }
            }
        }
    }

    /// Hands out what every slot has decoded for the same span (one slot: everything queued;
    /// a pair: the overlap, interleaved L/R; at the end, the rest with silence for the side
    /// that has none).
    fn take_ready(&mut self) -> Option<AudioChunk> {
        if self.slots.len() == 1 {
            let s = &mut self.slots[0];
            if s.queue.is_empty() {
                return None;
            }
            return Some(AudioChunk {
                start: s.queue_start,
                samples: std::mem::take(&mut s.queue),
            });
        }
        let (a, b) = (&self.slots[0], &self.slots[1]);
        let span = |s: &Slot| (s.queue_start, s.queue_start + s.queue.len() as i64);
        let all_ended = a.ended && b.ended;
        let (a0, a1) = span(a);
        let (b0, b1) = span(b);
        let (start, end) = if all_ended {
            let live: Vec<(i64, i64)> = [(a0, a1), (b0, b1)]
                .into_iter()
                .filter(|(x, y)| y > x)
                .collect();
            if live.is_empty() {
                return None;
            }
            (
                live.iter().map(|s| s.0).min().unwrap_or(0),
                live.iter().map(|s| s.1).max().unwrap_or(0),
            )
        } else {
            if a.queue.is_empty() || b.queue.is_empty() {
                return None;
            }
            (a0.max(b0), a1.min(b1))
        };
        if end <= start {
            return None;
        }
        let frames = (end - start) as usize;
        let mut samples = Vec::with_capacity(frames * 2);
        for i in 0..frames as i64 {
            let at = start + i;
            for s in &self.slots {
                let k = at - s.queue_start;
                let v = if k >= 0 && (k as usize) < s.queue.len() {
                    s.queue[k as usize]
                } else {
                    0.0
                };
                samples.push(v);
            }
        }
        for s in &mut self.slots {
            let drop = (end - s.queue_start).clamp(0, s.queue.len() as i64) as usize;
            s.queue.drain(..drop);
            s.queue_start = s.queue_start.max(end);
        }
        Some(AudioChunk { start, samples })
    }

    /// Decodes one packet into its slot's queue, trimmed to `[keep_from, keep_until)`.
    fn decode(&mut self, packet: AudioPacket) {
        let Some(slot) = self.slots.get_mut(packet.slot) else {
            return;
        };
        self.scratch.clear();
        let mut pieces: Vec<(i64, usize)> = Vec::new();
        match &mut slot.decoder {
            SlotDecoder::Symphonia(d) => {
                let p = Packet::new(
                    0,
                    Timestamp::new(packet.pts),
                    Duration::new(packet.duration.max(0) as u64),
                    packet.data,
                );
                match d.decode(&p) {
                    Ok(buf) => {
                        buf.copy_to_vec_interleaved(&mut self.scratch);
                        pieces.push((packet.pts, self.scratch.len() / slot.channels.max(1)));
                    }
                    Err(SymphoniaError::DecodeError(_)) => self.bad_packets += 1,
                    Err(_) => {
                        self.bad_packets += 1;
                        d.reset();
                    }
                }
            }
            SlotDecoder::Ffmpeg(d) => {
                if d.send(&packet).is_err() {
                    self.bad_packets += 1;
                }
                while let Some(f) = d.receive(&mut self.scratch) {
                    let at = match f.pts {
                        Some(p) => slot.scale.mul_round(p),
                        None if slot.next_pos != i64::MIN => slot.next_pos,
                        None => slot.scale.mul_round(packet.pts),
                    };
                    if usize::from(f.channels) != slot.channels {
                        // A layout change mid-stream: the frame cannot be placed; count it lost.
                        let n = f.frames * usize::from(f.channels);
                        self.scratch.truncate(self.scratch.len() - n);
                        self.bad_packets += 1;
                        continue;
                    }
                    pieces.push((at, f.frames));
                    slot.next_pos = at + f.frames as i64;
                }
            }
        }
        let ch = slot.channels.max(1);
        let mut offset = 0;
        for (at, frames) in pieces {
            let data = &self.scratch[offset * ch..(offset + frames) * ch];
            offset += frames;
            let frames = frames as i64;
            let first = (self.keep_from - at).clamp(0, frames);
            let last = match slot.keep_until {
                Some(end) => (end - at).clamp(first, frames),
                None => frames,
            };
            if first >= last {
                continue;
            }
            let start = at + first;
            if slot.queue.is_empty() {
                slot.queue_start = start;
            } else if start != slot.queue_start + (slot.queue.len() / ch) as i64 {
                // A gap or overlap (damaged packets): start again from here.
                slot.queue.clear();
                slot.queue_start = start;
            }
            slot.queue
                .extend_from_slice(&data[first as usize * ch..last as usize * ch]);
        }
    }
}

/// Stereo and mono AAC-LC at full rate: what symphonia decodes (and has been proven
/// sample-exact on). Everything else goes to FFmpeg, including LC at 24 kHz or below, which is
/// how HE-AAC with implicit SBR signalling looks from outside.
fn symphonia_decodes(info: &AudioStreamInfo) -> bool {
    let object_type = info.extradata.first().map(|b| b >> 3);
    info.codec == "aac" && info.channels <= 2 && object_type == Some(2) && info.sample_rate > 24_000
}

fn symphonia_aac(info: &AudioStreamInfo) -> Result<AacDecoder, SymphoniaError> {
    let mut params = AudioCodecParameters::new();
    params
        .for_codec(CODEC_ID_AAC)
        .with_sample_rate(info.sample_rate)
        .with_channels(channels_of(info.channels));
    if !info.extradata.is_empty() {
        params.with_extra_data(info.extradata.clone().into_boxed_slice());
    }
    AacDecoder::try_new(&params, &AudioDecoderOptions::default())
}

fn channels_of(count: u16) -> Channels {
    match count {
        1 => Channels::Positioned(Position::FRONT_CENTER),
        2 => Channels::Positioned(Position::FRONT_LEFT | Position::FRONT_RIGHT),
        n => Channels::Discrete(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(codec: &str, channels: u16, rate: u32, asc: &[u8]) -> AudioStreamInfo {
        AudioStreamInfo {
            codec: codec.into(),
            sample_rate: rate,
            channels,
            extradata: asc.to_vec(),
            duration_samples: 0,
            layout: ChannelLayout::usual(channels),
            profile: None,
        }
    }

    #[test]
    fn symphonia_takes_only_full_rate_stereo_or_mono_lc() {
        // AudioSpecificConfig 0x12 0x10: object type 2 (LC), 44.1 kHz, 2 channels.
        assert!(symphonia_decodes(&info("aac", 2, 48_000, &[0x11, 0x90])));
        assert!(symphonia_decodes(&info("aac", 1, 48_000, &[0x11, 0x88])));
        // Main (1), SBR (5), 5.1, LC at 24 kHz, PCM: FFmpeg.
        assert!(!symphonia_decodes(&info("aac", 2, 48_000, &[0x09, 0x90])));
        assert!(!symphonia_decodes(&info("aac", 2, 48_000, &[0x2b, 0x10])));
        assert!(!symphonia_decodes(&info("aac", 6, 48_000, &[0x11, 0xb0])));
        assert!(!symphonia_decodes(&info("aac", 2, 24_000, &[0x13, 0x10])));
        assert!(!symphonia_decodes(&info("pcm_s24be", 2, 48_000, &[])));
    }
}
