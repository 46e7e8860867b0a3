//! The colorimetry rule. A player takes the picture's colour either from the QuickTime `colr`
//! atom or from the H.264 VUI, so both are classified against the spec (BT.709, BT.601, xvYCC),
//! compared with each other, and merged where one leaves a field unspecified; the messages name
//! the codes in words so a refused or contradictory tag can be fixed at the export.

use super::result;
use crate::delivery::facts::{ColourCodes, TrackFacts};
use crate::delivery::report::{RuleResult, Status};
use crate::delivery::rule_id::RuleId;
use crate::media::atoms::fourcc_str;

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
pub(super) fn colorimetry(v: &TrackFacts) -> RuleResult {
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
