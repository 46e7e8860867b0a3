//! Phase correlation and goniometer: how much of the stereo is shared between L and R, and its
//! shape. A mix that goes negative will partly cancel when someone folds it to mono (a phone, a
//! kitchen TV), which is the check this meter exists for.
//!
//! Correlation is Σ L·R / √(Σ L² · Σ R²) with each sum exponentially weighted over ~300 ms, the
//! time a hardware correlation meter integrates over. The goniometer keeps the most recent
//! [`GONIO_POINTS`] (side, mid) pairs, taking every n-th sample so they span ~50 ms: picking
//! samples (rather than averaging them) keeps the figure's true width at high frequencies.
//!
//! Runs on the meter thread: the point ring is made once in [`PhaseMeter::new`]; `push` and
//! `goniometer` do not allocate once the caller's buffer has grown to `GONIO_POINTS`.

use super::GONIO_POINTS;

/// Integration time of the correlation, seconds.
const WINDOW_S: f64 = 0.3;
/// Time the goniometer points span, seconds.
const GONIO_S: f64 = 0.05;
/// Mean square below which a channel counts as silent: −90 dBFS. Below it the ratio is noise over
/// noise, so the meter rests at 0 rather than flickering.
const SILENT_POWER: f64 = 1e-9;

/// Stereo correlation and goniometer.
pub struct PhaseMeter {
    /// Per-sample weight of the newest sample in the running means: 1 − e^(−1/(τ·rate)).
    alpha: f64,
    /// Exponentially weighted means of L·R, L², R² (f64: the weight is ~7e-5 at 48 kHz, too
    /// small against f32's precision for the sums to keep moving).
    lr: f64,
    ll: f64,
    rr: f64,
    /// Keep one sample in `decimate` for the goniometer; `countdown` to the next one kept.
    decimate: usize,
    countdown: usize,
    /// Ring of the latest points; `write` is the oldest once `filled == GONIO_POINTS`.
    points: Vec<[f32; 2]>,
    write: usize,
    filled: usize,
}

impl PhaseMeter {
    /// A meter for stereo at `rate` Hz. Starts silent (correlation 0, no points).
    pub fn new(rate: u32) -> Self {
        let rate = f64::from(rate.max(1));
        let decimate = ((GONIO_S * rate / GONIO_POINTS as f64).round() as usize).max(1);
        Self {
            alpha: 1.0 - (-1.0 / (WINDOW_S * rate)).exp(),
            lr: 0.0,
            ll: 0.0,
            rr: 0.0,
            decimate,
            countdown: 0,
            points: vec![[0.0; 2]; GONIO_POINTS],
            write: 0,
            filled: 0,
        }
    }

    /// Adds interleaved stereo samples (a trailing odd sample is ignored).
    pub fn push(&mut self, stereo: &[f32]) {
        let a = self.alpha;
        for frame in stereo.chunks_exact(2) {
            let (l, r) = (frame[0], frame[1]);
            let (l64, r64) = (f64::from(l), f64::from(r));
            self.lr += a * (l64 * r64 - self.lr);
            self.ll += a * (l64 * l64 - self.ll);
            self.rr += a * (r64 * r64 - self.rr);
            if self.countdown == 0 {
                self.countdown = self.decimate;
                let s = std::f32::consts::FRAC_1_SQRT_2;
                if let Some(p) = self.points.get_mut(self.write) {
                    *p = [(l - r) * s, (l + r) * s];
                }
                self.write = (self.write + 1) % GONIO_POINTS;
                self.filled = (self.filled + 1).min(GONIO_POINTS);
            }
            self.countdown -= 1;
        }
    }

    /// Forgets everything (back to silence), as after a seek or a meter reset.
    pub fn reset(&mut self) {
        self.lr = 0.0;
        self.ll = 0.0;
        self.rr = 0.0;
        self.countdown = 0;
        self.write = 0;
        self.filled = 0;
    }

    /// Correlation over the last ~300 ms, −1…+1: +1 mono, 0 unrelated (or one side silent),
    /// −1 one side inverted. 0 while either channel is below −90 dBFS.
    pub fn correlation(&self) -> f32 {
        if self.ll < SILENT_POWER || self.rr < SILENT_POWER {
            return 0.0;
        }
        ((self.lr / (self.ll * self.rr).sqrt()).clamp(-1.0, 1.0)) as f32
    }

    /// The latest points, oldest first, as (side, mid) = ((L−R)/√2, (L+R)/√2), into `out`
    /// (cleared first; at most [`GONIO_POINTS`]).
    pub fn goniometer(&self, out: &mut Vec<[f32; 2]>) {
        out.clear();
        if self.filled < GONIO_POINTS {
            out.extend_from_slice(self.points.get(..self.filled).unwrap_or(&[]));
        } else {
            let (newer, older) = self.points.split_at(self.write);
            out.extend_from_slice(older);
            out.extend_from_slice(newer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: u32 = 48_000;

    /// Deterministic white noise in −0.5…0.5 (xorshift), so the tests do not need a crate.
    struct Noise(u64);
    impl Noise {
        fn next(&mut self) -> f32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        }
    }

    fn run(make: impl Fn(usize) -> (f32, f32)) -> PhaseMeter {
        let mut m = PhaseMeter::new(RATE);
        let signal: Vec<f32> = (0..RATE as usize)
            .flat_map(|i| {
                let (l, r) = make(i);
                [l, r]
            })
            .collect();
        m.push(&signal);
        m
    }

    fn tone(i: usize) -> f32 {
        0.5 * (std::f32::consts::TAU * 440.0 * i as f32 / RATE as f32).sin()
    }

    #[test]
    fn identical_channels_read_plus_one() {
        let r = run(|i| (tone(i), tone(i))).correlation();
        assert!((r - 1.0).abs() <= 0.01, "mono reads {r}");
    }

    #[test]
    fn inverted_channels_read_minus_one() {
        let r = run(|i| (tone(i), -tone(i))).correlation();
        assert!((r + 1.0).abs() <= 0.01, "inverted reads {r}");
    }

    #[test]
    fn unrelated_noise_reads_near_zero() {
        let (mut a, mut b) = (Noise(0x1234_5678_9abc_def1), Noise(0x0fed_cba9_8765_4321));
        let mut m = PhaseMeter::new(RATE);
        let signal: Vec<f32> = (0..RATE as usize)
            .flat_map(|_| [a.next(), b.next()])
            .collect();
        m.push(&signal);
        let r = m.correlation();
        assert!(r.abs() < 0.1, "uncorrelated noise reads {r}");
    }

    #[test]
    fn one_side_only_and_silence_read_zero() {
        let r = run(|i| (tone(i), 0.0)).correlation();
        assert!(r.abs() < 0.01, "left only reads {r}");
        assert_eq!(run(|_| (0.0, 0.0)).correlation(), 0.0);
        // Below −90 dBFS both sides: noise over noise, shown as 0.
        assert_eq!(run(|i| (1e-5 * tone(i), 1e-5 * tone(i))).correlation(), 0.0);
    }

    #[test]
    fn goniometer_of_mono_is_vertical_and_spans_about_50_ms() {
        let m = run(|i| (tone(i), tone(i)));
        let mut points = Vec::new();
        m.goniometer(&mut points);
        assert_eq!(points.len(), GONIO_POINTS);
        assert!(points.iter().all(|p| p[0].abs() < 1e-6), "mono off x = 0");
        assert!(
            points.iter().any(|p| p[1] > 0.6),
            "mono too small: {points:?}"
        );
        let span = (GONIO_POINTS * m.decimate) as f64 / f64::from(RATE);
        assert!((0.04..=0.06).contains(&span), "points span {span} s");
        // 44.1 kHz as well.
        let span = (GONIO_POINTS * PhaseMeter::new(44_100).decimate) as f64 / 44_100.0;
        assert!(
            (0.04..=0.06).contains(&span),
            "points span {span} s at 44.1 kHz"
        );
    }

    #[test]
    fn goniometer_keeps_the_newest_points_in_order() {
        let mut m = PhaseMeter::new(RATE);
        m.push(&[0.1, 0.1, 0.2, 0.2]);
        let mut points = Vec::new();
        m.goniometer(&mut points);
        assert_eq!(
            points.len(),
            1,
            "decimated: one point per {} samples",
            m.decimate
        );
        // Fill past the ring with a rising ramp: the output must end on the newest.
        let n = GONIO_POINTS * m.decimate * 2;
        let ramp: Vec<f32> = (0..n).flat_map(|i| [i as f32 / n as f32; 2]).collect();
        m.push(&ramp);
        m.goniometer(&mut points);
        assert_eq!(points.len(), GONIO_POINTS);
        assert!(
            points.windows(2).all(|w| w[0][1] < w[1][1]),
            "not oldest first"
        );
        m.reset();
        m.goniometer(&mut points);
        assert!(points.is_empty());
        assert_eq!(m.correlation(), 0.0);
    }
}
