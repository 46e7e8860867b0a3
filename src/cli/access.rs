//! What the commands write in the access log, decided in one place: a command that reads a
//! media file logs `open`; one that writes something derived from it out of Earmark (markers,
//! the report, a still) logs `export` once it has succeeded. Commands run once and let go of
//! the file when they end, so only the window logs `close`. "Review complete" logs its own
//! exports, completion and deletion (`review_cmd`).
//!
//! The hash is worked out on the recorder's thread while the command runs; the command waits
//! for the log line only at its end.

use super::{Command, NotesCommand, Outcome};
use crate::security::{AccessEvent, AccessLog, Dirs};
use std::path::{Path, PathBuf};

/// The access to log for one command.
pub(super) struct Recorder {
    log: Option<AccessLog>,
    /// The export to log if the command succeeds: media, detail.
    export: Option<(PathBuf, String)>,
}

impl Recorder {
    /// Logs `command`'s `open` now, or gets ready to log its export.
    pub(super) fn begin(command: &Command) -> Self {
        let (event, media, detail) = match access_of(command) {
            Some(a) => a,
            None => return Self::none(),
        };
        let Some(log) = start_log(media) else {
            return Self::none();
        };
        let export = match event {
            AccessEvent::Export => {
                // The report hashes the file itself, through the same cache: hashing it here
                // too would read it twice at once.
                if !is_report(command) {
                    log.warm(media);
                }
                Some((media.to_path_buf(), detail))
            }
            event => {
                log.record_detail(event, media, &detail);
                None
            }
        };
        Self {
            log: Some(log),
            export,
        }
    }

    /// Logs the export when the command made it, and waits until the log is on disk.
    pub(super) fn end(self, result: &anyhow::Result<Outcome>) {
        let Some(log) = self.log else { return };
        if let (Some((media, detail)), Ok(Outcome::Done)) = (&self.export, result) {
            log.record_detail(AccessEvent::Export, media, detail);
        }
        for p in log.flush() {
            eprintln!("earmark: {p}");
        }
    }

    fn none() -> Self {
        Self {
            log: None,
            export: None,
        }
    }
}

/// Logs an `open` of `media` by something other than a subcommand (headless playback); the
/// recorder returned finishes the entry (waits for the hash) when dropped, so hold it while
/// the media is in use.
pub(super) fn record_open(media: &Path, detail: &str) -> Option<AccessLog> {
    let log = start_log(media)?;
    log.record_detail(AccessEvent::Open, media, detail);
    Some(log)
}

/// A recorder for this user, naming the reviewer from Settings; `None` (said on stderr) when
/// there is nowhere to log, and quietly when `media` is not a file (nothing was accessed).
fn start_log(media: &Path) -> Option<AccessLog> {
    if !std::fs::metadata(media).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let reviewer = match crate::settings::Settings::load() {
        Ok(s) => s.reviewer,
        Err(e) => {
            eprintln!("earmark: {e}");
            String::new()
        }
    };
    let started = Dirs::system().and_then(|d| AccessLog::start(&d, &reviewer));
    match started {
        Ok(log) => Some(log),
        Err(e) => {
            eprintln!("earmark: this access is not logged: {e}");
            None
        }
    }
}

/// The event, media and detail `command` logs, if any.
fn access_of(command: &Command) -> Option<(AccessEvent, &Path, String)> {
    use AccessEvent::{Export, Open};
    Some(match command {
        Command::Probe { file, .. } => (Open, file, "probe".to_owned()),
        Command::Loudness { file, .. } => (Open, file, "loudness".to_owned()),
        Command::Check { file, .. } => (Open, file, "check".to_owned()),
        Command::Notes { command } => match command {
            // A search across reviews opens no media file.
            NotesCommand::List { media, .. } => (Open, media.as_deref()?, "notes list".to_owned()),
            NotesCommand::Edit { media, id, .. } => (Open, media, format!("notes edit {id}")),
            NotesCommand::Import { media, file, .. } => {
                (Open, media, format!("notes import {}", file.display()))
            }
            NotesCommand::Export {
                media,
                format,
                output,
                ..
            } => (Export, media, export_detail(*format, output)),
        },
        Command::Still {
            file,
            frame,
            tc,
            output,
        } => {
            let at = match (frame, tc) {
                (Some(f), _) => format!("frame {f}"),
                (None, Some(tc)) => format!("timecode {tc}"),
                (None, None) => "a frame".to_owned(),
            };
            (
                Export,
                file,
                format!("still {at} to {}", absolute(output).display()),
            )
        }
        _ => return None,
    })
}

fn is_report(command: &Command) -> bool {
    matches!(
        command,
        Command::Notes {
            command: NotesCommand::Export {
                format: super::FormatArg::Html,
                ..
            }
        }
    )
}

/// "notes export csv to /abs/notes.csv".
pub(super) fn export_detail(format: super::FormatArg, output: &Path) -> String {
    format!(
        "notes export {} to {}",
        format.id(),
        absolute(output).display()
    )
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
