//! The command line: `earmark [FILE]` opens the review window; `probe` and `still` answer
//! questions about a file for scripts and tests. Exit status: 0 success, 2 bad input (a file that
//! is missing, damaged or not a review file), 1 anything else.

mod probe_cmd;
mod still_cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Earmark: review a TV sound mix on headphones, with frame-accurate picture.
#[derive(Debug, Parser)]
#[command(
    name = "earmark",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Review file to open in the player window (the bundled demo clip if omitted).
    pub file: Option<PathBuf>,

    /// Show this frame first (0 = first frame of the file).
    #[arg(long)]
    pub frame: Option<u64>,

    /// Save a PNG of the window once the picture is up, then quit (for tests and bug reports).
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Non-interactive commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Describe a media file: streams, exact frame rate, frame count, start timecode.
    Probe {
        /// The file to describe.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write exactly one decoded frame to a PNG at native size.
    Still {
        /// The file to read.
        file: PathBuf,
        /// Frame number (0 = first frame of the file).
        #[arg(long, conflicts_with = "tc", required_unless_present = "tc")]
        frame: Option<u64>,
        /// Source timecode of the frame (HH:MM:SS:FF, or HH:MM:SS;FF for drop-frame).
        #[arg(long)]
        tc: Option<String>,
        /// Output PNG path.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
}

/// How a command ended, mapped to the process exit status by `main`.
#[derive(Debug)]
pub enum Outcome {
    /// Success (exit 0).
    Done,
    /// The input was bad; message printed, exit 2.
    BadInput(String),
}

/// Runs a non-interactive command.
pub fn run(command: Command) -> anyhow::Result<Outcome> {
    match command {
        Command::Probe { file, json } => probe_cmd::run(&file, json),
        Command::Still {
            file,
            frame,
            tc,
            output,
        } => still_cmd::run(&file, frame, tc.as_deref(), &output),
    }
}
