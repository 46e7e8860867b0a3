//! The review session, as plain Rust: what a review *is*, apart from how it is drawn or typed.
//!
//! A [`Review`] is one file under review — the player, the notes (saved as they change, with
//! undo), the in/out marks and loop, the background loudness scan and spec check. It changes
//! only through [`Intent`]s and says what changed as [`Event`]s. The window turns keys and
//! clicks into intents and draws the review; the command line fills in a [`ReviewSetup`]; a
//! remote participant (issue 21) will send the same intents. Neither the window nor the
//! command line imports the other.
//!
//! - [`session`]: [`Review`] and [`ReviewOptions`]
//! - [`intent`]: [`Intent`] in, [`Event`] out
//! - [`marks`]: in/out marks and the loop range they make
//! - [`note_keeper`]: every note change on disk before it shows as saved, retried when refused
//! - [`note_filter`]: which notes a view shows; the deleted notes undo brings back
//! - [`setup`]: how a review starts ([`ReviewSetup`], [`Script`]) and how a window run ended

pub mod intent;
pub mod marks;
pub mod note_filter;
pub mod note_keeper;
pub mod session;
pub mod setup;

pub use intent::{Event, Intent};
pub use marks::Marks;
pub use note_filter::{DeletedNotes, NoteFilter};
pub use note_keeper::{NoteKeeper, SaveState};
pub use session::{Review, ReviewOptions};
pub use setup::{ReviewEnd, ReviewSetup, Script, TogetherSetup, demo_clip};
