//! The sample-rate stage of metering: K-weighted energy, true peak and sample peak per 10 ms
//! *sub-block*. Everything later (momentary, short-term, gating, loudness range) works on
//! sub-blocks only, so it costs nothing per sample, and a long file can be filtered in parallel
//! pieces and the pieces' sub-blocks joined (the whole-file analysis does).
//!
//! Sub-block `k` ends at sample `⌊(k + 1)·rate / 100⌋`, so 400 ms and 3 s windows are exact to the
//! sample at every rate that is a multiple of 100 Hz and within one sample at any other.

use super::k_weighting::KFilter;
use super::true_peak::TruePeak;

/// Most channels metered (7.1).
pub const MAX_CHANNELS: usize = 8;

/// Sub-blocks per second.
pub const SUB_BLOCKS_PER_SECOND: u64 = 100;

/// One 10 ms slice of programme.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SubBlock {
    /// Σ over channels of weight × Σ over samples of the K-weighted sample squared.
    pub energy: f64,
    /// Sample frames in the slice.
    pub frames: u32,
    /// Largest oversampled magnitude per channel (linear). Exact whenever it raises the
    /// channel's peak since the filter's reset; a slice that cannot (see `TruePeak`) may report
    /// just its sample peak, so only the running maximum is meaningful.
    pub true_peak: [f32; MAX_CHANNELS],
    /// Largest sample magnitude per channel (linear).
    pub sample_peak: [f32; MAX_CHANNELS],
}

/// BS.1770 channel weights for `channels` in the usual file orders: 2.0 L R; 3.0 L R C;
/// 5.0 L R C Ls Rs; 5.1 L R C LFE Ls Rs (LFE not measured); 7.1 L R C LFE Lss Rss Lrs Rrs.
pub fn channel_weights(channels: usize) -> Vec<f64> {
    match channels {
        5 => vec![1.0, 1.0, 1.0, 1.41, 1.41],
        6 => vec![1.0, 1.0, 1.0, 0.0, 1.41, 1.41],
        8 => vec![1.0, 1.0, 1.0, 0.0, 1.41, 1.41, 1.41, 1.41],
        n => vec![1.0; n.min(MAX_CHANNELS)],
    }
}

/// Turns interleaved samples into sub-blocks.
#[derive(Clone, Debug)]
pub struct SubBlockFilter {
    rate: u32,
    channels: usize,
    weights: Vec<f64>,
    k: Vec<KFilter>,
    tp: Vec<TruePeak>,
    /// Sub-blocks completed so far (from the start or the last reset).
    index: u64,
    /// Frames into the current sub-block, and its length.
    at: u32,
    len: u32,
    current: SubBlock,
    /// Per-channel energy of the current sub-block (weights applied at its end).
    energy: [f64; MAX_CHANNELS],
}

impl SubBlockFilter {
    /// A filter for `channels` (1…8) at `rate` Hz.
    pub fn new(rate: u32, channels: usize) -> Self {
        let channels = channels.clamp(1, MAX_CHANNELS);
        let mut f = Self {
            rate: rate.max(1),
            channels,
            weights: channel_weights(channels),
            k: (0..channels).map(|_| KFilter::new(rate)).collect(),
            tp: (0..channels).map(|_| TruePeak::new(rate)).collect(),
            index: 0,
            at: 0,
            len: 0,
            current: SubBlock::default(),
            energy: [0.0; MAX_CHANNELS],
        };
        f.len = f.length_of(0);
        f
    }

    /// A filter whose channel weights are given (BS.1770 weights of the channels' positions;
    /// missing ones count 1.0).
    pub fn with_weights(rate: u32, channels: usize, weights: &[f64]) -> Self {
        let mut f = Self::new(rate, channels);
        for (w, given) in f.weights.iter_mut().zip(weights) {
            *w = *given;
        }
        f
    }

    pub fn rate(&self) -> u32 {
        self.rate
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    /// Sub-blocks completed.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// Frames in sub-block `k`.
    fn length_of(&self, k: u64) -> u32 {
        let r = self.rate as u64;
        ((k + 1) * r / SUB_BLOCKS_PER_SECOND - k * r / SUB_BLOCKS_PER_SECOND) as u32
    }

    /// Starts numbering at sub-block `k` (a piece of a file that does not start at its top),
    /// keeping filter state.
    pub fn start_at(&mut self, k: u64) {
        self.index = k;
        self.at = 0;
        self.len = self.length_of(k);
        self.current = SubBlock::default();
        self.energy = [0.0; MAX_CHANNELS];
    }

    /// Filters `samples` (interleaved, `channels` per frame) and hands each completed sub-block
    /// to `out`.
    pub fn push(&mut self, samples: &[f32], mut out: impl FnMut(u64, &SubBlock)) {
        let ch = self.channels;
        let mut rest = &samples[..samples.len() - samples.len() % ch];
        while !rest.is_empty() {
            // Up to the end of the current sub-block, one channel at a time: each filter's state
            // then stays in registers through its loop.
            let frames = ((self.len - self.at) as usize).min(rest.len() / ch);
            let (part, tail) = rest.split_at(frames * ch);
            for c in 0..ch {
                let (k, tp) = (&mut self.k[c], &mut self.tp[c]);
                let (mut energy, mut peak, mut tpeak) = (0.0f64, 0f32, 0f32);
                for &x in part[c..].iter().step_by(ch) {
                    let y = k.process(x as f64);
                    energy += y * y;
                    peak = peak.max(x.abs());
                    if let Some(p) = tp.push(x) {
                        tpeak = tpeak.max(p);
                    }
                }
                self.energy[c] += energy;
                let b = &mut self.current;
                b.sample_peak[c] = b.sample_peak[c].max(peak);
                b.true_peak[c] = b.true_peak[c].max(tpeak);
            }
            self.at += frames as u32;
            rest = tail;
            if self.at == self.len {
                self.finish_sub_block();
                out(self.index - 1, &self.current);
                self.current = SubBlock::default();
            }
        }
    }

    fn finish_sub_block(&mut self) {
        let mut e = 0.0;
        for c in 0..self.channels {
            e += self.weights[c] * self.energy[c];
            let p = self.tp[c].flush();
            if p > self.current.true_peak[c] {
                self.current.true_peak[c] = p;
            }
        }
        self.current.energy = e;
        self.current.frames = self.at;
        self.energy = [0.0; MAX_CHANNELS];
        self.index += 1;
        self.at = 0;
        self.len = self.length_of(self.index);
    }

    /// Forgets everything: filter state, position.
    pub fn reset(&mut self) {
        self.k.iter_mut().for_each(KFilter::reset);
        self.tp.iter_mut().for_each(TruePeak::reset);
        self.start_at(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_blocks_tile_the_second_at_any_rate() {
        for rate in [44_100, 48_000, 22_050, 11_025, 96_000] {
            let f = SubBlockFilter::new(rate, 2);
            let total: u64 = (0..100).map(|k| f.length_of(k) as u64).sum();
            assert_eq!(total, rate as u64, "{rate}");
        }
    }

    #[test]
    fn chunking_does_not_change_the_result() {
        let s: Vec<f32> = (0..48_000 * 2)
            .map(|i| ((i as f32) * 0.013).sin() * 0.3)
            .collect();
        let mut a = Vec::new();
        let mut f = SubBlockFilter::new(48_000, 2);
        f.push(&s, |k, b| a.push((k, *b)));
        let mut b = Vec::new();
        let mut g = SubBlockFilter::new(48_000, 2);
        for c in s.chunks(2 * 333) {
            g.push(c, |k, sb| b.push((k, *sb)));
        }
        assert_eq!(a.len(), 100);
        assert_eq!(b.len(), 100);
        let running_max = |v: &[(u64, SubBlock)], ch: usize| {
            v.iter().fold(0f32, |m, (_, sb)| m.max(sb.true_peak[ch]))
        };
        for ((ka, sa), (kb, sb)) in a.iter().zip(&b) {
            assert_eq!(ka, kb);
            // Energy and sample peak are exact at any chunking; the per-slice true peak is
            // only a lower bound (see `SubBlock::true_peak`), so compare its running maximum.
            // (up to summation order in the last bits).
            let rel = (sa.energy - sb.energy).abs() / sa.energy.max(1e-30);
            assert!(
                rel < 1e-12,
                "sub-block {ka}: {} vs {}",
                sa.energy,
                sb.energy
            );
            assert_eq!(sa.frames, sb.frames);
            assert_eq!(sa.sample_peak, sb.sample_peak);
        }
        for ch in 0..2 {
            assert_eq!(running_max(&a, ch), running_max(&b, ch));
        }
    }
}
