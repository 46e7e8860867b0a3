//! The level of given tones in a recording, so a test can tell channels apart by frequency.
//!
//! [`tone_level_db`] is a Goertzel filter at exactly the asked frequency over a flat-top window:
//! it reads the amplitude of a sine as a peak level in dBFS, so a sine of peak 0.1 reads −20.00.
//! The flat-top window keeps the reading within ±0.01 dB of the truth even when the tone is not
//! a whole number of cycles long or sits a fraction of a bin off the asked frequency, and keeps
//! every other tone more than 5 bins (10 Hz at 0.5 s) away below −90 dB relative to itself — so a
//! −20 dBFS tone in one channel lets a test check that another frequency is below −60 dBFS.
//! Recordings of ≥ 0.5 s give ±0.02 dB on a clean sine (unit tests below).
//!
//! Included by tests with `#[path = "common/tones.rs"] mod tones;`.

// Each test file uses its own part of this.
#![allow(dead_code)]

use std::f64::consts::PI;
use std::fmt;

/// The rate of the test environment's null sink, which the player plays into.
pub const RATE: u32 = 48_000;

/// Below this a tone counts as absent (a channel that must not carry it).
pub const ABSENT_DBFS: f64 = -60.0;

/// Flat-top window (the five-term one of Matlab's `flattopwin`): scalloping under 0.01 dB,
/// side lobes below −93 dB, main lobe ±5 bins.
const FLAT_TOP: [f64; 5] = [
    0.215_578_95,
    0.416_631_58,
    0.277_263_158,
    0.083_578_947,
    0.006_947_368,
];

fn flat_top(n: usize, len: usize) -> f64 {
    let x = 2.0 * PI * n as f64 / (len.max(2) - 1) as f64;
    FLAT_TOP[0] - FLAT_TOP[1] * x.cos() + FLAT_TOP[2] * (2.0 * x).cos()
        - FLAT_TOP[3] * (3.0 * x).cos()
        + FLAT_TOP[4] * (4.0 * x).cos()
}

/// Peak amplitude of the component at `hz` in `x` (sampled at `rate`): 0.1 for a sine of peak 0.1.
pub fn tone_amplitude(x: &[f32], rate: u32, hz: f64) -> f64 {
    if x.len() < 16 {
        return 0.0;
    }
    let w = 2.0 * PI * hz / f64::from(rate);
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2, mut gain) = (0.0f64, 0.0f64, 0.0f64);
    for (n, &v) in x.iter().enumerate() {
        let win = flat_top(n, x.len());
        gain += win;
        let s0 = f64::from(v) * win + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    // |X(w)| from the last two states of the recursion.
    let re = s1 - s2 * w.cos();
    let im = s2 * w.sin();
    2.0 * re.hypot(im) / gain
}

/// Level of the component at `hz` in dBFS, peak-equivalent of a sine (a −20 dBFS peak sine reads
/// −20.0). Silence reads −200.
pub fn tone_level_db(x: &[f32], rate: u32, hz: f64) -> f64 {
    20.0 * tone_amplitude(x, rate, hz).max(1e-10).log10()
}

/// One frequency's level in each ear.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToneLevel {
    pub hz: f64,
    pub left_db: f64,
    pub right_db: f64,
}

/// Each frequency's level in L and R (dBFS, peak-equivalent).
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelReport {
    pub levels: Vec<ToneLevel>,
    /// Seconds the levels were measured over.
    pub seconds: f64,
    /// For a windowed report: how many windows, and the largest difference between windows of
    /// any level above [`ABSENT_DBFS`] (dB).
    pub windows: usize,
    pub spread_db: f64,
}

impl ChannelReport {
    /// The level of `hz` (which must be one of the measured frequencies).
    pub fn at(&self, hz: f64) -> ToneLevel {
        *self
            .levels
            .iter()
            .find(|t| (t.hz - hz).abs() < 1e-9)
            .unwrap_or_else(|| panic!("{hz} Hz was not measured:\n{self}"))
    }
}

impl fmt::Display for ChannelReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.windows > 1 {
            writeln!(
                f,
                "tone levels, the highest of {} windows over {:.2} s (dBFS peak; windows differ by up to {:.2} dB):",
                self.windows, self.seconds, self.spread_db
            )?;
        } else {
            writeln!(f, "tone levels over {:.2} s (dBFS peak):", self.seconds)?;
        }
        for t in &self.levels {
            writeln!(
                f,
                "  {:>6.0} Hz   L {:>8.2}   R {:>8.2}",
                t.hz, t.left_db, t.right_db
            )?;
        }
        Ok(())
    }
}

/// Each of `freqs`' levels in `l` and `r`, recorded at [`RATE`].
pub fn channel_report(l: &[f32], r: &[f32], freqs: &[f64]) -> ChannelReport {
    channel_report_at(RATE, l, r, freqs)
}

/// [`channel_report`] at another rate.
pub fn channel_report_at(rate: u32, l: &[f32], r: &[f32], freqs: &[f64]) -> ChannelReport {
    ChannelReport {
        levels: freqs
            .iter()
            .map(|&hz| ToneLevel {
                hz,
                left_db: tone_level_db(l, rate, hz),
                right_db: tone_level_db(r, rate, hz),
            })
            .collect(),
        seconds: l.len().min(r.len()) as f64 / f64::from(rate),
        windows: 1,
        spread_db: 0.0,
    }
}

/// Each frequency's highest level in each ear over windows of `window` samples, one every `hop`
/// samples, recorded at [`RATE`]. A short disturbance in a recording — a sample the recorder
/// dropped shifts the tones' phase, which lowers their level in the window it falls in and
/// spreads noise into the others' — spoils some windows only, while a wrong level, or a tone
/// in an ear it must not reach, shows in every window. Shorter than one window: one report.
pub fn channel_report_windowed(
    l: &[f32],
    r: &[f32],
    freqs: &[f64],
    window: usize,
    hop: usize,
) -> ChannelReport {
    let n = l.len().min(r.len());
    if n <= window || hop == 0 {
        return channel_report(&l[..n], &r[..n], freqs);
    }
    let reports: Vec<ChannelReport> = (0..=(n - window) / hop)
        .map(|k| {
            channel_report(
                &l[k * hop..k * hop + window],
                &r[k * hop..k * hop + window],
                freqs,
            )
        })
        .collect();
    let mut spread = 0.0f64;
    let levels = freqs
        .iter()
        .enumerate()
        .map(|(i, &hz)| {
            let ear = |pick: fn(&ToneLevel) -> f64| {
                let v: Vec<f64> = reports.iter().map(|rep| pick(&rep.levels[i])).collect();
                let hi = v.iter().copied().fold(f64::MIN, f64::max);
                let lo = v.iter().copied().fold(f64::MAX, f64::min);
                (hi, if hi > ABSENT_DBFS { hi - lo } else { 0.0 })
            };
            let (left_db, sl) = ear(|t| t.left_db);
            let (right_db, sr) = ear(|t| t.right_db);
            spread = spread.max(sl).max(sr);
            ToneLevel {
                hz,
                left_db,
                right_db,
            }
        })
        .collect();
    ChannelReport {
        levels,
        seconds: n as f64 / f64::from(RATE),
        windows: reports.len(),
        spread_db: spread,
    }
}

/// What a test expects of one frequency in one ear.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Want {
    /// At this level (dBFS peak-equivalent), within the tolerance given to [`check`].
    At(f64),
    /// Below [`ABSENT_DBFS`].
    Absent,
}

/// Every mismatch between `report` and `want` (`(hz, left, right)`), one line each, or `Ok`.
pub fn check(
    report: &ChannelReport,
    want: &[(f64, Want, Want)],
    tol_db: f64,
) -> Result<(), String> {
    let mut bad = Vec::new();
    for &(hz, wl, wr) in want {
        let got = report.at(hz);
        for (ear, w, g) in [("L", wl, got.left_db), ("R", wr, got.right_db)] {
            let ok = match w {
                Want::At(db) => (g - db).abs() <= tol_db,
                Want::Absent => g < ABSENT_DBFS,
            };
            if !ok {
                let wanted = match w {
                    Want::At(db) => format!("{db:.2} ± {tol_db}"),
                    Want::Absent => format!("absent (< {ABSENT_DBFS})"),
                };
                bad.push(format!("{hz:.0} Hz in {ear}: {g:.2} dBFS, wanted {wanted}"));
            }
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(bad.join("\n"))
    }
}

/// The span of a recording where sound was heard (either channel above −60 dBFS), shrunk to
/// its middle half so fades, start-up and the ring's first/last buffers are left out.
/// `None` when nothing was heard.
pub fn steady_span(l: &[f32], r: &[f32]) -> Option<std::ops::Range<usize>> {
    let n = l.len().min(r.len());
    let heard = |i: usize| l[i].abs().max(r[i].abs()) > 1e-3;
    let first = (0..n).find(|&i| heard(i))?;
    let last = (0..n).rev().find(|&i| heard(i))?;
    let span = last - first;
    Some(first + span / 4..first + span * 3 / 4)
}

/// Samples where the third difference of `x` exceeds `limit`: jumps, gaps and dropped samples
/// in a recording of tones. A sine of amplitude `a` at `f` Hz has a third difference of at most
/// `a·(2·sin(π·f/rate))³` — 0.0011 for 0.1 at 1.7 kHz and 48 kHz — while a dropped stretch or a
/// gap in the same sine jumps by a good part of `a`; 0.02 tells the two apart.
pub fn discontinuities(x: &[f32], limit: f32) -> usize {
    x.windows(4)
        .filter(|w| (w[3] - 3.0 * w[2] + 3.0 * w[1] - w[0]).abs() > limit)
        .count()
}

/// The longest stretch of `span` whose samples (in either channel) are at least `margin`
/// samples from any discontinuity (third difference above `limit`): where a recording spoiled
/// by a dropped stretch can still be measured.
pub fn clean_stretch(
    l: &[f32],
    r: &[f32],
    span: std::ops::Range<usize>,
    limit: f32,
    margin: usize,
) -> std::ops::Range<usize> {
    let jump =
        |x: &[f32], i: usize| (x[i + 3] - 3.0 * x[i + 2] + 3.0 * x[i + 1] - x[i]).abs() > limit;
    let end = span.end.min(l.len()).min(r.len());
    let mut best = span.start..span.start;
    let mut from = span.start;
    for i in span.start..end.saturating_sub(3) {
        if jump(l, i) || jump(r, i) {
            let stop = i.saturating_sub(margin).max(from);
            if stop - from > best.len() {
                best = from..stop;
            }
            from = (i + 3 + margin).min(end);
        }
    }
    if end.saturating_sub(from) > best.len() {
        best = from..end;
    }
    best
}

/// Decibels of a level relative to another (e.g. `db_of(0.70710678)` = −3.01).
pub fn db_of(gain: f64) -> f64 {
    20.0 * gain.abs().max(1e-10).log10()
}

#[cfg(test)]
mod unit {
    use super::*;

    /// `amp · sin(2π·hz·n/rate + phase)` for `secs`.
    fn sine(hz: f64, amp: f64, phase: f64, secs: f64) -> Vec<f32> {
        let n = (secs * f64::from(RATE)).round() as usize;
        (0..n)
            .map(|i| (amp * (2.0 * PI * hz * i as f64 / f64::from(RATE) + phase).sin()) as f32)
            .collect()
    }

    fn add(a: &[f32], b: &[f32]) -> Vec<f32> {
        a.iter().zip(b).map(|(x, y)| x + y).collect()
    }

    const A20: f64 = 0.1; // −20 dBFS peak

    #[test]
    fn a_minus_20_dbfs_sine_reads_minus_20_within_0_02_db() {
        for hz in [
            60.0, 500.0, 700.0, 900.0, 1100.0, 1300.0, 1500.0, 1700.0, 10_000.0,
        ] {
            for (secs, phase) in [
                (0.5, 0.0),
                (0.5037, 1.1),
                (0.75, 2.9),
                (1.5, 0.4),
                (3.0, 5.0),
            ] {
                let x = sine(hz, A20, phase, secs);
                let db = tone_level_db(&x, RATE, hz);
                assert!(
                    (db + 20.0).abs() < 0.02,
                    "{hz} Hz over {secs} s, phase {phase}: {db:.4} dB"
                );
            }
        }
    }

    #[test]
    fn other_levels_read_true_and_a_tone_a_little_off_frequency_still_reads_right() {
        for (amp, want) in [
            (1.0, 0.0),
            (A20 * std::f64::consts::FRAC_1_SQRT_2, -23.0103),
            (0.001, -60.0),
        ] {
            let db = tone_level_db(&sine(900.0, amp, 0.3, 1.0), RATE, 900.0);
            assert!((db - want).abs() < 0.02, "{amp}: {db:.4}, wanted {want}");
        }
        // 0.25 Hz off (an eighth of a bin at 0.5 s): flat-top scalloping stays under 0.02 dB.
        let db = tone_level_db(&sine(500.25, A20, 0.0, 0.5), RATE, 500.0);
        assert!((db + 20.0).abs() < 0.02, "{db:.4}");
    }

    #[test]
    fn tones_in_one_channel_are_read_apart_and_an_absent_one_reads_far_below() {
        // A folded-down left ear: 500 at −20, 900 and 1100 at −23.01, 60 Hz absent.
        let c = A20 * std::f64::consts::FRAC_1_SQRT_2;
        let x = add(
            &add(&sine(500.0, A20, 0.1, 1.5), &sine(900.0, c, 0.7, 1.5)),
            &sine(1100.0, c, 2.0, 1.5),
        );
        for (hz, want) in [(500.0, -20.0), (900.0, -23.0103), (1100.0, -23.0103)] {
            let db = tone_level_db(&x, RATE, hz);
            assert!((db - want).abs() < 0.02, "{hz}: {db:.4}, wanted {want}");
        }
        for hz in [60.0, 700.0, 1300.0, 1500.0] {
            let db = tone_level_db(&x, RATE, hz);
            assert!(db < -100.0, "{hz} is not in the signal but reads {db:.1}");
        }
    }

    #[test]
    fn quantisation_noise_and_dc_do_not_move_the_reading() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut noise = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5
        };
        let x: Vec<f32> = sine(700.0, A20, 0.9, 0.5)
            .iter()
            // 16-bit quantisation, noise at about −70 dBFS RMS, and a DC offset.
            .map(|v| ((f64::from(*v) * 32768.0).round() / 32768.0 + 0.001 * noise() + 0.01) as f32)
            .collect();
        let db = tone_level_db(&x, RATE, 700.0);
        assert!((db + 20.0).abs() < 0.02, "{db:.4}");
    }

    #[test]
    fn channel_report_tells_left_from_right() {
        let l = sine(500.0, A20, 0.0, 1.0);
        let r = sine(700.0, A20, 0.0, 1.0);
        let rep = channel_report(&l, &r, &[500.0, 700.0, 900.0]);
        assert!((rep.seconds - 1.0).abs() < 1e-9);
        let want = [
            (500.0, Want::At(-20.0), Want::Absent),
            (700.0, Want::Absent, Want::At(-20.0)),
            (900.0, Want::Absent, Want::Absent),
        ];
        check(&rep, &want, 0.02).unwrap_or_else(|e| panic!("{e}\n{rep}"));
        // Swapped ears must fail, naming each wrong reading.
        let swapped = channel_report(&r, &l, &[500.0, 700.0, 900.0]);
        let err = check(&swapped, &want, 0.1).expect_err("swapped ears must fail");
        assert_eq!(err.lines().count(), 4, "{err}");
        assert!(err.contains("500 Hz in L: -"), "{err}");
        // So must a level 0.2 dB off.
        let quiet: Vec<f32> = l.iter().map(|v| v * 0.977).collect();
        let rep = channel_report(&quiet, &r, &[500.0]);
        assert!(check(&rep, &[(500.0, Want::At(-20.0), Want::Absent)], 0.1).is_err());
    }

    #[test]
    fn silence_and_short_input_read_as_absent_without_panicking() {
        assert!(tone_level_db(&[0.0; 48_000], RATE, 500.0) < -150.0);
        assert!(tone_level_db(&[], RATE, 500.0) < -150.0);
        assert!(steady_span(&[0.0; 100], &[0.0; 100]).is_none());
        let l = [vec![0.0; 1000], sine(500.0, A20, 0.0, 0.1), vec![0.0; 1000]].concat();
        let span = steady_span(&l, &l).expect("heard");
        assert!(
            span.start >= 1000 + 1100 && span.end <= 1000 + 3700,
            "{span:?}"
        );
    }

    #[test]
    fn discontinuities_find_a_dropped_stretch_and_a_gap_but_not_clean_tones() {
        let c = A20 * std::f64::consts::FRAC_1_SQRT_2;
        let clean = add(
            &add(&sine(500.0, A20, 0.1, 1.0), &sine(1300.0, c, 0.7, 1.0)),
            &add(&sine(1700.0, A20, 2.0, 1.0), &sine(900.0, c, 1.0, 1.0)),
        );
        assert_eq!(discontinuities(&clean, 0.02), 0);
        // 37 samples lost in the middle (a recorder that fell behind).
        let dropped = [&clean[..24_000], &clean[24_037..]].concat();
        assert!(discontinuities(&dropped, 0.02) >= 1);
        // 10 ms of silence in the middle (an output that ran dry).
        let mut gap = clean.clone();
        gap[24_000..24_480].fill(0.0);
        assert!(discontinuities(&gap, 0.02) >= 1);
    }

    #[test]
    fn clean_stretch_is_the_longest_part_away_from_the_jumps() {
        let x = sine(500.0, A20, 0.3, 1.0);
        assert_eq!(clean_stretch(&x, &x, 100..40_000, 0.02, 480), 100..40_000);
        // A gap at 10 000 in the left channel only: the rest after it is longest.
        let mut l = x.clone();
        l[10_000..10_200].fill(0.0);
        let c = clean_stretch(&l, &x, 0..48_000, 0.02, 480);
        assert!(
            c.start >= 10_200 + 480 && c.start < 10_200 + 480 + 8,
            "{c:?}"
        );
        assert_eq!(c.end, 48_000);
        assert_eq!(discontinuities(&l[c.clone()], 0.02), 0);
    }

    #[test]
    fn a_windowed_report_steps_around_one_slipped_sample_but_not_a_wrong_level() {
        let (l, r) = (sine(500.0, A20, 0.0, 1.5), sine(700.0, A20, 0.0, 1.5));
        let freqs = [500.0, 700.0, 900.0];
        let want = [
            (500.0, Want::At(-20.0), Want::Absent),
            (700.0, Want::Absent, Want::At(-20.0)),
            (900.0, Want::Absent, Want::Absent),
        ];
        // Every 50 ms a sample goes missing in a third of a second (a recorder falling behind):
        // each window over it reads low, the rest read true.
        let slip = |x: &[f32]| -> Vec<f32> {
            x.iter()
                .enumerate()
                .filter(|(i, _)| !(48_000..64_000).contains(i) || i % 2400 != 0)
                .map(|(_, v)| *v)
                .collect()
        };
        let (sl, sr) = (slip(&l), slip(&r));
        let whole = channel_report(&sl, &sr, &freqs);
        assert!(
            check(&whole, &want, 0.02).is_err(),
            "the slips must show:\n{whole}"
        );
        let rep = channel_report_windowed(&sl, &sr, &freqs, 24_000, 6_000);
        assert!(rep.windows > 5, "{rep}");
        check(&rep, &want, 0.02).unwrap_or_else(|e| panic!("{e}\n{rep}"));
        // A level 0.2 dB off is off in every window.
        let quiet: Vec<f32> = l.iter().map(|v| v * 0.977).collect();
        let rep = channel_report_windowed(&quiet, &r, &freqs, 24_000, 6_000);
        assert!(check(&rep, &want, 0.1).is_err(), "{rep}");
        // Shorter than a window: the plain report.
        let short = channel_report_windowed(&l[..10_000], &r[..10_000], &freqs, 24_000, 6_000);
        assert_eq!(short, channel_report(&l[..10_000], &r[..10_000], &freqs));
    }

    #[test]
    fn db_of_gains() {
        assert!((db_of(std::f64::consts::FRAC_1_SQRT_2) + 3.0103).abs() < 1e-3);
        assert!((db_of(0.612_372_4) + 4.2597).abs() < 1e-3);
        assert!((db_of(-0.5) + 6.0206).abs() < 1e-3);
    }
}
