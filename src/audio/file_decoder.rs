//! Sound-only files — WAV/BWF (RF64/BW64 too), AIFF, FLAC — read and decoded by symphonia,
//! trimmed at the sample.
//!
//! These formats carry no priming and no edit list, so a packet's timestamp is exactly the
//! position of its first sample. Symphonia's seeks land on a packet boundary at or before the
//! target (WAV and AIFF in fixed packets of 1152 frames, FLAC on a frame edge); samples before the
//! target are dropped one by one, so the next chunk starts on the requested sample.
//!
//! A file whose sound stops short of what its header promises is refused at open — the decoder
//! reads the last promised packet once — rather than discovered mid-playback.

use super::decode::AudioChunk;
use super::error::AudioError;
use super::patched_source::PatchedSource;
use super::sniff::{AudioFormat, Sniffed, sniff};
use crate::media::bwf::{self, AudioTimecode, RiffForm, WavError, WavLayout};
use crate::media::{AudioStreamInfo, ChannelLayout, MediaError};
use std::fs::File;
use std::path::{Path, PathBuf};
use symphonia::core::codecs::audio::{AudioDecoder as SymphoniaDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo, TrackType};
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::units::Timestamp;
use symphonia::default::formats::{AiffReader, FlacReader, WavReader};

/// Frames symphonia's WAV reader reads per packet (its `MAX_FRAMES_PER_PACKET`); the RF64
/// window pads the end of the sound by this much so the last read is whole.
const WAV_PACKET_FRAMES: u64 = 1152;

/// Decodes a WAV, AIFF or FLAC file to interleaved f32 at its own rate.
pub struct FileDecoder {
    path: PathBuf,
    format: AudioFormat,
    reader: Box<dyn FormatReader>,
    decoder: Box<dyn SymphoniaDecoder>,
    track_id: u32,
    info: AudioStreamInfo,
    channels: usize,
    timecode: Option<AudioTimecode>,
    /// Samples before this position are dropped (0, or the last seek target).
    keep_from: i64,
    /// Samples at or after this position are dropped (the end of the sound), if known.
    keep_until: Option<i64>,
    /// End of the last packet read since the last seek: where the sound stopped if the reader
    /// runs dry.
    reached: i64,
    scratch: Vec<f32>,
    /// Packets the decoder rejected (skipped; their span is missing).
    pub bad_packets: u64,
}

impl FileDecoder {
    /// Opens a WAV, AIFF or FLAC file; anything else is refused as unsupported.
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        let sniffed = sniff(path)?;
        Self::open_sniffed(path, sniffed)
    }

    /// Opens a file already sniffed as WAV, RF64, AIFF or FLAC.
    pub(crate) fn open_sniffed(path: &Path, sniffed: Sniffed) -> Result<Self, AudioError> {
        let format = sniffed.format;
        let unreadable = |e: std::io::Error| -> AudioError {
            MediaError::Unreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
            .into()
        };
        let mut file = File::open(path).map_err(unreadable)?;
        let layout = match format {
            AudioFormat::Wav | AudioFormat::Rf64 => Some(
                bwf::read_layout(&mut file, sniffed.file_len).map_err(|e| wav_error(path, e))?,
            ),
            AudioFormat::Aiff | AudioFormat::Flac => None,
            AudioFormat::Mp4 | AudioFormat::Other => {
                return Err(AudioError::Unsupported {
                    path: path.to_path_buf(),
                    why: "not a WAV, AIFF or FLAC file".into(),
                });
            }
        };
        // RF64/BW64, and WAV whose data size says "unknown", are read open-ended (see
        // `patched_source`); the true length comes from our own walk.
        let open_ended = layout
            .as_ref()
            .filter(|l| l.form != RiffForm::Riff || l.data_size_declared == u32::MAX);
        let source = match open_ended {
            Some(l) => {
                let pad = WAV_PACKET_FRAMES * u64::from(l.block_align.max(1));
                PatchedSource::new(file, 0, l.data_offset + l.data_len, pad)
                    .patch(0, b"RIFF")
                    .patch(4, &u32::MAX.to_le_bytes())
                    .patch(l.data_size_field, &u32::MAX.to_le_bytes())
            }
            None => PatchedSource::new(
                file,
                sniffed.offset,
                sniffed.file_len.saturating_sub(sniffed.offset),
                0,
            ),
        };
        let mss = MediaSourceStream::new(Box::new(source), MediaSourceStreamOptions::default());
        let opened = match format {
            AudioFormat::Aiff => AiffReader::try_new(mss, FormatOptions::default())
                .map(|r| Box::new(r) as Box<dyn FormatReader>),
            AudioFormat::Flac => FlacReader::try_new(mss, FormatOptions::default())
                .map(|r| Box::new(r) as Box<dyn FormatReader>),
            _ => WavReader::try_new(mss, FormatOptions::default())
                .map(|r| Box::new(r) as Box<dyn FormatReader>),
        };
        let reader = opened.map_err(|e| symphonia_error(path, format, "reading the header", e))?;

        let track = reader
            .default_track(TrackType::Audio)
            .ok_or_else(|| AudioError::NoAudio(path.to_path_buf()))?;
        let track_id = track.id;
        let unsupported = |why: String| AudioError::Unsupported {
            path: path.to_path_buf(),
            why,
        };
        let params = track
            .codec_params
            .as_ref()
            .and_then(|p| p.audio())
            .ok_or_else(|| unsupported("no audio codec parameters".into()))?;
        let sample_rate = params.sample_rate.unwrap_or(0);
        let channels = params.channels.as_ref().map_or(0, |c| c.count());
        // WAVE_FORMAT_EXTENSIBLE masks and symphonia's positions share their bits.
        let mask = match params.channels.as_ref() {
            Some(symphonia::core::audio::Channels::Positioned(p)) => p.bits(),
            _ => 0,
        };
        if sample_rate == 0 || channels == 0 {
            return Err(unsupported(format!(
                "{sample_rate} Hz, {channels} channels"
            )));
        }
        let channels_u16 =
            u16::try_from(channels).map_err(|_| unsupported(format!("{channels} channels")))?;
        let decoder = symphonia::default::get_codecs()
            .make_audio_decoder(params, &AudioDecoderOptions::default())
            .map_err(|e| {
                unsupported(format!("no decoder for this {} codec: {e}", format.name()))
            })?;
        let total = match (open_ended, track.num_frames) {
            (Some(l), _) => Some(l.frames()),
            (None, n) => n,
        };
        let info = AudioStreamInfo {
            codec: decoder.codec_info().short_name.to_owned(),
            sample_rate,
            channels: channels_u16,
            extradata: Vec::new(),
            duration_samples: total.unwrap_or(0),
            layout: ChannelLayout::from_mask(mask, channels_u16),
            profile: None,
        };
        let mut me = Self {
            path: path.to_path_buf(),
            format,
            reader,
            decoder,
            track_id,
            info,
            channels,
            timecode: layout.as_ref().and_then(WavLayout::timecode),
            keep_from: 0,
            keep_until: total.map(|t| i64::try_from(t).unwrap_or(i64::MAX)),
            reached: 0,
            scratch: Vec::new(),
            bad_packets: 0,
        };
        me.check_the_end_is_there()?;
        Ok(me)
    }

    /// Reads the packet holding the last promised sample once, so a cut-off file is refused at
    /// open, then rewinds. WAV and AIFF seek by arithmetic, FLAC by a binary search that stops
    /// on the file's end if the file is short; either way this is a few small reads.
    fn check_the_end_is_there(&mut self) -> Result<(), AudioError> {
        let Some(end) = self.keep_until.filter(|&e| e > 0) else {
            return Ok(());
        };
        let promise = format!(
            "its header promises {end} samples ({:.3} s) but the sound stops sooner",
            end as f64 / f64::from(self.info.sample_rate)
        );
        let last = Timestamp::new(end - 1);
        let found = match self.reader.seek(
            SeekMode::Accurate,
            SeekTo::Timestamp {
                ts: last,
                track_id: self.track_id,
            },
        ) {
            Ok(_) => loop {
                match self.reader.next_packet() {
                    Ok(Some(p)) if p.track_id != self.track_id => continue,
                    Ok(Some(p)) => break p.pts.get() + p.dur.get() as i64 >= end,
                    Ok(None) => break false,
                    Err(SymphoniaError::IoError(e))
                        if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                    {
                        break false;
                    }
                    Err(e) => {
                        return Err(symphonia_error(
                            &self.path,
                            self.format,
                            "reading the end",
                            e,
                        ));
                    }
                }
            },
            Err(SymphoniaError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                false
            }
            Err(e) => return Err(symphonia_error(&self.path, self.format, "seeking", e)),
        };
        if !found {
            return Err(AudioError::Truncated {
                path: self.path.clone(),
                detail: promise,
            });
        }
        self.seek(0)
    }

    /// Sample rate, channels, codec and length of the stream.
    pub fn info(&self) -> &AudioStreamInfo {
        &self.info
    }

    /// The file being decoded.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The container, as sniffed.
    pub fn format(&self) -> AudioFormat {
        self.format
    }

    /// Where the first sample sits on the clock (Broadcast WAV `bext` / iXML), if the file says.
    pub fn start_timecode(&self) -> Option<AudioTimecode> {
        self.timecode
    }

    /// Continues decoding so that the next chunk starts exactly at `sample` (clamped to 0; at or
    /// past the end, the next chunk is `None`).
    pub fn seek(&mut self, sample: i64) -> Result<(), AudioError> {
        let target = sample.max(0);
        self.keep_from = target;
        self.reached = target;
        self.decoder.reset();
        if self.keep_until.is_some_and(|end| target >= end) {
            // Nothing to read; symphonia would refuse a seek past the end anyway.
            return Ok(());
        }
        self.reader
            .seek(
                SeekMode::Accurate,
                SeekTo::Timestamp {
                    ts: Timestamp::new(target),
                    track_id: self.track_id,
                },
            )
            .map_err(|e| symphonia_error(&self.path, self.format, "seeking", e))?;
        Ok(())
    }

    /// The next run of samples; `None` at the end of the sound.
    pub fn next_chunk(&mut self) -> Result<Option<AudioChunk>, AudioError> {
        loop {
            if self.keep_until.is_some_and(|end| self.keep_from >= end) {
                return Ok(None);
            }
            let packet = match self.reader.next_packet() {
                Ok(Some(p)) => p,
                Ok(None) => return self.end_of_stream(),
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return self.end_of_stream();
                }
                Err(e) => {
                    return Err(symphonia_error(&self.path, self.format, "reading sound", e));
                }
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let pts = packet.pts.get();
            if self.keep_until.is_some_and(|end| pts >= end) {
                // The zero padding after an open-ended sound: nothing real left.
                self.reached = pts;
                return Ok(None);
            }
            let decoded = match self.decoder.decode(&packet) {
                Ok(buf) => buf,
                Err(SymphoniaError::DecodeError(_)) => {
                    self.bad_packets += 1;
                    continue;
                }
                Err(_) => {
                    self.bad_packets += 1;
                    self.decoder.reset();
                    continue;
                }
            };
            decoded.copy_to_vec_interleaved(&mut self.scratch);
            let ch = self.channels.max(1);
            let frames = (self.scratch.len() / ch) as i64;
            self.reached = self.reached.max(pts + frames);
            let first = (self.keep_from - pts).clamp(0, frames);
            let last = match self.keep_until {
                Some(end) => (end - pts).clamp(first, frames),
                None => frames,
            };
            if first >= last {
                continue;
            }
            return Ok(Some(AudioChunk {
                start: pts + first,
                samples: self.scratch[first as usize * ch..last as usize * ch].to_vec(),
            }));
        }
    }

    /// The reader ran dry: the end, or a file cut short after it was opened.
    fn end_of_stream(&mut self) -> Result<Option<AudioChunk>, AudioError> {
        match self.keep_until {
            Some(end) if self.reached < end => Err(AudioError::Truncated {
                path: self.path.clone(),
                detail: format!("the sound stops at sample {} of {end}", self.reached),
            }),
            _ => Ok(None),
        }
    }
}

/// A chunk-walk failure as an error naming the file.
fn wav_error(path: &Path, e: WavError) -> AudioError {
    let path = path.to_path_buf();
    match e {
        WavError::Truncated { .. } => AudioError::Truncated {
            path,
            detail: e.to_string(),
        },
        WavError::Io(io) => MediaError::Unreadable {
            path,
            reason: io.to_string(),
        }
        .into(),
        other => AudioError::Damaged {
            path,
            format: "WAV",
            why: other.to_string(),
        },
    }
}

/// A symphonia failure as an error naming the file: a read past the end is a cut-off file,
/// `Unsupported` an unsupported variant, anything else damage.
fn symphonia_error(path: &Path, format: AudioFormat, doing: &str, e: SymphoniaError) -> AudioError {
    let path = path.to_path_buf();
    let format = match format {
        AudioFormat::Aiff => "AIFF",
        AudioFormat::Flac => "FLAC",
        _ => "WAV",
    };
    match e {
        SymphoniaError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            AudioError::Truncated {
                path,
                detail: format!("the {format} file ends while {doing}"),
            }
        }
        SymphoniaError::IoError(io) => MediaError::Unreadable {
            path,
            reason: io.to_string(),
        }
        .into(),
        SymphoniaError::Unsupported(what) => AudioError::Unsupported {
            path,
            why: format!("{format}: {what}"),
        },
        other => AudioError::Damaged {
            path,
            format,
            why: format!("{doing}: {other}"),
        },
    }
}
