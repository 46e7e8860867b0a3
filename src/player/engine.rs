//! The player: opens a file, runs the decode threads and the output device, and turns
//! [`Command`]s into transport changes on the "player" thread.
//!
//! Threads: "player" (commands, transport, device watch, snapshot), "audio-decode"
//! ([`AudioFeed`]), "video-decode" ([`VideoFeed`]), the device callback (cpal), and whoever
//! presents pictures ([`Player::present`]: the UI's repaint, or the headless presenter). The
//! master clock sits behind a small mutex that the callback never touches; the callback
//! publishes its anchor through atomics.

use super::audio_feed::{AudioCommand, AudioFeed, OpenedSound};
use super::clock::{ClockMode, MasterClock};
use super::error::PlayerError;
use super::meter_feed::{MeterFeed, MeterOutput};
use super::signal_deck::SignalDeck;
use super::transport::{Command, Snapshot, Transport};
use super::video_feed::{Picture, VideoFeed};
use crate::audio::output::{
    CpalSink, SinkShared, device_default_rate, device_exists, feed, is_bluetooth, signal_slot,
};
use crate::audio::{AudioChoice, AudioError, FoldDown, MonitorMode};
use crate::media::{
    AUDIO_ONLY_FALLBACK_RATE, FrameIndex, MediaError, SourceTimecode, TimecodeSource,
};
use crate::time::{FrameRate, monotonic};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
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
}

/// Start-up timings, from [`Player::open`] being called.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StartTimes {
    pub opened_ns: i64,
    pub first_picture_ns: Option<i64>,
    pub first_sound_ns: Option<i64>,
}

struct Presenter {
    last: Option<u64>,
    last_speed: i32,
    dropped: u64,
    record: bool,
    log: Vec<Presentation>,
    first_picture_ns: Option<i64>,
    /// A seek happened: the next jump is not a drop.
    jumped: bool,
}

pub(super) struct Shared {
    clock: Mutex<MasterClock>,
    sink: Arc<SinkShared>,
    snapshot: Mutex<Snapshot>,
    presenter: Mutex<Presenter>,
    video: Option<VideoFeed>,
    pub(super) rate: FrameRate,
    pub(super) frame_count: u64,
    timecode: SourceTimecode,
    /// The picture's frame index (`None` for sound only).
    index: Option<FrameIndex>,
    opened_ns: i64,
    /// Called when the snapshot changes, so a window can repaint only then.
    waker: Mutex<Option<Waker>>,
}

/// A callback that asks the display to refresh.
pub type Waker = Box<dyn Fn() + Send + Sync>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
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
        let mut engine = Engine {
            shared: shared.clone(),
            audio: audio_feed,
            meters: meters.clone(),
            sink: None,
            signals: None,
            device: options.device.clone(),
            device_rate_wanted: options.device_rate,
            file_rate,
            av_offsets: options.av_offsets.clone(),
            transport: Transport::Paused,
            epoch: 0,
            starting_since: 0,
            start_frame: 0,
            loop_range: None,
            looping: false,
            message: notice,
            lost: None,
            last_retry_ns: 0,
            last_watch_ns: 0,
            missing_looks: 0,
            stop_at_ns: None,
            resume_after_loss: false,
        };
        if engine.audio.is_some()
            && !options.no_audio
            && let Err(e) = engine.open_sink()
        {
            engine.message = Some(e);
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
    fn clock_now(&self, now: i64) -> (i64, i32, bool) {
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

    fn frame_at(&self, pos_ns: i64) -> u64 {
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
                p.log.push(Presentation {
                    frame: pic.frame,
                    frame_ns: self.rate.frame_start_ns(pic.frame as i64),
                    clock_ns: pos,
                    at_ns: now,
                    speed,
                    audio_clock,
                });
            }
        }
        p.last_speed = speed;
        Some(pic)
    }
}

/// The player thread's state.
struct Engine {
    shared: Arc<Shared>,
    audio: Option<AudioFeed>,
    meters: Option<Arc<MeterFeed>>,
    sink: Option<CpalSink>,
    /// Check signals to the open sink (with it, or neither).
    signals: Option<SignalDeck>,
    device: Option<String>,
    device_rate_wanted: Option<u32>,
    file_rate: u32,
    av_offsets: BTreeMap<String, i32>,
    transport: Transport,
    epoch: u64,
    starting_since: i64,
    start_frame: u64,
    loop_range: Option<(u64, u64)>,
    looping: bool,
    message: Option<String>,
    /// Name of the device that went away, while it is away.
    lost: Option<String>,
    last_retry_ns: i64,
    last_watch_ns: i64,
    /// Device lists in a row that did not have the chosen device.
    missing_looks: u32,
    /// The file was cut while playing: the sound ends here (programme ns), so playback stops
    /// here rather than running the clock on over silence and a held picture.
    stop_at_ns: Option<i64>,
    resume_after_loss: bool,
}

/// How long a 1× start may wait for sound and picture before starting anyway.
const START_TIMEOUT_NS: i64 = 1_000_000_000;
/// How often a lost device is looked for again.
const RETRY_NS: i64 = 1_000_000_000;
/// Device listings in a row without the chosen device before it counts as gone.
const MISSING_LOOKS: u32 = 2;
/// Ring depth between decoder and device.
const RING_MS: u64 = 250;

impl Engine {
    fn run(&mut self, rx: Receiver<Command>) {
        loop {
            // Stopped, nothing is due but the once-a-second device watch: a slow tick keeps a
            // paused review from costing CPU. Commands still wake the thread at once.
            let tick = match self.transport {
                Transport::Paused => Duration::from_millis(50),
                _ => Duration::from_millis(4),
            };
            match rx.recv_timeout(tick) {
                Ok(cmd) => self.handle(cmd),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.tick();
            self.publish();
        }
        if let Some(s) = &self.sink {
            s.shared.playing.store(false, Ordering::Release);
        }
    }

    fn now_pos(&self) -> i64 {
        self.shared.clock_now(monotonic::now_ns()).0
    }

    fn set_clock(&self, mode: ClockMode) {
        lock(&self.shared.clock).mode = mode;
    }

    fn audio_live(&self) -> bool {
        self.audio.is_some() && self.sink.is_some()
    }

    /// Programme time of a sample at the file's rate.
    fn file_sample_ns(&self, sample: i64) -> i64 {
        (sample as i128 * 1_000_000_000 / self.file_rate.max(1) as i128) as i64
    }

    fn loop_ns(&self) -> Option<(i64, i64)> {
        let (a, b) = self.loop_range.filter(|_| self.looping)?;
        Some((
            self.shared.rate.frame_start_ns(a as i64),
            self.shared.rate.frame_start_ns(b as i64),
        ))
    }

    fn handle(&mut self, cmd: Command) {
        match cmd {
            Command::Play => self.play_from(self.now_pos()),
            Command::Pause => self.pause(),
            Command::TogglePlay => match self.transport {
                Transport::Paused => self.play_from(self.now_pos()),
                _ => self.pause(),
            },
            Command::Shuttle(speed) => self.shuttle(speed.clamp(-4, 4)),
            Command::Step(n) => {
                self.pause();
                let f = self.shared.frame_at(self.now_pos()) as i64 + n;
                self.seek(f.clamp(0, self.shared.frame_count as i64 - 1) as u64);
            }
            Command::Seek(n) => self.seek(n.min(self.shared.frame_count.saturating_sub(1))),
            Command::SetLoop(range) => {
                self.loop_range = range.filter(|(a, b)| a < b && *b <= self.shared.frame_count);
                self.apply_loop();
            }
            Command::SetLooping(on) => {
                self.looping = on;
                self.apply_loop();
            }
            Command::SetMonitor(m) => self.shared.sink.set_mode(m),
            Command::SetGain(db) => self.shared.sink.set_gain_db(db.clamp(-60.0, 12.0)),
            Command::SetMuted(m) => self.shared.sink.muted.store(m, Ordering::Relaxed),
            Command::SetDevice(name) => {
                let resume = self.transport != Transport::Paused;
                self.pause();
                self.sink = None;
                self.signals = None;
                self.lost = None;
                self.device = name;
                match self.open_sink() {
                    Ok(()) => self.message = None,
                    Err(e) => self.message = Some(e),
                }
                if resume {
                    self.play_from(self.now_pos());
                }
            }
            Command::SetAvOffset(ms) => {
                if let Some(s) = &self.sink {
                    self.av_offsets.insert(s.device_name.clone(), ms);
                }
                lock(&self.shared.clock).av_offset_ns = ms as i64 * 1_000_000;
            }
            Command::PlaySignal(signal) => self.play_signal(signal, MonitorMode::Stereo),
            Command::PlaySignalThrough(signal, listen) => self.play_signal(signal, listen),
            Command::SetBalance(db) => {
                let db = if db.is_finite() {
                    db.clamp(-3.0, 3.0)
                } else {
                    0.0
                };
                self.shared.sink.set_balance_db(db);
            }
            Command::StopSignal => {
                if let Some(deck) = self.signals.as_mut() {
                    deck.stop();
                }
            }
        }
    }

    /// Pauses the programme and plays a check signal in its place, through `listen`.
    fn play_signal(&mut self, signal: crate::headphones::CheckSignal, listen: MonitorMode) {
        if self.transport != Transport::Paused {
            self.pause();
        }
        self.shared.sink.set_signal_mode(listen);
        let played = match self.signals.as_mut() {
            Some(deck) => deck.play(signal),
            None => Err(super::signal_deck::SignalPlayError::NoDevice),
        };
        if let Err(e) = played {
            self.message = Some(format!("Calibration: {e}"));
        }
    }

    fn apply_loop(&mut self) {
        if let Some(v) = &self.shared.video {
            v.set_loop(self.loop_range.filter(|_| self.looping));
        }
        if matches!(
            self.transport,
            Transport::Playing { speed: 1 } | Transport::Starting
        ) {
            self.play_from(self.now_pos());
        }
    }

    /// Starts 1× playback at programme time `pos` (with sound when there is a device).
    fn play_from(&mut self, pos: i64) {
        // The programme replaces a check signal (the callback plays one or the other).
        if let Some(deck) = self.signals.as_mut() {
            deck.stop();
        }
        let rate = self.shared.rate;
        let mut frame = self.shared.frame_at(pos);
        if frame + 1 >= self.shared.frame_count {
            frame = 0; // at the end: play from the top, as editors do
        }
        let mut start_ns = rate.frame_start_ns(frame as i64);
        if let Some((a, b)) = self.loop_ns()
            && !(a..b).contains(&start_ns)
        {
            start_ns = a;
            frame = self.shared.frame_at(a);
        }
        // Resuming mid-frame (after a shuttle) starts at the clock, not the frame's start.
        if pos > start_ns && self.shared.frame_at(pos) == frame {
            start_ns = pos;
        }
        self.epoch += 1;
        self.start_frame = frame;
        self.starting_since = monotonic::now_ns();
        lock(&self.shared.presenter).jumped = true;
        if let Some(v) = &self.shared.video {
            v.set_focus(frame, true);
        }
        if self.audio_live()
            && let (Some(audio), Some(sink)) = (&self.audio, &self.sink)
        {
            sink.shared.playing.store(false, Ordering::Release);
            let fr = self.file_rate as i128;
            let from_sample = ((start_ns as i128 * fr + 500_000_000) / 1_000_000_000) as i64;
            let loop_samples = self.loop_ns().map(|(a, b)| {
                (
                    ((a as i128 * fr + 500_000_000) / 1_000_000_000) as i64,
                    ((b as i128 * fr + 500_000_000) / 1_000_000_000) as i64,
                )
            });
            audio.send(AudioCommand::Start {
                epoch: self.epoch,
                from_sample,
                loop_samples,
            });
            let exact_ns = (from_sample as i128 * 1_000_000_000 / fr) as i64;
            self.set_clock(ClockMode::Audio {
                epoch: self.epoch,
                start_ns: exact_ns,
            });
        } else {
            self.set_clock(ClockMode::Held { pos_ns: start_ns });
        }
        self.transport = Transport::Starting;
    }

    fn pause(&mut self) {
        let pos = self.now_pos();
        let frame = self.shared.frame_at(pos);
        if let Some(s) = &self.sink {
            s.shared.playing.store(false, Ordering::Release);
        }
        if let Some(a) = &self.audio {
            a.send(AudioCommand::Stop);
        }
        self.set_clock(ClockMode::Held {
            pos_ns: self.shared.rate.frame_start_ns(frame as i64),
        });
        if let Some(v) = &self.shared.video {
            v.set_focus(frame, true);
        }
        self.transport = Transport::Paused;
    }

    fn shuttle(&mut self, speed: i32) {
        match speed {
            0 => self.pause(),
            1 => self.play_from(self.now_pos()),
            s => {
                let pos = self.now_pos();
                if let Some(sk) = &self.sink {
                    sk.shared.playing.store(false, Ordering::Release);
                }
                if let Some(a) = &self.audio {
                    a.send(AudioCommand::Stop);
                }
                self.set_clock(ClockMode::Wall {
                    base_ns: pos,
                    since_ns: monotonic::now_ns(),
                    speed: s,
                });
                if let Some(v) = &self.shared.video {
                    v.set_focus(self.shared.frame_at(pos), s > 0);
                }
                self.transport = Transport::Playing { speed: s };
            }
        }
    }

    fn seek(&mut self, frame: u64) {
        lock(&self.shared.presenter).jumped = true;
        let ns = self.shared.rate.frame_start_ns(frame as i64);
        match self.transport {
            Transport::Paused => {
                self.set_clock(ClockMode::Held { pos_ns: ns });
                if let Some(v) = &self.shared.video {
                    v.set_focus(frame, true);
                }
            }
            Transport::Starting | Transport::Playing { speed: 1 } => self.play_from(ns),
            Transport::Playing { speed } => {
                self.set_clock(ClockMode::Wall {
                    base_ns: ns,
                    since_ns: monotonic::now_ns(),
                    speed,
                });
                if let Some(v) = &self.shared.video {
                    v.set_focus(frame, speed > 0);
                }
            }
        }
    }

    fn tick(&mut self) {
        let now = monotonic::now_ns();
        if let Some(deck) = self.signals.as_mut() {
            deck.collect();
        }
        // Some systems move a stream to another output when its device goes away instead of
        // failing it; a chosen device that no longer exists is lost all the same.
        let mut gone = false;
        if let (Some(sink), Some(_)) = (&self.sink, &self.device)
            && now - self.last_watch_ns > RETRY_NS
        {
            self.last_watch_ns = now;
            // Two looks in a row: on a loaded machine one listing can come back without a
            // device that is there (the sound server answered late), and pausing a review for
            // that would be a fault of Earmark's own. A device that really fails is reported
            // at once by the stream's error callback (`device_lost`).
            self.missing_looks = match device_exists(&sink.device_name) {
                true => 0,
                false => self.missing_looks + 1,
            };
            gone = self.missing_looks >= MISSING_LOOKS;
        }
        if let Some(sink) = &self.sink
            && (gone || sink.shared.device_lost.load(Ordering::Relaxed))
        {
            let name = sink.device_name.clone();
            self.resume_after_loss = self.transport != Transport::Paused;
            self.pause();
            self.sink = None;
            self.signals = None;
            self.message = Some(format!(
                "Output device \u{201c}{name}\u{201d} stopped (unplugged?). Playback paused: \
                 reconnect it or choose another device."
            ));
            self.lost = Some(name);
            self.missing_looks = 0;
            self.last_retry_ns = now;
            lock(&self.shared.clock).av_offset_ns = 0;
        }
        if self.lost.is_some() && now - self.last_retry_ns > RETRY_NS {
            self.last_retry_ns = now;
            if self.open_sink().is_ok() {
                let name = self.lost.take().unwrap_or_default();
                self.message = Some(format!("Output device \u{201c}{name}\u{201d} is back."));
                if std::mem::take(&mut self.resume_after_loss) {
                    self.play_from(self.now_pos());
                }
            }
        }
        if let Some(a) = &self.audio
            && let Ok(mut slot) = a.errors.lock()
            && let Some(e) = slot.take()
        {
            self.message = Some(format!("Sound: {e}"));
        }
        if let Some(a) = &self.audio
            && let Some(sample) = a.take_cut()
        {
            let ns = self.file_sample_ns(sample);
            self.stop_at_ns = Some(ns);
        }
        if let Some(at) = self.stop_at_ns
            && self.transport != Transport::Paused
            && self.now_pos() >= at
        {
            self.stop_at_ns = None;
            self.pause();
        }
        if let Some(a) = &self.audio
            && let Some(sample) = a.take_damage()
        {
            let ns = self.file_sample_ns(sample);
            let tc = self
                .shared
                .timecode
                .at_frame(self.shared.frame_at(ns) as i64);
            self.message = Some(format!(
                "Sound: damaged data at {tc} — skipped, playback goes on: {}",
                a.path.display()
            ));
        }
        if let Some(v) = &self.shared.video
            && let Some(e) = v.take_error()
        {
            self.message = Some(format!("Picture: {e}"));
        }
        match self.transport {
            Transport::Starting => self.try_start(now),
            Transport::Playing { speed } => self.check_ends(now, speed),
            Transport::Paused => {}
        }
    }

    /// Lets a 1× start go once sound is queued and the first picture decoded.
    fn try_start(&mut self, now: i64) {
        let picture_ready = self
            .shared
            .video
            .as_ref()
            .is_none_or(|v| v.has(self.start_frame));
        let sound_ready = !self.audio_live()
            || self
                .audio
                .as_ref()
                .is_some_and(|a| a.primed.load(Ordering::Acquire) == self.epoch);
        let timed_out = now - self.starting_since > START_TIMEOUT_NS;
        if !(timed_out || picture_ready && sound_ready) {
            return;
        }
        if self.audio_live() {
            if let Some(s) = &self.sink {
                s.shared.playing.store(true, Ordering::Release);
            }
        } else {
            let base = match lock(&self.shared.clock).mode {
                ClockMode::Held { pos_ns } => pos_ns,
                _ => self.shared.rate.frame_start_ns(self.start_frame as i64),
            };
            self.set_clock(ClockMode::Wall {
                base_ns: base,
                since_ns: now,
                speed: 1,
            });
        }
        self.transport = Transport::Playing { speed: 1 };
    }

    /// End of file and loop points for the wall clock (the audio feed loops by itself).
    fn check_ends(&mut self, now: i64, speed: i32) {
        let rate = self.shared.rate;
        let (pos, _, audio_clock) = self.shared.clock_now(now);
        let end = rate.frame_start_ns(self.shared.frame_count as i64);
        let last_frame_ns = rate.frame_start_ns(self.shared.frame_count as i64 - 1);
        if let Some((a, b)) = self.loop_ns() {
            if !audio_clock && speed > 0 && pos >= b - 1 {
                self.set_clock(ClockMode::Wall {
                    base_ns: a,
                    since_ns: now,
                    speed,
                });
                lock(&self.shared.presenter).jumped = true;
            } else if speed < 0 && pos <= a {
                let back = rate.frame_start_ns(self.shared.frame_at(b - 1) as i64);
                self.set_clock(ClockMode::Wall {
                    base_ns: back,
                    since_ns: now,
                    speed,
                });
                lock(&self.shared.presenter).jumped = true;
            }
            return;
        }
        let sound_over = self
            .sink
            .as_ref()
            .is_some_and(|s| s.shared.source_done.load(Ordering::Relaxed));
        let at_end = if speed > 0 {
            pos >= end - 1 || (pos >= last_frame_ns && (sound_over || !audio_clock))
        } else {
            pos <= 0
        };
        if at_end {
            self.pause();
            let f = if speed > 0 {
                self.shared.frame_count.saturating_sub(1)
            } else {
                0
            };
            self.set_clock(ClockMode::Held {
                pos_ns: rate.frame_start_ns(f as i64),
            });
        }
    }

    /// Opens the chosen device (or the default) and hands the audio thread a fresh feed.
    fn open_sink(&mut self) -> Result<(), String> {
        let Some(audio) = &self.audio else {
            return Ok(());
        };
        let rate = self
            .device_rate_wanted
            .or_else(|| device_default_rate(self.device.as_deref()))
            .unwrap_or(self.file_rate);
        let capacity = (RING_MS * rate as u64 / 1000) as usize * 2;
        let (writer, reader) = feed(capacity);
        self.shared.sink.device_lost.store(false, Ordering::Relaxed);
        self.shared.sink.playing.store(false, Ordering::Release);
        let (signal_tx, signal_rx) = signal_slot();
        let sink = CpalSink::open(
            self.device.as_deref(),
            rate,
            reader,
            self.shared.sink.clone(),
            self.meters.as_ref().map(|m| m.tap(rate)),
            signal_rx,
        )
        .map_err(|e| e.to_string())?;
        self.signals = Some(SignalDeck::new(signal_tx, rate));
        audio.send(AudioCommand::NewFeed {
            writer,
            device_rate: rate,
        });
        let offset = self.av_offsets.get(&sink.device_name).copied().unwrap_or(0);
        lock(&self.shared.clock).av_offset_ns = offset as i64 * 1_000_000;
        self.sink = Some(sink);
        Ok(())
    }

    fn publish(&self) {
        let (pos, _, _) = self.shared.clock_now(monotonic::now_ns());
        let frame = self.shared.frame_at(pos);
        let sink = &self.shared.sink;
        let dropped = lock(&self.shared.presenter).dropped;
        let av_offset_ms = (lock(&self.shared.clock).av_offset_ns / 1_000_000) as i32;
        let mut guard = lock(&self.shared.snapshot);
        let before = guard.clone();
        let s = &mut *guard;
        s.transport = self.transport;
        s.frame = frame;
        s.timecode = self.shared.timecode.at_frame(frame as i64).to_string();
        s.loop_range = self.loop_range;
        s.looping = self.looping;
        s.device = self.sink.as_ref().map(|k| k.device_name.clone());
        s.device_rate = self.sink.as_ref().map(|k| k.sample_rate).unwrap_or(0);
        s.bluetooth = s.device.as_deref().is_some_and(is_bluetooth);
        s.av_offset_ms = av_offset_ms;
        s.monitor = sink.mode();
        s.gain_db = sink.gain_db();
        s.muted = sink.muted.load(Ordering::Relaxed);
        s.signal = self.signals.as_ref().and_then(SignalDeck::playing);
        s.balance_db = sink.balance_db();
        s.message = self.message.clone();
        s.dropped_frames = dropped;
        s.underrun_frames = sink.underrun_frames.load(Ordering::Relaxed);
        s.latency_ms = sink.latency_us.load(Ordering::Relaxed) as f64 / 1000.0;
        // The latency estimate jitters with every device callback; it alone is no reason to
        // repaint a paused window.
        // While playing, the window paints on the frame clock by itself; a moving frame
        // number is no reason to wake it.
        let moving = s.transport != Transport::Paused && before.transport == s.transport;
        let changed = Snapshot {
            latency_ms: s.latency_ms,
            frame: if moving { s.frame } else { before.frame },
            timecode: if moving {
                s.timecode.clone()
            } else {
                before.timecode.clone()
            },
            ..before
        } != *s;
        drop(guard);
        if changed && let Some(wake) = lock(&self.shared.waker).as_ref() {
            wake();
        }
    }
}
