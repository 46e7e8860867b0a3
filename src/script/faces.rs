//! Fonts for text Earmark draws itself, in every script: first the face the window's own text
//! starts with (egui's Ubuntu Light), then whatever installed font
//! the system's font fallback offers for a character they lack — the very search the window
//! uses (`egui_system_font_provider`: fontconfig on Linux, CoreText, DirectWrite), so a
//! watermark and the window agree on what can be drawn.
//!
//! Fonts the fallback finds are memory-mapped by it and kept for the life of the process.
//! Enumerating the system's fonts takes a few hundred milliseconds, on a thread of its own,
//! and only once a character outside the built-in faces is asked for.

use ab_glyph::{Font as _, FontRef, InvalidFont};
use egui_system_font_provider::SystemFontProvider;
use epaint::text::{FallbackRequest, FontFamily, FontProvider as _};
use std::sync::{Arc, Mutex, OnceLock};

/// One face of a font file.
pub struct Face {
    /// For messages and logs (`Ubuntu-Light`, `system:Noto Sans CJK KR:…`).
    pub name: String,
    bytes: Arc<dyn AsRef<[u8]> + Send + Sync>,
    index: u32,
}

impl Face {
    fn built_in(name: &str, bytes: &'static [u8]) -> Self {
        Self {
            name: name.to_owned(),
            bytes: Arc::new(bytes),
            index: 0,
        }
    }

    /// The face, ready for `ab_glyph`. Parsing is lazy there, so this is cheap.
    pub fn font(&self) -> Result<FontRef<'_>, InvalidFont> {
        FontRef::try_from_slice_and_index((*self.bytes).as_ref(), self.index)
    }

    fn has(&self, c: char) -> bool {
        self.font().is_ok_and(|f| f.glyph_id(c).0 != 0)
    }
}

/// The faces text is drawn with, in the order they are tried.
pub struct Faces {
    built_in: Vec<Arc<Face>>,
    /// Faces the system's fallback has given so far.
    found: Mutex<Vec<Arc<Face>>>,
    system: OnceLock<SystemFontProvider>,
}

/// The window's own fallback for text its fonts lack, for an egui context eframe did not set
/// up (eframe installs the same provider in the window; test harnesses need it given).
pub fn system_font_provider() -> Arc<dyn epaint::text::FontProvider> {
    Arc::new(SystemFontProvider::new())
}

/// The process's faces (the system's fonts are looked at once, when first needed).
pub fn faces() -> &'static Faces {
    static FACES: OnceLock<Faces> = OnceLock::new();
    FACES.get_or_init(Faces::new)
}

impl Faces {
    fn new() -> Self {
        Self {
            built_in: vec![Arc::new(Face::built_in(
                "Ubuntu-Light",
                epaint_default_fonts::UBUNTU_LIGHT,
            ))],
            found: Mutex::new(Vec::new()),
            system: OnceLock::new(),
        }
    }

    /// The face Latin text starts with (its metrics set the line).
    pub fn primary(&self) -> Arc<Face> {
        self.built_in[0].clone()
    }

    /// The first face with a glyph for `c`; `None` when no installed font has one.
    pub fn face_for(&self, c: char) -> Option<Arc<Face>> {
        if let Some(face) = self.built_in.iter().find(|f| f.has(c)) {
            return Some(face.clone());
        }
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(face) = found.iter().find(|f| f.has(c)) {
            return Some(face.clone());
        }
        let system = self.system.get_or_init(SystemFontProvider::new);
        let cluster = c.to_string();
        let insert = system.font_for(&FallbackRequest {
            cluster: &cluster,
            family: &FontFamily::Proportional,
        })?;
        let face = Arc::new(Face {
            name: insert.name,
            bytes: insert.data.font,
            index: insert.data.index,
        });
        if !face.has(c) {
            return None;
        }
        found.push(face.clone());
        Some(face)
    }

    /// Whether every letter of `line` can be drawn faithfully: a font for each, and no script
    /// that needs shaping. Spaces and control characters need no glyph.
    pub fn check(&self, line: &str) -> Result<(), super::Undrawable> {
        if let Some(script) = line.chars().find_map(super::needs_shaping) {
            return Err(super::Undrawable::NeedsShaping { script });
        }
        let mut missing: Vec<char> = Vec::new();
        for c in line.chars() {
            if !c.is_whitespace()
                && !c.is_control()
                && self.face_for(c).is_none()
                && !missing.contains(&c)
            {
                missing.push(c);
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(super::Undrawable::NoFont { chars: missing })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_comes_from_the_window_font() {
        let f = faces();
        assert_eq!(
            f.face_for('S').map(|f| f.name.clone()).as_deref(),
            Some("Ubuntu-Light")
        );
        assert!(f.check("Sam Reyes <sam@example.com>").is_ok());
    }

    /// Needs the fonts `make test` installs (Noto CJK, Noto core); on a machine without them
    /// the message names what is missing, which is the other half of the behaviour.
    #[test]
    fn korean_japanese_and_hebrew_find_installed_fonts() {
        let f = faces();
        for (c, script) in [('김', "Korean"), ('音', "Japanese"), ('ש', "Hebrew")] {
            let face = f.face_for(c).unwrap_or_else(|| panic!("no font for {script} {c:?}: install fonts-noto-cjk and fonts-noto-core (scripts/install-deps.sh)"));
            assert!(face.name.starts_with("system:"), "{script}: {}", face.name);
        }
        assert!(f.check("김지우 감독").is_ok());
    }

    #[test]
    fn shaped_scripts_and_unassigned_letters_are_refused_by_name() {
        let f = faces();
        assert!(matches!(
            f.check("سارا"),
            Err(super::super::Undrawable::NeedsShaping { script: "Arabic" })
        ));
        // A private-use character no font maps.
        assert!(matches!(
            f.check("a\u{10FFFD}"),
            Err(super::super::Undrawable::NoFont { .. })
        ));
    }
}
