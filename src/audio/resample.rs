//! Sample-rate conversion with rubato, used only when the device's rate differs from the file's.
//!
//! A synchronous FFT resampler with fixed input chunks. Its start-up delay
//! ([`rubato::Resampler::output_delay`]) is dropped from the output, so resampled audio stays
//! aligned sample-for-sample (within one output sample) with the source timeline; `flush` pushes
//! the tail through with silence.

use super::chunked::{CHUNK, Chunked};
use rubato::{Fft, FixedSync, Resampler as _};

/// Stereo (or any channel count) interleaved f32 resampler with delay compensation.
pub struct StreamResampler {
    chunks: Chunked<Fft<f32>>,
    channels: usize,
    /// Input frames taken in since the last reset, for the final flush length.
    frames_in: u64,
    rate_in: u32,
    rate_out: u32,
}

impl StreamResampler {
    /// A resampler from `rate_in` to `rate_out` for `channels` interleaved channels.
    pub fn new(rate_in: u32, rate_out: u32, channels: usize) -> Result<Self, String> {
        let inner = Fft::<f32>::new(
            rate_in as usize,
            rate_out as usize,
            CHUNK,
            channels,
            FixedSync::Input,
        )
        .map_err(|e| format!("cannot resample {rate_in} Hz to {rate_out} Hz: {e}"))?;
        let to_skip = inner.output_delay();
        Ok(Self {
            chunks: Chunked::new(inner, channels, to_skip),
            channels,
            frames_in: 0,
            rate_in,
            rate_out,
        })
    }

    /// Feeds interleaved input; appends whatever output is ready to `dst`.
    pub fn push(&mut self, input: &[f32], dst: &mut Vec<f32>) -> Result<(), String> {
        self.frames_in += (input.len() / self.channels) as u64;
        self.chunks.push(input, dst)
    }

    /// Pushes out everything still inside, so the output is exactly as long as the input.
    pub fn flush(&mut self, dst: &mut Vec<f32>) -> Result<(), String> {
        let expected = self.frames_in * self.rate_out as u64 / self.rate_in as u64;
        self.chunks.flush(expected, dst)
    }

    /// Forgets all state (after a seek).
    pub fn reset(&mut self) {
        let to_skip = self.chunks.inner_mut().output_delay();
        self.chunks.reset(to_skip);
        self.frames_in = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, freq: f32, frames: usize) -> Vec<f32> {
        (0..frames)
            .flat_map(|i| {
                let v = (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin() * 0.5;
                [v, -v]
            })
            .collect()
    }

    #[test]
    fn resampled_tone_keeps_length_phase_and_level() {
        let input = tone(48_000, 1000.0, 48_000);
        let mut r = StreamResampler::new(48_000, 44_100, 2).expect("resampler");
        let mut out = Vec::new();
        for piece in input.chunks(2 * 777) {
            r.push(piece, &mut out).expect("push");
        }
        r.flush(&mut out).expect("flush");
        assert_eq!(out.len(), 2 * 44_100, "exactly one second out");
        let expected = tone(44_100, 1000.0, 44_100);
        // Away from the edges, the output is the same tone at the same phase (delay removed).
        let err = out[2000..86_000]
            .iter()
            .zip(&expected[2000..86_000])
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(err < 0.01, "max deviation {err}");
    }

    #[test]
    fn reset_restarts_cleanly() {
        let mut r = StreamResampler::new(44_100, 48_000, 2).expect("resampler");
        let mut out = Vec::new();
        r.push(&tone(44_100, 500.0, 5000), &mut out).expect("push");
        r.reset();
        out.clear();
        r.push(&tone(44_100, 500.0, 44_100), &mut out)
            .expect("push");
        r.flush(&mut out).expect("flush");
        assert_eq!(out.len(), 2 * 48_000);
    }
}
