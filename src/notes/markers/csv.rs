//! CSV for spreadsheets and for bringing notes back in: the lossless round trip.
//!
//! Columns `timecode,last_timecode,category,author,text,status`, a header row. The text itself
//! — a UTF-8 byte-order mark first, RFC 4180 quoting, CRLF between rows, line breaks inside a
//! field kept exactly as typed, spreadsheet formulas defused (a cell starting with `=`, `+`,
//! `-`, `@`, tab or CR gets a `'` in front, removed again on import) — is the crate's one CSV
//! writer and reader, [`crate::persist::csv_table`], which the access log's export uses too.
//!
//! Import takes the header's column names in any order (`timecode` and `text` are required;
//! `last_timecode`, `category`, `author` and `status` are optional; other columns are ignored,
//! so a spreadsheet may add its own). Every error names the 1-based line and column. A category
//! is read by its id, its name or its short code, in any case ([`Category::parse`]), so a CSV
//! written by hand from what the window shows reads back.
//! `last_timecode` is a range's last frame (inclusive), as the window and the report show it.
//! CSVs written before that convention have `end_timecode`, the first frame after the range;
//! the importer reads that column too, with its own meaning (never both in one file).

use super::{Category, Marker, MarkerContext, MarkerError, Status, in_frame_order};
use crate::persist::csv_table::{self, Row};

/// The header row we write (and the column names the importer knows).
pub const HEADER: [&str; 6] = [
    "timecode",
    "last_timecode",
    "category",
    "author",
    "text",
    "status",
];

/// Writes the markers, in frame order, as CSV text (BOM first).
pub fn export(markers: &[Marker], ctx: &MarkerContext) -> String {
    let rows = in_frame_order(markers).into_iter().map(|m| {
        let last = m
            .last_frame()
            .map(|last| ctx.timecode_of(last).to_string())
            .unwrap_or_default();
        [
            ctx.timecode_of(m.frame).to_string(),
            last,
            m.category.id().to_owned(),
            m.author.clone(),
            m.text.clone(),
            m.status.id().to_owned(),
        ]
    });
    csv_table::write(&HEADER, rows)
}

/// Reads CSV text (BOM optional, CRLF or LF rows) back into markers, in file order.
pub fn import(text: &str, ctx: &MarkerContext) -> Result<Vec<Marker>, MarkerError> {
    let records = csv_table::read(text).map_err(|e| MarkerError::Parse {
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    let mut rows = records.into_iter().filter(|r| !r.is_blank());
    let header = rows.next().ok_or(MarkerError::Parse {
        line: 1,
        column: 1,
        message: "the file is empty; a header row (timecode,last_timecode,category,author,text) is required".into(),
    })?;
    let columns = Columns::from_header(&header)?;
    rows.map(|row| columns.marker(&row, ctx)).collect()
}

/// Where each known column sits (0-based field index).
struct Columns {
    timecode: usize,
    /// The range column and whether it holds the last frame (`last_timecode`) or, in older
    /// files, the first frame after the range (`end_timecode`).
    end: Option<(usize, RangeEnd)>,
    category: Option<usize>,
    author: Option<usize>,
    text: usize,
    status: Option<usize>,
}

/// What a CSV's range column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RangeEnd {
    Last,
    Exclusive,
}

/// The range column of CSVs written before ranges were shown by their last frame.
const LEGACY_END: &str = "end_timecode";

impl Columns {
    fn from_header(header: &Row) -> Result<Self, MarkerError> {
        let mut found: [Option<usize>; 6] = [None; 6];
        let mut legacy_end = None;
        for (i, field) in header.cells.iter().enumerate() {
            let name = field.value.trim();
            if name.eq_ignore_ascii_case(LEGACY_END) {
                if legacy_end.is_some() || found[1].is_some() {
                    return Err(MarkerError::Parse {
                        line: field.line,
                        column: i + 1,
                        message: format!(
                            "column {name:?} appears twice, or beside \"last_timecode\": \
                             a range has one end column"
                        ),
                    });
                }
                legacy_end = Some(i);
            } else if let Some(k) = HEADER.iter().position(|h| name.eq_ignore_ascii_case(h)) {
                if k == 1 && legacy_end.is_some() {
                    return Err(MarkerError::Parse {
                        line: field.line,
                        column: i + 1,
                        message: "columns \"last_timecode\" and \"end_timecode\" both given: \
                                  a range has one end column"
                            .into(),
                    });
                }
                if found[k].is_some() {
                    return Err(MarkerError::Parse {
                        line: field.line,
                        column: i + 1,
                        message: format!("column {name:?} appears twice in the header"),
                    });
                }
                found[k] = Some(i);
            }
        }
        let required = |k: usize| {
            found[k].ok_or_else(|| MarkerError::Parse {
                line: header.line,
                column: 1,
                message: format!(
                    "the header row has no {:?} column; the first row must name the columns \
                     (timecode,last_timecode,category,author,text)",
                    HEADER[k]
                ),
            })
        };
        Ok(Self {
            timecode: required(0)?,
            end: found[1]
                .map(|i| (i, RangeEnd::Last))
                .or(legacy_end.map(|i| (i, RangeEnd::Exclusive))),
            category: found[2],
            author: found[3],
            text: required(4)?,
            status: found[5],
        })
    }

    fn marker(&self, row: &Row, ctx: &MarkerContext) -> Result<Marker, MarkerError> {
        // A short row (a spreadsheet dropping trailing empty cells) reads as empty fields.
        let cell = |i: usize| -> (&str, usize, usize) {
            row.cells
                .get(i)
                .map_or(("", row.line, i + 1), |f| (f.value.as_str(), f.line, i + 1))
        };
        let (tc, line, column) = cell(self.timecode);
        let frame = ctx.parse_frame(tc, line, column)?;
        let end_frame = match self.end.map(|(i, kind)| (cell(i), kind)) {
            Some(((text, line, column), kind)) if !text.trim().is_empty() => {
                let at = ctx.parse_frame(text, line, column)?;
                let (end, wrong) = match kind {
                    RangeEnd::Last => (at.saturating_add(1), at < frame),
                    RangeEnd::Exclusive => (at, at <= frame),
                };
                if wrong {
                    return Err(MarkerError::Parse {
                        line,
                        column,
                        message: match kind {
                            RangeEnd::Last => format!(
                                "last timecode {} is before the timecode {}",
                                text.trim(),
                                tc.trim()
                            ),
                            RangeEnd::Exclusive => format!(
                                "end timecode {} is not after the timecode {}",
                                text.trim(),
                                tc.trim()
                            ),
                        },
                    });
                }
                Some(end)
            }
            _ => None,
        };
        let category = match self.category.map(cell) {
            Some((text, line, column)) if !text.trim().is_empty() => Category::parse(text)
                .ok_or_else(|| MarkerError::Parse {
                    line,
                    column,
                    message: Category::unknown(text),
                })?,
            _ => Category::Other,
        };
        let status = match self.status.map(cell) {
            Some((text, line, column)) => {
                Status::parse(text).ok_or_else(|| MarkerError::Parse {
                    line,
                    column,
                    message: format!("unknown status {:?} (open or addressed)", text.trim()),
                })?
            }
            None => Status::Open,
        };
        Ok(Marker {
            frame,
            end_frame,
            text: cell(self.text).0.to_owned(),
            category,
            author: self.author.map_or("", |i| cell(i).0).to_owned(),
            status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{FrameRate, Timecode, TimecodeRate};

    fn ctx() -> MarkerContext {
        let start = Timecode::parse(
            "01:00:00:00",
            TimecodeRate {
                fps: 25,
                drop_frame: false,
            },
        )
        .expect("tc");
        MarkerContext::new(FrameRate::new(25, 1).expect("rate"), start, "reel").expect("ctx")
    }

    #[test]
    fn awkward_text_round_trips() {
        let texts = [
            "plain",
            "comma, \"quote\"",
            "tab\there",
            "lines\r\nand\nmore\rbreaks",
            "=SUM(A1)",
            "'=already",
            "'",
            "- dash",
            " edge spaces ",
            "",
            "Ünïcødé — 日本語 | pipe",
        ];
        let markers: Vec<Marker> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Marker {
                frame: i as u64 * 7,
                end_frame: (i % 3 == 0).then_some(i as u64 * 7 + 3),
                text: (*t).to_owned(),
                category: Category::ALL[i % 7],
                author: format!("@author {t}"),
                status: if i % 2 == 0 {
                    Status::Open
                } else {
                    Status::Addressed
                },
            })
            .collect();
        let csv = export(&markers, &ctx());
        assert!(csv.starts_with('\u{feff}'));
        assert_eq!(import(&csv, &ctx()).expect("import"), markers);
    }

    #[test]
    fn a_range_is_written_by_its_last_frame_and_older_end_columns_still_read() {
        // Marked 01:00:10:00 to 01:00:14:00 in the window: frames 250..=350 at 25 fps.
        let mut m = Marker::new(250, Category::Music, "swell");
        m.end_frame = Some(351);
        let csv = export(std::slice::from_ref(&m), &ctx());
        assert!(
            csv.contains("01:00:10:00,01:00:14:00,"),
            "the last frame, as the window shows it: {csv}"
        );
        assert_eq!(import(&csv, &ctx()).expect("import"), vec![m.clone()]);
        // A CSV from before the convention: its end column is the first frame after.
        let old = "timecode,end_timecode,text\n01:00:10:00,01:00:14:01,swell\n";
        assert_eq!(
            import(old, &ctx())
                .expect("old")
                .first()
                .map(|m| m.end_frame),
            Some(Some(351))
        );
        // One frame: first and last are the same frame.
        let one = "timecode,last_timecode,text\n01:00:10:00,01:00:10:00,x\n";
        assert_eq!(import(one, &ctx()).expect("one")[0].end_frame, Some(251));
        let back = "timecode,last_timecode,text\n01:00:10:00,01:00:09:24,x\n";
        let err = import(back, &ctx()).expect_err("backwards");
        assert!(err.to_string().contains("before the timecode"), "{err}");
        let both = "timecode,last_timecode,end_timecode,text\n";
        assert!(import(both, &ctx()).is_err(), "two end columns");
    }

    #[test]
    fn header_is_required_and_columns_may_move() {
        let err = import("01:00:00:00,,music,a,b\n", &ctx()).expect_err("no header");
        assert!(matches!(err, MarkerError::Parse { line: 1, .. }), "{err}");
        let got = import("text,timecode\nhello,01:00:01:00\n", &ctx()).expect("import");
        assert_eq!(got, vec![Marker::new(25, Category::Other, "hello")]);
    }

    #[test]
    fn categories_come_in_by_id_name_or_short_code() {
        let csv = "timecode,category,text\n\
                   01:00:00:00,Mix/Balance,a\n\
                   01:00:00:01,mix balance,b\n\
                   01:00:00:02,MIX,c\n\
                   01:00:00:03,dialogue,d\n\
                   01:00:00:04, dx ,e\n\
                   01:00:00:05,,f\n";
        let got: Vec<Category> = import(csv, &ctx())
            .expect("import")
            .iter()
            .map(|m| m.category)
            .collect();
        use Category::{Dialogue, MixBalance, Other};
        assert_eq!(
            got,
            [
                MixBalance, MixBalance, MixBalance, Dialogue, Dialogue, Other
            ]
        );
        let err = import(
            "timecode,category,text\n01:00:00:00,Mix/Balanse,a\n",
            &ctx(),
        )
        .expect_err("unknown");
        assert!(
            matches!(
                err,
                MarkerError::Parse {
                    line: 2,
                    column: 2,
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string().contains("mix-balance, Mix balance or MIX"),
            "{err}"
        );
    }

    #[test]
    fn errors_name_line_and_column() {
        let csv = "timecode,end_timecode,category,author,text\n\
                   01:00:00:00,,music,a,\"multi\nline\"\n\
                   01:00:00:30,,music,a,b\n";
        match import(csv, &ctx()) {
            Err(MarkerError::Timecode { line, column, .. }) => assert_eq!((line, column), (4, 1)),
            other => panic!("unexpected {other:?}"),
        }
        let csv = "timecode,category,text\n01:00:00:00,loud,b\n";
        assert!(matches!(
            import(csv, &ctx()),
            Err(MarkerError::Parse {
                line: 2,
                column: 2,
                ..
            })
        ));
        let csv = "timecode,text\n01:00:00:00,\"open\n";
        assert!(matches!(
            import(csv, &ctx()),
            Err(MarkerError::Parse {
                line: 2,
                column: 2,
                ..
            })
        ));
        let csv = "timecode,end_timecode,text\n01:00:01:00,01:00:01:00,x\n";
        assert!(matches!(
            import(csv, &ctx()),
            Err(MarkerError::Parse {
                line: 2,
                column: 2,
                ..
            })
        ));
    }
}
