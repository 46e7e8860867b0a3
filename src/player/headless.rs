//! Plays a stretch of a file through the real output device with no window, presenting
//! pictures on time with the headless presenter, then returns what happened. For checking a
//! listening set-up from a script, and for the tests and benchmarks that measure the engine.

use super::engine::{Player, PlayerOptions, Presentation};
use super::error::PlayerError;
use super::presenter::spawn_presenter;
use super::transport::{Command, Transport};
use crate::audio::{AudioChoice, FoldDown, MonitorMode};
use crate::meters::MeterSnapshot;
use crate::time::monotonic;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// What to play.
#[derive(Clone, Debug, Default)]
pub struct PlayRequest {
    pub file: PathBuf,
    /// Start timecode, in the file's source timecode; the first frame when `None`.
    pub from: Option<String>,
    /// How long to play, in milliseconds.
    pub duration_ms: u64,
    pub monitor: MonitorMode,
    /// Output device name; the default device when `None`.
    pub device: Option<String>,
    /// Run the device at this rate (resampling with rubato when it differs from the file's);
    /// the device's own default rate when `None`.
    pub device_rate: Option<u32>,
    /// Per-device A/V offsets (ms) from the settings.
    pub av_offsets: BTreeMap<String, i32>,
    /// Keep every presentation in the report.
    pub keep_presentations: bool,
    /// Which sound track plays, and how more than two channels reach the ears.
    pub audio: AudioChoice,
    pub fold_down: FoldDown,
}

/// A/V agreement over the pictures presented while the audio clock ran.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AvStats {
    pub samples: usize,
    /// Mean of (clock at presentation − frame start), µs.
    pub mean_us: f64,
    pub p95_abs_us: f64,
    pub max_abs_us: f64,
}

/// What happened.
#[derive(Clone, Debug, Default)]
pub struct PlayReport {
    pub device: String,
    /// The file's audio rate.
    pub sample_rate: u32,
    /// The rate the device ran at (differs from `sample_rate` when resampled).
    pub device_rate: u32,
    pub start_frame: u64,
    /// First sample played, on the file's audio timeline.
    pub start_sample: i64,
    pub frames_played: u64,
    pub underrun_frames: u64,
    /// Non-fatal stream errors the device reported (xruns).
    pub stream_warnings: u64,
    /// The last of those warnings, in words.
    pub last_warning: &'static str,
    pub pictures_presented: usize,
    pub dropped_frames: u64,
    /// Of those, the pictures whose time had passed before the system woke the presenter.
    pub dropped_while_held: u64,
    pub av: AvStats,
    /// From opening the file to the first picture presented / first sound heard, ms.
    pub first_picture_ms: Option<f64>,
    pub first_sound_ms: Option<f64>,
    /// Process CPU time (user + system) over wall time while playing, in percent of one core.
    pub cpu_percent: Option<f64>,
    /// Output latency the device reported, ms.
    pub latency_ms: f64,
    /// The device's A/V offset in use, ms.
    pub av_offset_ms: i32,
    /// Whether the file has sound Earmark plays.
    pub has_audio: bool,
    /// What sound played, in words (`None` without sound).
    pub audio_label: Option<String>,
    /// Message the player raised last (device lost, decode trouble).
    pub message: Option<String>,
    /// Whether `message` was already printed while playing.
    pub message_told: bool,
    pub presentations: Vec<Presentation>,
    /// The live meters at the end, as the window's meter panel would show them (what was
    /// played, before monitoring mode and gain).
    pub meters: Option<MeterSnapshot>,
}

/// Plays `req` and returns once it has been heard.
pub fn play_headless(req: &PlayRequest) -> Result<PlayReport, PlayerError> {
    let player = Arc::new(Player::open(
        &req.file,
        PlayerOptions {
            device: req.device.clone(),
            device_rate: req.device_rate,
            monitor: req.monitor,
            av_offsets: req.av_offsets.clone(),
            record_presentations: true,
            audio: req.audio,
            fold_down: req.fold_down,
            ..PlayerOptions::default()
        },
    )?);
    let start_frame = match &req.from {
        None => 0,
        Some(text) => {
            let tc = player.timecode().parse(text)?;
            let f = player.timecode().frame_of(tc);
            if f < 0 || f as u64 >= player.frame_count() {
                return Err(PlayerError::OutsideFile {
                    asked: tc.to_string(),
                    first: player.timecode().at_frame(0).to_string(),
                    last: player
                        .timecode()
                        .at_frame(player.frame_count() as i64 - 1)
                        .to_string(),
                });
            }
            f as u64
        }
    };
    let mut meter_output = player.take_meter_output();
    let snap = player.snapshot();
    if snap.has_audio && snap.device.is_none() {
        return Err(PlayerError::Audio(
            crate::audio::OutputError::NotOpen(
                snap.message.unwrap_or_else(|| "no output device".into()),
            )
            .into(),
        ));
    }
    player.send(Command::Seek(crate::time::Frame(start_frame)));
    let (stop, presenter) = spawn_presenter(player.clone()).map_err(PlayerError::Thread)?;
    let cpu_before = process_cpu_ns();
    let wall_before = monotonic::now_ns();
    player.send(Command::Play);
    let rate = player.rate();
    let start_ns = rate.frame_start_ns(start_frame as i64);
    let end_ns = start_ns + req.duration_ms as i64 * 1_000_000;
    let deadline = monotonic::now_ns() + (req.duration_ms as i64 + 5000) * 1_000_000;
    let mut started = false;
    let mut told: Option<String> = None;
    loop {
        std::thread::sleep(Duration::from_millis(5));
        let (pos, _, _) = player.clock();
        let s = player.snapshot();
        started |= s.transport != Transport::Paused;
        // Said as it happens (damaged data skipped, the device gone and back), not only at
        // the end, so a log shows when.
        if s.message.is_some() && s.message != told {
            told.clone_from(&s.message);
            if let Some(m) = &told {
                eprintln!("earmark: {m}");
            }
        }
        if pos >= end_ns || monotonic::now_ns() > deadline {
            break;
        }
        // Paused with a device: the end of the file. Without one (unplugged), the player
        // resumes by itself when it returns, so wait for that until the deadline.
        if started && s.transport == Transport::Paused && (s.device.is_some() || !s.has_audio) {
            break;
        }
    }
    let cpu_after = process_cpu_ns();
    let wall = monotonic::now_ns() - wall_before;
    player.send(Command::Pause);
    stop.store(true, Ordering::Relaxed);
    let _ = presenter.join();
    // The meters publish every 33 ms; the last sound played reaches them through the tap.
    std::thread::sleep(Duration::from_millis(80));
    let snap = player.snapshot();
    let times = player.start_times();
    let (frames_played, underrun_frames, stream_warnings) = player.audio_counters();
    let presentations = player.take_presentations();
    let ms = |t: Option<i64>| t.map(|t| (t - times.opened_ns) as f64 / 1e6);
    Ok(PlayReport {
        device: snap.device.clone().unwrap_or_else(|| "none".into()),
        sample_rate: snap.file_rate,
        device_rate: snap.device_rate,
        start_frame,
        start_sample: rate.frame_start_sample(start_frame as i64, snap.file_rate),
        frames_played,
        underrun_frames,
        stream_warnings,
        last_warning: player.last_device_warning(),
        pictures_presented: presentations.len(),
        dropped_frames: snap.dropped_frames,
        dropped_while_held: skips(&presentations, 1_000_000)
            .while_held
            .min(snap.dropped_frames),
        av: av_stats(&presentations),
        first_picture_ms: ms(times.first_picture_ns),
        first_sound_ms: ms(times.first_sound_ns),
        cpu_percent: match (cpu_before, cpu_after) {
            (Some(a), Some(b)) if wall > 0 => Some((b - a) as f64 * 100.0 / wall as f64),
            _ => None,
        },
        latency_ms: snap.latency_ms,
        av_offset_ms: snap.av_offset_ms,
        has_audio: snap.has_audio,
        audio_label: snap.audio_label.clone(),
        message_told: snap.message.is_some() && snap.message == told,
        message: snap.message,
        presentations: if req.keep_presentations {
            presentations
        } else {
            Vec::new()
        },
        meters: meter_output.as_mut().map(|o| o.read().clone()),
    })
}

/// Clock-at-presentation minus frame start, over pictures shown on the audio clock at 1×.
pub fn av_stats(log: &[Presentation]) -> AvStats {
    let mut d: Vec<f64> = log
        .iter()
        .filter(|p| p.audio_clock && p.speed == 1)
        .map(|p| (p.clock_ns - p.frame_ns) as f64 / 1000.0)
        .collect();
    if d.is_empty() {
        return AvStats::default();
    }
    let mean = d.iter().sum::<f64>() / d.len() as f64;
    d.iter_mut().for_each(|x| *x = x.abs());
    d.sort_by(f64::total_cmp);
    AvStats {
        samples: d.len(),
        mean_us: mean,
        p95_abs_us: d[(d.len() * 95 / 100).min(d.len() - 1)],
        max_abs_us: d[d.len() - 1],
    }
}

/// Pictures skipped while playing forwards at 1×, and how many of them the system skipped by
/// waking the presenter after their time had passed (the player was not at fault).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Skips {
    pub frames: u64,
    pub while_held: u64,
}

/// Counts the skips in a presentation log: a forward step of more than one frame at 1× is a
/// skip (a seek or loop wrap is a jump the log cannot tell apart, so pass logs of plain play).
/// It was the system's when the presenter woke, later than it asked, past the first skipped
/// picture's time — within `slack_ns` of its own doing.
pub fn skips(log: &[Presentation], slack_ns: i64) -> Skips {
    let mut s = Skips::default();
    for w in log.windows(2) {
        let (a, b) = (w[0], w[1]);
        if a.speed != 1 || b.speed != 1 || b.frame <= a.frame + 1 {
            continue;
        }
        let n = b.frame - a.frame - 1;
        s.frames += n;
        let frame_len = (b.frame_ns - a.frame_ns) / (n + 1) as i64;
        if b.own_lateness_ns(a.frame_ns + frame_len) <= slack_ns {
            s.while_held += n;
        }
    }
    s
}

/// User + system CPU time of this process, in ns (Linux: /proc/self/stat, in clock ticks of
/// 10 ms — enough over a playback of seconds).
fn process_cpu_ns() -> Option<i64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may hold spaces) start past the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: i64 = fields.get(11)?.parse().ok()?;
    let stime: i64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frame `f` of a 25 fps file shown `late_ms` after its time, the system having woken the
    /// presenter `held_ms` later than asked.
    fn shown(f: u64, late_ms: i64, held_ms: i64) -> Presentation {
        Presentation {
            frame: f,
            frame_ns: f as i64 * 40_000_000,
            clock_ns: f as i64 * 40_000_000 + late_ms * 1_000_000,
            at_ns: 0,
            speed: 1,
            audio_clock: true,
            woke_late_ns: held_ms * 1_000_000,
        }
    }

    #[test]
    fn skips_are_the_systems_only_when_it_held_the_presenter_past_their_time() {
        // 0, 1, then 3 shown 10 ms into its time: frame 2 was due 50 ms before that.
        let held = [shown(0, 0, 0), shown(1, 0, 0), shown(3, 10, 51)];
        assert_eq!(
            skips(&held, 1_000_000),
            Skips {
                frames: 1,
                while_held: 1
            }
        );
        // The same skip with the presenter woken on time is the player's own.
        let awake = [shown(0, 0, 0), shown(1, 0, 0), shown(3, 10, 0)];
        assert_eq!(skips(&awake, 1_000_000).while_held, 0);
        // Woken 20 ms late is not enough to excuse missing a picture due 50 ms earlier.
        let short = [shown(1, 0, 0), shown(3, 10, 20)];
        assert_eq!(skips(&short, 1_000_000).while_held, 0);
        // Shown early is never excused, and steps of one frame or paused ones are no skips.
        let early = Presentation {
            clock_ns: 80_000_000 - 5_000_000,
            ..shown(2, 0, 100)
        };
        assert_eq!(early.own_lateness_ns(80_000_000), 5_000_000);
        let paused = Presentation {
            speed: 0,
            ..shown(9, 0, 0)
        };
        assert_eq!(
            skips(&[shown(0, 0, 0), shown(1, 0, 0), paused], 0),
            Skips::default()
        );
    }
}
