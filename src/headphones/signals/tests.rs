//! Every check signal at the common rates: level, channel, polarity, peak and decode behaviour.

use super::*;
use crate::audio::MonitorMode;
use crate::audio::output::SignalStream;

const RATES: [u32; 3] = [44_100, 48_000, 96_000];
/// The tolerance for a generated level.
const LEVEL_TOL_DB: f64 = 0.05;

fn all_frames(s: &SignalLoop) -> std::ops::Range<usize> {
    0..s.frames()
}

fn channel(s: &SignalLoop, ch: usize) -> Vec<f32> {
    s.samples().iter().skip(ch).step_by(2).copied().collect()
}

#[test]
fn every_stock_signal_stays_under_the_peak_ceiling() {
    for rate in RATES {
        for check in CheckSignal::ALL {
            let s = check.generate(rate).expect("stock signal");
            let peak = s.peak_dbfs();
            assert!(
                peak <= PEAK_CEILING_DBFS,
                "{check:?} at {rate} Hz peaks at {peak:.2} dBFS"
            );
        }
    }
}

#[test]
fn reference_noise_is_minus_20_dbfs_rms_in_each_channel_with_sane_crest() {
    for rate in RATES {
        let s = CheckSignal::ReferenceLevel
            .generate(rate)
            .expect("reference");
        assert_eq!(s.frames(), rate as usize * 8, "an 8 s loop");
        for ch in 0..2 {
            let rms = s.rms_dbfs(ch, all_frames(&s));
            assert!(
                (rms - REFERENCE_RMS_DBFS).abs() < LEVEL_TOL_DB,
                "channel {ch} at {rate} Hz: {rms:.4} dBFS RMS"
            );
            // Far tighter than the tolerance: the scale is computed, not iterated.
            assert!((rms - REFERENCE_RMS_DBFS).abs() < 1e-4);
        }
        // Gaussian-like noise: crest factor of roughly 12–16 dB, so the peak is ≈ −4…−8 dBFS.
        let crest = s.peak_dbfs() - REFERENCE_RMS_DBFS;
        assert!(
            (9.0..=19.0).contains(&crest),
            "crest factor {crest:.1} dB at {rate} Hz"
        );
    }
}

#[test]
fn reference_noise_reads_about_its_rms_in_lufs() {
    // Exact 1/f to 20 kHz: the K-weighting shelf (+4 dB over the top three octaves) outweighs the
    // high-pass below 40 Hz, so one channel reads ~0.7 dB over its RMS. (FFmpeg's `anoisesrc`
    // pink reads 0.4 dB under, loudness.md §5.1: its spectrum is not the same.)
    let s = CheckSignal::ReferenceLevel
        .generate(48_000)
        .expect("reference");
    let lufs = s.channel_lufs(0);
    assert!(
        (-19.6..=-19.0).contains(&lufs),
        "one channel reads {lufs:.2} LUFS"
    );
    let stereo = s.stereo_lufs();
    assert!((stereo - (lufs + 10.0 * 2f64.log10())).abs() < 1e-9);
}

#[test]
fn ebu_match_noise_is_minus_23_lufs_per_channel_and_band_limited() {
    for rate in RATES {
        let s = CheckSignal::EbuMatch.generate(rate).expect("ebu");
        for ch in 0..2 {
            let lufs = s.channel_lufs(ch);
            assert!(
                (lufs - EBU_MATCH_LUFS).abs() < LEVEL_TOL_DB,
                "channel {ch} at {rate} Hz: {lufs:.4} LUFS"
            );
        }
        // K-weighting adds ~0.3–0.6 dB across 500–2000 Hz (loudness.md §5.1 measured +0.5).
        let rms = s.rms_dbfs(0, all_frames(&s));
        let lift = EBU_MATCH_LUFS - rms;
        assert!((0.2..=0.8).contains(&lift), "LUFS − RMS = {lift:.2} dB");
    }
}

#[test]
fn ebu_match_noise_agrees_with_the_ebur128_crate() {
    use ebur128::{EbuR128, Mode};
    let rate = 48_000;
    let s = CheckSignal::EbuMatch.generate(rate).expect("ebu");
    let left = channel(&s, 0);
    let mut mono = EbuR128::new(1, rate, Mode::I).expect("meter");
    let mut stereo = EbuR128::new(2, rate, Mode::I).expect("meter");
    for _ in 0..2 {
        mono.add_frames_f32(&left).expect("frames");
        stereo.add_frames_f32(s.samples()).expect("frames");
    }
    let i_mono = mono.loudness_global().expect("I");
    let i_stereo = stereo.loudness_global().expect("I");
    assert!(
        (i_mono - EBU_MATCH_LUFS).abs() < 0.1,
        "mono {i_mono:.3} LUFS"
    );
    assert!(
        (i_stereo - (EBU_MATCH_LUFS + 3.01)).abs() < 0.1,
        "stereo {i_stereo:.3} LUFS"
    );
    assert!((i_stereo - s.stereo_lufs()).abs() < 0.1);
}

#[test]
fn one_sided_signals_are_silent_on_the_other_side() {
    for rate in RATES {
        for (check, live, dead) in [
            (CheckSignal::LeftOnly, 0, 1),
            (CheckSignal::RightOnly, 1, 0),
        ] {
            let s = check.generate(rate).expect("signal");
            assert!(
                channel(&s, dead).iter().all(|&x| x == 0.0),
                "{check:?}: channel {dead} must be digital silence"
            );
            let rms = s.rms_dbfs(live, all_frames(&s));
            assert!(
                (rms - REFERENCE_RMS_DBFS).abs() < LEVEL_TOL_DB,
                "{check:?}: {rms:.3}"
            );
        }
    }
}

#[test]
fn in_phase_signals_are_identical_and_inverted_ones_exact_negatives() {
    for rate in RATES {
        for check in [
            CheckSignal::PolarityInPhase,
            CheckSignal::Balance,
            CheckSignal::ReferenceLevel,
            CheckSignal::EbuMatch,
            CheckSignal::LtRtCentre,
        ] {
            let s = check.generate(rate).expect("signal");
            assert!(
                s.samples().chunks_exact(2).all(|f| f[0] == f[1]),
                "{check:?}: L must equal R"
            );
        }
        for check in [CheckSignal::PolarityInverted, CheckSignal::LtRtSurround] {
            let s = check.generate(rate).expect("signal");
            assert!(
                s.samples().chunks_exact(2).all(|f| f[1] == -f[0]),
                "{check:?}: R must equal −L"
            );
            assert!(s.samples().iter().any(|&x| x != 0.0));
        }
    }
}

#[test]
fn polarity_pair_differs_only_in_the_sign_of_the_right_channel() {
    let a = CheckSignal::PolarityInPhase.generate(48_000).expect("A");
    let b = CheckSignal::PolarityInverted.generate(48_000).expect("B");
    assert_eq!(channel(&a, 0), channel(&b, 0));
    let ra = channel(&a, 1);
    let rb = channel(&b, 1);
    assert!(ra.iter().zip(&rb).all(|(x, y)| *x == -*y));
}

/// Applies a listen mode's matrix (the player's own) to a loop.
fn decode(s: &SignalLoop, mode: MonitorMode) -> Vec<[f32; 2]> {
    let m = mode.matrix();
    s.samples()
        .chunks_exact(2)
        .map(|f| {
            [
                m[0][0] * f[0] + m[0][1] * f[1],
                m[1][0] * f[0] + m[1][1] * f[1],
            ]
        })
        .collect()
}

#[test]
fn lt_rt_states_decode_to_the_right_place_and_surround_vanishes_in_mono() {
    let rate = 48_000;
    let centre = CheckSignal::LtRtCentre.generate(rate).expect("C");
    let surround = CheckSignal::LtRtSurround.generate(rate).expect("S");
    let silent = |v: &[[f32; 2]]| v.iter().all(|f| f[0] == 0.0 && f[1] == 0.0);
    let same_as_left = |v: &[[f32; 2]], s: &SignalLoop| {
        v.iter()
            .zip(s.samples().chunks_exact(2))
            .all(|(d, f)| d[0] == f[0] && d[1] == f[0])
    };
    // Centre: all of it in (Lt+Rt)/2 and in mono, none in (Lt−Rt)/2.
    assert!(same_as_left(
        &decode(&centre, MonitorMode::LtRtCentre),
        &centre
    ));
    assert!(same_as_left(&decode(&centre, MonitorMode::Mono), &centre));
    assert!(silent(&decode(&centre, MonitorMode::LtRtSurround)));
    // Surround: all of it in (Lt−Rt)/2, none in the centre decode nor in mono.
    assert!(same_as_left(
        &decode(&surround, MonitorMode::LtRtSurround),
        &surround
    ));
    assert!(silent(&decode(&surround, MonitorMode::LtRtCentre)));
    assert!(silent(&decode(&surround, MonitorMode::Mono)));
}

#[test]
fn left_right_bursts_alternate_with_exact_levels_and_silent_gaps() {
    for rate in RATES {
        let s = CheckSignal::LeftRight.generate(rate).expect("bursts");
        let burst = ms_to_frames(BURST_MS, rate);
        let gap = ms_to_frames(BURST_GAP_MS, rate);
        assert_eq!(s.frames(), 2 * (burst + gap));
        let segs = s.segments();
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].routing, Routing::Left);
        assert_eq!(segs[1].routing, Routing::Right);
        assert_eq!(segs[0].start, 0);
        assert_eq!(segs[1].start, burst + gap);
        for (seg, live, dead) in [(segs[0], 0, 1), (segs[1], 1, 0)] {
            let rms = s.rms_dbfs(live, seg.steady());
            assert!(
                (rms - REFERENCE_RMS_DBFS).abs() < LEVEL_TOL_DB,
                "{:?} burst at {rate} Hz: {rms:.4} dBFS RMS",
                seg.routing
            );
            assert!((seg.start..seg.end).all(|f| s.frame(f)[dead] == 0.0));
            // Edges ramp from silence: the first and last frames of a burst are zero.
            assert_eq!(s.frame(seg.start)[live], 0.0);
            assert_eq!(s.frame(seg.end - 1)[live], 0.0);
            assert_eq!(
                s.segment_at(seg.start + 10).map(|x| x.routing),
                Some(seg.routing)
            );
        }
        for f in (burst..burst + gap).chain(2 * burst + gap..2 * (burst + gap)) {
            assert_eq!(s.frame(f), [0.0, 0.0], "gap frame {f} at {rate} Hz");
            assert!(s.segment_at(f).is_none());
        }
    }
}

#[test]
fn sine_rms_is_peak_minus_3_01_and_loops_whole_cycles() {
    for rate in RATES {
        let s = sine_tone(rate, 1000.0, -20.0, Routing::InPhase).expect("tone");
        let rms = s.rms_dbfs(0, all_frames(&s));
        let expected = -20.0 - 10.0 * 2f64.log10();
        assert!((rms - expected).abs() < 1e-4, "{rate} Hz: {rms}");
        assert!((s.peak_dbfs() - -20.0).abs() < 0.01);
        // Whole cycles: the sample after the last is the first again (sin 0 = 0).
        assert_eq!(s.frame(0), [0.0, 0.0]);
        let last = s.frame(s.frames() - 1)[0];
        let step = std::f64::consts::TAU * 1000.0 / f64::from(rate) * 0.1;
        assert!((f64::from(last) + step).abs() < 1e-3, "last sample {last}");
    }
    // A mid-band tone of a given level reads it in LUFS: 997 Hz at −20 dBFS peak in one channel
    // is −23.01 LUFS (BS.1770's own calibration point).
    let s = sine_tone(48_000, 997.0, -20.0, Routing::Left).expect("tone");
    let lufs = s.channel_lufs(0);
    assert!((lufs - -23.01).abs() < 0.01, "{lufs}");
}

#[test]
fn bad_requests_are_errors_not_panics() {
    assert_eq!(pink_noise(0, -20.0, 1), Err(SignalError::Rate(0)));
    assert!(matches!(
        pink_noise(48_000, f64::NAN, 1),
        Err(SignalError::Level(_))
    ));
    assert!(matches!(
        pink_noise(48_000, -3.0, 1),
        Err(SignalError::PeakOverCeiling { .. })
    ));
    assert!(matches!(
        sine_tone(48_000, 30_000.0, -20.0, Routing::Left),
        Err(SignalError::Frequency { .. })
    ));
    assert!(matches!(
        sine_tone(48_000, 1000.0, 0.0, Routing::Left),
        Err(SignalError::PeakOverCeiling { .. })
    ));
}

#[test]
fn signals_are_deterministic_and_work_at_unusual_rates() {
    assert_eq!(
        CheckSignal::ReferenceLevel.generate(48_000),
        CheckSignal::ReferenceLevel.generate(48_000)
    );
    for rate in [8_000, 22_050, 32_000, 88_200, 192_000] {
        let s = CheckSignal::ReferenceLevel
            .generate(rate)
            .expect("reference");
        let rms = s.rms_dbfs(0, all_frames(&s));
        assert!(
            (rms - REFERENCE_RMS_DBFS).abs() < LEVEL_TOL_DB,
            "{rate} Hz: {rms}"
        );
        assert!(s.peak_dbfs() <= PEAK_CEILING_DBFS);
    }
}

#[test]
fn every_check_has_words() {
    for check in CheckSignal::ALL {
        assert!(!check.title().is_empty());
        assert!(check.listen_for().len() > 10);
    }
}

#[test]
fn burst_edges_are_symmetric() {
    let (len, edge) = (100, 10);
    assert_eq!(edge_gain(0, len, edge), 0.0);
    assert_eq!(edge_gain(len - 1, len, edge), 0.0);
    assert_eq!(edge_gain(50, len, edge), 1.0);
    for n in 0..edge {
        assert_eq!(edge_gain(n, len, edge), edge_gain(len - 1 - n, len, edge));
    }
}

#[test]
fn the_output_stream_plays_a_check_loop_exactly_and_without_a_seam() {
    let noise = pink_noise(8_000, REFERENCE_RMS_DBFS, 5).expect("noise");
    let n = noise.frames();
    let mut s = SignalStream::new(std::sync::Arc::new(noise.clone()));
    let mut out = vec![0.0f32; 2 * (n + 10)];
    s.fill(&mut out);
    for f in 0..10 {
        assert_eq!([out[2 * (n + f)], out[2 * (n + f) + 1]], noise.frame(f));
    }
    assert_eq!(s.loop_position(), 10);
}
