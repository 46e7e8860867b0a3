//! The container rules: a QuickTime movie (brand and extension, not fragmented), fast start
//! (`moov` before `mdat`), no compressed header (`cmov`), and no edit lists. These look at the
//! file's structure, not at any one track's media, so they run even when a track is missing.

use super::{result, track_kind, unmeasured};
use crate::delivery::facts::Facts;
use crate::delivery::report::{RuleResult, Status};
use crate::delivery::rule_id::RuleId;
use crate::media::atoms::fourcc_str;

/// AAC encoder priming longer than this (samples, media timescale) is not "just priming".
const MAX_PRIMING: i64 = 4096;

pub(super) fn container_mov(f: &Facts) -> RuleResult {
    let id = RuleId::ContainerMov;
    let expected = "QuickTime (ftyp brand `qt  `), .mov";
    let ext = f.extension.clone().unwrap_or_default();
    let brand = f.major_brand.map(fourcc_str);
    let measured = format!(
        "brand {}, extension .{ext}{}",
        brand.as_deref().unwrap_or("none"),
        if f.fragmented { ", fragmented" } else { "" }
    );
    let fix = "re-export as a QuickTime movie (.mov), not MP4: in ffmpeg `-f mov` or an output \
               name ending in .mov; in an NLE choose the QuickTime container";
    if f.fragmented {
        return result(
            id,
            Status::Fail,
            measured,
            expected,
            "the movie is fragmented (moof/mvex), not a progressive QuickTime file",
            fix,
        );
    }
    match (brand.as_deref(), ext.as_str()) {
        (Some("qt  "), "mov") => result(id, Status::Pass, measured, expected, "QuickTime", ""),
        (None, "mov") => result(
            id,
            Status::Warn,
            measured,
            expected,
            "no ftyp atom: an old-style QuickTime file; most tools accept it, the spec does \
             not say whether PIX does",
            "re-wrap with a current tool (`ffmpeg -i IN -c copy -f mov OUT.mov`) if the upload \
             is refused",
        ),
        (Some("qt  "), _) => result(
            id,
            Status::Warn,
            measured,
            expected,
            "a QuickTime movie, but the file name does not end in .mov",
            "rename the file to end in .mov",
        ),
        _ => result(
            id,
            Status::Fail,
            measured,
            expected,
            "this is an MP4 / ISO file, not a QuickTime movie",
            fix,
        ),
    }
}

pub(super) fn fast_start(f: &Facts) -> RuleResult {
    let id = RuleId::FastStart;
    let expected = "moov before mdat";
    let order = |o: Option<u64>| o.map_or("none".to_owned(), |o| format!("byte {o}"));
    let measured = format!(
        "moov at {}, mdat at {}",
        order(f.moov_offset),
        order(f.mdat_offset)
    );
    match (f.moov_offset, f.mdat_offset) {
        (Some(m), Some(d)) if m > d => result(
            id,
            Status::Fail,
            measured,
            expected,
            "the movie header (moov) comes after the media (mdat), so the file cannot start \
             playing until it is fully downloaded",
            "re-wrap with fast start: `ffmpeg -i IN -c copy -movflags +faststart OUT.mov`, or \
             tick \"Fast Start\" in the export settings",
        ),
        _ => result(id, Status::Pass, measured, expected, "fast start", ""),
    }
}

pub(super) fn no_cmov(f: &Facts) -> RuleResult {
    let id = RuleId::NoCmov;
    if f.cmov {
        result(
            id,
            Status::Fail,
            "moov/cmov (compressed header)",
            "uncompressed moov",
            "the movie header is compressed (\"Fast Start – Compressed Header\" / header \
             compression), which the spec does not allow",
            "export with plain Fast Start, header compression off; or re-wrap with `ffmpeg -i \
             IN -c copy -movflags +faststart OUT.mov`",
        )
    } else {
        result(
            id,
            Status::Pass,
            "uncompressed moov",
            "uncompressed moov",
            "",
            "",
        )
    }
}

pub(super) fn no_edit_lists(f: &Facts) -> RuleResult {
    let id = RuleId::NoEditLists;
    let expected = "no edit lists (identity or AAC priming only: warning)";
    if f.cmov {
        return unmeasured(id, expected, f, "");
    }
    let fix = "re-wrap without edit lists: `ffmpeg -i IN -c copy -use_editlist 0 \
               -avoid_negative_ts make_non_negative -movflags +faststart OUT.mov`";
    let mut worst = Status::Pass;
    let mut notes = Vec::new();
    for t in &f.tracks {
        let Some(edits) = &t.edits else { continue };
        let kind = track_kind(t.handler);
        let text = edits
            .iter()
            .map(|e| format!("({}, {}, {:.2}×)", e.duration, e.media_time, rate(e.rate)))
            .collect::<Vec<_>>()
            .join(" ");
        notes.push(format!("{kind} track {}: {text}", t.id));
        let single = edits.first().copied().filter(|_| edits.len() == 1);
        let status = match single {
            None if edits.is_empty() => Status::Pass,
            Some(e) if e.rate == 0x10000 && e.media_time == 0 => Status::Warn,
            Some(e)
                if e.rate == 0x10000
                    && &t.handler == b"soun"
                    && (1..=MAX_PRIMING).contains(&e.media_time) =>
            {
                Status::Warn
            }
            _ => Status::Fail,
        };
        worst = worst.max(status);
    }
    let measured = if notes.is_empty() {
        "none".to_owned()
    } else {
        notes.join("; ")
    };
    match worst {
        Status::Pass => result(id, Status::Pass, measured, expected, "no edit lists", ""),
        Status::Fail => result(
            id,
            Status::Fail,
            measured,
            expected,
            "an edit list changes what plays (a gap, a shifted start, several edits or a rate \
             change); the spec says edit lists are not supported",
            fix,
        ),
        _ => result(
            id,
            Status::Warn,
            measured,
            expected,
            "only identity edits or an AAC priming trim (what FFmpeg and most encoders write); \
             the spec says edit lists are not supported but does not say whether these trivial \
             ones are refused",
            fix,
        ),
    }
}

fn rate(fixed: i32) -> f64 {
    f64::from(fixed) / 65536.0
}
