//! CSV tables for spreadsheets, written and read through the `csv` crate: the one CSV writer
//! (notes, the access log) and the one reader (notes import).
//!
//! **Written:** a UTF-8 byte-order mark first, because spreadsheets (Excel in particular) read
//! BOM-less CSV in the system code page and mangle non-Latin text (markers.md §7); then RFC 4180
//! rows ending in CRLF, a field in double quotes (inner quotes doubled) when it holds a comma, a
//! quote, CR or LF — or a tab, since spreadsheets that sniff the delimiter would split on one.
//! Line breaks inside a field are kept exactly as given.
//!
//! **Formula injection:** a cell starting with `=`, `+`, `-`, `@`, tab or CR is run as a
//! formula by spreadsheets, so every field written that starts with one of those — or with `'`
//! itself — gets a `'` in front ([`defuse_formula`]). The reader removes exactly one such `'`
//! ([`restore_formula`]), so what [`write`] wrote, [`read`] gives back exactly, for any text.
//!
//! **Read:** BOM optional; rows end at CRLF, LF or a lone CR; quoted fields may hold commas,
//! doubled quotes and line breaks; a quote inside an unquoted field is kept as a character
//! (spreadsheets write such files); empty lines are skipped. The `csv` crate reads leniently,
//! so each field it returns is checked against the text it came from: a quoted field never
//! closed, or text after a closing quote (`"say "hi""`, an undoubled quote), is an error naming
//! the 1-based line and column rather than a silently different text.

use std::borrow::Cow;
use thiserror::Error;

const BOM: &str = "\u{feff}";

/// The first characters that make a spreadsheet run a cell as a formula, and the `'` that
/// [`defuse_formula`] adds (so that it can be told from a `'` the text had).
const DEFUSED_STARTS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// `text` as a cell no spreadsheet runs as a formula: a `'` in front when it starts with `=`,
/// `+`, `-`, `@`, tab, CR or `'`.
pub fn defuse_formula(text: &str) -> Cow<'_, str> {
    if text.starts_with(DEFUSED_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// Undoes [`defuse_formula`]: removes one `'` only where it would have been put.
pub fn restore_formula(text: &str) -> &str {
    match text.strip_prefix('\'') {
        Some(rest) if rest.starts_with(DEFUSED_STARTS) => rest,
        _ => text,
    }
}

/// The CSV text of `header` and `rows` (BOM, CRLF rows, every field defused). Rows may differ
/// in length from the header.
pub fn write<R, F>(header: &[&str], rows: R) -> String
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = F>,
    F: AsRef<str>,
{
    let mut bytes = BOM.as_bytes().to_vec();
    {
        let mut out = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            // The comment byte is only ever used by a writer to quote every field holding it:
            // that is how tabs get their quotes. Nothing reads these files with comments.
            .comment(Some(b'\t'))
            .flexible(true)
            .from_writer(&mut bytes);
        // Writing to memory cannot fail: no I/O, and rows of any length are allowed.
        out.write_record(header.iter().map(|h| defuse_formula(h).into_owned()))
            .ok();
        for row in rows {
            out.write_record(
                row.into_iter()
                    .map(|f| defuse_formula(f.as_ref()).into_owned()),
            )
            .ok();
        }
        out.flush().ok();
    }
    // Every byte came from a `&str`, split only at ASCII: the text is UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// One field as read, its formula defusing undone, and the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub value: String,
    pub line: usize,
}

/// One row as read and the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<Cell>,
    pub line: usize,
}

impl Row {
    /// A row of one empty field (`""` on a line of its own).
    pub fn is_blank(&self) -> bool {
        self.cells.len() == 1 && self.cells.iter().all(|c| c.value.is_empty())
    }
}

/// Why a CSV could not be read: where (1-based line and column) and what.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("line {line}, column {column}: {message}")]
pub struct ReadError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Reads CSV text (see the module notes) into rows, in file order.
pub fn read(text: &str) -> Result<Vec<Row>, ReadError> {
    let text = text.strip_prefix(BOM).unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut at = Cursor {
        text,
        pos: 0,
        line: 1,
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        at.skip_line_breaks();
        let record = record.map_err(|e| ReadError {
            line: at.line,
            column: 1,
            message: e.to_string(),
        })?;
        let mut row = Row {
            cells: Vec::with_capacity(record.len()),
            line: at.line,
        };
        for (i, value) in record.iter().enumerate() {
            if i > 0 && !at.eat(",") {
                return Err(at.error(i + 1, "the fields could not be told apart"));
            }
            row.cells.push(Cell {
                value: restore_formula(value).to_owned(),
                line: at.line,
            });
            at.field(value, i + 1)?;
        }
        if !at.at_row_end() {
            return Err(at.error(record.len() + 1, "the row could not be read to its end"));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Where the reader is in the text: it walks the text alongside the `csv` crate's fields to
/// count lines and to catch what the crate reads leniently.
struct Cursor<'a> {
    text: &'a str,
    /// Byte offset of the next unread character.
    pos: usize,
    /// The 1-based line `pos` is on.
    line: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        self.text.get(self.pos..).unwrap_or("")
    }

    /// Moves past `s` if the text goes on with it.
    fn eat(&mut self, s: &str) -> bool {
        let found = self.rest().starts_with(s);
        if found {
            self.pos += s.len();
            self.line += line_breaks(s);
        }
        found
    }

    fn skip_line_breaks(&mut self) {
        while self.eat("\r\n") || self.eat("\n") || self.eat("\r") {}
    }

    fn at_row_end(&self) -> bool {
        self.rest().is_empty() || self.rest().starts_with(['\r', '\n'])
    }

    fn error(&self, column: usize, message: &str) -> ReadError {
        ReadError {
            line: self.line,
            column,
            message: message.to_owned(),
        }
    }

    /// Moves past the field the crate read as `value` (column `column`), checking that the
    /// text holds exactly that field.
    fn field(&mut self, value: &str, column: usize) -> Result<(), ReadError> {
        if !self.rest().starts_with('"') {
            return if self.eat(value) {
                Ok(())
            } else {
                Err(self.error(column, "this field could not be read"))
            };
        }
        let quoted = format!("\"{}\"", value.replace('"', "\"\""));
        if self.eat(&quoted) {
            if self.rest().is_empty() || self.rest().starts_with([',', '\r', '\n']) {
                return Ok(());
            }
            return Err(self.error(column, TEXT_AFTER_QUOTE));
        }
        if quoted.starts_with(self.rest()) {
            return Err(self.error(column, "a quoted field is never closed (missing \")"));
        }
        // Where the text stops being the quoted field: just after a closing quote.
        let same = self
            .rest()
            .char_indices()
            .zip(quoted.chars())
            .find(|((_, a), b)| a != b)
            .map_or(0, |((i, _), _)| i);
        let line = self.line + line_breaks(self.rest().get(..same).unwrap_or(""));
        Err(ReadError {
            line,
            column,
            message: TEXT_AFTER_QUOTE.to_owned(),
        })
    }
}

const TEXT_AFTER_QUOTE: &str =
    "text after the closing quote of a field (write \"\" for a quote inside a quoted field)";

/// Line breaks in `s`: CRLF, LF and a lone CR each count once.
fn line_breaks(s: &str) -> usize {
    let b = s.as_bytes();
    b.iter()
        .enumerate()
        .filter(|&(i, &c)| c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(rows: &[Row]) -> Vec<Vec<&str>> {
        rows.iter()
            .map(|r| r.cells.iter().map(|c| c.value.as_str()).collect())
            .collect()
    }

    #[test]
    fn written_as_rfc_4180_with_a_bom_and_crlf() {
        let text = write(
            &["a", "b", "c"],
            [
                vec!["plain", "comma, \"quote\"", "tab\there"],
                vec!["line\nbreak", "", "CR\rLF\r\n"],
            ],
        );
        assert_eq!(
            text,
            "\u{feff}a,b,c\r\n\
             plain,\"comma, \"\"quote\"\"\",\"tab\there\"\r\n\
             \"line\nbreak\",,\"CR\rLF\r\n\"\r\n"
        );
    }

    #[test]
    fn formulas_are_defused_in_every_field_and_restored_on_reading() {
        let fields = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+cmd.mov",
            "-1",
            "@SUM(1)",
            "\tx",
            "\rx",
            "'quoted",
            "'=already",
            "'",
            "a=b",
            "",
        ];
        let text = write(&["h"], fields.iter().map(|f| [*f]));
        for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
            let cell = line.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a live formula: {line:?}"
            );
        }
        assert!(text.contains("\r\n\"'=HYPERLINK(\"\"http"), "{text}");
        let rows = read(&text).expect("read");
        let back: Vec<&str> = rows
            .iter()
            .skip(1)
            .map(|r| r.cells[0].value.as_str())
            .collect();
        assert_eq!(back, fields);
        assert_eq!(
            restore_formula("'x"),
            "'x",
            "a ' the writer would not add stays"
        );
    }

    #[test]
    fn non_latin_text_passes_exactly() {
        let fields = [
            "대사가 음악에 묻힘 — 2 dB 올려주세요",
            "הדיאלוג נבלע במוזיקה, הגבירו",
            "台詞が音楽に埋もれている「２dB」",
        ];
        let text = write(&["ko", "he", "ja"], [fields]);
        assert!(text.contains(fields[0]), "{text}");
        assert_eq!(values(&read(&text).expect("read"))[1], fields);
    }

    #[test]
    fn lines_are_counted_for_rows_and_fields() {
        let text = "\u{feff}a,b\r\n\r\n\"one\ntwo\",x\rlast,\"multi\r\nline\",z\n\"\"\n";
        let rows = read(text).expect("read");
        assert_eq!(
            values(&rows),
            vec![
                vec!["a", "b"],
                vec!["one\ntwo", "x"],
                vec!["last", "multi\r\nline", "z"],
                vec![""],
            ]
        );
        let lines: Vec<usize> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 3, 5, 7]);
        assert_eq!(
            rows[2].cells[2].line, 6,
            "a field after a line break in a field"
        );
        assert!(rows[3].is_blank());
        assert_eq!(
            values(&read("5\" speaker,b").expect("read")),
            vec![vec!["5\" speaker", "b"]],
            "a quote inside an unquoted field is a character"
        );
    }

    #[test]
    fn broken_quoting_is_an_error_naming_line_and_column() {
        let err = read("a,b\nx,\"open\nmore\n").expect_err("unclosed");
        assert_eq!((err.line, err.column), (2, 2), "{err}");
        assert!(err.message.contains("never closed"), "{err}");
        let err = read("a,b\nx,\"say \"hi\"\"\n").expect_err("undoubled");
        assert_eq!((err.line, err.column), (2, 2), "{err}");
        assert!(err.message.contains("after the closing quote"), "{err}");
        let err = read("a\n\"two\nlines\" x\n").expect_err("trailing");
        assert_eq!((err.line, err.column), (3, 1), "{err}");
    }
}
