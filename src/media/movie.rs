//! The track layout of a QuickTime movie as read by [`AtomReader`]: track ids, handler types,
//! timecode (`tmcd`) tracks with their sample description and first sample, and which track
//! references which timecode track.
//!
//! Layout read (QuickTime File Format, "Timecode sample description"):
//!
//! ```text
//! moov
//! └─ trak ── tkhd (track id) ── tref/tmcd (ids of timecode tracks this track uses)
//!    └─ mdia ── hdlr (component subtype: vide / soun / tmcd / text …)
//!       └─ minf/stbl ── stsd: tmcd entry → reserved(4) flags(4) timescale(4) frameDuration(4)
//!                       │                  numberOfFrames(1) reserved(1)
//!                       └─ stco / co64: offset of the first chunk → first sample = i32 frame number
//! ```

use super::atoms::{Atom, AtomError, AtomReader, Fields, FourCc};
use std::io::{Read, Seek};

/// `tmcd` flag: drop-frame counting.
pub const TMCD_DROP_FRAME: u32 = 0x1;
/// `tmcd` flag: the sample is an unsigned counter rather than a signed frame number.
pub const TMCD_COUNTER: u32 = 0x8;

/// A timecode track's description and first sample.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TmcdTrack {
    /// Raw flags (see `TMCD_*`).
    pub flags: u32,
    /// Time units per second of the timecode media.
    pub timescale: u32,
    /// Duration of one frame in `timescale` units (1001 at 24000 for 23.976).
    pub frame_duration: u32,
    /// Nominal frames per timecode second (the 8-bit `numberOfFrames`).
    pub fps: u8,
    /// The first sample: frames since 00:00:00:00 in this track's counting.
    pub start_frame: i64,
}

impl TmcdTrack {
    /// Whether the drop-frame flag is set.
    pub fn drop_frame(&self) -> bool {
        self.flags & TMCD_DROP_FRAME != 0
    }
}

/// One `trak` of the movie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Track {
    /// `tkhd` track id (0 if the header was unreadable).
    pub id: u32,
    /// `mdia/hdlr` component subtype: `vide`, `soun`, `tmcd`, `text` …
    pub handler: FourCc,
    /// Track ids named by this track's `tref/tmcd`.
    pub timecode_refs: Vec<u32>,
    /// Present for `tmcd` tracks whose description and first sample could be read.
    pub tmcd: Option<TmcdTrack>,
}

/// The tracks of a movie in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Movie {
    pub tracks: Vec<Track>,
}

impl Movie {
    /// Reads the `moov` atom's tracks. `Ok(None)` when the file has no `moov` (not QuickTime/MP4).
    pub fn read<R: Read + Seek>(reader: &mut AtomReader<R>) -> Result<Option<Self>, AtomError> {
        let top = reader.top_level()?;
        let Some(moov) = top.iter().find(|a| &a.kind == b"moov") else {
            return Ok(None);
        };
        let mut tracks = Vec::new();
        for trak in reader.children(moov)?.iter().filter(|a| &a.kind == b"trak") {
            tracks.push(read_track(reader, trak)?);
        }
        Ok(Some(Self { tracks }))
    }

    /// The timecode track that describes the picture: the one the first video track references,
    /// else the first readable `tmcd` track.
    pub fn picture_timecode(&self) -> Option<TmcdTrack> {
        let referenced = self
            .tracks
            .iter()
            .filter(|t| &t.handler == b"vide")
            .flat_map(|t| t.timecode_refs.iter())
            .find_map(|id| {
                self.tracks
                    .iter()
                    .find(|t| t.id == *id)
                    .and_then(|t| t.tmcd)
            });
        referenced.or_else(|| self.tracks.iter().find_map(|t| t.tmcd))
    }
}

fn read_track<R: Read + Seek>(r: &mut AtomReader<R>, trak: &Atom) -> Result<Track, AtomError> {
    let mut track = Track {
        id: 0,
        handler: [0; 4],
        timecode_refs: Vec::new(),
        tmcd: None,
    };
    if let Some(tkhd) = r.child(trak, b"tkhd")? {
        let p = r.read_payload(&tkhd, 256)?;
        let f = Fields::new(&p, tkhd.kind);
        // Version 1 headers carry 64-bit creation/modification times before the id.
        track.id = if f.u8(0)? == 1 {
            f.u32(20)?
        } else {
            f.u32(12)?
        };
    }
    if let Some(tref_tmcd) = r.descend(trak, &[b"tref", b"tmcd"])? {
        let p = r.read_payload(&tref_tmcd, 4096)?;
        track.timecode_refs = p
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
    }
    if let Some(hdlr) = r.descend(trak, &[b"mdia", b"hdlr"])? {
        let p = r.read_payload(&hdlr, 4096)?;
        track.handler = Fields::new(&p, hdlr.kind).array(8)?;
    }
    if &track.handler == b"tmcd" {
        track.tmcd = read_tmcd(r, trak)?;
    }
    Ok(track)
}

fn read_tmcd<R: Read + Seek>(
    r: &mut AtomReader<R>,
    trak: &Atom,
) -> Result<Option<TmcdTrack>, AtomError> {
    let Some(stbl) = r.descend(trak, &[b"mdia", b"minf", b"stbl"])? else {
        return Ok(None);
    };
    let Some(stsd) = r.child(&stbl, b"stsd")? else {
        return Ok(None);
    };
    let p = r.read_payload(&stsd, 64 * 1024)?;
    let f = Fields::new(&p, stsd.kind);
    // stsd: version/flags(4) entry_count(4), then the first entry: size(4) format(4)
    // reserved(6) data_ref_index(2), then the tmcd fields.
    if f.u32(4)? == 0 || &f.array::<4>(12)? != b"tmcd" {
        return Ok(None);
    }
    let base = 24;
    let flags = f.u32(base + 4)?;
    let timescale = f.u32(base + 8)?;
    let frame_duration = f.u32(base + 12)?;
    let fps = f.u8(base + 16)?;

    let Some(chunk_offset) = first_chunk_offset(r, &stbl)? else {
        return Ok(None);
    };
    let sample = r.read_at(chunk_offset, 4)?;
    let raw = u32::from_be_bytes([sample[0], sample[1], sample[2], sample[3]]);
    let start_frame = if flags & TMCD_COUNTER != 0 {
        raw as i64
    } else {
        raw as i32 as i64
    };
    Ok(Some(TmcdTrack {
        flags,
        timescale,
        frame_duration,
        fps,
        start_frame,
    }))
}

fn first_chunk_offset<R: Read + Seek>(
    r: &mut AtomReader<R>,
    stbl: &Atom,
) -> Result<Option<u64>, AtomError> {
    for child in r.children(stbl)? {
        let wide = match &child.kind {
            b"stco" => false,
            b"co64" => true,
            _ => continue,
        };
        // Only the header and first entry are needed; never read a whole large offset table.
        let want = if wide { 16 } else { 12 };
        if child.payload_len() < want {
            return Err(AtomError::Malformed {
                kind: child.kind_str(),
                why: "no chunk offsets",
            });
        }
        let p = r.read_at(child.payload_offset(), want)?;
        let f = Fields::new(&p, child.kind);
        if f.u32(4)? == 0 {
            return Ok(None);
        }
        return Ok(Some(if wide { f.u64(8)? } else { f.u32(8)? as u64 }));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::atoms::atom;
    use proptest::prelude::*;
    use std::io::Cursor;

    fn be(v: u32) -> [u8; 4] {
        v.to_be_bytes()
    }

    /// A movie with a video track (id 1, referencing tmcd track 2) and a tmcd track whose first
    /// sample sits at `sample_at` in the file.
    fn movie_with_tmcd(flags: u32, fps: u8, frame: u32) -> Vec<u8> {
        let tkhd = |id: u32| atom(b"tkhd", &[&[0u8; 12][..], &be(id), &[0u8; 64]].concat());
        let hdlr =
            |sub: &[u8; 4]| atom(b"hdlr", &[&[0u8; 4][..], b"mhlr", sub, &[0u8; 12]].concat());
        let video = atom(
            b"trak",
            &[
                tkhd(1),
                atom(b"tref", &atom(b"tmcd", &be(2))),
                atom(b"mdia", &hdlr(b"vide")),
            ]
            .concat(),
        );
        let entry = [
            &be(34)[..],
            b"tmcd",
            &[0; 6],
            &[0, 1],
            &be(0),
            &be(flags),
            &be(30000),
            &be(1001),
            &[fps, 0],
        ]
        .concat();
        let stsd = atom(b"stsd", &[&be(0)[..], &be(1), &entry].concat());
        let build = |offset: u32| {
            let stco = atom(b"stco", &[be(0), be(1), be(offset)].concat());
            let stbl = atom(b"stbl", &[stsd.clone(), stco].concat());
            let mdia = atom(b"mdia", &[hdlr(b"tmcd"), atom(b"minf", &stbl)].concat());
            let tc = atom(b"trak", &[tkhd(2), mdia].concat());
            atom(b"moov", &[video.clone(), tc].concat())
        };
        let ftyp = atom(b"ftyp", b"qt  ");
        let probe_len = (ftyp.len() + build(0).len()) as u32;
        let moov = build(probe_len + 8);
        [ftyp, moov, atom(b"mdat", &be(frame))].concat()
    }

    #[test]
    fn reads_drop_frame_tmcd_and_reference() {
        let file = movie_with_tmcd(TMCD_DROP_FRAME, 30, 107_892);
        let mut r = AtomReader::new(Cursor::new(file)).expect("reader");
        let movie = Movie::read(&mut r).expect("parse").expect("has moov");
        assert_eq!(movie.tracks.len(), 2);
        assert_eq!(movie.tracks[0].timecode_refs, [2]);
        let tc = movie.picture_timecode().expect("tmcd");
        assert!(tc.drop_frame());
        assert_eq!(
            (tc.timescale, tc.frame_duration, tc.fps, tc.start_frame),
            (30000, 1001, 30, 107_892)
        );
    }

    #[test]
    fn negative_start_is_signed_unless_counter() {
        let mut r = AtomReader::new(Cursor::new(movie_with_tmcd(0, 30, u32::MAX))).expect("reader");
        let movie = Movie::read(&mut r).expect("parse").expect("moov");
        assert_eq!(movie.picture_timecode().map(|t| t.start_frame), Some(-1));
        let mut r = AtomReader::new(Cursor::new(movie_with_tmcd(TMCD_COUNTER, 30, u32::MAX)))
            .expect("reader");
        let movie = Movie::read(&mut r).expect("parse").expect("moov");
        assert_eq!(
            movie.picture_timecode().map(|t| t.start_frame),
            Some(u32::MAX as i64)
        );
    }

    #[test]
    fn no_moov_is_none() {
        let mut r = AtomReader::new(Cursor::new(atom(b"ftyp", b"isom"))).expect("reader");
        assert_eq!(Movie::read(&mut r).expect("parse"), None);
    }

    #[test]
    fn every_truncation_is_an_error_or_a_partial_answer() {
        let file = movie_with_tmcd(TMCD_DROP_FRAME, 30, 1800);
        for cut in 0..file.len() {
            let mut r = AtomReader::new(Cursor::new(file[..cut].to_vec())).expect("reader");
            let _ = Movie::read(&mut r);
        }
    }

    proptest! {
        #[test]
        fn corrupted_bytes_never_panic(pos in 0usize..400, val in any::<u8>(), extra in 0usize..4) {
            let mut file = movie_with_tmcd(0, 24, 86_400);
            for i in 0..=extra {
                if let Some(b) = file.get_mut(pos + i * 7) {
                    *b = val;
                }
            }
            let mut r = AtomReader::new(Cursor::new(file)).expect("reader");
            let _ = Movie::read(&mut r);
        }

        #[test]
        fn random_movies_never_panic(body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let file = atom(b"moov", &body);
            let mut r = AtomReader::new(Cursor::new(file)).expect("reader");
            let _ = Movie::read(&mut r);
        }
    }
}
