//! A CMX3600 EDL carrying the notes as Avid-style locators (`* LOC:` lines).
//!
//! Markers.md §3b: a locator line `* LOC: <timecode> <COLOUR padded to 7> <comment>` belongs to
//! the event above it, and vendors disagree on whether its timecode is read against the event's
//! source or record range. So we write a single event whose source range equals its record
//! range and covers the whole programme (from the media's first frame to the end of the last
//! note); every reading then lands on the same frame. Drop-frame media gets `FCM: DROP FRAME`
//! and `;` separators. Lines end in CRLF.
//!
//! The comment is `TAG: text (author)` (the category's stage tag, e.g. `FX:`), with
//! `[addressed] ` before the text when addressed. A locator is one line, so line breaks and
//! tabs become spaces. The colour is the category's Avid colour in upper case. We keep the
//! comment's case and its UTF-8 text, although OTIO's writer upper-cases and strict CMX readers
//! expect ASCII; a range's length and the exact author/category split cannot be carried.

use super::text::{one_line, with_status};
use super::{Marker, MarkerContext, in_frame_order, resolve_edl::fcm_line};

/// Writes the markers, in frame order, as locators on one programme-long event.
pub fn export(markers: &[Marker], ctx: &MarkerContext) -> String {
    let sorted = in_frame_order(markers);
    let end = sorted
        .iter()
        .map(|m| m.end_exclusive())
        .max()
        .unwrap_or(1)
        .max(1);
    let tc_in = ctx.timecode_of(0);
    let tc_out = ctx.timecode_of(end);
    let mut out = String::new();
    out.push_str(&format!("TITLE: {}\r\n", one_line(&ctx.media_name)));
    out.push_str(fcm_line(ctx));
    out.push_str("\r\n");
    out.push_str(&format!(
        "{:03}  {:<8} {:<5} {:<8} {tc_in} {tc_out} {tc_in} {tc_out}\r\n",
        1, "AX", "V", "C"
    ));
    for m in sorted {
        out.push_str(&format!(
            "* LOC: {} {:<7} {}\r\n",
            ctx.timecode_of(m.frame),
            m.category.avid_colour().to_uppercase(),
            comment(m)
        ));
    }
    out
}

fn comment(m: &Marker) -> String {
    let text = one_line(&with_status(&m.text, m.status));
    let author = one_line(&m.author);
    let author = author.trim();
    let comment = if author.is_empty() {
        format!("{}: {text}", m.category.tag())
    } else {
        format!("{}: {text} ({author})", m.category.tag())
    };
    // An empty note would leave a trailing space some EDL readers keep as part of the comment.
    comment.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::markers::Category;
    use crate::time::{FrameRate, Timecode, TimecodeRate};

    #[test]
    fn locators_on_one_event() {
        let r = TimecodeRate {
            fps: 25,
            drop_frame: false,
        };
        let start = Timecode::parse("01:00:00:00", r).expect("tc");
        let ctx = MarkerContext::new(FrameRate::new(25, 1).expect("rate"), start, "REEL1 NOTES")
            .expect("ctx");
        let mut slam = Marker::new(137, Category::Effects, "Door slam late");
        slam.author = "Ana".into();
        let cue = Marker::new(3000, Category::Music, "Cue 2\tstarts");
        let edl = export(&[cue, slam], &ctx);
        assert_eq!(
            edl,
            "TITLE: REEL1 NOTES\r\nFCM: NON-DROP FRAME\r\n\r\n\
             001  AX       V     C        01:00:00:00 01:02:00:01 01:00:00:00 01:02:00:01\r\n\
             * LOC: 01:00:05:12 CYAN    FX: Door slam late (Ana)\r\n\
             * LOC: 01:02:00:00 GREEN   MX: Cue 2 starts\r\n"
        );
    }
}
