//! Playing a check signal's loop block by block, with raised-cosine fades so that a check
//! starts, stops and hands over to the next one without a click.
//!
//! Meant for the audio path: [`SignalStream::fill`] does arithmetic on the caller's buffer only
//! (no allocation, no locks). The loop sits behind an `Arc`, made and finally dropped off the
//! audio thread by whoever owns the other handle. What the loop holds is the signal maker's
//! business (`headphones::signals` makes the calibration checks'); the stream only needs its
//! samples, through [`StereoLoop`], so the output knows nothing about headphones.

use std::sync::Arc;

/// Length of every fade in, fade out and burst edge. 10 ms is well past the few milliseconds
/// under which a gain step is heard as a click, and short enough that a switch feels immediate.
pub const FADE_MS: u32 = 10;

/// What a [`SignalStream`] plays: a fixed stretch of interleaved stereo `f32` that repeats
/// without a seam (`headphones::SignalLoop`, the calibration check signals).
pub trait StereoLoop: Send + Sync + std::fmt::Debug {
    /// The sample rate it was made at.
    fn rate(&self) -> u32;
    /// Interleaved left, right samples of one repetition.
    fn samples(&self) -> &[f32];
}

/// Raised-cosine gain `pos / len` of the way up: 0 at 0, 1 at `len`, flat at both ends.
pub fn raised_cosine(pos: usize, len: usize) -> f64 {
    if len == 0 || pos >= len {
        return 1.0;
    }
    0.5 - 0.5 * (std::f64::consts::PI * pos as f64 / len as f64).cos()
}

/// (left, right) of `samples` (interleaved stereo) at `frame`, wrapping around the loop.
fn frame_at(samples: &[f32], frame: usize) -> [f32; 2] {
    let i = (frame % (samples.len() / 2).max(1)) * 2;
    match samples.get(i..i + 2) {
        Some(&[l, r]) => [l, r],
        _ => [0.0, 0.0],
    }
}

/// A loop playing: fading in from its first frame, repeating until [`stop`](Self::stop), then
/// fading out and falling silent.
#[derive(Clone, Debug)]
pub struct SignalStream {
    signal: Arc<dyn StereoLoop>,
    /// Next frame of the loop to play.
    pos: usize,
    /// Fade length in frames, and how far up it is (0 silent, `fade_len` full level).
    fade_len: usize,
    fade_pos: usize,
    stopping: bool,
    /// Frames written so far, silence after the end included.
    played: u64,
}

impl SignalStream {
    /// Starts at the loop's first frame, silent, fading in.
    pub fn new(signal: Arc<dyn StereoLoop>) -> Self {
        let fade_len = (u64::from(signal.rate()) * u64::from(FADE_MS) / 1000).max(1) as usize;
        Self {
            signal,
            pos: 0,
            fade_len,
            fade_pos: 0,
            stopping: false,
            played: 0,
        }
    }

    pub fn signal(&self) -> &dyn StereoLoop {
        &*self.signal
    }

    /// Begins the fade out (from wherever the fade in has got to, so an early stop is smooth too).
    pub fn stop(&mut self) {
        self.stopping = true;
    }

    /// The fade out is over: everything from now on is silence.
    pub fn is_finished(&self) -> bool {
        self.stopping && self.fade_pos == 0
    }

    /// Frame of the loop to be played next: with `headphones::SignalLoop::segment_at`, which
    /// ear is live.
    pub fn loop_position(&self) -> usize {
        self.pos
    }

    pub fn frames_played(&self) -> u64 {
        self.played
    }

    /// Writes interleaved stereo into `out` (a trailing odd sample is zeroed) and returns how many
    /// frames carried the signal; frames after the end of the fade out are silence.
    pub fn fill(&mut self, out: &mut [f32]) -> usize {
        let samples = self.signal.samples();
        let frames_in_loop = samples.len() / 2;
        let mut live = 0;
        let mut chunks = out.chunks_exact_mut(2);
        for frame in &mut chunks {
            self.played += 1;
            if self.is_finished() || frames_in_loop == 0 {
                frame.fill(0.0);
                continue;
            }
            let gain = raised_cosine(self.fade_pos, self.fade_len) as f32;
            let [l, r] = frame_at(samples, self.pos);
            frame[0] = l * gain;
            frame[1] = r * gain;
            live += 1;
            self.pos = (self.pos + 1) % frames_in_loop;
            if self.stopping {
                self.fade_pos = self.fade_pos.saturating_sub(1);
            } else if self.fade_pos < self.fade_len {
                self.fade_pos += 1;
            }
        }
        chunks.into_remainder().fill(0.0);
        live
    }
}

/// Loops for the tests here and in `signal_slot`, made the way `headphones::signals` makes a
/// tone (that module sits above this one and is tested against it there).
#[cfg(test)]
pub(super) mod test_loops {
    use super::StereoLoop;

    #[derive(Debug)]
    pub struct TestLoop {
        pub rate: u32,
        pub samples: Vec<f32>,
    }

    impl StereoLoop for TestLoop {
        fn rate(&self) -> u32 {
            self.rate
        }
        fn samples(&self) -> &[f32] {
            &self.samples
        }
    }

    /// A one-second loop of a `hz` sine peaking at `peak_dbfs`, times `gains` (left, right):
    /// `(1, 0)` left only, `(0, 1)` right only, `(1, 1)` centred.
    pub fn sine(rate: u32, hz: u64, peak_dbfs: f64, gains: (f32, f32)) -> TestLoop {
        let frames = u64::from(rate);
        let amplitude = 10f64.powf(peak_dbfs / 20.0);
        let mut samples = Vec::with_capacity(2 * frames as usize);
        for n in 0..frames {
            let k = (n * hz) % frames;
            let x = (amplitude * (std::f64::consts::TAU * k as f64 / frames as f64).sin()) as f32;
            samples.push(x * gains.0);
            samples.push(x * gains.1);
        }
        TestLoop { rate, samples }
    }

    /// `frames` frames of a ramp, no two alike, so a seam would show.
    pub fn ramp(rate: u32, frames: usize) -> TestLoop {
        let samples = (0..2 * frames)
            .map(|i| i as f32 / (2 * frames) as f32)
            .collect();
        TestLoop { rate, samples }
    }
}

#[cfg(test)]
mod tests {
    use super::test_loops::{ramp, sine};
    use super::*;

    fn stream(rate: u32) -> SignalStream {
        SignalStream::new(Arc::new(sine(rate, 1000, -20.0, (1.0, 1.0))))
    }

    #[test]
    fn fades_in_from_silence_then_plays_the_loop_exactly() {
        let mut s = stream(48_000);
        let mut out = vec![1.0f32; 2 * 2000];
        assert_eq!(s.fill(&mut out), 2000);
        assert_eq!(out[0], 0.0, "the first frame is silent");
        // After 480 frames (10 ms) the output is the loop itself, unscaled.
        for f in 480..2000 {
            assert_eq!(
                [out[2 * f], out[2 * f + 1]],
                frame_at(s.signal().samples(), f),
                "frame {f}"
            );
        }
        // The fade is smooth: no step bigger than the tone's own largest step.
        let amp = 10f32.powf(-1.0);
        let max_step = std::f32::consts::TAU * 1000.0 / 48_000.0 * amp;
        for f in 1..480 {
            let step = (out[2 * f] - out[2 * f - 2]).abs();
            assert!(step <= max_step * 1.01, "step {step} at frame {f}");
        }
    }

    #[test]
    fn stop_fades_out_then_silence_even_mid_fade_in() {
        let mut s = stream(48_000);
        let mut out = vec![0.0f32; 2 * 100];
        s.fill(&mut out);
        s.stop();
        let mut rest = vec![1.0f32; 2 * 1000];
        let live = s.fill(&mut rest);
        assert_eq!(live, 100, "fades down the same 100 frames it had come up");
        assert!(s.is_finished());
        assert!(rest[2 * live..].iter().all(|&x| x == 0.0));
        assert_eq!(s.frames_played(), 1100);
    }

    #[test]
    fn loops_without_a_seam() {
        let n = 8_000;
        let mut s = SignalStream::new(Arc::new(ramp(8_000, n)));
        let mut out = vec![0.0f32; 2 * (n + 10)];
        s.fill(&mut out);
        for f in 0..10 {
            assert_eq!(out[2 * (n + f)], frame_at(s.signal().samples(), f)[0]);
        }
        assert_eq!(s.loop_position(), 10);
    }

    #[test]
    fn odd_trailing_sample_is_zeroed() {
        let mut s = stream(48_000);
        let mut out = vec![1.0f32; 7];
        assert_eq!(s.fill(&mut out), 3);
        assert_eq!(out[6], 0.0);
    }
}
