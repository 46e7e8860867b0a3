//! Integration tests that play through (or record from) the sound device, or time playback:
//! one binary, so FFmpeg and eframe are linked once. They share one null sink and two cores,
//! so every case holds `run::exclusive()` from start to end: one at a time, as when each was
//! its own binary (a decode beside a sync measurement would spoil the measurement).
#[path = "../common/mod.rs"]
mod common;
#[path = "../common/pcm.rs"]
mod pcm;
#[path = "../common/run.rs"]
mod run;
#[path = "../common/shot.rs"]
mod shot;
#[path = "../common/tones.rs"]
mod tones;

mod audio_output;
mod calibration_playback;
mod device_lost;
mod disk_writes;
mod fault_injection;
mod fault_storage;
mod layout_window;
mod live_meters;
mod live_switch;
mod no_network;
mod notes_survive_kill;
mod playback_dropout;
mod playback_sync;
mod soak;
mod track_layouts;
mod transport;
mod window_screenshot;
