//! What can be asked of a review ([`Intent`]) and what it reports back ([`Event`]).
//!
//! Intents are the review's whole vocabulary for position, marks, loop and notes: a key, a
//! click, a scripted step, a command-line option or (later) a remote participant each become
//! one. Listening controls (output device, gain, monitoring mode) belong to the seat, not to
//! the review, and go to the player directly.

use super::marks::Marks;
use super::note_filter::NoteFilter;
use crate::notes::{Category, ListeningSetup, NoteId};
use crate::time::Frame;

/// One thing asked of the review.
#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    TogglePlay,
    Play,
    /// Plays from this frame, its first sample heard at this monotonic instant (ns): a shared
    /// review's start, the same moment on every participant's machine.
    PlayAt {
        from: Frame,
        at_ns: i64,
    },
    Pause,
    /// Runs at this speed (J/L: ±1, ±2, ±4 …; 0 stops).
    Shuttle(i32),
    /// Moves this many frames (negative: back).
    Step(i64),
    /// Moves this many seconds of the file's nominal rate.
    StepSeconds(i64),
    GoToStart,
    GoToEnd,
    /// Goes to a frame (clamped to the file).
    Seek(Frame),
    /// Goes to the nearest note before (after) the frame looked at, among those the view's
    /// filter shows.
    PreviousNote(NoteFilter),
    NextNote(NoteFilter),
    MarkIn,
    MarkOut,
    ClearIn,
    ClearOut,
    ToggleLoop,
    /// Loops over `[in, out)` frames (`None`: the current marks) or stops looping: a shared
    /// review's loop, the same on every participant's machine.
    SetLoop {
        range: Option<(Frame, Frame)>,
        on: bool,
    },
    /// Adds a note on the frame looked at (the picture on screen while playing).
    AddNote {
        text: String,
        author: String,
        setup: Option<ListeningSetup>,
        category: Option<Category>,
    },
    /// A note was changed in place through [`super::Review::edit_notes`]: stamp and save it.
    NoteEdited(NoteId),
    DeleteNote(NoteId),
    /// Brings back the newest note deleted in this session.
    UndoDelete,
    /// The reviewer gave their name after writing notes unsigned: sign those with it.
    SignUnsigned {
        author: String,
    },
}

/// What a review reports after an intent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    NoteAdded(NoteId),
    NoteChanged(NoteId),
    NoteDeleted(NoteId),
    /// An undo brought this note back (same id and fields).
    NoteRestored(NoteId),
    MarksChanged(Marks),
    LoopChanged(bool),
}
