//! The signals the calibration checks play: which ear is which, relative polarity, balance, the
//! reference level and the Lt/Rt decode states. Each check is only as good as its signal, so every
//! signal here is built to a stated level, channel and polarity and tested for all three.
//!
//! A signal is a [`SignalLoop`]: a fixed stretch of interleaved stereo `f32` that repeats without
//! a seam, made once off the audio thread at the output's sample rate. The output's
//! [`SignalStream`](crate::audio::output::SignalStream) (through [`StereoLoop`]) then plays it block by block with a
//! 10 ms raised-cosine fade in and out, so starting, stopping and switching checks never click.
//! Level promises hold over the loop itself, not over the fades.
//!
//! Level conventions (the 3 dB trap loudness.md warns about):
//!
//! * **dBFS RMS** here is `20·log10(RMS)` with full scale = 1.0, what FFmpeg's `astats` reports.
//!   A full-scale sine reads −3.01 on this scale; an AES17 (sine-referenced) meter reads this
//!   signal 3.01 dB higher. It is the convention under which loudness.md §5.1 measured "LUFS ≈
//!   dBFS RMS" for noise, and under which the mixing-room "−20 dBFS RMS pink noise" maps to the
//!   `G_ear` references in `listening_level`.
//! * **Sine levels** are sample peak in dBFS, as in EBU Tech 3341's test cases.
//! * **LUFS** figures for a noise are the loudness of one channel on its own (BS.1770, weight 1),
//!   which is how EBU Tech 3343 §8.2 specifies its mono reference noise.

mod noise;

use thiserror::Error;

use crate::audio::output::{FADE_MS, StereoLoop};

/// No check signal may have a sample beyond this (dBFS): headroom for any later gain stage and a
/// margin over the inter-sample peaks of noise.
pub const PEAK_CEILING_DBFS: f64 = -1.0;
/// The mixing-room reference: pink noise at −20 dBFS RMS per channel (headphones.md §4 check 5).
pub const REFERENCE_RMS_DBFS: f64 = -20.0;
/// EBU Tech 3343 §8.2's reference noise: mono pink noise, 500–2000 Hz, at −23 LUFS.
pub const EBU_MATCH_LUFS: f64 = -23.0;
/// Loop length of the steady noises. Long enough that the repetition of "frozen" noise is not
/// heard as a rhythm, short enough to make in a few milliseconds.
pub const NOISE_LOOP_MS: u32 = 8_000;
/// Length of one left or right burst in the identification loop, and of the gap after it.
pub const BURST_MS: u32 = 750;
pub const BURST_GAP_MS: u32 = 250;
/// Lowest and highest sample rates a signal is made for.
pub const MIN_RATE: u32 = 8_000;
pub const MAX_RATE: u32 = 768_000;

/// Seeds of the stock signals, fixed so every run (and every test) hears the same noise.
const SEED_STEADY: u64 = 0x4541_524d_4152_4b01;
const SEED_EBU: u64 = 0x4541_524d_4152_4b02;
const SEED_BURST_LEFT: u64 = 0x4541_524d_4152_4b03;
const SEED_BURST_RIGHT: u64 = 0x4541_524d_4152_4b04;

/// Why a signal could not be made.
#[derive(Clone, Debug, Error, PartialEq)]
pub enum SignalError {
    #[error("sample rate {0} Hz is outside {MIN_RATE}–{MAX_RATE} Hz")]
    Rate(u32),
    #[error("level {0} is not a finite number")]
    Level(f64),
    #[error("band {low_hz}–{high_hz} Hz holds no frequencies at {rate} Hz")]
    EmptyBand {
        low_hz: f64,
        high_hz: f64,
        rate: u32,
    },
    #[error("tone {hz} Hz cannot be played at {rate} Hz")]
    Frequency { hz: f64, rate: u32 },
    #[error("peak {peak_dbfs:.2} dBFS would exceed the {PEAK_CEILING_DBFS} dBFS ceiling")]
    PeakOverCeiling { peak_dbfs: f64 },
}

/// A frequency band for noise, edges in Hz. Edges are brick-wall: the noise is made in the
/// frequency domain, so nothing lies outside the band at all.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    pub low_hz: f64,
    pub high_hz: f64,
}

impl Band {
    /// The audio band, 20 Hz–20 kHz (capped just below Nyquist at low sample rates): the
    /// full-band pink noise of the level reference and the other checks.
    pub const FULL: Band = Band {
        low_hz: 20.0,
        high_hz: 20_000.0,
    };
    /// 500–2000 Hz, EBU Tech 3343 §8.2's band for matching loudness by ear, where headphones
    /// and loudspeakers differ least.
    pub const EBU_MATCH: Band = Band {
        low_hz: 500.0,
        high_hz: 2_000.0,
    };
}

/// How loud a noise is, per channel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NoiseLevel {
    /// `20·log10(RMS)` of each channel over the loop.
    RmsDbfs(f64),
    /// BS.1770 loudness of each channel measured on its own.
    Lufs(f64),
}

/// Which ears a stretch of signal reaches, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Routing {
    /// Left channel only; the right is digital silence.
    Left,
    /// Right channel only; the left is digital silence.
    Right,
    /// The same samples in both channels (mono): centred, and the Lt/Rt centre state.
    InPhase,
    /// Right = −left, sample for sample: diffuse, and the Lt/Rt surround state.
    Antiphase,
}

impl Routing {
    /// The (left, right) gains applied to the mono source.
    fn gains(self) -> (f32, f32) {
        match self {
            Self::Left => (1.0, 0.0),
            Self::Right => (0.0, 1.0),
            Self::InPhase => (1.0, 1.0),
            Self::Antiphase => (1.0, -1.0),
        }
    }
}

/// One stretch of a loop with a single routing, in frames from the loop's start.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    /// First frame and one past the last.
    pub start: usize,
    pub end: usize,
    /// Frames of raised-cosine edge at each end inside the segment (0 for a steady loop, whose
    /// only fades are the stream's). The level promise covers `start + edge .. end − edge`.
    pub edge: usize,
    pub routing: Routing,
}

impl Segment {
    /// The frames whose level is promised.
    pub fn steady(&self) -> std::ops::Range<usize> {
        self.start + self.edge..self.end.saturating_sub(self.edge)
    }
}

/// A stereo signal that repeats seamlessly, with the map of what plays where.
#[derive(Clone, Debug, PartialEq)]
pub struct SignalLoop {
    rate: u32,
    /// Interleaved left, right.
    samples: Vec<f32>,
    /// Stretches with a signal, in order; frames outside every segment are silence.
    segments: Vec<Segment>,
}

impl SignalLoop {
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Frames in one repetition.
    pub fn frames(&self) -> usize {
        self.samples.len() / 2
    }

    /// Interleaved left, right samples of one repetition.
    pub fn samples(&self) -> &[f32] {
        &self.samples
    }

    /// (left, right) at `frame`, wrapping around the loop.
    pub fn frame(&self, frame: usize) -> [f32; 2] {
        let i = (frame % self.frames().max(1)) * 2;
        match self.samples.get(i..i + 2) {
            Some(&[l, r]) => [l, r],
            _ => [0.0, 0.0],
        }
    }

    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// The segment playing at `frame` (wrapping), or `None` in a gap: what the UI lights up as
    /// "now: left".
    pub fn segment_at(&self, frame: usize) -> Option<&Segment> {
        let f = frame % self.frames().max(1);
        self.segments.iter().find(|s| (s.start..s.end).contains(&f))
    }

    /// `20·log10(RMS)` of one channel (0 = left) over `frames`, in f64.
    pub fn rms_dbfs(&self, channel: usize, frames: std::ops::Range<usize>) -> f64 {
        let n = frames.len();
        let sum: f64 = frames
            .filter_map(|f| self.samples.get(f * 2 + channel))
            .map(|&s| f64::from(s) * f64::from(s))
            .sum();
        power_db(sum / n.max(1) as f64)
    }

    /// Highest sample magnitude in the loop, dBFS.
    pub fn peak_dbfs(&self) -> f64 {
        let peak = self.samples.iter().fold(0.0f32, |m, s| m.max(s.abs()));
        20.0 * f64::from(peak).log10()
    }

    /// BS.1770 loudness of one channel on its own, as the loop plays on repeat (the filter's
    /// start-up transient is let die over one repetition first).
    pub fn channel_lufs(&self, channel: usize) -> f64 {
        noise::steady_loudness(
            self.samples.iter().skip(channel).step_by(2).copied(),
            self.frames(),
            self.rate,
        )
    }

    /// BS.1770 loudness of the stereo loop (both channels weight 1): what Earmark's own meter
    /// shows while it plays.
    pub fn stereo_lufs(&self) -> f64 {
        let power = |lufs: f64| 10f64.powf((lufs + 0.691) / 10.0);
        let sum = power(self.channel_lufs(0)) + power(self.channel_lufs(1));
        -0.691 + power_db(sum)
    }

    fn check_peak(self) -> Result<Self, SignalError> {
        let peak_dbfs = self.peak_dbfs();
        if peak_dbfs > PEAK_CEILING_DBFS {
            return Err(SignalError::PeakOverCeiling { peak_dbfs });
        }
        Ok(self)
    }
}

impl StereoLoop for SignalLoop {
    fn rate(&self) -> u32 {
        self.rate
    }

    fn samples(&self) -> &[f32] {
        &self.samples
    }
}

/// Gain of frame `n` of a burst `len` frames long with `edge` frames of raised cosine at each end
/// (the stream's own fade curve).
fn edge_gain(n: usize, len: usize, edge: usize) -> f64 {
    let last = len.saturating_sub(1);
    crate::audio::output::raised_cosine(n.min(last.saturating_sub(n)), edge)
}

/// `10·log10` of a mean square (−∞ for silence).
fn power_db(mean_square: f64) -> f64 {
    if mean_square > 0.0 {
        10.0 * mean_square.log10()
    } else {
        f64::NEG_INFINITY
    }
}

fn check_rate(rate: u32) -> Result<(), SignalError> {
    if (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(())
    } else {
        Err(SignalError::Rate(rate))
    }
}

/// Frames in `ms` milliseconds at `rate` (rounded down; exact for every common rate).
fn ms_to_frames(ms: u32, rate: u32) -> usize {
    (u64::from(ms) * u64::from(rate) / 1000) as usize
}

/// Spreads a mono source into a stereo loop with one segment.
fn steady_loop(rate: u32, mono: &[f64], routing: Routing) -> SignalLoop {
    let (gl, gr) = routing.gains();
    let mut samples = Vec::with_capacity(mono.len() * 2);
    for &x in mono {
        let x = x as f32;
        samples.push(x * gl);
        samples.push(x * gr);
    }
    SignalLoop {
        rate,
        samples,
        segments: vec![Segment {
            start: 0,
            end: mono.len(),
            edge: 0,
            routing,
        }],
    }
}

/// Full-band (20 Hz–20 kHz) pink noise at `rms_dbfs` per channel, identical in both channels,
/// RMS exact over its [`NOISE_LOOP_MS`] loop.
pub fn pink_noise(rate: u32, rms_dbfs: f64, seed: u64) -> Result<SignalLoop, SignalError> {
    pink_noise_band(
        rate,
        Band::FULL,
        NoiseLevel::RmsDbfs(rms_dbfs),
        Routing::InPhase,
        seed,
    )
}

/// Band-limited pink noise (power density ∝ 1/f inside `band`, nothing outside) at `level` per
/// live channel, routed as asked. The level is exact over the loop.
pub fn pink_noise_band(
    rate: u32,
    band: Band,
    level: NoiseLevel,
    routing: Routing,
    seed: u64,
) -> Result<SignalLoop, SignalError> {
    check_rate(rate)?;
    let frames = ms_to_frames(NOISE_LOOP_MS, rate);
    let mono = noise::pink_at_level(frames, 0..frames, rate, band, level, seed)?;
    steady_loop(rate, &mono, routing).check_peak()
}

/// A sine at `peak_dbfs` sample peak, routed as asked, in a one-second loop. The frequency is
/// rounded to a whole number of cycles per loop (to 1 Hz) so the loop has no seam; its RMS is then
/// exactly `peak_dbfs − 3.01` dB.
pub fn sine_tone(
    rate: u32,
    freq_hz: f64,
    peak_dbfs: f64,
    routing: Routing,
) -> Result<SignalLoop, SignalError> {
    check_rate(rate)?;
    if !peak_dbfs.is_finite() {
        return Err(SignalError::Level(peak_dbfs));
    }
    let frames = rate as usize;
    let cycles = freq_hz.round();
    // Below ~0.45·rate the samples still trace the sine's peak closely enough for the level
    // promise; at Nyquist a sine can vanish altogether.
    if !(cycles >= 1.0 && cycles < 0.45 * f64::from(rate)) {
        return Err(SignalError::Frequency { hz: freq_hz, rate });
    }
    let amplitude = 10f64.powf(peak_dbfs / 20.0);
    let mono: Vec<f64> = (0..frames)
        .map(|n| {
            // Phase from the integer product, reduced modulo the loop, keeps the argument small
            // and the loop exactly periodic.
            let k = (n as u64 * cycles as u64) % frames as u64;
            amplitude * (std::f64::consts::TAU * k as f64 / frames as f64).sin()
        })
        .collect();
    steady_loop(rate, &mono, routing).check_peak()
}

/// Left then right pink-noise bursts ([`BURST_MS`] each, [`BURST_GAP_MS`] of silence after each)
/// at `rms_dbfs` over each burst's steady part, with 10 ms raised-cosine edges so the bursts
/// do not click. The segments say which ear is live when.
pub fn left_right_bursts(rate: u32, rms_dbfs: f64) -> Result<SignalLoop, SignalError> {
    check_rate(rate)?;
    let burst = ms_to_frames(BURST_MS, rate);
    let gap = ms_to_frames(BURST_GAP_MS, rate);
    let edge = ms_to_frames(FADE_MS, rate);
    let frames = 2 * (burst + gap);
    let mut samples = vec![0.0f32; frames * 2];
    let mut segments = Vec::with_capacity(2);
    for (i, (routing, seed)) in [
        (Routing::Left, SEED_BURST_LEFT),
        (Routing::Right, SEED_BURST_RIGHT),
    ]
    .into_iter()
    .enumerate()
    {
        let start = i * (burst + gap);
        let steady = edge..burst - edge;
        let mono = noise::pink_at_level(
            burst,
            steady,
            rate,
            Band::FULL,
            NoiseLevel::RmsDbfs(rms_dbfs),
            seed,
        )?;
        let (gl, gr) = routing.gains();
        for (n, &x) in mono.iter().enumerate() {
            let x = (x * edge_gain(n, burst, edge)) as f32;
            let f = (start + n) * 2;
            if let Some(frame) = samples.get_mut(f..f + 2) {
                frame[0] = x * gl;
                frame[1] = x * gr;
            }
        }
        segments.push(Segment {
            start,
            end: start + burst,
            edge,
            routing,
        });
    }
    SignalLoop {
        rate,
        samples,
        segments,
    }
    .check_peak()
}

/// The checks Earmark runs, each with its stock signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CheckSignal {
    /// Pink-noise bursts, left then right: catches swapped cups and cables.
    LeftRight,
    /// Pink noise in the left channel only (an Lt/Rt test state).
    LeftOnly,
    /// Pink noise in the right channel only (an Lt/Rt test state).
    RightOnly,
    /// Mono pink noise in both channels: the "A" of the polarity A/B.
    PolarityInPhase,
    /// The same noise with the right channel inverted: the "B" of the polarity A/B.
    PolarityInverted,
    /// Mono pink noise in both channels, for centring the image with the balance trim.
    Balance,
    /// Pink noise, 20 Hz–20 kHz, at −20 dBFS RMS per channel: the level reference.
    ReferenceLevel,
    /// EBU Tech 3343's 500–2000 Hz pink noise at −23 LUFS per channel, in both ears, for matching
    /// the headphones by ear to a calibrated loudspeaker room.
    EbuMatch,
    /// Lt/Rt centre state: L = R. Centred; fully present in the (Lt+Rt)/2 decode.
    LtRtCentre,
    /// Lt/Rt surround state: L = −R. Diffuse; only in the (Lt−Rt)/2 decode, gone in mono.
    LtRtSurround,
}

impl CheckSignal {
    pub const ALL: [CheckSignal; 10] = [
        Self::LeftRight,
        Self::LeftOnly,
        Self::RightOnly,
        Self::PolarityInPhase,
        Self::PolarityInverted,
        Self::Balance,
        Self::ReferenceLevel,
        Self::EbuMatch,
        Self::LtRtCentre,
        Self::LtRtSurround,
    ];

    /// Makes the signal at `rate`. Deterministic: the same rate gives the same samples.
    pub fn generate(self, rate: u32) -> Result<SignalLoop, SignalError> {
        let full = |routing| {
            pink_noise_band(
                rate,
                Band::FULL,
                NoiseLevel::RmsDbfs(REFERENCE_RMS_DBFS),
                routing,
                SEED_STEADY,
            )
        };
        match self {
            Self::LeftRight => left_right_bursts(rate, REFERENCE_RMS_DBFS),
            Self::LeftOnly => full(Routing::Left),
            Self::RightOnly => full(Routing::Right),
            Self::PolarityInPhase | Self::Balance | Self::ReferenceLevel | Self::LtRtCentre => {
                full(Routing::InPhase)
            }
            Self::PolarityInverted | Self::LtRtSurround => full(Routing::Antiphase),
            Self::EbuMatch => pink_noise_band(
                rate,
                Band::EBU_MATCH,
                NoiseLevel::Lufs(EBU_MATCH_LUFS),
                Routing::InPhase,
                SEED_EBU,
            ),
        }
    }

    /// Short name for a button or a list.
    pub fn title(self) -> &'static str {
        match self {
            Self::LeftRight => "Left / right",
            Self::LeftOnly => "Left only",
            Self::RightOnly => "Right only",
            Self::PolarityInPhase => "Polarity A (in phase)",
            Self::PolarityInverted => "Polarity B (right inverted)",
            Self::Balance => "Balance",
            Self::ReferenceLevel => "Reference level",
            Self::EbuMatch => "Match to a loudspeaker room (EBU)",
            Self::LtRtCentre => "Lt/Rt centre",
            Self::LtRtSurround => "Lt/Rt surround",
        }
    }

    /// What the reviewer should hear, in plain words.
    pub fn listen_for(self) -> &'static str {
        match self {
            Self::LeftRight => {
                "Noise comes from the left ear, then the right. If the order is the other way \
                 round, the cups or the cable are swapped."
            }
            Self::LeftOnly => "Noise in the left ear only.",
            Self::RightOnly => "Noise in the right ear only.",
            Self::PolarityInPhase => {
                "A focused sound in the middle of the head. Compare with B: A should be the \
                 focused one."
            }
            Self::PolarityInverted => {
                "A spread-out, hollow sound that seems to sit inside or around the head. If B \
                 sounds more focused than A, one earpiece is wired the wrong way round."
            }
            Self::Balance => {
                "The noise should sit in the centre. If it leans to one side, move the balance \
                 trim until it is centred."
            }
            Self::ReferenceLevel => {
                "Set the volume to where this noise is full but comfortable. Do not listen \
                 quieter than this while reviewing."
            }
            Self::EbuMatch => {
                "Switch between this noise on the headphones and the same noise on the room's \
                 loudspeakers, and set the headphone volume until both sound equally loud."
            }
            Self::LtRtCentre => {
                "Centred. It stays at full level in the centre decode and in mono, and vanishes \
                 in the surround decode."
            }
            Self::LtRtSurround => {
                "Diffuse, not centred. It is all in the surround decode and vanishes in the \
                 centre decode and in mono: content like this is lost on a mono television."
            }
        }
    }
}

#[cfg(test)]
mod tests;
