//! One `trak` read into [`TrackFacts`]: its header, edit list, handler and timescale, then the
//! sample tables summed up (`stts` runs and duration, `stsz` bytes, `stss` count, `stps`, and
//! whether `ctts` reorders frames).
//!
//! Tables can claim billions of entries, so none is loaded whole: [`for_each_entry`] clamps the
//! claimed count to the bytes the atom holds and reads in fixed blocks, and what is kept
//! (edits, `stts` runs) is capped.

use super::gop::scan_gop;
use super::sample_entries::read_stsd;
use super::{Edit, Samples, TrackFacts, malformed};
use crate::media::atoms::{Atom, AtomError, AtomReader, Fields, FourCc};
use std::io::{Read, Seek};

/// Edit-list entries kept per track (real files have one or two).
const MAX_EDITS: usize = 64;
/// `stts` runs kept per track: CFR files have one or two; beyond this the timing is "too varied".
pub(super) const MAX_STTS_RUNS: usize = 100_000;
/// Bytes of a table read at once.
pub(super) const TABLE_BLOCK: u64 = 64 * 1024;

pub(super) fn read_track<R: Read + Seek>(
    r: &mut AtomReader<R>,
    trak: &Atom,
) -> Result<TrackFacts, AtomError> {
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
pub(super) fn for_each_entry<R: Read + Seek>(
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
