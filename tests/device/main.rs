//! Integration tests that play through (or record from) the sound device, or time playback:
//! one binary, so FFmpeg and eframe are linked once. Every case holds the machine from start to
//! end: `run::exclusive()` when it times frames or samples, records the shared sink, types into
//! a window or mounts (a decode beside a sync measurement would spoil it), `run::shared()` when
//! it measures levels or routing on a null sink of its own (`common::PrivateSink`), unplugs a
//! sink of its own or times seconds; shared cases run side by side (`make test` gives this
//! binary eight test threads), never beside an exclusive one.
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
mod level_light;
mod live_meters;
mod live_switch;
mod no_network;
mod notes_survive_kill;
mod notes_two_writers;
mod playback_dropout;
mod playback_sync;
mod soak;
mod together;
mod together_relay;
mod together_sound;
mod track_layouts;
mod transport;
mod window_screenshot;
