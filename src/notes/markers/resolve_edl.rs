//! DaVinci Resolve's marker EDL: what Timelines > Export > Timeline Markers to EDL writes and
//! Timelines > Import > Timeline Markers from EDL reads.
//!
//! Layout (markers.md §4): a `TITLE:` and `FCM:` header, then per marker one one-frame event
//! whose source and record timecodes are identical (the marker's frame and the frame after),
//! followed by a metadata line `note |C:ResolveColor… |M:name |D:duration`. The text before the
//! first `|` is the marker's Note, `|M:` its Name, `|D:` its length in frames. Drop-frame media
//! gets `FCM: DROP FRAME` and `;` in every timecode. Lines end in CRLF, the CMX convention.
//!
//! What we write where: Note = the note's text (with `[addressed] ` in front when addressed:
//! Resolve markers have no status), Name = category label and author, colour = one Resolve
//! colour per category ([`Category::resolve_colour`]).
//!
//! Sanitising, per the observations collected in markers.md (unverified on a Resolve install):
//! - `|` would start a new field, so it becomes `/` in the note, the name and the title;
//! - line breaks and tabs become spaces (the metadata must stay one line);
//! - a note beginning with a digit can be taken for an event line and the marker dropped, and a
//!   line beginning with `*` is a comment Resolve copies verbatim, so such notes get `- ` in
//!   front.

use super::text::{one_line, with_status};
use super::{Category, Marker, MarkerContext, in_frame_order};

/// Writes the markers, in frame order, as a Resolve marker EDL.
pub fn export(markers: &[Marker], ctx: &MarkerContext) -> String {
    let mut out = String::new();
    out.push_str(&format!("TITLE: {}\r\n", field(&ctx.media_name)));
    out.push_str(fcm_line(ctx));
    out.push_str("\r\n");
    for (i, m) in in_frame_order(markers).into_iter().enumerate() {
        let tc_in = ctx.timecode_of(m.frame);
        let tc_out = ctx.timecode_of(m.frame.saturating_add(1));
        // Resolve's own export ends the event line with two spaces; we match it byte for byte.
        out.push_str(&format!(
            "{:03}  {:<8} {:<5} {:<8} {tc_in} {tc_out} {tc_in} {tc_out}  \r\n",
            i + 1,
            "001",
            "V",
            "C",
        ));
        out.push_str(&format!(
            "{} |C:{} |M:{} |D:{}\r\n\r\n",
            note(&with_status(&m.text, m.status)),
            m.category.resolve_colour(),
            name(m),
            m.duration_frames()
        ));
    }
    out
}

/// The `FCM:` line for the context's counting.
pub(crate) fn fcm_line(ctx: &MarkerContext) -> &'static str {
    if ctx.timecode_rate().drop_frame {
        "FCM: DROP FRAME\r\n"
    } else {
        "FCM: NON-DROP FRAME\r\n"
    }
}

/// One line of text with no `|` in it.
fn field(text: &str) -> String {
    one_line(text).replace('|', "/")
}

/// The marker's Note, made safe to start a line.
fn note(text: &str) -> String {
    let t = field(text);
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '*') {
        format!("- {t}")
    } else {
        t
    }
}

/// The marker's Name: its category, and who wrote it.
fn name(m: &Marker) -> String {
    let author = field(&m.author);
    let label = Category::label(m.category);
    if author.trim().is_empty() {
        label.to_owned()
    } else {
        format!("{label} ({})", author.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{FrameRate, Timecode, TimecodeRate};

    #[test]
    fn layout_matches_resolve() {
        let r = TimecodeRate {
            fps: 25,
            drop_frame: false,
        };
        let start = Timecode::parse("01:00:00:00", r).expect("tc");
        let ctx =
            MarkerContext::new(FrameRate::new(25, 1).expect("rate"), start, "Reel 1").expect("ctx");
        let mut m = Marker::new(137, Category::Technical, "2 frames | late\nsee");
        m.end_frame = Some(185);
        let edl = export(&[m], &ctx);
        assert_eq!(
            edl,
            "TITLE: Reel 1\r\nFCM: NON-DROP FRAME\r\n\r\n\
             001  001      V     C        01:00:05:12 01:00:05:13 01:00:05:12 01:00:05:13  \r\n\
             - 2 frames / late see |C:ResolveColorRed |M:Technical |D:48\r\n\r\n"
        );
    }
}
