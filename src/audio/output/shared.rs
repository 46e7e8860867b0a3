//! State the audio callback shares with other threads: atomics only, so the callback never locks.

use super::super::monitor::MonitorMode;
use super::clock_anchor::ClockAnchor;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU8, AtomicU32, AtomicU64, Ordering};

/// [`SinkShared::start_at_ns`] when no start instant is set.
pub const NO_START_AT: i64 = i64::MIN;

/// Written by the callback (counters) or read by it (settings); all lock-free.
#[derive(Debug)]
pub struct SinkShared {
    /// The callback plays the feed; when false it sends silence and leaves the feed alone.
    pub playing: AtomicBool,
    /// A start at an instant: the first programme sample is heard at this monotonic ns, with
    /// silence before it ([`NO_START_AT`]: as soon as the feed has sound). A shared review
    /// starts every participant this way, on the same instant.
    pub start_at_ns: AtomicI64,
    /// Where the audio clock stands (see [`ClockAnchor`]).
    pub anchor: ClockAnchor,
    /// When the first programme frame since the last [`SinkShared::reset_first_sound`] reaches
    /// the listener (monotonic ns), or -1.
    pub first_sound_ns: AtomicI64,
    /// Programme frames handed to the device since the stream started.
    pub frames_played: AtomicU64,
    /// Output latency the device last reported (callback → sound), in microseconds.
    pub latency_us: AtomicU64,
    /// Frames the ring could not supply in time (filled with silence).
    pub underrun_frames: AtomicU64,
    /// Monitoring mode, as an index into [`MonitorMode::ALL`].
    mode: AtomicU8,
    /// Output gain in dB, as `f32` bits.
    gain_db_bits: AtomicU32,
    /// The source has delivered everything it will; silence after this is not an underrun.
    pub source_done: AtomicBool,
    /// Output muted.
    pub muted: AtomicBool,
    /// Non-fatal stream errors the device reported (xruns, route changes).
    pub stream_warnings: AtomicU64,
    /// What the last of them was (see [`SinkShared::last_warning`]).
    pub last_warning_code: AtomicU8,
    /// The device reported an error (unplugged, …); playback should pause.
    pub device_lost: AtomicBool,
    /// Frames the live meters missed because their ring was full.
    pub meter_dropped: AtomicU64,
    /// A check signal is playing (or fading) in place of the programme.
    pub signal_active: AtomicBool,
    /// Frames that carried a check signal since the stream started.
    pub signal_frames: AtomicU64,
    /// The listen a check signal plays through (an index into [`MonitorMode::ALL`]): stereo,
    /// except in the Lt/Rt decode check. Separate from `mode`, so the reviewer's monitoring
    /// mode never changes what a check sounds like.
    signal_mode: AtomicU8,
    /// Output balance trim in dB (positive: right louder), as `f32` bits.
    balance_db_bits: AtomicU32,
}

impl Default for SinkShared {
    fn default() -> Self {
        Self {
            playing: AtomicBool::new(false),
            start_at_ns: AtomicI64::new(NO_START_AT),
            anchor: ClockAnchor::default(),
            first_sound_ns: AtomicI64::new(-1),
            frames_played: AtomicU64::new(0),
            latency_us: AtomicU64::new(0),
            underrun_frames: AtomicU64::new(0),
            mode: AtomicU8::new(0),
            gain_db_bits: AtomicU32::new(0),
            source_done: AtomicBool::new(false),
            muted: AtomicBool::new(false),
            stream_warnings: AtomicU64::new(0),
            last_warning_code: AtomicU8::new(0),
            device_lost: AtomicBool::new(false),
            meter_dropped: AtomicU64::new(0),
            signal_active: AtomicBool::new(false),
            signal_frames: AtomicU64::new(0),
            signal_mode: AtomicU8::new(0),
            balance_db_bits: AtomicU32::new(0),
        }
    }
}

impl SinkShared {
    /// Arms the first-sound stamp again (before a play request whose start is measured).
    pub fn reset_first_sound(&self) {
        self.first_sound_ns.store(-1, Ordering::Relaxed);
    }

    /// When the first programme sound was heard, if it has been.
    pub fn first_sound(&self) -> Option<i64> {
        let v = self.first_sound_ns.load(Ordering::Relaxed);
        (v >= 0).then_some(v)
    }

    pub fn set_mode(&self, mode: MonitorMode) {
        let i = MonitorMode::ALL
            .iter()
            .position(|m| *m == mode)
            .unwrap_or(0);
        self.mode.store(i as u8, Ordering::Relaxed);
    }

    pub fn mode(&self) -> MonitorMode {
        MonitorMode::ALL
            .get(self.mode.load(Ordering::Relaxed) as usize)
            .copied()
            .unwrap_or_default()
    }

    /// The last non-fatal device error, in words.
    pub fn last_warning(&self) -> &'static str {
        match self.last_warning_code.load(Ordering::Relaxed) {
            0 => "none",
            1 => "xrun",
            2 => "device changed",
            3 => "realtime priority denied",
            4 => "backend error",
            _ => "other",
        }
    }

    pub fn set_signal_mode(&self, mode: MonitorMode) {
        let i = MonitorMode::ALL
            .iter()
            .position(|m| *m == mode)
            .unwrap_or(0);
        self.signal_mode.store(i as u8, Ordering::Relaxed);
    }

    pub fn signal_mode(&self) -> MonitorMode {
        MonitorMode::ALL
            .get(self.signal_mode.load(Ordering::Relaxed) as usize)
            .copied()
            .unwrap_or_default()
    }

    pub fn set_balance_db(&self, db: f32) {
        self.balance_db_bits.store(db.to_bits(), Ordering::Relaxed);
    }

    pub fn balance_db(&self) -> f32 {
        f32::from_bits(self.balance_db_bits.load(Ordering::Relaxed))
    }

    pub fn set_gain_db(&self, db: f32) {
        self.gain_db_bits.store(db.to_bits(), Ordering::Relaxed);
    }

    pub fn gain_db(&self) -> f32 {
        f32::from_bits(self.gain_db_bits.load(Ordering::Relaxed))
    }
}
