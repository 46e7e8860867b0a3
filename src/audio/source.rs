//! One way in for every kind of sound the player reviews: the sound of a review QuickTime, an
//! M4A, or a sound-only WAV/BWF, AIFF or FLAC delivery.
//!
//! The file's first bytes pick the decoder. WAV (RF64/BW64 included), AIFF and FLAC go to
//! symphonia's own readers ([`FileDecoder`]); everything else — QuickTime, MP4, M4A — goes to
//! [`AudioDecoder`], because only FFmpeg's demuxer honours the edit list that puts AAC priming
//! before position 0 (symphonia's MP4 reader ignores it, leaving the sound 21–44 ms late).
//! Both decoders have the same shape and trim at the sample, so callers see one timeline.
//!
//! A movie with several sound tracks plays the one chosen ([`AudioChoice`]): a track, or two
//! mono tracks as left and right. What comes out keeps the track's own channels (a 5.1 stays
//! 5.1, for its loudness); the player folds it to the two ears with [`super::Downmix`].

use super::decode::{AudioChunk, AudioDecoder};
use super::error::AudioError;
use super::file_decoder::FileDecoder;
use super::sniff::{AudioFormat, sniff};
use super::track_choice::{AudioChoice, Resolved, resolve};
use crate::media::bwf::AudioTimecode;
use crate::media::{AudioStreamInfo, AudioTrack, audio_tracks};
use std::path::Path;

/// A file's sound, decoded to interleaved f32 at its own rate.
pub struct AudioSource {
    format: AudioFormat,
    file_len: u64,
    decoder: Decoder,
    /// The tracks playing and how many the file has.
    resolved: Resolved,
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
        Self::open_choice(path, AudioChoice::Auto)
    }

    /// Opens the sound `choice` names (Earmark's pick for `Auto`).
    pub fn open_choice(path: &Path, choice: AudioChoice) -> Result<Self, AudioError> {
        let sniffed = sniff(path)?;
        let (format, file_len) = (sniffed.format, sniffed.file_len);
        if sniffed.format.is_sound_file() {
            let d = FileDecoder::open_sniffed(path, sniffed)?;
            let resolved = resolve(choice, &[sound_file_track(d.info())])?;
            return Ok(Self {
                format,
                file_len,
                decoder: Decoder::File(Box::new(d)),
                resolved,
            });
        }
        let tracks = audio_tracks(path)?;
        if tracks.is_empty() {
            if choice != AudioChoice::Auto {
                // Asked for a track by number: that there is none is an answer, not silence.
                return Err(AudioError::NoTrackInSilentFile {
                    choice,
                    path: path.to_path_buf(),
                });
            }
            return Err(AudioError::NoAudio(path.to_path_buf()));
        }
        let resolved = resolve(choice, &tracks)?;
        let decoder = AudioDecoder::open_streams(path, &resolved.streams())?;
        Ok(Self {
            format,
            file_len,
            decoder: Decoder::Ffmpeg(Box::new(decoder)),
            resolved,
        })
    }

    /// The tracks playing, and how many the file has.
    pub fn tracks(&self) -> &Resolved {
        &self.resolved
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

/// A sound file's one track, described as a movie's are.
fn sound_file_track(info: &AudioStreamInfo) -> AudioTrack {
    AudioTrack {
        track: 1,
        stream_index: 0,
        codec: info.codec.clone(),
        profile: info.profile.clone(),
        sample_rate: info.sample_rate,
        channels: info.channels,
        layout_name: info.layout.name(),
        layout: info.layout.clone(),
        title: None,
        language: None,
    }
}
