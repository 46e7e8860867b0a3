//! Synthesised EBU Tech 3341 / 3342 compliance signals (and a noise programme for cross-checks).
//!
//! The EBU loudness test set cannot be shipped with the repository, so the loudness suite builds
//! every case that is defined by a formula at run time, as our loudness research notes describe
//! (`loudness.md` §2): 1000 Hz sines at a *peak* level in dBFS, in phase on both channels and with a
//! continuous phase across segments (segment edges rounded to whole samples, from the cumulative
//! time so nothing drifts); the 5.0 case 6; the true-peak sines of cases 15–19; and cases 20–23,
//! synthesised at 4·fs, low-passed and decimated at an offset of 0…3 samples.
//!
//! The signal functions return interleaved `f32` samples. Included by the tests with
//! `#[path = "common/ebu.rs"] mod ebu;`.

// Each test file uses its own part of the set.
#![allow(dead_code)]

use std::f64::consts::PI;

/// Sample rate of the compliance suite.
pub const RATE: u32 = 48_000;

/// Frequency of the Tech 3341 / 3342 tones.
pub const TONE_HZ: f64 = 1000.0;

/// Linear peak amplitude of a level in dBFS.
pub fn amplitude(dbfs: f64) -> f64 {
    10f64.powf(dbfs / 20.0)
}

/// One section of a tone programme: `secs` of the 1000 Hz tone at `dbfs` peak, or of silence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Segment {
    pub secs: f64,
    pub dbfs: Option<f64>,
}

/// `secs` of the tone at `dbfs` peak.
pub fn tone(secs: f64, dbfs: f64) -> Segment {
    Segment {
        secs,
        dbfs: Some(dbfs),
    }
}

/// `secs` of silence (the tone's phase keeps running, so a tone after it stays continuous).
pub fn gap(secs: f64) -> Segment {
    Segment { secs, dbfs: None }
}

/// A 1000 Hz sine, identical in both channels, through `segments` in order. The phase is that of
/// one sine started at sample 0, so it is continuous across every segment edge.
pub fn stereo_tone(rate: u32, segments: &[Segment]) -> Vec<f32> {
    let fs = rate as f64;
    let total: f64 = segments.iter().map(|s| s.secs).sum();
    let mut out = Vec::with_capacity(2 * (total * fs).round() as usize);
    let (mut t, mut n) = (0.0, 0usize);
    for s in segments {
        t += s.secs;
        let end = (t * fs).round() as usize;
        let a = s.dbfs.map_or(0.0, amplitude);
        for i in n..end {
            // Reduce the phase to one cycle first so it stays exact over long programmes.
            let x = (a * (2.0 * PI * (i as f64 * TONE_HZ / fs).fract()).sin()) as f32;
            out.extend([x, x]);
        }
        n = n.max(end);
    }
    out
}

/// `secs` of digital silence on `channels` channels.
pub fn silence(rate: u32, channels: usize, secs: f64) -> Vec<f32> {
    vec![0.0; channels * (secs * rate as f64).round() as usize]
}

/// Tech 3341 case 6: 20 s of 1000 Hz in 5.0, file order L R C Ls Rs, at −28, −28, −24, −30, −30
/// dBFS peak (all channels in phase).
pub fn surround_case_6(rate: u32) -> Vec<f32> {
    let levels = [-28.0, -28.0, -24.0, -30.0, -30.0].map(amplitude);
    let fs = rate as f64;
    let n = (20.0 * fs).round() as usize;
    let mut out = Vec::with_capacity(n * levels.len());
    for i in 0..n {
        let s = (2.0 * PI * (i as f64 * TONE_HZ / fs).fract()).sin();
        out.extend(levels.iter().map(|a| (a * s) as f32));
    }
    out
}

/// Raised-cosine fade gain of sample `i` of `n`, over `fade` samples at each end.
fn fade_gain(i: usize, n: usize, fade: usize) -> f64 {
    let edge = i.min(n - 1 - i);
    if edge >= fade {
        1.0
    } else {
        0.5 - 0.5 * (PI * edge as f64 / fade as f64).cos()
    }
}

/// Tech 3341 cases 15–19: a stereo sine at `rate / divisor` Hz with peak `ffs` (fraction of full
/// scale) starting at `phase_deg`, `secs` long with 10 ms raised-cosine fades in and out.
pub fn true_peak_sine(rate: u32, divisor: u32, ffs: f64, phase_deg: f64, secs: f64) -> Vec<f32> {
    let n = (secs * rate as f64).round() as usize;
    let fade = (rate / 100) as usize;
    let w = 2.0 * PI / divisor as f64;
    let phase = phase_deg.to_radians();
    let mut out = Vec::with_capacity(2 * n);
    for i in 0..n {
        // The phase cycles every `divisor` samples: reduce it so it stays exact.
        let k = (i % divisor as usize) as f64;
        let x = (ffs * fade_gain(i, n, fade) * (w * k + phase).sin()) as f32;
        out.extend([x, x]);
    }
    out
}

/// Taps of the anti-alias low-pass of cases 20–23.
const BURST_TAPS: usize = 511;

/// A Blackman-windowed sinc low-pass with cut-off `cutoff` (a fraction of its sample rate), unity
/// gain at DC.
fn blackman_low_pass(taps: usize, cutoff: f64) -> Vec<f64> {
    let centre = (taps - 1) as f64 / 2.0;
    let last = (taps - 1) as f64;
    let mut h: Vec<f64> = (0..taps)
        .map(|n| {
            let t = n as f64 - centre;
            let sinc = if t == 0.0 {
                2.0 * cutoff
            } else {
                (2.0 * PI * cutoff * t).sin() / (PI * t)
            };
            let x = 2.0 * PI * n as f64 / last;
            sinc * (0.42 - 0.5 * x.cos() + 0.08 * (2.0 * x).cos())
        })
        .collect();
    let dc: f64 = h.iter().sum();
    h.iter_mut().for_each(|c| *c /= dc);
    h
}

/// Tech 3341 cases 20–23 (case 20 + `offset`, `offset` in 0…3), in our reading of the text
/// (loudness.md §2.3): at 4·`rate`, 2000 whole periods of a `rate`/6 sine at 0.50 FFS, then one
/// period (16 samples) of a `rate`/4 sine at 1.00 FFS from phase 0, then the `rate`/6 sine again
/// from phase 0 for another 2000 periods, so both joins are phase-continuous; 5 ms raised-cosine
/// fades at both ends; a 511-tap Blackman-windowed-sinc low-pass cut off at 0.45·`rate`, aligned
/// on its centre tap (no delay); then every 4th sample from `offset`. Stereo, identical channels.
pub fn true_peak_burst(rate: u32, offset: usize) -> Vec<f32> {
    assert!(offset < 4, "cases 20–23 decimate at offsets 0…3");
    const SLOW: usize = 24; // samples per period of rate/6 at 4·rate
    const FAST: usize = 16; // samples per period of rate/4 at 4·rate
    const PERIODS: usize = 2000;
    let high_rate = 4 * rate as usize;
    let mut x: Vec<f64> = Vec::with_capacity(2 * PERIODS * SLOW + FAST);
    let slow = |k: usize| 0.5 * (2.0 * PI * (k % SLOW) as f64 / SLOW as f64).sin();
    x.extend((0..PERIODS * SLOW).map(slow));
    x.extend((0..FAST).map(|k| (2.0 * PI * k as f64 / FAST as f64).sin()));
    x.extend((0..PERIODS * SLOW).map(slow));
    let n = x.len();
    let fade = high_rate / 200;
    for (i, v) in x.iter_mut().enumerate() {
        *v *= fade_gain(i, n, fade);
    }
    let h = blackman_low_pass(BURST_TAPS, 0.45 / 4.0);
    let half = BURST_TAPS / 2;
    let mut out = Vec::with_capacity(2 * (n / 4 + 1));
    for j in (offset..n).step_by(4) {
        // y[j] = Σ h[k]·x[j + k − half], zero outside the signal.
        let from = half.saturating_sub(j);
        let to = BURST_TAPS.min(n + half - j);
        let y: f64 = (from..to).map(|k| h[k] * x[j + k - half]).sum();
        out.extend([y as f32, y as f32]);
    }
    out
}

/// A deterministic noise "programme" for cross-checks: `secs` of stereo noise (xorshift, low-passed
/// at 12 dB/octave above ~6 kHz for a programme-like spectrum, channels partly correlated) under a
/// level envelope that holds, ramps, dips far enough to be relative-gated out, and tremolos. Peaks
/// stay about 1 dB under full scale (nothing clips).
pub fn noise_programme(rate: u32, secs: f64, seed: u64) -> Vec<f32> {
    let mut state = seed.max(1);
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let fs = rate as f64;
    let n = (secs * fs).round() as usize;
    // Two one-pole low-passes at ~6 kHz on each channel.
    let pole = (-2.0 * PI * 6000.0 / fs).exp();
    let low_pass = |y: &mut [f64; 2], x: f64| {
        y[0] = pole * y[0] + (1.0 - pole) * x;
        y[1] = pole * y[1] + (1.0 - pole) * y[0];
        y[1]
    };
    let (mut l, mut r) = ([0.0; 2], [0.0; 2]);
    let mut out = Vec::with_capacity(2 * n);
    for i in 0..n {
        let t = i as f64 / fs;
        let level_db = match t / secs {
            p if p < 0.25 => -18.0,
            p if p < 0.35 => -18.0 - 25.0 * (p - 0.25) / 0.10,
            p if p < 0.55 => -43.0,
            p if p < 0.60 => -43.0 + 33.0 * (p - 0.55) / 0.05,
            _ => -10.0 + 4.0 * (2.0 * PI * 3.0 * t).sin(),
        };
        let g = amplitude(level_db) * 2.5;
        let common = next();
        let left = g * low_pass(&mut l, 0.6 * common + 0.4 * next());
        let right = g * low_pass(&mut r, 0.6 * common + 0.4 * next());
        out.extend([left.clamp(-1.0, 1.0) as f32, right.clamp(-1.0, 1.0) as f32]);
    }
    out
}
