//! `earmark calibrate --signal ID --play-for S`: one calibration check signal through the real
//! output device, with no file open and no window. For checking a listening set-up from a
//! script, and for the tests that record what the device was sent.
//!
//! It opens the same [`CpalSink`] the player opens, with an empty programme feed, and plays the
//! signal through the same rings and callback code a check started from the window uses — so
//! the monitoring bypass, the gain and the mute are the ones the window's checks get.

use super::error::PlayerError;
use super::signal_deck::SignalDeck;
use crate::audio::output::{CpalSink, SinkShared, device_default_rate, feed, signal_slot};
use crate::audio::{MonitorMode, OutputError};
use crate::headphones::CheckSignal;
use crate::time::monotonic;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Rate used when the device does not say what it runs at.
const FALLBACK_RATE: u32 = 48_000;
/// How long to wait for the device to start taking the signal before giving up.
const START_TIMEOUT: Duration = Duration::from_secs(3);

/// What to play.
#[derive(Clone, Debug)]
pub struct SignalRequest {
    pub signal: CheckSignal,
    /// How long the signal plays at full level, from its first frame at the device, ms.
    pub duration_ms: u64,
    /// Output device name; the default device when `None`.
    pub device: Option<String>,
    /// Run the device at this rate; the device's default when `None`.
    pub device_rate: Option<u32>,
    /// The monitoring mode set (a check signal bypasses it; it is here to prove that).
    pub monitor: MonitorMode,
    pub gain_db: f32,
}

/// What happened.
#[derive(Clone, Debug, Default)]
pub struct SignalReport {
    pub device: String,
    pub device_rate: u32,
    /// Frames that carried the signal (fades included).
    pub signal_frames: u64,
    /// The loop's own level per channel (dBFS RMS over the loop) and sample peak (dBFS).
    pub loop_rms_dbfs: [f64; 2],
    pub loop_peak_dbfs: f64,
    /// Output latency the device reported, ms.
    pub latency_ms: f64,
    /// Non-fatal stream errors (xruns).
    pub stream_warnings: u64,
}

/// Plays `req` and returns once all of it, fade-out included, has been handed to the device
/// and had time to be heard.
pub fn play_signal(req: &SignalRequest) -> Result<SignalReport, PlayerError> {
    let rate = req
        .device_rate
        .or_else(|| device_default_rate(req.device.as_deref()))
        .unwrap_or(FALLBACK_RATE);
    let shared = Arc::new(SinkShared::default());
    shared.set_mode(req.monitor);
    shared.set_gain_db(req.gain_db.clamp(-60.0, 12.0));
    shared.set_signal_mode(MonitorMode::Stereo);
    // No programme: an empty feed the callback is never told to play.
    let (_programme, reader) = feed(64);
    let (tx, rx) = signal_slot();
    let sink = CpalSink::open(
        req.device.as_deref(),
        rate,
        reader,
        shared.clone(),
        None,
        rx,
    )?;
    let mut deck = SignalDeck::new(tx, rate);
    let signal = deck.signal_loop(req.signal)?;
    let frames = signal.frames();
    let loop_rms_dbfs = [signal.rms_dbfs(0, 0..frames), signal.rms_dbfs(1, 0..frames)];
    let loop_peak_dbfs = signal.peak_dbfs();
    drop(signal);
    deck.play(req.signal)?;
    let started = monotonic::now_ns();
    while shared.signal_frames.load(Ordering::Relaxed) == 0 {
        if monotonic::now_ns() - started > START_TIMEOUT.as_nanos() as i64
            || shared.device_lost.load(Ordering::Relaxed)
        {
            return Err(PlayerError::Audio(
                OutputError::SignalNotTaken(sink.device_name.clone()).into(),
            ));
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let until = monotonic::now_ns() + req.duration_ms as i64 * 1_000_000;
    while monotonic::now_ns() < until {
        if shared.device_lost.load(Ordering::Relaxed) {
            return Err(PlayerError::Audio(
                OutputError::Gone(sink.device_name.clone()).into(),
            ));
        }
        deck.collect();
        std::thread::sleep(Duration::from_millis(10));
    }
    deck.stop();
    let stopping = monotonic::now_ns();
    while shared.signal_active.load(Ordering::Relaxed)
        && monotonic::now_ns() - stopping < 1_000_000_000
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    // The fade-out has left the callback; let it get through the device's buffer too.
    let latency_ms = shared.latency_us.load(Ordering::Relaxed) as f64 / 1000.0;
    std::thread::sleep(Duration::from_millis(latency_ms as u64 + 100));
    deck.collect();
    let report = SignalReport {
        device: sink.device_name.clone(),
        device_rate: sink.sample_rate,
        signal_frames: shared.signal_frames.load(Ordering::Relaxed),
        loop_rms_dbfs,
        loop_peak_dbfs,
        latency_ms,
        stream_warnings: shared.stream_warnings.load(Ordering::Relaxed),
    };
    drop(sink);
    Ok(report)
}
