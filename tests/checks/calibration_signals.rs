//! The calibration-check signals measured by someone else: each is written to a WAV file and
//! read back through the `ffmpeg` command line (`astats` for RMS, peak and channel, `pan` to sum
//! or difference the channels for polarity and the Lt/Rt decode, `ebur128` for loudness), so the
//! levels the unit tests promise are confirmed by an implementation that shares no code with ours.

use earmark::headphones::signals::{
    CheckSignal, EBU_MATCH_LUFS, PEAK_CEILING_DBFS, REFERENCE_RMS_DBFS, SignalLoop,
};
use std::path::{Path, PathBuf};
use std::process::Command;

const RATE: u32 = 48_000;
/// The tolerance for a generated level, dB.
const LEVEL_TOL_DB: f64 = 0.05;

/// Writes interleaved stereo as a 32-bit float WAV.
fn write_wav(path: &Path, rate: u32, samples: &[f32]) {
    let data_len = (samples.len() * 4) as u32;
    let mut b = Vec::with_capacity(44 + samples.len() * 4);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data_len).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&3u16.to_le_bytes()); // IEEE float
    b.extend_from_slice(&2u16.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&(rate * 8).to_le_bytes());
    b.extend_from_slice(&8u16.to_le_bytes());
    b.extend_from_slice(&32u16.to_le_bytes());
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        b.extend_from_slice(&s.to_le_bytes());
    }
    std::fs::write(path, b).expect("write wav");
}

/// Runs ffmpeg with `filter` on `path` and returns its log (stderr).
fn ffmpeg(path: &Path, filter: &str) -> String {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostats", "-i"])
        .arg(path)
        .args(["-af", filter, "-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success(), "ffmpeg failed on {}", path.display());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `astats` values of `key` ("RMS level dB", "Peak level dB"): one per channel, then overall.
fn astats(log: &str, key: &str) -> Vec<f64> {
    log.lines()
        .filter_map(|l| l.split_once(&format!("] {key}: ")).map(|(_, v)| v.trim()))
        .map(|v| match v {
            "-inf" => f64::NEG_INFINITY,
            v => v.parse().expect("astats number"),
        })
        .collect()
}

/// Integrated loudness from the `ebur128` summary.
fn ebur128_integrated(log: &str) -> f64 {
    let summary = log.split("Summary:").nth(1).expect("ebur128 summary");
    summary
        .lines()
        .find_map(|l| l.trim().strip_prefix("I:"))
        .and_then(|v| v.trim().trim_end_matches("LUFS").trim().parse().ok())
        .expect("integrated loudness")
}

struct Written {
    _dir: tempfile::TempDir,
    path: PathBuf,
    signal: SignalLoop,
}

/// Writes `repeats` repetitions of a check's loop.
fn written(check: CheckSignal, repeats: usize) -> Written {
    let signal = check.generate(RATE).expect("signal");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("signal.wav");
    let samples: Vec<f32> = std::iter::repeat_n(signal.samples(), repeats)
        .flatten()
        .copied()
        .collect();
    write_wav(&path, RATE, &samples);
    Written {
        _dir: dir,
        path,
        signal,
    }
}

#[test]
fn reference_noise_reads_minus_20_dbfs_rms_in_astats() {
    let w = written(CheckSignal::ReferenceLevel, 1);
    let log = ffmpeg(&w.path, "astats");
    let rms = astats(&log, "RMS level dB");
    assert_eq!(rms.len(), 3, "two channels and overall:\n{log}");
    for (ch, r) in rms.iter().enumerate() {
        assert!(
            (r - REFERENCE_RMS_DBFS).abs() < LEVEL_TOL_DB,
            "channel {ch}: {r} dBFS RMS"
        );
    }
    let peak = astats(&log, "Peak level dB");
    assert!(peak.iter().all(|&p| p <= PEAK_CEILING_DBFS), "{peak:?}");
    assert!((peak[0] - w.signal.peak_dbfs()).abs() < 0.01);
}

#[test]
fn one_sided_noise_is_silent_on_the_other_channel() {
    for (check, dead) in [(CheckSignal::LeftOnly, 1), (CheckSignal::RightOnly, 0)] {
        let w = written(check, 1);
        let rms = astats(&ffmpeg(&w.path, "astats"), "RMS level dB");
        assert_eq!(rms[dead], f64::NEG_INFINITY, "{check:?}: {rms:?}");
        assert!((rms[1 - dead] - REFERENCE_RMS_DBFS).abs() < LEVEL_TOL_DB);
    }
}

#[test]
fn polarity_and_lt_rt_states_cancel_where_they_should() {
    let sum = "pan=mono|c0=0.5*c0+0.5*c1,astats";
    let diff = "pan=mono|c0=0.5*c0-0.5*c1,astats";
    for (check, sum_silent) in [
        (CheckSignal::PolarityInPhase, false),
        (CheckSignal::LtRtCentre, false),
        (CheckSignal::PolarityInverted, true),
        (CheckSignal::LtRtSurround, true),
    ] {
        let w = written(check, 1);
        let s = astats(&ffmpeg(&w.path, sum), "RMS level dB")[0];
        let d = astats(&ffmpeg(&w.path, diff), "RMS level dB")[0];
        let (silent, live) = if sum_silent { (s, d) } else { (d, s) };
        // Exact cancellation in float: nothing at all, or at the very least nothing audible.
        assert!(
            silent < -140.0,
            "{check:?}: the cancelled decode reads {silent} dBFS"
        );
        assert!(
            (live - REFERENCE_RMS_DBFS).abs() < LEVEL_TOL_DB,
            "{check:?}: the live decode reads {live} dBFS"
        );
    }
}

#[test]
fn ebu_match_noise_reads_minus_23_lufs_per_channel_in_ebur128() {
    let w = written(CheckSignal::EbuMatch, 3);
    let left = ebur128_integrated(&ffmpeg(&w.path, "pan=mono|c0=c0,ebur128"));
    assert!(
        (left - EBU_MATCH_LUFS).abs() < 0.1,
        "one channel: {left} LUFS"
    );
    let stereo = ebur128_integrated(&ffmpeg(&w.path, "ebur128"));
    assert!(
        (stereo - w.signal.stereo_lufs()).abs() < 0.1,
        "stereo: ffmpeg {stereo}, ours {}",
        w.signal.stereo_lufs()
    );
}

#[test]
fn left_right_bursts_measure_left_then_right() {
    let w = written(CheckSignal::LeftRight, 1);
    let segs = w.signal.segments();
    for (i, seg) in segs.iter().enumerate() {
        let steady = seg.steady();
        let filter = format!(
            "atrim=start_sample={}:end_sample={},astats",
            steady.start, steady.end
        );
        let rms = astats(&ffmpeg(&w.path, &filter), "RMS level dB");
        let (live, dead) = if i == 0 { (0, 1) } else { (1, 0) };
        assert_eq!(rms[dead], f64::NEG_INFINITY, "burst {i}: {rms:?}");
        assert!(
            (rms[live] - REFERENCE_RMS_DBFS).abs() < LEVEL_TOL_DB,
            "burst {i}: {rms:?}"
        );
    }
}

#[test]
fn reference_noise_loudness_agrees_with_ffmpeg() {
    // The calibration converts a meter reading through `stereo_lufs`, so it must be right for
    // the full-band noise too, not only for the EBU band.
    let w = written(CheckSignal::ReferenceLevel, 2);
    let stereo = ebur128_integrated(&ffmpeg(&w.path, "ebur128"));
    let ours = w.signal.stereo_lufs();
    assert!((stereo - ours).abs() < 0.1, "ffmpeg {stereo}, ours {ours}");
}
