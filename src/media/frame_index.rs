//! Frame numbers ⇄ stream timestamps, and where the keyframes are.
//!
//! Built from the demuxer's sample index (for QuickTime: `stts`/`stss`, read at open without
//! touching media data), so a one-hour file opens as fast as a ten-second one. Frame `n` is the
//! `n`-th picture in presentation order; its timestamp is `first_pts + n × ticks_per_frame`, with
//! `ticks_per_frame = 1 / (rate × timebase)` kept as an exact rational and rounded once.

use super::ffi::IndexEntry;
use crate::time::{FrameRate, Rational};
use std::collections::HashMap;

/// Presentation-order frame numbering for one video stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameIndex {
    /// Seconds per stream tick.
    pub timebase: Rational,
    /// Exact picture rate.
    pub rate: FrameRate,
    /// Number of pictures shown.
    pub count: u64,
    /// Timestamp (stream ticks) of frame 0; set from the first decoded picture.
    pub first_pts: i64,
    /// Frame numbers of random-access pictures, ascending, always starting with 0.
    pub keyframes: Vec<u64>,
    /// Every sample lasts the same number of ticks.
    pub constant_rate: bool,
    /// One past the last byte of media data the index refers to (0 if unknown).
    pub media_end: u64,
    ticks_per_frame: Rational,
}

impl FrameIndex {
    /// Builds the index from demuxer entries (decode order). `fallback_rate`/`fallback_count` are
    /// the stream's declared values, used when the index is empty.
    pub fn from_entries(
        entries: &[IndexEntry],
        timebase: Rational,
        fallback_rate: FrameRate,
        fallback_count: u64,
    ) -> Self {
        let shown: Vec<&IndexEntry> = entries.iter().filter(|e| !e.discard).collect();
        let mut deltas: HashMap<i64, usize> = HashMap::new();
        for pair in shown.windows(2) {
            *deltas.entry(pair[1].dts - pair[0].dts).or_default() += 1;
        }
        let mode = deltas
            .iter()
            .max_by_key(|(d, n)| (**n, -**d))
            .map(|(d, _)| *d);
        let constant_rate = deltas.len() <= 1;
        // rate = 1 / (delta × timebase) = tb.den / (delta × tb.num)
        let rate = mode
            .filter(|d| *d > 0)
            .and_then(|d| FrameRate::new(timebase.den, d.checked_mul(timebase.num)?))
            .unwrap_or(fallback_rate);
        let mut keyframes: Vec<u64> = shown
            .iter()
            .enumerate()
            .filter(|(_, e)| e.keyframe)
            .map(|(i, _)| i as u64)
            .collect();
        if keyframes.first() != Some(&0) {
            keyframes.insert(0, 0);
        }
        let media_end = entries
            .iter()
            .filter(|e| e.pos >= 0 && e.size >= 0)
            .map(|e| (e.pos + e.size) as u64)
            .max()
            .unwrap_or(0);
        let count = if shown.is_empty() {
            fallback_count
        } else {
            shown.len() as u64
        };
        Self::with_rate(timebase, rate, count, keyframes, constant_rate, media_end)
    }

    fn with_rate(
        timebase: Rational,
        rate: FrameRate,
        count: u64,
        keyframes: Vec<u64>,
        constant_rate: bool,
        media_end: u64,
    ) -> Self {
        // ticks per frame = 1 / (rate × timebase)
        let ticks_per_frame = rate
            .0
            .checked_mul(timebase)
            .and_then(Rational::recip)
            .unwrap_or(Rational { num: 1, den: 1 });
        Self {
            timebase,
            rate,
            count,
            first_pts: 0,
            keyframes,
            constant_rate,
            media_end,
            ticks_per_frame,
        }
    }

    /// Timestamp (stream ticks) at which frame `n` starts.
    pub fn pts_of(&self, n: u64) -> i64 {
        self.first_pts + self.ticks_per_frame.mul_round(n as i64)
    }

    /// The frame whose display interval holds `pts` (may be negative or ≥ count near the ends).
    pub fn frame_at(&self, pts: i64) -> i64 {
        let per = self.ticks_per_frame;
        // round((pts − first) / per) = round((pts − first) × den / num)
        Rational {
            num: per.den,
            den: per.num,
        }
        .mul_round(pts - self.first_pts)
    }

    /// The last keyframe at or before frame `n`.
    pub fn keyframe_at_or_before(&self, n: u64) -> u64 {
        match self.keyframes.binary_search(&n) {
            Ok(i) => self.keyframes[i],
            Err(0) => 0,
            Err(i) => self.keyframes[i - 1],
        }
    }

    /// The keyframe before the one at or before `n` (for retrying a seek that landed late).
    pub fn keyframe_before(&self, n: u64) -> Option<u64> {
        let k = self.keyframe_at_or_before(n);
        (k > 0).then(|| self.keyframe_at_or_before(k - 1))
    }

    /// The longest distance between keyframes, in frames (the GOP length).
    pub fn max_gop(&self) -> u64 {
        let mut ends = self.keyframes.clone();
        ends.push(self.count);
        ends.windows(2)
            .map(|w| w[1].saturating_sub(w[0]))
            .max()
            .unwrap_or(self.count)
    }

    /// Keeps the first `count` pictures only (a file cut short: the rest has no data).
    pub fn cut_to(&mut self, count: u64) {
        self.count = self.count.min(count);
        let count = self.count;
        self.keyframes.retain(|k| *k == 0 || *k < count);
    }

    /// Duration of the stream in seconds as an exact rational (`count / rate`).
    pub fn duration(&self) -> Rational {
        Rational::new(self.count as i64 * self.rate.0.den, self.rate.0.num)
            .unwrap_or(Rational { num: 0, den: 1 })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(dts: i64, keyframe: bool) -> IndexEntry {
        IndexEntry {
            pos: dts * 10,
            dts,
            size: 10,
            keyframe,
            discard: false,
        }
    }

    fn index(tb: (i64, i64), step: i64, n: i64, gop: i64) -> FrameIndex {
        let entries: Vec<_> = (0..n)
            .map(|i| entry(i * step - 2 * step, i % gop == 0))
            .collect();
        let tb = Rational::new(tb.0, tb.1).expect("tb");
        FrameIndex::from_entries(&entries, tb, FrameRate::new(1, 1).expect("rate"), 0)
    }

    #[test]
    fn exact_rates_from_sample_durations() {
        assert_eq!(
            index((1, 24000), 1001, 10, 5).rate,
            FrameRate::new(24000, 1001).expect("r")
        );
        assert_eq!(
            index((1, 12800), 512, 10, 5).rate,
            FrameRate::new(25, 1).expect("r")
        );
        assert_eq!(
            index((1, 60000), 1001, 10, 5).rate,
            FrameRate::new(60000, 1001).expect("r")
        );
        assert_eq!(
            index((1, 90000), 3003, 10, 5).rate,
            FrameRate::new(30000, 1001).expect("r")
        );
    }

    #[test]
    fn pts_and_frame_numbers_invert() {
        let mut ix = index((1, 90000), 3750, 100, 12); // 24 fps in a 90 kHz timebase
        ix.first_pts = 7;
        for n in 0..100 {
            assert_eq!(ix.frame_at(ix.pts_of(n)), n as i64);
            assert_eq!(
                ix.frame_at(ix.pts_of(n) + 1000),
                n as i64,
                "inside the frame's interval"
            );
        }
    }

    #[test]
    fn keyframe_lookup_and_gop() {
        let ix = index((1, 24000), 1001, 100, 48);
        assert_eq!(ix.keyframes, [0, 48, 96]);
        assert_eq!(ix.keyframe_at_or_before(47), 0);
        assert_eq!(ix.keyframe_at_or_before(48), 48);
        assert_eq!(ix.keyframe_at_or_before(99), 96);
        assert_eq!(ix.keyframe_before(60), Some(0));
        assert_eq!(ix.keyframe_before(10), None);
        assert_eq!(ix.max_gop(), 48);
        assert_eq!(ix.media_end, (97 * 1001 * 10) + 10);
    }

    #[test]
    fn variable_rate_is_flagged_and_discards_skipped() {
        let mut entries: Vec<_> = (0..10).map(|i| entry(i * 1000, i == 0)).collect();
        entries[5].dts += 3;
        entries.push(IndexEntry {
            discard: true,
            ..entry(20_000, false)
        });
        let ix = FrameIndex::from_entries(
            &entries,
            Rational::new(1, 24000).expect("tb"),
            FrameRate::new(24, 1).expect("r"),
            0,
        );
        assert!(!ix.constant_rate);
        assert_eq!(ix.count, 10);
        assert_eq!(ix.rate, FrameRate::new(24, 1).expect("r"));
    }

    #[test]
    fn empty_index_uses_fallbacks() {
        let ix = FrameIndex::from_entries(
            &[],
            Rational::new(1, 25).expect("tb"),
            FrameRate::new(25, 1).expect("r"),
            250,
        );
        assert_eq!(
            (ix.count, ix.keyframes.clone(), ix.pts_of(10)),
            (250, vec![0], 10)
        );
    }
}
