//! Which text can be drawn one letter after another, as the watermark's rasteriser and egui
//! draw it: no shaping engine joins Arabic letters or reorders and combines the letters of
//! Indic and South-East Asian scripts, so a name in those scripts drawn letter by letter is
//! wrong, not merely plain. Scripts written letter by letter (Latin, Greek, Cyrillic, Hebrew
//! once reordered, Han, kana, Hangul syllables, Thai …) are fine with a font that has them.

use unicode_script::{Script, UnicodeScript as _};

/// Why a line cannot be drawn faithfully here.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Undrawable {
    /// No installed font has these characters (each listed once, in order of appearance).
    #[error("no installed font has {}", chars.iter().map(|c| format!("{c:?} (U+{:04X})", u32::from(*c))).collect::<Vec<_>>().join(", "))]
    NoFont { chars: Vec<char> },
    /// The script's letters change shape or order with their neighbours, which needs a
    /// shaping engine Earmark's text drawing does not have.
    #[error("{script} text needs letter shaping, which Earmark cannot draw yet")]
    NeedsShaping { script: &'static str },
}

/// The script's name when `c` belongs to a script that must be shaped to be read.
pub fn needs_shaping(c: char) -> Option<&'static str> {
    let script = c.script();
    let shaped = matches!(
        script,
        Script::Arabic
            | Script::Syriac
            | Script::Nko
            | Script::Mongolian
            | Script::Mandaic
            | Script::Adlam
            | Script::Hanifi_Rohingya
            | Script::Devanagari
            | Script::Bengali
            | Script::Gurmukhi
            | Script::Gujarati
            | Script::Oriya
            | Script::Tamil
            | Script::Telugu
            | Script::Kannada
            | Script::Malayalam
            | Script::Sinhala
            | Script::Tibetan
            | Script::Myanmar
            | Script::Khmer
            | Script::Javanese
            | Script::Balinese
    );
    shaped.then(|| script.full_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letter_by_letter_scripts_pass_and_shaped_ones_are_named() {
        for s in [
            "Sam Reyes",
            "김지우 감독",
            "音楽が早すぎる",
            "דנה כהן",
            "Ñandú",
            "Ωμέγα",
            "สมชาย",
        ] {
            assert_eq!(s.chars().find_map(needs_shaping), None, "{s}");
        }
        assert_eq!("سارا".chars().find_map(needs_shaping), Some("Arabic"));
        assert_eq!("प्रिया".chars().find_map(needs_shaping), Some("Devanagari"));
    }

    #[test]
    fn the_message_names_the_missing_letters() {
        let e = Undrawable::NoFont { chars: vec!['김'] };
        assert_eq!(e.to_string(), "no installed font has '김' (U+AE40)");
    }
}
