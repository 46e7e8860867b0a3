//! EBU R 128 compliance of our loudness meter (`earmark::meters`): EBU Tech 3341 cases 1–6 and
//! 9–23 (momentary, short-term, integrated, their maxima, true peak) and Tech 3342 cases 1–4
//! (loudness range), with the published tolerances, plus a cross-check against the `ebur128`
//! crate on shaped noise at 44.1 and 48 kHz.
//!
//! Cases 7–8 (3342 #5–6) are copyrighted programme and are not synthesised. The signals come from
//! `common/ebu.rs` (definitions and our reading of cases 20–23: loudness.md §2). Samples are
//! pushed in chunks of an odd number of frames, as a live player's device callbacks would, and
//! live readings are taken from the meter's 10 ms callback: at 10 Hz for M and S, and at 100 Hz for
//! the maxima (Tech 3341 case 13 needs max M at 100 Hz). Run with `--nocapture` to see every
//! measured value.

use crate::ebu;

use earmark::meters::{LoudnessAccumulator, LoudnessMeter};
use ebu::{RATE, Segment, gap, stereo_tone, tone};
use ebur128::{EbuR128, Mode};

/// Frames per push: odd and not a multiple of a 10 ms sub-block, like device callbacks.
const CHUNK_FRAMES: usize = 1234;

/// Tolerance of the Tech 3341 loudness cases, LU.
const TOL: f64 = 0.1;

/// Tolerance of the Tech 3342 loudness range cases, LU.
const LRA_TOL: f64 = 1.0;

/// Tolerance of the true-peak cases, dB: (under, over).
const TP_UNDER: f64 = 0.4;
const TP_OVER: f64 = 0.2;

/// Sub-blocks (10 ms callbacks) per second.
const SUBS_PER_SECOND: u64 = 100;

/// Pushes `samples` into `meter` in chunks; `each` sees the readings after every 10 ms.
fn feed(
    meter: &mut LoudnessMeter,
    channels: usize,
    samples: &[f32],
    mut each: impl FnMut(&LoudnessAccumulator),
) {
    for chunk in samples.chunks(CHUNK_FRAMES * channels) {
        meter.push_with(chunk, &mut each);
    }
}

/// A fresh meter that has metered all of `samples`.
fn metered(channels: usize, samples: &[f32]) -> LoudnessMeter {
    let mut m = LoudnessMeter::new(RATE, channels);
    feed(&mut m, channels, samples, |_| {});
    m
}

/// Asserts `expected − under ≤ measured ≤ expected + over`, printing the measurement.
fn assert_near(what: &str, measured: f64, expected: f64, under: f64, over: f64) {
    println!("{what}: {measured:.3} (expected {expected:.3} +{over}/-{under})");
    assert!(
        measured >= expected - under && measured <= expected + over,
        "{what}: measured {measured:.3}, expected {expected:.3} +{over}/-{under}"
    );
}

/// Asserts a loudness within ±0.1 LU.
fn assert_lu(what: &str, measured: f64, expected: f64) {
    assert_near(what, measured, expected, TOL, TOL);
}

/// The integrated loudness, which every loudness case has.
fn integrated(m: &LoudnessMeter, what: &str) -> f64 {
    m.readings()
        .integrated()
        .unwrap_or_else(|| panic!("{what}: no integrated loudness"))
}

/// The smallest and largest of a series of readings.
#[derive(Clone, Copy, Debug)]
struct Extremes {
    lo: f64,
    hi: f64,
    count: usize,
}

impl Extremes {
    fn new() -> Self {
        Self {
            lo: f64::INFINITY,
            hi: f64::NEG_INFINITY,
            count: 0,
        }
    }

    fn add(&mut self, v: f64) {
        self.lo = self.lo.min(v);
        self.hi = self.hi.max(v);
        self.count += 1;
    }

    /// Asserts every reading was within ±0.1 LU of `expected`.
    fn assert_constant(&self, what: &str, expected: f64) {
        assert!(self.count > 0, "{what}: no readings");
        println!("{what}: {} readings", self.count);
        assert_lu(&format!("{what} lowest"), self.lo, expected);
        assert_lu(&format!("{what} highest"), self.hi, expected);
    }
}

/// Asserts each of `measured` is within ±0.1 LU of its `expected`, printing the worst.
fn assert_each(what: &str, measured: &[f64], expected: impl Fn(usize) -> f64) {
    assert_eq!(measured.len(), 20, "{what}: readings {measured:?}");
    for (i, &v) in measured.iter().enumerate() {
        assert!(
            (v - expected(i)).abs() <= TOL,
            "{what} {}: measured {v:.3}, expected {:.1} ±{TOL} (all: {measured:.3?})",
            i + 1,
            expected(i)
        );
    }
    let (worst, at) = measured
        .iter()
        .enumerate()
        .map(|(i, &v)| (v - expected(i), i))
        .fold(
            (0.0f64, 0),
            |w, d| if d.0.abs() > w.0.abs() { d } else { w },
        );
    println!(
        "{what}: all 20 within ±{TOL}, worst deviation {worst:+.3} LU (#{})",
        at + 1
    );
}

/// Cases 1 and 2: a steady 20 s tone; M (after 1 s) and S (after 3 s) at 10 Hz, and I.
fn steady_tone_case(case: &str, dbfs: f64) {
    let s = stereo_tone(RATE, &[tone(20.0, dbfs)]);
    let mut m = LoudnessMeter::new(RATE, 2);
    let (mut mom, mut short) = (Extremes::new(), Extremes::new());
    feed(&mut m, 2, &s, |acc| {
        let k = acc.sub_blocks();
        if k % 10 == 0 {
            if k >= SUBS_PER_SECOND {
                mom.add(acc.momentary());
            }
            if k >= 3 * SUBS_PER_SECOND {
                short.add(acc.short_term());
            }
        }
    });
    mom.assert_constant(&format!("{case} M"), dbfs);
    short.assert_constant(&format!("{case} S"), dbfs);
    assert_lu(&format!("{case} M at end"), m.readings().momentary(), dbfs);
    assert_lu(&format!("{case} S at end"), m.readings().short_term(), dbfs);
    assert_lu(&format!("{case} I"), integrated(&m, case), dbfs);
}

/// Cases 3–5: a tone programme whose integrated loudness is −23.0.
fn integrated_case(case: &str, segments: &[Segment]) {
    let m = metered(2, &stereo_tone(RATE, segments));
    assert_lu(&format!("{case} I"), integrated(&m, case), -23.0);
}

#[test]
fn tech_3341_case_1_minus_23_dbfs_tone() {
    steady_tone_case("3341 #1", -23.0);
}

#[test]
fn tech_3341_case_2_minus_33_dbfs_tone() {
    steady_tone_case("3341 #2", -33.0);
}

#[test]
fn tech_3341_case_3_relative_gate() {
    integrated_case(
        "3341 #3",
        &[tone(10.0, -36.0), tone(60.0, -23.0), tone(10.0, -36.0)],
    );
}

#[test]
fn tech_3341_case_4_absolute_and_relative_gate() {
    integrated_case(
        "3341 #4",
        &[
            tone(10.0, -72.0),
            tone(10.0, -36.0),
            tone(60.0, -23.0),
            tone(10.0, -36.0),
            tone(10.0, -72.0),
        ],
    );
}

#[test]
fn tech_3341_case_5_power_mean_of_gated_blocks() {
    integrated_case(
        "3341 #5",
        &[tone(20.0, -26.0), tone(20.1, -20.0), tone(20.0, -26.0)],
    );
}

#[test]
fn tech_3341_case_6_surround_channel_weights() {
    let m = metered(5, &ebu::surround_case_6(RATE));
    assert_lu("3341 #6 I", integrated(&m, "3341 #6"), -23.0);
}

#[test]
fn tech_3341_case_9_short_term_is_constant() {
    let segments: Vec<Segment> = (0..5)
        .flat_map(|_| [tone(1.34, -20.0), tone(1.66, -30.0)])
        .collect();
    let mut m = LoudnessMeter::new(RATE, 2);
    let mut short = Extremes::new();
    feed(&mut m, 2, &stereo_tone(RATE, &segments), |acc| {
        let k = acc.sub_blocks();
        if k >= 3 * SUBS_PER_SECOND && k % 10 == 0 {
            short.add(acc.short_term());
        }
    });
    short.assert_constant("3341 #9 S after 3 s at 10 Hz", -23.0);
}

/// One file of cases 10 and 13: `lead` s of silence, `secs` of the tone at −23 dBFS (from phase 0,
/// as a file of its own starts), then `tail` s of silence.
fn file_with_tone(lead: f64, secs: f64, tail: f64) -> Vec<f32> {
    let mut s = ebu::silence(RATE, 2, lead);
    s.extend(stereo_tone(RATE, &[tone(secs, -23.0)]));
    s.extend(ebu::silence(RATE, 2, tail));
    s
}

#[test]
fn tech_3341_case_10_max_short_term_file_based() {
    let mut m = LoudnessMeter::new(RATE, 2);
    let maxima: Vec<f64> = (0..20)
        .map(|i| {
            m.reset();
            let s = file_with_tone(0.15 * i as f64, 3.0, 1.0);
            feed(&mut m, 2, &s, |_| {});
            m.readings().max_short_term()
        })
        .collect();
    assert_each("3341 #10 max S per file", &maxima, |_| -23.0);
}

#[test]
fn tech_3341_case_11_max_short_term_live() {
    // Each section is 6 s: the running maximum is read at every section's end.
    let segments: Vec<Segment> = (0..20)
        .flat_map(|i| {
            let lead = 0.15 * i as f64;
            [gap(lead), tone(3.0, -38.0 + i as f64), gap(3.0 - lead)]
        })
        .collect();
    let mut m = LoudnessMeter::new(RATE, 2);
    let mut maxima = Vec::new();
    feed(&mut m, 2, &stereo_tone(RATE, &segments), |acc| {
        if acc.sub_blocks() % (6 * SUBS_PER_SECOND) == 0 {
            maxima.push(acc.max_short_term());
        }
    });
    assert_each("3341 #11 running max S", &maxima, |i| -38.0 + i as f64);
}

#[test]
fn tech_3341_case_12_momentary_is_constant() {
    let segments: Vec<Segment> = (0..25)
        .flat_map(|_| [tone(0.18, -20.0), tone(0.22, -30.0)])
        .collect();
    let mut m = LoudnessMeter::new(RATE, 2);
    let mut mom = Extremes::new();
    feed(&mut m, 2, &stereo_tone(RATE, &segments), |acc| {
        let k = acc.sub_blocks();
        if k >= SUBS_PER_SECOND && k % 10 == 0 {
            mom.add(acc.momentary());
        }
    });
    mom.assert_constant("3341 #12 M after 1 s at 10 Hz", -23.0);
}

#[test]
fn tech_3341_case_13_max_momentary_file_based() {
    let mut m = LoudnessMeter::new(RATE, 2);
    let maxima: Vec<f64> = (0..20)
        .map(|i| {
            m.reset();
            let s = file_with_tone(0.02 * i as f64, 0.4, 1.0);
            feed(&mut m, 2, &s, |_| {});
            m.readings().max_momentary()
        })
        .collect();
    assert_each("3341 #13 max M per file", &maxima, |_| -23.0);
}

#[test]
fn tech_3341_case_14_max_momentary_live() {
    // Each section is 0.8 s: the running maximum is read at every section's end.
    let segments: Vec<Segment> = (0..20)
        .flat_map(|i| {
            let lead = 0.02 * i as f64;
            [gap(lead), tone(0.4, -38.0 + i as f64), gap(0.4 - lead)]
        })
        .collect();
    let mut m = LoudnessMeter::new(RATE, 2);
    let mut maxima = Vec::new();
    feed(&mut m, 2, &stereo_tone(RATE, &segments), |acc| {
        if acc.sub_blocks() % (SUBS_PER_SECOND * 8 / 10) == 0 {
            maxima.push(acc.max_momentary());
        }
    });
    assert_each("3341 #14 running max M", &maxima, |i| -38.0 + i as f64);
}

/// Cases 15–23: the maximum true peak of `signal` within +0.2/−0.4 dB of `expected` dBTP, on
/// both channels.
fn true_peak_case(case: &str, signal: &[f32], expected: f64) {
    let m = metered(2, signal);
    let r = m.readings();
    let per_channel = r.true_peak_dbtp();
    assert_eq!(per_channel.len(), 2, "{case}");
    assert_eq!(per_channel[0], per_channel[1], "{case}: identical channels");
    println!("{case} sample peak: {:.3} dBFS", r.max_sample_peak_dbfs());
    assert_near(
        &format!("{case} max TP"),
        r.max_true_peak_dbtp(),
        expected,
        TP_UNDER,
        TP_OVER,
    );
}

#[test]
fn tech_3341_case_15_quarter_rate_phase_0() {
    true_peak_case(
        "3341 #15",
        &ebu::true_peak_sine(RATE, 4, 0.5, 0.0, 1.0),
        -6.0,
    );
}

#[test]
fn tech_3341_case_16_quarter_rate_phase_45() {
    true_peak_case(
        "3341 #16",
        &ebu::true_peak_sine(RATE, 4, 0.5, 45.0, 1.0),
        -6.0,
    );
}

#[test]
fn tech_3341_case_17_sixth_rate_phase_60() {
    true_peak_case(
        "3341 #17",
        &ebu::true_peak_sine(RATE, 6, 0.5, 60.0, 1.0),
        -6.0,
    );
}

#[test]
fn tech_3341_case_18_eighth_rate_phase_67_5() {
    true_peak_case(
        "3341 #18",
        &ebu::true_peak_sine(RATE, 8, 0.5, 67.5, 1.0),
        -6.0,
    );
}

#[test]
fn tech_3341_case_19_quarter_rate_over_full_scale() {
    true_peak_case(
        "3341 #19",
        &ebu::true_peak_sine(RATE, 4, 1.41, 45.0, 1.0),
        3.0,
    );
}

#[test]
fn tech_3341_case_20_burst_offset_0() {
    true_peak_case("3341 #20", &ebu::true_peak_burst(RATE, 0), 0.0);
}

#[test]
fn tech_3341_case_21_burst_offset_1() {
    true_peak_case("3341 #21", &ebu::true_peak_burst(RATE, 1), 0.0);
}

#[test]
fn tech_3341_case_22_burst_offset_2() {
    true_peak_case("3341 #22", &ebu::true_peak_burst(RATE, 2), 0.0);
}

#[test]
fn tech_3341_case_23_burst_offset_3() {
    true_peak_case("3341 #23", &ebu::true_peak_burst(RATE, 3), 0.0);
}

/// Tech 3342: loudness range of `segments` within ±1 LU of `expected`, and the same (Tech 3342
/// Table 1: "must not change if the signal is repeated") with the programme played twice.
fn loudness_range_case(case: &str, segments: &[Segment], expected: f64) {
    let once = stereo_tone(RATE, segments);
    let m = metered(2, &once);
    let lra = m
        .readings()
        .loudness_range()
        .unwrap_or_else(|| panic!("{case}: no loudness range"));
    assert_near(&format!("{case} LRA"), lra, expected, LRA_TOL, LRA_TOL);
    let twice: Vec<Segment> = segments.iter().chain(segments).copied().collect();
    let m = metered(2, &stereo_tone(RATE, &twice));
    let repeated = m
        .readings()
        .loudness_range()
        .unwrap_or_else(|| panic!("{case} repeated: no loudness range"));
    assert_near(
        &format!("{case} LRA, programme repeated"),
        repeated,
        expected,
        LRA_TOL,
        LRA_TOL,
    );
}

#[test]
fn tech_3342_case_1_minus_20_then_minus_30() {
    loudness_range_case("3342 #1", &[tone(20.0, -20.0), tone(20.0, -30.0)], 10.0);
}

#[test]
fn tech_3342_case_2_minus_20_then_minus_15() {
    loudness_range_case("3342 #2", &[tone(20.0, -20.0), tone(20.0, -15.0)], 5.0);
}

#[test]
fn tech_3342_case_3_minus_40_then_minus_20() {
    loudness_range_case("3342 #3", &[tone(20.0, -40.0), tone(20.0, -20.0)], 20.0);
}

#[test]
fn tech_3342_case_4_five_tones() {
    loudness_range_case(
        "3342 #4",
        &[
            tone(20.0, -50.0),
            tone(20.0, -35.0),
            tone(20.0, -20.0),
            tone(20.0, -35.0),
            tone(20.0, -50.0),
        ],
        15.0,
    );
}

#[test]
fn agrees_with_the_ebur128_crate_on_shaped_noise() {
    for (rate, seed) in [(44_100, 0x5eed_4410), (48_000, 0x5eed_4800)] {
        let s = ebu::noise_programme(rate, 8.0, seed);
        let mut ours = LoudnessMeter::new(rate, 2);
        let mut theirs =
            EbuR128::new(2, rate, Mode::I | Mode::S | Mode::TRUE_PEAK).expect("ebur128 meter");
        for chunk in s.chunks(CHUNK_FRAMES * 2) {
            ours.push(chunk);
            theirs.add_frames_f32(chunk).expect("ebur128 frames");
        }
        let r = ours.readings();
        let what = format!("noise at {rate} Hz");
        let sample_peak = r.max_sample_peak_dbfs();
        println!("{what}: sample peak {sample_peak:.3} dBFS");
        assert!(
            sample_peak < -0.1,
            "{what}: the noise clips ({sample_peak:.3} dBFS)"
        );

        let i_theirs = theirs.loudness_global().expect("ebur128 integrated");
        let i_ours = integrated(&ours, &what);
        assert_near(
            &format!("{what}: I, ebur128 expected"),
            i_ours,
            i_theirs,
            0.05,
            0.05,
        );

        let m_theirs = theirs.loudness_momentary().expect("ebur128 momentary");
        assert_near(
            &format!("{what}: M at end, ebur128 expected"),
            r.momentary(),
            m_theirs,
            0.05,
            0.05,
        );
        let s_theirs = theirs.loudness_shortterm().expect("ebur128 short-term");
        assert_near(
            &format!("{what}: S at end, ebur128 expected"),
            r.short_term(),
            s_theirs,
            0.05,
            0.05,
        );

        let tp_ours = r.true_peak_dbtp();
        for (c, &tp) in tp_ours.iter().enumerate() {
            let linear = theirs.true_peak(c as u32).expect("ebur128 true peak");
            let tp_theirs = 20.0 * linear.log10();
            assert_near(
                &format!("{what}: TP channel {c}, ebur128 expected"),
                tp,
                tp_theirs,
                0.2,
                0.2,
            );
        }
    }
}
