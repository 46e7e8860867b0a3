//! The review report: one self-contained HTML page (print it to PDF from a browser) that says
//! what was reviewed, how, by whom, and what the notes are.
//!
//! Split in two so the page can be tested without media: [`gather`] reads the file (hash,
//! probe, loudness from the per-content cache or a scan, headphone declarations, calibration
//! records, a thumbnail per note, the access log's entries for the file) into a plain
//! [`Report`]; [`html::render`] turns that into text and escapes every string it was given.
//! Nothing here is judged anew: the loudness verdict is the preset's, the calibration status
//! the store's. [`export_notes`] writes a review's notes as the report or as markers — for
//! `earmark notes export` and the window's "Review complete" alike.

mod error;
mod export;
mod gather;
pub mod html;
mod thumbnail;

pub use error::ReportError;
pub use export::{
    ExportFormat, ExportRequest, Exported, ReportTitle, export_notes, marker_context, open_media,
    open_notes,
};
pub use gather::{GatherOptions, gather};
pub use thumbnail::png_thumbnail;

/// Everything the page shows, as text ready to escape.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// What was reviewed, as the producer names it (`None`: a line to fill in by hand).
    pub show: Option<String>,
    pub episode: Option<String>,
    pub mix_version: Option<String>,
    /// The summary box on page 1, in plain words.
    pub summary: Summary,
    pub file_name: String,
    pub file_size: u64,
    pub sha256: String,
    /// Probe summary rows: (what, value).
    pub probe: Vec<(String, String)>,
    /// The delivery spec check against each profile, in one line.
    pub spec_check: String,
    /// Loudness rows: (what, value).
    pub loudness: Vec<(String, String)>,
    /// The preset's verdict in one line, and whether it passed (`None`: not measured).
    pub loudness_verdict: Option<(bool, String)>,
    /// Headphone and calibration lines.
    pub listening: Vec<String>,
    pub reviewer: String,
    pub date: String,
    pub notes: Vec<ReportNote>,
    /// The access log's entries for this media, oldest first.
    pub access: Vec<ReportAccess>,
    /// Why the access log could not be shown in full (damaged lines, unreadable), if so.
    pub access_problem: Option<String>,
}

/// The summary box: what a producer reads before signing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Ready to sign or not, and why, in one sentence.
    pub verdict: String,
    /// Whether the verdict is good news (for its colour).
    pub ready: bool,
    pub open: usize,
    pub addressed: usize,
    /// Who reviewed, and on what (headphones as named, not profile ids).
    pub reviewed_on: String,
    /// The loudness in one plain sentence (`None`: not measured).
    pub loudness: Option<String>,
    /// The delivery check in one plain sentence.
    pub delivery: String,
}

/// One access log entry in the report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportAccess {
    pub time: String,
    pub event: String,
    pub who: String,
    pub path: String,
    pub detail: String,
}

/// One row of the notes table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportNote {
    pub timecode: String,
    /// Timecode of a range note's last frame (inclusive); empty for a point.
    pub last_timecode: String,
    pub category: String,
    pub status: String,
    pub author: String,
    pub text: String,
    /// What the reviewer heard it on (`ListeningSetup::summary`), if known.
    pub setup: Option<String>,
    /// The note's frame as PNG, scaled down; `None` when the picture could not be decoded.
    pub thumbnail_png: Option<Vec<u8>>,
}
