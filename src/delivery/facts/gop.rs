//! The closed-GOP scan: whether every sync sample of an H.264 track starts with an IDR picture.
//! `stss` only says a sample is a sync sample; an open-GOP recovery point is one too, so the
//! sample's NAL headers are read from `mdat` to tell them apart.
//!
//! Only NAL headers are read (a length prefix and one byte each), and sync samples, table
//! entries, samples stepped over and NAL units per sample are all capped, so a hostile file
//! costs bounded time; a capped scan says so instead of passing.

use super::GopScan;
use super::sample_tables::{TABLE_BLOCK, for_each_entry};
use crate::media::atoms::{Atom, AtomError, AtomReader, Fields, FourCc};
use std::io::{Read, Seek};

/// Sync samples whose NAL headers are read for the closed-GOP check (a two-hour file at one
/// keyframe a second has 7,200).
pub(super) const MAX_GOP_SCAN: u64 = 20_000;
/// Sample-size and chunk-offset entries loaded for that check (4 and 8 bytes each).
const MAX_TABLE_ENTRIES: u64 = 1 << 20;
/// Samples walked over while placing sync samples (a two-hour 60 fps file has 432,000).
const MAX_SAMPLE_STEPS: u64 = 10_000_000;
/// NAL units looked at per sample before giving up on finding a slice.
const MAX_NALS_PER_SAMPLE: usize = 64;

/// Reads the NAL headers of every sync sample (`stss`, or every sample without one) and counts
/// those with no IDR slice (type 5) before their first non-IDR slice (type 1). Sample offsets
/// come from `stsc` + `stco`/`co64` + `stsz`, loaded up to [`MAX_TABLE_ENTRIES`].
pub(super) fn scan_gop<R: Read + Seek>(
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
