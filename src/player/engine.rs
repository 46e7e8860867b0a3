//! The player: opens a file, starts the decode threads and the "player" thread
//! ([`super::player_thread`]), and is the handle the rest of Earmark holds: commands in,
//! snapshots and pictures out.
//!
//! Threads: "player" (commands, transport, device watch, snapshot), "audio-decode"
//! ([`AudioFeed`]), "video-decode" ([`VideoFeed`]), the device callback (cpal), and whoever
//! presents pictures ([`Player::present`]: the UI's repaint, or the headless presenter). The
//! master clock sits behind a small mutex that the callback never touches; the callback
//! publishes its anchor through atomics.

use super::audio_feed::{AudioFeed, OpenedSound};
use super::clock::{ClockMode, MasterClock};
use super::error::PlayerError;
use super::meter_feed::{MeterFeed, MeterOutput};
use super::player_thread::Engine;
use super::transport::{Command, Snapshot};
use super::video_feed::{Picture, VideoFeed};
use crate::audio::output::SinkShared;
use crate::audio::{AudioChoice, AudioError, FoldDown, MonitorMode};
use crate::media::{
    AUDIO_ONLY_FALLBACK_RATE, FrameIndex, MediaError, SourceTimecode, TimecodeSource,
};
use crate::time::{FrameRate, monotonic};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// How to open the player.
#[derive(Clone, Debug, Default)]
pub struct PlayerOptions {
    /// Output device by name (`None`: the system default).
    pub device: Option<String>,
    /// Run the device at this rate (default: the device's own).
    pub device_rate: Option<u32>,
    pub monitor: MonitorMode,
    pub gain_db: f32,
    /// A/V offsets per device name, in ms (from the settings).
    pub av_offsets: BTreeMap<String, i32>,
    /// Keep a log of every presented picture (tests, benchmarks).
    pub record_presentations: bool,
    /// Open no output device (picture only, wall clock).
    pub no_audio: bool,
    /// Which sound track plays (Earmark's pick by default).
    pub audio: AudioChoice,
    /// How a track of more than two channels reaches the ears.
    pub fold_down: FoldDown,
}

/// One picture shown, with the clock at that moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Presentation {
    pub frame: u64,
    /// Programme time the frame starts at.
    pub frame_ns: i64,
    /// The master clock when it was shown.
    pub clock_ns: i64,
    /// When (monotonic ns).
    pub at_ns: i64,
    pub speed: i32,
    /// Whether the clock was following the audio device.
    pub audio_clock: bool,
    /// How much later than it asked the system woke the presenting thread before this
    /// picture (0 for a display that does not say): the machine's share of any lateness.
    pub woke_late_ns: i64,
}

impl Presentation {
    /// How far from `due_ns` (programme time) this picture was shown by the player's own
    /// doing: early always counts; late counts less what the system added by waking the
    /// presenting thread later than it asked (a stalled VM is the machine's lateness).
    pub fn own_lateness_ns(&self, due_ns: i64) -> i64 {
        let off = self.clock_ns - due_ns;
        if off < 0 {
            -off
        } else {
            (off - self.woke_late_ns).max(0)
        }
    }
}

/// Start-up timings, from [`Player::open`] being called.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StartTimes {
    pub opened_ns: i64,
    pub first_picture_ns: Option<i64>,
    pub first_sound_ns: Option<i64>,
}

pub(super) struct Presenter {
    pub(super) last: Option<u64>,
    pub(super) last_speed: i32,
    pub(super) dropped: u64,
    pub(super) record: bool,
    pub(super) log: Vec<Presentation>,
    pub(super) first_picture_ns: Option<i64>,
    /// A seek happened: the next jump is not a drop.
    pub(super) jumped: bool,
    /// The presenting thread's latest oversleep, logged with the next picture.
    pub(super) woke_late_ns: i64,
}

pub(super) struct Shared {
    pub(super) clock: Mutex<MasterClock>,
    pub(super) sink: Arc<SinkShared>,
    pub(super) snapshot: Mutex<Snapshot>,
    pub(super) presenter: Mutex<Presenter>,
    pub(super) video: Option<VideoFeed>,
    pub(super) rate: FrameRate,
    pub(super) frame_count: u64,
    pub(super) timecode: SourceTimecode,
    /// The picture's frame index (`None` for sound only).
    pub(super) index: Option<FrameIndex>,
    pub(super) opened_ns: i64,
    /// Called when the snapshot changes, so a window can repaint only then.
    pub(super) waker: Mutex<Option<Waker>>,
}

/// A callback that asks the display to refresh.
pub type Waker = Box<dyn Fn() + Send + Sync>;

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// A file open for review.
pub struct Player {
    shared: Arc<Shared>,
    meters: Option<Arc<MeterFeed>>,
    tx: Sender<Command>,
    thread: Option<JoinHandle<()>>,
    path: PathBuf,
}

impl Player {
    /// Opens `path` paused on its first frame.
    pub fn open(path: &Path, options: PlayerOptions) -> Result<Self, PlayerError> {
        let opened_ns = monotonic::now_ns();
        let sink = Arc::new(SinkShared::default());
        sink.set_mode(options.monitor);
        sink.set_gain_db(options.gain_db);
        let video = match VideoFeed::open(path, 0) {
            Ok(v) => Some(v),
            Err(PlayerError::Media(MediaError::NoVideo(_))) => None,
            Err(e) => return Err(e),
        };
        let mut notice = video.as_ref().and_then(|(_, v)| v.cut_short.clone());
        let audio = match AudioFeed::open(path, sink.clone(), options.audio, options.fold_down) {
            Ok(a) => a,
            // A picture whose sound Earmark cannot decode is still worth reviewing.
            Err(PlayerError::Audio(AudioError::Unsupported { why, .. })) if video.is_some() => {
                notice = Some(format!(
                    "Sound not supported ({why}) — picture only: {}",
                    path.display()
                ));
                None
            }
            Err(e) => return Err(e),
        };
        // The timeline: the picture's frames, or for sound only, frames of the timecode rate
        // the file states (BWF/iXML), else 25 fps.
        let (video, rate, frame_count, timecode, index) = match video {
            Some((feed, v)) => (Some(feed), v.rate, v.frame_count, v.timecode, Some(v.index)),
            None => {
                let Some((_, OpenedSound { info, start, .. })) = &audio else {
                    return Err(PlayerError::NothingToPlay(path.to_path_buf()));
                };
                let rate = start
                    .and_then(|t| t.frame_rate)
                    .unwrap_or(FrameRate(AUDIO_ONLY_FALLBACK_RATE));
                let drop = start.is_some_and(|t| t.drop_frame);
                let sr = info.sample_rate.max(1) as i128;
                let per = sr * rate.0.den as i128;
                let count = ((info.duration_samples as i128 * rate.0.num as i128 + per - 1) / per)
                    .max(1) as u64;
                let tc = match start {
                    Some(t) => SourceTimecode::counted_from(
                        t.frames_since_midnight(rate),
                        rate.timecode_rate(drop),
                        TimecodeSource::Bwf,
                    ),
                    None => SourceTimecode::zero(rate),
                };
                (None, rate, count, tc, None)
            }
        };
        let file_rate = audio.as_ref().map(|(_, o)| o.info.sample_rate).unwrap_or(0);
        let audio_label = audio.as_ref().map(|(_, o)| o.label.clone());
        let has_video = video.is_some();
        let shared = Arc::new(Shared {
            clock: Mutex::new(MasterClock::held(0)),
            sink: sink.clone(),
            snapshot: Mutex::new(Snapshot {
                frame_count,
                rate_label: rate.label(),
                timecode: timecode.at_frame(0).to_string(),
                monitor: options.monitor,
                gain_db: options.gain_db,
                file_rate,
                has_audio: audio.is_some(),
                has_video,
                audio_label,
                ..Snapshot::default()
            }),
            presenter: Mutex::new(Presenter {
                last: None,
                last_speed: 0,
                dropped: 0,
                record: options.record_presentations,
                log: Vec::new(),
                first_picture_ns: None,
                woke_late_ns: 0,
                jumped: true,
            }),
            video,
            rate,
            frame_count,
            timecode,
            index,
            opened_ns,
            waker: Mutex::new(None),
        });
        let audio_feed = audio.map(|(feed, _)| feed);
        // Meters measure what is played; a file without sound has nothing for them.
        let meters = match &audio_feed {
            Some(_) => Some(Arc::new(MeterFeed::spawn().map_err(PlayerError::Thread)?)),
            None => None,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let mut engine = Engine::new(
            shared.clone(),
            audio_feed,
            meters.clone(),
            &options,
            file_rate,
            notice,
        );
        if !options.no_audio {
            engine.open_first_sink();
        }
        engine.publish();
        let thread = std::thread::Builder::new()
            .name("player".into())
            .spawn(move || engine.run(rx))
            .map_err(PlayerError::Thread)?;
        Ok(Self {
            shared,
            meters,
            tx,
            thread: Some(thread),
            path: path.to_path_buf(),
        })
    }

    /// The live meters' snapshot reader (once; `None` after, or for a file without sound).
    pub fn take_meter_output(&self) -> Option<MeterOutput> {
        self.meters.as_ref()?.take_output()
    }

    /// Starts the live meters' integrated loudness, maxima and peak holds again.
    pub fn reset_meters(&self) {
        if let Some(m) = &self.meters {
            m.reset();
        }
    }

    /// The file under review.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sends a request; it takes effect within a few milliseconds.
    pub fn send(&self, cmd: Command) {
        let _ = self.tx.send(cmd);
    }

    /// The latest state, for drawing.
    pub fn snapshot(&self) -> Snapshot {
        lock(&self.shared.snapshot).clone()
    }

    /// The picture rate.
    pub fn rate(&self) -> FrameRate {
        self.shared.rate
    }

    pub fn frame_count(&self) -> u64 {
        self.shared.frame_count
    }

    /// The file's source timecode mapping.
    pub fn timecode(&self) -> &SourceTimecode {
        &self.shared.timecode
    }

    /// The keyframe at or before frame `n`: the cheapest picture near `n` to show while
    /// scrubbing (`n` itself for sound-only files).
    pub fn keyframe_at_or_before(&self, n: u64) -> u64 {
        self.shared
            .index
            .as_ref()
            .map_or(n, |i| i.keyframe_at_or_before(n))
    }

    /// The size the display shows pictures at, in pixels (`None`: native size). Pictures are
    /// then decoded straight to that size.
    pub fn set_display_size(&self, size: Option<(u32, u32)>) {
        if let Some(v) = &self.shared.video {
            v.set_size(size);
        }
    }

    /// Registers `waker`, called (from the player thread) whenever the snapshot changes.
    pub fn set_waker(&self, waker: Waker) {
        *lock(&self.shared.waker) = Some(waker);
    }

    /// The master clock now, in programme nanoseconds, and the speed it runs at.
    pub fn clock(&self) -> (i64, i32, bool) {
        self.shared.clock_now(monotonic::now_ns())
    }

    /// Tells the presentation log how much later than asked the presenting thread was last
    /// woken (a headless presenter sleeping until a frame is due): the next picture logged
    /// carries it, so a check can tell the machine's stalls from the player's own timing.
    pub fn note_wake_lateness(&self, late_ns: i64) {
        lock(&self.shared.presenter).woke_late_ns = late_ns.max(0);
    }

    /// Picks the picture for the clock now (the call a display makes at each refresh) and
    /// logs its presentation. `None` until the first picture is decoded.
    pub fn present(&self) -> Option<Arc<Picture>> {
        self.shared.present(monotonic::now_ns())
    }

    /// Like [`Player::present`], but when the picture due now is not decoded yet, waits up to
    /// `patience` for it rather than skip it (a late frame beats a missing one).
    pub fn present_waiting(&self, patience: Duration) -> Option<Arc<Picture>> {
        let shown = self.present();
        let (pos, speed, _) = self.clock();
        if speed != 1 {
            return shown;
        }
        let target = self.shared.frame_at(pos);
        if shown.as_ref().is_some_and(|p| p.frame >= target) {
            return shown;
        }
        match self.wait_for_frame(target, patience) {
            Some(_) => self.present(),
            None => shown,
        }
    }

    /// Waits up to `timeout` for the picture of frame `n` (a still after a seek while paused).
    pub fn wait_for_frame(&self, n: u64, timeout: Duration) -> Option<Arc<Picture>> {
        self.shared.video.as_ref()?.wait_for(n, timeout)
    }

    /// Everything presented so far (when recording was asked for), emptied.
    pub fn take_presentations(&self) -> Vec<Presentation> {
        std::mem::take(&mut lock(&self.shared.presenter).log)
    }

    /// Open → first picture and first sound.
    pub fn start_times(&self) -> StartTimes {
        StartTimes {
            opened_ns: self.shared.opened_ns,
            first_picture_ns: lock(&self.shared.presenter).first_picture_ns,
            first_sound_ns: self.shared.sink.first_sound(),
        }
    }

    /// Audio frames played, and those filled with silence for want of data.
    pub fn audio_counters(&self) -> (u64, u64, u64) {
        let s = &self.shared.sink;
        (
            s.frames_played.load(Ordering::Relaxed),
            s.underrun_frames.load(Ordering::Relaxed),
            s.stream_warnings.load(Ordering::Relaxed),
        )
    }

    /// What the device last reported as its warning, in words.
    pub fn last_device_warning(&self) -> &'static str {
        self.shared.sink.last_warning()
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        let (tx, _) = std::sync::mpsc::channel();
        drop(std::mem::replace(&mut self.tx, tx));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Shared {
    pub(super) fn clock_now(&self, now: i64) -> (i64, i32, bool) {
        let anchor = self.sink.anchor.read();
        let mut clock = lock(&self.clock);
        let end = self.rate.frame_start_ns(self.frame_count as i64);
        let pos = clock.at(now, anchor).clamp(0, (end - 1).max(0));
        (
            pos,
            clock.speed(),
            matches!(clock.mode, ClockMode::Audio { .. }),
        )
    }

    pub(super) fn frame_at(&self, pos_ns: i64) -> u64 {
        self.rate
            .frame_at_ns(pos_ns)
            .clamp(0, self.frame_count.saturating_sub(1) as i64) as u64
    }

    pub(super) fn present(&self, now: i64) -> Option<Arc<Picture>> {
        let (pos, speed, audio_clock) = self.clock_now(now);
        let target = self.frame_at(pos);
        let pic = self.video.as_ref()?.pick(target, speed >= 0)?;
        let mut p = lock(&self.presenter);
        if p.last != Some(pic.frame) {
            if let Some(last) = p.last
                && speed == 1
                && p.last_speed == 1
                && !p.jumped
                && pic.frame > last + 1
            {
                p.dropped += pic.frame - last - 1;
            }
            p.jumped = false;
            p.last = Some(pic.frame);
            p.first_picture_ns.get_or_insert(now);
            if p.record {
                let woke_late_ns = p.woke_late_ns;
                p.log.push(Presentation {
                    frame: pic.frame,
                    frame_ns: self.rate.frame_start_ns(pic.frame as i64),
                    clock_ns: pos,
                    at_ns: now,
                    speed,
                    audio_clock,
                    woke_late_ns,
                });
            }
            p.woke_late_ns = 0;
        }
        p.last_speed = speed;
        Some(pic)
    }
}
