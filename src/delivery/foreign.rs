//! Files that are plainly not QuickTime movies, told apart by their first bytes, so `earmark
//! check` on a sound file or another container says what the file is instead of reporting a
//! corrupt movie ("atom 'WAVE' claims 1380533830 bytes") — the atom reader would read `RIFF` as
//! an atom size.
//!
//! Only signatures that cannot start a QuickTime file are named: every movie starts with an
//! atom, whose type (bytes 4–8) is one of a handful of known codes, so a file whose bytes 4–8
//! are such a code is always left to the atom reader.

use std::io::{Read, Seek, SeekFrom};

/// Top-level atom types a QuickTime / ISO file may start with.
const MOVIE_TOP: [&[u8; 4]; 9] = [
    b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"pnot", b"uuid", b"junk",
];

/// MPEG transport stream packet length; a second sync byte there confirms the first.
const TS_PACKET: usize = 188;

/// Bytes looked at: enough for two transport packets.
const HEAD: usize = TS_PACKET + 4;

/// What the file is, in words ("a WAV sound file"), when its first bytes say it is something
/// other than a QuickTime movie; `None` when it may be a movie (or is too short to say).
pub fn identify<R: Read + Seek>(r: &mut R) -> std::io::Result<Option<&'static str>> {
    let mut head = Vec::with_capacity(HEAD);
    r.by_ref().take(HEAD as u64).read_to_end(&mut head)?;
    if head.len() < 4
        || head
            .get(4..8)
            .is_some_and(|t| MOVIE_TOP.iter().any(|m| m[..] == *t))
    {
        return Ok(None);
    }
    if head.starts_with(b"ID3") {
        // An ID3v2 tag: MP3, or FLAC behind a tag. Its size is four 7-bit bytes after the
        // 10-byte header.
        let size = head.get(6..10).map_or(0, |b| {
            b.iter().fold(0u64, |v, x| (v << 7) | u64::from(x & 0x7f))
        });
        r.seek(SeekFrom::Start(10 + size))?;
        let mut magic = [0u8; 4];
        let after = r.read_exact(&mut magic).ok().map(|()| magic);
        return Ok(Some(if after == Some(*b"fLaC") {
            "a FLAC sound file"
        } else {
            "an MP3 sound file"
        }));
    }
    Ok(by_signature(&head))
}

/// The file kind a leading signature names (no ID3 tag in front).
fn by_signature(head: &[u8]) -> Option<&'static str> {
    let form = head.get(8..12);
    let kind = match head.get(..4)? {
        b"RIFF" if form == Some(b"WAVE") => "a WAV sound file",
        b"RIFF" if form == Some(b"AVI ") => "an AVI movie",
        b"RF64" | b"BW64" => "an RF64 (64-bit WAV) sound file",
        b"FORM" if matches!(form, Some(b"AIFF") | Some(b"AIFC")) => "an AIFF sound file",
        b"fLaC" => "a FLAC sound file",
        b"OggS" => "an Ogg file",
        [0x1A, 0x45, 0xDF, 0xA3] => "a Matroska / WebM movie (.mkv, .webm)",
        [0x06, 0x0E, 0x2B, 0x34] => "an MXF file",
        [0x00, 0x00, 0x01, 0xBA] => "an MPEG program stream (.mpg, .vob)",
        [0x47, ..] if head.get(TS_PACKET) == Some(&0x47) => "an MPEG transport stream (.ts, .m2ts)",
        // MPEG audio frame sync (11 bits) with a valid layer: MP3 without a tag.
        [0xFF, b, ..] if b & 0xE0 == 0xE0 && b & 0x06 != 0 => "an MP3 sound file",
        _ => return None,
    };
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn what(bytes: &[u8]) -> Option<&'static str> {
        identify(&mut Cursor::new(bytes.to_vec())).expect("in memory")
    }

    fn padded(start: &[u8]) -> Vec<u8> {
        let mut v = start.to_vec();
        v.resize(400, 0);
        v
    }

    #[test]
    fn sound_files_and_other_containers_are_named() {
        assert_eq!(
            what(&padded(b"RIFF\x24\x00\x00\x00WAVEfmt ")),
            Some("a WAV sound file")
        );
        assert_eq!(
            what(&padded(b"RF64\xff\xff\xff\xffWAVEds64")),
            Some("an RF64 (64-bit WAV) sound file")
        );
        assert_eq!(
            what(&padded(b"FORM\x00\x00\x10\x00AIFFCOMM")),
            Some("an AIFF sound file")
        );
        assert_eq!(
            what(&padded(b"fLaC\x00\x00\x00\x22")),
            Some("a FLAC sound file")
        );
        assert_eq!(
            what(&padded(&[0xFF, 0xFB, 0x90, 0x64])),
            Some("an MP3 sound file")
        );
        assert_eq!(
            what(&padded(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F])),
            Some("a Matroska / WebM movie (.mkv, .webm)")
        );
        let mut ts = padded(&[0x47, 0x40, 0x00, 0x10]);
        ts[TS_PACKET] = 0x47;
        assert_eq!(what(&ts), Some("an MPEG transport stream (.ts, .m2ts)"));
    }

    #[test]
    fn id3_tag_in_front_of_mp3_or_flac() {
        // A 20-byte tag (syncsafe size 0 0 0 20), then the payload.
        let mut mp3 = b"ID3\x04\x00\x00\x00\x00\x00\x14".to_vec();
        mp3.extend([0u8; 20]);
        let mut flac = mp3.clone();
        mp3.extend([0xFF, 0xFB, 0x90, 0x64]);
        flac.extend(b"fLaC");
        assert_eq!(what(&mp3), Some("an MP3 sound file"));
        assert_eq!(what(&flac), Some("a FLAC sound file"));
        // A tag whose size runs past the end is still an MP3-style tag.
        assert_eq!(
            what(b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f"),
            Some("an MP3 sound file")
        );
    }

    #[test]
    fn movies_and_unknown_bytes_are_left_alone() {
        assert_eq!(what(&padded(b"\x00\x00\x00\x14ftypqt  ")), None);
        assert_eq!(what(&padded(b"\x00\x00\x00\x08wide")), None);
        // A huge first mdat whose size happens to start with 0x47 is a movie, not a TS.
        assert_eq!(what(&padded(b"\x47\x00\x00\x00mdat")), None);
        // 0x47 without a second sync byte a packet later is not a transport stream.
        assert_eq!(what(&padded(&[0x47, 0x40, 0x00, 0x10])), None);
        assert_eq!(what(b"this is not a QuickTime movie\n"), None);
        assert_eq!(what(b""), None);
        assert_eq!(what(b"RIF"), None);
    }
}
