//! The first sample description (`stsd`) of a track: for video the size, compressor name, `avcC`
//! (profile, level, NAL length size, first SPS) and `colr`; for sound the stated channels and
//! rate, `esds` and `chan`. The atoms are found and cut to a bounded length here; their
//! contents are parsed by [`crate::media::codec`].

use super::{AudioEntry, Colour, TrackFacts, VideoEntry, malformed};
use crate::media::atoms::{Atom, AtomError, AtomReader, Fields};
use crate::media::codec::{ColourCodes, MAX_CHAN_LABELS, parse_chan, parse_esds, parse_sps};
use std::io::{Read, Seek};

pub(super) fn read_stsd<R: Read + Seek>(
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
