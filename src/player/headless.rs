//! Plays a stretch of a file's sound through the real output device with no window, then
//! returns. For checking a listening set-up from a script, and for the tests that record what
//! the device really played.
//!
//! Threads: "audio-decode" decodes and trims to the exact start sample and pushes into an `rtrb`
//! ring (parking briefly when it is full); the device callback drains it. The caller's thread
//! waits until the device has played every requested sample, plus the ring's depth.

use crate::audio::output::{CpalSink, SinkShared, device_default_rate};
use crate::audio::{AudioDecoder, AudioError, MonitorMode, StreamResampler};
use crate::media::Container;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What to play.
#[derive(Clone, Debug)]
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
}

/// What happened.
#[derive(Clone, Debug)]
pub struct PlayReport {
    pub device: String,
    /// The file's rate.
    pub sample_rate: u32,
    /// The rate the device ran at (differs from `sample_rate` when resampled).
    pub device_rate: u32,
    /// First sample played, on the file's audio timeline.
    pub start_sample: i64,
    pub frames_played: u64,
    pub underrun_frames: u64,
    /// Non-fatal stream errors the device reported (xruns).
    pub stream_warnings: u64,
    /// The last of those warnings, in words.
    pub last_warning: &'static str,
}

/// Ring depth: enough to ride out scheduling hiccups, short enough to keep latency low.
const RING_MS: u64 = 200;

/// Plays `req` and returns once the device has played it.
pub fn play_headless(req: &PlayRequest) -> Result<PlayReport, AudioError> {
    let container = Container::open(&req.file)?;
    let start_frame = match &req.from {
        None => 0,
        Some(text) => {
            let tc = container
                .timecode
                .parse(text)
                .map_err(|e| AudioError::Request(e.to_string()))?;
            container.frame_of_timecode(tc)?
        }
    };
    let mut decoder = AudioDecoder::open(&req.file)?;
    let info = decoder.info().clone();
    if info.channels != 2 {
        return Err(AudioError::Request(format!(
            "{} channels; Earmark reviews 2.0 mixes",
            info.channels
        )));
    }
    let rate = info.sample_rate;
    // The picture rate decides where frame N starts on the audio timeline.
    let fps = container.index.rate.0;
    drop(container);
    let start_sample =
        (start_frame as i128 * rate as i128 * fps.den as i128 / fps.num as i128) as i64;
    let total = req.duration_ms * rate as u64 / 1000;
    decoder.seek(start_sample)?;
    let device_rate = req
        .device_rate
        .or_else(|| device_default_rate(req.device.as_deref()))
        .unwrap_or(rate);
    let mut resampler = if device_rate != rate {
        Some(StreamResampler::new(rate, device_rate, 2).map_err(AudioError::Request)?)
    } else {
        None
    };
    let device_total = total * device_rate as u64 / rate as u64;

    let capacity = (RING_MS * device_rate as u64 / 1000) as usize * 2;
    let (mut producer, consumer) = rtrb::RingBuffer::<f32>::new(capacity);
    let shared = Arc::new(SinkShared::default());
    shared.set_mode(req.monitor);
    let stop = Arc::new(AtomicBool::new(false));
    let stop_decoder = stop.clone();
    let feeder_shared = shared.clone();
    let feeder = std::thread::Builder::new()
        .name("audio-decode".into())
        .spawn(move || -> Result<(), AudioError> {
            // Writes all of `samples` into the ring, parking while it is full; false if stopped.
            let mut push_all = |mut samples: &[f32]| -> bool {
                while !samples.is_empty() {
                    if stop_decoder.load(Ordering::Relaxed) {
                        return false;
                    }
                    let n = producer.slots().min(samples.len());
                    if n == 0 {
                        std::thread::sleep(Duration::from_millis(2));
                        continue;
                    }
                    let written = match producer.write_chunk_uninit(n) {
                        Ok(w) => w.fill_from_iter(samples[..n].iter().copied()),
                        Err(_) => 0,
                    };
                    samples = &samples[written..];
                }
                true
            };
            let mut to_decode = total as usize * 2;
            let mut converted = Vec::new();
            while to_decode > 0 {
                let Some(chunk) = decoder.next_chunk()? else {
                    break;
                };
                let decoded = &chunk.samples[..chunk.samples.len().min(to_decode)];
                to_decode -= decoded.len();
                let out = match resampler.as_mut() {
                    Some(r) => {
                        converted.clear();
                        r.push(decoded, &mut converted)
                            .map_err(AudioError::Request)?;
                        &converted[..]
                    }
                    None => decoded,
                };
                if !push_all(out) {
                    return Ok(());
                }
            }
            if let Some(r) = resampler.as_mut() {
                converted.clear();
                r.flush(&mut converted).map_err(AudioError::Request)?;
                push_all(&converted);
            }
            feeder_shared.source_done.store(true, Ordering::Relaxed);
            Ok(())
        })
        .map_err(|e| AudioError::Output(format!("could not start the decode thread: {e}")))?;

    // Let the ring fill before the device starts pulling, so playback starts without a gap.
    let fill_deadline = Instant::now() + Duration::from_millis(500);
    while Instant::now() < fill_deadline && !feeder.is_finished() {
        std::thread::sleep(Duration::from_millis(5));
        if consumer.slots() >= capacity / 2 {
            break;
        }
    }
    let sink = CpalSink::open(req.device.as_deref(), device_rate, consumer, shared.clone())?;
    // Everything requested, plus the ring's depth, must have reached the device; then wait out
    // the device's own latency so the tail is heard, not cut.
    let target = device_total + RING_MS * device_rate as u64 / 1000;
    let deadline = Instant::now() + Duration::from_millis(req.duration_ms + 5000);
    while shared.frames_played.load(Ordering::Relaxed) < target && Instant::now() < deadline {
        if shared.device_lost.load(Ordering::Relaxed) {
            stop.store(true, Ordering::Relaxed);
            return Err(AudioError::Output(format!(
                "{} stopped working",
                sink.device_name
            )));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let latency_us = shared.latency_us.load(Ordering::Relaxed).min(2_000_000);
    std::thread::sleep(Duration::from_micros(latency_us) + Duration::from_millis(20));
    stop.store(true, Ordering::Relaxed);
    match feeder.join() {
        Ok(result) => result?,
        Err(_) => return Err(AudioError::Output("the decode thread failed".into())),
    }
    Ok(PlayReport {
        device: sink.device_name.clone(),
        sample_rate: rate,
        device_rate,
        start_sample,
        frames_played: shared.frames_played.load(Ordering::Relaxed),
        underrun_frames: shared.underrun_frames.load(Ordering::Relaxed),
        stream_warnings: shared.stream_warnings.load(Ordering::Relaxed),
        last_warning: shared.last_warning(),
    })
}
