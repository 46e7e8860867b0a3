//! `earmark log [--json] [--media FILE] [-o OUT.csv|OUT.json]`: the access log — who opened,
//! exported and deleted which media, when — as a table, JSON, or a file for someone else.
//!
//! `--media` picks one file's entries by content (its SHA-256, so copies and renamed files
//! count) and by where it was (so a file already deleted can still be looked up); a 64-digit
//! SHA-256 is taken as the content itself. Damaged lines are reported on stderr and skipped;
//! they stay in the log.

use super::Outcome;
use crate::security::{AccessEntry, Dirs, HashCache, read_log};
use anyhow::Context as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// `earmark log …`.
#[derive(Debug, clap::Args)]
pub struct LogArgs {
    /// Print JSON (an array of entries) instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Only the entries about this media file (or this SHA-256).
    #[arg(long, value_name = "FILE")]
    pub media: Option<PathBuf>,
    /// Write the entries to OUT.csv or OUT.json (by its extension) instead of printing them.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: Option<PathBuf>,
}

/// What `-o` writes.
enum FileFormat {
    Csv,
    Json,
}

pub fn run(args: &LogArgs) -> anyhow::Result<Outcome> {
    let format = match &args.output {
        None => None,
        Some(out) => match out.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Some(FileFormat::Csv),
            Some(e) if e.eq_ignore_ascii_case("json") => Some(FileFormat::Json),
            _ => {
                return Ok(Outcome::BadInput(format!(
                    "-o writes .csv or .json; say which by the name: {}",
                    out.display()
                )));
            }
        },
    };
    let dirs = Dirs::system()?;
    let read = read_log(&dirs.access_log())?;
    for p in &read.problems {
        eprintln!("earmark: {p}");
    }
    let entries: Vec<&AccessEntry> = match &args.media {
        None => read.entries.iter().collect(),
        Some(media) => {
            let (sha, path) = match media_filter(&dirs, media) {
                Ok(f) => f,
                Err(msg) => return Ok(Outcome::BadInput(msg)),
            };
            read.entries
                .iter()
                .filter(|e| e.is_about(sha.as_deref(), path.as_deref()))
                .collect()
        }
    };
    if let (Some(out), Some(format)) = (&args.output, format) {
        let bytes = match format {
            FileFormat::Json => serde_json::to_vec_pretty(&entries)?,
            FileFormat::Csv => AccessEntry::csv(entries.iter().copied()).into_bytes(),
        };
        crate::persist::write_atomic(out, &bytes)
            .with_context(|| format!("writing {}", out.display()))?;
        println!("wrote {} entries to {}", entries.len(), out.display());
        return Ok(Outcome::Done);
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&entries)?)?;
        return Ok(Outcome::Done);
    }
    if entries.is_empty() {
        writeln!(out, "no entries in {}", dirs.access_log().display())?;
    }
    for e in entries {
        writeln!(
            out,
            "{}  {:<15} {}  {}  {} bytes  sha256 {}{}",
            e.time,
            e.event.id(),
            if e.who().is_empty() {
                "—".into()
            } else {
                e.who()
            },
            e.path,
            e.size.map_or("?".to_owned(), |s| s.to_string()),
            e.sha256.as_deref().unwrap_or("not known"),
            if e.detail.is_empty() {
                String::new()
            } else {
                format!("  ({})", e.detail)
            }
        )?;
    }
    Ok(Outcome::Done)
}

/// The content and place `--media` names: a file's SHA-256 and path when it is there, its
/// path alone when it is gone, or a SHA-256 typed out.
fn media_filter(dirs: &Dirs, media: &Path) -> Result<(Option<String>, Option<PathBuf>), String> {
    if media.is_file() {
        let sha = HashCache::new(&dirs.hash_cache)
            .sha256(media)
            .map_err(|e| e.to_string())?;
        return Ok((Some(sha), Some(media.to_path_buf())));
    }
    let text = media.to_string_lossy();
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok((Some(text.to_ascii_lowercase()), None));
    }
    Ok((None, Some(media.to_path_buf())))
}
