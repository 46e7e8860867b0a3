//! `earmark notes export|import|list MEDIA …`: a review's notes in and out of the store from
//! the command line, through the same [`NoteStore`](crate::notes::NoteStore) the window uses, so
//! an import shows up in the window and a note typed in the window can be exported by a script.
//!
//! The export itself, and opening the media for its marker context, are `report::export`'s
//! (the window's "Review complete" writes the same files through it).

use super::Outcome;
use crate::notes::exchange::add_marker;
use crate::notes::markers::{avid_txt, csv};
use crate::notes::{Note, NoteList, Opened};
pub use crate::report::{ExportFormat, marker_context as context_for};
use crate::report::{ExportRequest, Exported, open_media, open_notes as open_store};
use clap::Subcommand;
use serde::Serialize;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// `earmark notes …`.
#[derive(Debug, Subcommand)]
pub enum NotesCommand {
    /// Write the notes of MEDIA as markers for another program, as CSV, or as the HTML review
    /// report (print it to PDF from a browser).
    Export {
        /// The review file the notes belong to.
        media: PathBuf,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Where to write (replaced atomically).
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
        /// Pro Tools session start timecode (tick 0 of the MIDI file); the media start if omitted.
        #[arg(long, value_name = "TC")]
        session_start: Option<String>,
        /// Reviewer named in the report (the name in the settings, else the notes' authors,
        /// if omitted).
        #[arg(long)]
        reviewer: Option<String>,
        /// Loudness target the report judges against (as `earmark loudness --preset`).
        #[arg(long, default_value = "netflix")]
        preset: String,
        /// The show, episode and mix version at the top of the report (a line to fill in by
        /// hand on the printed page when omitted).
        #[arg(long)]
        show: Option<String>,
        #[arg(long)]
        episode: Option<String>,
        #[arg(long, value_name = "VERSION")]
        mix_version: Option<String>,
    },
    /// Add the notes in FILE (CSV with a header row, or Media Composer marker text) to MEDIA's.
    Import {
        media: PathBuf,
        /// `.csv` (columns timecode,last_timecode,category,author,text[,status]; an older end_timecode column is read too) or Avid `.txt`.
        file: PathBuf,
        /// Delete MEDIA's notes first instead of adding to them.
        #[arg(long)]
        replace: bool,
    },
    /// Print MEDIA's notes.
    List {
        media: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: NotesCommand) -> anyhow::Result<Outcome> {
    match command {
        NotesCommand::Export {
            media,
            format,
            output,
            session_start,
            reviewer,
            preset,
            show,
            episode,
            mix_version,
        } => export(&ExportRequest {
            media: &media,
            format,
            output: &output,
            session_start: session_start.as_deref(),
            reviewer: reviewer.as_deref(),
            preset: &preset,
            title: crate::report::ReportTitle {
                show,
                episode,
                mix_version,
            },
        }),
        NotesCommand::Import {
            media,
            file,
            replace,
        } => import(&media, &file, replace),
        NotesCommand::List { media, json } => list(&media, json),
    }
}

fn export(request: &ExportRequest<'_>) -> anyhow::Result<Outcome> {
    let output = request.output;
    let (notes, advice) = match crate::report::export_notes(request)? {
        Exported::Written { notes, advice } => (notes, advice),
        Exported::BadInput(msg) => return Ok(Outcome::BadInput(msg)),
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "wrote {notes} notes to {}", output.display())?;
    for line in advice {
        writeln!(out, "  {line}")?;
    }
    Ok(Outcome::Done)
}

/// Which importer reads `file`: the extension when it says, else the content (Avid marker
/// lists are tab-separated; a CSV header has commas).
fn is_avid_text(file: &Path, text: &str) -> bool {
    match file.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("csv") => false,
        Some(e) if e.eq_ignore_ascii_case("txt") => true,
        _ => text
            .lines()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.contains('\t')),
    }
}

fn import(media: &Path, file: &Path, replace: bool) -> anyhow::Result<Outcome> {
    let (reader, ctx) = match open_media(media) {
        Ok(m) => m,
        Err(msg) => return Ok(Outcome::BadInput(msg)),
    };
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            return Ok(Outcome::BadInput(format!(
                "cannot read the notes file ({e}): {}",
                file.display()
            )));
        }
    };
    let parsed = if is_avid_text(file, &text) {
        avid_txt::import(&text, &ctx)
    } else {
        csv::import(&text, &ctx)
    };
    let markers = match parsed {
        Ok(m) => m,
        Err(e) => return Ok(Outcome::BadInput(format!("{e} in {}", file.display()))),
    };
    // A note past the last picture could never be shown or reached; refuse the file whole, so
    // an import is all or nothing.
    let count = reader.frame_count();
    if let Some(m) = markers.iter().find(|m| m.frame >= count) {
        return Ok(Outcome::BadInput(format!(
            "the note at {} is after the last picture ({}) in {}",
            ctx.timecode_of(m.frame),
            ctx.timecode_of(count.saturating_sub(1)),
            file.display()
        )));
    }
    let Opened {
        mut store,
        mut notes,
        ..
    } = open_store(media)?;
    if replace {
        let ids: Vec<_> = notes.iter().map(|n| n.id).collect();
        for id in ids {
            store.delete(id)?;
            notes.remove(id);
        }
    }
    for marker in &markers {
        let id = add_marker(&mut notes, marker);
        if let Some(note) = notes.get(id) {
            // On disk before the next one, so a failure part-way leaves only whole notes.
            store.save(note)?;
        }
    }
    store.maybe_compact(&notes)?;
    println!(
        "imported {} notes from {} ({} in all for {})",
        markers.len(),
        file.display(),
        notes.len(),
        media.display()
    );
    Ok(Outcome::Done)
}

/// One note in `list --json`: the stored note plus its timecode labels.
#[derive(Serialize)]
struct Listed<'a> {
    timecode: String,
    last_timecode: Option<String>,
    #[serde(flatten)]
    note: &'a Note,
}

fn list(media: &Path, json: bool) -> anyhow::Result<Outcome> {
    let (_reader, ctx) = match open_media(media) {
        Ok(m) => m,
        Err(msg) => return Ok(Outcome::BadInput(msg)),
    };
    let notes: NoteList = open_store(media)?.notes;
    let mut out = std::io::stdout().lock();
    if json {
        let listed: Vec<Listed> = notes
            .iter()
            .map(|note| Listed {
                timecode: ctx.timecode_of(note.frame).to_string(),
                last_timecode: note.last_frame().map(|e| ctx.timecode_of(e).to_string()),
                note,
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&listed)?)?;
        return Ok(Outcome::Done);
    }
    if notes.is_empty() {
        writeln!(out, "no notes for {}", media.display())?;
    }
    for n in notes.iter() {
        let end = n
            .last_frame()
            .map(|e| format!("–{}", ctx.timecode_of(e)))
            .unwrap_or_default();
        writeln!(
            out,
            "{}{end}  {} [{}] {}: {}",
            ctx.timecode_of(n.frame),
            n.category.label(),
            n.status.id(),
            if n.author.is_empty() {
                "—"
            } else {
                &n.author
            },
            n.text.replace('\n', " ⏎ ")
        )?;
    }
    Ok(Outcome::Done)
}
