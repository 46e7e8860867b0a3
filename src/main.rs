//! The `earmark` binary: parses the command line and hands over to the library. It is the one
//! place the command line and the window meet: `cli` fills in the review's setup, `ui` runs it.

use clap::Parser as _;
use earmark::cli::{self, Cli, Outcome};
use std::process::ExitCode;

fn main() -> ExitCode {
    // Library warnings (egui, wgpu, winit, cpal, symphonia, FFmpeg's wrappers) go to stderr, so
    // a support log has them; `RUST_LOG=debug` (or per crate, `RUST_LOG=wgpu=info`) says more.
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    let args = Cli::parse();
    let result = match args.command {
        Some(command) => cli::run(command),
        None if args.list_devices => cli::list_devices(),
        None if cli::wants_window(&args) => match cli::window_setup(&args) {
            Ok(setup) => earmark::ui::run_window(setup)
                .map(cli::window_outcome)
                .map_err(anyhow::Error::from),
            Err(outcome) => Ok(outcome),
        },
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
