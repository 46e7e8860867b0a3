//! Two rules about how the picture is stored, which the published spec does not name but which
//! decide whether a review file plays right everywhere: `rotation` (the `tkhd` display matrix:
//! a picture stored sideways and flagged to be turned shows sideways in players that ignore the
//! flag) and `video-bit-depth-chroma` (the SPS: 10-bit or 4:2:2 / 4:4:4 H.264, which many
//! players and TVs cannot decode). Both warn, never fail.

use super::facts::{SpsFields, TrackFacts};
use super::report::{RuleResult, Status};
use super::rule_id::RuleId;
use super::rules::result;
use crate::media::Orientation;

/// The fixed-point 1.0 of the matrix's a, b, c, d.
const ONE: f64 = 65536.0;

/// `rotation`: the video track's display matrix, reported when upright, warned when the picture
/// is stored turned or mirrored.
pub(super) fn rotation(v: &TrackFacts) -> RuleResult {
    let id = RuleId::Rotation;
    let expected = "stored upright (identity matrix)";
    let Some(m) = v.matrix else {
        return result(
            id,
            Status::Info,
            "-",
            expected,
            "not measured: the track header holds no display matrix",
            "",
        );
    };
    let [a, b, _, c, d, ..] = m;
    let terms = [a, b, c, d]
        .iter()
        .map(|x| format!("{}", f64::from(*x) / ONE))
        .collect::<Vec<_>>()
        .join(" ");
    let fix = "re-encode it upright: `ffmpeg -i IN -c:v libx264 -c:a copy OUT.mov` turns the \
               picture as the flag says and writes no flag; or export without rotation metadata";
    let Some(o) = Orientation::from_matrix(&m) else {
        return result(
            id,
            Status::Warn,
            format!("matrix a b c d = {terms}, not a quarter turn"),
            expected,
            "the track matrix transforms the picture in a way other than a quarter turn \
             (an angle or a shear); players differ in how they show it, and Earmark shows it as \
             stored",
            fix,
        );
    };
    let measured = format!("{} (matrix a b c d = {terms})", o.describe());
    if o.is_upright() {
        return result(id, Status::Info, measured, expected, "stored upright", "");
    }
    // The rotation as the flag (and ffprobe's `rotate` tag, MediaInfo's "Rotation") states it.
    let turned = match o.rotation {
        0 => None,
        180 => Some(("rotated 180°".to_owned(), "upside down")),
        r => Some((format!("rotated {r}°"), "sideways")),
    };
    let (stored, shown) = match (o.mirrored, turned) {
        (true, None) => ("mirrored left–right".to_owned(), "mirrored".to_owned()),
        (true, Some((t, s))) => (format!("mirrored and {t}"), format!("mirrored and {s}")),
        (false, Some((t, s))) => (t, s.to_owned()),
        (false, None) => (String::new(), String::new()),
    };
    let message =
        format!("the picture is stored {stored}; players that ignore the flag show it {shown}");
    result(id, Status::Warn, measured, expected, message, fix)
}

/// `video-bit-depth-chroma`: 8-bit 4:2:0 passes; anything else warns.
pub(super) fn bit_depth_chroma(v: &TrackFacts) -> RuleResult {
    let id = RuleId::VideoBitDepthChroma;
    let expected = "8-bit 4:2:0";
    let Some(sps) = v.video.as_ref().and_then(|e| e.sps) else {
        return result(
            id,
            Status::Info,
            "-",
            expected,
            "not measured: the SPS could not be read",
            "",
        );
    };
    let what = format!(
        "{} {}",
        depth_words(&sps),
        chroma_words(sps.chroma_format_idc)
    );
    let measured = format!(
        "{what} ({} profile, profile_idc {})",
        profile_words(sps.profile_idc),
        sps.profile_idc
    );
    if sps.chroma_format_idc == 1 && sps.bit_depth_luma == 8 && sps.bit_depth_chroma == 8 {
        return result(id, Status::Pass, measured, expected, "8-bit 4:2:0", "");
    }
    result(
        id,
        Status::Warn,
        measured,
        expected,
        format!("{what} H.264 — many players and TVs cannot decode it; PIX expects 8-bit 4:2:0"),
        "re-encode as 8-bit 4:2:0: `ffmpeg -i IN -c:v libx264 -pix_fmt yuv420p -profile:v high \
         -c:a copy OUT.mov`, or choose 8-bit 4:2:0 (High profile) in the export settings",
    )
}

fn depth_words(s: &SpsFields) -> String {
    if s.bit_depth_luma == s.bit_depth_chroma {
        format!("{}-bit", s.bit_depth_luma)
    } else {
        format!(
            "{}-bit luma / {}-bit chroma",
            s.bit_depth_luma, s.bit_depth_chroma
        )
    }
}

fn chroma_words(chroma_format_idc: u8) -> &'static str {
    match chroma_format_idc {
        0 => "4:0:0 (monochrome)",
        1 => "4:2:0",
        2 => "4:2:2",
        _ => "4:4:4",
    }
}

/// H.264 profile names (Annex A) by profile_idc.
fn profile_words(profile_idc: u8) -> &'static str {
    match profile_idc {
        66 => "Baseline",
        77 => "Main",
        88 => "Extended",
        100 => "High",
        110 => "High 10",
        122 => "High 4:2:2",
        244 => "High 4:4:4 Predictive",
        44 => "CAVLC 4:4:4 Intra",
        83 | 86 => "Scalable",
        118 | 128 | 134 | 135 | 138 | 139 => "Multiview/3D",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::facts::VideoEntry;

    const ONE_FIXED: i32 = 0x1_0000;

    fn track(matrix: Option<[i32; 9]>, sps: Option<SpsFields>) -> TrackFacts {
        TrackFacts {
            handler: *b"vide",
            matrix,
            video: Some(VideoEntry {
                sps,
                ..VideoEntry::default()
            }),
            ..TrackFacts::default()
        }
    }

    fn matrix(a: i32, b: i32, c: i32, d: i32) -> Option<[i32; 9]> {
        Some([a, b, 0, c, d, 0, 0, 0, 0x4000_0000])
    }

    #[test]
    fn identity_is_info_and_turns_warn() {
        let up = rotation(&track(matrix(ONE_FIXED, 0, 0, ONE_FIXED), None));
        assert_eq!(up.status, Status::Info);
        assert!(up.measured.starts_with("upright"), "{}", up.measured);
        let r90 = rotation(&track(matrix(0, ONE_FIXED, -ONE_FIXED, 0), None));
        assert_eq!(r90.status, Status::Warn);
        assert!(
            r90.measured.contains("turned 90° clockwise"),
            "{}",
            r90.measured
        );
        assert_eq!(
            r90.message,
            "the picture is stored rotated 90°; players that ignore the flag show it sideways"
        );
        let r180 = rotation(&track(matrix(-ONE_FIXED, 0, 0, -ONE_FIXED), None));
        assert!(r180.message.contains("rotated 180°") && r180.message.contains("upside down"));
        let flip = rotation(&track(matrix(-ONE_FIXED, 0, 0, ONE_FIXED), None));
        assert_eq!(flip.status, Status::Warn);
        assert!(
            flip.message.ends_with("show it mirrored"),
            "{}",
            flip.message
        );
        let transposed = rotation(&track(matrix(0, ONE_FIXED, ONE_FIXED, 0), None));
        assert!(
            transposed.message.contains("mirrored and rotated 270°"),
            "{}",
            transposed.message
        );
        let odd = rotation(&track(matrix(46341, 46341, -46341, 46341), None));
        assert_eq!(odd.status, Status::Warn);
        assert!(odd.measured.contains("not a quarter turn"));
        assert_eq!(rotation(&track(None, None)).status, Status::Info);
    }

    fn sps(profile_idc: u8, chroma: u8, luma: u8, chroma_depth: u8) -> Option<SpsFields> {
        Some(SpsFields {
            profile_idc,
            chroma_format_idc: chroma,
            bit_depth_luma: luma,
            bit_depth_chroma: chroma_depth,
            frame_mbs_only: true,
            ..SpsFields::default()
        })
    }

    #[test]
    fn eight_bit_420_passes_and_the_rest_warns() {
        let ok = bit_depth_chroma(&track(None, sps(100, 1, 8, 8)));
        assert_eq!(ok.status, Status::Pass);
        assert_eq!(ok.measured, "8-bit 4:2:0 (High profile, profile_idc 100)");
        let hi422 = bit_depth_chroma(&track(None, sps(122, 2, 10, 10)));
        assert_eq!(hi422.status, Status::Warn);
        assert_eq!(
            hi422.message,
            "10-bit 4:2:2 H.264 — many players and TVs cannot decode it; PIX expects 8-bit 4:2:0"
        );
        let hi10 = bit_depth_chroma(&track(None, sps(110, 1, 10, 10)));
        assert!(
            hi10.measured.starts_with("10-bit 4:2:0 (High 10"),
            "{}",
            hi10.measured
        );
        let mixed = bit_depth_chroma(&track(None, sps(244, 3, 10, 8)));
        assert!(
            mixed
                .message
                .starts_with("10-bit luma / 8-bit chroma 4:4:4")
        );
        assert_eq!(bit_depth_chroma(&track(None, None)).status, Status::Info);
    }
}
