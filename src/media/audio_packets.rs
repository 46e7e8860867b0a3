//! Compressed audio packets of a file, demuxed by FFmpeg and handed over as plain data, so the
//! audio decoder (symphonia) never sees an FFmpeg type.
//!
//! Timestamps are in samples of the stream's own rate on the *presentation* timeline: FFmpeg's
//! MOV demuxer has already applied the edit list, so encoder priming shows up as packets with
//! negative timestamps (`-1024` for FFmpeg's AAC encoder, `-2112` for Apple's). Decoders must
//! still be fed those packets (they prime the MDCT overlap); their samples are then trimmed at the
//! sample by position, which is what makes the audio land exactly on the picture.

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
}

/// One compressed packet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AudioPacket {
    pub data: Vec<u8>,
    /// Position of the packet's first sample on the presentation timeline (may be negative).
    pub pts: i64,
    /// Samples the packet decodes to, if the container says.
    pub duration: i64,
}

/// Reads the first audio stream's packets in order, with seeking.
pub struct AudioPackets {
    path: PathBuf,
    input: ffmpeg::format::context::Input,
    stream: usize,
    /// Stream ticks → samples.
    to_samples: Rational,
    info: AudioStreamInfo,
    packet: ffmpeg::Packet,
}

impl AudioPackets {
    /// Opens the first audio stream of `path`. `Ok(None)` when the file has no audio.
    pub fn open(path: &Path) -> Result<Option<Self>, MediaError> {
        init_ffmpeg();
        if !path.exists() {
            return Err(MediaError::NotFound(path.to_path_buf()));
        }
        let input = super::ffi::open_input(path, super::ffi::StreamProbe::WhenHeaderIncomplete)
            .map_err(|e| MediaError::NotMedia {
                path: path.to_path_buf(),
                reason: e.to_string(),
            })?;
        let Some(stream) = input.streams().best(ffmpeg::media::Type::Audio) else {
            return Ok(None);
        };
        let index = stream.index();
        let params = stream.parameters();
        let id = params.id();
        let ctx = ffmpeg::codec::Context::from_parameters(params.clone()).map_err(|e| {
            MediaError::Ffmpeg {
                path: path.to_path_buf(),
                doing: "reading the audio codec parameters",
                reason: e.to_string(),
            }
        })?;
        let (sample_rate, channels) = match ctx.decoder().audio() {
            Ok(a) => (a.rate(), a.channels()),
            Err(_) => (0, 0),
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
        };
        Ok(Some(Self {
            path: path.to_path_buf(),
            input,
            stream: index,
            to_samples,
            info,
            packet: ffmpeg::Packet::empty(),
        }))
    }

    /// The stream's description.
    pub fn info(&self) -> &AudioStreamInfo {
        &self.info
    }

    /// The next packet, or `None` at the end of the file. Corrupt packets are skipped.
    pub fn next_packet(&mut self) -> Result<Option<AudioPacket>, MediaError> {
        loop {
            match ffi::read_packet(&mut self.input, &mut self.packet) {
                Ok(()) if self.packet.stream() == self.stream => {
                    let pts = self.packet.pts().or(self.packet.dts()).unwrap_or(0);
                    return Ok(Some(AudioPacket {
                        data: self.packet.data().unwrap_or_default().to_vec(),
                        pts: self.to_samples.mul_round(pts),
                        duration: self.to_samples.mul_round(self.packet.duration()),
                    }));
                }
                Ok(()) | Err(ffmpeg::Error::InvalidData) => continue,
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

    /// Positions the reader so the next packets cover `sample` (a few packets early, so the
    /// decoder is primed; the caller trims by position).
    pub fn seek_to_sample(&mut self, sample: i64) -> Result<(), MediaError> {
        // Three AAC frames of pre-roll cover the decoder's overlap and any priming.
        let to_ticks = Rational {
            num: self.to_samples.den,
            den: self.to_samples.num,
        };
        let ticks = to_ticks.mul_floor(sample - 3 * 1024);
        ffi::seek_stream_backward(&mut self.input, self.stream, ticks).map_err(|e| {
            MediaError::Ffmpeg {
                path: self.path.clone(),
                doing: "seeking audio",
                reason: e.to_string(),
            }
        })
    }
}
