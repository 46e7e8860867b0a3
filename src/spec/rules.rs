//! Each rule id of the spec check, turning [`Facts`] and a [`Profile`] into a [`RuleResult`] with
//! the measured and expected values, a plain-words explanation and a concrete fix.
//!
//! Severities follow the research notes (`speccheck.md`): bit rates are ceilings that warn,
//! never fail; points the published spec leaves open (identity or priming-only edit lists, mono,
//! an "AVC" compressor name, no colour tags) are warnings that say what is uncertain. Every
//! [`RuleId`] has its rule: the match below is exhaustive, so a new id cannot go unchecked.

use super::facts::{ChannelLayout, ColourCodes, Facts, TrackFacts};
use super::profile::Profile;
use super::report::{Report, RuleResult, Status};
use super::rule_id::RuleId;
use crate::media::atoms::{FourCc, fourcc_str};
use crate::time::Rational;

/// The rule ids, in report order (stable: used in JSON); the same as [`RuleId::ALL`].
pub const RULE_IDS: [RuleId; 24] = RuleId::ALL;

/// AAC encoder priming longer than this (samples, media timescale) is not "just priming".
const MAX_PRIMING: i64 = 4096;

/// Runs every rule and judges the profile's policy tree on the results ([`super::policy`]):
/// each leaf measures its rule with the parameters in force there.
pub fn evaluate(facts: &Facts, profile: &Profile) -> Report {
    super::policy::judge(profile, |id, p| rule(id, facts, p))
}

pub(super) fn result(
    id: RuleId,
    status: Status,
    measured: impl Into<String>,
    expected: impl Into<String>,
    message: impl Into<String>,
    fix: impl Into<String>,
) -> RuleResult {
    RuleResult {
        id,
        status,
        measured: measured.into(),
        expected: expected.into(),
        message: message.into(),
        fix: fix.into(),
    }
}

/// For track rules when the tracks cannot be seen or the track is missing.
fn unmeasured(id: RuleId, expected: &str, facts: &Facts, what: &str) -> RuleResult {
    let message = if facts.cmov {
        "not measured: the movie header is compressed (cmov), see no-cmov".to_owned()
    } else {
        format!("not measured: the file has no {what} track, see the track-count rules")
    };
    result(id, Status::Info, "-", expected, message, "")
}

fn rule(id: RuleId, f: &Facts, p: &Profile) -> RuleResult {
    match id {
        RuleId::ContainerMov => container_mov(f),
        RuleId::FastStart => fast_start(f),
        RuleId::NoCmov => no_cmov(f),
        RuleId::NoEditLists => no_edit_lists(f),
        RuleId::VideoCodecH264 => with_video(id, "avc1 with avcC", f, video_codec),
        RuleId::VideoTag => with_video(id, "compressor name naming H.264", f, video_tag),
        RuleId::ClosedGop => with_video(id, "every sync sample an IDR picture", f, closed_gop),
        RuleId::NoFrameReordering => with_video(id, "no ctts reordering", f, no_reordering),
        RuleId::FrameRate => with_video(id, &rates_text(p), f, |v| frame_rate(v, p)),
        RuleId::ConstantFrameRate => with_video(id, "one frame duration", f, constant_rate),
        RuleId::FrameSize => with_video(id, &sizes_text(p), f, |v| frame_size(v, p)),
        RuleId::VideoBitrate => with_video(id, &video_kbps_text(p), f, |v| video_bitrate(v, p)),
        RuleId::Colorimetry => with_video(id, "BT.709, BT.601 or xvYCC", f, colorimetry),
        RuleId::Interlace => with_video(id, "progressive or interlaced (reported)", f, interlace),
        RuleId::VideoBitDepthChroma => {
            with_video(id, "8-bit 4:2:0", f, super::picture_rules::bit_depth_chroma)
        }
        RuleId::Rotation => with_video(id, "stored upright", f, super::picture_rules::rotation),
        RuleId::AudioCodecAacLc => with_audio(id, "AAC-LC (mp4a, object type 2)", f, aac_lc),
        RuleId::AudioSampleRate => with_audio(id, &rates_hz_text(p), f, |a| sample_rate(a, p)),
        RuleId::AudioChannels => with_audio(id, "2 (L/R or Lt/Rt)", f, channels),
        RuleId::AudioBitrate => with_audio(id, &audio_kbps_text(p), f, |a| audio_bitrate(a, p)),
        RuleId::VideoTrackCount => video_count(f),
        RuleId::AudioTrackCount => audio_count(f),
        RuleId::NoTextTracks => no_text(f),
        RuleId::Timecode => timecode(f),
    }
}

fn with_video(
    id: RuleId,
    expected: &str,
    f: &Facts,
    check: impl Fn(&TrackFacts) -> RuleResult,
) -> RuleResult {
    match f.video() {
        Some(v) => check(v),
        None => unmeasured(id, expected, f, "video"),
    }
}

fn with_audio(
    id: RuleId,
    expected: &str,
    f: &Facts,
    check: impl Fn(&TrackFacts) -> RuleResult,
) -> RuleResult {
    match f.audio() {
        Some(a) => check(a),
        None => unmeasured(id, expected, f, "sound"),
    }
}

fn container_mov(f: &Facts) -> RuleResult {
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

fn fast_start(f: &Facts) -> RuleResult {
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

fn no_cmov(f: &Facts) -> RuleResult {
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

/// A track's handler in the words a reviewer reads ("video", "sound"); an unusual handler is
/// named by its code so it can still be looked up.
fn track_kind(handler: FourCc) -> String {
    match &handler {
        b"vide" => "video".into(),
        b"soun" => "sound".into(),
        b"tmcd" => "timecode".into(),
        b"text" => "text".into(),
        b"sbtl" | b"subt" | b"subp" => "subtitle".into(),
        b"clcp" => "caption".into(),
        other => format!("'{}'", fourcc_str(*other)),
    }
}

fn no_edit_lists(f: &Facts) -> RuleResult {
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

fn video_codec(v: &TrackFacts) -> RuleResult {
    let id = RuleId::VideoCodecH264;
    let expected = "avc1 with avcC";
    let entry = v.sample_entry.map(fourcc_str).unwrap_or("none".into());
    let has_avcc = v.video.as_ref().is_some_and(|e| e.has_avcc);
    let profile = v
        .video
        .as_ref()
        .and_then(|e| {
            Some(format!(
                ", profile {} level {}",
                e.avc_profile?, e.avc_level?
            ))
        })
        .unwrap_or_default();
    let measured = format!("{entry}{profile}");
    let fix = "encode the picture as H.264 in a QuickTime with the standard `avc1` sample entry \
               (`ffmpeg … -c:v libx264 -tag:v avc1 OUT.mov`)";
    match entry.as_str() {
        "avc1" if has_avcc => result(id, Status::Pass, measured, expected, "H.264 (avc1)", ""),
        "avc1" => result(
            id,
            Status::Fail,
            measured,
            expected,
            "avc1 sample entry without its avcC configuration: decoders cannot start",
            fix,
        ),
        "avc2" | "avc3" | "avc4" => result(
            id,
            Status::Fail,
            measured,
            expected,
            "H.264 with in-band parameter sets (avc2/avc3/avc4), not the avc1 the spec asks for",
            fix,
        ),
        code if VFW_H264_CODES.contains(&code) => result(
            id,
            Status::Fail,
            measured,
            expected,
            format!(
                "H.264 under the AVI / Video for Windows code `{code}`, not QuickTime's avc1: \
                 Apple players and most ingest tools do not recognise it"
            ),
            "re-wrap with the QuickTime code: `ffmpeg -i IN -c copy -tag:v avc1 OUT.mov`",
        ),
        _ => result(
            id,
            Status::Fail,
            measured,
            expected,
            "the picture is not H.264 (avc1)",
            fix,
        ),
    }
}

/// Sample-entry codes that are H.264 in AVI / Video for Windows but not in QuickTime, whose only
/// H.264 code is `avc1` (speccheck.md §2.5–2.6).
const VFW_H264_CODES: [&str; 6] = ["H264", "h264", "X264", "x264", "AVC1", "DAVC"];

fn video_tag(v: &TrackFacts) -> RuleResult {
    let id = RuleId::VideoTag;
    let expected = "sample entry avc1, compressor name naming H.264";
    let entry = v.sample_entry.map(fourcc_str).unwrap_or("none".into());
    let name = v
        .video
        .as_ref()
        .map(|e| e.compressor.clone())
        .unwrap_or_default();
    let measured = format!("sample entry {entry}, compressor name {name:?}");
    let lower = name.to_ascii_lowercase();
    let h264 = lower.contains("h.264") || lower.contains("h264");
    let fix = "set the compressor name to H.264 (`-metadata:s:v:0 encoder=H.264` in ffmpeg) or \
               export with an encoder that labels itself H.264";
    if VFW_H264_CODES.contains(&entry.as_str()) {
        // Literally "tagged H264", but not a QuickTime code: Apple players and most ingest
        // tools will not open it, so this cannot be what the spec asks for.
        result(
            id,
            Status::Fail,
            measured,
            expected,
            format!(
                "the sample entry is tagged `{entry}`, a Video for Windows (AVI) code; \
                 QuickTime's only H.264 code is avc1, so players and ingest may not recognise \
                 the picture. The spec's \"tagged H264\" most likely means the label \
                 (compressor name), not this code"
            ),
            "re-wrap with the QuickTime code: `ffmpeg -i IN -c copy -tag:v avc1 \
             -metadata:s:v:0 encoder=H.264 OUT.mov`",
        )
    } else if h264 {
        result(id, Status::Pass, measured, expected, "tagged H.264", "")
    } else if lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        // A word starting "avc" ("AVC Coding", "AVC1"), not FFmpeg's "Lavc59…".
        .any(|w| w.starts_with("avc"))
    {
        result(
            id,
            Status::Warn,
            measured,
            expected,
            "the spec says H.264 must be tagged H264 and AVC-tagged files are not accepted; \
             this one names AVC. What the spec means by \"tag\" is not documented (compressor \
             name is the likeliest reading)",
            fix,
        )
    } else {
        result(
            id,
            Status::Info,
            measured,
            expected,
            "the compressor name names neither H.264 nor AVC; the spec's \"tagged H264\" is not \
             documented, so this is reported, not judged",
            fix,
        )
    }
}

fn closed_gop(v: &TrackFacts) -> RuleResult {
    let id = RuleId::ClosedGop;
    let expected = "every sync sample an IDR picture, no stps";
    let fix = "encode with closed GOPs: x264 `-x264-params open-gop=0` (the default), or \"closed \
               GOP\" in the encoder settings";
    let Some(scan) = v.samples.gop else {
        return result(
            id,
            Status::Info,
            "-",
            expected,
            "not measured: no H.264 configuration (avcC) to read the pictures with",
            "",
        );
    };
    let measured = format!(
        "{} of {} sync samples not IDR{}{}",
        scan.non_idr,
        scan.scanned,
        if v.samples.has_stps {
            ", stps present"
        } else {
            ""
        },
        if scan.capped { " (not all read)" } else { "" }
    );
    if scan.non_idr > 0 || v.samples.has_stps {
        let first = scan
            .first_non_idr
            .map_or(String::new(), |n| format!(" (first: sample {n})"));
        result(
            id,
            Status::Fail,
            measured,
            expected,
            format!(
                "open GOP: some keyframes are recovery points, not IDR pictures{first}, so a \
                 cut or seek there shows broken frames"
            ),
            fix,
        )
    } else if scan.capped || scan.scanned == 0 {
        result(
            id,
            Status::Warn,
            measured,
            expected,
            "the sync samples could not all be read, so closed GOPs are not confirmed",
            fix,
        )
    } else {
        result(id, Status::Pass, measured, expected, "closed GOPs", "")
    }
}

fn interlace(v: &TrackFacts) -> RuleResult {
    let id = RuleId::Interlace;
    let expected = "progressive or interlaced (reported)";
    match v.video.as_ref().and_then(|e| e.sps) {
        None => result(
            id,
            Status::Info,
            "-",
            expected,
            "not measured: the SPS could not be read",
            "",
        ),
        Some(s) if s.frame_mbs_only => result(
            id,
            Status::Pass,
            "progressive (frame_mbs_only_flag 1)",
            expected,
            "progressive",
            "",
        ),
        Some(s) => result(
            id,
            Status::Info,
            if s.mb_adaptive_frame_field {
                "interlaced, MBAFF (frame_mbs_only_flag 0)"
            } else {
                "interlaced, field coding (frame_mbs_only_flag 0)"
            },
            expected,
            "interlaced coding: the spec accepts it; reported so the field order can be checked \
             against the source",
            "",
        ),
    }
}

fn no_reordering(v: &TrackFacts) -> RuleResult {
    let id = RuleId::NoFrameReordering;
    let expected = "presentation order = decode order";
    let fix = "encode without B-frames: `-bf 0` in ffmpeg/x264, or Baseline profile / \"no \
               frame reordering\" in the encoder";
    match (v.samples.has_ctts, v.samples.reordered) {
        (false, _) => result(
            id,
            Status::Pass,
            "no ctts",
            expected,
            "no composition offsets",
            "",
        ),
        (true, Some(false)) => result(
            id,
            Status::Pass,
            "ctts, in order",
            expected,
            "composition offsets present but frames are not reordered",
            "",
        ),
        (true, Some(true)) => result(
            id,
            Status::Fail,
            "ctts, reordered (B-frames)",
            expected,
            "frames are presented in a different order from the one they are stored in \
             (B-frames)",
            fix,
        ),
        (true, None) => result(
            id,
            Status::Warn,
            "ctts, timing table too large to follow",
            expected,
            "the file has composition offsets but its timing table is too varied to check the \
             order",
            fix,
        ),
    }
}

fn close_to(a: Rational, b: Rational) -> bool {
    // |a − b| < 0.001·b, in integers: |a.num·b.den − b.num·a.den|·1000 < b.num·a.den.
    let lhs = (i128::from(a.num) * i128::from(b.den) - i128::from(b.num) * i128::from(a.den)).abs()
        * 1000;
    lhs < i128::from(b.num) * i128::from(a.den)
}

fn rates_text(p: &Profile) -> String {
    p.frame_rates.join(", ")
}

fn frame_rate(v: &TrackFacts, p: &Profile) -> RuleResult {
    let id = RuleId::FrameRate;
    let expected = rates_text(p);
    let Some(fps) = v.frame_rate() else {
        return result(
            id,
            Status::Fail,
            "unknown (no sample timing)",
            expected,
            "the picture track has no usable timing table",
            "re-export the file",
        );
    };
    let measured = format!("{fps} ({:.3} fps)", fps.to_f64());
    if p.rates().into_iter().any(|r| close_to(fps, r)) {
        result(id, Status::Pass, measured, expected, "allowed rate", "")
    } else {
        result(
            id,
            Status::Fail,
            measured,
            expected,
            "the frame rate is not one the profile allows",
            "export at the source's rate (23.976 / 24 / 25 / 29.97 …), without rate conversion",
        )
    }
}

fn constant_rate(v: &TrackFacts) -> RuleResult {
    let id = RuleId::ConstantFrameRate;
    let expected = "constant frame rate";
    let s = &v.samples;
    if s.runs_capped {
        return result(
            id,
            Status::Fail,
            "over 100000 different timing runs",
            expected,
            "the frame durations vary throughout (variable frame rate)",
            "re-encode at a constant rate: `ffmpeg -i IN -fps_mode cfr -r RATE …`",
        );
    }
    // MediaInfo's rule: with 2–3 runs one odd first or last run is ignored (a stretched first
    // frame, a short last one), then the rate spread must stay under 0.001 fps.
    let runs: Vec<(u32, u32)> = s.runs.iter().copied().filter(|r| r.0 > 0).collect();
    let core: &[(u32, u32)] = match runs.len() {
        2 | 3 if runs.first().is_some_and(|r| r.0 == 1) => &runs[1..],
        2 | 3 if runs.last().is_some_and(|r| r.0 == 1) => &runs[..runs.len() - 1],
        _ => &runs,
    };
    let min = core.iter().map(|r| r.1).filter(|&d| d > 0).min();
    let max = core.iter().map(|r| r.1).max();
    let measured = format!(
        "{} timing run(s), frame durations {}…{} / {}",
        runs.len(),
        min.unwrap_or(0),
        max.unwrap_or(0),
        v.timescale
    );
    let (Some(min), Some(max)) = (min, max) else {
        return result(
            id,
            Status::Fail,
            measured,
            expected,
            "no frame durations",
            "re-export the file",
        );
    };
    // timescale/min − timescale/max ≥ 0.001 ⇔ 1000·timescale·(max − min) ≥ min·max.
    let spread = 1000 * u128::from(v.timescale) * u128::from(max - min);
    if spread >= u128::from(min) * u128::from(max) {
        result(
            id,
            Status::Fail,
            measured,
            expected,
            "frame durations vary (variable frame rate); review tools and the NLE will drift",
            "re-encode at a constant rate: `ffmpeg -i IN -fps_mode cfr -r RATE …`",
        )
    } else {
        result(id, Status::Pass, measured, expected, "constant", "")
    }
}

fn sizes_text(p: &Profile) -> String {
    if !p.frame_sizes.is_empty() {
        return p
            .frame_sizes
            .iter()
            .map(|[w, h]| format!("{w}x{h}"))
            .collect::<Vec<_>>()
            .join(" or ");
    }
    let mut parts = Vec::new();
    if let Some(m) = p.size_multiple {
        parts.push(format!("both sides divisible by {m}"));
    }
    if let Some([w, h]) = p.size_min {
        parts.push(format!("at least {w}x{h}"));
    }
    if let Some([w, h]) = p.size_max {
        parts.push(format!("at most {w}x{h}"));
    }
    parts.join(", ")
}

fn frame_size(v: &TrackFacts, p: &Profile) -> RuleResult {
    let id = RuleId::FrameSize;
    let expected = sizes_text(p);
    let (w, h) = v
        .video
        .as_ref()
        .map_or((0, 0), |e| (u32::from(e.width), u32::from(e.height)));
    let measured = format!("{w}x{h}");
    let ok = if p.frame_sizes.is_empty() {
        p.size_multiple
            .is_none_or(|m| m > 0 && w % m == 0 && h % m == 0)
            && p.size_min.is_none_or(|[mw, mh]| w >= mw && h >= mh)
            && p.size_max.is_none_or(|[mw, mh]| w <= mw && h <= mh)
    } else {
        p.frame_sizes.contains(&[w, h])
    };
    if ok {
        result(id, Status::Pass, measured, expected, "allowed size", "")
    } else {
        result(
            id,
            Status::Fail,
            measured,
            &expected,
            format!("the picture is {w}x{h}; the profile wants {expected}"),
            format!(
                "export at {expected}; pad (letterbox/pillarbox) rather than scale when the \
                 source has another shape"
            ),
        )
    }
}

fn video_kbps_text(p: &Profile) -> String {
    p.max_video_kbps
        .map_or("no limit".into(), |k| format!("at most {k} kbps"))
}

fn video_bitrate(v: &TrackFacts, p: &Profile) -> RuleResult {
    let id = RuleId::VideoBitrate;
    let expected = video_kbps_text(p);
    let Some(bps) = v.bit_rate() else {
        return result(
            id,
            Status::Info,
            "unknown",
            expected,
            "no sample sizes or duration",
            "",
        );
    };
    let measured = format!("{} kbps average", bps / 1000);
    match p.max_video_kbps {
        // 5 % over the ceiling before warning: short clips overshoot their target.
        Some(max) if bps.saturating_mul(100) > max.saturating_mul(1000 * 105) => result(
            id,
            Status::Warn,
            measured,
            &expected,
            format!("the picture averages more than the profile's {max} kbps"),
            format!(
                "re-encode with `-b:v {}k -maxrate {max}k -bufsize {max}k`",
                max * 5 / 6
            ),
        ),
        _ => result(
            id,
            Status::Pass,
            measured,
            expected,
            "within the ceiling",
            "",
        ),
    }
}

/// How one set of colour codes stands against the spec (speccheck.md §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ColourClass {
    /// An allowed colour space, by name.
    Allowed(&'static str),
    /// Some code is 2 ("unspecified") and the others do not rule the file out.
    Unspecified,
    /// BT.2020, PQ, HLG, RGB or another combination outside BT.709 / BT.601 / xvYCC.
    Refused,
}

/// Codes that can be part of an allowed triple, each field on its own.
fn colour_codes_possible(c: ColourCodes) -> bool {
    let ok = |v: u16, allowed: &[u16]| v == 2 || allowed.contains(&v);
    ok(c.primaries, &[1, 5, 6, 7])
        && ok(c.transfer, &[1, 6, 11, 12, 14, 15])
        && ok(c.matrix, &[1, 5, 6])
}

fn classify_colour(c: ColourCodes) -> ColourClass {
    let ColourCodes {
        primaries: p,
        transfer: t,
        matrix: m,
    } = c;
    if !colour_codes_possible(c) {
        return ColourClass::Refused;
    }
    if p == 2 || t == 2 || m == 2 {
        return ColourClass::Unspecified;
    }
    // 14/15 are BT.2020's transfer, numerically BT.709's; 11/12 are xvYCC's extended-gamut
    // BT.709 transfer, which the spec names as allowed.
    match (p, t, m) {
        (1, 1 | 6 | 14 | 15, 1) => ColourClass::Allowed("BT.709"),
        (5, 1 | 6, 5 | 6) => ColourClass::Allowed("BT.601 625-line"),
        (6, 1 | 6, 5 | 6) => ColourClass::Allowed("BT.601 525-line"),
        (7, 1 | 6, 5 | 6) => ColourClass::Allowed("BT.601 (SMPTE 240M primaries)"),
        (_, 11 | 12, 1 | 5 | 6) => ColourClass::Allowed("xvYCC"),
        _ => ColourClass::Refused,
    }
}

fn colour_text(c: ColourCodes) -> String {
    format!("{}-{}-{}", c.primaries, c.transfer, c.matrix)
}

/// The codes in words (H.273 names), for messages about refused or disagreeing tags.
fn colour_words(c: ColourCodes) -> String {
    let primaries = match c.primaries {
        1 => "BT.709",
        2 => "unspecified",
        4 => "BT.470M",
        5 => "BT.601 625",
        6 => "BT.601 525",
        7 => "SMPTE 240M",
        8 => "generic film",
        9 => "BT.2020",
        10 => "XYZ",
        11 => "DCI-P3",
        12 => "Display P3",
        22 => "EBU 3213",
        _ => "other",
    };
    let transfer = match c.transfer {
        1 | 6 | 14 | 15 => "BT.709/601",
        2 => "unspecified",
        4 => "gamma 2.2",
        5 => "gamma 2.8",
        7 => "SMPTE 240M",
        8 => "linear",
        11 | 12 => "xvYCC",
        13 => "sRGB",
        16 => "PQ (HDR)",
        17 => "SMPTE 428",
        18 => "HLG (HDR)",
        _ => "other",
    };
    let matrix = match c.matrix {
        0 => "RGB",
        1 => "BT.709",
        2 => "unspecified",
        4 => "FCC",
        5 | 6 => "BT.601",
        7 => "SMPTE 240M",
        8 => "YCgCo",
        9 => "BT.2020",
        10 => "BT.2020 constant luminance",
        14 => "ICtCp",
        _ => "other",
    };
    format!("{primaries} primaries, {transfer} transfer, {matrix} matrix")
}

/// Whether two code sets contradict each other: some field both state (not 2) with different
/// values. One saying "unspecified" where the other says something is not a contradiction.
fn colours_disagree(a: ColourCodes, b: ColourCodes) -> bool {
    let differ = |x: u16, y: u16| x != 2 && y != 2 && x != y;
    differ(a.primaries, b.primaries) || differ(a.transfer, b.transfer) || differ(a.matrix, b.matrix)
}

/// Field by field, the first source that states a code (2 where none does).
fn merge_colours(sources: &[(&str, ColourCodes)]) -> ColourCodes {
    let pick = |get: fn(&ColourCodes) -> u16| {
        sources
            .iter()
            .map(|(_, c)| get(c))
            .find(|&v| v != 2)
            .unwrap_or(2)
    };
    ColourCodes {
        primaries: pick(|c| c.primaries),
        transfer: pick(|c| c.transfer),
        matrix: pick(|c| c.matrix),
    }
}

/// Colour from both places a player may take it: the QuickTime `colr` atom and the H.264 SPS
/// VUI. Either refusing the file fails it; a contradiction between them warns (players that read
/// the container and players that read the stream show different colour); unstated in both
/// warns (players assume BT.709 for HD).
fn colorimetry(v: &TrackFacts) -> RuleResult {
    let id = RuleId::Colorimetry;
    let expected = "BT.709 (1-1-1), BT.601 (5/6-1/6-5/6) or xvYCC, the same in colr and VUI";
    let entry = v.video.as_ref();
    let colr = entry.and_then(|e| e.colour);
    let vui = entry.and_then(|e| e.sps).and_then(|s| s.vui);
    let colr_text = match colr {
        Some(c) => format!("colr {} {}", fourcc_str(c.kind), colour_text(c.codes)),
        None => "no colr".to_owned(),
    };
    let range = |full: bool| if full { "full range" } else { "limited range" };
    let vui_text = match (entry, vui) {
        (Some(e), _) if !e.has_avcc => "no avcC (no VUI)".to_owned(),
        (Some(e), _) if e.sps.is_none() => "SPS unreadable (VUI not read)".to_owned(),
        (_, None) => "no VUI".to_owned(),
        (_, Some(u)) => {
            let colour = u
                .colour
                .map_or("VUI without colour description".to_owned(), |c| {
                    format!("VUI {}", colour_text(c))
                });
            match u.full_range {
                Some(full) => format!("{colour} ({})", range(full)),
                None => colour,
            }
        }
    };
    let full_range = colr
        .and_then(|c| c.full_range)
        .or(vui.and_then(|u| u.full_range))
        .unwrap_or(false);
    let measured = format!("{colr_text}; {vui_text}");
    let mut sources = Vec::new();
    if let Some(c) = colr {
        sources.push(("the colr atom", c.codes));
    }
    if let Some(c) = vui.and_then(|u| u.colour) {
        sources.push(("the H.264 VUI", c));
    }
    let said = |(who, c): &(&str, ColourCodes)| {
        format!("{who} says {} ({})", colour_text(*c), colour_words(*c))
    };
    let fix = "convert to BT.709 and tag it: `-vf colorspace=all=bt709 -color_primaries bt709 \
               -color_trc bt709 -colorspace bt709`";
    if let Some(bad) = sources
        .iter()
        .find(|(_, c)| classify_colour(*c) == ColourClass::Refused)
    {
        let others: Vec<String> = sources
            .iter()
            .filter(|s| s.0 != bad.0)
            .map(|s| format!("; {}", said(s)))
            .collect();
        return result(
            id,
            Status::Fail,
            measured,
            expected,
            format!(
                "{}: not BT.709, BT.601 or xvYCC (BT.2020, HDR or RGB pictures are not \
                 accepted){}",
                said(bad),
                others.concat()
            ),
            fix,
        );
    }
    if let [a, b] = sources.as_slice()
        && colours_disagree(a.1, b.1)
    {
        return result(
            id,
            Status::Warn,
            measured,
            expected,
            format!(
                "{} but {}: tools that take colour from the container (QuickTime, FFmpeg's \
                 stream info) and those that take it from the H.264 stream (decoded frames) may \
                 show different colour",
                said(a),
                said(b)
            ),
            "tag both the same: re-encode with `-color_primaries bt709 -color_trc bt709 \
             -colorspace bt709` (x264 writes the VUI and FFmpeg's muxer the colr atom from \
             these)",
        );
    }
    let merged = merge_colours(&sources);
    let assumed = if entry.is_some_and(|e| e.height < 720) {
        "BT.601 for SD"
    } else {
        "BT.709 for HD"
    };
    match classify_colour(merged) {
        ColourClass::Allowed(name) => {
            let from = match sources.as_slice() {
                [_, _] => "colr and VUI agree",
                [(who, _)] if *who == "the colr atom" => "from colr; the VUI states no colour",
                _ => "from the VUI; no colr atom",
            };
            let range_note = if full_range {
                "; flagged full range (0-255), which review players often show washed out or \
                 crushed: check blacks and whites"
            } else {
                ""
            };
            result(
                id,
                Status::Pass,
                measured,
                expected,
                format!("{name} ({from}){range_note}"),
                "",
            )
        }
        ColourClass::Unspecified => {
            let message = if sources.is_empty() {
                format!(
                    "the colour space is stated neither in a colr atom nor in the H.264 VUI; \
                     players will assume {assumed}"
                )
            } else {
                let each: Vec<String> = sources.iter().map(said).collect();
                format!(
                    "the colour space is left unspecified ({}); players will assume {assumed}",
                    each.join("; ")
                )
            };
            result(
                id,
                Status::Warn,
                measured,
                expected,
                message,
                "tag the colour: `-color_primaries bt709 -color_trc bt709 -colorspace bt709`",
            )
        }
        ColourClass::Refused => result(
            id,
            Status::Fail,
            measured,
            expected,
            format!(
                "colr and VUI together say {} ({}): not BT.709, BT.601 or xvYCC",
                colour_text(merged),
                colour_words(merged)
            ),
            fix,
        ),
    }
}

/// MPEG-4 audio object types (ISO 14496-3 Table 1.1) a review file might carry.
fn object_type_name(aot: u8) -> &'static str {
    match aot {
        1 => "AAC Main",
        2 => "AAC LC",
        3 => "AAC SSR",
        4 => "AAC LTP",
        5 => "SBR",
        6 => "AAC Scalable",
        17 => "ER AAC LC",
        19 => "ER AAC LTP",
        20 => "ER AAC Scalable",
        23 => "ER AAC LD, Low Delay",
        29 => "PS",
        39 => "ER AAC ELD, Enhanced Low Delay",
        42 => "USAC, xHE-AAC",
        _ => "not AAC",
    }
}

fn aac_lc(a: &TrackFacts) -> RuleResult {
    let id = RuleId::AudioCodecAacLc;
    let expected = "AAC-LC (mp4a, object type 2, no SBR/PS)";
    let entry = a.sample_entry.map(fourcc_str).unwrap_or("none".into());
    let esds = a.audio.as_ref().and_then(|e| e.esds);
    let fix = "encode the sound as AAC-LC: `-c:a aac -profile:a aac_low` in ffmpeg, or \"AAC \
               (Low Complexity)\" in the export settings; not HE-AAC, AAC-LD or MP3";
    let fail = |measured: String, message: String| {
        result(id, Status::Fail, measured, expected, message, fix)
    };
    if entry != "mp4a" {
        return fail(entry, "the sound is not AAC".into());
    }
    let Some(esds) = esds else {
        return fail(
            "mp4a without esds".into(),
            "the AAC configuration is missing".into(),
        );
    };
    let oti = esds.object_type_indication;
    let Some(c) = esds.config else {
        return fail(
            format!("mp4a, object type indication 0x{oti:02x}, no AudioSpecificConfig"),
            if oti == 0x6B || oti == 0x69 {
                "the sound is MP3, not AAC".into()
            } else {
                "the AAC configuration is missing or unreadable".into()
            },
        );
    };
    // Hierarchical HE-AAC names SBR/PS first and the core coder after it.
    let hierarchical = c.signalled_type != c.object_type;
    let core = format!(
        "object type {} ({})",
        c.object_type,
        object_type_name(c.object_type)
    );
    let measured = if hierarchical {
        format!(
            "mp4a 0x{oti:02x}, object type {} ({}) over core {core}",
            c.signalled_type,
            object_type_name(c.signalled_type)
        )
    } else {
        format!(
            "mp4a 0x{oti:02x}, {core}{}{}",
            if c.sbr {
                " + SBR (sbrPresentFlag 1)"
            } else {
                ""
            },
            if c.ps { " + PS" } else { "" }
        )
    };
    match (oti, c.object_type, c.sbr || c.ps) {
        (0x40, 2, false) => result(
            id,
            Status::Pass,
            measured,
            expected,
            "AAC-LC (implicit SBR inside the frames cannot be ruled out from headers)",
            "",
        ),
        (0x67, 2, false) => result(
            id,
            Status::Warn,
            measured,
            expected,
            "MPEG-2 AAC-LC: the same coding, but signalled as MPEG-2; the spec does not say \
             whether that is accepted",
            fix,
        ),
        (_, _, true) if hierarchical => fail(
            measured,
            format!(
                "HE-AAC{} (object type {}, {}) is not supported by the spec, which asks for \
                 AAC-LC",
                if c.ps { "v2" } else { "" },
                c.signalled_type,
                object_type_name(c.signalled_type)
            ),
        ),
        (_, _, true) => fail(
            measured,
            format!(
                "HE-AAC{}: the LC configuration carries the SBR extension (sync 0x2B7, object \
                 type 5) with sbrPresentFlag set, so decoders run SBR; not supported by the \
                 spec, which asks for AAC-LC",
                if c.ps { "v2 (with PS)" } else { "" }
            ),
        ),
        (_, t @ (23 | 39), _) => fail(
            measured,
            format!(
                "AAC Low Delay (object type {t}, {}) is not supported by the spec, which asks \
                 for AAC-LC",
                object_type_name(t)
            ),
        ),
        (_, 2, _) => fail(
            measured,
            format!("object type indication 0x{oti:02x} is not MPEG-4 (0x40) or MPEG-2 (0x67) AAC"),
        ),
        (_, t, _) => fail(
            measured,
            format!(
                "the AAC object type is {t} ({}), not LC (2)",
                object_type_name(t)
            ),
        ),
    }
}

fn rates_hz_text(p: &Profile) -> String {
    p.sample_rates
        .iter()
        .map(|r| format!("{r} Hz"))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn sample_rate(a: &TrackFacts, p: &Profile) -> RuleResult {
    let id = RuleId::AudioSampleRate;
    let expected = rates_hz_text(p);
    let entry = a.audio.as_ref();
    let config = entry.and_then(|e| e.esds).and_then(|e| e.config);
    // The AudioSpecificConfig is what the decoder uses; the sample entry's field is a hint.
    // With explicit SBR the output runs at the extension rate, twice the core's.
    let sbr_rate = config
        .filter(|c| c.sbr)
        .and_then(|c| Some((c.extension_rate?, c.sample_rate)));
    let rate = sbr_rate
        .map(|(out, _)| out)
        .or_else(|| config.and_then(|c| c.sample_rate))
        .or_else(|| entry.map(|e| e.sample_rate))
        .unwrap_or(0);
    let measured = match sbr_rate {
        Some((out, Some(core))) if core != out => {
            format!("{out} Hz (SBR output; core {core} Hz)")
        }
        _ => format!("{rate} Hz"),
    };
    if p.sample_rates.contains(&rate) {
        result(id, Status::Pass, measured, expected, "allowed rate", "")
    } else {
        result(
            id,
            Status::Fail,
            measured,
            &expected,
            format!("the sound runs at {rate} Hz; the profile allows {expected}"),
            format!(
                "export the mix at {} Hz (`-ar {}`)",
                p.sample_rates.last().copied().unwrap_or(48000),
                p.sample_rates.last().copied().unwrap_or(48000)
            ),
        )
    }
}

/// What a `chan` atom says about a stereo pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum StereoLabel {
    /// Plain left/right (Stereo, StereoHeadphones, or L R descriptions / bitmap).
    LeftRight,
    /// Matrix-encoded left total / right total (MatrixStereo, or Lt Rt descriptions).
    Matrixed,
    /// Anything else: mono, mid/side, binaural, a multichannel layout …
    Other,
}

/// CoreAudio channel labels in words (`AudioChannelLabel`).
fn channel_label(label: u32) -> String {
    match label {
        1 => "L".into(),
        2 => "R".into(),
        3 => "C".into(),
        4 => "LFE".into(),
        5 => "Ls".into(),
        6 => "Rs".into(),
        38 => "Lt".into(),
        39 => "Rt".into(),
        42 => "Mono".into(),
        n => format!("label {n}"),
    }
}

/// The label a `chan` atom gives, and its description for the measured value.
fn stereo_label(c: &ChannelLayout) -> (StereoLabel, String) {
    use StereoLabel::{LeftRight, Matrixed, Other};
    match c.tag {
        0x0065_0002 => (LeftRight, "layout Stereo (L R)".into()),
        0x0066_0002 => (LeftRight, "layout StereoHeadphones (L R)".into()),
        0x0067_0002 => (Matrixed, "layout MatrixStereo (Lt Rt, matrixed)".into()),
        0x0064_0001 => (Other, "layout Mono".into()),
        0x0068_0002 => (Other, "layout MidSide (M S)".into()),
        0x0069_0002 => (Other, "layout XY".into()),
        0x006A_0002 => (Other, "layout Binaural".into()),
        // Bitmap form: bit 0 left, bit 1 right.
        0x0001_0000 if c.bitmap == 0b11 => (LeftRight, "layout bitmap (L R)".into()),
        0x0001_0000 => (Other, format!("layout bitmap 0x{:x}", c.bitmap)),
        0 => {
            let names: Vec<String> = c.labels.iter().map(|&l| channel_label(l)).collect();
            let text = format!("layout by description ({})", names.join(" "));
            match c.labels.as_slice() {
                [1, 2] => (LeftRight, text),
                [38, 39] => (Matrixed, format!("{text}, matrixed")),
                _ => (Other, text),
            }
        }
        tag => (
            Other,
            format!("layout tag 0x{tag:08x} ({} channels)", tag & 0xffff),
        ),
    }
}

fn channels(a: &TrackFacts) -> RuleResult {
    let id = RuleId::AudioChannels;
    let expected = "2 (L/R or Lt/Rt)";
    let entry = a.audio.as_ref();
    let config = entry.and_then(|e| e.esds).and_then(|e| e.config);
    let n = config
        .map(|c| u16::from(c.channel_config))
        .filter(|&n| n > 0)
        .or_else(|| entry.map(|e| e.channels))
        .unwrap_or(0);
    let label = entry.and_then(|e| e.chan.as_ref()).map(stereo_label);
    let measured = match &label {
        Some((_, text)) => format!("{n} channel(s), {text}"),
        None => format!("{n} channel(s), no chan atom"),
    };
    let fix = "deliver the 2.0 mix (or its Lt/Rt fold-down) as one interleaved stereo track: \
               `-ac 2`";
    match (n, label.map(|l| l.0)) {
        (2, None) => result(
            id,
            Status::Pass,
            measured,
            expected,
            "stereo (no chan atom, so L/R and Lt/Rt cannot be told apart; both are allowed)",
            "",
        ),
        (2, Some(StereoLabel::LeftRight)) => {
            result(id, Status::Pass, measured, expected, "stereo L/R", "")
        }
        (2, Some(StereoLabel::Matrixed)) => result(
            id,
            Status::Pass,
            measured,
            expected,
            "matrixed stereo Lt/Rt (labelled in the chan atom)",
            "",
        ),
        (2, Some(StereoLabel::Other)) => result(
            id,
            Status::Warn,
            measured,
            expected,
            "two channels, but the chan atom labels them as neither L/R nor Lt/Rt",
            "relabel the pair: `ffmpeg -i IN -map 0 -c copy OUT.mov` rewrites the chan atom as \
             Stereo (L R); an Lt/Rt fold-down needs an export that can label it MatrixStereo",
        ),
        (1, _) => result(
            id,
            Status::Warn,
            measured,
            expected,
            "mono: PIX accepts \"Mixed Mono\", Netflix's page lists only stereo L/R or Lt/Rt, so \
             whether this is accepted is uncertain",
            fix,
        ),
        _ => result(
            id,
            Status::Fail,
            measured,
            expected,
            "the review file must carry stereo (L/R or Lt/Rt), not multichannel",
            fix,
        ),
    }
}

fn audio_kbps_text(p: &Profile) -> String {
    p.audio_kbps
        .map_or("no figure".into(), |k| format!("{k} kbps"))
}

fn audio_bitrate(a: &TrackFacts, p: &Profile) -> RuleResult {
    let id = RuleId::AudioBitrate;
    let expected = audio_kbps_text(p);
    let Some(bps) = a.bit_rate() else {
        return result(
            id,
            Status::Info,
            "unknown",
            expected,
            "no sample sizes or duration",
            "",
        );
    };
    let measured = format!("{} kbps average", bps / 1000);
    match p.audio_kbps {
        Some(k) if bps.saturating_mul(100) > k.saturating_mul(1000 * 105) => result(
            id,
            Status::Warn,
            measured,
            &expected,
            format!("the sound averages more than the profile's {k} kbps"),
            format!("re-encode the sound with `-c:a aac -b:a {k}k`"),
        ),
        _ => result(
            id,
            Status::Pass,
            measured,
            expected,
            "within the figure",
            "",
        ),
    }
}

fn video_count(f: &Facts) -> RuleResult {
    let id = RuleId::VideoTrackCount;
    if f.cmov {
        return unmeasured(id, "exactly 1", f, "");
    }
    let n = f.tracks_with(b"vide").count();
    let measured = format!("{n} video track(s)");
    if n == 1 {
        result(
            id,
            Status::Pass,
            measured,
            "exactly 1",
            "one picture track",
            "",
        )
    } else {
        result(
            id,
            Status::Fail,
            measured,
            "exactly 1",
            "the review file must carry exactly one picture track",
            "export one picture track only (`-map 0:v:0` in ffmpeg)",
        )
    }
}

fn audio_count(f: &Facts) -> RuleResult {
    let id = RuleId::AudioTrackCount;
    if f.cmov {
        return unmeasured(id, "at most 1", f, "");
    }
    let n = f.tracks_with(b"soun").count();
    let measured = format!("{n} sound track(s)");
    if n <= 1 {
        result(id, Status::Pass, measured, "at most 1", "", "")
    } else {
        result(
            id,
            Status::Fail,
            measured,
            "at most 1",
            "the review file must carry a single sound track (interleaved stereo)",
            "export one stereo track (`-map 0:a:0` in ffmpeg, or mix the stems down)",
        )
    }
}

fn no_text(f: &Facts) -> RuleResult {
    let id = RuleId::NoTextTracks;
    let expected = "no text, subtitle or caption tracks";
    if f.cmov {
        return unmeasured(id, expected, f, "");
    }
    let text: Vec<String> = f
        .tracks
        .iter()
        .filter(|t| matches!(&t.handler, b"text" | b"sbtl" | b"clcp" | b"subp" | b"subt"))
        .map(|t| {
            format!(
                "{} track {}{}",
                track_kind(t.handler),
                t.id,
                if t.enabled {
                    ""
                } else {
                    " (disabled: chapters?)"
                }
            )
        })
        .collect();
    if text.is_empty() {
        result(id, Status::Pass, "none", expected, "", "")
    } else {
        result(
            id,
            Status::Fail,
            text.join(", "),
            expected,
            "the file carries text tracks (subtitles, captions or chapters), which the spec \
             does not allow",
            "drop them: `ffmpeg -i IN -map 0:v -map 0:a -map_chapters -1 -c copy OUT.mov`",
        )
    }
}

fn timecode(f: &Facts) -> RuleResult {
    let id = RuleId::Timecode;
    let expected = "a tmcd track (recommended, not required)";
    match &f.start_timecode {
        Some(tc) => result(
            id,
            Status::Pass,
            format!("tmcd from {tc}"),
            expected,
            "source timecode present",
            "",
        ),
        None if f.cmov => unmeasured(id, expected, f, ""),
        None => result(
            id,
            Status::Info,
            "no tmcd track",
            expected,
            "no source timecode track: notes will be timed from 00:00:00:00",
            "add the source timecode: `ffmpeg -i IN -c copy -timecode 01:00:00:00 OUT.mov`",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_are_named_in_words_and_odd_handlers_by_code() {
        assert_eq!(track_kind(*b"vide"), "video");
        assert_eq!(track_kind(*b"soun"), "sound");
        assert_eq!(track_kind(*b"clcp"), "caption");
        assert_eq!(track_kind(*b"hint"), "'hint'");
        assert_eq!(track_kind([0, b'a', b'b', b'c']), "'\\x00abc'");
    }
}
