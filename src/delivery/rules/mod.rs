//! Each rule id of the spec check, turning [`Facts`] and a [`Profile`] into a [`RuleResult`] with
//! the measured and expected values, a plain-words explanation and a concrete fix.
//!
//! Severities follow the research notes (`speccheck.md`): bit rates are ceilings that warn,
//! never fail; points the published spec leaves open (identity or priming-only edit lists, mono,
//! an "AVC" compressor name, no colour tags) are warnings that say what is uncertain. Every
//! [`RuleId`] has its rule: the match below is exhaustive, so a new id cannot go unchecked.
//!
//! The rules live by family: [`container`] (brand, fast start, `cmov`, edit lists), [`video`]
//! (codec, tag, GOPs, reordering, rate, size, bit rate, interlace), [`colour`] (colorimetry from
//! `colr` and the VUI), [`audio`] (AAC-LC, rate, channels, bit rate) and [`tracks`] (track
//! counts, text tracks, timecode). This file holds the driver and what they share.

mod audio;
mod colour;
mod container;
mod tracks;
mod video;

use super::facts::{Facts, TrackFacts};
use super::profile::Profile;
use super::report::{Report, RuleResult, Status};
use super::rule_id::RuleId;
use crate::media::atoms::{FourCc, fourcc_str};
use audio::{aac_lc, audio_bitrate, audio_kbps_text, channels, rates_hz_text, sample_rate};
use colour::colorimetry;
use container::{container_mov, fast_start, no_cmov, no_edit_lists};
use tracks::{audio_count, no_text, timecode, video_count};
use video::{
    closed_gop, constant_rate, frame_rate, frame_size, interlace, no_reordering, rates_text,
    sizes_text, video_bitrate, video_codec, video_kbps_text, video_tag,
};

/// The rule ids, in report order (stable: used in JSON); the same as [`RuleId::ALL`].
pub const RULE_IDS: [RuleId; 24] = RuleId::ALL;

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
