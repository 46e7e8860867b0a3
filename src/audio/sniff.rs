//! Telling sound files apart by their first bytes, not their names.
//!
//! A file called `mix.wav` may be RF64, an `.aif` may be AIFF-C, and a delivery may arrive with
//! no extension at all; the magic numbers are what decide which reader gets the file. Everything
//! that is not a WAV, AIFF or FLAC goes to FFmpeg's demuxer (QuickTime/MP4 and M4A, whose edit
//! lists only FFmpeg honours).

use super::error::AudioError;
use crate::media::MediaError;
use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::Path;

/// The container of a sound file, as its bytes say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AudioFormat {
    /// `RIFF`…`WAVE` (including Broadcast WAV).
    Wav,
    /// `RF64` or `BW64`…`WAVE`: WAV with 64-bit sizes.
    Rf64,
    /// `FORM`…`AIFF` or `AIFC`.
    Aiff,
    /// `fLaC` (possibly after an ID3v2 tag).
    Flac,
    /// A QuickTime / ISO-BMFF file (`.mov`, `.mp4`, `.m4a`).
    Mp4,
    /// Anything else: FFmpeg gets to judge it.
    Other,
}

impl AudioFormat {
    /// Short name for reports (`wav`, `rf64`, `aiff`, `flac`, `mp4`, `other`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Wav => "wav",
            Self::Rf64 => "rf64",
            Self::Aiff => "aiff",
            Self::Flac => "flac",
            Self::Mp4 => "mp4",
            Self::Other => "other",
        }
    }

    /// Whether symphonia's own readers handle the container (rather than FFmpeg).
    pub fn is_sound_file(self) -> bool {
        matches!(self, Self::Wav | Self::Rf64 | Self::Aiff | Self::Flac)
    }
}

/// What sniffing found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sniffed {
    pub format: AudioFormat,
    /// Where the container starts (past an ID3v2 tag in front of FLAC; otherwise 0).
    pub offset: u64,
    /// File size in bytes.
    pub file_len: u64,
}

/// QuickTime / ISO-BMFF top-level atom types (bytes 4..8 of the file).
const QUICKTIME_TOP: [&[u8; 4]; 8] = [
    b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot", b"uuid",
];

/// Checks that `path` is a non-empty readable file and names its container.
pub fn sniff(path: &Path) -> Result<Sniffed, AudioError> {
    let file_err = |e: std::io::Error| -> AudioError {
        match e.kind() {
            std::io::ErrorKind::NotFound => MediaError::NotFound(path.to_path_buf()),
            _ => MediaError::Unreadable {
                path: path.to_path_buf(),
                reason: e.to_string(),
            },
        }
        .into()
    };
    let meta = std::fs::metadata(path).map_err(file_err)?;
    if meta.is_dir() {
        return Err(MediaError::Unreadable {
            path: path.to_path_buf(),
            reason: "it is a folder".into(),
        }
        .into());
    }
    let file_len = meta.len();
    if file_len == 0 {
        return Err(MediaError::Empty(path.to_path_buf()).into());
    }
    let mut file = File::open(path).map_err(file_err)?;
    let mut head = [0u8; 12];
    let n = read_up_to(&mut file, &mut head).map_err(file_err)?;
    let (format, offset) = match classify(&head[..n]) {
        Some(format) => (format, 0),
        None if head.starts_with(b"ID3") && n >= 10 => {
            // ID3v2 size: four 7-bit bytes ("syncsafe"), plus the 10-byte header.
            let size = head[6..10]
                .iter()
                .fold(0u64, |acc, &b| (acc << 7) | u64::from(b & 0x7f))
                + 10;
            let mut magic = [0u8; 4];
            let found = file.seek(SeekFrom::Start(size)).is_ok()
                && read_up_to(&mut file, &mut magic).map_err(file_err)? == 4
                && &magic == b"fLaC";
            if found {
                (AudioFormat::Flac, size)
            } else {
                (AudioFormat::Other, 0)
            }
        }
        None => (AudioFormat::Other, 0),
    };
    Ok(Sniffed {
        format,
        offset,
        file_len,
    })
}

/// The container named by a file's first (up to 12) bytes, if it is one of ours.
pub fn classify(head: &[u8]) -> Option<AudioFormat> {
    let at = |range: std::ops::Range<usize>| head.get(range);
    let form = at(8..12);
    match at(0..4)? {
        b"RIFF" if form == Some(b"WAVE") => Some(AudioFormat::Wav),
        b"RF64" | b"BW64" if form == Some(b"WAVE") => Some(AudioFormat::Rf64),
        b"FORM" if form == Some(b"AIFF") || form == Some(b"AIFC") => Some(AudioFormat::Aiff),
        b"fLaC" => Some(AudioFormat::Flac),
        _ => at(4..8)
            .filter(|k| QUICKTIME_TOP.iter().any(|t| &t[..] == *k))
            .map(|_| AudioFormat::Mp4),
    }
}

/// Fills as much of `buf` as the file holds.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers() {
        let cases: [(&[u8], Option<AudioFormat>); 10] = [
            (b"RIFF\0\0\0\0WAVE", Some(AudioFormat::Wav)),
            (b"RF64\xff\xff\xff\xffWAVE", Some(AudioFormat::Rf64)),
            (b"BW64\xff\xff\xff\xffWAVE", Some(AudioFormat::Rf64)),
            (b"FORM\0\0\0\0AIFF", Some(AudioFormat::Aiff)),
            (b"FORM\0\0\0\0AIFC", Some(AudioFormat::Aiff)),
            (b"fLaC\0\0\0\x22", Some(AudioFormat::Flac)),
            (b"\0\0\0\x20ftypM4A ", Some(AudioFormat::Mp4)),
            (b"RIFF\0\0\0\0AVI ", None),
            (b"FORM\0\0\0\08SVX", None),
            (b"RIF", None),
        ];
        for (head, want) in cases {
            assert_eq!(classify(head), want, "{head:?}");
        }
        assert_eq!(classify(b""), None);
    }

    #[test]
    fn id3_before_flac_is_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tagged");
        let mut bytes = b"ID3\x04\0\0\0\0\0\x05".to_vec();
        bytes.extend_from_slice(&[0; 5]);
        bytes.extend_from_slice(b"fLaC\0\0\0\0");
        std::fs::write(&path, &bytes).expect("write");
        let s = sniff(&path).expect("sniff");
        assert_eq!((s.format, s.offset), (AudioFormat::Flac, 15));
        // A tag that points past the end is just an unknown file.
        bytes[9] = 0x7f;
        std::fs::write(&path, &bytes).expect("write");
        assert_eq!(sniff(&path).expect("sniff").format, AudioFormat::Other);
    }

    #[test]
    fn missing_empty_and_folders_are_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope.wav");
        let e = sniff(&missing).expect_err("missing").to_string();
        assert!(e.contains("not found") && e.contains("nope.wav"), "{e}");
        let empty = dir.path().join("empty.wav");
        std::fs::write(&empty, b"").expect("write");
        let e = sniff(&empty).expect_err("empty").to_string();
        assert!(e.contains("empty") && e.contains("empty.wav"), "{e}");
        let e = sniff(dir.path()).expect_err("folder").to_string();
        assert!(e.contains("folder"), "{e}");
    }
}
