//! The "meters" thread: meters what the device is playing and hands the live panel a fresh
//! [`MeterSnapshot`] about 30 times a second.
//!
//! The audio callback copies each period it plays into an `rtrb` ring (the programme before
//! monitoring and gain, so the readings describe the mix, not the listening setup). This thread
//! drains the ring into the R128 meter, the phase meter and the spectrum analyser, and publishes
//! through a triple buffer: the UI reads the newest complete snapshot without ever waiting, and
//! the callback never waits for anyone. Integrated loudness and the maxima run from the file's
//! open (or the last reset) over everything played.

use crate::meters::{LoudnessMeter, MeterSnapshot, PhaseMeter, SpectrumAnalyzer, SpeechDetector};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The UI's end: read the newest snapshot with `read()`.
pub type MeterOutput = triple_buffer::Output<MeterSnapshot>;

/// Ring length between the callback and the meters.
const RING_MS: u32 = 500;
/// Snapshot interval.
const PUBLISH_EVERY: Duration = Duration::from_millis(33);
/// Bar fall-back, dB per second (IEC type-I PPM-like return).
const FALLBACK_DB_PER_S: f64 = 20.0;
/// How long the level hold lines stay.
const HOLD: Duration = Duration::from_secs(2);

enum Msg {
    /// The sink was (re)opened: meter this ring, at this rate.
    Tap(rtrb::Consumer<f32>, u32),
}

/// Handle to the meters thread.
pub struct MeterFeed {
    tx: Sender<Msg>,
    reset: Arc<AtomicBool>,
    quit: Arc<AtomicBool>,
    output: Mutex<Option<MeterOutput>>,
    thread: Option<JoinHandle<()>>,
}

impl MeterFeed {
    pub fn spawn() -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        let (input, output) = triple_buffer::triple_buffer(&MeterSnapshot::default());
        let reset = Arc::new(AtomicBool::new(false));
        let quit = Arc::new(AtomicBool::new(false));
        let (r, q) = (reset.clone(), quit.clone());
        let thread = std::thread::Builder::new()
            .name("meters".into())
            .spawn(move || run(rx, input, r, q))?;
        Ok(Self {
            tx,
            reset,
            quit,
            output: Mutex::new(Some(output)),
            thread: Some(thread),
        })
    }

    /// A new tap for a sink opened at `rate`: the producer goes to the callback.
    pub fn tap(&self, rate: u32) -> rtrb::Producer<f32> {
        let (p, c) = rtrb::RingBuffer::new((rate * RING_MS / 1000) as usize * 2);
        let _ = self.tx.send(Msg::Tap(c, rate));
        p
    }

    /// Starts integrated loudness, maxima and peaks again.
    pub fn reset(&self) {
        self.reset.store(true, Ordering::Relaxed);
    }

    /// The snapshot reader; there is one, for whoever draws the meters.
    pub fn take_output(&self) -> Option<MeterOutput> {
        self.output.lock().ok()?.take()
    }
}

impl Drop for MeterFeed {
    fn drop(&mut self) {
        self.quit.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Meters {
    rate: u32,
    loudness: LoudnessMeter,
    phase: PhaseMeter,
    spectrum: SpectrumAnalyzer,
    /// Bar level (dBFS) and its hold with when it was set.
    level: [f64; 2],
    hold: [(f64, Instant); 2],
    pending_peak: [f32; 2],
    seconds: f64,
    /// The dialogue estimate's voice detector, live: one flag per 10 ms, the last second kept.
    speech: SpeechDetector,
    flags: Vec<bool>,
    recent: [bool; SPEECH_WINDOW],
    recent_at: usize,
}

/// Sub-blocks (10 ms) the live speech flag looks back over.
const SPEECH_WINDOW: usize = 100;

impl Meters {
    fn new(rate: u32) -> Self {
        let now = Instant::now();
        Self {
            rate,
            loudness: LoudnessMeter::new(rate, 2),
            phase: PhaseMeter::new(rate),
            spectrum: SpectrumAnalyzer::new(rate),
            level: [f64::NEG_INFINITY; 2],
            hold: [(f64::NEG_INFINITY, now); 2],
            pending_peak: [0.0; 2],
            seconds: 0.0,
            speech: SpeechDetector::new(rate),
            flags: Vec::with_capacity(64),
            recent: [false; SPEECH_WINDOW],
            recent_at: 0,
        }
    }

    fn push(&mut self, samples: &[f32]) {
        self.loudness.push(samples);
        self.phase.push(samples);
        self.spectrum.push(samples);
        self.flags.clear();
        self.speech.push(samples, &mut self.flags);
        for &f in &self.flags {
            self.recent[self.recent_at] = f;
            self.recent_at = (self.recent_at + 1) % SPEECH_WINDOW;
        }
        for f in samples.chunks_exact(2) {
            self.pending_peak[0] = self.pending_peak[0].max(f[0].abs());
            self.pending_peak[1] = self.pending_peak[1].max(f[1].abs());
        }
        self.seconds += (samples.len() / 2) as f64 / self.rate as f64;
    }

    /// Bars fall back at a fixed rate and jump up to new peaks; holds last two seconds.
    fn update_bars(&mut self, dt: f64, now: Instant) {
        for c in 0..2 {
            let peak = crate::meters::db(self.pending_peak[c]);
            let fallen = self.level[c] - FALLBACK_DB_PER_S * dt;
            self.level[c] = peak.max(fallen).max(-120.0);
            if self.level[c] <= -120.0 {
                self.level[c] = f64::NEG_INFINITY;
            }
            if peak >= self.hold[c].0 || now.duration_since(self.hold[c].1) > HOLD {
                self.hold[c] = (peak, now);
            }
            self.pending_peak[c] = 0.0;
        }
    }

    fn fill(&mut self, s: &mut MeterSnapshot) {
        let r = self.loudness.readings();
        s.seconds = self.seconds;
        s.momentary = r.momentary();
        s.short_term = r.short_term();
        s.integrated = r.integrated();
        s.loudness_range = r.loudness_range();
        s.max_momentary = r.max_momentary();
        s.max_short_term = r.max_short_term();
        let tp = r.true_peak_dbtp();
        s.true_peak = [tp[0], tp[1]];
        s.level = self.level;
        s.level_hold = [self.hold[0].0, self.hold[1].0];
        s.correlation = self.phase.correlation();
        s.speech = self.recent.iter().filter(|&&f| f).count() * 3 >= SPEECH_WINDOW;
        self.phase.goniometer(&mut s.goniometer);
        self.spectrum
            .compute(&mut s.spectrum_hz, &mut s.spectrum_db);
    }

    fn reset(&mut self) {
        *self = Self::new(self.rate);
    }
}

fn run(
    rx: Receiver<Msg>,
    mut out: triple_buffer::Input<MeterSnapshot>,
    reset: Arc<AtomicBool>,
    quit: Arc<AtomicBool>,
) {
    let mut tap: Option<rtrb::Consumer<f32>> = None;
    let mut meters: Option<Meters> = None;
    let mut scratch = vec![0f32; 48_000];
    let mut last_publish = Instant::now();
    let mut dirty = false;
    while !quit.load(Ordering::Relaxed) {
        match rx.try_recv() {
            Ok(Msg::Tap(c, rate)) => {
                tap = Some(c);
                // A new device rate needs new filters; the readings start over with it.
                if meters.as_ref().is_none_or(|m| m.rate != rate) {
                    meters = Some(Meters::new(rate));
                    dirty = true;
                }
            }
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {}
        }
        if reset.swap(false, Ordering::Relaxed)
            && let Some(m) = meters.as_mut()
        {
            m.reset();
            dirty = true;
        }
        let mut got = 0;
        if let (Some(c), Some(m)) = (tap.as_mut(), meters.as_mut()) {
            loop {
                let n = c.slots().min(scratch.len()) & !1;
                if n == 0 {
                    break;
                }
                let Ok(chunk) = c.read_chunk(n) else { break };
                let (a, b) = chunk.as_slices();
                scratch[..a.len()].copy_from_slice(a);
                scratch[a.len()..a.len() + b.len()].copy_from_slice(b);
                chunk.commit_all();
                m.push(&scratch[..n]);
                got += n;
            }
        }
        dirty |= got > 0;
        let now = Instant::now();
        let dt = now.duration_since(last_publish);
        if dirty && dt >= PUBLISH_EVERY {
            if let Some(m) = meters.as_mut() {
                m.update_bars(dt.as_secs_f64(), now);
                m.fill(out.input_buffer_mut());
                out.publish();
            }
            last_publish = now;
            // Bars keep falling back for a moment after the sound stops.
            dirty = got > 0
                || meters
                    .as_ref()
                    .is_some_and(|m| m.level.iter().any(|l| l.is_finite()));
        }
        std::thread::sleep(if got > 0 || dirty {
            Duration::from_millis(10)
        } else {
            Duration::from_millis(50)
        });
    }
}
