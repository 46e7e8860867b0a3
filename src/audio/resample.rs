//! Sample-rate conversion with rubato, used only when the device's rate differs from the file's.
//!
//! A synchronous FFT resampler with fixed input chunks. Its start-up delay
//! ([`rubato::Resampler::output_delay`]) is dropped from the output, so resampled audio stays
//! aligned sample-for-sample (within one output sample) with the source timeline; `flush` pushes
//! the tail through with silence.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Indexing, Resampler as _};

/// Input frames per resampler call.
const CHUNK: usize = 1024;

/// Stereo (or any channel count) interleaved f32 resampler with delay compensation.
pub struct StreamResampler {
    inner: Fft<f32>,
    channels: usize,
    /// Input waiting for a full chunk.
    pending: Vec<f32>,
    /// Output scratch, sized once.
    out: Vec<f32>,
    /// Output frames still to drop (the resampler's delay).
    to_skip: usize,
    /// Input frames consumed / output frames emitted, for the final flush length.
    frames_in: u64,
    frames_out: u64,
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
        let out = vec![0.0; inner.output_frames_max() * channels];
        let to_skip = inner.output_delay();
        Ok(Self {
            inner,
            channels,
            pending: Vec::with_capacity(CHUNK * channels * 2),
            out,
            to_skip,
            frames_in: 0,
            frames_out: 0,
            rate_in,
            rate_out,
        })
    }

    /// Feeds interleaved input; appends whatever output is ready to `dst`.
    pub fn push(&mut self, input: &[f32], dst: &mut Vec<f32>) -> Result<(), String> {
        self.pending.extend_from_slice(input);
        self.frames_in += (input.len() / self.channels) as u64;
        while self.pending.len() >= CHUNK * self.channels {
            self.run_chunk(None, dst)?;
            self.pending.drain(..CHUNK * self.channels);
        }
        Ok(())
    }

    /// Pushes out everything still inside, so the output is exactly as long as the input.
    pub fn flush(&mut self, dst: &mut Vec<f32>) -> Result<(), String> {
        let expected = self.frames_in * self.rate_out as u64 / self.rate_in as u64;
        while self.frames_out < expected {
            let partial = (self.pending.len() / self.channels).min(CHUNK);
            self.pending.resize(CHUNK * self.channels, 0.0);
            self.run_chunk(Some(partial), dst)?;
            self.pending.clear();
        }
        let extra = (self.frames_out - expected) as usize * self.channels;
        dst.truncate(dst.len().saturating_sub(extra));
        self.frames_out = expected;
        Ok(())
    }

    /// Forgets all state (after a seek).
    pub fn reset(&mut self) {
        self.inner.reset();
        self.pending.clear();
        self.to_skip = self.inner.output_delay();
        self.frames_in = 0;
        self.frames_out = 0;
    }

    fn run_chunk(&mut self, partial: Option<usize>, dst: &mut Vec<f32>) -> Result<(), String> {
        let ch = self.channels;
        let input = InterleavedSlice::new(&self.pending[..CHUNK * ch], ch, CHUNK)
            .map_err(|e| e.to_string())?;
        let frames_max = self.out.len() / ch;
        let mut output =
            InterleavedSlice::new_mut(&mut self.out, ch, frames_max).map_err(|e| e.to_string())?;
        let indexing = Indexing {
            partial_len: partial,
            ..Indexing::default()
        };
        let (_, written) = self
            .inner
            .process_into_buffer(&input, &mut output, Some(&indexing))
            .map_err(|e| e.to_string())?;
        let skip = self.to_skip.min(written);
        self.to_skip -= skip;
        dst.extend_from_slice(&self.out[skip * ch..written * ch]);
        self.frames_out += (written - skip) as u64;
        Ok(())
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
