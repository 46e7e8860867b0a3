//! Final Cut Pro XML 1.10 with the notes as `<marker>`s on a clip of the review file (also read
//! by Resolve and OpenTimelineIO).
//!
//! Why this shape (markers.md §5b, from Apple's FCPXML 1.10 DTD): markers are children of story
//! elements, not of the sequence, and readers take them from clips — OpenTimelineIO's FCPXML
//! reader builds its timeline from `asset-clip`s (and `clip`, `ref-clip`, `audio`, `video`) and
//! finds no markers on a `gap`. So the review file is an `asset` whose `media-rep` points at it
//! (`file:///` and its absolute path, percent-encoded), the project's spine holds one
//! `asset-clip` of the whole file, and the markers sit on that clip: an editor who imports the
//! file gets the movie with its notes. FCP rejects a whole file that does not match the DTD, so
//! we only write elements and attributes the DTD declares, attributes in its declaration order
//! and children in its content order: `fcpxml > resources > (format, asset > media-rep)`,
//! `library > event > project > sequence > spine > asset-clip > marker*`.
//!
//! Times are exact rational seconds, always an integer number of frames times the frame duration
//! (`frames × den / num` of the exact rate, written `N/num s` unreduced, e.g. `86486400/24000s`
//! for 01:00:00:00 at 23.976). The asset's `start` (its timecode origin), the sequence's
//! `tcStart` and the clip's `offset` and `start` are the media's start timecode counted in
//! frames; a marker's `start` is in the clip's local time — the asset's own time — which begins
//! at that same value, so `marker start − clip start` is the note's media frame, and the
//! timeline puts it at `clip offset + marker start − clip start` (as OpenTimelineIO maps it).
//! The asset and the clip last the whole file (longer only if a note lies past its end).
//!
//! Per marker: `start`, `duration` (1 frame for a point, the span for a range), `value` = the
//! category label and the author, `completed` = 0 (open to-do) or 1 (addressed), and `note` =
//! the text. XML attributes keep tabs and line breaks only as character references, which we
//! write; control characters other than tab, LF and CR cannot appear in XML 1.0 and are dropped.
//! The `format` carries the frame duration and, when known, the picture size (no `name`: FCP's
//! format names are its own).
//!
//! When the context does not know the media file ([`MarkerContext::media`] is `None`), there is
//! nothing to point an asset at: the markers then sit on one `gap` that spans the notes, as
//! before (valid, and FCP shows them, but clip-based readers find none).

use super::text::xml_attr;
use super::{Marker, MarkerContext, MediaFile, in_frame_order};
use crate::time::FrameRate;
use std::fmt::Write as _;

/// Writes the markers, in frame order, as an FCPXML 1.10 document.
pub fn export(markers: &[Marker], ctx: &MarkerContext) -> String {
    let rate = ctx.rate;
    let sorted = in_frame_order(markers);
    let notes_end = sorted
        .iter()
        .map(|m| m.end_exclusive())
        .max()
        .unwrap_or(1)
        .max(1);
    let media = ctx.media.as_ref();
    let length = media.map_or(notes_end, |m| m.frames.max(notes_end));
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
    // `write!` into a String cannot fail.
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE fcpxml>\n");
    out.push_str("<fcpxml version=\"1.10\">\n  <resources>\n");
    write!(
        out,
        "    <format id=\"r1\" frameDuration=\"{}\"",
        time(1, rate)
    )
    .ok();
    if let Some((width, height)) = media.and_then(|m| m.picture) {
        write!(out, " width=\"{width}\" height=\"{height}\"").ok();
    }
    out.push_str("/>\n");
    if let Some(m) = media {
        asset(&mut out, m, &name, &tc_start, &duration);
    }
    out.push_str("  </resources>\n  <library>\n    <event name=\"Earmark notes\">\n");
    writeln!(out, "      <project name=\"{name} notes\">").ok();
    writeln!(
        out,
        "        <sequence format=\"r1\" duration=\"{duration}\" tcStart=\"{tc_start}\" tcFormat=\"{tc_format}\">"
    )
    .ok();
    out.push_str("          <spine>\n");
    let close = if media.is_some() {
        writeln!(
            out,
            "            <asset-clip ref=\"r2\" offset=\"{tc_start}\" name=\"{name}\" start=\"{tc_start}\" duration=\"{duration}\" tcFormat=\"{tc_format}\">"
        )
        .ok();
        "            </asset-clip>\n"
    } else {
        writeln!(
            out,
            "            <gap name=\"Notes\" offset=\"{tc_start}\" start=\"{tc_start}\" duration=\"{duration}\">"
        )
        .ok();
        "            </gap>\n"
    };
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
        write!(
            out,
            "              <marker start=\"{}\" duration=\"{}\" value=\"{}\" completed=\"{completed}\"",
            time(start.saturating_add(m.frame), rate),
            time(m.duration_frames(), rate),
            xml_attr(&value),
        )
        .ok();
        if !m.text.is_empty() {
            write!(out, " note=\"{}\"", xml_attr(&m.text)).ok();
        }
        out.push_str("/>\n");
    }
    out.push_str(close);
    out.push_str("          </spine>\n        </sequence>\n");
    out.push_str("      </project>\n    </event>\n  </library>\n</fcpxml>\n");
    out
}

/// The review file as a resource: `asset` (attributes in the DTD's order) with its one
/// `media-rep`.
fn asset(out: &mut String, m: &MediaFile, name: &str, start: &str, duration: &str) {
    write!(
        out,
        "    <asset id=\"r2\" name=\"{name}\" start=\"{start}\" duration=\"{duration}\" hasVideo=\"{}\"",
        u8::from(m.picture.is_some())
    )
    .ok();
    if m.picture.is_some() {
        out.push_str(" format=\"r1\"");
    }
    write!(out, " hasAudio=\"{}\"", u8::from(m.sound.is_some())).ok();
    if m.picture.is_some() {
        out.push_str(" videoSources=\"1\"");
    }
    if let Some((sample_rate, channels)) = m.sound {
        write!(
            out,
            " audioSources=\"1\" audioChannels=\"{channels}\" audioRate=\"{sample_rate}\""
        )
        .ok();
    }
    out.push_str(">\n");
    writeln!(
        out,
        "      <media-rep kind=\"original-media\" src=\"{}\"/>",
        xml_attr(&m.url)
    )
    .ok();
    out.push_str("    </asset>\n");
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

    fn context(name: &str) -> MarkerContext {
        let tr = TimecodeRate {
            fps: 24,
            drop_frame: false,
        };
        let start = Timecode::parse("01:00:00:00", tr).expect("tc");
        MarkerContext::new(FrameRate::new(24000, 1001).expect("rate"), start, name).expect("ctx")
    }

    #[test]
    fn times_match_the_reference_example() {
        let r = FrameRate::new(24000, 1001).expect("rate");
        assert_eq!(time(86_400, r), "86486400/24000s");
        assert_eq!(time(86_532, r), "86618532/24000s");
        assert_eq!(time(1, FrameRate::new(25, 1).expect("rate")), "1/25s");
        assert_eq!(time(0, r), "0s");
    }

    #[test]
    fn markers_sit_on_an_asset_clip_of_the_review_file() {
        let ctx = context("R&1 리뷰.mov").with_media(MediaFile {
            url: "file:///m/R%261%20%EB%A6%AC%EB%B7%B0.mov".into(),
            frames: 1488,
            picture: Some((1920, 1080)),
            sound: Some((48_000, 2)),
        });
        let xml = export(
            &[Marker::new(132, Category::Effects, "Door \"slam\"\nlate")],
            &ctx,
        );
        let want = [
            "<format id=\"r1\" frameDuration=\"1001/24000s\" width=\"1920\" height=\"1080\"/>",
            "<asset id=\"r2\" name=\"R&amp;1 리뷰.mov\" start=\"86486400/24000s\" \
             duration=\"1489488/24000s\" hasVideo=\"1\" format=\"r1\" hasAudio=\"1\" \
             videoSources=\"1\" audioSources=\"1\" audioChannels=\"2\" audioRate=\"48000\">",
            "<media-rep kind=\"original-media\" src=\"file:///m/R%261%20%EB%A6%AC%EB%B7%B0.mov\"/>",
            "<project name=\"R&amp;1 리뷰.mov notes\">",
            "<sequence format=\"r1\" duration=\"1489488/24000s\" tcStart=\"86486400/24000s\" \
             tcFormat=\"NDF\">",
            "<asset-clip ref=\"r2\" offset=\"86486400/24000s\" name=\"R&amp;1 리뷰.mov\" \
             start=\"86486400/24000s\" duration=\"1489488/24000s\" tcFormat=\"NDF\">",
            "<marker start=\"86618532/24000s\" duration=\"1001/24000s\" value=\"Effects\" \
             completed=\"0\" note=\"Door &quot;slam&quot;&#10;late\"/>\n            </asset-clip>",
        ];
        for w in want {
            assert!(xml.contains(w), "{w}\nnot in\n{xml}");
        }
        assert!(!xml.contains("<gap"), "{xml}");
    }

    #[test]
    fn the_clip_reaches_a_note_past_the_files_end() {
        let ctx = context("x").with_media(MediaFile {
            url: "file:///x".into(),
            frames: 10,
            picture: None,
            sound: Some((48_000, 2)),
        });
        let mut m = Marker::new(8, Category::Music, "");
        m.end_frame = Some(20);
        let xml = export(&[m], &ctx);
        // 20 frames, not the file's 10; sound only: no format reference on the asset.
        assert!(
            xml.contains("duration=\"20020/24000s\" hasVideo=\"0\" hasAudio=\"1\" audioSources"),
            "{xml}"
        );
        assert!(xml.contains("<marker start=\"86494408/24000s\" duration=\"12012/24000s\""));
    }

    #[test]
    fn without_the_media_file_markers_sit_on_a_gap() {
        let xml = export(
            &[Marker::new(132, Category::Effects, "Door \"slam\"\nlate")],
            &context("R&1"),
        );
        assert!(xml.contains("<project name=\"R&amp;1 notes\">"), "{xml}");
        assert!(!xml.contains("<asset"), "{xml}");
        assert!(
            xml.contains("<format id=\"r1\" frameDuration=\"1001/24000s\"/>"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<gap name=\"Notes\" offset=\"86486400/24000s\" start=\"86486400/24000s\" \
                 duration=\"133133/24000s\">"
            ),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<marker start=\"86618532/24000s\" duration=\"1001/24000s\" value=\"Effects\" \
                 completed=\"0\" note=\"Door &quot;slam&quot;&#10;late\"/>"
            ),
            "{xml}"
        );
    }
}
