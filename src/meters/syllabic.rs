//! Syllabic rhythm: how much of a sound's loudness movement happens at the rate of syllables.
//!
//! Speech switches on and off three to eight times a second (syllables), so the envelope of
//! its level in dB carries most of its modulation energy between about 3 and 8 Hz; sustained
//! music (held chords, pads, a slow melody) moves mostly slower. This is the "4 Hz modulation
//! energy" feature of speech/music discriminators (Scheirer and Slaney, 1997). The voice
//! detector alone takes harmonic music for voice, so the dialogue estimate asks both: a frame is
//! speech when the detector says so *and* the last second has a syllabic rhythm.
//!
//! Works on one energy value per 16 ms detector frame; a 64-frame window (1.024 s) gives
//! ~0.98 Hz bins.

/// Frames in the analysis window.
const WINDOW: usize = 64;
/// Envelope floor below the window's loudest frame: pauses count as deep dips, not as −∞.
const FLOOR_DB: f32 = 40.0;
/// The syllabic band, in bins of 1/1.024 s (≈ 2.9–7.8 Hz).
const SYLLABLE_BINS: std::ops::RangeInclusive<usize> = 3..=8;
/// Envelope movement smaller than this (dB RMS) is steady sound, whatever its rhythm.
const STEADY_DB: f32 = 1.5;

/// The rhythm over the last second of frames.
#[derive(Clone, Debug)]
pub struct SyllabicRhythm {
    /// Frame levels in dB, a ring.
    levels: [f32; WINDOW],
    at: usize,
    seen: usize,
    /// cos and sin of 2πkn/WINDOW for the bins 1…WINDOW/2 − 1, row by bin.
    cos: Vec<f32>,
    sin: Vec<f32>,
}

impl Default for SyllabicRhythm {
    fn default() -> Self {
        Self::new()
    }
}

impl SyllabicRhythm {
    pub fn new() -> Self {
        let bins = WINDOW / 2 - 1;
        let mut cos = Vec::with_capacity(bins * WINDOW);
        let mut sin = Vec::with_capacity(bins * WINDOW);
        for k in 1..=bins {
            for n in 0..WINDOW {
                let a = 2.0 * std::f64::consts::PI * (k * n) as f64 / WINDOW as f64;
                cos.push(a.cos() as f32);
                sin.push(a.sin() as f32);
            }
        }
        Self {
            levels: [0.0; WINDOW],
            at: 0,
            seen: 0,
            cos,
            sin,
        }
    }

    /// Adds one frame's mean square and returns the share (0…1) of the last second's envelope
    /// modulation that lies in the syllabic band; 0 until a second has been heard or while
    /// the level hardly moves.
    pub fn push(&mut self, mean_square: f32) -> f32 {
        self.levels[self.at] = 10.0 * mean_square.max(1e-12).log10();
        self.at = (self.at + 1) % WINDOW;
        self.seen = (self.seen + 1).min(WINDOW);
        if self.seen < WINDOW {
            return 0.0;
        }
        let top = self.levels.iter().fold(f32::MIN, |m, &x| m.max(x));
        let mut env = [0f32; WINDOW];
        for (n, e) in env.iter_mut().enumerate() {
            *e = self.levels[(self.at + n) % WINDOW].max(top - FLOOR_DB);
        }
        let mean = env.iter().sum::<f32>() / WINDOW as f32;
        env.iter_mut().for_each(|e| *e -= mean);
        // A Hann window keeps a step at the window's edge from leaking into every bin.
        for (n, e) in env.iter_mut().enumerate() {
            let w = 0.5 - 0.5 * (2.0 * std::f32::consts::PI * n as f32 / WINDOW as f32).cos();
            *e *= w;
        }
        let rms = (env.iter().map(|e| e * e).sum::<f32>() / WINDOW as f32).sqrt();
        if rms < STEADY_DB * 0.5 {
            return 0.0;
        }
        let (mut band, mut total) = (0f32, 0f32);
        for k in 1..WINDOW / 2 {
            let row = (k - 1) * WINDOW;
            let (mut re, mut im) = (0f32, 0f32);
            for (n, &e) in env.iter().enumerate() {
                re += e * self.cos[row + n];
                im += e * self.sin[row + n];
            }
            let p = re * re + im * im;
            total += p;
            if SYLLABLE_BINS.contains(&k) {
                band += p;
            }
        }
        if total > 0.0 { band / total } else { 0.0 }
    }

    pub fn reset(&mut self) {
        self.levels = [0.0; WINDOW];
        self.at = 0;
        self.seen = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The share after feeding a level envelope `level_db(t)` for two seconds.
    fn share_of(level_db: impl Fn(f32) -> f32) -> f32 {
        let mut r = SyllabicRhythm::new();
        let mut last = 0.0;
        for i in 0..125 {
            let t = i as f32 * 0.016;
            last = r.push(10f32.powf(level_db(t) / 10.0));
        }
        last
    }

    #[test]
    fn syllable_rate_on_off_is_rhythmic() {
        // 5 Hz on/off, 20 dB deep: speech-like.
        let s = share_of(|t| {
            if (t * 5.0).fract() < 0.5 {
                -20.0
            } else {
                -40.0
            }
        });
        assert!(s > 0.6, "{s}");
    }

    #[test]
    fn a_slow_swell_and_a_steady_tone_are_not() {
        let slow = share_of(|t| -20.0 - 10.0 * (std::f32::consts::TAU * 0.7 * t).sin());
        assert!(slow < 0.2, "{slow}");
        assert_eq!(share_of(|_| -20.0), 0.0);
        // A chord struck once a second that decays: mostly 1–2 Hz.
        let chord = share_of(|t| -20.0 - 13.0 * t.fract());
        assert!(chord < 0.35, "{chord}");
    }

    #[test]
    fn silence_and_the_first_second_give_nothing() {
        let mut r = SyllabicRhythm::new();
        for _ in 0..63 {
            assert_eq!(r.push(1.0), 0.0);
        }
        let mut r = SyllabicRhythm::new();
        for _ in 0..200 {
            assert_eq!(r.push(0.0), 0.0);
        }
    }
}
