//! The command line: `earmark [FILE]` opens the review window; `probe` and `still` answer
//! questions about a file for scripts and tests. Exit status: 0 success, 2 bad input (a file that
//! is missing, damaged or not a review file), 1 anything else. Every command that reads or
//! exports a media file is recorded in the access log (`access`).

mod access;
mod calibrate_cmd;
mod check_cmd;
mod docs_cmd;
mod headphones_cmd;
mod log_cmd;
mod loudness_cmd;
mod notes_cmd;
mod probe_cmd;
mod review_cmd;
mod still_cmd;
mod values;

use crate::review::{ReviewEnd, ReviewSetup};
pub use calibrate_cmd::{CalibrateArgs, signal_id};
use clap::{Parser, Subcommand};
pub use headphones_cmd::HeadphonesCommand;
pub use log_cmd::LogArgs;
pub use notes_cmd::{NotesCommand, context_for, run as run_notes};
pub use review_cmd::ReviewArgs;
use std::path::PathBuf;
pub use values::{
    Choice, FoldArg, FormatArg, InterfaceArg, MonitorArg, PresetArg, SignalArg, StatusArg, choice,
};

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
    #[arg(long, conflicts_with = "goto")]
    pub frame: Option<u64>,

    /// Go to this source timecode in the window (also `10:00`, `1000`, `#240` for a frame).
    #[arg(long, value_name = "TC")]
    pub goto: Option<String>,

    /// Save a PNG of the window once the picture (after --goto/--play-for) is on screen, then
    /// quit (for tests and bug reports).
    #[arg(long, value_name = "PNG")]
    pub screenshot: Option<PathBuf>,

    /// Start playing at this source timecode (with --exit: play headless and quit).
    #[arg(long, value_name = "TC")]
    pub play_from: Option<String>,

    /// Play this many seconds (e.g. 2.5).
    #[arg(long, value_name = "SECONDS")]
    pub play_for: Option<String>,

    /// Monitoring mode: what you hear of the stereo mix.
    #[arg(
        long,
        value_name = "MODE",
        default_value = "stereo",
        value_parser = choice::<MonitorArg>("--monitor mode")
    )]
    pub monitor: MonitorArg,

    /// Output device name (the system default when omitted).
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,

    /// Run the output device at this rate in Hz (Earmark resamples when it differs from the file).
    #[arg(long, value_name = "HZ")]
    pub device_rate: Option<u32>,

    /// A/V offset for the output device in ms (positive: its sound arrives later than it
    /// reports, e.g. Bluetooth); remembered per device on this machine.
    #[arg(long, value_name = "MS", allow_hyphen_values = true)]
    pub av_offset: Option<i32>,

    /// Sound track to play: `auto` (Earmark's pick: the stereo mix, a split-mono pair, or
    /// the first track), a track number (`2`), or two mono tracks as left and right (`1+2`).
    /// Remembered per file when chosen in the window.
    #[arg(long, value_name = "TRACK")]
    pub audio: Option<String>,

    /// How a 5.1 or 7.1 track reaches two ears (default bs775).
    #[arg(
        long,
        value_name = "MATRIX",
        ignore_case = true,
        value_parser = choice::<FoldArg>("fold-down")
    )]
    pub fold_down: Option<FoldArg>,

    /// List the audio output devices and quit.
    #[arg(long)]
    pub list_devices: bool,

    /// Play through the output device without a window and quit when done.
    #[arg(long)]
    pub exit: bool,

    /// Review together: host this review and print an invitation for the others (with --exit:
    /// without a window, commands one per line on standard input).
    #[arg(long, conflicts_with = "join")]
    pub host: bool,

    /// Review together: join the review an invitation (`earmark-invite:…`) names, with your own
    /// copy of the same file.
    #[arg(long, value_name = "INVITATION")]
    pub join: Option<String>,

    /// Your name, as the others in a shared review see it.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Relay for a shared review: `public` (iroh's relays), `none` (direct only: a LAN or this
    /// machine), or a URL of your facility's own iroh-relay.
    #[arg(long, value_name = "RELAY", default_value = "public")]
    pub relay: String,

    /// Send everything in a shared review through your facility's relay (`--relay URL`),
    /// never directly, so no participant learns another's network address. A relay's access
    /// token is read from EARMARK_RELAY_TOKEN.
    #[arg(long)]
    pub relay_only: bool,

    /// Hours an invitation stays valid.
    #[arg(long, value_name = "HOURS", default_value_t = 24)]
    pub invite_hours: u32,

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
    /// Measure the whole file's loudness (BS.1770 / EBU R128, true peak, dialogue estimate) and
    /// judge it against a delivery target.
    Loudness {
        /// The file to measure.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The delivery target to judge against.
        #[arg(
            long,
            default_value = "netflix",
            ignore_case = true,
            value_parser = choice::<PresetArg>("loudness preset")
        )]
        preset: PresetArg,
        /// Sound track to measure: auto, a track number, or two mono tracks (1+2).
        #[arg(long, value_name = "TRACK", default_value = "auto")]
        audio: String,
        /// Measure the fold-down to stereo instead of the track's own channels (a 5.1 is
        /// measured as 5.1 by default, with BS.1770's channel weights).
        #[arg(
            long,
            value_name = "MATRIX",
            ignore_case = true,
            value_parser = choice::<FoldArg>("fold-down")
        )]
        fold_down: Option<FoldArg>,
    },
    /// The headphone, amplifier and source profiles, and what Earmark makes of an output device.
    Headphones {
        #[command(subcommand)]
        command: HeadphonesCommand,
    },
    /// Review notes: export as markers or as the HTML review report, import CSV or Avid
    /// marker text, list.
    Notes {
        #[command(subcommand)]
        command: NotesCommand,
    },
    /// Play a calibration check signal (left/right, polarity, balance, reference level, Lt/Rt)
    /// through the output device, without a window.
    Calibrate(CalibrateArgs),
    /// Check a review file against a delivery spec profile (PIX Standard, PIX Screening Room,
    /// Netflix Content Hub, or your own); exit 0 pass, 1 fail, 2 unreadable.
    Check {
        /// The file to check.
        file: PathBuf,
        /// Profile id — pix-standard, pix-screening-room, content-hub, or one of your own in
        /// ~/.config/earmark/spec_profiles/ (read when the check runs) — or a profile .toml
        /// file.
        #[arg(long, value_name = "PROFILE", default_value = crate::delivery::profile::DEFAULT_PROFILE)]
        profile: String,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The access log: who opened, exported and deleted which media, and when.
    Log(LogArgs),
    /// The review is done: export the notes, mark it complete, then (confirmed) delete the
    /// media and everything Earmark derived from it, and check it is gone.
    ReviewComplete(ReviewArgs),
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
    /// Print a shell completion script to standard output (e.g. `earmark completions bash >
    /// ~/.local/share/bash-completion/completions/earmark`).
    Completions {
        /// The shell the script is for.
        #[arg(value_name = "SHELL", value_parser = choice::<clap_complete::Shell>("shell"))]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output, or with --out write one page per command
    /// (earmark.1, earmark-probe.1, earmark-notes-export.1, …) into a folder.
    Man {
        /// Write the pages into this folder (made if missing) instead of printing earmark.1.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
}

/// How a command ended, mapped to the process exit status by `main`.
#[derive(Debug)]
pub enum Outcome {
    /// Success (exit 0).
    Done,
    /// The input was bad; message printed, exit 2.
    BadInput(String),
    /// The command ran and its verdict is negative (a spec check failed): exit 1.
    Failed,
}

/// Parses a duration like `2`, `2.5` or `0.125` (seconds) into whole milliseconds.
pub fn parse_seconds_ms(text: &str) -> Option<u64> {
    let (whole, frac) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac_ms: u64 = format!("{frac:0<3}").parse().ok()?;
    whole.checked_mul(1000)?.checked_add(frac_ms)
}

/// The settings of this machine (a damaged file set aside, see `Settings::load_or_reset`) and
/// the output device to use: the one asked for, else the one remembered if it is connected,
/// else the system default (`None`).
fn settings_and_device(cli: &Cli) -> (crate::settings::Loaded, Option<String>) {
    use crate::settings::{Loaded, Settings};
    let loaded = match Settings::path() {
        Ok(path) => Settings::load_or_reset(&path),
        Err(e) => Loaded {
            notice: Some(e.to_string()),
            keep_off: true,
            ..Loaded::default()
        },
    };
    if let Some(notice) = &loaded.notice {
        eprintln!("earmark: {notice}");
    }
    let settings = &loaded.settings;
    let device = match (&cli.device, &settings.output_device) {
        (Some(d), _) => Some(d.clone()),
        (None, Some(remembered)) if crate::audio::output::device_exists(remembered) => {
            Some(remembered.clone())
        }
        (None, Some(remembered)) => {
            eprintln!(
                "earmark: remembered output {remembered:?} is not connected; using the system default"
            );
            None
        }
        (None, None) => None,
    };
    if let Some(d) = &device
        && crate::audio::output::is_bluetooth(d)
    {
        eprintln!("earmark: warning: {d:?} is a Bluetooth output (adds latency, lossy codec)");
    }
    (loaded, device)
}

/// Whether the command line asks for the window (rather than headless playback).
pub fn wants_window(cli: &Cli) -> bool {
    !cli.exit || cli.goto.is_some() || cli.screenshot.is_some() || cli.frame.is_some()
}

/// `earmark [FILE] [--goto TC] [--play-for S] [--screenshot PNG] [--exit]`: how the review
/// window starts, or the outcome when the options are wrong. The binary hands the setup to the
/// window (`ui::run_window`) and its end to [`window_outcome`].
pub fn window_setup(cli: &Cli) -> Result<ReviewSetup, Outcome> {
    let together = if cli.host || cli.join.is_some() {
        if let Err(e) = relay(cli) {
            return Err(Outcome::BadInput(e));
        }
        Some(crate::review::TogetherSetup {
            name: cli.name.clone(),
            relay: cli.relay.clone(),
            relay_only: cli.relay_only,
            join: cli.join.clone(),
            hours: cli.invite_hours.max(1),
        })
    } else {
        None
    };
    let monitor = crate::audio::MonitorMode::from(cli.monitor);
    let play_ms = match cli.play_for.as_deref().map(parse_seconds_ms) {
        Some(Some(ms)) => Some(ms),
        Some(None) => {
            return Err(Outcome::BadInput(
                "--play-for takes seconds, e.g. 2.5".into(),
            ));
        }
        None => None,
    };
    let (loaded, device) = settings_and_device(cli);
    // A settings file that could not be read or set aside is not saved over.
    let settings_path = crate::settings::Settings::path()
        .ok()
        .filter(|_| !loaded.keep_off);
    let goto = cli
        .goto
        .clone()
        .or_else(|| cli.play_from.clone())
        .or_else(|| cli.frame.map(|f| format!("#{f}")));
    let script = crate::review::Script {
        goto,
        play_ms,
        screenshot: cli.screenshot.clone(),
        exit: cli.exit || cli.screenshot.is_some(),
    };
    let (audio, fold_down) = match sound_choice(cli) {
        Ok(c) => c,
        Err(e) => return Err(Outcome::BadInput(e)),
    };
    let file = cli.file.clone().unwrap_or_else(crate::review::demo_clip);
    Ok(ReviewSetup {
        file: Some(file),
        player: crate::player::PlayerOptions {
            device,
            device_rate: cli.device_rate,
            monitor,
            audio: audio.unwrap_or_default(),
            fold_down: fold_down.unwrap_or_default(),
            ..crate::player::PlayerOptions::default()
        },
        settings_path,
        settings: loaded.settings,
        notice: loaded.notice,
        ask_layout: script.is_empty(),
        script,
        launched: Some(std::time::Instant::now()),
        scan_cache: crate::persist::loudness_cache_dir(),
        declarations_path: crate::headphones::Declarations::default_path().ok(),
        dose_path: crate::player::default_dose_path(),
        notes_root: crate::notes::NoteStore::default_root(),
        calibration_path: crate::headphones::CalibrationStore::default_path().ok(),
        together,
    })
}

/// The exit status of a window run.
pub fn window_outcome(end: ReviewEnd) -> Outcome {
    match end {
        ReviewEnd::Done => Outcome::Done,
        ReviewEnd::BadInput(message) => Outcome::BadInput(message),
    }
}

/// The relay `--relay` and `--relay-only` ask for, or what is wrong with them.
fn relay(cli: &Cli) -> Result<crate::together::link::Relay, String> {
    let relay =
        crate::together::link::Relay::parse(&cli.relay).map_err(|e| format!("--relay: {e}"))?;
    if cli.relay_only {
        relay.relay_only().map_err(|e| format!("--relay-only: {e}"))
    } else {
        Ok(relay)
    }
}

/// `earmark FILE --host|--join INVITATION --exit`: a shared review without a window.
fn together_console(cli: &Cli) -> anyhow::Result<Outcome> {
    use crate::together::console::{self, ConsoleEnd, ConsoleOptions, Role};
    let file = cli.file.clone().unwrap_or_else(crate::review::demo_clip);
    let relay = match relay(cli) {
        Ok(r) => r,
        Err(e) => return Ok(Outcome::BadInput(e)),
    };
    let (loaded, device) = settings_and_device(cli);
    let name = cli
        .name
        .clone()
        .or_else(|| Some(loaded.settings.reviewer.clone()).filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| "a reviewer".into());
    let role = match &cli.join {
        Some(invitation) => Role::Join {
            invitation: invitation.clone(),
        },
        None => Role::Host {
            hours: cli.invite_hours.max(1),
        },
    };
    let (audio, fold_down) = match sound_choice(cli) {
        Ok(c) => c,
        Err(e) => return Ok(Outcome::BadInput(e)),
    };
    let options = crate::review::ReviewOptions {
        player: crate::player::PlayerOptions {
            device,
            device_rate: cli.device_rate,
            audio: audio.unwrap_or_default(),
            fold_down: fold_down.unwrap_or_default(),
            ..crate::player::PlayerOptions::default()
        },
        scan_cache: crate::persist::loudness_cache_dir(),
        notes_root: crate::notes::NoteStore::default_root(),
        editor: name.clone(),
        spec_profiles: crate::player::SpecProfiles::default(),
    };
    let review = match crate::review::Review::open(&file, options) {
        Ok((review, _)) => review,
        Err(e) => return Ok(Outcome::BadInput(format!("{}: {e}", file.display()))),
    };
    // Commands arrive on standard input, read on their own thread.
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("console-input".into())
        .spawn(move || {
            for line in std::io::stdin().lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })?;
    let options = ConsoleOptions { name, relay, role };
    match console::run(review, &options, lines, &mut std::io::stdout()) {
        Ok(ConsoleEnd::Done) => Ok(Outcome::Done),
        Ok(ConsoleEnd::Ended(why)) => Ok(Outcome::BadInput(why)),
        Err(e) => Ok(Outcome::BadInput(e.to_string())),
    }
}

/// `earmark FILE --play-from TC --play-for S --monitor MODE --exit`: headless playback.
pub fn play_and_exit(cli: &Cli) -> anyhow::Result<Outcome> {
    if cli.host || cli.join.is_some() {
        return together_console(cli);
    }
    let file = cli.file.clone().unwrap_or_else(crate::review::demo_clip);
    let monitor = crate::audio::MonitorMode::from(cli.monitor);
    let duration_ms = match cli.play_for.as_deref().map(parse_seconds_ms) {
        Some(Some(ms)) => ms,
        Some(None) => {
            return Ok(Outcome::BadInput(
                "--play-for takes seconds, e.g. 2.5".into(),
            ));
        }
        None => return Ok(Outcome::BadInput("--exit needs --play-for SECONDS".into())),
    };
    let (audio, fold_down) = match sound_choice(cli) {
        Ok(c) => c,
        Err(e) => return Ok(Outcome::BadInput(e)),
    };
    let (loaded, device) = settings_and_device(cli);
    let (mut settings, keep_off) = (loaded.settings, loaded.keep_off);
    if let Some(ms) = cli.av_offset {
        if !(-2000..=2000).contains(&ms) {
            return Ok(Outcome::BadInput(format!(
                "--av-offset {ms} ms is out of range (−2000…2000)"
            )));
        }
        // The offset belongs to the device it is measured on.
        let name = device
            .clone()
            .or_else(crate::audio::output::default_device_name)
            .unwrap_or_default();
        settings.av_offset_ms.insert(name, ms);
        if !keep_off && let Err(e) = settings.save() {
            eprintln!("earmark: {e}");
        }
    }
    // Dropped when playback ends: the log line is finished then, not before playing.
    let _access = access::record_open(&file, "headless playback");
    let request = crate::player::PlayRequest {
        file,
        from: cli.play_from.clone(),
        duration_ms,
        monitor,
        device: device.clone(),
        device_rate: cli.device_rate,
        av_offsets: settings.av_offset_ms.clone(),
        keep_presentations: false,
        audio: audio.unwrap_or_default(),
        fold_down: fold_down.unwrap_or_default(),
    };
    match crate::player::play_headless(&request) {
        Ok(report) => {
            if cli.device.is_some() && settings.output_device != cli.device {
                settings.output_device = cli.device.clone();
                if !keep_off && let Err(e) = settings.save() {
                    eprintln!("earmark: {e}");
                }
            }
            let ms = |v: Option<f64>| v.map(|v| format!("{v:.0} ms")).unwrap_or("-".into());
            eprintln!(
                "played {} frames at {} Hz (file {} Hz) from sample {} on {} ({} frames of underrun, {} device warnings, last: {})",
                report.frames_played,
                report.device_rate,
                report.sample_rate,
                report.start_sample,
                report.device,
                report.underrun_frames,
                report.stream_warnings,
                report.last_warning
            );
            eprintln!(
                "pictures {} from frame {}, dropped {}{}; A/V at presentation: mean {:.0} us, p95 {:.0} us, max {:.0} us over {}; first picture {}, first sound {}; device latency {:.1} ms; CPU {}",
                report.pictures_presented,
                report.start_frame,
                report.dropped_frames,
                if report.dropped_while_held > 0 {
                    format!(
                        " ({} of them while the system held the presenter past their time)",
                        report.dropped_while_held
                    )
                } else {
                    String::new()
                },
                report.av.mean_us,
                report.av.p95_abs_us,
                report.av.max_abs_us,
                report.av.samples,
                ms(report.first_picture_ms),
                ms(report.first_sound_ms),
                report.latency_ms,
                report
                    .cpu_percent
                    .map(|c| format!("{c:.0}% of one core"))
                    .unwrap_or("-".into()),
            );
            if report.av_offset_ms != 0 {
                eprintln!(
                    "A/V offset for {}: {:+} ms (picture held back to match the sound)",
                    report.device, report.av_offset_ms
                );
            }
            if let Some(m) = &report.meters {
                let db = |v: f64| {
                    if v.is_finite() {
                        format!("{v:.1}")
                    } else {
                        "-inf".into()
                    }
                };
                eprintln!(
                    "meters over {:.1} s: M {} S {} I {} LUFS, LRA {} LU, max M {} max S {} LUFS, true peak L {} R {} dBTP, correlation {:+.2}, speech {}",
                    m.seconds,
                    db(m.momentary),
                    db(m.short_term),
                    m.integrated.map_or("-".into(), db),
                    m.loudness_range.map_or("-".into(), db),
                    db(m.max_momentary),
                    db(m.max_short_term),
                    db(m.true_peak[0]),
                    db(m.true_peak[1]),
                    m.correlation,
                    if m.speech { "yes" } else { "no" },
                );
            }
            if let Some(m) = report.message.as_ref().filter(|_| !report.message_told) {
                eprintln!("earmark: {m}");
            }
            match &report.audio_label {
                Some(label) => eprintln!("sound: {label}"),
                None => eprintln!("sound: none (picture only)"),
            }
            // Asked to play a file with sound and none was heard: a script must see that.
            let has_sound = crate::media::audio_tracks(&request.file)
                .map(|t| !t.is_empty())
                .unwrap_or(report.has_audio);
            if has_sound && report.frames_played == 0 {
                eprintln!(
                    "earmark: no sound was played from {}, which has sound",
                    request.file.display()
                );
                return Ok(Outcome::Failed);
            }
            Ok(Outcome::Done)
        }
        Err(crate::player::PlayerError::Audio(e @ crate::audio::AudioError::Output(_))) => {
            Err(e.into())
        }
        Err(e) => Ok(Outcome::BadInput(e.to_string())),
    }
}

/// `--audio` and `--fold-down`, checked (`None`: not given).
fn sound_choice(
    cli: &Cli,
) -> Result<
    (
        Option<crate::audio::AudioChoice>,
        Option<crate::audio::FoldDown>,
    ),
    String,
> {
    let audio = cli
        .audio
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e| format!("--audio {e}"))?;
    Ok((audio, cli.fold_down.map(Into::into)))
}

/// `earmark --list-devices`.
pub fn list_devices() -> anyhow::Result<Outcome> {
    let devices = crate::audio::output::list_devices();
    if devices.is_empty() {
        println!("no audio output devices found");
    }
    for d in devices {
        println!(
            "{} {}{}{}",
            if d.is_default { "*" } else { " " },
            d.name,
            if d.default_rate > 0 {
                format!("  ({} Hz)", d.default_rate)
            } else {
                String::new()
            },
            if crate::audio::output::is_bluetooth(&d.name) {
                "  [Bluetooth: adds latency, lossy codec]"
            } else {
                ""
            }
        );
    }
    Ok(Outcome::Done)
}

/// Runs a non-interactive command, recording its access to media in the access log.
pub fn run(command: Command) -> anyhow::Result<Outcome> {
    let access = access::Recorder::begin(&command);
    let result = run_command(command);
    access.end(&result);
    result
}

fn run_command(command: Command) -> anyhow::Result<Outcome> {
    match command {
        Command::Probe { file, json } => probe_cmd::run(&file, json),
        Command::Loudness {
            file,
            json,
            preset,
            audio,
            fold_down,
        } => loudness_cmd::run(&file, json, preset, &audio, fold_down.map(Into::into)),
        Command::Headphones { command } => headphones_cmd::run(command),
        Command::Notes { command } => notes_cmd::run(command),
        Command::Calibrate(args) => calibrate_cmd::run(&args),
        Command::Check {
            file,
            profile,
            json,
        } => check_cmd::run(&file, &profile, json),
        Command::Log(args) => log_cmd::run(&args),
        Command::ReviewComplete(args) => review_cmd::run(&args),
        Command::Still {
            file,
            frame,
            tc,
            output,
        } => still_cmd::run(&file, frame, tc.as_deref(), &output),
        Command::Completions { shell } => docs_cmd::completions(shell),
        Command::Man { out } => docs_cmd::man(out.as_deref()),
    }
}
