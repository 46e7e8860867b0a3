//! What the spec check measures from a file, read from its bytes with the bounded
//! [`AtomReader`]: container brand and atom order, `cmov`, edit lists, tracks by handler, sample
//! descriptions (`avc1`/`avcC`/`colr`, `mp4a`/`esds`/AudioSpecificConfig, `chan`), and sample
//! table summaries (`stts`, `stsz`, `stss`, `stps`, `ctts`).
//!
//! Nothing here trusts a count from the file: tables are walked in fixed-size blocks, entry
//! counts are clamped to the bytes really present, stored lists are capped, and every field
//! access goes through [`Fields`] or `slice::get`. A hostile file gives an [`AtomError`], never a
//! panic or an unbounded allocation.

use super::SpecError;
use crate::media::atoms::{Atom, AtomError, AtomReader, Fields, FourCc};
use crate::media::movie::Movie;
use crate::time::{Rational, Timecode, TimecodeRate};
use std::io::{Read, Seek};
use std::path::Path;

/// Edit-list entries kept per track (real files have one or two).
const MAX_EDITS: usize = 64;
/// `stts` runs kept per track: CFR files have one or two; beyond this the timing is "too varied".
const MAX_STTS_RUNS: usize = 100_000;
/// Bytes of a table read at once.
const TABLE_BLOCK: u64 = 64 * 1024;

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
    pub primaries: u16,
    pub transfer: u16,
    pub matrix: u16,
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
    /// From the first SPS in `avcC`: `frame_mbs_only_flag` and `mb_adaptive_frame_field_flag`.
    pub sps: Option<SpsFields>,
    pub colour: Option<Colour>,
}

/// What the SPS says about field coding.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpsFields {
    pub frame_mbs_only: bool,
    pub mb_adaptive_frame_field: bool,
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
    /// Sync samples beyond [`MAX_GOP_SCAN`] or beyond the tables were not read.
    pub capped: bool,
}

/// The fields of an MPEG-4 AudioSpecificConfig that decide "AAC-LC, stereo, 48 kHz".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AudioConfig {
    /// audioObjectType of the core coder (2 = LC).
    pub object_type: u8,
    /// The first object type written, 5 (SBR) or 29 (PS) for hierarchical HE-AAC signalling.
    pub signalled_type: u8,
    pub sample_rate: Option<u32>,
    pub channel_config: u8,
    /// SBR signalled (hierarchically, or by the backward-compatible extension with its flag set).
    pub sbr: bool,
    /// Parametric stereo signalled.
    pub ps: bool,
}

/// The `esds` of an `mp4a` sample description.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Esds {
    /// objectTypeIndication: 0x40 MPEG-4 audio, 0x67 MPEG-2 AAC LC, 0x6B MP3 …
    pub object_type_indication: u8,
    pub avg_bitrate: u32,
    pub config: Option<AudioConfig>,
}

/// The sound sample description.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AudioEntry {
    /// Channels and rate as the sample description states them (informative for AAC).
    pub channels: u16,
    pub sample_rate: u32,
    pub esds: Option<Esds>,
    /// CoreAudio layout tag of a `chan` atom (0x00650002 stereo, 0x00670002 Lt/Rt).
    pub chan_layout: Option<u32>,
}

/// Summaries of a track's sample tables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Samples {
    /// Sample count from `stts`.
    pub count: u64,
    /// Sum of `stts` deltas, in media timescale units.
    pub duration: u64,
    /// `stts` runs `(count, delta)`, capped at [`MAX_STTS_RUNS`]; `runs_capped` says so.
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
        let file = std::fs::File::open(path).map_err(|source| SpecError::Open {
            source,
            path: shown.clone(),
        })?;
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
            facts.tracks.push(read_track(&mut r, trak)?);
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

fn read_track<R: Read + Seek>(r: &mut AtomReader<R>, trak: &Atom) -> Result<TrackFacts, AtomError> {
    let mut t = TrackFacts::default();
    if let Some(tkhd) = r.child(trak, b"tkhd")? {
        let p = r.read_payload(&tkhd, 256)?;
        let f = Fields::new(&p, tkhd.kind);
        t.enabled = f.u32(0)? & 1 != 0;
        t.id = if f.u8(0)? == 1 {
            f.u32(20)?
        } else {
            f.u32(12)?
        };
    }
    if let Some(elst) = r.descend(trak, &[b"edts", b"elst"])? {
        t.edits = Some(read_edits(r, &elst)?);
    }
    if let Some(hdlr) = r.descend(trak, &[b"mdia", b"hdlr"])? {
        let p = r.read_payload(&hdlr, 4096)?;
        t.handler = Fields::new(&p, hdlr.kind).array(8)?;
    }
    if let Some(mdhd) = r.descend(trak, &[b"mdia", b"mdhd"])? {
        let p = r.read_payload(&mdhd, 256)?;
        let f = Fields::new(&p, mdhd.kind);
        t.timescale = if f.u8(0)? == 1 {
            f.u32(20)?
        } else {
            f.u32(12)?
        };
    }
    let Some(stbl) = r.descend(trak, &[b"mdia", b"minf", b"stbl"])? else {
        return Ok(t);
    };
    let tables = r.children(&stbl)?;
    let find = |k: &FourCc| tables.iter().find(|a| &a.kind == k).copied();
    if let Some(stsd) = find(b"stsd") {
        read_stsd(r, &stsd, &mut t)?;
    }
    if let Some(stts) = find(b"stts") {
        read_stts(r, &stts, &mut t.samples)?;
    }
    if let Some(stsz) = find(b"stsz") {
        t.samples.bytes = read_stsz(r, &stsz)?;
    }
    if let Some(stss) = find(b"stss") {
        let mut n = 0u64;
        for_each_entry(r, &stss, 8, 4, |_| {
            n += 1;
            true
        })?;
        t.samples.sync_samples = Some(n);
    }
    t.samples.has_stps = find(b"stps").is_some();
    if let Some(len_size) = t.video.as_ref().and_then(|v| v.nal_length_size) {
        t.samples.gop = Some(scan_gop(r, &find, len_size)?);
    }
    if let Some(ctts) = find(b"ctts") {
        t.samples.has_ctts = true;
        t.samples.reordered = if t.samples.runs_capped {
            None
        } else {
            Some(read_ctts_reordered(r, &ctts, &t.samples.runs)?)
        };
    }
    Ok(t)
}

/// Calls `f` for each fixed-size entry of a full-box table whose entry count sits at payload
/// byte 4 and whose entries start at payload byte `start`. The count is clamped to the entries
/// that fit in the atom; reading goes in [`TABLE_BLOCK`] pieces. `f` returns false to stop.
fn for_each_entry<R: Read + Seek>(
    r: &mut AtomReader<R>,
    atom: &Atom,
    start: u64,
    entry_len: u64,
    mut f: impl FnMut(Fields<'_>) -> bool,
) -> Result<(), AtomError> {
    if atom.payload_len() < start {
        return Err(malformed(atom.kind, "table shorter than its header"));
    }
    let head = r.read_at(atom.payload_offset(), 8)?;
    let claimed = u64::from(Fields::new(&head, atom.kind).u32(4)?);
    let count = claimed.min((atom.payload_len() - start) / entry_len);
    let per_block = (TABLE_BLOCK / entry_len).max(1);
    let mut done = 0u64;
    while done < count {
        let n = per_block.min(count - done);
        let offset = atom.payload_offset() + start + done * entry_len;
        let block = r.read_at(offset, n * entry_len)?;
        for entry in block.chunks_exact(entry_len as usize) {
            if !f(Fields::new(entry, atom.kind)) {
                return Ok(());
            }
        }
        done += n;
    }
    Ok(())
}

fn read_edits<R: Read + Seek>(r: &mut AtomReader<R>, elst: &Atom) -> Result<Vec<Edit>, AtomError> {
    let head = r.read_at(elst.payload_offset(), elst.payload_len().min(8))?;
    let v1 = Fields::new(&head, elst.kind).u8(0)? == 1;
    let mut edits = Vec::new();
    let mut bad = false;
    for_each_entry(r, elst, 8, if v1 { 20 } else { 12 }, |f| {
        let edit = if v1 {
            f.u64(0)
                .and_then(|d| Ok((d, f.u64(8)? as i64, f.u32(16)? as i32)))
        } else {
            f.u32(0)
                .and_then(|d| Ok((u64::from(d), i64::from(f.u32(4)? as i32), f.u32(8)? as i32)))
        };
        match edit {
            Ok((duration, media_time, rate)) => edits.push(Edit {
                duration,
                media_time,
                rate,
            }),
            Err(_) => bad = true,
        }
        !bad && edits.len() < MAX_EDITS
    })?;
    if bad {
        return Err(malformed(elst.kind, "short edit entry"));
    }
    Ok(edits)
}

fn read_stts<R: Read + Seek>(
    r: &mut AtomReader<R>,
    stts: &Atom,
    s: &mut Samples,
) -> Result<(), AtomError> {
    for_each_entry(r, stts, 8, 8, |f| {
        let (Ok(count), Ok(delta)) = (f.u32(0), f.u32(4)) else {
            return false;
        };
        s.count = s.count.saturating_add(u64::from(count));
        s.duration = s
            .duration
            .saturating_add(u64::from(count) * u64::from(delta));
        if s.runs.len() < MAX_STTS_RUNS {
            s.runs.push((count, delta));
        } else {
            s.runs_capped = true;
        }
        true
    })
}

fn read_stsz<R: Read + Seek>(r: &mut AtomReader<R>, stsz: &Atom) -> Result<u64, AtomError> {
    let head = r.read_at(stsz.payload_offset(), stsz.payload_len().min(12))?;
    let f = Fields::new(&head, stsz.kind);
    let (uniform, count) = (f.u32(4)?, f.u32(8)?);
    if uniform != 0 {
        return Ok(u64::from(uniform) * u64::from(count));
    }
    // Entries start at byte 12; the count is at byte 8, so read it from a shifted view.
    let available = stsz.payload_len().saturating_sub(12) / 4;
    let n = u64::from(count).min(available);
    let mut total = 0u64;
    let mut done = 0u64;
    while done < n {
        let take = (TABLE_BLOCK / 4).min(n - done);
        let block = r.read_at(stsz.payload_offset() + 12 + done * 4, take * 4)?;
        total = block
            .chunks_exact(4)
            .map(|c| u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
            .fold(total, u64::saturating_add);
        done += take;
    }
    Ok(total)
}

/// Whether any sample is presented before one decoded earlier: the composition offsets
/// (`ctts`) added to the decode times (`stts`) are not in increasing order. A constant offset
/// (a shifted but unreordered stream) is not reordering. Runs are compared at their ends, so the
/// work is proportional to the table sizes, never to claimed sample counts.
fn read_ctts_reordered<R: Read + Seek>(
    r: &mut AtomReader<R>,
    ctts: &Atom,
    runs: &[(u32, u32)],
) -> Result<bool, AtomError> {
    let mut dts = DecodeTimes::new(runs);
    let mut max_pts: Option<i128> = None;
    let mut reordered = false;
    for_each_entry(r, ctts, 8, 8, |f| {
        let (Ok(count), Ok(offset)) = (f.u32(0), f.u32(4)) else {
            return false;
        };
        if count == 0 {
            return true;
        }
        let offset = i128::from(offset as i32);
        let (Some(first), Some(last)) = (dts.next_start(), dts.advance(u64::from(count))) else {
            return false;
        };
        if max_pts.is_some_and(|m| first + offset < m) {
            reordered = true;
            return false;
        }
        max_pts = Some(max_pts.map_or(last + offset, |m| m.max(last + offset)));
        true
    })?;
    Ok(reordered)
}

/// Walks decode times over `stts` runs without expanding them sample by sample.
struct DecodeTimes<'a> {
    runs: &'a [(u32, u32)],
    run: usize,
    /// Samples of `runs[run]` already passed.
    used: u64,
    /// Decode time of the next sample.
    time: i128,
}

impl<'a> DecodeTimes<'a> {
    fn new(runs: &'a [(u32, u32)]) -> Self {
        Self {
            runs,
            run: 0,
            used: 0,
            time: 0,
        }
    }

    /// Decode time of the next sample (`None` past the end).
    fn next_start(&self) -> Option<i128> {
        self.runs[self.run.min(self.runs.len())..]
            .iter()
            .any(|r| r.0 > 0)
            .then_some(self.time)
    }

    /// Moves past `n` samples; returns the decode time of the last of them.
    fn advance(&mut self, mut n: u64) -> Option<i128> {
        let mut last = None;
        while n > 0 {
            let &(count, delta) = self.runs.get(self.run)?;
            let left = u64::from(count) - self.used;
            if left == 0 {
                self.run += 1;
                self.used = 0;
                continue;
            }
            let take = left.min(n);
            last = Some(self.time + i128::from(take - 1) * i128::from(delta));
            self.time += i128::from(take) * i128::from(delta);
            self.used += take;
            n -= take;
        }
        last
    }
}

fn read_stsd<R: Read + Seek>(
    r: &mut AtomReader<R>,
    stsd: &Atom,
    t: &mut TrackFacts,
) -> Result<(), AtomError> {
    let Some(entry) = r.children_after(stsd, 8)?.into_iter().next() else {
        return Ok(());
    };
    t.sample_entry = Some(entry.kind);
    match &t.handler {
        b"vide" => t.video = Some(read_video_entry(r, &entry)?),
        b"soun" => t.audio = Some(read_audio_entry(r, &entry)?),
        _ => {}
    }
    Ok(())
}

/// Video sample description: reserved(6) dref(2) version(2) revision(2) vendor(4)
/// temporal(4) spatial(4) width(2) height(2) hres(4) vres(4) datasize(4) frames(2)
/// compressor(32) depth(2) ctab(2), then extension atoms (`avcC`, `colr`, `fiel`, `pasp` …).
fn read_video_entry<R: Read + Seek>(
    r: &mut AtomReader<R>,
    entry: &Atom,
) -> Result<VideoEntry, AtomError> {
    const FIXED: u64 = 78;
    if entry.payload_len() < FIXED {
        return Err(malformed(entry.kind, "video sample description too short"));
    }
    let p = r.read_at(entry.payload_offset(), FIXED)?;
    let f = Fields::new(&p, entry.kind);
    let name_len = usize::from(f.u8(42)?).min(31);
    let name = p.get(43..43 + name_len).unwrap_or_default();
    let mut v = VideoEntry {
        width: f.u16(24)?,
        height: f.u16(26)?,
        compressor: String::from_utf8_lossy(name).into_owned(),
        ..VideoEntry::default()
    };
    for ext in r.children_after(entry, FIXED)? {
        match &ext.kind {
            b"avcC" => {
                let c = r.read_at(ext.payload_offset(), ext.payload_len().min(4))?;
                let c = Fields::new(&c, ext.kind);
                v.has_avcc = true;
                v.avc_profile = c.u8(1).ok();
                v.avc_level = c.u8(3).ok();
                let full = r.read_at(ext.payload_offset(), ext.payload_len().min(4096))?;
                v.nal_length_size = full.get(4).map(|b| (b & 3) + 1);
                // First SPS: count at byte 5 (low 5 bits), then a 16-bit length and the NAL.
                v.sps = full
                    .get(5)
                    .filter(|n| *n & 0x1f > 0)
                    .and_then(|_| {
                        let len = usize::from(u16::from_be_bytes([*full.get(6)?, *full.get(7)?]));
                        full.get(8..8 + len)
                    })
                    .and_then(parse_sps);
            }
            b"colr" => {
                let c = r.read_at(ext.payload_offset(), ext.payload_len().min(10))?;
                let c = Fields::new(&c, ext.kind);
                let kind = c.array::<4>(0)?;
                if &kind == b"nclc" || &kind == b"nclx" {
                    v.colour = Some(Colour {
                        kind,
                        primaries: c.u16(4)?,
                        transfer: c.u16(6)?,
                        matrix: c.u16(8)?,
                    });
                }
            }
            _ => {}
        }
    }
    Ok(v)
}

/// Sound sample description: reserved(6) dref(2) version(2) revision(2) vendor(4)
/// channels(2) sample size(2) compression id(2) packet size(2) rate(4, 16.16); version 1 adds
/// 16 bytes, version 2 replaces the tail with 36; then `esds` (or `wave/esds`) and `chan`.
fn read_audio_entry<R: Read + Seek>(
    r: &mut AtomReader<R>,
    entry: &Atom,
) -> Result<AudioEntry, AtomError> {
    if entry.payload_len() < 28 {
        return Err(malformed(entry.kind, "sound sample description too short"));
    }
    let p = r.read_at(entry.payload_offset(), 28)?;
    let f = Fields::new(&p, entry.kind);
    let mut a = AudioEntry {
        channels: f.u16(16)?,
        sample_rate: f.u32(24)? >> 16,
        ..AudioEntry::default()
    };
    let skip = match f.u16(8)? {
        1 => 44,
        2 => 64,
        _ => 28,
    };
    let mut exts = r.children_after(entry, skip)?;
    if let Some(wave) = exts.iter().find(|a| &a.kind == b"wave").copied() {
        exts.extend(r.children(&wave)?);
    }
    for ext in exts {
        match &ext.kind {
            b"esds" if a.esds.is_none() => {
                let p = r.read_payload(&ext, 4096)?;
                a.esds = Some(parse_esds(&p));
            }
            b"chan" => {
                let c = r.read_at(ext.payload_offset(), ext.payload_len().min(8))?;
                a.chan_layout = Fields::new(&c, ext.kind).u32(4).ok();
            }
            _ => {}
        }
    }
    Ok(a)
}

/// One MPEG-4 descriptor: tag, then a length of up to four 7-bit groups.
fn descriptor(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *bytes.first()?;
    let mut len = 0usize;
    let mut i = 1;
    loop {
        let b = *bytes.get(i)?;
        len = (len << 7) | usize::from(b & 0x7f);
        i += 1;
        if b & 0x80 == 0 || i > 4 {
            break;
        }
    }
    let body = bytes.get(i..i.checked_add(len)?)?;
    Some((tag, body, bytes.get(i + len..).unwrap_or_default()))
}

/// `esds` payload: version/flags(4), ES_Descriptor (3) → DecoderConfigDescriptor (4) →
/// DecoderSpecificInfo (5, the AudioSpecificConfig). Missing parts are left at their defaults.
pub fn parse_esds(payload: &[u8]) -> Esds {
    let mut out = Esds::default();
    let Some((3, es, _)) = payload.get(4..).and_then(descriptor) else {
        return out;
    };
    let Some(&flags) = es.get(2) else {
        return out;
    };
    let mut at = 3usize;
    if flags & 0x80 != 0 {
        at += 2;
    }
    if flags & 0x40 != 0 {
        at += 1 + usize::from(es.get(at).copied().unwrap_or(0));
    }
    if flags & 0x20 != 0 {
        at += 2;
    }
    let mut rest = es.get(at..).unwrap_or_default();
    while let Some((tag, body, next)) = descriptor(rest) {
        if tag == 4 {
            out.object_type_indication = body.first().copied().unwrap_or(0);
            out.avg_bitrate = body
                .get(9..13)
                .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            if let Some((5, asc, _)) = body.get(13..).and_then(descriptor) {
                out.config = parse_audio_config(asc);
            }
            break;
        }
        rest = next;
    }
    out
}

/// Reads bits most-significant first; `None` past the end.
struct Bits<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Bits<'_> {
    fn read(&mut self, n: u32) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = *self.bytes.get(self.pos / 8)?;
            v = (v << 1) | u32::from((byte >> (7 - self.pos % 8)) & 1);
            self.pos += 1;
        }
        Some(v)
    }

    /// Unsigned Exp-Golomb (H.264 §9.1); `None` past the end or beyond 32 bits.
    fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.read(1)? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        let rest = self.read(zeros)?;
        u32::try_from((1u64 << zeros) - 1 + u64::from(rest)).ok()
    }

    /// Signed Exp-Golomb.
    fn se(&mut self) -> Option<i64> {
        let k = i64::from(self.ue()?);
        Some(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) })
    }

    fn left(&self) -> usize {
        (self.bytes.len() * 8).saturating_sub(self.pos)
    }

    fn object_type(&mut self) -> Option<u8> {
        let t = self.read(5)?;
        let t = if t == 31 { 32 + self.read(6)? } else { t };
        u8::try_from(t).ok()
    }

    fn rate(&mut self) -> Option<Option<u32>> {
        const RATES: [u32; 13] = [
            96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
        ];
        let index = self.read(4)?;
        Some(if index == 15 {
            Some(self.read(24)?)
        } else {
            RATES.get(index as usize).copied()
        })
    }
}

/// AudioSpecificConfig (ISO 14496-3 §1.6.2.1): object type, rate, channels; hierarchical SBR/PS
/// (object type 5/29 first); for LC, the GASpecificConfig bits, then the backward-compatible
/// extension (sync 0x2B7) whose *flag*, not its presence, signals SBR (FFmpeg writes it with the
/// flag clear on plain LC).
pub fn parse_audio_config(asc: &[u8]) -> Option<AudioConfig> {
    let mut b = Bits { bytes: asc, pos: 0 };
    let signalled = b.object_type()?;
    let mut c = AudioConfig {
        signalled_type: signalled,
        object_type: signalled,
        sample_rate: b.rate()?,
        channel_config: u8::try_from(b.read(4)?).ok()?,
        ..AudioConfig::default()
    };
    if signalled == 5 || signalled == 29 {
        c.sbr = true;
        c.ps = signalled == 29;
        b.rate()?;
        c.object_type = b.object_type()?;
        return Some(c);
    }
    // GASpecificConfig for LC; a program config element (channel config 0) is not followed.
    if c.object_type == 2 && c.channel_config != 0 {
        let _frame_length = b.read(1)?;
        if b.read(1)? == 1 {
            b.read(14)?;
        }
        let _extension = b.read(1)?;
        if b.left() >= 16 && b.read(11)? == 0x2B7 && b.object_type()? == 5 && b.read(1)? == 1 {
            c.sbr = true;
            b.rate()?;
            if b.left() >= 12 && b.read(11)? == 0x548 {
                c.ps = b.read(1)? == 1;
            }
        }
    }
    Some(c)
}

/// Sync samples whose NAL headers are read for the closed-GOP check (a two-hour file at one
/// keyframe a second has 7,200).
const MAX_GOP_SCAN: u64 = 20_000;
/// Sample-size and chunk-offset entries loaded for that check (4 and 8 bytes each).
const MAX_TABLE_ENTRIES: u64 = 1 << 20;
/// Samples walked over while placing sync samples (a two-hour 60 fps file has 432,000).
const MAX_SAMPLE_STEPS: u64 = 10_000_000;
/// NAL units looked at per sample before giving up on finding a slice.
const MAX_NALS_PER_SAMPLE: usize = 64;

/// Reads the NAL headers of every sync sample (`stss`, or every sample without one) and counts
/// those with no IDR slice (type 5) before their first non-IDR slice (type 1). Sample offsets
/// come from `stsc` + `stco`/`co64` + `stsz`, loaded up to [`MAX_TABLE_ENTRIES`].
fn scan_gop<R: Read + Seek>(
    r: &mut AtomReader<R>,
    find: &impl Fn(&FourCc) -> Option<Atom>,
    len_size: u8,
) -> Result<GopScan, AtomError> {
    let mut scan = GopScan::default();
    let (Some(stsz), Some(stsc)) = (find(b"stsz"), find(b"stsc")) else {
        scan.capped = true;
        return Ok(scan);
    };
    let mut sizes = Vec::new();
    let head = r.read_at(stsz.payload_offset(), stsz.payload_len().min(12))?;
    let f = Fields::new(&head, stsz.kind);
    let (uniform, count) = (f.u32(4)?, u64::from(f.u32(8)?));
    if uniform == 0 {
        let n = count
            .min(stsz.payload_len().saturating_sub(12) / 4)
            .min(MAX_TABLE_ENTRIES);
        let mut done = 0u64;
        while done < n {
            let take = (TABLE_BLOCK / 4).min(n - done);
            let block = r.read_at(stsz.payload_offset() + 12 + done * 4, take * 4)?;
            sizes.extend(
                block
                    .chunks_exact(4)
                    .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]])),
            );
            done += take;
        }
    }
    let size_of = |n: u64| -> Option<u32> {
        if uniform != 0 {
            (n < count).then_some(uniform)
        } else {
            usize::try_from(n).ok().and_then(|i| sizes.get(i).copied())
        }
    };
    let mut chunks = Vec::new();
    if let Some((co, wide)) = find(b"stco")
        .map(|a| (a, false))
        .or(find(b"co64").map(|a| (a, true)))
    {
        let entry = if wide { 8 } else { 4 };
        for_each_entry(r, &co, 8, entry, |f| {
            let v = if wide {
                f.u64(0)
            } else {
                f.u32(0).map(u64::from)
            };
            v.map(|v| chunks.push(v)).is_ok() && (chunks.len() as u64) < MAX_TABLE_ENTRIES
        })?;
    }
    let mut runs = Vec::new();
    for_each_entry(r, &stsc, 8, 12, |f| {
        let (Ok(first), Ok(per)) = (f.u32(0), f.u32(4)) else {
            return false;
        };
        runs.push((u64::from(first), u64::from(per)));
        (runs.len() as u64) < MAX_TABLE_ENTRIES
    })?;
    let mut syncs = Vec::new();
    match find(b"stss") {
        Some(stss) => for_each_entry(r, &stss, 8, 4, |f| {
            f.u32(0).map(|n| syncs.push(u64::from(n))).is_ok()
                && (syncs.len() as u64) < MAX_GOP_SCAN
        })?,
        None => syncs.extend(1..=count.min(MAX_GOP_SCAN)),
    }
    scan.capped = syncs.len() as u64 >= MAX_GOP_SCAN;
    // Walk chunks in order, keeping the first sample number of each, to place each sync sample.
    let mut wanted = syncs.into_iter().peekable();
    let mut sample = 1u64;
    let mut run = 0usize;
    // Samples stepped over, capped so a hostile samples-per-chunk count cannot spin for ever.
    let mut steps = 0u64;
    'chunks: for (i, &offset) in chunks.iter().enumerate() {
        let chunk = i as u64 + 1;
        while runs.get(run + 1).is_some_and(|r| r.0 <= chunk) {
            run += 1;
        }
        let per = runs.get(run).filter(|r| r.0 <= chunk).map_or(0, |r| r.1);
        let mut at = offset;
        for s in sample..sample.saturating_add(per) {
            steps += 1;
            if steps > MAX_SAMPLE_STEPS {
                scan.capped = true;
                break 'chunks;
            }
            let Some(&next) = wanted.peek() else {
                break 'chunks;
            };
            let Some(size) = size_of(s - 1) else {
                scan.capped = true;
                break 'chunks;
            };
            if s == next {
                wanted.next();
                scan.scanned += 1;
                if !sample_has_idr(r, at, size, len_size)? {
                    scan.non_idr += 1;
                    scan.first_non_idr.get_or_insert(s);
                }
            }
            at = at.saturating_add(u64::from(size));
        }
        sample = sample.saturating_add(per);
    }
    if wanted.peek().is_some() {
        scan.capped = true;
    }
    Ok(scan)
}

/// Whether the sample at `offset` holds an IDR slice before any non-IDR slice, reading only NAL
/// headers (length prefix + one byte each).
fn sample_has_idr<R: Read + Seek>(
    r: &mut AtomReader<R>,
    offset: u64,
    size: u32,
    len_size: u8,
) -> Result<bool, AtomError> {
    let end = offset.saturating_add(u64::from(size));
    let mut pos = offset;
    let prefix = u64::from(len_size);
    for _ in 0..MAX_NALS_PER_SAMPLE {
        if pos.saturating_add(prefix + 1) > end {
            break;
        }
        let head = r.read_at(pos, prefix + 1)?;
        let len = head
            .iter()
            .take(usize::from(len_size))
            .fold(0u64, |v, b| (v << 8) | u64::from(*b));
        match head.last().map(|b| b & 0x1f) {
            Some(5) => return Ok(true),
            Some(1) => return Ok(false),
            _ => {}
        }
        pos = pos.saturating_add(prefix).saturating_add(len);
    }
    Ok(false)
}

/// The field-coding flags of an SPS NAL unit (H.264 §7.3.2.1.1), after removing emulation
/// prevention bytes. `None` when it is cut short or malformed.
pub fn parse_sps(nal: &[u8]) -> Option<SpsFields> {
    let mut rbsp = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &b in nal.get(1..)? {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        rbsp.push(b);
    }
    let mut b = Bits {
        bytes: &rbsp,
        pos: 0,
    };
    let profile = b.read(8)?;
    b.read(16)?;
    b.ue()?;
    if matches!(
        profile,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        let chroma = b.ue()?;
        if chroma == 3 {
            b.read(1)?;
        }
        b.ue()?;
        b.ue()?;
        b.read(1)?;
        if b.read(1)? == 1 {
            for i in 0..if chroma == 3 { 12 } else { 8 } {
                if b.read(1)? == 1 {
                    let size = if i < 6 { 16 } else { 64 };
                    let (mut last, mut next) = (8i64, 8i64);
                    for _ in 0..size {
                        if next != 0 {
                            next = (last + b.se()? + 256).rem_euclid(256);
                        }
                        if next != 0 {
                            last = next;
                        }
                    }
                }
            }
        }
    }
    b.ue()?;
    match b.ue()? {
        0 => {
            b.ue()?;
        }
        1 => {
            b.read(1)?;
            b.se()?;
            b.se()?;
            for _ in 0..b.ue()?.min(255) {
                b.se()?;
            }
        }
        _ => {}
    }
    b.ue()?;
    b.read(1)?;
    b.ue()?;
    b.ue()?;
    let frame_mbs_only = b.read(1)? == 1;
    let mb_adaptive_frame_field = !frame_mbs_only && b.read(1)? == 1;
    Some(SpsFields {
        frame_mbs_only,
        mb_adaptive_frame_field,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::Cursor;

    #[test]
    fn ffmpeg_lc_config_is_lc_without_sbr() {
        let c = parse_audio_config(&[0x11, 0x90, 0x56, 0xE5, 0x00]).expect("asc");
        assert_eq!(
            (c.object_type, c.sample_rate, c.channel_config),
            (2, Some(48000), 2)
        );
        assert!(!c.sbr && !c.ps);
    }

    #[test]
    fn he_aac_signalling_is_seen_both_ways() {
        let hier = parse_audio_config(&[0x2B, 0x11, 0x88, 0x00, 0x00]).expect("asc");
        assert!(hier.sbr);
        assert_eq!(hier.signalled_type, 5);
        let compat = parse_audio_config(&[0x13, 0x10, 0x56, 0xE5, 0x98]).expect("asc");
        assert_eq!(compat.object_type, 2);
        assert!(
            compat.sbr,
            "sbrPresentFlag set in the backward-compatible extension"
        );
    }

    #[test]
    fn decode_times_follow_runs() {
        let runs = [(2, 10), (0, 5), (3, 20)];
        let mut d = DecodeTimes::new(&runs);
        assert_eq!(d.next_start(), Some(0));
        assert_eq!(d.advance(3), Some(20));
        assert_eq!(d.next_start(), Some(40));
        assert_eq!(d.advance(2), Some(60));
        assert_eq!(d.advance(1), None);
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            if let Ok(r) = AtomReader::new(Cursor::new(bytes)) {
                let _ = Facts::read(r);
            }
        }

        #[test]
        fn esds_asc_and_sps_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_esds(&bytes);
            let _ = parse_audio_config(&bytes);
            let _ = parse_sps(&bytes);
        }
    }
}
