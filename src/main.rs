//! The `earmark` binary: parses the command line and hands over to the library.

use clap::Parser as _;
use earmark::cli::{self, Cli, Outcome};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = Cli::parse();
    let result = match args.command {
        Some(command) => cli::run(command),
        None if args.list_devices => cli::list_devices(),
        None if cli::wants_window(&args) => cli::window(&args),
        None => cli::play_and_exit(&args),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Failed) => ExitCode::FAILURE,
        Ok(Outcome::BadInput(message)) => {
            eprintln!("earmark: {message}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("earmark: {e:#}");
            ExitCode::FAILURE
        }
    }
}
