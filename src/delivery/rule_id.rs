//! The rule ids of the spec check as a closed set: a misspelt id in code does not compile, and
//! one in a profile or sub-policy file is refused when it is read (naming the file), instead of
//! being reported as "not checked".
//!
//! The text form (`container-mov`, `fast-start` …) is what profiles name and what the JSON and
//! text reports print; [`RuleId::ALL`] is the report order.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// One rule of the spec check. Ordered as in the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RuleId {
    ContainerMov,
    FastStart,
    NoCmov,
    NoEditLists,
    VideoCodecH264,
    VideoTag,
    ClosedGop,
    NoFrameReordering,
    FrameRate,
    ConstantFrameRate,
    FrameSize,
    VideoBitrate,
    Colorimetry,
    Interlace,
    VideoBitDepthChroma,
    Rotation,
    AudioCodecAacLc,
    AudioSampleRate,
    AudioChannels,
    AudioBitrate,
    VideoTrackCount,
    AudioTrackCount,
    NoTextTracks,
    Timecode,
}

impl RuleId {
    /// Every rule, in report order (stable: used in JSON).
    pub const ALL: [RuleId; 24] = [
        Self::ContainerMov,
        Self::FastStart,
        Self::NoCmov,
        Self::NoEditLists,
        Self::VideoCodecH264,
        Self::VideoTag,
        Self::ClosedGop,
        Self::NoFrameReordering,
        Self::FrameRate,
        Self::ConstantFrameRate,
        Self::FrameSize,
        Self::VideoBitrate,
        Self::Colorimetry,
        Self::Interlace,
        Self::VideoBitDepthChroma,
        Self::Rotation,
        Self::AudioCodecAacLc,
        Self::AudioSampleRate,
        Self::AudioChannels,
        Self::AudioBitrate,
        Self::VideoTrackCount,
        Self::AudioTrackCount,
        Self::NoTextTracks,
        Self::Timecode,
    ];

    /// The id as profiles and reports write it (`fast-start`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::ContainerMov => "container-mov",
            Self::FastStart => "fast-start",
            Self::NoCmov => "no-cmov",
            Self::NoEditLists => "no-edit-lists",
            Self::VideoCodecH264 => "video-codec-h264",
            Self::VideoTag => "video-tag",
            Self::ClosedGop => "closed-gop",
            Self::NoFrameReordering => "no-frame-reordering",
            Self::FrameRate => "frame-rate",
            Self::ConstantFrameRate => "constant-frame-rate",
            Self::FrameSize => "frame-size",
            Self::VideoBitrate => "video-bitrate",
            Self::Colorimetry => "colorimetry",
            Self::Interlace => "interlace",
            Self::VideoBitDepthChroma => "video-bit-depth-chroma",
            Self::Rotation => "rotation",
            Self::AudioCodecAacLc => "audio-codec-aac-lc",
            Self::AudioSampleRate => "audio-sample-rate",
            Self::AudioChannels => "audio-channels",
            Self::AudioBitrate => "audio-bitrate",
            Self::VideoTrackCount => "video-track-count",
            Self::AudioTrackCount => "audio-track-count",
            Self::NoTextTracks => "no-text-tracks",
            Self::Timecode => "timecode",
        }
    }
}

/// A rule id no rule has; says which ones exist.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("unknown rule id {0:?} (known: {known})", known = known_ids())]
pub struct UnknownRuleId(pub String);

fn known_ids() -> String {
    RuleId::ALL.map(RuleId::as_str).join(", ")
}

impl FromStr for RuleId {
    type Err = UnknownRuleId;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|id| id.as_str() == text)
            .ok_or_else(|| UnknownRuleId(text.to_owned()))
    }
}

impl TryFrom<&str> for RuleId {
    type Error = UnknownRuleId;

    fn try_from(text: &str) -> Result<Self, Self::Error> {
        text.parse()
    }
}

impl fmt::Display for RuleId {
    /// The id as written; honours width and alignment (`{:<22}`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl Serialize for RuleId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_id_reads_back_and_the_order_is_the_published_one() {
        for (i, id) in RuleId::ALL.into_iter().enumerate() {
            assert_eq!(id.as_str().parse::<RuleId>(), Ok(id));
            assert_eq!(RuleId::try_from(id.as_str()), Ok(id));
            assert_eq!(id.to_string(), id.as_str());
            // `ALL` lists the variants in declaration order, so `Ord` is report order.
            assert!(RuleId::ALL[..i].iter().all(|&before| before < id), "{id}");
        }
        assert_eq!(RuleId::ALL[0].as_str(), "container-mov");
        assert_eq!(RuleId::ALL[23].as_str(), "timecode");
        assert_eq!(format!("[{:<12}]", RuleId::FastStart), "[fast-start  ]");
    }

    #[test]
    fn unknown_ids_are_refused_with_the_known_ones() {
        let e = "fast-strat".parse::<RuleId>().expect_err("misspelt");
        let text = e.to_string();
        assert!(text.starts_with("unknown rule id \"fast-strat\" (known: container-mov, "));
        assert!(text.ends_with(", timecode)"), "{text}");
        assert!(RuleId::try_from("Fast-Start").is_err(), "case matters");
        assert!(RuleId::try_from("").is_err());
    }

    #[test]
    fn serde_uses_the_text_form() {
        let json = serde_json::to_string(&RuleId::VideoBitDepthChroma).expect("json");
        assert_eq!(json, "\"video-bit-depth-chroma\"");
        let back: RuleId = serde_json::from_str(&json).expect("back");
        assert_eq!(back, RuleId::VideoBitDepthChroma);
        assert!(serde_json::from_str::<RuleId>("\"nope\"").is_err());
    }
}
