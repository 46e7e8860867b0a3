//! Compressed audio packets of a file, demuxed by FFmpeg and handed over as plain data, so the
//! audio decoder (symphonia) never sees an FFmpeg type.
//!
//! Timestamps are in samples of the stream's own rate on the *presentation* timeline: FFmpeg's
//! MOV demuxer has already applied the edit list, so encoder priming shows up as packets with
//! negative timestamps (`-1024` for FFmpeg's AAC encoder, `-2112` for Apple's). Decoders must
//! still be fed those packets (they prime the MDCT overlap); their samples are then trimmed at the
//! sample by position, which is what makes the audio land exactly on the picture.
//!
//! One reader serves one or several audio streams of a file (a split-mono pair is two mono
//! tracks): each packet says which of the asked-for streams it belongs to, so the file is read
//! once however many tracks play.

use super::channel_layout::ChannelLayout;
use super::container::{init_ffmpeg, rational};
use super::error::MediaError;
use super::ffi;
use crate::time::Rational;
use ffmpeg_next as ffmpeg;
use std::path::{Path, PathBuf};

/// What the audio decoder needs to know about the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioStreamInfo {
    /// FFmpeg's codec name (`aac`, `pcm_s24le`, …).
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u16,
    /// Codec configuration (for AAC, the AudioSpecificConfig).
    pub extradata: Vec<u8>,
    /// Presentation length in samples (0 if unknown).
    pub duration_samples: u64,
    /// The speaker of each channel.
    pub layout: ChannelLayout,
    /// FFmpeg's profile name (`LC`, `Main`, `HE-AAC`, …), when the codec has profiles.
    pub profile: Option<String>,
}

/// One compressed packet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AudioPacket {
    pub data: Vec<u8>,
    /// Position of the packet's first sample on the presentation timeline (may be negative).
    pub pts: i64,
    /// Samples the packet decodes to, if the container says.
    pub duration: i64,
    /// Which of the reader's streams it belongs to (0 for the first asked for).
    pub slot: usize,
}

/// Reads the packets of one or more audio streams in file order, with seeking.
pub struct AudioPackets {
    path: PathBuf,
    input: ffmpeg::format::context::Input,
    /// The streams read, by slot.
    streams: Vec<StreamSlot>,
    packet: ffmpeg::Packet,
}

struct StreamSlot {
    index: usize,
    /// Stream ticks → samples.
    to_samples: Rational,
    info: AudioStreamInfo,
    /// The codec parameters, for a decoder made on the reading thread.
    params: ffmpeg::codec::Parameters,
}

impl AudioPackets {
    /// Opens the first audio stream of `path` (FFmpeg's pick of the best one). `Ok(None)` when
    /// the file has no audio.
    pub fn open(path: &Path) -> Result<Option<Self>, MediaError> {
        let input = open(path)?;
        let Some(stream) = input.streams().best(ffmpeg::media::Type::Audio) else {
            return Ok(None);
        };
        let index = stream.index();
        Self::with_streams(path, input, &[index]).map(Some)
    }

    /// Opens the audio streams with these indices (FFmpeg's stream numbers, see
    /// [`super::audio_tracks`]), read together.
    pub fn open_streams(path: &Path, indices: &[usize]) -> Result<Self, MediaError> {
        let input = open(path)?;
        Self::with_streams(path, input, indices)
    }

    fn with_streams(
        path: &Path,
        input: ffmpeg::format::context::Input,
        indices: &[usize],
    ) -> Result<Self, MediaError> {
        let mut streams = Vec::with_capacity(indices.len());
        for &index in indices {
            let stream = input
                .stream(index)
                .filter(|s| s.parameters().medium() == ffmpeg::media::Type::Audio)
                .ok_or_else(|| MediaError::Ffmpeg {
                    path: path.to_path_buf(),
                    doing: "choosing a sound track",
                    reason: format!("stream {index} is not a sound track of this file"),
                })?;
            streams.push(slot_of(path, &stream)?);
        }
        if streams.is_empty() {
            return Err(MediaError::Ffmpeg {
                path: path.to_path_buf(),
                doing: "choosing a sound track",
                reason: "no track asked for".into(),
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            input,
            streams,
            packet: ffmpeg::Packet::empty(),
        })
    }

    /// The first stream's description.
    pub fn info(&self) -> &AudioStreamInfo {
        &self.streams[0].info
    }

    /// Each stream's description, by slot.
    pub fn infos(&self) -> impl Iterator<Item = &AudioStreamInfo> {
        self.streams.iter().map(|s| &s.info)
    }

    /// The codec parameters of the stream in `slot`, for an FFmpeg decoder.
    pub(super) fn params(&self, slot: usize) -> Option<&ffmpeg::codec::Parameters> {
        self.streams.get(slot).map(|s| &s.params)
    }

    /// The next packet, or `None` at the end of the file. Corrupt packets are skipped.
    pub fn next_packet(&mut self) -> Result<Option<AudioPacket>, MediaError> {
        loop {
            match ffi::read_packet(&mut self.input, &mut self.packet) {
                Ok(()) => {
                    let stream = self.packet.stream();
                    let Some(slot) = self.streams.iter().position(|s| s.index == stream) else {
                        continue;
                    };
                    let to_samples = self.streams[slot].to_samples;
                    let pts = self.packet.pts().or(self.packet.dts()).unwrap_or(0);
                    return Ok(Some(AudioPacket {
                        data: self.packet.data().unwrap_or_default().to_vec(),
                        pts: to_samples.mul_round(pts),
                        duration: to_samples.mul_round(self.packet.duration()),
                        slot,
                    }));
                }
                Err(ffmpeg::Error::InvalidData) => continue,
                Err(ffmpeg::Error::Eof) => return Ok(None),
                Err(e) => {
                    return Err(MediaError::Ffmpeg {
                        path: self.path.clone(),
                        doing: "reading audio packets",
                        reason: e.to_string(),
                    });
                }
            }
        }
    }

    /// Positions the reader so the next packets of every stream cover `sample` (a few packets
    /// early, so the decoder is primed; the caller trims by position). `sample` counts at the
    /// first stream's rate.
    pub fn seek_to_sample(&mut self, sample: i64) -> Result<(), MediaError> {
        // Three AAC frames of pre-roll cover the decoder's overlap and any priming.
        let first = &self.streams[0];
        let to_ticks = Rational {
            num: first.to_samples.den,
            den: first.to_samples.num,
        };
        let ticks = to_ticks.mul_floor(sample - 3 * 1024);
        ffi::seek_stream_backward(&mut self.input, first.index, ticks).map_err(|e| {
            MediaError::Ffmpeg {
                path: self.path.clone(),
                doing: "seeking audio",
                reason: e.to_string(),
            }
        })
    }
}

fn open(path: &Path) -> Result<ffmpeg::format::context::Input, MediaError> {
    init_ffmpeg();
    if !path.exists() {
        return Err(MediaError::NotFound(path.to_path_buf()));
    }
    ffi::open_input(path, ffi::StreamProbe::WhenHeaderIncomplete).map_err(|e| {
        MediaError::NotMedia {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    })
}

/// What reading and decoding one stream needs to know.
fn slot_of(path: &Path, stream: &ffmpeg::format::stream::Stream) -> Result<StreamSlot, MediaError> {
    let params = stream.parameters();
    let id = params.id();
    let ctx = ffmpeg::codec::Context::from_parameters(params.clone()).map_err(|e| {
        MediaError::Ffmpeg {
            path: path.to_path_buf(),
            doing: "reading the audio codec parameters",
            reason: e.to_string(),
        }
    })?;
    let (sample_rate, channels, mask, profile) = match ctx.decoder().audio() {
        Ok(a) => (
            a.rate(),
            a.channels(),
            a.channel_layout().bits(),
            super::probe::profile_name(a.profile()),
        ),
        Err(_) => (0, 0, 0, None),
    };
    if sample_rate == 0 || channels == 0 {
        return Err(MediaError::UnsupportedCodec {
            path: path.to_path_buf(),
            kind: "audio",
            codec: format!("{id:?}").to_lowercase(),
        });
    }
    let timebase = rational(stream.time_base()).unwrap_or(Rational {
        num: 1,
        den: sample_rate as i64,
    });
    // samples = ticks × timebase × rate
    let to_samples = timebase
        .checked_mul(Rational {
            num: sample_rate as i64,
            den: 1,
        })
        .unwrap_or(Rational { num: 1, den: 1 });
    let duration = stream.duration();
    let info = AudioStreamInfo {
        codec: ffmpeg::decoder::find(id)
            .map(|c| c.name().to_owned())
            .unwrap_or_else(|| format!("{id:?}").to_lowercase()),
        sample_rate,
        channels,
        extradata: ffi::extradata(&params),
        duration_samples: if duration > 0 {
            to_samples.mul_round(duration) as u64
        } else {
            0
        },
        layout: ChannelLayout::from_mask(mask, channels),
        profile,
    };
    Ok(StreamSlot {
        index: stream.index(),
        to_samples,
        info,
        params,
    })
}
