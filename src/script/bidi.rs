//! The visual order of a line that holds right-to-left text (Hebrew, Arabic …).
//!
//! Neither egui nor the watermark's rasteriser reorders text: letters go left to right in the
//! order they are stored, so `שלום` would read backwards. The Unicode bidirectional algorithm
//! (UAX #9, the `unicode-bidi` crate) gives the order they are seen in; a left-to-right line
//! comes back untouched and unallocated.

use std::borrow::Cow;
use unicode_bidi::{BidiClass, BidiInfo, bidi_class};

/// `line` in the order its characters appear on screen, left to right. Only for drawing: what
/// is stored, exported and searched stays in logical order.
pub fn visual_order(line: &str) -> Cow<'_, str> {
    // The window asks for every note on every paint: most hold no right-to-left letter, and
    // need no analysis (which allocates).
    if !line
        .chars()
        .any(|c| matches!(bidi_class(c), BidiClass::R | BidiClass::AL))
    {
        return Cow::Borrowed(line);
    }
    let info = BidiInfo::new(line, None);
    if !info.has_rtl() {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    for para in &info.paragraphs {
        // The direction marks and embeddings have done their work; drawn, they would be boxes.
        out.extend(
            info.reorder_line(para, para.range.clone())
                .chars()
                .filter(|c| !is_bidi_control(*c)),
        );
    }
    Cow::Owned(out)
}

/// The invisible characters that steer the bidirectional algorithm (marks, embeddings,
/// overrides, isolates).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn left_to_right_text_is_untouched() {
        for s in ["Sam Reyes", "김지우 감독", "音楽が早すぎる", ""] {
            assert!(matches!(visual_order(s), Cow::Borrowed(b) if b == s));
        }
    }

    #[test]
    fn hebrew_reads_right_to_left_and_numbers_keep_their_order() {
        // "shalom" stored ש ל ו ם is seen as ם ו ל ש from the left.
        assert_eq!(visual_order("שלום"), "םולש");
        // Words too: the first word is seen rightmost.
        assert_eq!(visual_order("הדיאלוג נבלע"), "עלבנ גולאידה");
        // A Latin name inside a Hebrew line keeps its own order, and digits after it join it
        // (UAX #9 rule W7), as browsers show it.
        assert_eq!(visual_order("דנה Sam 12"), "Sam 12 הנד");
    }

    #[test]
    fn an_override_shows_letters_as_stored_and_the_controls_are_not_drawn() {
        let reversed: String = "שלום".chars().rev().collect();
        let forced = format!("\u{202D}{reversed}\u{202C}");
        assert_eq!(visual_order(&forced), visual_order("שלום"));
    }

    #[test]
    fn a_latin_line_with_a_hebrew_name_reverses_only_the_right_to_left_run() {
        assert_eq!(visual_order("note by דנה dB"), "note by הנד dB");
        // A number after Hebrew belongs to its run, with the comma between (rules W7, N1).
        assert_eq!(visual_order("note by דנה, 2 dB"), "note by 2 ,הנד dB");
    }
}
