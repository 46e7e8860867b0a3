//! The sound track's rules: AAC-LC (not HE-AAC, Low Delay or MP3), sample rate, two channels
//! labelled L/R or Lt/Rt, and bit rate. The AudioSpecificConfig is what a decoder obeys, so it
//! wins over the sample description's own channel and rate fields wherever both are present.

use super::result;
use crate::delivery::facts::{ChannelLayout, TrackFacts};
use crate::delivery::profile::Profile;
use crate::delivery::report::{RuleResult, Status};
use crate::delivery::rule_id::RuleId;
use crate::media::atoms::fourcc_str;

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

pub(super) fn aac_lc(a: &TrackFacts) -> RuleResult {
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

pub(super) fn rates_hz_text(p: &Profile) -> String {
    p.sample_rates
        .iter()
        .map(|r| format!("{r} Hz"))
        .collect::<Vec<_>>()
        .join(" or ")
}

pub(super) fn sample_rate(a: &TrackFacts, p: &Profile) -> RuleResult {
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

pub(super) fn channels(a: &TrackFacts) -> RuleResult {
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

pub(super) fn audio_kbps_text(p: &Profile) -> String {
    p.audio_kbps
        .map_or("no figure".into(), |k| format!("{k} kbps"))
}

pub(super) fn audio_bitrate(a: &TrackFacts, p: &Profile) -> RuleResult {
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
