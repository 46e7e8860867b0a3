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

/// Colour code points (ITU-T H.273): the same numbers in a `colr` atom and in the H.264 VUI.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ColourCodes {
    /// colour_primaries: 1 BT.709, 2 unspecified, 5/6 BT.601 625/525, 9 BT.2020 …
    pub primaries: u16,
    /// transfer_characteristics: 1 BT.709, 6 BT.601, 11 xvYCC, 16 PQ, 18 HLG …
    pub transfer: u16,
    /// matrix_coefficients: 0 RGB, 1 BT.709, 5/6 BT.601, 9 BT.2020 …
    pub matrix: u16,
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

/// What the SPS says about field coding, picture size and (in its VUI) the video signal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpsFields {
    pub profile_idc: u8,
    /// chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4 (1 unless a High-family
    /// profile says otherwise).
    pub chroma_format_idc: u8,
    /// Bits per luma and per chroma sample (bit_depth_*_minus8 + 8; 8 outside High-family
    /// profiles).
    pub bit_depth_luma: u8,
    pub bit_depth_chroma: u8,
    pub frame_mbs_only: bool,
    pub mb_adaptive_frame_field: bool,
    /// Picture size in luma samples after the SPS frame cropping (1920x1088 coded, 1080 shown).
    pub width: u32,
    pub height: u32,
    /// `None` when vui_parameters_present_flag is 0.
    pub vui: Option<Vui>,
}

/// The parts of the SPS VUI (H.264 Annex E.1.1) the spec check uses. A VUI cut short keeps
/// what was read before the cut; later fields stay `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vui {
    /// video_full_range_flag (`None`: no video_signal_type, which means limited range).
    pub full_range: Option<bool>,
    /// The colour description (`None`: colour_description_present_flag 0, i.e. unspecified).
    pub colour: Option<ColourCodes>,
    /// bitstream_restriction max_num_reorder_frames (`None`: not present or not reached).
    pub max_num_reorder_frames: Option<u32>,
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
    /// Sampling rate of the core coder (half the output rate for dual-rate HE-AAC).
    pub sample_rate: Option<u32>,
    /// The SBR output rate, when SBR is signalled explicitly.
    pub extension_rate: Option<u32>,
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
    /// The `chan` atom, if any (FFmpeg writes one for stereo AAC in .mov).
    pub chan: Option<ChannelLayout>,
}

/// Channel descriptions kept from a `chan` atom (a stereo mix has two).
const MAX_CHAN_LABELS: usize = 16;

/// A `chan` atom (CoreAudio `AudioChannelLayout`): a layout tag naming the whole layout, or tag
/// 0x00010000 and a bitmap, or tag 0 and one description per channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelLayout {
    /// mChannelLayoutTag: 0x00650002 Stereo, 0x00670002 MatrixStereo (Lt/Rt), 0x00640001 Mono …
    pub tag: u32,
    /// mChannelBitmap (bit 0 left, bit 1 right, bit 2 centre …), meaningful for tag 0x00010000.
    pub bitmap: u32,
    /// mChannelLabel of each description (1 L, 2 R, 3 C, 38 Lt, 39 Rt, 42 mono …), for tag 0;
    /// at most [`MAX_CHAN_LABELS`].
    pub labels: Vec<u32>,
}

/// `chan` payload: version/flags(4), tag(4), bitmap(4), description count(4), then 20-byte
/// descriptions (label(4), flags(4), three f32 coordinates). `None` when shorter than the tag.
pub fn parse_chan(payload: &[u8]) -> Option<ChannelLayout> {
    let word = |at: usize| {
        payload
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let tag = word(4)?;
    let count = word(12).map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let labels = (0..count.min(MAX_CHAN_LABELS))
        .map_while(|i| word(16 + i * 20))
        .collect();
    Some(ChannelLayout {
        tag,
        bitmap: word(8).unwrap_or(0),
        labels,
    })
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
        let v1 = f.u8(0)? == 1;
        t.id = if v1 { f.u32(20)? } else { f.u32(12)? };
        // After the times, id, duration, layer, group and volume: 40 bytes in, 52 in version 1.
        let at = if v1 { 52 } else { 40 };
        let mut m = [0i32; 9];
        t.matrix = m
            .iter_mut()
            .enumerate()
            .try_for_each(|(i, v)| {
                *v = f.u32(at + i * 4).ok()? as i32;
                Some(())
            })
            .map(|()| m);
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
            // The first `colr` only: a second one (an ICC profile next to `nclx`) adds nothing
            // the colour rule reads.
            b"colr" if v.colour.is_none() => {
                let c = r.read_at(ext.payload_offset(), ext.payload_len().min(11))?;
                let c = Fields::new(&c, ext.kind);
                let kind = c.array::<4>(0)?;
                if &kind == b"nclc" || &kind == b"nclx" {
                    v.colour = Some(Colour {
                        kind,
                        codes: ColourCodes {
                            primaries: c.u16(4)?,
                            transfer: c.u16(6)?,
                            matrix: c.u16(8)?,
                        },
                        full_range: if &kind == b"nclx" {
                            c.u8(10).ok().map(|b| b & 0x80 != 0)
                        } else {
                            None
                        },
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
            b"chan" if a.chan.is_none() => {
                let len = 16 + 20 * MAX_CHAN_LABELS as u64;
                let c = r.read_at(ext.payload_offset(), ext.payload_len().min(len))?;
                a.chan = parse_chan(&c);
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
        c.extension_rate = b.rate()?;
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
            c.extension_rate = b.rate()?;
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

/// Profiles whose SPS carries chroma format, bit depths and scaling matrices (H.264 §7.3.2.1.1).
const HIGH_PROFILES: [u32; 13] = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

/// Parses an SPS NAL unit (H.264 §7.3.2.1.1) through to its VUI (Annex E.1.1), after removing
/// emulation prevention bytes: field coding, the cropped picture size, and the VUI's range,
/// colour codes and reorder depth. Every syntax element before the VUI is read exactly (a
/// misread scaling list or cropping offset would shift every later bit), and values the
/// standard bounds (chroma format, POC cycle length, HRD CPB count) are checked so a hostile SPS
/// is refused rather than misread. `None` when the part before the VUI is cut short or invalid.
pub fn parse_sps(nal: &[u8]) -> Option<SpsFields> {
    if nal.first().map(|h| h & 0x1f) != Some(7) {
        return None;
    }
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
    // 8-bit 4:2:0 unless a High-family profile says otherwise.
    let mut chroma = 1;
    let (mut depth_luma, mut depth_chroma) = (8, 8);
    let mut separate_planes = false;
    if HIGH_PROFILES.contains(&profile) {
        chroma = b.ue()?;
        if chroma > 3 {
            return None;
        }
        if chroma == 3 {
            separate_planes = b.read(1)? == 1;
        }
        // bit_depth_*_minus8 is 0..=6 (14-bit at most).
        depth_luma = b.ue()?.checked_add(8).filter(|d| *d <= 14)?;
        depth_chroma = b.ue()?.checked_add(8).filter(|d| *d <= 14)?;
        b.read(1)?;
        if b.read(1)? == 1 {
            for i in 0..if chroma == 3 { 12 } else { 8 } {
                if b.read(1)? == 1 {
                    skip_scaling_list(&mut b, if i < 6 { 16 } else { 64 })?;
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
            let cycle = b.ue()?;
            if cycle > 255 {
                return None;
            }
            for _ in 0..cycle {
                b.se()?;
            }
        }
        2 => {}
        _ => return None,
    }
    b.ue()?;
    b.read(1)?;
    let width_mbs = u64::from(b.ue()?) + 1;
    let height_units = u64::from(b.ue()?) + 1;
    let frame_mbs_only = b.read(1)? == 1;
    let mb_adaptive_frame_field = !frame_mbs_only && b.read(1)? == 1;
    b.read(1)?;
    let (mut crop_x, mut crop_y) = (0u64, 0u64);
    if b.read(1)? == 1 {
        let (left, right) = (u64::from(b.ue()?), u64::from(b.ue()?));
        let (top, bottom) = (u64::from(b.ue()?), u64::from(b.ue()?));
        crop_x = left + right;
        crop_y = top + bottom;
    }
    // Crop units (Table 6-1, equations 7-19 to 7-22): chroma samples, doubled vertically for
    // field-capable streams; monochrome and separately coded planes count luma samples.
    let array_type = if separate_planes { 0 } else { chroma };
    let (unit_x, unit_y) = match array_type {
        0 => (1, 1),
        1 => (2, 2),
        2 => (2, 1),
        _ => (1, 1),
    };
    let field_factor = if frame_mbs_only { 1 } else { 2 };
    let width = (width_mbs * 16).checked_sub(unit_x * crop_x)?;
    let height = (field_factor * height_units * 16).checked_sub(unit_y * field_factor * crop_y)?;
    let vui = if b.read(1)? == 1 {
        let mut vui = Vui::default();
        // A VUI cut short keeps what came before the cut (the colour codes come early), so
        // where it stopped does not matter here.
        read_vui(&mut b, &mut vui);
        Some(vui)
    } else {
        None
    };
    Some(SpsFields {
        profile_idc: u8::try_from(profile).ok()?,
        chroma_format_idc: u8::try_from(chroma).ok()?,
        bit_depth_luma: u8::try_from(depth_luma).ok()?,
        bit_depth_chroma: u8::try_from(depth_chroma).ok()?,
        frame_mbs_only,
        mb_adaptive_frame_field,
        width: u32::try_from(width).ok()?,
        height: u32::try_from(height).ok()?,
        vui,
    })
}

/// scaling_list() (§7.3.2.1.1.1): delta-coded entries until one makes the next scale 0 (the rest
/// repeat the last value, or the first delta selects the default list).
fn skip_scaling_list(b: &mut Bits<'_>, size: usize) -> Option<()> {
    let (mut last, mut next) = (8i64, 8i64);
    for _ in 0..size {
        if next != 0 {
            let delta = b.se()?;
            // delta_scale is -128..=127; anything else is not a valid SPS.
            if !(-128..=127).contains(&delta) {
                return None;
            }
            next = (last + delta + 256).rem_euclid(256);
        }
        if next != 0 {
            last = next;
        }
    }
    Some(())
}

/// vui_parameters() (Annex E.1.1) up to bitstream_restriction, filling `vui` as it goes; `None`
/// where it stops early.
fn read_vui(b: &mut Bits<'_>, vui: &mut Vui) -> Option<()> {
    if b.read(1)? == 1 && b.read(8)? == 255 {
        // Extended_SAR: sar_width, sar_height.
        b.read(32)?;
    }
    if b.read(1)? == 1 {
        b.read(1)?;
    }
    if b.read(1)? == 1 {
        b.read(3)?;
        let full_range = b.read(1)? == 1;
        vui.full_range = Some(full_range);
        if b.read(1)? == 1 {
            let (p, t, m) = (b.read(8)?, b.read(8)?, b.read(8)?);
            vui.colour = Some(ColourCodes {
                primaries: u16::try_from(p).ok()?,
                transfer: u16::try_from(t).ok()?,
                matrix: u16::try_from(m).ok()?,
            });
        }
    }
    if b.read(1)? == 1 {
        b.ue()?;
        b.ue()?;
    }
    if b.read(1)? == 1 {
        // num_units_in_tick, time_scale, fixed_frame_rate_flag.
        b.read(32)?;
        b.read(32)?;
        b.read(1)?;
    }
    let nal_hrd = b.read(1)? == 1;
    if nal_hrd {
        skip_hrd(b)?;
    }
    let vcl_hrd = b.read(1)? == 1;
    if vcl_hrd {
        skip_hrd(b)?;
    }
    if nal_hrd || vcl_hrd {
        b.read(1)?;
    }
    b.read(1)?;
    if b.read(1)? == 1 {
        b.read(1)?;
        for _ in 0..4 {
            b.ue()?;
        }
        vui.max_num_reorder_frames = Some(b.ue()?);
        b.ue()?;
    }
    Some(())
}

/// hrd_parameters() (Annex E.1.2); cpb_cnt_minus1 is at most 31.
fn skip_hrd(b: &mut Bits<'_>) -> Option<()> {
    let cpb_count = b.ue()?;
    if cpb_count > 31 {
        return None;
    }
    b.read(8)?;
    for _ in 0..=cpb_count {
        b.ue()?;
        b.ue()?;
        b.read(1)?;
    }
    // Four 5-bit length fields (initial delay, removal delay, output delay, time offset).
    b.read(20)?;
    Some(())
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
    fn sbr_output_rate_is_kept() {
        let hier = parse_audio_config(&[0x2B, 0x11, 0x88, 0x00, 0x00]).expect("asc");
        assert_eq!(
            (hier.sample_rate, hier.extension_rate, hier.object_type),
            (Some(24000), Some(48000), 2)
        );
        let ld = parse_audio_config(&[0xB9, 0x91, 0x00, 0x00, 0x00]).expect("asc");
        assert_eq!((ld.object_type, ld.sample_rate), (23, Some(48000)));
        assert!(!ld.sbr);
    }

    #[test]
    fn chan_reads_tag_bitmap_and_descriptions() {
        // FFmpeg's stereo chan: tag Stereo, no bitmap, no descriptions.
        let stereo = [0, 0, 0, 0, 0, 0x65, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0];
        let c = parse_chan(&stereo).expect("chan");
        assert_eq!((c.tag, c.bitmap, c.labels.len()), (0x0065_0002, 0, 0));
        // Tag 0 with two descriptions labelled Lt, Rt.
        let mut described = vec![0u8; 16 + 40];
        described[15] = 2;
        described[19] = 38;
        described[39] = 39;
        assert_eq!(parse_chan(&described).expect("chan").labels, vec![38, 39]);
        // A count far beyond the bytes present reads only the descriptions that are there.
        described[12] = 0xff;
        assert_eq!(parse_chan(&described).expect("chan").labels.len(), 2);
        assert_eq!(parse_chan(&stereo[..6]), None);
    }

    /// Writes H.264 syntax elements MSB first, for hand-built parameter sets.
    #[derive(Default)]
    struct BitWriter {
        bits: Vec<bool>,
    }

    impl BitWriter {
        fn u(&mut self, n: u32, v: u64) -> &mut Self {
            for i in (0..n).rev() {
                self.bits.push((v >> i) & 1 == 1);
            }
            self
        }

        fn flag(&mut self, on: bool) -> &mut Self {
            self.u(1, u64::from(on))
        }

        fn ue(&mut self, v: u32) -> &mut Self {
            let x = u64::from(v) + 1;
            let len = 64 - x.leading_zeros();
            self.u(len - 1, 0).u(len, x)
        }

        fn se(&mut self, v: i32) -> &mut Self {
            let k = if v > 0 {
                2 * v.unsigned_abs() - 1
            } else {
                2 * v.unsigned_abs()
            };
            self.ue(k)
        }

        /// The SPS NAL: header 0x67, the RBSP with its stop bit, emulation prevention added.
        fn sps_nal(&mut self) -> Vec<u8> {
            self.flag(true);
            while !self.bits.len().is_multiple_of(8) {
                self.flag(false);
            }
            let rbsp: Vec<u8> = self
                .bits
                .chunks(8)
                .map(|c| c.iter().fold(0u8, |b, &bit| (b << 1) | u8::from(bit)))
                .collect();
            let mut nal = vec![0x67];
            let mut zeros = 0;
            for b in rbsp {
                if zeros >= 2 && b <= 3 {
                    nal.push(3);
                    zeros = 0;
                }
                zeros = if b == 0 { zeros + 1 } else { 0 };
                nal.push(b);
            }
            nal
        }
    }

    /// VUI with every optional part present before the colour codes and after them (SAR, overscan,
    /// signal type, chroma location, timing, NAL HRD with two CPBs, bitstream restriction).
    fn full_vui(w: &mut BitWriter, colour: (u64, u64, u64), full_range: bool, reorder: u32) {
        w.flag(true).u(8, 255).u(16, 4).u(16, 3); // aspect_ratio_idc Extended_SAR 4:3
        w.flag(true).flag(false); // overscan_info_present, overscan_appropriate
        w.flag(true).u(3, 5).flag(full_range).flag(true); // video_signal_type, colour present
        w.u(8, colour.0).u(8, colour.1).u(8, colour.2);
        w.flag(true).ue(1).ue(1); // chroma_loc_info
        w.flag(true).u(32, 1001).u(32, 48000).flag(false); // timing_info
        w.flag(true).ue(1).u(4, 4).u(4, 6); // NAL HRD: cpb_cnt_minus1 1, scales
        for _ in 0..2 {
            w.ue(2999).ue(2999).flag(false);
        }
        w.u(5, 23).u(5, 23).u(5, 23).u(5, 24);
        w.flag(false); // vcl_hrd
        w.flag(false).flag(false); // low_delay_hrd, pic_struct_present
        w.flag(true)
            .flag(true)
            .ue(2)
            .ue(1)
            .ue(16)
            .ue(16)
            .ue(reorder)
            .ue(4);
    }

    /// One scaling_list with explicit deltas for every entry.
    fn full_scaling_list(w: &mut BitWriter, size: usize) {
        w.flag(true);
        for j in 0..size {
            w.se(if j % 2 == 0 { 3 } else { -1 });
        }
    }

    #[test]
    fn high_profile_sps_with_scaling_lists_reaches_vui_colour_9_16_9() {
        let mut w = BitWriter::default();
        w.u(8, 100).u(8, 0).u(8, 40).ue(0); // High, level 4.0, sps id 0
        w.ue(1).ue(0).ue(0).flag(false); // 4:2:0, 8-bit, no transform bypass
        w.flag(true); // seq_scaling_matrix_present_flag: 8 lists for 4:2:0
        full_scaling_list(&mut w, 16);
        w.flag(true).se(-8); // next scale 0 at once: use the default list
        w.flag(false);
        // Deltas that reach 0 midway: the rest repeats without further deltas.
        w.flag(true).se(4).se(-12);
        w.flag(false).flag(false);
        full_scaling_list(&mut w, 64);
        w.flag(true).se(120).se(-128);
        w.ue(0); // log2_max_frame_num_minus4
        w.ue(1).flag(false).se(-2).se(5).ue(3).se(1).se(-1).se(7); // POC type 1, cycle of 3
        w.ue(4).flag(false).ue(119).ue(67); // refs, gaps, 120x68 macroblocks
        w.flag(true).flag(true); // frame_mbs_only, direct_8x8
        w.flag(true).ue(0).ue(0).ue(0).ue(4); // crop 8 lines off the bottom
        w.flag(true);
        full_vui(&mut w, (9, 16, 9), true, 0);
        let sps = parse_sps(&w.sps_nal()).expect("sps");
        assert_eq!((sps.profile_idc, sps.width, sps.height), (100, 1920, 1080));
        assert_eq!(
            (
                sps.chroma_format_idc,
                sps.bit_depth_luma,
                sps.bit_depth_chroma
            ),
            (1, 8, 8)
        );
        assert!(sps.frame_mbs_only);
        let vui = sps.vui.expect("vui");
        assert_eq!(
            vui.colour,
            Some(ColourCodes {
                primaries: 9,
                transfer: 16,
                matrix: 9
            })
        );
        assert_eq!(vui.full_range, Some(true));
        assert_eq!(vui.max_num_reorder_frames, Some(0), "read through the HRD");
    }

    #[test]
    fn high_444_interlaced_sps_reads_twelve_lists_and_field_cropping() {
        let mut w = BitWriter::default();
        w.u(8, 244).u(8, 0).u(8, 31).ue(0);
        w.ue(3).flag(false).ue(2).ue(2).flag(true); // 4:4:4, 10-bit, bypass
        w.flag(true);
        for i in 0..12 {
            full_scaling_list(&mut w, if i < 6 { 16 } else { 64 });
        }
        w.ue(2).ue(0).ue(6); // frame num, POC type 0 with its lsb length
        w.ue(2).flag(false).ue(79).ue(22); // 80 MBs wide, 23 map units (field pairs)
        w.flag(false).flag(true).flag(true); // field-capable, MBAFF, direct_8x8
        w.flag(true).ue(0).ue(0).ue(0).ue(8); // 4:4:4 fields: crop unit 2 lines
        w.flag(true);
        full_vui(&mut w, (6, 1, 6), false, 2);
        let sps = parse_sps(&w.sps_nal()).expect("sps");
        assert_eq!((sps.width, sps.height), (1280, 720));
        assert_eq!(
            (
                sps.chroma_format_idc,
                sps.bit_depth_luma,
                sps.bit_depth_chroma
            ),
            (3, 10, 10)
        );
        assert!(!sps.frame_mbs_only && sps.mb_adaptive_frame_field);
        let vui = sps.vui.expect("vui");
        assert_eq!(
            vui.colour.map(|c| (c.primaries, c.transfer, c.matrix)),
            Some((6, 1, 6))
        );
        assert_eq!(vui.max_num_reorder_frames, Some(2));
    }

    #[test]
    fn vui_without_colour_or_cut_short() {
        // Baseline, no VUI at all.
        let mut w = BitWriter::default();
        w.u(8, 66)
            .u(8, 0xc0)
            .u(8, 30)
            .ue(0)
            .ue(0)
            .ue(2)
            .ue(1)
            .flag(false);
        w.ue(79).ue(44).flag(true).flag(true).flag(false);
        let mut no_vui = BitWriter {
            bits: w.bits.clone(),
        };
        assert_eq!(
            parse_sps(&no_vui.flag(false).sps_nal()).map(|s| (s.width, s.height, s.vui)),
            Some((1280, 720, None))
        );
        // Signal type without a colour description: range known, colour unspecified.
        let mut plain = BitWriter {
            bits: w.bits.clone(),
        };
        plain
            .flag(true)
            .flag(false)
            .flag(false)
            .flag(true)
            .u(3, 5)
            .flag(false)
            .flag(false);
        plain
            .flag(false)
            .flag(false)
            .flag(false)
            .flag(false)
            .flag(false)
            .flag(false);
        let vui = parse_sps(&plain.sps_nal())
            .and_then(|s| s.vui)
            .expect("vui");
        assert_eq!((vui.full_range, vui.colour), (Some(false), None));
        // A VUI cut off right after the colour codes keeps them.
        let mut cut = BitWriter {
            bits: w.bits.clone(),
        };
        cut.flag(true)
            .flag(false)
            .flag(false)
            .flag(true)
            .u(3, 5)
            .flag(false)
            .flag(true);
        cut.u(8, 1).u(8, 1).u(8, 1);
        let vui = parse_sps(&cut.sps_nal()).and_then(|s| s.vui).expect("vui");
        assert_eq!(vui.colour.map(|c| c.matrix), Some(1));
        assert_eq!(vui.max_num_reorder_frames, None);
        // Not an SPS, or cut before the VUI: nothing.
        assert_eq!(parse_sps(&[0x68, 0xce, 0x38, 0x80]), None);
        assert_eq!(parse_sps(&[0x67, 0x64, 0x00]), None);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// SPS bytes from real x264 output (avcC), fields as ffmpeg's `trace_headers` shows them.
    #[test]
    fn real_x264_sps_vui() {
        let cases = [
            // tests/fixtures/cache-spec/pass_std.mov (Constrained Baseline, 1-1-1).
            (
                "6742c01fda014016ec05a808080a000007d2000177001e306540",
                (66, 1280, 720, true),
                (1, 1, 1, false, 0),
            ),
            // bt2020.mov.
            (
                "6742c01fda014016ec05a848084a000007d2000177001e306540",
                (66, 1280, 720, true),
                (9, 1, 9, false, 0),
            ),
            // High 1080p, PQ, full range, NAL HRD, B-frames (emulation prevention inside).
            (
                "67640028acd940780227e5c05b848804a000000300200000064c4c0005b8d8000b71b498600f183196",
                (100, 1920, 1080, true),
                (9, 16, 9, true, 2),
            ),
            // High 4:4:4 MBAFF 720p, 601 525-line.
            (
                "67f40020919b280a0177e27016a0c020c800000300080000030190f8b16cb0",
                (244, 1280, 720, false),
                (6, 1, 6, false, 2),
            ),
        ];
        for (bytes, (profile, width, height, progressive), (p, t, m, full, reorder)) in cases {
            let sps = parse_sps(&hex(bytes)).expect(bytes);
            assert_eq!(
                (sps.profile_idc, sps.width, sps.height, sps.frame_mbs_only),
                (profile, width, height, progressive),
                "{bytes}"
            );
            let vui = sps.vui.expect("vui");
            assert_eq!(
                vui.colour,
                Some(ColourCodes {
                    primaries: p,
                    transfer: t,
                    matrix: m
                }),
                "{bytes}"
            );
            assert_eq!(vui.full_range, Some(full), "{bytes}");
            assert_eq!(vui.max_num_reorder_frames, Some(reorder), "{bytes}");
        }
    }

    /// Bit depth and chroma format from x264's High 10 / 4:2:2 / 4:4:4 headers, and a depth
    /// beyond the standard's 14 bits refused.
    #[test]
    fn high_family_depth_and_chroma() {
        let sps = |profile: u64, chroma: u32, luma: u32, chroma_depth: u32| {
            let mut w = BitWriter::default();
            w.u(8, profile).u(8, 0).u(8, 31).ue(0);
            w.ue(chroma);
            if chroma == 3 {
                w.flag(false);
            }
            w.ue(luma - 8).ue(chroma_depth - 8).flag(false).flag(false);
            w.ue(0).ue(2).ue(1).flag(false).ue(79).ue(44);
            w.flag(true).flag(true).flag(false).flag(false);
            parse_sps(&w.sps_nal())
                .map(|s| (s.chroma_format_idc, s.bit_depth_luma, s.bit_depth_chroma))
        };
        assert_eq!(sps(110, 1, 10, 10), Some((1, 10, 10)));
        assert_eq!(sps(122, 2, 10, 10), Some((2, 10, 10)));
        assert_eq!(sps(122, 2, 8, 8), Some((2, 8, 8)));
        assert_eq!(sps(244, 3, 12, 10), Some((3, 12, 10)));
        assert_eq!(sps(244, 0, 8, 8), Some((0, 8, 8)));
        assert_eq!(
            sps(244, 1, 16, 8),
            None,
            "bit_depth_luma_minus8 8 is not H.264"
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
            let _ = parse_chan(&bytes);
        }
    }
}
