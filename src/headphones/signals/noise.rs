//! Pink noise made in the frequency domain, and the steady loudness of a loop.
//!
//! Each bin inside the band gets magnitude 1/√f and a random phase; one inverse FFT over the
//! whole loop then gives noise that is periodic by construction (no seam when it repeats), has
//! nothing at all outside the band, and a power spectrum that is exactly 1/f rather than 1/f on
//! average (the magnitudes are fixed; only the phases are random). Voss–McCartney would give
//! neither the seamless loop nor the hard band edges EBU Tech 3343's 500–2000 Hz noise needs.
//!
//! Because the spectrum is known exactly, so is the K-weighted power of the loop: the level in
//! LUFS is set from the spectrum, not from a measurement of the result.

use super::{Band, NoiseLevel, SignalError};
use crate::meters::k_weighting::{Biquad, KFilter, k_weighting};
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use std::ops::Range;

/// The BS.1770 offset that makes a 997 Hz sine read its RMS level (BS.1770-5 eq. 2).
const LUFS_OFFSET: f64 = -0.691;

/// SplitMix64: tiny, fast and well mixed; all the noise needs is phases that never repeat
/// within a loop and the same phases for the same seed on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1), from the top 53 bits.
    fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `frames` of pink noise inside `band`, scaled so that over `steady` (frames of the loop) it
/// has `level`. A [`NoiseLevel::Lufs`] level is exact only when `steady` is the whole loop,
/// which is how the callers use it.
pub(super) fn pink_at_level(
    frames: usize,
    steady: Range<usize>,
    rate: u32,
    band: Band,
    level: NoiseLevel,
    seed: u64,
) -> Result<Vec<f64>, SignalError> {
    let (NoiseLevel::RmsDbfs(db) | NoiseLevel::Lufs(db)) = level;
    if !db.is_finite() {
        return Err(SignalError::Level(db));
    }
    let empty = || SignalError::EmptyBand {
        low_hz: band.low_hz,
        high_hz: band.high_hz,
        rate,
    };
    let bins = band_bins(frames, rate, band).ok_or_else(empty)?;

    let mut spectrum = vec![Complex::new(0.0, 0.0); frames];
    let mut rng = SplitMix64(seed);
    for k in bins.clone() {
        let magnitude = 1.0 / (k as f64).sqrt();
        let phase = std::f64::consts::TAU * rng.next_unit();
        let x = Complex::from_polar(magnitude, phase);
        // Hermitian symmetry makes the inverse transform real.
        if let Some(v) = spectrum.get_mut(k) {
            *v = x;
        }
        if let Some(v) = spectrum.get_mut(frames - k) {
            *v = x.conj();
        }
    }
    FftPlanner::new()
        .plan_fft_inverse(frames)
        .process(&mut spectrum);
    let mut mono: Vec<f64> = spectrum.iter().map(|c| c.re).collect();

    let steady_len = steady.len().max(1) as f64;
    let steady_ms: f64 = mono
        .get(steady)
        .unwrap_or(&[])
        .iter()
        .map(|x| x * x)
        .sum::<f64>()
        / steady_len;
    if steady_ms <= 0.0 {
        return Err(empty());
    }
    let target_ms = match level {
        NoiseLevel::RmsDbfs(db) => 10f64.powf(db / 10.0),
        NoiseLevel::Lufs(lufs) => {
            10f64.powf((lufs - LUFS_OFFSET) / 10.0) / k_weighted_fraction(frames, rate, bins)
        }
    };
    let scale = (target_ms / steady_ms).sqrt();
    for x in &mut mono {
        *x *= scale;
    }
    Ok(mono)
}

/// The FFT bins of `band` in a loop of `frames`: DC and Nyquist are always left out, since
/// neither has a phase to randomise.
fn band_bins(frames: usize, rate: u32, band: Band) -> Option<Range<usize>> {
    let per_bin = f64::from(rate) / frames as f64;
    let low = ((band.low_hz / per_bin).ceil().max(1.0)) as usize;
    let high =
        ((band.high_hz / per_bin).floor().max(0.0) as usize).min(frames.saturating_sub(1) / 2);
    (band.low_hz.is_finite() && band.high_hz.is_finite() && low <= high).then_some(low..high + 1)
}

/// K-weighted power over plain power for the pink spectrum on `bins` (power ∝ 1/k there).
fn k_weighted_fraction(frames: usize, rate: u32, bins: Range<usize>) -> f64 {
    let sections = k_weighting(rate);
    let (mut weighted, mut plain) = (0.0, 0.0);
    for k in bins {
        let omega = std::f64::consts::TAU * k as f64 / frames as f64;
        let p = 1.0 / k as f64;
        weighted += p * sections
            .iter()
            .map(|s| power_gain(s, omega))
            .product::<f64>();
        plain += p;
    }
    weighted / plain
}

/// |H(e^{jω})|² of one biquad.
fn power_gain(s: &Biquad, omega: f64) -> f64 {
    let z1 = Complex::from_polar(1.0, -omega);
    let z2 = z1 * z1;
    let num = s.b[0] + z1 * s.b[1] + z2 * s.b[2];
    let den = 1.0 + z1 * s.a[0] + z2 * s.a[1];
    (num / den).norm_sqr()
}

/// BS.1770 loudness of one channel of a loop played on repeat: the first repetition lets the
/// K-filter settle (its slowest pole, the 38 Hz high-pass, decays within milliseconds), the
/// second is measured.
pub(super) fn steady_loudness(channel: impl Iterator<Item = f32>, frames: usize, rate: u32) -> f64 {
    let x: Vec<f64> = channel.take(frames).map(f64::from).collect();
    let mut filter = KFilter::new(rate);
    for &s in &x {
        filter.process(s);
    }
    let sum: f64 = x
        .iter()
        .map(|&s| {
            let y = filter.process(s);
            y * y
        })
        .sum();
    let mean_square = sum / x.len().max(1) as f64;
    if mean_square > 0.0 {
        LUFS_OFFSET + 10.0 * mean_square.log10()
    } else {
        f64::NEG_INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spectrum_is_pink_and_band_limited() {
        let rate = 48_000;
        let frames = 48_000;
        let x = pink_at_level(
            frames,
            0..frames,
            rate,
            Band::EBU_MATCH,
            NoiseLevel::RmsDbfs(-20.0),
            7,
        )
        .expect("noise");
        let mut spec: Vec<Complex<f64>> = x.iter().map(|&v| Complex::new(v, 0.0)).collect();
        FftPlanner::new()
            .plan_fft_forward(frames)
            .process(&mut spec);
        // 1 Hz bins at 48 kHz over 1 s: bin k is k Hz.
        let p = |k: usize| spec[k].norm_sqr();
        for k in [10, 100, 499, 2001, 5000, 20_000] {
            assert!(p(k) < 1e-12 * p(1000), "bin {k} should be empty");
        }
        // Power ∝ 1/f: one octave up, half the power per bin, exactly (fixed magnitudes).
        let ratio = p(1000) / p(500);
        assert!(
            (ratio - 0.5).abs() < 1e-9,
            "1 kHz / 500 Hz power ratio {ratio}"
        );
        let ratio = p(2000) / p(1000);
        assert!(
            (ratio - 0.5).abs() < 1e-9,
            "2 kHz / 1 kHz power ratio {ratio}"
        );
    }

    #[test]
    fn same_seed_same_noise_other_seed_other_noise() {
        let make = |seed| {
            pink_at_level(
                4800,
                0..4800,
                48_000,
                Band::FULL,
                NoiseLevel::RmsDbfs(-20.0),
                seed,
            )
            .expect("noise")
        };
        assert_eq!(make(1), make(1));
        assert_ne!(make(1), make(2));
    }

    #[test]
    fn lufs_from_the_spectrum_matches_filtering_the_loop() {
        for rate in [44_100, 48_000, 96_000] {
            let frames = rate as usize * 2;
            let x = pink_at_level(
                frames,
                0..frames,
                rate,
                Band::FULL,
                NoiseLevel::Lufs(-23.0),
                3,
            )
            .expect("noise");
            let measured = steady_loudness(x.iter().map(|&v| v as f32), frames, rate);
            assert!(
                (measured + 23.0).abs() < 0.005,
                "{rate} Hz: {measured} LUFS, wanted −23"
            );
        }
    }

    #[test]
    fn empty_band_is_an_error() {
        let tiny = Band {
            low_hz: 1000.0,
            high_hz: 1000.5,
        };
        let err = pink_at_level(100, 0..100, 8_000, tiny, NoiseLevel::RmsDbfs(-20.0), 1);
        assert!(matches!(err, Err(SignalError::EmptyBand { .. })));
    }
}
