//! The output device, through cpal. The only file that imports cpal.
//!
//! The stream runs for as long as the file is open, playing silence while paused: starting and
//! stopping a device stream costs tens of milliseconds and, on PulseAudio, the start of a new
//! stream can be swallowed. The callback takes interleaved stereo f32 from the [`FeedReader`],
//! fills any shortfall with silence (counting it), runs the [`Monitor`], and publishes the
//! audio clock's anchor. It never allocates, locks, logs or panics: settings arrive through
//! atomics in [`SinkShared`].
//!
//! While a calibration check signal plays (from the [`SignalSlot`]), the callback plays it in
//! place of the programme: the feed is left alone (the programme clock does not move), the
//! meters' tap is not fed (the meters describe the programme, not a test noise), and the
//! monitoring mode is held at stereo — a check tests the physical chain, and a swap or mono
//! listen must not fake its result; only the Lt/Rt decode check asks for a decode listen, through
//! its own setting — while output gain, mute and the balance trim still apply, since the level
//! check is about the reviewer's real gain.

use super::super::error::{AudioError, OutputError};
use super::super::monitor::Monitor;
use super::balance::Balance;
use super::clock_anchor::Anchor;
use super::feed::{FeedReader, frames_to_ns};
use super::shared::{NO_START_AT, SinkShared};
use super::signal_slot::SignalSlot;
use super::start_at::{late_frames, lead_frames};
use crate::time::monotonic;
use cpal::traits::{DeviceTrait as _, HostTrait as _, StreamTrait as _};
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// An output device as shown to the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputDevice {
    pub name: String,
    pub is_default: bool,
    /// The rate the device runs at by default (0 if it would not say).
    pub default_rate: u32,
    /// What the host says of it, where it does: maker, connection (`built-in`, `usb`,
    /// `bluetooth`, `pci`, `hdmi`, `other`) and kind (`headphones`, `headset`, `speaker`,
    /// `other`) — the words headphone recognition reads.
    pub manufacturer: Option<String>,
    pub interface: Option<&'static str>,
    pub form_factor: Option<&'static str>,
}

fn interface_id(t: cpal::InterfaceType) -> Option<&'static str> {
    use cpal::InterfaceType as I;
    Some(match t {
        I::BuiltIn => "built-in",
        I::Usb => "usb",
        I::Bluetooth => "bluetooth",
        I::Pci => "pci",
        I::Hdmi | I::DisplayPort => "hdmi",
        I::Unknown => return None,
        _ => "other",
    })
}

fn form_factor_id(t: cpal::DeviceType) -> Option<&'static str> {
    use cpal::DeviceType as D;
    Some(match t {
        D::Headphones => "headphones",
        D::Headset => "headset",
        D::Speaker => "speaker",
        D::Unknown => return None,
        _ => "other",
    })
}

/// The callback's programme part: fills `out` from the feed (its first frame heard at
/// `heard_at` ns), publishes where the clock stands, copies to the meters and counts underruns.
/// Lock-free and allocation-free, like the callback it runs in.
fn play_feed(
    feed: &mut FeedReader,
    out: &mut [f32],
    sample_rate: u32,
    heard_at: i64,
    shared: &SinkShared,
    meter_tap: Option<&mut rtrb::Producer<f32>>,
) {
    let filled = feed.fill(out, sample_rate);
    if let Some(pos_ns) = filled.first_ns {
        shared.anchor.publish(Anchor {
            epoch: filled.epoch,
            pos_ns,
            heard_at_ns: heard_at,
            segment_start_ns: filled.segment_start_ns,
            segment: filled.segment,
        });
        if shared.first_sound_ns.load(Ordering::Relaxed) < 0 {
            shared.first_sound_ns.store(heard_at, Ordering::Relaxed);
        }
    }
    if let Some(tap) = meter_tap {
        let n = filled.frames * 2;
        let room = tap.slots().min(n);
        if let Ok(chunk) = tap.write_chunk_uninit(room) {
            chunk.fill_from_iter(out[..room].iter().copied());
        }
        if room < n {
            shared
                .meter_dropped
                .fetch_add((n - room) as u64 / 2, Ordering::Relaxed);
        }
    }
    let short = out.len() / 2 - filled.frames;
    if short > 0 && !shared.source_done.load(Ordering::Relaxed) {
        shared
            .underrun_frames
            .fetch_add(short as u64, Ordering::Relaxed);
    }
    shared
        .frames_played
        .fetch_add(filled.frames as u64, Ordering::Relaxed);
}

/// The output devices of the default host.
pub fn list_devices() -> Vec<OutputDevice> {
    with_host(list_on)
}

fn list_on(host: &cpal::Host) -> Vec<OutputDevice> {
    let default = host
        .default_output_device()
        .and_then(|d| d.description().ok())
        .map(|d| d.name().to_owned());
    host.output_devices()
        .map(|devs| {
            devs.filter_map(|d| {
                let description = d.description().ok()?;
                let name = description.name().to_owned();
                let default_rate = d
                    .default_output_config()
                    .map(|c| c.sample_rate())
                    .unwrap_or(0);
                Some(OutputDevice {
                    is_default: Some(&name) == default.as_ref(),
                    name,
                    default_rate,
                    manufacturer: description.manufacturer().map(str::to_owned),
                    interface: interface_id(description.interface_type()),
                    form_factor: form_factor_id(description.device_type()),
                })
            })
            .collect()
        })
        .unwrap_or_default()
}

/// The name of the system's default output, if there is one.
pub fn default_device_name() -> Option<String> {
    find_device(None)?
        .description()
        .ok()
        .map(|d| d.name().to_owned())
}

/// Whether a device named `name` is connected now.
pub fn device_exists(name: &str) -> bool {
    find_device(Some(name)).is_some()
}

/// Whether a device looks like a Bluetooth output: those add 100–300 ms of latency and use a
/// lossy codec, so a review on them is not a faithful one.
pub fn is_bluetooth(name: &str) -> bool {
    let n = name.to_lowercase();
    ["bluetooth", "bluez", "airpods", "a2dp", "bt "]
        .iter()
        .any(|k| n.contains(k))
}

/// The rate `device` (by name; the default when `None`) runs at by default, if it says.
pub fn device_default_rate(device: Option<&str>) -> Option<u32> {
    find_device(device)?
        .default_output_config()
        .ok()
        .map(|c| c.sample_rate())
}

thread_local! {
    /// One host per thread, kept: on PulseAudio each host is a connection to the server, and
    /// one made afresh for every look at the device list (the device watch looks every second)
    /// leaves some behind: after a few minutes the server's 64 connections were used up and it
    /// refused the next look, which read as the device being unplugged.
    static HOST: RefCell<(cpal::Host, Option<Instant>)> =
        RefCell::new((cpal::default_host(), None));
}

/// A fresh host is tried at most this often when the kept one does not find a device (the sound
/// server may have restarted, leaving the kept connection dead).
const FRESH_HOST_EVERY: Duration = Duration::from_secs(10);

/// `f` on this thread's kept host.
fn with_host<T>(f: impl FnOnce(&cpal::Host) -> T) -> T {
    HOST.with(|h| f(&h.borrow().0))
}

fn find_device(device: Option<&str>) -> Option<cpal::Device> {
    HOST.with(|cell| {
        let mut kept = cell.borrow_mut();
        if let Some(d) = find_on(&kept.0, device) {
            return Some(d);
        }
        if kept.1.is_some_and(|t| t.elapsed() < FRESH_HOST_EVERY) {
            return None;
        }
        kept.1 = Some(Instant::now());
        let fresh = cpal::default_host();
        let found = find_on(&fresh, device);
        if found.is_some() {
            kept.0 = fresh;
        }
        found
    })
}

fn find_on(host: &cpal::Host, device: Option<&str>) -> Option<cpal::Device> {
    match device {
        None => host.default_output_device(),
        Some(name) => host
            .output_devices()
            .ok()?
            .find(|d| d.description().map(|x| x.name() == name).unwrap_or(false)),
    }
}

/// Callback periods of 50 ms where the device allows (PulseAudio: a 100 ms buffer, so the sound
/// follows a seek or a monitor switch within a tenth of a second, and a shared 2-core machine
/// that stalls for a few tens of ms does not run the server dry — 10 ms periods did once a
/// minute, 25 ms periods once or twice in a 60 s play); the device's choice otherwise. Left to
/// itself PulseAudio buffers two seconds. The clock follows the device's reported latency, so
/// the buffer's length costs nothing in sync.
fn buffer_size(dev: &cpal::Device, rate: u32) -> cpal::BufferSize {
    let want = (rate / 20).max(64);
    match dev.default_output_config().map(|c| *c.buffer_size()) {
        Ok(cpal::SupportedBufferSize::Range { min, max }) if (min..=max).contains(&want) => {
            cpal::BufferSize::Fixed(want)
        }
        _ => cpal::BufferSize::Default,
    }
}

/// A running output stream.
pub struct CpalSink {
    _stream: cpal::Stream,
    /// Rate the device runs at.
    pub sample_rate: u32,
    /// Device name.
    pub device_name: String,
    pub shared: Arc<SinkShared>,
}

impl CpalSink {
    /// Opens `device` (by name; the default when `None`) for stereo f32 at `sample_rate`, reading
    /// from `feed` whenever `shared.playing` is set. What is played (the programme, before
    /// monitoring and gain) is also copied into `meter_tap` when given; when the meters fall
    /// behind, the copy is dropped (counted in `shared.meter_dropped`), never waited for.
    /// Check signals arrive through `signals` and play instead of the feed (see the module
    /// notes).
    pub fn open(
        device: Option<&str>,
        sample_rate: u32,
        mut feed: FeedReader,
        shared: Arc<SinkShared>,
        mut meter_tap: Option<rtrb::Producer<f32>>,
        mut signals: SignalSlot,
    ) -> Result<Self, AudioError> {
        let dev =
            find_device(device).ok_or_else(|| OutputError::NoDevice(device.map(str::to_owned)))?;
        let device_name = dev
            .description()
            .map(|d| d.name().to_owned())
            .unwrap_or_else(|_| "unknown device".into());
        let config = cpal::StreamConfig {
            channels: 2,
            sample_rate,
            buffer_size: buffer_size(&dev, sample_rate),
        };
        let mut monitor = Monitor::new(sample_rate);
        monotonic::now_ns(); // fixes the time origin outside the callback
        let cb_shared = shared.clone();
        let err_shared = shared.clone();
        let (mut mode, mut gain, mut muted) = (monitor.mode(), monitor.gain_db(), monitor.muted());
        // The monitor's ramp length: a signal waits this long in silence when its start switches
        // the mode, so none of it passes through the old mode.
        let ramp_frames = (sample_rate / 1000 * crate::audio::RAMP_MS) as usize;
        let mut balance = Balance::new(ramp_frames as u32);
        let mut signal_was_on = false;
        let stream = dev
            .build_output_stream(
                config,
                move |data: &mut [f32], info: &cpal::OutputCallbackInfo| {
                    let now = monotonic::now_ns();
                    let ts = info.timestamp();
                    let latency = ts.playback.saturating_duration_since(ts.callback);
                    cb_shared
                        .latency_us
                        .store(latency.as_micros() as u64, Ordering::Relaxed);
                    signals.poll();
                    let signal_on = signals.is_active();
                    cb_shared.signal_active.store(signal_on, Ordering::Relaxed);
                    let want_mode = if signal_on {
                        cb_shared.signal_mode()
                    } else {
                        cb_shared.mode()
                    };
                    let want_gain = cb_shared.gain_db();
                    let want_muted = cb_shared.muted.load(Ordering::Relaxed);
                    if want_mode != mode {
                        mode = want_mode;
                        monitor.set_mode(mode);
                        // Only at a signal's start: later switches (a decode listen in the Lt/Rt
                        // check) ramp over the signal itself, which is click-free.
                        if signal_on && !signal_was_on {
                            signals.delay_start(ramp_frames);
                        }
                    }
                    if want_gain != gain {
                        gain = want_gain;
                        monitor.set_gain_db(gain);
                    }
                    if want_muted != muted {
                        muted = want_muted;
                        monitor.set_muted(muted);
                    }
                    if signal_on {
                        feed.settle();
                        let live = signals.fill(data);
                        cb_shared
                            .signal_frames
                            .fetch_add(live as u64, Ordering::Relaxed);
                    } else if cb_shared.playing.load(Ordering::Acquire) {
                        let heard_at = now + latency.as_nanos() as i64;
                        let start_at = cb_shared.start_at_ns.load(Ordering::Acquire);
                        let lead = if start_at == NO_START_AT {
                            Some(0)
                        } else {
                            lead_frames(start_at, heard_at, sample_rate, data.len() / 2)
                        };
                        match lead {
                            // Before the start instant: silence, and the feed keeps its sound.
                            None => data.fill(0.0),
                            Some(lead) => {
                                if start_at != NO_START_AT {
                                    let _ = cb_shared.start_at_ns.compare_exchange(
                                        start_at,
                                        NO_START_AT,
                                        Ordering::AcqRel,
                                        Ordering::Relaxed,
                                    );
                                }
                                if start_at != NO_START_AT && start_at < heard_at {
                                    // Started late (the machine was busy): begin where the
                                    // programme is by now, so it is still heard on time.
                                    let late = late_frames(start_at, heard_at, sample_rate);
                                    feed.pass_over(late);
                                }
                                let (quiet, sound) = data.split_at_mut(lead * 2);
                                quiet.fill(0.0);
                                let heard_at = heard_at + frames_to_ns(lead as u64, sample_rate);
                                play_feed(
                                    &mut feed,
                                    sound,
                                    sample_rate,
                                    heard_at,
                                    &cb_shared,
                                    meter_tap.as_mut(),
                                );
                            }
                        }
                    } else {
                        feed.settle();
                        data.fill(0.0);
                    }
                    monitor.process(data);
                    signal_was_on = signal_on;
                    balance.set_db(cb_shared.balance_db());
                    balance.process(data);
                },
                move |err: cpal::Error| {
                    // Xruns and route changes are survivable; a vanished device is not.
                    let lost = matches!(
                        err.kind(),
                        cpal::ErrorKind::DeviceNotAvailable | cpal::ErrorKind::StreamInvalidated
                    );
                    if lost {
                        err_shared.device_lost.store(true, Ordering::Relaxed);
                    } else {
                        let code = match err.kind() {
                            cpal::ErrorKind::Xrun => 1,
                            cpal::ErrorKind::DeviceChanged => 2,
                            cpal::ErrorKind::RealtimeDenied => 3,
                            cpal::ErrorKind::BackendError => 4,
                            _ => 5,
                        };
                        err_shared.last_warning_code.store(code, Ordering::Relaxed);
                        err_shared.stream_warnings.fetch_add(1, Ordering::Relaxed);
                    }
                },
                None,
            )
            .map_err(|e| OutputError::Stream {
                device: device_name.clone(),
                source: Box::new(e),
            })?;
        stream.play().map_err(|e| OutputError::Stream {
            device: device_name.clone(),
            source: Box::new(e),
        })?;
        Ok(Self {
            _stream: stream,
            sample_rate,
            device_name,
            shared,
        })
    }
}
