//! `earmark notes export|import|list|edit …`: notes in and out of the notes database from the
//! command line, through the same [`NoteStore`](crate::notes::NoteStore) the window uses, so an
//! import shows up in an open window within a second and a note typed in the window can be
//! exported by a script. `list` without a media file searches every review's notes.
//!
//! The export itself, and opening the media for its marker context, are `report::export`'s
//! (the window's "Review complete" writes the same files through it).

use super::{FormatArg, Outcome, PresetArg, StatusArg, choice};
use crate::notes::db::query::{Found, NoteQuery};
use crate::notes::db::{NotesDb, ReviewInfo};
use crate::notes::exchange::from_marker;
use crate::notes::markers::{MarkerContext, avid_txt, csv};
use crate::notes::{Category, Note, NoteId, NoteStore, Opened, Status};
pub use crate::report::marker_context as context_for;
use crate::report::{ExportRequest, Exported, open_media, open_notes as open_store};
use crate::time::{FrameRate, Timecode};
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
        /// What to write.
        #[arg(long, value_parser = choice::<FormatArg>("export format"))]
        format: FormatArg,
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
        #[arg(
            long,
            default_value = "netflix",
            ignore_case = true,
            value_parser = choice::<PresetArg>("loudness preset")
        )]
        preset: PresetArg,
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
    /// Print notes: MEDIA's, or with no MEDIA every review's; the options narrow it down.
    List {
        media: Option<PathBuf>,
        /// Only reviews whose file name or path contains this.
        #[arg(long)]
        file: Option<String>,
        /// Only notes with this status.
        #[arg(long, ignore_case = true, value_parser = choice::<StatusArg>("status"))]
        status: Option<StatusArg>,
        /// Only notes of this category (dialogue, music, effects, mix-balance, picture,
        /// technical, other).
        #[arg(long)]
        category: Option<String>,
        /// Only notes whose author's name contains this.
        #[arg(long)]
        author: Option<String>,
        /// Only notes whose text contains this.
        #[arg(long)]
        text: Option<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Change one note of MEDIA (its id as `list --json` prints it); only the fields given
    /// change, so someone else's change to another field is kept.
    Edit {
        media: PathBuf,
        id: String,
        #[arg(long)]
        text: Option<String>,
        /// The note's new status.
        #[arg(long, ignore_case = true, value_parser = choice::<StatusArg>("status"))]
        status: Option<StatusArg>,
        /// The note's new category (dialogue, music, effects, mix-balance, picture, technical,
        /// other; also DX, MX, FX, MIX, PIC, TECH, NOTE).
        #[arg(long)]
        category: Option<String>,
        #[arg(long)]
        author: Option<String>,
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
            format: format.into(),
            output: &output,
            session_start: session_start.as_deref(),
            reviewer: reviewer.as_deref(),
            preset: preset.id(),
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
        NotesCommand::List {
            media,
            file,
            status,
            category,
            author,
            text,
            json,
        } => {
            let query = NoteQuery {
                review: None,
                file,
                status: status.map(|s| Status::from(s).id().to_owned()),
                category,
                author,
                text,
            };
            match media {
                Some(m) => list(&m, query, json),
                None => list_all(&query, json),
            }
        }
        NotesCommand::Edit {
            media,
            id,
            text,
            status,
            category,
            author,
        } => edit(
            &media,
            &id,
            Changes {
                text,
                status: status.map(Status::from),
                category,
                author,
            },
        ),
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
    let Opened { mut store, .. } = open_store(media)?;
    describe(&mut store, &ctx);
    if let Some(name) = crate::settings::reviewer_name() {
        store.set_editor(&name);
    }
    let new: Vec<Note> = markers.iter().map(from_marker).collect();
    // One transaction: all of the file, or (on any failure, or a crash) none of it.
    let notes = store.import(&new, replace)?;
    println!(
        "imported {} notes from {} ({} in all for {})",
        markers.len(),
        file.display(),
        notes.len(),
        media.display()
    );
    Ok(Outcome::Done)
}

/// Records how MEDIA's frames read as timecode, so `list` can label its notes without it.
fn describe(store: &mut NoteStore, ctx: &MarkerContext) {
    let (num, den) = (ctx.rate.0.num, ctx.rate.0.den);
    if let (Ok(num), Ok(den)) = (u32::try_from(num), u32::try_from(den)) {
        // Only a convenience for listing: failing to record it loses nothing.
        let _ = store.describe_timecode((num, den), &ctx.start.to_string());
    }
}

/// One note in `list --json`: the stored note plus its timecode labels and review.
#[derive(Serialize)]
struct Listed<'a> {
    /// `None` when the review's timecode is not known here (its media never opened on this
    /// version): `frame` still places it.
    timecode: Option<String>,
    last_timecode: Option<String>,
    media: &'a Path,
    #[serde(flatten)]
    note: &'a Note,
}

/// The timecode labels of `note` (`None` without a context).
fn labels(ctx: Option<&MarkerContext>, note: &Note) -> (Option<String>, Option<String>) {
    let Some(ctx) = ctx else {
        return (None, None);
    };
    (
        Some(ctx.timecode_of(note.frame.0).to_string()),
        note.last_frame().map(|e| ctx.timecode_of(e.0).to_string()),
    )
}

/// One line of text output for `note`.
fn line(ctx: Option<&MarkerContext>, note: &Note) -> String {
    let (tc, last) = labels(ctx, note);
    let at = tc.unwrap_or_else(|| note.frame.to_string());
    let end = last.map(|e| format!("–{e}")).unwrap_or_default();
    format!(
        "{at}{end}  {} [{}] {}: {}",
        note.category.label(),
        note.status.id(),
        if note.author.is_empty() {
            "—"
        } else {
            &note.author
        },
        note.text.replace('\n', " ⏎ ")
    )
}

/// Checks the status and category words before searching (a typo would otherwise find
/// nothing and look like an answer).
fn check_query(q: &mut NoteQuery) -> Result<(), String> {
    if let Some(s) = &q.status {
        let parsed =
            Status::parse(s).ok_or_else(|| format!("unknown status {s:?} (open or addressed)"))?;
        q.status = Some(parsed.id().to_owned());
    }
    if let Some(c) = &q.category {
        let parsed = Category::parse(c).ok_or_else(|| Category::unknown(c))?;
        q.category = Some(parsed.id().to_owned());
    }
    Ok(())
}

fn list(media: &Path, mut query: NoteQuery, json: bool) -> anyhow::Result<Outcome> {
    if let Err(msg) = check_query(&mut query) {
        return Ok(Outcome::BadInput(msg));
    }
    let (_reader, ctx) = match open_media(media) {
        Ok(m) => m,
        Err(msg) => return Ok(Outcome::BadInput(msg)),
    };
    let Opened { mut store, .. } = open_store(media)?;
    describe(&mut store, &ctx);
    query.review = Some(store.key().to_owned());
    let found = open_db()?.query(&query)?;
    print_found(
        &found,
        |_| Some(ctx.clone()),
        json,
        &format!("no notes for {}", media.display()),
    )
}

fn list_all(query: &NoteQuery, json: bool) -> anyhow::Result<Outcome> {
    let mut query = query.clone();
    if let Err(msg) = check_query(&mut query) {
        return Ok(Outcome::BadInput(msg));
    }
    let found = open_db()?.query(&query)?;
    print_found(&found, stored_context, json, "no notes found")
}

fn open_db() -> anyhow::Result<NotesDb> {
    let root = NoteStore::default_root()
        .ok_or_else(|| anyhow::anyhow!("this system has no data folder for notes"))?;
    let (db, problems) = NotesDb::open(&root)?;
    for p in problems {
        eprintln!("earmark: {p}");
    }
    Ok(db)
}

/// The timecode context recorded for a review when its media was last opened.
fn stored_context(info: &ReviewInfo) -> Option<MarkerContext> {
    let (num, den) = info.rate?;
    let rate = FrameRate::new(i64::from(num), i64::from(den))?;
    let start_tc = info.start_tc.as_deref()?;
    let tc_rate = rate.timecode_rate(start_tc.contains(';'));
    let start = Timecode::parse(start_tc, tc_rate).ok()?;
    MarkerContext::new(rate, start, info.name.clone()).ok()
}

fn print_found(
    found: &[Found],
    context: impl Fn(&ReviewInfo) -> Option<MarkerContext>,
    json: bool,
    empty: &str,
) -> anyhow::Result<Outcome> {
    let mut out = std::io::stdout().lock();
    let mut contexts: std::collections::HashMap<String, Option<MarkerContext>> =
        std::collections::HashMap::new();
    let mut ctx_of = |f: &Found| -> Option<MarkerContext> {
        contexts
            .entry(f.review_key.clone())
            .or_insert_with(|| context(&f.review))
            .clone()
    };
    if json {
        let mut listed = Vec::with_capacity(found.len());
        for f in found {
            let (timecode, last_timecode) = labels(ctx_of(f).as_ref(), &f.note);
            listed.push(Listed {
                timecode,
                last_timecode,
                media: &f.review.path,
                note: &f.note,
            });
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&listed)?)?;
        return Ok(Outcome::Done);
    }
    if found.is_empty() {
        writeln!(out, "{empty}")?;
    }
    let mut review = None;
    for f in found {
        if review != Some(&f.review_key) && found.iter().any(|o| o.review_key != f.review_key) {
            writeln!(out, "{}", f.review.path.display())?;
        }
        review = Some(&f.review_key);
        writeln!(out, "{}", line(ctx_of(f).as_ref(), &f.note))?;
    }
    Ok(Outcome::Done)
}

/// The fields `notes edit` was asked to change.
struct Changes {
    text: Option<String>,
    status: Option<Status>,
    category: Option<String>,
    author: Option<String>,
}

fn edit(media: &Path, id: &str, changes: Changes) -> anyhow::Result<Outcome> {
    let Ok(id) = id.trim().parse::<NoteId>() else {
        return Ok(Outcome::BadInput(format!(
            "{id:?} is not a note id (`earmark notes list --json` prints them)"
        )));
    };
    let Opened {
        mut store, notes, ..
    } = open_store(media)?;
    if let Some(name) = crate::settings::reviewer_name() {
        store.set_editor(&name);
    }
    let Some(mut note) = notes.get(id).cloned() else {
        return Ok(Outcome::BadInput(format!(
            "no note {id} among the notes of {}",
            media.display()
        )));
    };
    if let Some(t) = changes.text {
        note.text = t;
    }
    if let Some(s) = changes.status {
        note.status = s;
    }
    if let Some(c) = changes.category {
        match Category::parse(&c) {
            Some(c) => note.category = c,
            None => return Ok(Outcome::BadInput(Category::unknown(&c))),
        }
    }
    if let Some(a) = changes.author {
        note.author = a;
    }
    note.edited_ms = crate::notes::now_ms();
    match store.save(&note)? {
        Some(saved) => println!("saved note {id}: {}", saved.text.replace('\n', " ⏎ ")),
        None => println!("note {id} was deleted meanwhile; it stays deleted"),
    }
    Ok(Outcome::Done)
}
