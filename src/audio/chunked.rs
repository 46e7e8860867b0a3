//! Feeding a rubato resampler in fixed input chunks, for both resampling stages (file→device
//! rate, and a shared review's drift correction): input is gathered until a chunk is full, the
//! resampler's start-up delay is dropped from the output so the first output frame is the first
//! input frame, and `flush` pushes the tail through with silence, cut to the length the input
//! is worth.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Indexing, Resampler};

/// Input frames per resampler call.
pub(super) const CHUNK: usize = 1024;

/// A resampler `R` fed in [`CHUNK`]s of interleaved f32.
pub(super) struct Chunked<R> {
    inner: R,
    channels: usize,
    /// Input waiting for a full chunk.
    pending: Vec<f32>,
    /// Output scratch, sized once.
    out: Vec<f32>,
    /// Output frames still to drop (the resampler's delay).
    to_skip: usize,
    /// Output frames emitted since the last reset.
    frames_out: u64,
}

impl<R: Resampler<f32>> Chunked<R> {
    /// `inner` takes [`CHUNK`] input frames per call; its first `to_skip` output frames come
    /// before the first input frame's.
    pub(super) fn new(inner: R, channels: usize, to_skip: usize) -> Self {
        let out = vec![0.0; inner.output_frames_max() * channels];
        Self {
            inner,
            channels,
            pending: Vec::with_capacity(CHUNK * channels * 2),
            out,
            to_skip,
            frames_out: 0,
        }
    }

    pub(super) fn inner_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Feeds interleaved input; appends whatever output is ready to `dst`.
    pub(super) fn push(&mut self, input: &[f32], dst: &mut Vec<f32>) -> Result<(), String> {
        self.pending.extend_from_slice(input);
        while self.pending.len() >= CHUNK * self.channels {
            self.run_chunk(None, dst)?;
            self.pending.drain(..CHUNK * self.channels);
        }
        Ok(())
    }

    /// Pushes out everything still inside, so that `expected` frames have come out in all.
    pub(super) fn flush(&mut self, expected: u64, dst: &mut Vec<f32>) -> Result<(), String> {
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

    /// Forgets all sound inside (a seek); the next output drops `to_skip` frames again.
    pub(super) fn reset(&mut self, to_skip: usize) {
        self.inner.reset();
        self.pending.clear();
        self.to_skip = to_skip;
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
