//! How a review starts, as plain data: the command line fills in a [`ReviewSetup`] and the
//! window runs it, so neither needs the other (the binary joins them).

use crate::player::PlayerOptions;
use crate::settings::Settings;
use std::path::PathBuf;
use std::time::Instant;

/// How a review starts: the first file, how files are played, and where everything the
/// review keeps is stored. The command line fills it in; the window runs it.
#[derive(Clone, Debug, Default)]
pub struct ReviewSetup {
    /// File to open first.
    pub file: Option<PathBuf>,
    /// Player options for every file opened (device, monitoring, offsets).
    pub player: PlayerOptions,
    /// Where settings are remembered (`None`: nothing is saved, as in tests).
    pub settings_path: Option<PathBuf>,
    pub settings: Settings,
    /// A scripted run (`--goto`, `--play-for`, `--screenshot`, `--exit`).
    pub script: Script,
    /// When the process started (for the go-to timing).
    pub launched: Option<Instant>,
    /// Where whole-file loudness results are cached (`None`: not cached, as in tests).
    pub scan_cache: Option<PathBuf>,
    /// Where the headphones declared per output device and the weekly listening dose are kept
    /// (`None`: in memory only, as in tests).
    pub declarations_path: Option<PathBuf>,
    pub dose_path: Option<PathBuf>,
    /// Where calibration results are kept (`None`: in memory only, as in tests).
    pub calibration_path: Option<PathBuf>,
    /// Where notes are kept, per media content (`None`: in memory only, as in tests).
    pub notes_root: Option<PathBuf>,
    /// What the reviewer must be told at start (a damaged settings file set aside …).
    pub notice: Option<String>,
    /// Ask which layout (Review or Sound) when the settings have none: a person's first launch,
    /// not a scripted run or a test.
    pub ask_layout: bool,
    /// Host or join a shared review once the file is open (`--host`, `--join INVITATION`).
    pub together: Option<TogetherSetup>,
}

/// A shared review to start with the window, as the command line asked for it.
#[derive(Clone, Debug, Default)]
pub struct TogetherSetup {
    /// The name the others see (`None`: the reviewer's name from the settings).
    pub name: Option<String>,
    /// `none`, `public` or a relay URL.
    pub relay: String,
    /// Everything through that relay, never directly.
    pub relay_only: bool,
    /// Join with this invitation; `None`: host.
    pub join: Option<String>,
    /// How long a host's invitations last.
    pub hours: u32,
}

/// A scripted run of the window, for tests, benchmarks and support:
/// `earmark FILE --goto TC [--play-for S] [--screenshot OUT.png] [--exit]`.
#[derive(Clone, Debug, Default)]
pub struct Script {
    /// Where to go first, as typed (`01:00:10:00`, or `#240` for a frame number).
    pub goto: Option<String>,
    /// Then play this long (ms).
    pub play_ms: Option<u64>,
    /// Then save a screenshot here.
    pub screenshot: Option<PathBuf>,
    /// Then close the window.
    pub exit: bool,
}

impl Script {
    pub fn is_empty(&self) -> bool {
        self.goto.is_none() && self.play_ms.is_none() && self.screenshot.is_none() && !self.exit
    }
}

/// How a window run ended, for the command line to turn into an exit status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReviewEnd {
    /// Closed, or a scripted run did what it was asked.
    Done,
    /// A scripted run could not use its file or timecode; the message names it (exit 2).
    BadInput(String),
}

/// Where the bundled demo clip lives in a source checkout.
pub fn demo_clip() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/earmark-demo.mov")
}
