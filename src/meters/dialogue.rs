//! Speech flags for the dialogue level *estimate*: one "speech or not" flag per 10 ms sub-block,
//! from a voice-activity detector, for [`LoudnessAccumulator::push`](super::LoudnessAccumulator)
//! to gate on. Netflix measures 2.0 mixes dialogue-gated; Dolby Dialogue Intelligence is
//! licensed code, so we do what speech-gated meters do (research notes §4.2): downmix, resample
//! to 16 kHz, run a VAD (`earshot`), hold each detection a little (syllable gaps are speech), and
//! hand the loudness meter a flag per sub-block. The number is labelled an estimate.
//!
//! Alignment: flag `k` belongs to sub-block `k` of [`SubBlockFilter`](super::SubBlockFilter) on
//! the same stream (it ends at sample `⌊(k + 1)·rate / 100⌋`), and [`SpeechDetector::push`]
//! appends exactly the flags of the sub-blocks completed by the samples pushed so far, so the
//! flags and the sub-blocks can be zipped after every push. To be that prompt the flag of a
//! sub-block is decided by the VAD frames that have been *heard* by its last sample: those that
//! end inside it, or else the latest one before it. The flags therefore trail the sound by 1–2
//! sub-blocks (the 16 ms VAD frame plus the resampler's 0.7 ms look-ahead); against 400 ms gating
//! blocks that is a 2–4 % shift, and the hold covers the tail anyway. The result depends only on
//! the samples, never on how they were split into pushes.

use std::collections::VecDeque;
use std::fmt;

use earshot::Detector;

use super::syllabic::SyllabicRhythm;

/// The VAD's sample rate and frame length (16 ms), fixed by the `earshot` model.
const VAD_RATE: u64 = 16_000;
const VAD_FRAME: usize = 256;
/// `earshot`'s scores are 0…1; its authors suggest 0.5.
const THRESHOLD: f32 = 0.5;
/// Share of the last second's level movement that must lie at syllable rate (see
/// `syllabic`): harmonic music fools the VAD, rarely this too.
const RHYTHM_THRESHOLD: f32 = 0.3;
/// Frames (16 ms each) a detection is held after the last frame above the threshold: 160 ms,
/// enough to bridge the gaps between syllables and words, short enough not to swallow a pause
/// between sentences.
const HOLD_FRAMES: u32 = 10;
/// Input frames processed at a time, so that one huge push (a whole file) needs no more memory
/// than a small one.
const BLOCK_FRAMES: usize = 4096;
/// Above this many filter phases the phase is quantised (odd rates only; the error is under
/// 1/1024 of an input sample, far below what a VAD can notice).
const MAX_PHASES: u64 = 1024;
/// Resampling filter: zero crossings of the output rate either side of the centre, cutoff as a
/// share of the lower Nyquist frequency, Kaiser β. At 48 kHz this is a 96-tap decimation by 3,
/// flat to ~6.6 kHz and ~60 dB down by 8.6 kHz: clean enough for a VAD that looks at mel bands
/// up to 8 kHz, and cheaper than a general resampler.
const ZERO_CROSSINGS: f64 = 12.0;
const CUTOFF: f64 = 0.94;
const KAISER_BETA: f64 = 6.0;

/// A streaming rational resampler from `rate` to 16 kHz: windowed-sinc polyphase FIR,
/// computing only the output samples (so at 48 kHz a plain decimation by 3).
#[derive(Clone, Debug)]
struct Resampler {
    /// Output/input ratio `up / down` in lowest terms.
    up: u64,
    down: u64,
    /// Half-length in input samples; taps = 2·half, a multiple of 8 for the vector loop.
    half: usize,
    taps: usize,
    /// `phases` rows of `taps` coefficients.
    phases: u64,
    coefs: Vec<f32>,
    /// Input history: `hist[j]` is input sample `hist_start + j − half` (so the stream starts
    /// after `half` zeros, which lets the first output be centred on the first sample).
    hist: Vec<f32>,
    hist_start: u64,
    /// Next output `n`: input position `n·down/up` = `base + phase/up`.
    base: u64,
    phase: u64,
    /// `down / up` and `down % up`: how far the input position moves per output.
    step: u64,
    step_frac: u64,
}

/// When the resampler's outputs can be made (a copy, so it can be used while draining).
#[derive(Clone, Copy, Debug)]
struct Timing {
    up: u64,
    down: u64,
    half: u64,
}

impl Timing {
    /// Input samples that must have been pushed before output `n` can be made: it is centred at
    /// input `n·down/up` and reads up to `half` samples after it.
    fn needed_for(self, n: u64) -> u64 {
        n * self.down / self.up + self.half + 1
    }
}

fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term) = (1.0, 1.0);
    for k in 1..64 {
        let t = x / (2.0 * k as f64);
        term *= t * t;
        sum += term;
        if term < 1e-14 * sum {
            break;
        }
    }
    sum
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Resampler {
    fn new(rate: u32) -> Self {
        let rate = u64::from(rate.max(1));
        let g = gcd(rate, VAD_RATE);
        let (up, down) = (VAD_RATE / g, rate / g);
        // Filter width in input samples: the zero crossings are at the lower of the two rates.
        let stretch = (rate as f64 / VAD_RATE as f64).max(1.0);
        let half = ((ZERO_CROSSINGS * stretch / 4.0).ceil() as usize * 4).max(4);
        let taps = 2 * half;
        let phases = up.min(MAX_PHASES);
        // Cutoff in cycles per input sample.
        let fc = CUTOFF * 0.5 * (VAD_RATE.min(rate) as f64) / rate as f64;
        let i0_beta = bessel_i0(KAISER_BETA);
        let mut coefs = Vec::with_capacity(phases as usize * taps);
        for q in 0..phases {
            let frac = q as f64 / phases as f64;
            let row: Vec<f64> = (0..taps)
                .map(|m| {
                    // Distance from the output instant to tap m's input sample.
                    let x = frac + (half - 1) as f64 - m as f64;
                    let u = x / half as f64;
                    if u.abs() >= 1.0 {
                        return 0.0;
                    }
                    let y = 2.0 * fc * x;
                    let sinc = if y.abs() < 1e-12 {
                        1.0
                    } else {
                        (std::f64::consts::PI * y).sin() / (std::f64::consts::PI * y)
                    };
                    let w = bessel_i0(KAISER_BETA * (1.0 - u * u).sqrt()) / i0_beta;
                    2.0 * fc * sinc * w
                })
                .collect();
            // Unity gain at DC for every phase, so a phase change never shows as a level step.
            let sum: f64 = row.iter().sum();
            coefs.extend(row.iter().map(|c| (c / sum) as f32));
        }
        let mut r = Self {
            up,
            down,
            half,
            taps,
            phases,
            coefs,
            hist: Vec::with_capacity(BLOCK_FRAMES + 2 * taps + 16),
            hist_start: 0,
            base: 0,
            phase: 0,
            step: down / up,
            step_frac: down % up,
        };
        r.reset();
        r
    }

    fn reset(&mut self) {
        self.hist.clear();
        self.hist.resize(self.half, 0.0);
        self.hist_start = 0;
        self.base = 0;
        self.phase = 0;
    }

    fn timing(&self) -> Timing {
        Timing {
            up: self.up,
            down: self.down,
            half: self.half as u64,
        }
    }

    #[inline]
    fn push(&mut self, x: f32) {
        self.hist.push(x);
    }

    /// Makes every output the pushed input allows, then forgets the input no output needs.
    fn drain(&mut self, mut out: impl FnMut(f32)) {
        loop {
            // Output reads hist positions base+1 … base+taps (in stream-with-zeros numbering).
            let start = (self.base + 1 - self.hist_start) as usize;
            let Some(window) = self.hist.get(start..start + self.taps) else {
                break;
            };
            // No divisions in this loop: they would cost more than the filter.
            let q = if self.phases == self.up {
                self.phase
            } else {
                self.phase * self.phases / self.up
            };
            let row = q as usize * self.taps;
            out(dot(window, &self.coefs[row..row + self.taps]));
            self.base += self.step;
            self.phase += self.step_frac;
            if self.phase >= self.up {
                self.phase -= self.up;
                self.base += 1;
            }
        }
        let keep_from = ((self.base + 1 - self.hist_start) as usize).min(self.hist.len());
        self.hist.copy_within(keep_from.., 0);
        self.hist.truncate(self.hist.len() - keep_from);
        self.hist_start += keep_from as u64;
    }
}

/// Dot product with eight running sums, which the compiler turns into vector code (one sum
/// would force it to add in order, one lane at a time). `a.len()` is a multiple of 8.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    acc.iter().sum()
}

/// Detects speech in a stereo programme, one flag per 10 ms sub-block.
pub struct SpeechDetector {
    rate: u32,
    resampler: Resampler,
    vad: Box<Detector>,
    rhythm: SyllabicRhythm,
    /// The VAD frame being filled.
    frame: [f32; VAD_FRAME],
    filled: usize,
    /// VAD frames scored so far.
    frames: u64,
    /// Frames since the last one above the threshold (saturating; large = none yet).
    since_voice: u32,
    /// Decided frames not yet assigned to a sub-block: (input samples needed to hear the frame,
    /// speech after the hold).
    decided: VecDeque<(u64, bool)>,
    /// The newest decision handed out, for sub-blocks shorter than a VAD frame.
    latest: bool,
    /// Input frames taken so far.
    input: u64,
    /// Sub-blocks flagged so far, and the input frame count at which the next one ends.
    sub_blocks: u64,
    next_end: u64,
}

impl fmt::Debug for SpeechDetector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpeechDetector")
            .field("rate", &self.rate)
            .field("input", &self.input)
            .field("vad_frames", &self.frames)
            .field("sub_blocks", &self.sub_blocks)
            .finish_non_exhaustive()
    }
}

impl SpeechDetector {
    /// A detector for interleaved stereo at `sample_rate` Hz.
    pub fn new(sample_rate: u32) -> Self {
        let rate = sample_rate.max(1);
        // Decisions queued between two sub-block ends: at most one block's worth of VAD frames.
        let per_block = BLOCK_FRAMES as u64 * VAD_RATE / u64::from(rate) / VAD_FRAME as u64;
        let mut d = Self {
            rate,
            resampler: Resampler::new(rate),
            vad: Detector::default_boxed(),
            rhythm: SyllabicRhythm::new(),
            frame: [0.0; VAD_FRAME],
            filled: 0,
            frames: 0,
            since_voice: u32::MAX,
            decided: VecDeque::with_capacity(per_block as usize + 8),
            latest: false,
            input: 0,
            sub_blocks: 0,
            next_end: 0,
        };
        d.next_end = d.end_of(0);
        d
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// Sub-blocks flagged so far (equals `SubBlockFilter::index` on the same stream).
    pub fn sub_blocks(&self) -> u64 {
        self.sub_blocks
    }

    /// Input frames after which sub-block `k` is complete (as in `SubBlockFilter`).
    fn end_of(&self, k: u64) -> u64 {
        (k + 1) * u64::from(self.rate) / super::sub_blocks::SUB_BLOCKS_PER_SECOND
    }

    /// Analyses `interleaved_stereo` (L R L R …; a trailing half frame is ignored, as the
    /// sub-block filter does) and appends one flag per sub-block completed by it, `true` where
    /// the detector heard speech.
    pub fn push(&mut self, interleaved_stereo: &[f32], flags: &mut Vec<bool>) {
        for block in interleaved_stereo.chunks(2 * BLOCK_FRAMES) {
            let mut n = 0u64;
            for lr in block.chunks_exact(2) {
                // The dialogue of a 2.0 (or Lt/Rt) mix sits in the centre: L+R keeps it, and a
                // NaN or infinity in a damaged file must not poison the VAD's state.
                let m = 0.5 * (lr[0] + lr[1]);
                self.resampler.push(if m.is_finite() { m } else { 0.0 });
                n += 1;
            }
            self.input += n;
            self.run_vad();
            self.assign(flags);
        }
    }

    /// Scores every complete 16 kHz frame and queues its decision.
    fn run_vad(&mut self) {
        let Self {
            resampler,
            vad,
            rhythm,
            frame,
            filled,
            frames,
            since_voice,
            decided,
            ..
        } = self;
        let timing = resampler.timing();
        resampler.drain(|y| {
            // The resampler can overshoot full scale a little; earshot wants [-1, 1].
            frame[*filled] = y.clamp(-1.0, 1.0);
            *filled += 1;
            if *filled == VAD_FRAME {
                *filled = 0;
                let score = vad.predict_f32(&frame[..]);
                let mean_square = frame.iter().map(|x| x * x).sum::<f32>() / VAD_FRAME as f32;
                let rhythmic = rhythm.push(mean_square) >= RHYTHM_THRESHOLD;
                *since_voice = if score >= THRESHOLD && rhythmic {
                    0
                } else {
                    since_voice.saturating_add(1)
                };
                let last_output = (*frames + 1) * VAD_FRAME as u64 - 1;
                decided.push_back((timing.needed_for(last_output), *since_voice <= HOLD_FRAMES));
                *frames += 1;
            }
        });
    }

    /// Flags every sub-block that the input so far completes.
    fn assign(&mut self, flags: &mut Vec<bool>) {
        while self.next_end <= self.input {
            let (mut any, mut heard) = (false, false);
            while let Some(&(needed, speech)) = self.decided.front() {
                if needed > self.next_end {
                    break;
                }
                self.decided.pop_front();
                heard = true;
                any |= speech;
                self.latest = speech;
            }
            flags.push(if heard { any } else { self.latest });
            self.sub_blocks += 1;
            self.next_end = self.end_of(self.sub_blocks);
        }
    }

    /// Forgets everything: resampler, VAD state, position.
    pub fn reset(&mut self) {
        self.resampler.reset();
        self.vad.reset();
        self.rhythm.reset();
        self.filled = 0;
        self.frames = 0;
        self.since_voice = u32::MAX;
        self.decided.clear();
        self.latest = false;
        self.input = 0;
        self.sub_blocks = 0;
        self.next_end = self.end_of(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meters::SubBlockFilter;
    use std::f64::consts::PI;

    /// A small deterministic generator (xorshift), so the noise tests never change.
    struct Noise(u64);
    impl Noise {
        fn next(&mut self) -> f32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        }
    }

    fn stereo(mono: &[f32]) -> Vec<f32> {
        mono.iter().flat_map(|&x| [x, x]).collect()
    }

    fn sine(rate: u32, secs: f64, hz: f64, amp: f64) -> Vec<f32> {
        let n = (secs * rate as f64) as usize;
        (0..n)
            .map(|i| (amp * (2.0 * PI * hz * i as f64 / rate as f64).sin()) as f32)
            .collect()
    }

    /// Pink-ish noise: white noise through Paul Kellet's economy filter (−3 dB/octave ±0.5 dB).
    fn pink(rate: u32, secs: f64, amp: f32) -> Vec<f32> {
        let mut w = Noise(0x9E37_79B9_7F4A_7C15);
        let (mut b0, mut b1, mut b2) = (0.0f32, 0.0f32, 0.0f32);
        (0..(secs * rate as f64) as usize)
            .map(|_| {
                let x = w.next();
                b0 = 0.99765 * b0 + x * 0.0990460;
                b1 = 0.96300 * b1 + x * 0.2965164;
                b2 = 0.57000 * b2 + x * 1.0526913;
                (b0 + b1 + b2 + x * 0.1848) * amp * 0.25
            })
            .collect()
    }

    /// `x` scaled to an RMS level of `dbfs`.
    fn at_rms(mut x: Vec<f32>, dbfs: f64) -> Vec<f32> {
        let rms = (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
        let g = (10f64.powf(dbfs / 20.0) / rms) as f32;
        x.iter_mut().for_each(|v| *v *= g);
        x
    }

    fn flags_of(rate: u32, interleaved: &[f32]) -> Vec<bool> {
        let mut d = SpeechDetector::new(rate);
        let mut flags = Vec::new();
        d.push(interleaved, &mut flags);
        flags
    }

    fn speech_share(flags: &[bool]) -> f64 {
        flags.iter().filter(|&&f| f).count() as f64 / flags.len().max(1) as f64
    }

    #[test]
    fn flags_follow_the_sub_block_numbering_at_any_chunking() {
        for rate in [48_000, 44_100, 22_050, 96_000, 16_000, 8_000, 47_952] {
            let s = stereo(&pink(rate, 3.37, 0.3));
            let whole = flags_of(rate, &s);
            for chunk_frames in [1, 17, 333, 1001, 4099, 10_007] {
                let mut filter = SubBlockFilter::new(rate, 2);
                let mut d = SpeechDetector::new(rate);
                let mut flags = Vec::new();
                for c in s.chunks(2 * chunk_frames) {
                    filter.push(c, |_, _| {});
                    d.push(c, &mut flags);
                    assert_eq!(
                        flags.len() as u64,
                        filter.index(),
                        "{rate} Hz, {chunk_frames}"
                    );
                    assert_eq!(d.sub_blocks(), filter.index());
                }
                assert_eq!(flags, whole, "{rate} Hz, chunks of {chunk_frames}");
            }
            let mut filter = SubBlockFilter::new(rate, 2);
            filter.push(&s, |_, _| {});
            assert_eq!(whole.len() as u64, filter.index(), "{rate} Hz");
            assert!((336..=337).contains(&whole.len()), "{rate} Hz");
        }
    }

    #[test]
    fn a_trailing_half_frame_is_ignored_like_the_sub_block_filter_does() {
        let mut s = stereo(&sine(48_000, 0.5, 440.0, 0.1));
        s.push(0.5);
        let mut filter = SubBlockFilter::new(48_000, 2);
        filter.push(&s, |_, _| {});
        assert_eq!(flags_of(48_000, &s).len() as u64, filter.index());
    }

    #[test]
    fn reset_starts_again_from_nothing() {
        let s = stereo(&pink(44_100, 1.5, 0.3));
        let mut d = SpeechDetector::new(44_100);
        let mut first = Vec::new();
        d.push(&s, &mut first);
        d.reset();
        let mut again = Vec::new();
        d.push(&s, &mut again);
        assert_eq!(first, again);
        assert_eq!(d.sub_blocks(), 150);
    }

    #[test]
    fn silence_is_not_speech() {
        for rate in [48_000, 44_100] {
            let flags = flags_of(rate, &vec![0.0; rate as usize * 2 * 10]);
            assert_eq!(speech_share(&flags), 0.0, "{rate}");
        }
    }

    #[test]
    fn pure_tones_are_not_speech() {
        for rate in [48_000, 44_100] {
            for (hz, dbfs) in [
                (997.0, -18.0),
                (100.0, -12.0),
                (440.0, -30.0),
                (5000.0, -20.0),
            ] {
                let s = stereo(&sine(rate, 10.0, hz, 10f64.powf(dbfs / 20.0)));
                let share = speech_share(&flags_of(rate, &s));
                assert!(
                    share <= 0.1,
                    "{rate} Hz, {hz} Hz tone at {dbfs} dBFS: {share}"
                );
            }
        }
    }

    /// Broadband noise at programme levels (a bed, hiss, rain) is not speech. Louder than about
    /// −18 dBFS RMS `earshot` starts calling it speech (measured: pink noise at −17 dBFS reads
    /// 96 % speech), which is far above any bed under dialogue at −27 LUFS.
    #[test]
    fn pink_and_white_noise_are_not_speech() {
        for rate in [48_000, 44_100] {
            for dbfs in [-20.0, -30.0, -45.0] {
                let s = stereo(&at_rms(pink(rate, 10.0, 1.0), dbfs));
                let share = speech_share(&flags_of(rate, &s));
                assert!(share <= 0.1, "{rate} Hz pink noise at {dbfs} dBFS: {share}");
                let mut w = Noise(7);
                let white = at_rms((0..rate * 10).map(|_| w.next()).collect(), dbfs);
                let share = speech_share(&flags_of(rate, &stereo(&white)));
                assert!(
                    share <= 0.1,
                    "{rate} Hz white noise at {dbfs} dBFS: {share}"
                );
            }
        }
    }

    #[test]
    fn out_of_range_and_non_finite_samples_do_not_break_it() {
        let mut s = stereo(&sine(48_000, 2.0, 200.0, 4.0));
        s[1000] = f32::NAN;
        s[2001] = f32::INFINITY;
        let flags = flags_of(48_000, &s);
        assert_eq!(flags.len(), 200);
        // After the damage the detector still works: silence reads as silence.
        let mut d = SpeechDetector::new(48_000);
        let mut f = Vec::new();
        d.push(&s, &mut f);
        f.clear();
        d.push(&vec![0.0; 48_000 * 2 * 3], &mut f);
        assert!(f[50..].iter().all(|&x| !x));
    }

    #[test]
    fn the_resampler_passes_speech_frequencies_and_stops_aliases() {
        for rate in [48_000, 44_100, 96_000, 22_050, 8_000] {
            let gain = |hz: f64| {
                let mut r = Resampler::new(rate);
                let mut out = Vec::new();
                for x in sine(rate, 1.0, hz, 0.5) {
                    r.push(x);
                }
                r.drain(|y| out.push(y));
                let tail = &out[out.len() / 4..out.len() * 3 / 4];
                let rms = (tail.iter().map(|y| (*y as f64).powi(2)).sum::<f64>()
                    / tail.len() as f64)
                    .sqrt();
                20.0 * (rms / (0.5 / 2f64.sqrt())).log10()
            };
            let nyquist = (rate.min(16_000) / 2) as f64;
            for hz in [100.0, 1000.0, 0.75 * nyquist] {
                let g = gain(hz);
                assert!(g.abs() < 0.1, "{rate} Hz: {hz} Hz passes at {g:.2} dB");
            }
            if rate > 16_000 {
                for hz in [9000.0, 12_000.0, (rate / 2) as f64 * 0.95] {
                    let g = gain(hz);
                    assert!(g < -50.0, "{rate} Hz: {hz} Hz aliases at {g:.1} dB");
                }
            }
            // One second in, 16 000 out (less the look-ahead still waiting for input).
            let mut r = Resampler::new(rate);
            let mut n = 0;
            for _ in 0..rate {
                r.push(0.0);
            }
            r.drain(|_| n += 1);
            assert!((15_900..=16_000).contains(&n), "{rate}: {n}");
        }
    }

    #[test]
    fn it_is_much_faster_than_realtime() {
        let rate = 48_000;
        let secs = 60.0;
        let mut s = stereo(&pink(rate, secs, 0.3));
        // Something for the VAD to chew on besides noise.
        for (i, x) in sine(rate, secs, 220.0, 0.2).iter().enumerate() {
            s[2 * i] += x;
        }
        let mut d = SpeechDetector::new(rate);
        let mut flags = Vec::with_capacity(6000);
        let t = std::time::Instant::now();
        for c in s.chunks(2 * 1024) {
            d.push(c, &mut flags);
        }
        let took = t.elapsed().as_secs_f64();
        let speed = secs / took;
        println!(
            "SpeechDetector at 48 kHz: {speed:.0}× realtime ({:.2} s for 2 hours)",
            7200.0 / speed
        );
        assert_eq!(flags.len(), 6000);
        // A lenient floor so a loaded machine never fails it; the print is the measurement.
        assert!(speed > 100.0, "{speed:.0}× realtime");
    }
}
#[cfg(test)]
mod tmp_prof {
    use super::*;
    #[test]
    fn prof_parts() {
        let secs = 30usize;
        for rate in [48_000u32, 44_100] {
            let x: Vec<f32> = (0..rate as usize * secs)
                .map(|i| ((i as f32) * 0.01).sin() * 0.3)
                .collect();
            let (mut br, mut bv) = (0.0f64, 0.0f64);
            for _ in 0..6 {
                let mut r = Resampler::new(rate);
                let mut out = Vec::with_capacity(16000 * secs);
                let t = std::time::Instant::now();
                for c in x.chunks(4096) {
                    for &v in c {
                        r.push(v);
                    }
                    r.drain(|y| out.push(y));
                }
                br = br.max(secs as f64 / t.elapsed().as_secs_f64());
                let mut d = Detector::default_boxed();
                let t = std::time::Instant::now();
                let mut s = 0.0;
                for f in out.chunks_exact(256) {
                    s += d.predict_f32(f);
                }
                bv = bv.max(secs as f64 / t.elapsed().as_secs_f64());
                std::hint::black_box(s);
            }
            println!(
                "{rate}: resampler {br:.0}x  vad {bv:.0}x  taps {}",
                Resampler::new(rate).taps
            );
        }
    }
}
