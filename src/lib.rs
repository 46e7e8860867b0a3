//! Earmark: a review player for television sound mixes on headphones.
//!
//! Layers, each depending only on those below it:
//! `cli`/`ui` → `video`/`audio` → `media` → `time`. See README.md for the module map.

pub mod audio;
pub mod cli;
pub mod headphones;
pub mod media;
pub mod meters;
pub mod notes;
pub mod persist;
pub mod player;
pub mod report;
pub mod security;
pub mod settings;
pub mod spec;
pub mod time;
pub mod ui;
pub mod video;
