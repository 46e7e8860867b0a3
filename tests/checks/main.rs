//! Integration tests that need no sound device: files, the command line, the spec check,
//! loudness, markers, notes, the window under kittest. One binary, so FFmpeg and eframe are
//! linked once; cases run in parallel.
#[path = "../common/mod.rs"]
mod common;
#[path = "../common/ebu.rs"]
mod ebu;
#[path = "../common/pcm.rs"]
mod pcm;
#[path = "../common/shot.rs"]
mod shot;
#[path = "../common/spec.rs"]
mod spec;
#[path = "../common/window_harness.rs"]
mod window_harness;

mod access_log;
mod architecture;
mod audio_decode;
mod audio_only;
mod calibration_signals;
mod cli_help;
mod cli_still_probe;
mod damaged_files;
mod demo_clip;
mod dialogue_estimate;
mod ebu_loudness;
mod exact_frames;
mod fuzz_spec;
mod headphone_profiles;
mod headphones_cli;
mod layouts;
mod loudness_file;
mod loudness_scan_job;
mod marker_formats;
mod notes_cli;
mod notes_db;
mod notes_panel;
mod playback_open;
mod report_pdf;
mod review_complete;
mod review_session;
mod review_window;
mod rotation;
mod scripts_window;
mod sound_chooser;
mod spec_check;
mod spec_check_more;
mod spec_mediainfo;
mod spec_panel;
mod spec_patched;
mod spec_policy;
mod watermark;
mod window_keys;
