//! One way in for every kind of sound the player reviews: the sound of a review QuickTime, an
//! M4A, or a sound-only WAV/BWF, AIFF or FLAC delivery.
//!
//! The file's first bytes pick the decoder. WAV (RF64/BW64 included), AIFF and FLAC go to
//! symphonia's own readers ([`FileDecoder`]); everything else — QuickTime, MP4, M4A — goes to
//! [`AudioDecoder`], because only FFmpeg's demuxer honours the edit list that puts AAC priming
//! before position 0 (symphonia's MP4 reader ignores it, leaving the sound 21–44 ms late).
//! Both decoders have the same shape and trim at the sample, so callers see one timeline.

use super::decode::{AudioChunk, AudioDecoder};
use super::error::AudioError;
use super::file_decoder::FileDecoder;
use super::sniff::{AudioFormat, sniff};
use crate::media::AudioStreamInfo;
use crate::media::bwf::AudioTimecode;
use std::path::Path;

/// A file's sound, decoded to interleaved f32 at its own rate.
pub struct AudioSource {
    format: AudioFormat,
    file_len: u64,
    decoder: Decoder,
}

/// Both boxed: the AAC decoder's tables make one ~22 KB, and an `AudioSource` is moved between
/// threads by the player.
enum Decoder {
    File(Box<FileDecoder>),
    Ffmpeg(Box<AudioDecoder>),
}

impl AudioSource {
    /// Opens the sound of `path`, whatever kind of file it is. Errors name the file and the
    /// problem (missing, empty, truncated, damaged, no sound, unsupported codec).
    pub fn open(path: &Path) -> Result<Self, AudioError> {
        let sniffed = sniff(path)?;
        let decoder = if sniffed.format.is_sound_file() {
            Decoder::File(Box::new(FileDecoder::open_sniffed(path, sniffed)?))
        } else {
            Decoder::Ffmpeg(Box::new(AudioDecoder::open(path)?))
        };
        Ok(Self {
            format: sniffed.format,
            file_len: sniffed.file_len,
            decoder,
        })
    }

    /// The container, as sniffed from the file's first bytes.
    pub fn format(&self) -> AudioFormat {
        self.format
    }

    /// File size in bytes.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// Sample rate, channels, codec and length (`duration_samples`, 0 if unknown).
    pub fn info(&self) -> &AudioStreamInfo {
        match &self.decoder {
            Decoder::File(d) => d.info(),
            Decoder::Ffmpeg(d) => d.info(),
        }
    }

    /// The file being decoded.
    pub fn path(&self) -> &Path {
        match &self.decoder {
            Decoder::File(d) => d.path(),
            Decoder::Ffmpeg(d) => d.path(),
        }
    }

    /// Where the first sample sits on the clock: the Broadcast WAV time reference, with the
    /// timecode rate when iXML states one. `None` for files that do not say.
    pub fn start_timecode(&self) -> Option<AudioTimecode> {
        match &self.decoder {
            Decoder::File(d) => d.start_timecode(),
            Decoder::Ffmpeg(_) => None,
        }
    }

    /// Continues decoding so that the next chunk starts exactly at `sample`.
    pub fn seek(&mut self, sample: i64) -> Result<(), AudioError> {
        match &mut self.decoder {
            Decoder::File(d) => d.seek(sample),
            Decoder::Ffmpeg(d) => d.seek(sample),
        }
    }

    /// The next run of samples; `None` at the end of the sound.
    pub fn next_chunk(&mut self) -> Result<Option<AudioChunk>, AudioError> {
        match &mut self.decoder {
            Decoder::File(d) => d.next_chunk(),
            Decoder::Ffmpeg(d) => d.next_chunk(),
        }
    }

    /// Packets the decoder rejected and skipped so far.
    pub fn bad_packets(&self) -> u64 {
        match &self.decoder {
            Decoder::File(d) => d.bad_packets,
            Decoder::Ffmpeg(d) => d.bad_packets,
        }
    }
}
