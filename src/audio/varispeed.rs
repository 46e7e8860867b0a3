//! Playing the programme a few parts per million faster or slower than the device's rate: how a
//! shared review keeps a guest's sound on the host's when their sound cards' clocks differ
//! (tens of ppm is common, i.e. a few milliseconds a minute). Never by dropping or repeating
//! samples: rubato's asynchronous sinc resampler runs at a ratio a hair from 1, steered by the
//! follower, so the change is a pitch shift far below a cent.
//!
//! The speed is in parts per billion of *programme* time per device frame: +40 000 ppb plays 1 s
//! of programme in 0.99996 s. Output frame `k` after a change carries the programme time the
//! feed's retime mark says ([`crate::audio::output::content_ns`]); the resampler's own delay is
//! dropped at the start, so the first output frame is the first input frame.

use super::chunked::{CHUNK, Chunked};
use rubato::{Adjustable as _, Async, FixedAsync, SincInterpolationParameters, WindowFunction};

/// The sinc filter's length, frames.
const SINC_LEN: usize = 256;
/// The furthest the speed may go either way (1 %: far beyond any sound card's error).
const MAX_RELATIVE: f64 = 1.01;
/// The speed is held within this many ppb (±0.1 %).
pub const MAX_SPEED_PPB: i64 = 1_000_000;

/// Interleaved f32 at a steerable speed, delay removed.
pub struct Varispeed {
    chunks: Chunked<Async<f32>>,
    channels: usize,
    speed_ppb: i64,
    /// Output frames the input since the last reset is worth, at the speeds it went in at.
    owed: f64,
}

/// The resampler's ratio (output frames per input frame) for a speed.
fn ratio(speed_ppb: i64) -> f64 {
    1e9 / (1e9 + speed_ppb as f64)
}

/// Output frames before the one that carries the first input frame. Measured rather than taken
/// from [`rubato::Resampler::output_delay`], which is a frame long here: output frame `j` is
/// input position `(j + 1) / ratio − SINC_LEN / 2`. At a speed other than 0 the first frame
/// kept is off by at most `SINC_LEN / 2 × speed` of a frame (0.13 frames at the ±0.1 % limit).
fn delay(speed_ppb: i64) -> usize {
    ((SINC_LEN / 2) as f64 * ratio(speed_ppb)).round() as usize - 1
}

impl Varispeed {
    /// A resampler for `channels` interleaved channels, at speed 0.
    pub fn new(channels: usize) -> Result<Self, String> {
        let params = SincInterpolationParameters::new(SINC_LEN, WindowFunction::BlackmanHarris2);
        let inner = Async::<f32>::new_sinc(
            1.0,
            MAX_RELATIVE,
            &params,
            CHUNK,
            channels,
            FixedAsync::Input,
        )
        .map_err(|e| format!("cannot set up the drift correction: {e}"))?;
        Ok(Self {
            chunks: Chunked::new(inner, channels, delay(0)),
            channels,
            speed_ppb: 0,
            owed: 0.0,
        })
    }

    pub fn speed_ppb(&self) -> i64 {
        self.speed_ppb
    }

    /// Runs the output at `speed_ppb` (clamped to ±[`MAX_SPEED_PPB`]) from the next output
    /// frame on; returns the speed set.
    pub fn set_speed(&mut self, speed_ppb: i64) -> Result<i64, String> {
        let speed = speed_ppb.clamp(-MAX_SPEED_PPB, MAX_SPEED_PPB);
        self.chunks
            .inner_mut()
            .set_resample_ratio_relative(ratio(speed), false)
            .map_err(|e| format!("cannot change the playback speed: {e}"))?;
        self.speed_ppb = speed;
        Ok(speed)
    }

    /// Feeds interleaved input; appends whatever output is ready to `dst`.
    pub fn push(&mut self, input: &[f32], dst: &mut Vec<f32>) -> Result<(), String> {
        self.owed += (input.len() / self.channels) as f64 * ratio(self.speed_ppb);
        self.chunks.push(input, dst)
    }

    /// Pushes out everything still inside: the output is as long as the input is worth.
    pub fn flush(&mut self, dst: &mut Vec<f32>) -> Result<(), String> {
        self.chunks.flush(self.owed.round() as u64, dst)
    }

    /// Forgets the sound inside (a seek, a loop's wrap); the speed stays.
    pub fn reset(&mut self) -> Result<(), String> {
        self.chunks.reset(delay(self.speed_ppb));
        self.owed = 0.0;
        self.set_speed(self.speed_ppb)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::output::content_ns;

    const RATE: u32 = 48_000;

    /// A 1 kHz tone at programme time `ns`, both channels (right inverted).
    fn tone_at(ns: i64) -> [f32; 2] {
        let v = (2.0 * std::f64::consts::PI * 1000.0 * ns as f64 / 1e9).sin() as f32 * 0.5;
        [v, -v]
    }

    fn tone(from_frame: usize, frames: usize) -> Vec<f32> {
        (from_frame..from_frame + frames)
            .flat_map(|i| tone_at(content_ns(i as u64, RATE, 0)))
            .collect()
    }

    #[test]
    fn each_output_frame_carries_the_programme_time_the_marks_say() {
        let mut v = Varispeed::new(2).expect("varispeed");
        let mut out = Vec::new();
        // Half a second at speed 0, then a second at +1000 ppm (a guest catching up), then at
        // −500 ppm; fed in odd-sized pieces as the decoder does.
        let input = tone(0, 2 * RATE as usize);
        let mut fed = 0;
        let mut marks = vec![(0usize, 0i64, 0i64)];
        let mut feed_until = |v: &mut Varispeed, out: &mut Vec<f32>, to: usize| {
            while fed < to {
                let n = (to - fed).min(777);
                v.push(&input[fed * 2..(fed + n) * 2], out).expect("push");
                fed += n;
            }
        };
        for (until, speed) in [(24_000, 1_000_000), (72_000, -500_000)] {
            feed_until(&mut v, &mut out, until);
            // A retime mark at the output's end, as the decode thread writes it.
            let (at, ns, s) = *marks.last().expect("mark");
            let here = out.len() / 2;
            marks.push((here, ns + content_ns((here - at) as u64, RATE, s), speed));
            v.set_speed(speed).expect("speed");
        }
        feed_until(&mut v, &mut out, 2 * RATE as usize);
        v.flush(&mut out).expect("flush");
        let frames = out.len() / 2;
        // 0.5 s + 1 s at 1.001 + 0.5 s at 0.9995: within a frame of what the input is worth.
        let expected = 24_000.0 + 48_000.0 / 1.001 + (2.0 * 48_000.0 - 72_000.0) / 0.9995;
        assert!(
            (frames as f64 - expected).abs() <= 1.0,
            "{frames} vs {expected}"
        );
        let mut worst = 0.0f32;
        for k in 1_000..frames - 1_000 {
            let (at, ns, s) = *marks.iter().rev().find(|m| m.0 <= k).expect("mark");
            let want = tone_at(ns + content_ns((k - at) as u64, RATE, s));
            worst = worst.max((out[k * 2] - want[0]).abs());
            worst = worst.max((out[k * 2 + 1] - want[1]).abs());
        }
        // A 1 kHz tone moves 0.003 of full scale per microsecond near its crossings: this is
        // well under a microsecond of timing error anywhere in the two seconds.
        assert!(worst < 2e-3, "max deviation {worst}");
    }

    #[test]
    fn a_reset_starts_clean_and_keeps_the_speed() {
        let mut v = Varispeed::new(2).expect("varispeed");
        assert_eq!(v.set_speed(5_000_000).expect("speed"), MAX_SPEED_PPB);
        let mut out = Vec::new();
        v.push(&tone(0, 5000), &mut out).expect("push");
        v.reset().expect("reset");
        out.clear();
        v.push(&tone(0, 48_000), &mut out).expect("push");
        v.flush(&mut out).expect("flush");
        assert_eq!(v.speed_ppb(), MAX_SPEED_PPB);
        assert_eq!(out.len() / 2, (48_000.0f64 / 1.001).round() as usize);
        // Started at the limit, the first frame kept is 0.128 of a frame late (see `delay`):
        // a 1 kHz tone at half scale moves up to 0.065 a frame, so 0.15 frames is 0.01.
        let worst = (1_000..40_000)
            .map(|k| (out[k * 2] - tone_at(content_ns(k as u64, RATE, MAX_SPEED_PPB))[0]).abs())
            .fold(0.0f32, f32::max);
        assert!(worst < 0.01, "max deviation {worst}");
    }
}
