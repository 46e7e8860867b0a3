//! The spectrum the meter panel draws: the last 4096 mono samples, Hann-windowed, through one FFT,
//! folded into [`SPECTRUM_BANDS`] log-spaced bands from 20 Hz to 20 kHz.
//!
//! Each band shows its strongest bin, calibrated as an amplitude: a full-scale sine reads 0 dBFS
//! in the band it falls in. The strongest bin (rather than the band's summed power, as a 1/n-octave
//! RTA would) keeps a tone's reading within Hann's 1.4 dB scalloping wherever it sits, even right
//! on a band edge, where a power sum would split it between two bands and read up to 3 dB low.
//! Bands narrower than one bin (below about 200 Hz) take the bin their centre falls in, so the
//! bottom of the plot repeats bins rather than showing holes.
//!
//! Runs on the meter thread: the ring, window, FFT plan and buffers are made once in
//! [`SpectrumAnalyzer::new`], so `push` and `compute` do not allocate.

use super::SPECTRUM_BANDS;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};
use std::sync::Arc;

/// FFT length: 4096 points is ~85 ms at 48 kHz and bins of ~11.7 Hz — fine enough for the
/// mid and top octaves, and short enough that the plot follows the programme.
pub const FFT_SIZE: usize = 4096;
/// What a band with nothing in it reads, dBFS.
pub const FLOOR_DB: f32 = -120.0;
/// The bands span 20 Hz – 20 kHz.
const LOW_HZ: f32 = 20.0;
const HIGH_HZ: f32 = 20_000.0;

/// Windowed-FFT spectrum of the recent mono ((L+R)/2) signal.
pub struct SpectrumAnalyzer {
    /// The last `FFT_SIZE` mono samples; `write` is the oldest (next to be overwritten).
    ring: Vec<f32>,
    write: usize,
    window: Vec<f32>,
    fft: Arc<dyn Fft<f32>>,
    buf: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Per band: the FFT bins `start..end` it covers (empty: above Nyquist, reads the floor).
    bins: Vec<(usize, usize)>,
    centres: Vec<f32>,
    /// dB to add to a bin's 10·log10(|X|²) so a sine reads its amplitude: 20·log10(2 / Σw).
    gain_db: f32,
}

impl SpectrumAnalyzer {
    /// An analyser for stereo at `rate` Hz. Starts on silence.
    pub fn new(rate: u32) -> Self {
        let rate = rate.max(1) as f32;
        // Periodic Hann: the window that tiles, so bin levels do not depend on the frame phase.
        let window: Vec<f32> = (0..FFT_SIZE)
            .map(|i| {
                let x = std::f32::consts::TAU * i as f32 / FFT_SIZE as f32;
                0.5 - 0.5 * x.cos()
            })
            .collect();
        // A sine of amplitude A at a bin centre gives |X| = A·Σw/2 (half its energy in the
        // negative frequencies), so 2/Σw turns the bin back into A.
        let sum: f32 = window.iter().sum();
        let gain_db = 20.0 * (2.0 / sum).log10();
        let fft = FftPlanner::new().plan_fft_forward(FFT_SIZE);
        let scratch = vec![Complex::default(); fft.get_inplace_scratch_len()];
        let bin_hz = rate / FFT_SIZE as f32;
        let nyquist_bin = FFT_SIZE / 2;
        let ratio = (HIGH_HZ / LOW_HZ).powf(1.0 / SPECTRUM_BANDS as f32);
        let mut bins = Vec::with_capacity(SPECTRUM_BANDS);
        let mut centres = Vec::with_capacity(SPECTRUM_BANDS);
        for band in 0..SPECTRUM_BANDS {
            let lo = LOW_HZ * ratio.powi(band as i32);
            let hi = lo * ratio;
            let centre = (lo * hi).sqrt();
            centres.push(centre);
            // Bins whose centre frequency k·bin_hz lies in [lo, hi).
            let start = (lo / bin_hz).ceil() as usize;
            let end = ((hi / bin_hz).ceil() as usize).min(nyquist_bin + 1);
            let range = if start > nyquist_bin {
                (0, 0)
            } else if start < end {
                (start, end)
            } else {
                let k = ((centre / bin_hz).round() as usize).min(nyquist_bin);
                (k, k + 1)
            };
            bins.push(range);
        }
        Self {
            ring: vec![0.0; FFT_SIZE],
            write: 0,
            window,
            fft,
            buf: vec![Complex::default(); FFT_SIZE],
            scratch,
            bins,
            centres,
            gain_db,
        }
    }

    /// Adds interleaved stereo samples (a trailing odd sample is ignored).
    pub fn push(&mut self, stereo: &[f32]) {
        for frame in stereo.chunks_exact(2) {
            if let Some(slot) = self.ring.get_mut(self.write) {
                *slot = 0.5 * (frame[0] + frame[1]);
            }
            self.write = (self.write + 1) % FFT_SIZE;
        }
    }

    /// Forgets the signal (back to silence), as after a seek or a meter reset.
    pub fn reset(&mut self) {
        self.ring.fill(0.0);
        self.write = 0;
    }

    /// The spectrum now: band centres (Hz) into `hz`, levels (dBFS, floor −120) into `db`.
    /// Both are cleared and refilled; keep them between calls and nothing is allocated.
    pub fn compute(&mut self, hz: &mut Vec<f32>, db: &mut Vec<f32>) {
        // Oldest sample first, so the window's taper falls on both ends of the real time order.
        let (newer, older) = self.ring.split_at(self.write);
        for ((out, s), w) in self
            .buf
            .iter_mut()
            .zip(older.iter().chain(newer))
            .zip(&self.window)
        {
            *out = Complex::new(s * w, 0.0);
        }
        self.fft
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        hz.clear();
        hz.extend_from_slice(&self.centres);
        db.clear();
        for &(start, end) in &self.bins {
            let peak = self
                .buf
                .get(start..end)
                .unwrap_or(&[])
                .iter()
                .map(|c| c.norm_sqr())
                .fold(0.0f32, f32::max);
            let level = if peak > 0.0 {
                10.0 * peak.log10() + self.gain_db
            } else {
                FLOOR_DB
            };
            db.push(level.max(FLOOR_DB));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Interleaved stereo sine, both channels alike, `seconds` long.
    fn sine(rate: u32, hz: f32, dbfs: f32, seconds: f32) -> Vec<f32> {
        let amp = 10f32.powf(dbfs / 20.0);
        let n = (rate as f32 * seconds) as usize;
        (0..n)
            .flat_map(|i| {
                let s = amp * (std::f32::consts::TAU * hz * i as f32 / rate as f32).sin();
                [s, s]
            })
            .collect()
    }

    fn band_of(hz: &[f32], f: f32) -> usize {
        let ratio = (HIGH_HZ / LOW_HZ).powf(1.0 / SPECTRUM_BANDS as f32);
        let band = ((f / LOW_HZ).ln() / ratio.ln()).floor() as usize;
        assert!(band < hz.len(), "{f} Hz outside the bands");
        band
    }

    fn spectrum(rate: u32, signal: &[f32]) -> (Vec<f32>, Vec<f32>) {
        let mut a = SpectrumAnalyzer::new(rate);
        a.push(signal);
        let (mut hz, mut db) = (Vec::new(), Vec::new());
        a.compute(&mut hz, &mut db);
        assert_eq!(hz.len(), SPECTRUM_BANDS);
        assert_eq!(db.len(), SPECTRUM_BANDS);
        (hz, db)
    }

    #[test]
    fn a_sine_reads_its_level_in_its_band() {
        for rate in [44_100, 48_000] {
            let (hz, db) = spectrum(rate, &sine(rate, 1000.0, -20.0, 0.5));
            let band = band_of(&hz, 1000.0);
            let (peak_band, peak) = db
                .iter()
                .copied()
                .enumerate()
                .fold((0, f32::MIN), |a, (i, v)| if v > a.1 { (i, v) } else { a });
            assert_eq!(
                peak_band, band,
                "{rate} Hz: peak in band {peak_band}, {db:?}"
            );
            assert!(
                (peak + 20.0).abs() <= 1.5,
                "{rate} Hz: 1 kHz at -20 dBFS reads {peak}"
            );
            for far in [250.0, 4000.0] {
                let other = db[band_of(&hz, far)];
                assert!(
                    other <= peak - 40.0,
                    "{rate} Hz: {far} Hz band reads {other}, only {} dB under the tone",
                    peak - other
                );
            }
        }
    }

    #[test]
    fn full_scale_sines_read_about_zero_wherever_they_sit() {
        for rate in [44_100, 48_000] {
            for f in [63.0, 440.0, 1002.0, 3150.0, 12_000.0] {
                let (hz, db) = spectrum(rate, &sine(rate, f, 0.0, 0.2));
                let level = db[band_of(&hz, f)];
                assert!(
                    (-1.6..=0.2).contains(&level),
                    "{rate} Hz, {f} Hz tone reads {level}"
                );
            }
        }
    }

    #[test]
    fn silence_reads_the_floor() {
        for rate in [44_100, 48_000] {
            let (hz, db) = spectrum(rate, &vec![0.0; 8192]);
            assert!(db.iter().all(|&d| d == FLOOR_DB), "{db:?}");
            assert!(
                hz.windows(2).all(|w| w[0] < w[1]),
                "centres not rising: {hz:?}"
            );
            assert!(hz[0] > 20.0 && hz[SPECTRUM_BANDS - 1] < 20_000.0);
        }
    }

    #[test]
    fn reset_forgets_and_buffers_are_reused() {
        let mut a = SpectrumAnalyzer::new(48_000);
        a.push(&sine(48_000, 1000.0, -6.0, 0.1));
        a.reset();
        let (mut hz, mut db) = (
            Vec::with_capacity(SPECTRUM_BANDS),
            Vec::with_capacity(SPECTRUM_BANDS),
        );
        let (hz_ptr, db_ptr) = (hz.as_ptr(), db.as_ptr());
        a.compute(&mut hz, &mut db);
        assert!(db.iter().all(|&d| d == FLOOR_DB));
        assert_eq!(
            (hz.as_ptr(), db.as_ptr()),
            (hz_ptr, db_ptr),
            "compute reallocated"
        );
    }
}
