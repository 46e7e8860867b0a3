//! What the spec check measures from a file, read from its bytes with the bounded
//! [`AtomReader`]: container brand and atom order, `cmov`, edit lists, tracks by handler and
//! their `tkhd` display matrix, sample descriptions (`avc1`/`avcC` with its SPS — chroma format,
//! bit depth — and VUI colour codes, `colr`, `mp4a`/`esds`/
//! AudioSpecificConfig, `chan`), and sample table summaries (`stts`, `stsz`, `stss`, `stps`,
//! `ctts`).
//!
//! Nothing here trusts a count from the file: tables are walked in fixed-size blocks, entry
//! counts are clamped to the bytes really present, stored lists are capped, and every field
//! access goes through [`Fields`] or `slice::get`. A hostile file gives an [`AtomError`], never a
//! panic or an unbounded allocation.
//!
//! The model and the walk over the movie are here; `trak` and its sample tables are read in
//! `sample_tables`, sample descriptions in `sample_entries`, the sync-sample NAL scan in `gop`.
//! What sits inside a codec configuration (SPS/VUI, `esds`/AudioSpecificConfig, `chan`) is
//! parsed by [`crate::media::codec`] and re-exported here, so `delivery::facts` stays the one path
//! for everything measured.

mod gop;
mod sample_entries;
mod sample_tables;

pub use crate::media::codec::{
    AudioConfig, ChannelLayout, ColourCodes, Esds, SpsFields, Vui, parse_audio_config, parse_chan,
    parse_esds, parse_sps,
};

use super::SpecError;
use crate::media::atoms::{AtomError, AtomReader, Fields, FourCc};
use crate::media::movie::Movie;
use crate::time::{Rational, Timecode, TimecodeRate};
use std::io::{Read, Seek};
use std::path::Path;

/// One edit-list entry (`elst`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Duration in movie (`mvhd`) timescale units.
    pub duration: u64,
    /// Start in media timescale units; −1 is an empty edit (a gap).
    pub media_time: i64,
    /// Playback rate as 16.16 fixed point (0x10000 = 1×).
    pub rate: i32,
}

/// A `colr` extension of the video sample description.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colour {
    /// `nclc` (QuickTime) or `nclx` (ISO).
    pub kind: FourCc,
    pub codes: ColourCodes,
    /// `nclx` only: its full_range_flag (`nclc` has no range bit).
    pub full_range: Option<bool>,
}

/// The video sample description.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VideoEntry {
    pub width: u16,
    pub height: u16,
    /// The 32-byte Pascal-string compressor name.
    pub compressor: String,
    /// Whether an `avcC` configuration is present.
    pub has_avcc: bool,
    /// `avcC` profile_idc and level_idc.
    pub avc_profile: Option<u8>,
    pub avc_level: Option<u8>,
    /// Bytes per NAL length prefix (`avcC` lengthSizeMinusOne + 1).
    pub nal_length_size: Option<u8>,
    /// From the first SPS in `avcC`: field coding, cropped size and the VUI.
    pub sps: Option<SpsFields>,
    /// The `colr` extension (`None` when the entry has none).
    pub colour: Option<Colour>,
}

/// What a walk over the NAL headers of the sync samples found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GopScan {
    /// Sync samples whose NAL headers were read.
    pub scanned: u64,
    /// Of those, how many hold no IDR slice (an open-GOP recovery point).
    pub non_idr: u64,
    /// The first such sample (1-based, as in `stss`).
    pub first_non_idr: Option<u64>,
    /// Sync samples beyond [`MAX_GOP_SCAN`](gop::MAX_GOP_SCAN) or beyond the tables were not read.
    pub capped: bool,
}

/// The sound sample description.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AudioEntry {
    /// Channels and rate as the sample description states them (informative for AAC).
    pub channels: u16,
    pub sample_rate: u32,
    pub esds: Option<Esds>,
    /// The `chan` atom, if any (FFmpeg writes one for stereo AAC in .mov).
    pub chan: Option<ChannelLayout>,
}

/// Summaries of a track's sample tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Samples {
    /// Sample count from `stts`.
    pub count: u64,
    /// Sum of `stts` deltas, in media timescale units.
    pub duration: u64,
    /// `stts` runs `(count, delta)`, capped at [`MAX_STTS_RUNS`](sample_tables::MAX_STTS_RUNS); `runs_capped` says so.
    pub runs: Vec<(u32, u32)>,
    pub runs_capped: bool,
    /// Sum of sample sizes (`stsz`), bytes.
    pub bytes: u64,
    /// Entries in `stss`; `None` when there is no `stss` (every sample is a sync sample).
    pub sync_samples: Option<u64>,
    pub has_stps: bool,
    /// NAL scan of the sync samples (video tracks with `avcC` only).
    pub gop: Option<GopScan>,
    /// Whether a `ctts` exists, and whether presentation order differs from decode order
    /// (`None` when the timing tables were too large to follow).
    pub has_ctts: bool,
    pub reordered: Option<bool>,
}

/// One `trak`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrackFacts {
    pub id: u32,
    /// `mdia/hdlr` component subtype: `vide`, `soun`, `tmcd`, `text`, `sbtl` …
    pub handler: FourCc,
    /// `tkhd` enabled flag (FFmpeg's chapter tracks are disabled).
    pub enabled: bool,
    /// The `tkhd` display matrix, row-major (a b u / c d v / x y w; a–d, x, y in 16.16, u, v, w
    /// in 2.30); `None` when the `tkhd` is too short to hold one.
    pub matrix: Option<[i32; 9]>,
    /// `mdhd` media timescale (units per second).
    pub timescale: u32,
    /// `None` when the track has no `edts/elst`.
    pub edits: Option<Vec<Edit>>,
    /// Format of the first sample description (`avc1`, `mp4a` …).
    pub sample_entry: Option<FourCc>,
    pub video: Option<VideoEntry>,
    pub audio: Option<AudioEntry>,
    pub samples: Samples,
}

impl TrackFacts {
    /// Average bit rate in bits per second from sample sizes over the `stts` duration.
    pub fn bit_rate(&self) -> Option<u64> {
        if self.samples.duration == 0 || self.timescale == 0 {
            return None;
        }
        let bits = u128::from(self.samples.bytes) * 8 * u128::from(self.timescale);
        u64::try_from(bits / u128::from(self.samples.duration)).ok()
    }

    /// The frame rate of the most common `stts` delta, exact.
    pub fn frame_rate(&self) -> Option<Rational> {
        let delta = self
            .samples
            .runs
            .iter()
            .fold(std::collections::BTreeMap::<u32, u64>::new(), |mut m, r| {
                *m.entry(r.1).or_default() += u64::from(r.0);
                m
            })
            .into_iter()
            .max_by_key(|(_, n)| *n)
            .map(|(d, _)| d)?;
        Rational::new(i64::from(self.timescale), i64::from(delta))
    }
}

/// Everything the rules look at.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Lower-case file extension, if any.
    pub extension: Option<String>,
    /// `ftyp` major brand (`None`: no `ftyp`, as in old QuickTime files).
    pub major_brand: Option<FourCc>,
    pub moov_offset: Option<u64>,
    pub mdat_offset: Option<u64>,
    /// `moof` at top level or `mvex` in `moov`: a fragmented movie.
    pub fragmented: bool,
    /// The movie header is compressed (`moov/cmov`), so its tracks cannot be read.
    pub cmov: bool,
    pub tracks: Vec<TrackFacts>,
    /// Start of the picture's timecode track, e.g. `01:00:00:00`.
    pub start_timecode: Option<String>,
}

impl Facts {
    /// Opens and measures `path`.
    pub fn read_path(path: &Path) -> Result<Self, SpecError> {
        let shown = path.display().to_string();
        let mut file = std::fs::File::open(path).map_err(|source| SpecError::Open {
            source,
            path: shown.clone(),
        })?;
        let open_err = |source| SpecError::Open {
            source,
            path: shown.clone(),
        };
        if let Some(kind) = super::foreign::identify(&mut file).map_err(open_err)? {
            return Err(SpecError::NotQuickTime { kind, path: shown });
        }
        file.seek(std::io::SeekFrom::Start(0)).map_err(open_err)?;
        let reader =
            AtomReader::new(std::io::BufReader::new(file)).map_err(|source| SpecError::Atoms {
                source,
                path: shown.clone(),
            })?;
        let mut facts = Self::read(reader).map_err(|source| SpecError::Atoms {
            source,
            path: shown.clone(),
        })?;
        if facts.moov_offset.is_none() {
            return Err(SpecError::NoMovie { path: shown });
        }
        facts.extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        Ok(facts)
    }

    /// Measures a movie from any seekable source (the extension is left unknown).
    pub fn read<R: Read + Seek>(mut r: AtomReader<R>) -> Result<Self, AtomError> {
        let mut facts = Self::default();
        let top = r.top_level()?;
        for atom in &top {
            match &atom.kind {
                b"ftyp" if facts.major_brand.is_none() => {
                    let p = r.read_at(atom.payload_offset(), atom.payload_len().min(4))?;
                    facts.major_brand = Some(Fields::new(&p, atom.kind).array(0)?);
                }
                b"moov" if facts.moov_offset.is_none() => facts.moov_offset = Some(atom.offset),
                b"mdat" if facts.mdat_offset.is_none() => facts.mdat_offset = Some(atom.offset),
                b"moof" => facts.fragmented = true,
                _ => {}
            }
        }
        let Some(moov) = top.iter().find(|a| &a.kind == b"moov") else {
            return Ok(facts);
        };
        let children = r.children(moov)?;
        facts.cmov = children.iter().any(|a| &a.kind == b"cmov");
        facts.fragmented |= children.iter().any(|a| &a.kind == b"mvex");
        for trak in children.iter().filter(|a| &a.kind == b"trak") {
            facts.tracks.push(sample_tables::read_track(&mut r, trak)?);
        }
        if let Some(movie) = Movie::read(&mut r)?
            && let Some(tc) = movie.picture_timecode()
            && tc.fps > 0
        {
            let rate = TimecodeRate {
                fps: u32::from(tc.fps),
                drop_frame: tc.drop_frame() && (tc.fps == 30 || tc.fps == 60),
            };
            facts.start_timecode = Some(Timecode::from_frames(tc.start_frame, rate).to_string());
        }
        Ok(facts)
    }

    /// Tracks with this handler.
    pub fn tracks_with(&self, handler: &FourCc) -> impl Iterator<Item = &TrackFacts> {
        self.tracks.iter().filter(move |t| &t.handler == handler)
    }

    /// The first video track.
    pub fn video(&self) -> Option<&TrackFacts> {
        self.tracks_with(b"vide").next()
    }

    /// The first sound track.
    pub fn audio(&self) -> Option<&TrackFacts> {
        self.tracks_with(b"soun").next()
    }
}

fn malformed(kind: FourCc, why: &'static str) -> AtomError {
    AtomError::Malformed {
        kind: crate::media::atoms::fourcc_str(kind),
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            if let Ok(r) = AtomReader::new(Cursor::new(bytes)) {
                let _ = Facts::read(r);
            }
        }
    }
}
