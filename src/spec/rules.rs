//! Each rule id of the spec check, turning [`Facts`] and a [`Profile`] into a [`RuleResult`] with
//! the measured and expected values, a plain-words explanation and a concrete fix.
//!
//! Severities follow the research notes (`speccheck.md`): bit rates are ceilings that warn,
//! never fail; points the published spec leaves open (identity or priming-only edit lists, mono,
//! an "AVC" compressor name, no colour tags) are warnings that say what is uncertain. A rule not
//! implemented yet reports `info` "not checked yet", never a pass.

use super::facts::{Facts, TrackFacts};
use super::profile::Profile;
use super::report::{Report, RuleResult, Status};
use crate::media::atoms::fourcc_str;
use crate::time::Rational;

/// The rule ids, in report order (stable: used in JSON).
pub const RULE_IDS: [&str; 22] = [
    "container-mov",
    "fast-start",
    "no-cmov",
    "no-edit-lists",
    "video-codec-h264",
    "video-tag",
    "closed-gop",
    "no-frame-reordering",
    "frame-rate",
    "constant-frame-rate",
    "frame-size",
    "video-bitrate",
    "colorimetry",
    "interlace",
    "audio-codec-aac-lc",
    "audio-sample-rate",
    "audio-channels",
    "audio-bitrate",
    "video-track-count",
    "audio-track-count",
    "no-text-tracks",
    "timecode",
];

/// AAC encoder priming longer than this (samples, media timescale) is not "just priming".
const MAX_PRIMING: i64 = 4096;

/// Runs every rule.
pub fn evaluate(facts: &Facts, profile: &Profile) -> Report {
    let rules = RULE_IDS
        .iter()
        .map(|&id| {
            let mut r = rule(id, facts, profile);
            let ceiling = profile.ceiling(id);
            if r.status > ceiling {
                r.message = format!(
                    "{} (profile {} lowers this rule to {})",
                    r.message,
                    profile.id,
                    ceiling.name()
                );
                r.status = ceiling;
            }
            r
        })
        .collect();
    Report::new(&profile.id, rules)
}

fn result(
    id: &'static str,
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

fn not_checked(id: &'static str, expected: &str) -> RuleResult {
    result(id, Status::Info, "-", expected, "not checked yet", "")
}

/// For track rules when the tracks cannot be seen or the track is missing.
fn unmeasured(id: &'static str, expected: &str, facts: &Facts, what: &str) -> RuleResult {
    let message = if facts.cmov {
        "not measured: the movie header is compressed (cmov), see no-cmov".to_owned()
    } else {
        format!("not measured: the file has no {what} track, see the track-count rules")
    };
    result(id, Status::Info, "-", expected, message, "")
}

fn rule(id: &'static str, f: &Facts, p: &Profile) -> RuleResult {
    match id {
        "container-mov" => container_mov(f),
        "fast-start" => fast_start(f),
        "no-cmov" => no_cmov(f),
        "no-edit-lists" => no_edit_lists(f),
        "video-codec-h264" => with_video(id, "avc1 with avcC", f, video_codec),
        "video-tag" => with_video(id, "compressor name naming H.264", f, video_tag),
        "closed-gop" => with_video(id, "every sync sample an IDR picture", f, closed_gop),
        "no-frame-reordering" => with_video(id, "no ctts reordering", f, no_reordering),
        "frame-rate" => with_video(id, &rates_text(p), f, |v| frame_rate(v, p)),
        "constant-frame-rate" => with_video(id, "one frame duration", f, constant_rate),
        "frame-size" => with_video(id, &sizes_text(p), f, |v| frame_size(v, p)),
        "video-bitrate" => with_video(id, &video_kbps_text(p), f, |v| video_bitrate(v, p)),
        "colorimetry" => with_video(id, "BT.709, BT.601 or xvYCC", f, colorimetry),
        "interlace" => with_video(id, "progressive or interlaced (reported)", f, interlace),
        "audio-codec-aac-lc" => with_audio(id, "AAC-LC (mp4a, object type 2)", f, aac_lc),
        "audio-sample-rate" => with_audio(id, &rates_hz_text(p), f, |a| sample_rate(a, p)),
        "audio-channels" => with_audio(id, "2 (L/R or Lt/Rt)", f, channels),
        "audio-bitrate" => with_audio(id, &audio_kbps_text(p), f, |a| audio_bitrate(a, p)),
        "video-track-count" => video_count(f),
        "audio-track-count" => audio_count(f),
        "no-text-tracks" => no_text(f),
        "timecode" => timecode(f),
        _ => not_checked(id, "-"),
    }
}

fn with_video(
    id: &'static str,
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
    id: &'static str,
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
    let id = "container-mov";
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
    let id = "fast-start";
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
    let id = "no-cmov";
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

fn no_edit_lists(f: &Facts) -> RuleResult {
    let id = "no-edit-lists";
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
        let kind = fourcc_str(t.handler);
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
    let id = "video-codec-h264";
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

fn video_tag(v: &TrackFacts) -> RuleResult {
    let id = "video-tag";
    let expected = "compressor name naming H.264";
    let name = v
        .video
        .as_ref()
        .map(|e| e.compressor.clone())
        .unwrap_or_default();
    let measured = format!("compressor name {name:?}");
    let lower = name.to_ascii_lowercase();
    let h264 = lower.contains("h.264") || lower.contains("h264");
    let fix = "set the compressor name to H.264 (`-metadata:s:v:0 encoder=H.264` in ffmpeg) or \
               export with an encoder that labels itself H.264";
    if h264 {
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
    let id = "closed-gop";
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
    let id = "interlace";
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
    let id = "no-frame-reordering";
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
    let id = "frame-rate";
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
    let id = "constant-frame-rate";
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
    let id = "frame-size";
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
    let id = "video-bitrate";
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
        Some(max) if bps * 100 > max * 1000 * 105 => result(
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

fn colorimetry(v: &TrackFacts) -> RuleResult {
    let id = "colorimetry";
    let expected = "BT.709 (1-1-1), BT.601 (5/6-1/6-5/6) or xvYCC";
    let Some(c) = v.video.as_ref().and_then(|e| e.colour) else {
        return result(
            id,
            Status::Warn,
            "no colr atom",
            expected,
            "the colour space is not stated in the container (the H.264 VUI is not read yet); \
             players will assume BT.709 for HD",
            "tag the colour: `-color_primaries bt709 -color_trc bt709 -colorspace bt709`",
        );
    };
    let measured = format!(
        "{} {}-{}-{}",
        fourcc_str(c.kind),
        c.primaries,
        c.transfer,
        c.matrix
    );
    let (p, t, m) = (c.primaries, c.transfer, c.matrix);
    let bt709 = p == 1 && matches!(t, 1 | 6 | 14 | 15) && m == 1;
    let bt601 = matches!(p, 5..=7) && matches!(t, 1 | 6) && matches!(m, 5 | 6);
    let xvycc = matches!(t, 11 | 12) && matches!(m, 1 | 5 | 6);
    let fix = "convert to BT.709 and tag it: `-vf colorspace=all=bt709 -color_primaries bt709 \
               -color_trc bt709 -colorspace bt709`";
    if bt709 || bt601 || xvycc {
        result(
            id,
            Status::Pass,
            measured,
            expected,
            "allowed colour space",
            "",
        )
    } else if p == 2 || t == 2 || m == 2 {
        result(
            id,
            Status::Warn,
            measured,
            expected,
            "a colour code is \"unspecified\"; players will guess (BT.709 for HD)",
            fix,
        )
    } else {
        result(
            id,
            Status::Fail,
            measured,
            expected,
            "the colour space is not BT.709, BT.601 or xvYCC (BT.2020, PQ, HLG or RGB?)",
            fix,
        )
    }
}

fn aac_lc(a: &TrackFacts) -> RuleResult {
    let id = "audio-codec-aac-lc";
    let expected = "AAC-LC (mp4a, object type 2, no SBR/PS)";
    let entry = a.sample_entry.map(fourcc_str).unwrap_or("none".into());
    let esds = a.audio.as_ref().and_then(|e| e.esds);
    let fix = "encode the sound as AAC-LC: `-c:a aac -profile:a aac_low` in ffmpeg, or \"AAC \
               (Low Complexity)\" in the export settings; not HE-AAC, AAC-LD or MP3";
    let fail = |measured: String, message: &str| {
        result(id, Status::Fail, measured, expected, message, fix)
    };
    if entry != "mp4a" {
        return fail(entry, "the sound is not AAC");
    }
    let Some(esds) = esds else {
        return fail(
            "mp4a without esds".into(),
            "the AAC configuration is missing",
        );
    };
    let oti = esds.object_type_indication;
    let Some(c) = esds.config else {
        return fail(
            format!("mp4a, object type indication 0x{oti:02x}, no AudioSpecificConfig"),
            if oti == 0x6B || oti == 0x69 {
                "the sound is MP3, not AAC"
            } else {
                "the AAC configuration is missing or unreadable"
            },
        );
    };
    let measured = format!(
        "mp4a 0x{oti:02x}, object type {}{}{}",
        c.object_type,
        if c.sbr { " + SBR" } else { "" },
        if c.ps { " + PS" } else { "" }
    );
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
        (_, _, true) => fail(measured, "HE-AAC (SBR/PS) is not supported by the spec"),
        (_, 23 | 39, _) => fail(measured, "AAC Low Delay is not supported by the spec"),
        _ => fail(measured, "the AAC object type is not LC (Main, LTP, SSR …)"),
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
    let id = "audio-sample-rate";
    let expected = rates_hz_text(p);
    let entry = a.audio.as_ref();
    // The AudioSpecificConfig is what the decoder uses; the sample entry's field is a hint.
    let rate = entry
        .and_then(|e| e.esds)
        .and_then(|e| e.config)
        .and_then(|c| c.sample_rate)
        .or_else(|| entry.map(|e| e.sample_rate))
        .unwrap_or(0);
    let measured = format!("{rate} Hz");
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

fn channels(a: &TrackFacts) -> RuleResult {
    let id = "audio-channels";
    let expected = "2 (L/R or Lt/Rt)";
    let entry = a.audio.as_ref();
    let config = entry.and_then(|e| e.esds).and_then(|e| e.config);
    let n = config
        .map(|c| u16::from(c.channel_config))
        .filter(|&n| n > 0)
        .or_else(|| entry.map(|e| e.channels))
        .unwrap_or(0);
    let layout = entry.and_then(|e| e.chan_layout);
    let layout_text = match layout {
        Some(0x0065_0002) => ", layout Stereo (L R)",
        Some(0x0067_0002) => ", layout MatrixStereo (Lt Rt)",
        Some(0x0066_0002) => ", layout StereoHeadphones",
        Some(0x0064_0001) => ", layout Mono",
        // Layout by channel descriptions or bitmap: not a named stereo label, but not wrong.
        Some(0 | 0x0001_0000) => ", layout by description",
        Some(_) => ", other layout",
        None => "",
    };
    let measured = match layout {
        Some(tag) if layout_text == ", other layout" => {
            format!("{n} channel(s), layout tag 0x{tag:08x}")
        }
        _ => format!("{n} channel(s){layout_text}"),
    };
    let fix = "deliver the 2.0 mix (or its Lt/Rt fold-down) as one interleaved stereo track: \
               `-ac 2`";
    match n {
        2 if matches!(
            layout,
            None | Some(0 | 0x0001_0000 | 0x0065_0002 | 0x0066_0002 | 0x0067_0002)
        ) =>
        {
            result(id, Status::Pass, measured, expected, "stereo", "")
        }
        2 => result(
            id,
            Status::Warn,
            measured,
            expected,
            "two channels, but the channel layout label is neither L/R nor Lt/Rt",
            fix,
        ),
        1 => result(
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
    let id = "audio-bitrate";
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
        Some(k) if bps * 100 > k * 1000 * 105 => result(
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
    let id = "video-track-count";
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
    let id = "audio-track-count";
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
    let id = "no-text-tracks";
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
                fourcc_str(t.handler),
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
    let id = "timecode";
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
