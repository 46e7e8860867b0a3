//! Text clean-up shared by the exporters, each step a deliberate answer to a format limit.
//!
//! - Line-based formats (Avid marker text, EDL lines, the MIDI marker name) cannot hold a line
//!   break or a tab, so [`one_line`] turns every control character (a CRLF pair counts as one)
//!   into a single space. Markers.md notes both MC's tab-separated columns and Resolve's habit of
//!   dropping lines it cannot parse.
//! - Pro Tools-bound MIDI text is strict ASCII by default (as the public SMF writers do), so
//!   [`ascii`] folds common accented Latin letters and typographic punctuation to ASCII and writes
//!   `?` for anything else.
//! - Formats with no status field carry "addressed" as a visible prefix on the text
//!   ([`ADDRESSED_PREFIX`]), which the importers strip again.
//! - XML attributes keep line breaks and tabs only as character references, and cannot hold
//!   most other control characters at all ([`xml_attr`]).

/// Written before the text of an addressed note where the format has no status of its own.
pub const ADDRESSED_PREFIX: &str = "[addressed] ";

/// The text on one line: every control character becomes a space; CRLF becomes one space.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() == Some(&'\n') {
            continue; // the '\n' that follows becomes the one space
        }
        out.push(if c.is_control() { ' ' } else { c });
    }
    out
}

/// The text with the status prefix when the note is addressed.
pub fn with_status(text: &str, status: super::Status) -> String {
    match status {
        super::Status::Open => text.to_owned(),
        super::Status::Addressed => format!("{ADDRESSED_PREFIX}{text}"),
    }
}

/// Splits the status prefix off imported text.
pub fn split_status(text: &str) -> (super::Status, &str) {
    match text.strip_prefix(ADDRESSED_PREFIX) {
        Some(rest) => (super::Status::Addressed, rest),
        None => (super::Status::Open, text),
    }
}

/// Strict ASCII: accented Latin letters lose their accents, typographic punctuation becomes its
/// plain form, everything else non-ASCII becomes `?` (one per character, so the reader can see
/// that something was there).
pub fn ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        let folded = match c {
            'À'..='Å' => "A",
            'Æ' => "AE",
            'Ç' => "C",
            'È'..='Ë' => "E",
            'Ì'..='Ï' => "I",
            'Ð' => "D",
            'Ñ' => "N",
            'Ò'..='Ö' | 'Ø' => "O",
            'Ù'..='Ü' => "U",
            'Ý' => "Y",
            'Þ' => "Th",
            'ß' => "ss",
            'à'..='å' => "a",
            'æ' => "ae",
            'ç' => "c",
            'è'..='ë' => "e",
            'ì'..='ï' => "i",
            'ð' => "d",
            'ñ' => "n",
            'ò'..='ö' | 'ø' => "o",
            'ù'..='ü' => "u",
            'ý' | 'ÿ' => "y",
            'þ' => "th",
            'Œ' => "OE",
            'œ' => "oe",
            '‘' | '’' | '‚' | '′' => "'",
            '“' | '”' | '„' | '″' => "\"",
            '–' | '—' | '−' => "-",
            '…' => "...",
            '\u{a0}' => " ",
            _ => "?",
        };
        out.push_str(folded);
    }
    out
}

/// Escapes text for an XML attribute in double quotes. Tab, LF and CR are written as character
/// references so a parser's attribute normalisation keeps them; other control characters are not
/// allowed in XML 1.0 and are dropped.
pub fn xml_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Characters XML 1.0 allows in a document (its `Char` production), minus the three handled above.
fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::markers::Status;

    #[test]
    fn one_line_replaces_breaks_and_tabs() {
        assert_eq!(one_line("a\tb\r\nc\nd\re"), "a b c d e");
        assert_eq!(one_line("Ünïcødé — 日本語"), "Ünïcødé — 日本語");
    }

    #[test]
    fn ascii_folds_and_marks() {
        assert_eq!(ascii("Ünïcødé — 日本語"), "Unicode - ???");
        assert_eq!(ascii("“quoted” café"), "\"quoted\" cafe");
    }

    #[test]
    fn status_prefix_round_trips() {
        let t = with_status("x", Status::Addressed);
        assert_eq!(split_status(&t), (Status::Addressed, "x"));
        assert_eq!(split_status("x"), (Status::Open, "x"));
    }

    #[test]
    fn xml_attribute_escaping() {
        assert_eq!(
            xml_attr("a\"b<c>&\td\ne\u{1}"),
            "a&quot;b&lt;c&gt;&amp;&#9;d&#10;e"
        );
    }
}
