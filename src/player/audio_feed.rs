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

use super::error::PlayerError;
use crate::audio::output::{FeedWriter, SinkShared};
use crate::audio::{
    AudioChoice, AudioError, AudioSource, AudioTimecode, Downmix, FoldDown, StreamResampler,
};
use crate::media::AudioStreamInfo;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
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
    thread: Option<JoinHandle<()>>,
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
        let (p, e, d, c) = (
            primed.clone(),
            errors.clone(),
            damaged.clone(),
            cut_at.clone(),
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
                    resampler: None,
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
    resampler: Option<StreamResampler>,
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
                if let Some(r) = self.resampler.as_mut() {
                    r.reset();
                }
                self.shared.source_done.store(false, Ordering::Relaxed);
                let ns = self.sample_ns(from_sample);
                if !self.mark(ns, true, epoch) {
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
                self.resampler = if device_rate != rate {
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

    /// Writes a mark, waiting briefly if the mark ring is full.
    fn mark(&mut self, ns: i64, flush: bool, epoch: u64) -> bool {
        let Some(w) = self.writer.as_mut() else {
            return false;
        };
        for _ in 0..500 {
            if w.mark(ns, flush, epoch) {
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
            self.mark(ns, false, epoch);
            return Ok(());
        }
        if run.at_end {
            return Ok(());
        }
        if run.silent_to_out
            && let Some((a, b)) = run.loop_samples
        {
            // In bounded pieces: a long loop over a silent stretch must not allocate it whole.
            let frames = (b - run.next).clamp(0, SILENCE_PIECE) as usize;
            run.next += frames as i64;
            let silence = &SILENCE[..frames * 2];
            match self.resampler.as_mut() {
                Some(r) => r.push(silence, &mut self.pending)?,
                None => self.pending.extend_from_slice(silence),
            }
            if run.next >= b {
                run.wrap_to = Some(a);
                if let Some(r) = self.resampler.as_mut() {
                    r.flush(&mut self.pending)?;
                    r.reset();
                }
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
            if let Some(r) = self.resampler.as_mut() {
                r.flush(&mut self.pending)?;
            }
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
        match self.resampler.as_mut() {
            Some(r) => {
                r.push(samples, &mut self.pending)?;
                if run.wrap_to.is_some() {
                    r.flush(&mut self.pending)?;
                    r.reset();
                }
            }
            None => self.pending.extend_from_slice(samples),
        }
        Ok(())
    }
}
