//! The picture track's rules: H.264 in `avc1` with its `avcC`, the compressor-name tag, closed
//! GOPs, no frame reordering, frame rate and its constancy, frame size, bit rate, and interlace
//! (reported). Each takes the first video track; the driver reports them unmeasured when there
//! is none. Colour has its own file ([`super::colour`]), bit depth and rotation theirs in
//! `picture_rules`.

use super::result;
use crate::delivery::facts::TrackFacts;
use crate::delivery::profile::Profile;
use crate::delivery::report::{RuleResult, Status};
use crate::delivery::rule_id::RuleId;
use crate::media::atoms::fourcc_str;
use crate::time::Rational;

pub(super) fn video_codec(v: &TrackFacts) -> RuleResult {
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

pub(super) fn video_tag(v: &TrackFacts) -> RuleResult {
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

pub(super) fn closed_gop(v: &TrackFacts) -> RuleResult {
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

pub(super) fn interlace(v: &TrackFacts) -> RuleResult {
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

pub(super) fn no_reordering(v: &TrackFacts) -> RuleResult {
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

pub(super) fn rates_text(p: &Profile) -> String {
    p.frame_rates.join(", ")
}

pub(super) fn frame_rate(v: &TrackFacts, p: &Profile) -> RuleResult {
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

pub(super) fn constant_rate(v: &TrackFacts) -> RuleResult {
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

pub(super) fn sizes_text(p: &Profile) -> String {
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

pub(super) fn frame_size(v: &TrackFacts, p: &Profile) -> RuleResult {
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

pub(super) fn video_kbps_text(p: &Profile) -> String {
    p.max_video_kbps
        .map_or("no limit".into(), |k| format!("at most {k} kbps"))
}

pub(super) fn video_bitrate(v: &TrackFacts, p: &Profile) -> RuleResult {
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
