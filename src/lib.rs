//! Earmark: a review player for television sound mixes on headphones.
//!
//! Layers, each depending only on those below it: `cli` / `ui` → `review` → `player`/`report` →
//! `security`/`analysis` → `settings` → `headphones`/`video`/`delivery`/`notes` → `audio` →
//! `media`/`meters` → `time`/`persist`. README.md's module map has the exact table of which
//! module may use which; `tests/checks/architecture.rs` holds the same table and enforces it.

pub mod analysis;
pub mod audio;
pub mod cli;
pub mod delivery;
pub mod headphones;
pub mod media;
pub mod meters;
pub mod notes;
pub mod persist;
pub mod player;
pub mod report;
pub mod review;
pub mod script;
pub mod security;
pub mod settings;
pub mod time;
pub mod together;
pub mod ui;
pub mod video;
