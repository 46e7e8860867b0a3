//! The "audio-decode" thread: decodes from the requested sample, resamples when the device runs
//! at another rate, and writes into the feed the device callback plays from.
//!
//! Each start writes a flush mark first (so whatever was queued from before a seek is never
//! heard), loops write a continue mark at the loop-out sample (the wrap is seamless and exact),
//! and the thread reports through atomics when a run has enough queued to start without a gap
//! (`primed`) — the player only lets the callback play once it has.

use super::error::PlayerError;
use crate::audio::output::{FeedWriter, SinkShared};
use crate::audio::{AudioError, AudioSource, AudioTimecode, StreamResampler};
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
    thread: Option<JoinHandle<()>>,
}

/// How much must be queued before a run may start: a scheduling hiccup's worth.
const PRIME_MS: u64 = 80;

impl AudioFeed {
    /// Opens the audio of `path` on a new thread (the demuxer stays on the thread that uses
    /// it). `Ok(None)` when the file has no sound.
    pub fn open(
        path: &Path,
        shared: Arc<SinkShared>,
    ) -> Result<Option<(Self, AudioStreamInfo, Option<AudioTimecode>)>, PlayerError> {
        let (tx, rx) = std::sync::mpsc::channel();
        let (ready_tx, ready_rx) = std::sync::mpsc::sync_channel(1);
        let primed = Arc::new(AtomicU64::new(0));
        let errors = Arc::new(std::sync::Mutex::new(None));
        let (p, e) = (primed.clone(), errors.clone());
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("audio-decode".into())
            .spawn(move || {
                let source = match AudioSource::open(&path) {
                    Ok(s) => s,
                    Err(err) => {
                        let _ = ready_tx.send(Err(err));
                        return;
                    }
                };
                if ready_tx
                    .send(Ok((source.info().clone(), source.start_timecode())))
                    .is_err()
                {
                    return;
                }
                let mut worker = Worker {
                    source,
                    shared,
                    primed: p,
                    errors: e,
                    writer: None,
                    device_rate: 0,
                    resampler: None,
                    run: None,
                    pending: Vec::new(),
                    pending_at: 0,
                };
                worker.run_loop(rx);
            })
            .map_err(PlayerError::Thread)?;
        match ready_rx.recv() {
            Ok(Ok((info, start))) => Ok(Some((
                Self {
                    tx,
                    primed,
                    errors,
                    thread: Some(thread),
                },
                info,
                start,
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
                Err(PlayerError::Request(
                    "the audio decoder failed to start".into(),
                ))
            }
        }
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

struct Run {
    epoch: u64,
    loop_samples: Option<(i64, i64)>,
    /// Jump to this sample once everything pending is in the ring.
    wrap_to: Option<i64>,
    at_end: bool,
    /// Samples written since the run's start mark.
    written: usize,
}

struct Worker {
    source: AudioSource,
    shared: Arc<SinkShared>,
    primed: Arc<AtomicU64>,
    errors: Arc<std::sync::Mutex<Option<String>>>,
    writer: Option<FeedWriter>,
    device_rate: u32,
    resampler: Option<StreamResampler>,
    run: Option<Run>,
    /// Device-rate samples waiting for room in the ring.
    pending: Vec<f32>,
    pending_at: usize,
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
            let ns = self.sample_ns(to);
            self.mark(ns, false, epoch);
            return Ok(());
        }
        if run.at_end {
            return Ok(());
        }
        let chunk = self.source.next_chunk().map_err(|e| e.to_string())?;
        let Some(chunk) = chunk else {
            run.at_end = true;
            if let Some(r) = self.resampler.as_mut() {
                r.flush(&mut self.pending)?;
            }
            self.shared.source_done.store(true, Ordering::Relaxed);
            self.primed.store(run.epoch, Ordering::Release);
            return Ok(());
        };
        let mut samples = &chunk.samples[..];
        if let Some((a, b)) = run.loop_samples {
            let frames = (samples.len() / 2) as i64;
            if chunk.start + frames >= b {
                let keep = (b - chunk.start).clamp(0, frames) as usize;
                samples = &samples[..keep * 2];
                run.wrap_to = Some(a);
            }
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
