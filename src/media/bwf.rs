//! Broadcast WAV: where a WAV file's sound data lies and where its first sample sits on the clock.
//!
//! Symphonia's WAV reader plays the samples but reads neither the `bext` chunk (EBU Tech 3285:
//! `TimeReference`, the first sample's position in samples since midnight) nor `iXML` (the
//! production-sound metadata that says which timecode rate the recorder ran at), and it does not
//! know RF64/BW64, whose real sizes live in a `ds64` chunk. This module walks the chunk list
//! itself — headers only, every payload it reads capped, every size checked against the file —
//! so a damaged or hostile file yields an error, never a huge allocation or a panic.

use crate::time::{FrameRate, Rational, Timecode, TimecodeRate};
use serde::Serialize;
use std::io::{Read, Seek, SeekFrom};
use thiserror::Error;

/// Chunks visited before giving up: real files have a handful; a loop of tiny junk chunks must
/// not keep the walk going for ever.
const MAX_CHUNKS: usize = 4096;
/// Largest iXML payload read (real ones are a few KB).
const MAX_IXML: u64 = 1 << 20;
/// `bext` up to and including `TimeReferenceHigh` (EBU Tech 3285: 256 + 32 + 32 + 10 + 8 bytes of
/// text fields, then the two 32-bit halves).
const BEXT_TIME_REFERENCE_AT: usize = 338;
/// A 32-bit chunk size of all ones: "see ds64" in RF64, "unknown, read to the end" in a WAV
/// written to a pipe.
const SIZE_UNKNOWN: u32 = u32::MAX;

/// The three spellings of a RIFF WAVE file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RiffForm {
    /// Classic `RIFF` (sizes are 32-bit, so at most 4 GiB).
    Riff,
    /// EBU Tech 3306 `RF64`: 64-bit sizes in the `ds64` chunk.
    Rf64,
    /// ITU-R BS.2088 `BW64`: the same layout as RF64.
    Bw64,
}

/// Where a start position came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeReferenceSource {
    /// The `bext` chunk's `TimeReference`.
    Bext,
    /// iXML `TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI/LO` (used when there is no `bext`).
    Ixml,
}

/// What the `iXML` chunk says about timecode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IxmlTimecode {
    /// `TIMECODE_RATE`, e.g. `24000/1001`.
    pub rate: Option<FrameRate>,
    /// `TIMECODE_FLAG`: `DF` → true, `NDF` → false.
    pub drop_frame: Option<bool>,
    /// `TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI/LO`.
    pub samples_since_midnight: Option<u64>,
    /// `TIMESTAMP_SAMPLE_RATE`: the rate that count is in.
    pub timestamp_sample_rate: Option<u32>,
}

/// The layout of a WAV file as its chunks describe it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WavLayout {
    pub form: RiffForm,
    /// `fmt ` sample rate (0 if the chunk was missing or short).
    pub sample_rate: u32,
    /// `fmt ` bytes per sample frame (0 if the chunk was missing or short).
    pub block_align: u16,
    /// Byte offset of the first byte of sound (the `data` payload).
    pub data_offset: u64,
    /// Bytes of sound: the `ds64` size for RF64/BW64, up to the end of the file when the size
    /// field says "unknown".
    pub data_len: u64,
    /// Byte offset of the `data` chunk's own 32-bit size field.
    pub data_size_field: u64,
    /// What that field holds: `u32::MAX` means the real size is elsewhere (ds64) or unknown.
    pub data_size_declared: u32,
    /// `bext` `TimeReference`, if the chunk is there and long enough.
    pub time_reference: Option<u64>,
    /// What `iXML` says about timecode (all `None` without the chunk).
    pub ixml: IxmlTimecode,
}

/// Why a WAV file's chunks could not be walked.
#[derive(Debug, Error)]
pub enum WavError {
    #[error("not a RIFF/RF64/BW64 WAVE file")]
    NotWave,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the `{chunk}` chunk runs to byte {end} but the file has {len} bytes")]
    Truncated { chunk: String, end: u64, len: u64 },
    #[error("{0} file has no ds64 chunk, so the size of its sound is unknown")]
    NoDs64(&'static str),
    #[error("no `data` chunk: the file holds no sound")]
    NoData,
    #[error("more than {MAX_CHUNKS} chunks before the sound: not a real WAV file")]
    TooManyChunks,
}

impl WavLayout {
    /// Sample frames of sound (0 when the block size is unknown).
    pub fn frames(&self) -> u64 {
        match self.block_align {
            0 => 0,
            b => self.data_len / u64::from(b),
        }
    }

    /// The file's start position, from `bext` or else iXML, with iXML's timecode rate.
    pub fn timecode(&self) -> Option<AudioTimecode> {
        let (samples, rate, source) = match (self.time_reference, self.ixml.samples_since_midnight)
        {
            (Some(t), _) => (t, self.sample_rate, TimeReferenceSource::Bext),
            (None, Some(t)) => (
                t,
                self.ixml.timestamp_sample_rate.unwrap_or(self.sample_rate),
                TimeReferenceSource::Ixml,
            ),
            (None, None) => return None,
        };
        (rate > 0).then_some(AudioTimecode {
            samples_since_midnight: samples,
            sample_rate: rate,
            frame_rate: self.ixml.rate,
            drop_frame: self.ixml.drop_frame.unwrap_or(false),
            source,
        })
    }
}

/// Where a sound file's first sample sits on the 24-hour clock, as the file states it.
///
/// BWF counts in samples, not frames, so the count means the same at every picture rate; a
/// timecode label needs a rate, which only iXML states. [`AudioTimecode::label_at`] counts at any
/// rate; [`AudioTimecode::label`] at the file's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AudioTimecode {
    /// Samples since midnight (`bext` TimeReference).
    pub samples_since_midnight: u64,
    /// The rate of that count: the file's sample rate (iXML may state another).
    pub sample_rate: u32,
    /// The timecode rate the file states (iXML `TIMECODE_RATE`), if any.
    pub frame_rate: Option<FrameRate>,
    /// iXML `TIMECODE_FLAG` is `DF` (honoured only at 29.97 and 59.94).
    pub drop_frame: bool,
    pub source: TimeReferenceSource,
}

impl AudioTimecode {
    /// The timecode rate the file states, if it states one.
    pub fn timecode_rate(&self) -> Option<TimecodeRate> {
        self.frame_rate.map(|r| r.timecode_rate(self.drop_frame))
    }

    /// Whole frames since midnight at `frame_rate` before the first sample: the first sample lies
    /// in that frame (BWF positions need not fall on a frame edge).
    pub fn frames_since_midnight(&self, frame_rate: FrameRate) -> i64 {
        let r = frame_rate.0;
        let num = i128::from(self.samples_since_midnight) * i128::from(r.num);
        let den = i128::from(self.sample_rate.max(1)) * i128::from(r.den);
        (num / den.max(1)).clamp(0, i128::from(i64::MAX)) as i64
    }

    /// The label of the frame holding the first sample, counted at `frame_rate`.
    pub fn label_at(&self, frame_rate: FrameRate, drop_frame: bool) -> Timecode {
        Timecode::from_frames(
            self.frames_since_midnight(frame_rate),
            frame_rate.timecode_rate(drop_frame),
        )
    }

    /// The label at the rate the file states, if it states one.
    pub fn label(&self) -> Option<Timecode> {
        self.frame_rate.map(|r| self.label_at(r, self.drop_frame))
    }
}

/// Walks the chunks of a WAV file of `file_len` bytes from its start.
pub fn read_layout<R: Read + Seek>(r: &mut R, file_len: u64) -> Result<WavLayout, WavError> {
    r.seek(SeekFrom::Start(0))?;
    let mut head = [0u8; 12];
    r.read_exact(&mut head).map_err(|_| WavError::NotWave)?;
    let form = match &head[..4] {
        b"RIFF" => RiffForm::Riff,
        b"RF64" => RiffForm::Rf64,
        b"BW64" => RiffForm::Bw64,
        _ => return Err(WavError::NotWave),
    };
    if &head[8..12] != b"WAVE" {
        return Err(WavError::NotWave);
    }
    let mut layout = WavLayout {
        form,
        sample_rate: 0,
        block_align: 0,
        data_offset: 0,
        data_len: 0,
        data_size_field: 0,
        data_size_declared: 0,
        time_reference: None,
        ixml: IxmlTimecode::default(),
    };
    let mut ds64_data_len = None;
    let mut found_data = false;
    let mut pos: u64 = 12;
    for _ in 0..MAX_CHUNKS {
        if pos.saturating_add(8) > file_len {
            break;
        }
        r.seek(SeekFrom::Start(pos))?;
        let mut header = [0u8; 8];
        r.read_exact(&mut header)?;
        let id = [header[0], header[1], header[2], header[3]];
        let size32 = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        let payload = pos + 8;
        let name = || String::from_utf8_lossy(&id).into_owned();

        if &id == b"data" {
            let len = match (form, size32) {
                (RiffForm::Riff, SIZE_UNKNOWN) => file_len - payload,
                (RiffForm::Riff, n) => u64::from(n),
                // RF64/BW64: ds64 is authoritative; a plain 32-bit size is a fallback.
                (_, n) => match ds64_data_len {
                    Some(len) => len,
                    None if n != SIZE_UNKNOWN => u64::from(n),
                    None => {
                        return Err(WavError::NoDs64(match form {
                            RiffForm::Bw64 => "BW64",
                            _ => "RF64",
                        }));
                    }
                },
            };
            let end = payload.saturating_add(len);
            if end > file_len {
                return Err(WavError::Truncated {
                    chunk: name(),
                    end,
                    len: file_len,
                });
            }
            layout.data_offset = payload;
            layout.data_len = len;
            layout.data_size_field = pos + 4;
            layout.data_size_declared = size32;
            found_data = true;
            // Metadata may follow the sound (iXML usually does), so keep walking.
            pos = end + (len & 1);
            continue;
        }

        let size = u64::from(size32);
        let end = payload.saturating_add(size);
        if end > file_len {
            if found_data {
                // A damaged tail after the sound costs only metadata; the sound is intact.
                break;
            }
            return Err(WavError::Truncated {
                chunk: name(),
                end,
                len: file_len,
            });
        }
        match &id {
            b"ds64" if form != RiffForm::Riff => {
                // riffSize (8), dataSize (8), sampleCount (8), table…
                let body = read_capped(r, size, 24)?;
                if let Some(b) = body.get(8..16) {
                    ds64_data_len = Some(le_u64(b));
                }
            }
            b"fmt " => {
                let body = read_capped(r, size, 16)?;
                if body.len() >= 14 {
                    layout.sample_rate = le_u32(&body[4..8]);
                    layout.block_align = u16::from_le_bytes([body[12], body[13]]);
                }
            }
            b"bext" => {
                let body = read_capped(r, size, BEXT_TIME_REFERENCE_AT as u64 + 8)?;
                if let Some(b) = body.get(BEXT_TIME_REFERENCE_AT..BEXT_TIME_REFERENCE_AT + 8) {
                    // TimeReferenceLow, then TimeReferenceHigh.
                    layout.time_reference = Some(le_u64(b));
                }
            }
            b"iXML" => {
                let body = read_capped(r, size, MAX_IXML)?;
                layout.ixml = parse_ixml(&String::from_utf8_lossy(&body));
            }
            _ => {}
        }
        pos = end + (size & 1);
    }
    if !found_data {
        // Either the walk ran out of file or out of patience before any sound.
        return Err(if pos.saturating_add(8) > file_len {
            WavError::NoData
        } else {
            WavError::TooManyChunks
        });
    }
    Ok(layout)
}

/// Reads up to `cap` bytes of a chunk payload of `size` bytes at the current position.
fn read_capped<R: Read>(r: &mut R, size: u64, cap: u64) -> Result<Vec<u8>, WavError> {
    let mut body = Vec::new();
    r.take(size.min(cap)).read_to_end(&mut body)?;
    Ok(body)
}

fn le_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.iter_mut().zip(b).for_each(|(d, s)| *d = *s);
    u32::from_le_bytes(a)
}

fn le_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.iter_mut().zip(b).for_each(|(d, s)| *d = *s);
    u64::from_le_bytes(a)
}

/// Reads the timecode fields of an iXML document.
///
/// iXML is flat enough (each field a unique, unattributed element) that finding `<TAG>…</TAG>`
/// is exact for the fields used here, without an XML parser dependency.
pub fn parse_ixml(xml: &str) -> IxmlTimecode {
    let u32_of = |tag| element(xml, tag).and_then(|t| t.parse::<u32>().ok());
    let samples = match (
        u32_of("TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI"),
        u32_of("TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO"),
    ) {
        (Some(hi), Some(lo)) => Some(u64::from(hi) << 32 | u64::from(lo)),
        (None, Some(lo)) => Some(u64::from(lo)),
        _ => None,
    };
    IxmlTimecode {
        rate: element(xml, "TIMECODE_RATE").and_then(parse_rate),
        drop_frame: match element(xml, "TIMECODE_FLAG").map(str::to_ascii_uppercase) {
            Some(f) if f == "DF" => Some(true),
            Some(f) if f == "NDF" => Some(false),
            _ => None,
        },
        samples_since_midnight: samples,
        timestamp_sample_rate: u32_of("TIMESTAMP_SAMPLE_RATE").filter(|&r| r > 0),
    }
}

/// The trimmed text of the first `<tag>…</tag>` element.
fn element<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let len = xml.get(start..)?.find(&close)?;
    xml.get(start..start + len).map(str::trim)
}

/// `24000/1001`, `25/1`, `25`, or a decimal label a recorder may write (`23.976`, `29.97`).
fn parse_rate(text: &str) -> Option<FrameRate> {
    if let Some(r) = Rational::parse(text) {
        return FrameRate::new(r.num, r.den);
    }
    FrameRate::KNOWN
        .iter()
        .find(|(_, _, label)| *label == text.trim())
        .and_then(|(n, d, _)| FrameRate::new(*n, *d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    fn chunk(id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut c = id.to_vec();
        c.extend_from_slice(&(body.len() as u32).to_le_bytes());
        c.extend_from_slice(body);
        if body.len() % 2 == 1 {
            c.push(0);
        }
        c
    }

    fn fmt(rate: u32, channels: u16, bits: u16) -> Vec<u8> {
        let align = channels * bits / 8;
        let mut b = Vec::new();
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&channels.to_le_bytes());
        b.extend_from_slice(&rate.to_le_bytes());
        b.extend_from_slice(&(rate * u32::from(align)).to_le_bytes());
        b.extend_from_slice(&align.to_le_bytes());
        b.extend_from_slice(&bits.to_le_bytes());
        chunk(b"fmt ", &b)
    }

    fn bext(time_reference: u64) -> Vec<u8> {
        let mut b = vec![0u8; 602];
        b[338..346].copy_from_slice(&time_reference.to_le_bytes());
        chunk(b"bext", &b)
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = chunks.concat();
        let mut f = b"RIFF".to_vec();
        f.extend_from_slice(&(body.len() as u32 + 4).to_le_bytes());
        f.extend_from_slice(b"WAVE");
        f.extend_from_slice(&body);
        f
    }

    fn layout(bytes: &[u8]) -> Result<WavLayout, WavError> {
        read_layout(&mut Cursor::new(bytes), bytes.len() as u64)
    }

    const IXML: &str = "<?xml version=\"1.0\"?><BWFXML><SPEED><TIMECODE_RATE>24000/1001</TIMECODE_RATE>\
        <TIMECODE_FLAG>NDF</TIMECODE_FLAG><TIMESTAMP_SAMPLE_RATE>48000</TIMESTAMP_SAMPLE_RATE>\
        <TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>0</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_HI>\
        <TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>172972800</TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO>\
        </SPEED></BWFXML>";

    fn rate(n: i64, d: i64) -> FrameRate {
        FrameRate::new(n, d).expect("rate")
    }

    #[test]
    fn bext_time_reference_is_one_hour_at_48k() {
        let bytes = riff(&[
            fmt(48_000, 2, 24),
            bext(172_800_000),
            chunk(b"data", &[0; 60]),
        ]);
        let l = layout(&bytes).expect("layout");
        assert_eq!(l.form, RiffForm::Riff);
        assert_eq!((l.sample_rate, l.block_align), (48_000, 6));
        assert_eq!(l.time_reference, Some(172_800_000));
        assert_eq!(l.frames(), 10);
        let tc = l.timecode().expect("timecode");
        assert_eq!(tc.source, TimeReferenceSource::Bext);
        assert_eq!(tc.label(), None, "no rate stated without iXML");
        for r in [rate(24, 1), rate(25, 1), rate(30, 1), rate(50, 1)] {
            assert_eq!(tc.label_at(r, false).to_string(), "01:00:00:00", "{r}");
        }
    }

    #[test]
    fn high_half_of_the_time_reference_counts() {
        let bytes = riff(&[
            fmt(48_000, 1, 16),
            bext(0x1_0000_0002),
            chunk(b"data", &[0; 2]),
        ]);
        assert_eq!(
            layout(&bytes).expect("layout").time_reference,
            Some(0x1_0000_0002)
        );
    }

    #[test]
    fn ixml_gives_the_rate_and_the_flag() {
        let bytes = riff(&[
            fmt(48_000, 2, 24),
            bext(172_972_800),
            chunk(b"data", &[0; 12]),
            chunk(b"iXML", IXML.as_bytes()),
        ]);
        let l = layout(&bytes).expect("layout");
        assert_eq!(l.ixml.rate, Some(rate(24000, 1001)));
        assert_eq!(l.ixml.drop_frame, Some(false));
        let tc = l.timecode().expect("timecode");
        assert_eq!(
            tc.timecode_rate(),
            Some(TimecodeRate {
                fps: 24,
                drop_frame: false
            })
        );
        // 01:00:00:00 at 23.976 is 86 400 frames of 1001/24000 s: 172 972 800 samples at 48k.
        assert_eq!(tc.label().expect("label").to_string(), "01:00:00:00");
    }

    #[test]
    fn ixml_alone_gives_the_position_in_its_own_rate() {
        let bytes = riff(&[
            fmt(96_000, 2, 24),
            chunk(b"iXML", IXML.as_bytes()),
            chunk(b"data", &[0; 12]),
        ]);
        let tc = layout(&bytes).expect("layout").timecode().expect("tc");
        assert_eq!(tc.source, TimeReferenceSource::Ixml);
        assert_eq!(tc.sample_rate, 48_000, "TIMESTAMP_SAMPLE_RATE wins");
        assert_eq!(tc.label().expect("label").to_string(), "01:00:00:00");
    }

    #[test]
    fn drop_frame_flag_is_honoured_where_it_exists() {
        let xml = "<TIMECODE_RATE>30000/1001</TIMECODE_RATE><TIMECODE_FLAG>DF</TIMECODE_FLAG>";
        let ix = parse_ixml(xml);
        assert_eq!(ix.rate, Some(rate(30000, 1001)));
        assert_eq!(ix.drop_frame, Some(true));
        // 01:00:00;00 DF is frame 107 892; its first sample at 48k.
        let tc = AudioTimecode {
            samples_since_midnight: 172_799_828,
            sample_rate: 48_000,
            frame_rate: ix.rate,
            drop_frame: true,
            source: TimeReferenceSource::Bext,
        };
        assert_eq!(tc.label().expect("label").to_string(), "01:00:00;00");
        // DF at 25 fps does not exist: counted non-drop.
        let at25 = AudioTimecode {
            frame_rate: Some(rate(25, 1)),
            samples_since_midnight: 172_800_000,
            ..tc
        };
        assert_eq!(at25.label().expect("label").to_string(), "01:00:00:00");
    }

    #[test]
    fn rates_in_other_spellings() {
        for (text, want) in [
            ("25/1", rate(25, 1)),
            ("25", rate(25, 1)),
            (" 23.976 ", rate(24000, 1001)),
            ("29.97", rate(30000, 1001)),
        ] {
            let xml = format!("<TIMECODE_RATE>{text}</TIMECODE_RATE>");
            assert_eq!(parse_ixml(&xml).rate, Some(want), "{text}");
        }
        for bad in ["", "0/1", "25/0", "-25", "fast"] {
            let xml = format!("<TIMECODE_RATE>{bad}</TIMECODE_RATE>");
            assert_eq!(parse_ixml(&xml).rate, None, "{bad}");
        }
    }

    #[test]
    fn rf64_sizes_come_from_ds64() {
        let data = [0u8; 24];
        let mut ds64 = Vec::new();
        ds64.extend_from_slice(&0u64.to_le_bytes()); // riff size (unused here)
        ds64.extend_from_slice(&(data.len() as u64).to_le_bytes());
        ds64.extend_from_slice(&4u64.to_le_bytes());
        ds64.extend_from_slice(&0u32.to_le_bytes());
        let mut data_chunk = b"data".to_vec();
        data_chunk.extend_from_slice(&u32::MAX.to_le_bytes());
        data_chunk.extend_from_slice(&data);
        let mut bytes = b"RF64".to_vec();
        bytes.extend_from_slice(&u32::MAX.to_le_bytes());
        bytes.extend_from_slice(b"WAVE");
        bytes.extend(chunk(b"ds64", &ds64));
        bytes.extend(fmt(48_000, 2, 24));
        let data_at = bytes.len() as u64;
        bytes.extend(&data_chunk);
        bytes.extend(bext(5));
        let l = layout(&bytes).expect("layout");
        assert_eq!(l.form, RiffForm::Rf64);
        assert_eq!((l.data_offset, l.data_len), (data_at + 8, 24));
        assert_eq!(l.data_size_field, data_at + 4);
        assert_eq!(l.data_size_declared, u32::MAX);
        assert_eq!(l.frames(), 4);
        assert_eq!(l.time_reference, Some(5), "bext after the sound is found");

        bytes[..4].copy_from_slice(b"BW64");
        assert_eq!(layout(&bytes).expect("bw64").form, RiffForm::Bw64);
        // Without ds64 the size is unknowable.
        let no_ds64: Vec<u8> = [&bytes[..12], &bytes[12 + 8 + 28..]].concat();
        assert!(matches!(layout(&no_ds64), Err(WavError::NoDs64("BW64"))));
    }

    #[test]
    fn unknown_data_size_runs_to_the_end() {
        let mut bytes = riff(&[fmt(48_000, 1, 16), chunk(b"data", &[0; 10])]);
        let field = bytes.len() - 10 - 4;
        bytes[field..field + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let l = layout(&bytes).expect("layout");
        assert_eq!(l.data_len, 10);
        assert_eq!(l.data_size_declared, u32::MAX);
    }

    #[test]
    fn truncated_sound_is_reported() {
        let bytes = riff(&[fmt(48_000, 2, 24), chunk(b"data", &[0; 600])]);
        let cut = &bytes[..bytes.len() - 100];
        match layout(cut) {
            Err(WavError::Truncated { chunk, end, len }) => {
                assert_eq!(chunk, "data");
                assert_eq!(end, bytes.len() as u64);
                assert_eq!(len, cut.len() as u64);
            }
            other => panic!("{other:?}"),
        }
        // A chunk before the sound that runs off the end.
        let cut = &bytes[..30];
        assert!(matches!(layout(cut), Err(WavError::Truncated { .. })));
        // A damaged tail after the sound is only lost metadata.
        let mut tail = riff(&[fmt(48_000, 1, 16), chunk(b"data", &[0; 4])]);
        tail.extend_from_slice(b"iXML\xff\xff\x00\x00<BWF");
        assert!(layout(&tail).is_ok());
    }

    #[test]
    fn not_wave_and_no_data() {
        assert!(matches!(layout(b""), Err(WavError::NotWave)));
        assert!(matches!(
            layout(b"RIFF\0\0\0\0AVI LIST"),
            Err(WavError::NotWave)
        ));
        assert!(matches!(
            layout(b"FORM\0\0\0\0AIFF"),
            Err(WavError::NotWave)
        ));
        assert!(matches!(
            layout(&riff(&[fmt(48_000, 2, 16)])),
            Err(WavError::NoData)
        ));
        let junk: Vec<Vec<u8>> = (0..MAX_CHUNKS + 1).map(|_| chunk(b"junk", &[])).collect();
        let mut many = junk;
        many.push(chunk(b"data", &[0; 4]));
        assert!(matches!(layout(&riff(&many)), Err(WavError::TooManyChunks)));
    }

    #[test]
    fn short_bext_has_no_time_reference() {
        let bytes = riff(&[chunk(b"bext", &[1; 300]), chunk(b"data", &[])]);
        assert_eq!(layout(&bytes).expect("layout").time_reference, None);
        assert_eq!(layout(&bytes).expect("layout").timecode(), None);
    }

    proptest! {
        #[test]
        fn garbage_never_panics(body in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let mut bytes = b"RIFF\xff\xff\xff\xffWAVE".to_vec();
            bytes.extend_from_slice(&body);
            let _ = layout(&bytes);
            bytes[..4].copy_from_slice(b"RF64");
            let _ = layout(&bytes);
        }

        #[test]
        fn cut_or_damaged_files_never_panic(cut in 0usize..1400, at in 0usize..1400, byte: u8) {
            let mut bytes = riff(&[
                fmt(48_000, 2, 24),
                bext(172_800_000),
                chunk(b"data", &[0; 60]),
                chunk(b"iXML", IXML.as_bytes()),
            ]);
            if let Some(b) = bytes.get_mut(at) {
                *b = byte;
            }
            bytes.truncate(cut);
            if let Ok(l) = layout(&bytes) {
                prop_assert!(l.data_offset + l.data_len <= bytes.len() as u64);
                if let Some(tc) = l.timecode() {
                    let _ = tc.label_at(FrameRate::new(25, 1).expect("rate"), false);
                }
            }
        }

        #[test]
        fn ixml_never_panics(text in "\\PC{0,200}") {
            let _ = parse_ixml(&text);
            let _ = parse_ixml(&format!("<TIMECODE_RATE>{text}</TIMECODE_RATE>"));
        }
    }
}
