//! The rules about which tracks a file carries: exactly one picture track, at most one sound
//! track, no text, subtitle or caption tracks, and (recommended) a `tmcd` timecode track. They
//! count handlers over all tracks, so a compressed header (`cmov`) leaves them unmeasured.

use super::{result, track_kind, unmeasured};
use crate::delivery::facts::Facts;
use crate::delivery::report::{RuleResult, Status};
use crate::delivery::rule_id::RuleId;

pub(super) fn video_count(f: &Facts) -> RuleResult {
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

pub(super) fn audio_count(f: &Facts) -> RuleResult {
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

pub(super) fn no_text(f: &Facts) -> RuleResult {
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

pub(super) fn timecode(f: &Facts) -> RuleResult {
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
