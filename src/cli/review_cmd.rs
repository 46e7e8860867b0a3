//! `earmark review-complete MEDIA [--export FORMAT:OUT …] [--yes]`: the review is done — export
//! what was asked for, mark the review complete, then (after the user types `delete`, or with
//! `--yes`) delete the media and everything Earmark derived from it, check it is gone, and say
//! what was deleted and what was kept.
//!
//! The exports come first and must all succeed: the media is never deleted before the work
//! done on it is safely out. Running it again on a file already deleted checks for leftovers
//! and says there is nothing to delete.

use super::{FormatArg, NotesCommand, Outcome, PresetArg};
use crate::security::{AccessEvent, AccessLog, Dirs, Item, Plan, ReviewComplete, purge};
use clap::ValueEnum as _;
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

/// `earmark review-complete …`.
#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// The review file whose review is complete.
    pub media: PathBuf,
    /// Export the notes first, as FORMAT:OUT (FORMAT as `notes export --format`: protools-midi,
    /// avid-txt, resolve-edl, edl, fcpxml, csv, html); may be given more than once.
    #[arg(long = "export", value_name = "FORMAT:OUT", value_parser = parse_export)]
    pub exports: Vec<(FormatArg, PathBuf)>,
    /// Delete without asking (for scripts); otherwise you are asked to type `delete`.
    #[arg(long)]
    pub yes: bool,
}

pub fn run(args: &ReviewArgs) -> anyhow::Result<Outcome> {
    let exports = &args.exports;
    let reviewer = crate::settings::Settings::load()
        .map(|s| s.reviewer)
        .unwrap_or_else(|e| {
            eprintln!("earmark: {e}");
            String::new()
        });
    let dirs = Dirs::system()?;
    let rc = ReviewComplete::new(dirs.clone(), &reviewer);
    if !args.media.exists() {
        return after_deletion(&rc, &args.media, !exports.is_empty());
    }
    let log = AccessLog::start(&dirs, &reviewer)?;
    let mut written = Vec::new();
    for (format, out) in exports {
        let outcome = super::notes_cmd::run(NotesCommand::Export {
            media: args.media.clone(),
            format: *format,
            output: out.clone(),
            session_start: None,
            reviewer: None,
            preset: PresetArg::Netflix,
            show: None,
            episode: None,
            mix_version: None,
        })?;
        if !matches!(outcome, Outcome::Done) {
            eprintln!(
                "earmark: the export to {} failed; nothing was deleted",
                out.display()
            );
            return Ok(outcome);
        }
        log.record_detail(
            AccessEvent::Export,
            &args.media,
            &super::access::export_detail(*format, out),
        );
        written.push(out.clone());
    }
    for p in log.flush() {
        eprintln!("earmark: {p}");
    }
    let mut plan = match rc.plan(&args.media) {
        Ok(p) => p,
        Err(e) => return Ok(Outcome::BadInput(e.to_string())),
    };
    for out in &written {
        plan.keep_export(out);
    }
    rc.mark_complete(&plan, &written)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "Review of {} marked complete.", plan.file_name)?;
    show_plan(&mut out, &plan)?;
    if !args.yes {
        if !std::io::stdin().is_terminal() {
            return Ok(Outcome::BadInput(format!(
                "not deleted (confirm on a terminal, or pass --yes): {}",
                plan.media.display()
            )));
        }
        write!(
            out,
            "Type delete to delete {} now, or anything else to keep it: ",
            plan.file_name
        )?;
        out.flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "delete" {
            writeln!(
                out,
                "Kept {}. The review stays complete; the window will remind you the file is \
                 still here.",
                plan.media.display()
            )?;
            return Ok(Outcome::Done);
        }
    }
    let outcome = rc.execute(&plan)?;
    writeln!(out, "Deleted:")?;
    for item in &outcome.deleted {
        writeln!(out, "  {}", line(item, &plan))?;
    }
    writeln!(out, "Kept:")?;
    for item in &outcome.kept {
        writeln!(out, "  {}", line(item, &plan))?;
    }
    for p in &outcome.problems {
        eprintln!("earmark: {p}");
    }
    if outcome.verified_gone {
        writeln!(
            out,
            "Checked: the media file is gone (the filesystem reports it missing) and no cache \
             entry for its content remains."
        )?;
        writeln!(out, "{}", purge::NOT_ERASED)?;
        Ok(Outcome::Done)
    } else {
        for item in &outcome.leftovers {
            eprintln!(
                "earmark: still there after deleting: {} {}",
                item.what,
                item.path.display()
            );
        }
        Ok(Outcome::Failed)
    }
}

/// A second run, or a path that is not there.
fn after_deletion(
    rc: &ReviewComplete,
    media: &Path,
    wants_exports: bool,
) -> anyhow::Result<Outcome> {
    let plan = match rc.plan(media) {
        Ok(p) => p,
        Err(e) => return Ok(Outcome::BadInput(e.to_string())),
    };
    if wants_exports {
        return Ok(Outcome::BadInput(format!(
            "nothing can be exported: the media was deleted when its review was completed: {}",
            media.display()
        )));
    }
    let mut out = std::io::stdout().lock();
    if plan.nothing_to_delete() {
        writeln!(
            out,
            "Nothing to delete: {} was deleted when its review was completed, and nothing \
             derived from it is left.",
            plan.media.display()
        )?;
        return Ok(Outcome::Done);
    }
    // Only derived entries are left (a cache written since, or one that failed to go).
    let outcome = rc.execute(&plan)?;
    for item in &outcome.deleted {
        writeln!(out, "Deleted leftover {}", line(item, &plan))?;
    }
    for p in &outcome.problems {
        eprintln!("earmark: {p}");
    }
    Ok(if outcome.verified_gone {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}

fn show_plan(out: &mut impl std::io::Write, plan: &Plan) -> std::io::Result<()> {
    writeln!(out, "Will delete:")?;
    for item in &plan.deletes {
        writeln!(out, "  {}", line(item, plan))?;
    }
    writeln!(out, "Will keep:")?;
    for item in &plan.keeps {
        writeln!(out, "  {}", line(item, plan))?;
    }
    for w in &plan.warnings {
        writeln!(out, "Note: {w}")?;
    }
    Ok(())
}

fn line(item: &Item, plan: &Plan) -> String {
    if item.kind == crate::security::ItemKind::Media {
        format!(
            "{}: {} ({} bytes, SHA-256 {})",
            item.what,
            item.path.display(),
            plan.size,
            plan.sha256
        )
    } else {
        format!("{}: {}", item.what, item.path.display())
    }
}

/// `html:report.html` → (Html, report.html): `--export`'s value parser, so a bad one is refused
/// (exit 2) before anything is exported or deleted.
fn parse_export(spec: &str) -> Result<(FormatArg, PathBuf), String> {
    let bad = || {
        format!(
            "--export takes FORMAT:OUT with FORMAT one of {}",
            super::values::names::<FormatArg>().join(", ")
        )
    };
    let (format, out) = spec.split_once(':').ok_or_else(bad)?;
    let format = FormatArg::from_str(format, true).map_err(|_| bad())?;
    if out.is_empty() {
        return Err(bad());
    }
    Ok((format, PathBuf::from(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_specs() {
        assert_eq!(
            parse_export("html:out/r:1.html").expect("ok"),
            (FormatArg::Html, PathBuf::from("out/r:1.html"))
        );
        assert_eq!(parse_export("CSV:n.csv").expect("ok").0, FormatArg::Csv);
        let e = parse_export("pdf:x.pdf").expect_err("bad");
        assert!(e.contains("protools-midi") && e.contains("html"), "{e}");
        assert!(parse_export("csv:").is_err() && parse_export("csv").is_err());
    }
}
