//! A review's notes out of the store into a file: markers for another program, CSV, or the
//! printable review report. One function for `earmark notes export` and the window's "Review
//! complete", so both write the same bytes.
//!
//! The media file is opened for two things only: its exact rate and start timecode (the
//! [`MarkerContext`]), and — for the HTML report — the pictures of the notes' frames. That is
//! why the context is built here and not in `notes`, which must not depend on FFmpeg.

use super::ReportError;
use crate::notes::exchange::to_markers;
use crate::notes::markers::{
    MarkerContext, MarkerError, MediaFile, avid_txt, cmx_edl, csv, fcpxml, file_url, protools_midi,
    resolve_edl,
};
use crate::notes::{NoteStore, Opened};
use crate::time::Timecode;
use crate::video::FrameReader;
use std::path::Path;

/// What a notes export writes (`earmark notes export --format`, the window's tick boxes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Standard MIDI File with marker events (Pro Tools, Cubase, Nuendo).
    ProtoolsMidi,
    /// Media Composer marker list.
    AvidTxt,
    /// DaVinci Resolve marker EDL.
    ResolveEdl,
    /// CMX3600 EDL with `* LOC:` locators.
    Edl,
    /// Final Cut Pro XML 1.10.
    Fcpxml,
    /// CSV (UTF-8 with BOM), the lossless round trip.
    Csv,
    /// The printable review report.
    Html,
}

/// One export asked for.
#[derive(Clone, Debug)]
pub struct ExportRequest<'a> {
    /// The review file the notes belong to.
    pub media: &'a Path,
    pub format: ExportFormat,
    /// Where to write (replaced atomically).
    pub output: &'a Path,
    /// Pro Tools session start timecode (tick 0 of the MIDI file); the media start if `None`.
    pub session_start: Option<&'a str>,
    /// Reviewer named in the report (if `None`: the name in the settings, else the notes'
    /// authors).
    pub reviewer: Option<&'a str>,
    /// Loudness target the report judges against (a `meters::Preset` id).
    pub preset: &'a str,
    /// Show, episode and mix version for the report's header.
    pub title: ReportTitle,
}

/// What was reviewed, as the producer names it; each `None` prints as a line to fill in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportTitle {
    pub show: Option<String>,
    pub episode: Option<String>,
    pub mix_version: Option<String>,
}

/// How an export ended, when nothing failed underneath it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exported {
    /// Written: how many notes, and what to tell the user about importing the file (Pro Tools).
    Written { notes: usize, advice: Vec<String> },
    /// The media, a timecode or the preset could not be used; the message names it.
    BadInput(String),
}

/// Writes the notes of `request.media` as `request.format` to `request.output`.
pub fn export_notes(request: &ExportRequest<'_>) -> Result<Exported, ReportError> {
    let ExportRequest {
        media,
        format,
        output,
        session_start,
        reviewer,
        preset,
        ref title,
    } = *request;
    let (mut reader, mut ctx) = match open_media(media) {
        Ok(m) => m,
        Err(msg) => return Ok(Exported::BadInput(msg)),
    };
    if let Some(text) = session_start {
        let parsed = Timecode::parse(text, ctx.timecode_rate())
            .map_err(|e| e.to_string())
            .and_then(|tc| {
                ctx.clone()
                    .with_session_start(tc)
                    .map_err(|e| e.to_string())
            });
        match parsed {
            Ok(c) => ctx = c,
            Err(e) => return Ok(Exported::BadInput(format!("--session-start {text}: {e}"))),
        }
    }
    let notes = open_notes(media)?.notes;
    let markers = to_markers(&notes);
    let bytes: Vec<u8> = match format {
        ExportFormat::ProtoolsMidi => {
            match protools_midi::export(&markers, &ctx, &protools_midi::ProToolsOptions::default())
            {
                Ok(b) => b,
                Err(e) => return Ok(Exported::BadInput(e.to_string())),
            }
        }
        ExportFormat::AvidTxt => {
            avid_txt::export(&markers, &ctx, &avid_txt::AvidOptions::default()).into_bytes()
        }
        ExportFormat::ResolveEdl => resolve_edl::export(&markers, &ctx).into_bytes(),
        ExportFormat::Edl => cmx_edl::export(&markers, &ctx).into_bytes(),
        ExportFormat::Fcpxml => fcpxml::export(&markers, &ctx).into_bytes(),
        ExportFormat::Csv => csv::export(&markers, &ctx).into_bytes(),
        ExportFormat::Html => {
            let Some(preset) = crate::meters::Preset::by_id(preset) else {
                return Ok(Exported::BadInput(format!(
                    "unknown loudness preset `{preset}`; one of: {}",
                    crate::meters::Preset::ids()
                )));
            };
            let options = super::GatherOptions {
                // The name in the settings when none was given: the report is signed by the
                // reviewer, not only by the notes' authors.
                reviewer: reviewer
                    .map(str::to_owned)
                    .or_else(crate::settings::reviewer_name),
                preset,
                watermark: crate::settings::watermark_for(media),
                show: title.show.clone(),
                episode: title.episode.clone(),
                mix_version: title.mix_version.clone(),
                ..super::GatherOptions::default()
            };
            let report = super::gather(&mut reader, &ctx, &notes, &options)?;
            super::html::render(&report).into_bytes()
        }
    };
    crate::persist::write_atomic(output, &bytes).map_err(|source| ReportError::Write {
        path: output.to_path_buf(),
        source,
    })?;
    let advice = if format == ExportFormat::ProtoolsMidi {
        protools_midi::import_advice(&ctx)
    } else {
        Vec::new()
    };
    Ok(Exported::Written {
        notes: notes.len(),
        advice,
    })
}

/// The media's reader and marker context, or the bad-input message naming the file.
pub fn open_media(media: &Path) -> Result<(FrameReader, MarkerContext), String> {
    let reader = FrameReader::open(media).map_err(|e| e.to_string())?;
    let ctx = marker_context(&reader).map_err(|e| format!("{e} ({})", media.display()))?;
    Ok((reader, ctx))
}

/// How this media's frames become timecode (its exact rate and its own start timecode), and
/// the file itself for the formats that link to it (FCPXML): its absolute path as a URL, its
/// length, picture size and sound.
pub fn marker_context(reader: &FrameReader) -> Result<MarkerContext, MarkerError> {
    let path = reader.path();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let info = crate::media::describe(reader.container());
    let v = &info.video;
    let media = MediaFile {
        // Absolute, without `..` (the file exists: it was just opened).
        url: file_url(&std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())),
        frames: reader.frame_count(),
        picture: (v.width > 0 && v.height > 0).then_some((v.width, v.height)),
        sound: info.audio.as_ref().map(|a| (a.sample_rate, a.channels)),
    };
    Ok(MarkerContext::new(reader.index().rate, reader.timecode().start, name)?.with_media(media))
}

/// Opens MEDIA's notes store, reporting on stderr anything it had to recover from.
pub fn open_notes(media: &Path) -> Result<Opened, ReportError> {
    let root = NoteStore::default_root().ok_or(ReportError::NoDataFolder)?;
    let opened = NoteStore::open(&root, media).map_err(|source| ReportError::Notes {
        media: media.to_path_buf(),
        source,
    })?;
    for p in &opened.problems {
        eprintln!("earmark: {p}");
    }
    Ok(opened)
}
