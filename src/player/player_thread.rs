//! The "player" thread: turns [`Command`]s into transport changes, starts playback once sound
//! and picture are ready, stops at the end or wraps a loop on the wall clock, watches the output
//! device ([`DeviceWatch`]) and publishes the snapshot the window draws.

use super::audio_feed::{AudioCommand, AudioFeed};
use super::clock::ClockMode;
use super::device_watch::DeviceWatch;
use super::engine::{PlayerOptions, Shared, lock};
use super::meter_feed::MeterFeed;
use super::signal_deck::SignalDeck;
use super::transport::{Command, Snapshot, Transport};
use crate::audio::MonitorMode;
use crate::audio::output::{
    CpalSink, device_default_rate, device_exists, feed, is_bluetooth, signal_slot,
};
use crate::time::{Frame, monotonic};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// The player thread's state.
pub(super) struct Engine {
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
    /// The instant a [`Command::PlayAt`] start is to be heard.
    start_at: Option<i64>,
    loop_range: Option<(u64, u64)>,
    looping: bool,
    /// The sink's underrun count when this play started: the snapshot shows this play's.
    underrun_base: u64,
    message: Option<String>,
    /// Whether the output device is there, and when to look for a lost one again.
    watch: DeviceWatch,
    /// The file was cut while playing: the sound ends here (programme ns), so playback stops
    /// here rather than running the clock on over silence and a held picture.
    stop_at_ns: Option<i64>,
}

/// How long a 1× start may wait for sound and picture before starting anyway.
const START_TIMEOUT_NS: i64 = 1_000_000_000;
/// Ring depth between decoder and device.
const RING_MS: u64 = 250;

impl Engine {
    /// The thread's state for a file just opened: paused on the first frame, no device yet.
    pub(super) fn new(
        shared: Arc<Shared>,
        audio: Option<AudioFeed>,
        meters: Option<Arc<MeterFeed>>,
        options: &PlayerOptions,
        file_rate: u32,
        notice: Option<String>,
    ) -> Self {
        Self {
            shared,
            audio,
            meters,
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
            start_at: None,
            loop_range: None,
            underrun_base: 0,
            looping: false,
            message: notice,
            watch: DeviceWatch::default(),
            stop_at_ns: None,
        }
    }

    /// Opens the output device for a file with sound; a device that will not open is said in
    /// the snapshot's message (the picture plays on).
    pub(super) fn open_first_sink(&mut self) {
        if self.audio.is_some()
            && let Err(e) = self.open_sink()
        {
            self.message = Some(e);
        }
    }

    pub(super) fn run(&mut self, rx: Receiver<Command>) {
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
            Command::Play => {
                self.start_at = None;
                self.play_from(self.now_pos());
            }
            Command::PlayAt { from, at_ns } => {
                let frame = from.0.min(self.shared.frame_count.saturating_sub(1));
                self.play_from(self.shared.rate.frame_start_ns(frame as i64));
                // The device's own A/V offset says its sound is heard that much later than
                // it reports: start that much earlier.
                let offset = lock(&self.shared.clock).av_offset_ns;
                self.start_at = Some(at_ns - offset);
            }
            Command::Pause => self.pause(),
            Command::TogglePlay => match self.transport {
                Transport::Paused => {
                    self.start_at = None;
                    self.play_from(self.now_pos())
                }
                _ => self.pause(),
            },
            Command::Shuttle(speed) => self.shuttle(speed.clamp(-4, 4)),
            Command::Step(n) => {
                self.pause();
                let f = self.shared.frame_at(self.now_pos()) as i64 + n;
                self.seek(f.clamp(0, self.shared.frame_count as i64 - 1) as u64);
            }
            Command::Seek(n) => self.seek(n.0.min(self.shared.frame_count.saturating_sub(1))),
            Command::SetLoop(range) => {
                self.loop_range = range
                    .map(|(a, b)| (a.0, b.0))
                    .filter(|(a, b)| a < b && *b <= self.shared.frame_count);
                self.apply_loop();
            }
            Command::SetLooping(on) => {
                self.looping = on;
                self.apply_loop();
            }
            Command::SetDriftTrim(ppb) => {
                if let Some(a) = &self.audio {
                    a.set_drift_trim(ppb);
                }
            }
            Command::SetMonitor(m) => self.shared.sink.set_mode(m),
            Command::SetGain(db) => self.shared.sink.set_gain_db(db.clamp(-60.0, 12.0)),
            Command::SetMuted(m) => self.shared.sink.muted.store(m, Ordering::Relaxed),
            Command::SetDevice(name) => {
                let resume = self.transport != Transport::Paused;
                self.pause();
                self.sink = None;
                self.signals = None;
                self.watch.forget();
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
        // A play started from stopped counts its own dropped frames and dropouts: the status
        // bar's red count is about this play, not one long gone.
        if self.transport == Transport::Paused {
            lock(&self.shared.presenter).dropped = 0;
            self.underrun_base = self.shared.sink.underrun_frames.load(Ordering::Relaxed);
        }
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
        let gone = self.sink.as_ref().is_some_and(|sink| {
            let failed = sink.shared.device_lost.load(Ordering::Relaxed);
            self.watch.gone(now, failed, self.device.is_some(), || {
                device_exists(&sink.device_name)
            })
        });
        if gone && let Some(name) = self.sink.as_ref().map(|s| s.device_name.clone()) {
            let playing = self.transport != Transport::Paused;
            self.pause();
            self.sink = None;
            self.signals = None;
            self.message = Some(format!(
                "Output device \u{201c}{name}\u{201d} stopped (unplugged?). Playback paused: \
                 reconnect it or choose another device."
            ));
            self.watch.lose(name, playing, now);
            lock(&self.shared.clock).av_offset_ns = 0;
        }
        if self.watch.retry_due(now) && self.open_sink().is_ok() {
            let (name, resume) = self.watch.back();
            self.message = Some(format!("Output device \u{201c}{name}\u{201d} is back."));
            if resume {
                self.play_from(self.now_pos());
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
        let start_at = self.start_at.take();
        if let Some(at) = start_at {
            log::debug!(
                "start at an instant: ready {} ms before it",
                (at - now) / 1_000_000
            );
        }
        if self.audio_live() {
            if let Some(s) = &self.sink {
                s.shared.start_at_ns.store(
                    start_at.unwrap_or(crate::audio::output::NO_START_AT),
                    Ordering::Release,
                );
                s.shared.playing.store(true, Ordering::Release);
            }
        } else {
            // No sound to hold the start: the picture clock waits for the instant itself.
            if let Some(at) = start_at
                && now < at
            {
                self.start_at = Some(at);
                return;
            }
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

    pub(super) fn publish(&self) {
        let (pos, _, _) = self.shared.clock_now(monotonic::now_ns());
        let frame = self.shared.frame_at(pos);
        let sink = &self.shared.sink;
        let dropped = lock(&self.shared.presenter).dropped;
        let av_offset_ms = (lock(&self.shared.clock).av_offset_ns / 1_000_000) as i32;
        let mut guard = lock(&self.shared.snapshot);
        let before = guard.clone();
        let s = &mut *guard;
        s.transport = self.transport;
        s.frame = Frame(frame);
        s.timecode = self.shared.timecode.at_frame(frame as i64).to_string();
        s.loop_range = self.loop_range.map(|(a, b)| (Frame(a), Frame(b)));
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
        s.underrun_frames = sink
            .underrun_frames
            .load(Ordering::Relaxed)
            .saturating_sub(self.underrun_base);
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
