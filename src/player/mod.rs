//! Playback: ties the media core, the audio decoder and the output device together under one
//! master clock, and answers the UI's transport commands.
//!
//! - [`engine`]: the [`Player`] and its "player" thread (transport, device watch, snapshot)
//! - [`clock`]: the master clock (audio device at 1×, wall clock otherwise)
//! - [`audio_feed`] / [`video_feed`]: the decode threads
//! - [`presenter`]: a display stand-in that presents each frame exactly when it is due
//! - [`headless`]: `earmark FILE --play-for … --exit`
//! - [`meter_feed`]: the "meters" thread (live loudness, phase, spectrum of what is played)
//! - [`loudness_scan`]: whole-file loudness analysis (decode + meter on two threads)
//! - [`scan_job`]: that analysis in the background for the window, cached per file content
//! - [`listening`]: the level at the ear, the listening-band guard and the weekly dose
//! - [`signal_deck`]: calibration check signals to the callback and back
//! - [`signal_play`]: `earmark calibrate`, a check signal through the output with no file open
//! - [`spec_job`]: the delivery spec check in the background for the window, every profile at once

mod audio_feed;
mod clock;
mod engine;
mod error;
mod headless;
mod listening;
mod loudness_scan;
mod meter_feed;
mod presenter;
mod scan_job;
mod signal_deck;
mod signal_play;
mod spec_job;
mod transport;
mod video_feed;

pub use clock::{ClockMode, MasterClock};
pub use engine::{Player, PlayerOptions, Presentation, StartTimes, Waker};
pub use error::PlayerError;
pub use headless::{AvStats, PlayReport, PlayRequest, av_stats, play_headless};
pub use listening::{
    DIALOGUE_BASIS, ListeningMonitor, ListeningView, chain_for, default_dose_path,
};
pub use loudness_scan::{
    CURVE_FLOOR, CURVE_RATE, LoudnessReport, LoudnessScan, ScanError, ScanOptions, scan_file,
    scan_file_with,
};
pub use meter_feed::MeterOutput;
pub use presenter::{run_presenter, spawn_presenter};
pub use scan_job::{ScanJob, ScanState, content_key, default_cache_dir};
pub use signal_deck::{SignalDeck, SignalPlayError};
pub use signal_play::{SignalReport, SignalRequest, play_signal};
pub use spec_job::{SpecJob, SpecResults, SpecState};
pub use transport::{Command, Snapshot, Transport};
pub use video_feed::Picture;

// What a window needs from the layers below, so it never reaches past the player.
pub use crate::audio::output::{OutputDevice, is_bluetooth, list_devices as output_devices};
pub use crate::audio::{AudioChoice, FoldDown, MonitorMode};
pub use crate::media::{AudioTrack, audio_tracks};
pub use crate::spec::profile::{
    DEFAULT_PROFILE as DEFAULT_SPEC_PROFILE, user_profile_dir as spec_profile_dir,
};
pub use crate::spec::{ProfileSet as SpecProfiles, Report as SpecReport, Status as SpecStatus};
