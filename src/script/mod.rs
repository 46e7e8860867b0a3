//! Text in every script reviewers write names and notes in, where Earmark draws text itself
//! (the burned-in watermark) or hands egui a line it cannot lay out (right-to-left text):
//! fonts found through the system's own font fallback, the same search the window's text
//! uses (`faces`); the visual order of a right-to-left line (`bidi`); and which scripts can be
//! drawn letter by letter without a shaping engine (`coverage`). A leaf: no other Earmark module.

mod bidi;
mod coverage;
mod faces;

pub use bidi::visual_order;
pub use coverage::{Undrawable, needs_shaping};
pub use faces::{Face, Faces, faces, system_font_provider};
