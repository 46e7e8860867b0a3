//! Final Cut Pro XML 1.10 with the notes as `<marker>`s (also read by Resolve).
//!
//! Why this shape (markers.md §5b, from Apple's FCPXML 1.10 DTD): markers are children of story
//! elements, not of the sequence, and an `asset` would need a `media-rep` pointing at real
//! media, so the markers sit on one `gap` that spans the notes. FCP rejects a whole file that
//! does not match the DTD, so we only write elements and attributes the DTD declares, in its
//! content order: `fcpxml > resources > format`, `library > event > project > sequence > spine >
//! gap > marker*`.
//!
//! Times are exact rational seconds, always an integer number of frames times the frame duration
//! (`frames × den / num` of the exact rate, written `N/num s` unreduced, e.g. `86486400/24000s`
//! for 01:00:00:00 at 23.976). The sequence's `tcStart` and the gap's `offset` and `start` are
//! the media's start timecode counted in frames; a marker's `start` is in the gap's local time,
//! which begins at that same value, so `marker start − gap start` is the note's media frame.
//!
//! Per marker: `start`, `duration` (1 frame for a point, the span for a range), `value` = the
//! category label and the author, `completed` = 0 (open to-do) or 1 (addressed), and `note` =
//! the text. XML attributes keep tabs and line breaks only as character references, which we
//! write; control characters other than tab, LF and CR cannot appear in XML 1.0 and are dropped.
//! The `format` carries only the frame duration: the media's size is not known here (whether FCP
//! accepts a format without `width`/`height` is unverified).

use super::text::xml_attr;
use super::{Marker, MarkerContext, in_frame_order};
use crate::time::FrameRate;

/// Writes the markers, in frame order, as an FCPXML 1.10 document.
pub fn export(markers: &[Marker], ctx: &MarkerContext) -> String {
    let rate = ctx.rate;
    let sorted = in_frame_order(markers);
    let length = sorted
        .iter()
        .map(|m| m.end_exclusive())
        .max()
        .unwrap_or(1)
        .max(1);
    // The start timecode as a frame count since 00:00:00:00; never negative for a valid label.
    let start = u64::try_from(ctx.start_count()).unwrap_or(0);
    let tc_start = time(start, rate);
    let duration = time(length, rate);
    let tc_format = if ctx.timecode_rate().drop_frame {
        "DF"
    } else {
        "NDF"
    };
    let name = xml_attr(&ctx.media_name);
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE fcpxml>\n");
    out.push_str("<fcpxml version=\"1.10\">\n  <resources>\n");
    out.push_str(&format!(
        "    <format id=\"r1\" frameDuration=\"{}\"/>\n",
        time(1, rate)
    ));
    out.push_str("  </resources>\n  <library>\n    <event name=\"Earmark notes\">\n");
    out.push_str(&format!("      <project name=\"{name} notes\">\n"));
    out.push_str(&format!(
        "        <sequence format=\"r1\" duration=\"{duration}\" tcStart=\"{tc_start}\" tcFormat=\"{tc_format}\">\n"
    ));
    out.push_str("          <spine>\n");
    out.push_str(&format!(
        "            <gap name=\"Notes\" offset=\"{tc_start}\" start=\"{tc_start}\" duration=\"{duration}\">\n"
    ));
    for m in sorted {
        let completed = match m.status {
            super::Status::Open => 0,
            super::Status::Addressed => 1,
        };
        let author = m.author.trim();
        let value = if author.is_empty() {
            m.category.label().to_owned()
        } else {
            format!("{} ({author})", m.category.label())
        };
        out.push_str(&format!(
            "              <marker start=\"{}\" duration=\"{}\" value=\"{}\" completed=\"{completed}\"",
            time(start.saturating_add(m.frame), rate),
            time(m.duration_frames(), rate),
            xml_attr(&value),
        ));
        if !m.text.is_empty() {
            out.push_str(&format!(" note=\"{}\"", xml_attr(&m.text)));
        }
        out.push_str("/>\n");
    }
    out.push_str("            </gap>\n          </spine>\n        </sequence>\n");
    out.push_str("      </project>\n    </event>\n  </library>\n</fcpxml>\n");
    out
}

/// `frames` frames as FCPXML rational seconds: `frames × den / num`, over the rate's numerator.
fn time(frames: u64, rate: FrameRate) -> String {
    if frames == 0 {
        return "0s".into();
    }
    // Rates are reduced and positive, so num and den fit u64; the product is taken in u128.
    let den = rate.0.den.unsigned_abs() as u128;
    let num = rate.0.num.unsigned_abs();
    format!("{}/{num}s", frames as u128 * den)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::markers::Category;
    use crate::time::{Timecode, TimecodeRate};

    #[test]
    fn times_match_the_reference_example() {
        let r = FrameRate::new(24000, 1001).expect("rate");
        assert_eq!(time(86_400, r), "86486400/24000s");
        assert_eq!(time(86_532, r), "86618532/24000s");
        assert_eq!(time(1, FrameRate::new(25, 1).expect("rate")), "1/25s");
        assert_eq!(time(0, r), "0s");
    }

    #[test]
    fn marker_on_a_gap() {
        let tr = TimecodeRate {
            fps: 24,
            drop_frame: false,
        };
        let start = Timecode::parse("01:00:00:00", tr).expect("tc");
        let ctx = MarkerContext::new(FrameRate::new(24000, 1001).expect("rate"), start, "R&1")
            .expect("ctx");
        let xml = export(
            &[Marker::new(132, Category::Effects, "Door \"slam\"\nlate")],
            &ctx,
        );
        assert!(xml.contains("<project name=\"R&amp;1 notes\">"), "{xml}");
        assert!(
            xml.contains(
                "<marker start=\"86618532/24000s\" duration=\"1001/24000s\" value=\"Effects\" \
                 completed=\"0\" note=\"Door &quot;slam&quot;&#10;late\"/>"
            ),
            "{xml}"
        );
    }
}
