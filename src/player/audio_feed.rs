//! The "audio-decode" thread: decodes from the requested sample, resamples when the device runs
//! at another rate, and writes into the feed the device callback plays from.
//!
//! Each start writes a flush mark first (so whatever was queued from before a seek is never
//! heard), loops write a continue mark at the loop-out sample (the wrap is seamless and exact),
//! and the thread reports through atomics when a run has enough queued to start without a gap
//! (`primed`) — the player only lets the callback play once it has.
//!
//! The track chosen keeps its own channels up to here; each chunk is folded to the two ears
//! ([`Downmix`]) before resampling, so everything after this thread is stereo.
//!
//! In a shared review a guest's sound also passes a [`Varispeed`] stage, steered a few ppm
//! either way so its sound card's clock does not carry it away from the host's; every change
//! of speed writes a retime mark, so the audio clock stays exact through it.

use super::error::PlayerError;
use crate::audio::output::{FeedWriter, SinkShared};
use crate::audio::{
    AudioChoice, AudioError, AudioSource, AudioTimecode, Downmix, FoldDown, MAX_SPEED_PPB,
    StreamResampler, Varispeed,
};
use crate::media::AudioStreamInfo;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Requests to the thread.
pub enum AudioCommand {
    /// Play from `from_sample` (file rate), looping `[in, out)` when given.
    Start {
        epoch: u64,
        from_sample: i64,
        loop_samples: Option<(i64, i64)>,
    },
    /// Stop writing (pause, shuttle).
    Stop,
    /// The device was (re)opened: write into this feed from now on, at this rate.
    NewFeed {
        writer: FeedWriter,
        device_rate: u32,
    },
}

/// Handle to the thread.
pub struct AudioFeed {
    tx: Sender<AudioCommand>,
    /// The epoch whose run has enough audio queued to start (or has reached the end).
    pub primed: Arc<AtomicU64>,
    /// The last decode or resample error, in words.
    pub errors: Arc<std::sync::Mutex<Option<String>>>,
    /// Where sound resumed after damaged packets were skipped (file-rate sample), first since
    /// the player last took it.
    pub damaged: Arc<std::sync::Mutex<Option<i64>>>,
    /// The file, for messages.
    pub path: std::path::PathBuf,
    /// Where the sound ends because the file was cut under the player (file-rate sample; -1:
    /// not cut), first since the player last took it.
    cut_at: Arc<std::sync::atomic::AtomicI64>,
    /// The drift correction's speed, ppb ([`NO_TRIM`]: no correction stage).
    trim: Arc<AtomicI64>,
    thread: Option<JoinHandle<()>>,
}

/// [`AudioFeed::set_drift_trim`]'s "no correction".
const NO_TRIM: i64 = i64::MIN;

/// `EARMARK_FAULT_DEVICE_DRIFT_PPM=N` stands in for a sound card whose clock runs N ppm fast
/// (tests of the drift correction on one machine, where every player shares one clock): the
/// programme plays N ppm fast through the correction stage, and the audio clock knows it, as it
/// would from a real device's timestamps. The correction must find and undo it by listening to
/// the host alone.
fn injected_drift_ppb() -> i64 {
    std::env::var("EARMARK_FAULT_DEVICE_DRIFT_PPM")
        .ok()
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map_or(0, |ppm| (ppm * 1000).clamp(-MAX_SPEED_PPB, MAX_SPEED_PPB))
}

/// How much must be queued before a run may start: a scheduling hiccup's worth.
const PRIME_MS: u64 = 80;

impl AudioFeed {
    /// Opens the sound `choice` names in `path` on a new thread (the demuxer stays on the
    /// thread that uses it), folded to stereo as `fold` says. `Ok(None)` when the file has no
    /// sound.
    pub fn open(
        path: &Path,
        shared: Arc<SinkShared>,
        choice: AudioChoice,
        fold: FoldDown,
    ) -> Result<Option<(Self, OpenedSound)>, PlayerError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let primed = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(std::sync::Mutex::new(None));
        let damaged = Arc::new(std::sync::Mutex::new(None));
        let cut_at = Arc::new(std::sync::atomic::AtomicI64::new(-1));
        let trim = Arc::new(AtomicI64::new(NO_TRIM));
        let (p, e, d, c, t) = (
            primed.clone(),
            errors.clone(),
            damaged.clone(),
            cut_at.clone(),
            trim.clone(),
        );
        let file = path.to_path_buf();
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("audio-decode".into())
            .spawn(move || {
                let source = match AudioSource::open_choice(&path, choice) {
                    Ok(s) => s,
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                        return;
                    }
                };
                let downmix = Downmix::new(&source.info().layout, fold);
                let opened = OpenedSound {
                    info: source.info().clone(),
                    start: source.start_timecode(),
                    label: playing_label(&source, &downmix),
                };
                if ready_tx.send(Ok(opened)).is_err() {
                    return;
                }
                let mut worker = Worker {
                    source,
                    shared,
                    primed: p,
                    errors: e,
                    damaged: d,
                    cut_at: c,
                    bad_seen: 0,
                    writer: None,
                    device_rate: 0,
                    conv: Conversion::default(),
                    trim: t,
                    injected_ppb: injected_drift_ppb(),
                    run: None,
                    pending: Vec::new(),
                    pending_at: 0,
                    downmix,
                    stereo: Vec::new(),
                };
                worker.run_loop(rx);
            })
            .map_err(PlayerError::Thread)?;
        match ready_rx.recv() {
            Ok(Ok(opened)) => Ok(Some((
                Self {
                    tx,
                    primed,
                    errors,
                    damaged,
                    path: file,
                    cut_at,
                    trim,
                    thread: Some(thread),
                },
                opened,
            ))),
            Ok(Err(AudioError::NoAudio(_))) => {
                let _ = thread.join();
                Ok(None)
            }
            Ok(Err(err)) => {
                let _ = thread.join();
                Err(err.into())
            }
            Err(_) => {
                let _ = thread.join();
                Err(PlayerError::DecoderStart("audio"))
            }
        }
    }

    /// Where the sound ends because the file was cut while playing (file-rate sample), if it
    /// was found since the last call.
    pub fn take_cut(&self) -> Option<i64> {
        let at = self.cut_at.swap(-1, Ordering::AcqRel);
        (at >= 0).then_some(at)
    }

    /// Where sound resumed after damaged data was skipped, if it was since the last call.
    pub fn take_damage(&self) -> Option<i64> {
        self.damaged.lock().ok().and_then(|mut d| d.take())
    }

    /// Runs the sound `ppb` parts per billion fast from now on (a shared review's drift
    /// correction; clamped to ±0.1 %), or takes the correction stage out at the next start
    /// (`None`). The stage goes in at the next start: changing what the sound passes through
    /// mid-play would be heard.
    pub fn set_drift_trim(&self, ppb: Option<i64>) {
        let v = ppb.map_or(NO_TRIM, |p| p.clamp(-MAX_SPEED_PPB, MAX_SPEED_PPB));
        self.trim.store(v, Ordering::Release);
    }

    pub fn send(&self, cmd: AudioCommand) {
        // The thread only ends when this handle drops; a failed send means it already died,
        // which the error slot reports.
        let _ = self.tx.send(cmd);
    }
}

impl Drop for AudioFeed {
    fn drop(&mut self) {
        let (tx, _) = std::sync::mpsc::channel();
        drop(std::mem::replace(&mut self.tx, tx));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What opening the sound found.
#[derive(Clone, Debug)]
pub struct OpenedSound {
    /// The chosen track's own rate, channels and layout (before the fold to stereo).
    pub info: AudioStreamInfo,
    /// Broadcast WAV timecode, for sound-only files that state one.
    pub start: Option<AudioTimecode>,
    /// What plays, in words: "Track 2 of 3 · 5.1 folded to stereo, Lo/Ro (ITU-R BS.775)".
    pub label: String,
}

/// The status bar's words for what plays.
fn playing_label(source: &AudioSource, downmix: &Downmix) -> String {
    let r = source.tracks();
    let how = if r.is_pair() {
        "split mono as left and right".to_owned()
    } else {
        downmix.words.clone()
    };
    let title = match r.tracks.as_slice() {
        [t] => t
            .title
            .as_deref()
            .map(|t| format!(" ({t})"))
            .unwrap_or_default(),
        _ => String::new(),
    };
    format!("{}{title} · {how}", r.which())
}

/// Frames of silence written per step when a loop runs past the end of the sound.
const SILENCE_PIECE: i64 = 4096;
static SILENCE: [f32; SILENCE_PIECE as usize * 2] = [0.0; SILENCE_PIECE as usize * 2];

struct Run {
    epoch: u64,
    loop_samples: Option<(i64, i64)>,
    /// Jump to this sample once everything pending is in the ring.
    wrap_to: Option<i64>,
    at_end: bool,
    /// The file-rate sample after the last one decoded (where the next chunk starts).
    next: i64,
    /// The sound ended inside a loop whose out point lies past it (a loop to the end of a
    /// picture longer than its sound): silence fills up to the out point, then it wraps.
    silent_to_out: bool,
    /// Samples written since the run's start mark.
    written: usize,
}

struct Worker {
    source: AudioSource,
    shared: Arc<SinkShared>,
    primed: Arc<AtomicU64>,
    errors: Arc<std::sync::Mutex<Option<String>>>,
    damaged: Arc<std::sync::Mutex<Option<i64>>>,
    cut_at: Arc<std::sync::atomic::AtomicI64>,
    /// Packets the decoder had skipped when last looked at.
    bad_seen: u64,
    writer: Option<FeedWriter>,
    device_rate: u32,
    conv: Conversion,
    /// See [`AudioFeed::set_drift_trim`].
    trim: Arc<AtomicI64>,
    /// See [`injected_drift_ppb`].
    injected_ppb: i64,
    run: Option<Run>,
    /// Device-rate samples waiting for room in the ring.
    pending: Vec<f32>,
    pending_at: usize,
    /// The chosen track's layout → the two ears.
    downmix: Downmix,
    /// The current chunk folded to stereo.
    stereo: Vec<f32>,
}

impl Worker {
    fn run_loop(&mut self, rx: Receiver<AudioCommand>) {
        loop {
            let busy = self
                .run
                .as_ref()
                .is_some_and(|r| !r.at_end || self.pending_at < self.pending.len());
            let cmd = if busy {
                match rx.try_recv() {
                    Ok(c) => Some(c),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Disconnected) => return,
                }
            } else {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(c) => Some(c),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            };
            if let Some(cmd) = cmd {
                self.handle(cmd);
                continue;
            }
            if let Err(e) = self.step() {
                self.report(e);
                self.run = None;
            }
        }
    }

    fn report(&self, e: String) {
        if let Ok(mut slot) = self.errors.lock() {
            *slot = Some(e);
        }
    }

    fn handle(&mut self, cmd: AudioCommand) {
        match cmd {
            AudioCommand::Start {
                epoch,
                from_sample,
                loop_samples,
            } => {
                self.pending.clear();
                self.pending_at = 0;
                if let Err(e) = self.source.seek(from_sample) {
                    self.report(e.to_string());
                    self.run = None;
                    return;
                }
                let speed = match self.prepare_conversion() {
                    Ok(speed) => speed,
                    Err(e) => {
                        self.report(e);
                        self.run = None;
                        return;
                    }
                };
                self.shared.source_done.store(false, Ordering::Relaxed);
                let ns = self.sample_ns(from_sample);
                if !self.mark(ns, true, epoch, speed) {
                    self.run = None;
                    return;
                }
                self.run = Some(Run {
                    epoch,
                    loop_samples: loop_samples.filter(|(a, b)| a < b),
                    wrap_to: None,
                    at_end: false,
                    next: from_sample,
                    silent_to_out: false,
                    written: 0,
                });
            }
            AudioCommand::Stop => {
                self.run = None;
                self.pending.clear();
                self.pending_at = 0;
            }
            AudioCommand::NewFeed {
                writer,
                device_rate,
            } => {
                self.writer = Some(writer);
                self.device_rate = device_rate;
                self.run = None;
                self.pending.clear();
                self.pending_at = 0;
                let rate = self.source.info().sample_rate;
                self.conv.rate = if device_rate != rate {
                    match StreamResampler::new(rate, device_rate, 2) {
                        Ok(r) => Some(r),
                        Err(e) => {
                            self.report(e);
                            None
                        }
                    }
                } else {
                    None
                };
            }
        }
    }

    fn sample_ns(&self, sample: i64) -> i64 {
        let rate = self.source.info().sample_rate.max(1) as i128;
        (sample as i128 * 1_000_000_000 / rate) as i64
    }

    /// The speed the drift correction should run at, when it is in.
    fn wanted_speed(&self) -> Option<i64> {
        match self.trim.load(Ordering::Acquire) {
            NO_TRIM if self.injected_ppb == 0 => None,
            NO_TRIM => Some(self.injected_ppb),
            trim => Some((trim + self.injected_ppb).clamp(-MAX_SPEED_PPB, MAX_SPEED_PPB)),
        }
    }

    /// Clears the conversion for a new start, with the drift correction in or out as asked;
    /// returns the speed the sound will run at.
    fn prepare_conversion(&mut self) -> Result<i64, String> {
        match self.wanted_speed() {
            Some(speed) => {
                if self.conv.drift.is_none() {
                    self.conv.drift = Some(Varispeed::new(2)?);
                }
                if let Some(d) = self.conv.drift.as_mut() {
                    d.set_speed(speed)?;
                }
            }
            None => self.conv.drift = None,
        }
        self.conv.reset()?;
        Ok(self.conv.speed_ppb())
    }

    /// A change of the drift correction's speed, made between chunks (`step` calls it only
    /// once everything pending is in the ring): a retime mark where the next sample goes, then
    /// the new speed from that sample on.
    fn follow_trim(&mut self) -> Result<(), String> {
        let (Some(want), Some(drift), Some(writer)) = (
            self.wanted_speed(),
            self.conv.drift.as_mut(),
            self.writer.as_mut(),
        ) else {
            return Ok(());
        };
        if want == drift.speed_ppb() {
            return Ok(());
        }
        if writer.retime(want, self.device_rate) {
            drift.set_speed(want)?;
        }
        Ok(())
    }

    /// Writes a mark, waiting briefly if the mark ring is full.
    fn mark(&mut self, ns: i64, flush: bool, epoch: u64, speed_ppb: i64) -> bool {
        let Some(w) = self.writer.as_mut() else {
            return false;
        };
        for _ in 0..500 {
            if w.mark(ns, flush, epoch, speed_ppb) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        false
    }

    /// One unit of work: push pending audio, or decode the next chunk.
    fn step(&mut self) -> Result<(), String> {
        let Some(writer) = self.writer.as_mut() else {
            self.run = None;
            return Ok(());
        };
        let Some(run) = self.run.as_mut() else {
            return Ok(());
        };
        if self.pending_at < self.pending.len() {
            let n = writer.push(&self.pending[self.pending_at..]);
            self.pending_at += n;
            run.written += n;
            if self.pending_at < self.pending.len() {
                std::thread::sleep(Duration::from_millis(3));
                return Ok(());
            }
        }
        self.pending.clear();
        self.pending_at = 0;
        let prime = (PRIME_MS * self.device_rate as u64 / 1000) as usize * 2;
        if run.written >= prime || run.at_end {
            self.primed.store(run.epoch, Ordering::Release);
        }
        if let Some(to) = run.wrap_to.take() {
            let epoch = run.epoch;
            self.source.seek(to).map_err(|e| e.to_string())?;
            run.next = to;
            run.silent_to_out = false;
            let ns = self.sample_ns(to);
            let speed = self.conv.speed_ppb();
            self.mark(ns, false, epoch, speed);
            return Ok(());
        }
        if run.at_end {
            return Ok(());
        }
        self.follow_trim()?;
        let Some(run) = self.run.as_mut() else {
            return Ok(());
        };
        if run.silent_to_out
            && let Some((a, b)) = run.loop_samples
        {
            // In bounded pieces: a long loop over a silent stretch must not allocate it whole.
            let frames = (b - run.next).clamp(0, SILENCE_PIECE) as usize;
            run.next += frames as i64;
            let silence = &SILENCE[..frames * 2];
            self.conv.push(silence, &mut self.pending)?;
            if run.next >= b {
                run.wrap_to = Some(a);
                self.conv.flush(&mut self.pending)?;
                self.conv.reset()?;
            }
            return Ok(());
        }
        let chunk = self.source.next_chunk().map_err(|e| e.to_string())?;
        let bad = self.source.bad_packets();
        if bad > self.bad_seen {
            self.bad_seen = bad;
            if let Some(c) = &chunk
                && let Ok(mut d) = self.damaged.lock()
            {
                d.get_or_insert(c.start);
            }
        }
        let Some(chunk) = chunk else {
            if let Some((a, b)) = run.loop_samples
                && run.next < b
                && a < b
            {
                // The loop's out point is past the sound (a loop to the picture's end): keep
                // the clock running on silence up to it, so the loop wraps instead of stopping.
                run.silent_to_out = true;
                return Ok(());
            }
            run.at_end = true;
            let (path, was) = (self.source.path(), self.source.file_len());
            if let Some(now) = std::fs::metadata(path)
                .ok()
                .map(|m| m.len())
                .filter(|n| *n < was)
            {
                // Not the end of the sound: another program cut the file under the player.
                let e = format!(
                    "the file was cut short while playing (now {now} of {was} bytes); the \
                     sound stops there: reopen it once it is whole: {}",
                    path.display()
                );
                if let Ok(mut slot) = self.errors.lock() {
                    *slot = Some(e);
                }
                self.cut_at.store(run.next, Ordering::Release);
            }
            self.conv.flush(&mut self.pending)?;
            self.shared.source_done.store(true, Ordering::Relaxed);
            self.primed.store(run.epoch, Ordering::Release);
            return Ok(());
        };
        let mut samples = if self.downmix.is_identity() {
            &chunk.samples[..]
        } else {
            self.stereo.clear();
            self.downmix.apply(&chunk.samples, &mut self.stereo);
            &self.stereo[..]
        };
        let frames = (samples.len() / 2) as i64;
        run.next = chunk.start + frames;
        if let Some((a, b)) = run.loop_samples
            && chunk.start + frames >= b
        {
            let keep = (b - chunk.start).clamp(0, frames) as usize;
            samples = &samples[..keep * 2];
            run.wrap_to = Some(a);
        }
        self.conv.push(samples, &mut self.pending)?;
        if run.wrap_to.is_some() {
            self.conv.flush(&mut self.pending)?;
            self.conv.reset()?;
        }
        Ok(())
    }
}

/// What the decoded sound passes through on its way to the feed: the file→device rate
/// conversion, when the rates differ, then the drift correction, when a shared review asks.
#[derive(Default)]
struct Conversion {
    rate: Option<StreamResampler>,
    drift: Option<Varispeed>,
    /// Between the two stages.
    between: Vec<f32>,
}

impl Conversion {
    fn speed_ppb(&self) -> i64 {
        self.drift.as_ref().map_or(0, Varispeed::speed_ppb)
    }

    fn push(&mut self, samples: &[f32], dst: &mut Vec<f32>) -> Result<(), String> {
        match (self.rate.as_mut(), self.drift.as_mut()) {
            (None, None) => dst.extend_from_slice(samples),
            (Some(r), None) => r.push(samples, dst)?,
            (None, Some(d)) => d.push(samples, dst)?,
            (Some(r), Some(d)) => {
                self.between.clear();
                r.push(samples, &mut self.between)?;
                d.push(&self.between, dst)?;
            }
        }
        Ok(())
    }

    /// Pushes out everything still inside both stages.
    fn flush(&mut self, dst: &mut Vec<f32>) -> Result<(), String> {
        match (self.rate.as_mut(), self.drift.as_mut()) {
            (None, None) => {}
            (Some(r), None) => r.flush(dst)?,
            (None, Some(d)) => d.flush(dst)?,
            (Some(r), Some(d)) => {
                self.between.clear();
                r.flush(&mut self.between)?;
                d.push(&self.between, dst)?;
                d.flush(dst)?;
            }
        }
        Ok(())
    }

    /// Forgets the sound inside (a seek, a loop's wrap).
    fn reset(&mut self) -> Result<(), String> {
        if let Some(r) = self.rate.as_mut() {
            r.reset();
        }
        if let Some(d) = self.drift.as_mut() {
            d.reset()?;
        }
        Ok(())
    }
}
