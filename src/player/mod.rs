//! Playback: ties the media core, the audio decoder and the output device together under one
//! master clock, and answers the UI's transport commands.
//!
//! - [`engine`]: the [`Player`], the handle: opens a file, commands in, snapshots and pictures out
//! - [`player_thread`]: the "player" thread (transport, start, ends and loops, snapshot)
//! - [`device_watch`]: the output device gone and back (two listings, once-a-second retry)
//! - [`clock`]: the master clock (audio device at 1×, wall clock otherwise)
//! - [`audio_feed`] / [`video_feed`]: the decode threads
//! - [`presenter`]: a display stand-in that presents each frame exactly when it is due
//! - [`headless`]: `earmark FILE --play-for … --exit`
//! - [`meter_feed`]: the "meters" thread (live loudness, phase, spectrum of what is played)
//! - [`listening`]: the level at the ear, the listening-band guard and the weekly dose
//! - [`signal_deck`]: calibration check signals to the callback and back
//! - [`signal_play`]: `earmark calibrate`, a check signal through the output with no file open
//!
//! Whole-file loudness analysis and the spec check in the background live in
//! [`crate::analysis`].

mod audio_feed;
mod clock;
mod device_watch;
mod engine;
mod error;
mod headless;
mod listening;
mod meter_feed;
mod player_thread;
mod presenter;
mod signal_deck;
mod signal_play;
mod transport;
mod video_feed;
mod volume_watch;

pub use crate::audio::output::SystemVolume;
pub use clock::{ClockMode, MasterClock};
pub use engine::{Player, PlayerOptions, Presentation, StartTimes, Waker};
pub use error::PlayerError;
pub use headless::{AvStats, PlayReport, PlayRequest, Skips, av_stats, play_headless, skips};
pub use listening::{
    DIALOGUE_BASIS, ListeningMonitor, ListeningView, advice as level_advice, chain_for,
    default_dose_path,
};
pub use meter_feed::MeterOutput;
pub use presenter::{run_presenter, spawn_presenter};
pub use signal_deck::{SignalDeck, SignalPlayError};
pub use signal_play::{SignalReport, SignalRequest, play_signal};
pub use transport::{Command, Snapshot, Transport};
pub use video_feed::Picture;
pub use volume_watch::{VolumeReading, VolumeWatch};

pub use crate::persist::{content_key, loudness_cache_dir as default_cache_dir};

// What a window needs from the layers below, so it never reaches past the player.
pub use crate::audio::output::{OutputDevice, is_bluetooth, list_devices as output_devices};
pub use crate::audio::{AudioChoice, FoldDown, MAX_SPEED_PPB as MAX_DRIFT_TRIM_PPB, MonitorMode};
pub use crate::delivery::profile::{
    DEFAULT_PROFILE as DEFAULT_SPEC_PROFILE, user_profile_dir as spec_profile_dir,
};
pub use crate::delivery::{ProfileSet as SpecProfiles, Report as SpecReport, Status as SpecStatus};
pub use crate::media::{AudioTrack, audio_tracks};
