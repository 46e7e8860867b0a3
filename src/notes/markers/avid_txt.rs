//! Media Composer marker text: what MC's Markers window exports and imports.
//!
//! Markers.md §3a describes real MC exports: one marker per line, no header, six tab-separated
//! columns `user, timecode, track, colour, comment, duration in frames` (1 for a point marker,
//! the span for a spanned marker). A variant with eight columns
//! (`…, duration, empty, colour`) exists; which MC versions want it is unverified, so six is the
//! default and eight an option. The track must exist in the sequence, hence `V1` by default.
//!
//! Mapping: author → user, category → colour (one colour per category, see
//! [`Category::avid_colour`]), text → comment, range → duration. Lines end in LF, UTF-8 without
//! a BOM; the importer also takes CRLF and a BOM.
//!
//! What the format cannot carry, and what we do about it:
//! - tabs and line breaks in the comment or user name: each becomes one space (the columns are
//!   tab-separated and a marker is one line), so such text comes back with spaces;
//! - the status: written as the visible prefix `[addressed] ` on the comment and read back
//!   (an open note whose text itself starts with that prefix would come back addressed);
//! - a one-frame range: duration 1 is a point marker, so it comes back as a point.

use super::text::{one_line, split_status, with_status};
use super::{Category, Marker, MarkerContext, MarkerError, in_frame_order};

/// Export choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AvidOptions {
    /// The sequence track the markers go on (`V1`, `A1`, `TC1` …).
    pub track: String,
    /// Write the eight-column variant instead of the six columns MC exports.
    pub eight_columns: bool,
}

impl Default for AvidOptions {
    fn default() -> Self {
        Self {
            track: "V1".into(),
            eight_columns: false,
        }
    }
}

/// Writes the markers, in frame order, as an MC marker list.
pub fn export(markers: &[Marker], ctx: &MarkerContext, options: &AvidOptions) -> String {
    let mut out = String::new();
    for m in in_frame_order(markers) {
        let colour = m.category.avid_colour();
        let comment = one_line(&with_status(&m.text, m.status));
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            one_line(&m.author),
            ctx.timecode_of(m.frame),
            one_line(&options.track),
            colour,
            comment,
            m.duration_frames()
        ));
        if options.eight_columns {
            out.push_str(&format!("\t\t{colour}"));
        }
        out.push('\n');
    }
    out
}

/// Reads an MC marker list (six or eight columns) back into markers, in file order. Blank lines
/// are skipped; every error names the 1-based line and column.
pub fn import(text: &str, ctx: &MarkerContext) -> Result<Vec<Marker>, MarkerError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut markers = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 6 {
            return Err(MarkerError::Parse {
                line: line_no,
                column: cols.len() + 1,
                message: format!(
                    "an Avid marker line has 6 tab-separated columns (user, timecode, track, \
                     colour, comment, duration); this one has {}",
                    cols.len()
                ),
            });
        }
        let col = |k: usize| cols.get(k).copied().unwrap_or("");
        let frame = ctx.parse_frame(col(1), line_no, 2)?;
        let duration: u64 = col(5).trim().parse().map_err(|_| MarkerError::Parse {
            line: line_no,
            column: 6,
            message: format!("duration {:?} is not a whole number of frames", col(5)),
        })?;
        let (status, comment) = split_status(col(4));
        markers.push(Marker {
            frame,
            end_frame: (duration > 1).then(|| frame.saturating_add(duration)),
            text: comment.to_owned(),
            category: Category::from_avid_colour(col(3)),
            author: col(0).to_owned(),
            status,
        });
    }
    Ok(markers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::markers::Status;
    use crate::time::{FrameRate, Timecode, TimecodeRate};

    fn ctx() -> MarkerContext {
        let r = TimecodeRate {
            fps: 24,
            drop_frame: false,
        };
        let start = Timecode::parse("01:00:00:00", r).expect("tc");
        MarkerContext::new(FrameRate::new(24000, 1001).expect("rate"), start, "reel").expect("ctx")
    }

    #[test]
    fn reads_a_real_mc_export_line() {
        let line = "Isabel Yanes GT\t01:01:07:21\tV1\tred\tVFX - Fade In.\t1\r\n";
        let got = import(line, &ctx()).expect("import");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].frame, (67 * 24 + 21) as u64);
        assert_eq!(got[0].category, Category::Technical);
        assert_eq!(got[0].author, "Isabel Yanes GT");
        assert_eq!(got[0].end_frame, None);
    }

    #[test]
    fn round_trip_keeps_what_the_format_holds() {
        let mut range = Marker::new(48, Category::MixBalance, "range\twith tab\nand line");
        range.end_frame = Some(60);
        range.author = "Zoë".into();
        range.status = Status::Addressed;
        let point = Marker::new(0, Category::Dialogue, "Ünïcødé — 日本語 | \"q\", c");
        for eight in [false, true] {
            let opts = AvidOptions {
                eight_columns: eight,
                ..AvidOptions::default()
            };
            let text = export(&[range.clone(), point.clone()], &ctx(), &opts);
            let back = import(&text, &ctx()).expect("import");
            let mut expected_range = range.clone();
            expected_range.text = "range with tab and line".into();
            assert_eq!(back, vec![point.clone(), expected_range]);
        }
    }

    #[test]
    fn errors_name_line_and_column() {
        let text = "a\t01:00:00:00\tV1\tred\tx\t1\nb\t01:00:00:00\tV1\n";
        assert!(matches!(
            import(text, &ctx()),
            Err(MarkerError::Parse { line: 2, .. })
        ));
        let text = "\na\t01:00:00:99\tV1\tred\tx\t1\n";
        assert!(matches!(
            import(text, &ctx()),
            Err(MarkerError::Timecode {
                line: 2,
                column: 2,
                ..
            })
        ));
        let text = "a\t01:00:00:00\tV1\tred\tx\tlong\n";
        assert!(matches!(
            import(text, &ctx()),
            Err(MarkerError::Parse {
                line: 1,
                column: 6,
                ..
            })
        ));
    }
}
