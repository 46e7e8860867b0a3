//! `earmark completions SHELL` and `earmark man [--out DIR]`: the command line described for
//! the shell and for `man`, both made from the same clap definition as `--help`, so every
//! command, flag and enumerated value (`--monitor`, `--preset`, `--signal` …) is in them.

use super::{Cli, Outcome};
use anyhow::Context as _;
use clap::CommandFactory as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// `earmark completions SHELL`: the completion script on standard output.
pub fn completions(shell: clap_complete::Shell) -> anyhow::Result<Outcome> {
    let mut command = Cli::command();
    // Rendered first, then written: a closed pipe (`| head`) is an error, not a panic.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "earmark", &mut script);
    write_stdout(&script)
}

/// `earmark man`: earmark(1) on standard output; with `--out DIR`, one page per command
/// (earmark.1, earmark-notes.1, earmark-notes-export.1 …) written into DIR.
pub fn man(out: Option<&Path>) -> anyhow::Result<Outcome> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let Some(dir) = out else {
        let mut page = Vec::new();
        page_of(command).render(&mut page)?;
        return write_stdout(&page);
    };
    std::fs::create_dir_all(dir).with_context(|| format!("making {}", dir.display()))?;
    let mut written = Vec::new();
    write_pages(command, dir, &mut written)?;
    let mut stdout = std::io::stdout().lock();
    for path in &written {
        // A closed pipe loses only the list; the pages are written.
        if writeln!(stdout, "wrote {}", path.display()).is_err() {
            break;
        }
    }
    Ok(Outcome::Done)
}

/// The page of one (built) command.
fn page_of(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command)
        .manual("Earmark Manual")
        .source(format!("earmark {}", env!("CARGO_PKG_VERSION")))
}

/// Writes `command`'s page and its subcommands' into `dir`, atomically each.
fn write_pages(
    command: clap::Command,
    dir: &Path,
    written: &mut Vec<PathBuf>,
) -> anyhow::Result<()> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), dir, written)?;
    }
    let man = page_of(command);
    let path = dir.join(man.get_filename());
    let mut page = Vec::new();
    man.render(&mut page)?;
    crate::persist::write_atomic(&path, &page)
        .with_context(|| format!("writing {}", path.display()))?;
    written.push(path);
    Ok(())
}

fn write_stdout(bytes: &[u8]) -> anyhow::Result<Outcome> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(Outcome::Done),
        // `earmark man | head`: the reader has what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(Outcome::Done),
        Err(e) => Err(e.into()),
    }
}
