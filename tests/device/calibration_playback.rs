//! Calibration check signals through the real output path: `earmark calibrate --signal …
//! --device PRIVATE` plays into a PulseAudio null sink of the case's own (`run::shared()`),
//! `parec` records the sink's monitor, and the recording is measured: the live channel is at
//! least 60 dB above the silent one, the polarity is what the signal says, the level is the
//! signal's own within 0.1 dB, output gain applies, and a monitoring mode does not.
//! Run under `scripts/with-test-env.sh`.

use earmark::headphones::CheckSignal;
use std::process::{Command, Stdio};
use std::time::Duration;

const RATE: u32 = 48_000;

/// Plays `signal` for `secs` with `extra` arguments into the 48 kHz sink; returns (L, R).
fn play_and_record(signal: &str, secs: &str, extra: &[&str]) -> (Vec<f32>, Vec<f32>) {
    let _sink = crate::run::shared();
    let pulse_up = Command::new("pactl")
        .arg("info")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        pulse_up,
        "no PulseAudio server: run through scripts/with-test-env.sh"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = dir.path().join("capture.raw");
    let sink = crate::common::PrivateSink::plug();
    let mut rec = Command::new("parec")
        .args(["-d", &sink.monitor(), "--format=float32le"])
        .args(["--rate=48000", "--channels=2", "--raw"])
        .stdout(std::fs::File::create(&raw).expect("capture file"))
        .spawn()
        .expect("parec runs");
    std::thread::sleep(Duration::from_millis(300));
    let out = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(["calibrate", "--signal", signal, "--play-for", secs])
        .args(["--device", &sink.description])
        .args(extra)
        .env("XDG_CONFIG_HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path())
        .stderr(Stdio::piped())
        .output()
        .expect("earmark runs");
    std::thread::sleep(Duration::from_millis(300));
    rec.kill().ok();
    rec.wait().ok();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "earmark failed: {err}");
    eprintln!("{err}");
    let bytes = std::fs::read(&raw).expect("capture");
    let s: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    (
        s.iter().step_by(2).copied().collect(),
        s.iter().skip(1).step_by(2).copied().collect(),
    )
}

/// The steady stretch of a recording: from the first to the last frame where anything was
/// heard, less 100 ms at each end (which covers the 10 ms fades and the monitor's ramp).
fn steady(l: &[f32], r: &[f32]) -> std::ops::Range<usize> {
    let heard = |i: usize| l[i].abs().max(r[i].abs()) > 1e-4;
    let first = (0..l.len())
        .find(|&i| heard(i))
        .expect("something was heard");
    let last = (0..l.len()).rev().find(|&i| heard(i)).unwrap_or(first);
    let skip = (RATE / 10) as usize;
    assert!(last > first + 3 * skip, "too short: {first}..{last}");
    first + skip..last - skip
}

fn rms_db(x: &[f32]) -> f64 {
    let ms = x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len().max(1) as f64;
    if ms > 0.0 { 10.0 * ms.log10() } else { -400.0 }
}

/// RMS of each channel over `span`, leaving out 10 ms blocks where both are silent: a stretch
/// of silence the sound server inserted when a recording or playback stream ran dry on a busy
/// machine (a level error moves every block, so it is not hidden).
fn rms_db_heard(l: &[f32], r: &[f32], span: std::ops::Range<usize>) -> [f64; 2] {
    let block = (RATE / 100) as usize;
    let (mut kept_l, mut kept_r) = (Vec::new(), Vec::new());
    let mut gaps = 0;
    for start in span.clone().step_by(block) {
        let end = (start + block).min(span.end);
        let (bl, br) = (&l[start..end], &r[start..end]);
        if rms_db(bl).max(rms_db(br)) < -60.0 {
            gaps += 1;
            continue;
        }
        kept_l.extend_from_slice(bl);
        kept_r.extend_from_slice(br);
    }
    let blocks = span.len().div_ceil(block);
    assert!(
        gaps * 20 <= blocks,
        "{gaps} of {blocks} blocks silent: not a dropout but a fault"
    );
    if gaps > 0 {
        eprintln!("{gaps} silent 10 ms blocks of {blocks} left out (the recording ran dry)");
    }
    [rms_db(&kept_l), rms_db(&kept_r)]
}

/// Normalised cross-correlation of L and R.
fn correlation(l: &[f32], r: &[f32]) -> f64 {
    let (mut lr, mut ll, mut rr) = (0.0, 0.0, 0.0);
    for (a, b) in l.iter().zip(r) {
        let (a, b) = (f64::from(*a), f64::from(*b));
        lr += a * b;
        ll += a * a;
        rr += b * b;
    }
    lr / (ll * rr).sqrt().max(1e-30)
}

/// The signal's own RMS per channel (dBFS), over its whole loop, at the sink's rate.
fn own_rms(signal: CheckSignal) -> [f64; 2] {
    let l = signal.generate(RATE).expect("signal");
    let n = l.frames();
    [l.rms_dbfs(0, 0..n), l.rms_dbfs(1, 0..n)]
}

#[test]
fn left_only_is_left_and_right_only_is_right_by_60_db() {
    let _device = crate::run::shared();
    for (id, live) in [("left", 0usize), ("right", 1usize)] {
        let (l, r) = play_and_record(id, "1.5", &[]);
        let span = steady(&l, &r);
        let ch = [rms_db(&l[span.clone()]), rms_db(&r[span])];
        eprintln!("{id}: L {:.2} dBFS, R {:.2} dBFS", ch[0], ch[1]);
        assert!(
            ch[live] - ch[1 - live] >= 60.0,
            "{id}: live {:.2} vs silent {:.2}",
            ch[live],
            ch[1 - live]
        );
    }
}

#[test]
fn a_monitoring_mode_does_not_move_a_check_signal() {
    let _device = crate::run::shared();
    // Swap would put the left channel in the right ear: a check must bypass it.
    let (l, r) = play_and_record("left", "1.2", &["--monitor", "swap"]);
    let span = steady(&l, &r);
    let (dl, dr) = (rms_db(&l[span.clone()]), rms_db(&r[span]));
    eprintln!("left under swap: L {dl:.2} dBFS, R {dr:.2} dBFS");
    assert!(dl - dr >= 60.0, "L {dl:.2}, R {dr:.2}");
}

#[test]
fn polarity_a_is_in_phase_and_b_is_inverted() {
    let _device = crate::run::shared();
    for (id, sign) in [("polarity-a", 1.0), ("polarity-b", -1.0)] {
        let (l, r) = play_and_record(id, "1.2", &[]);
        let span = steady(&l, &r);
        let c = correlation(&l[span.clone()], &r[span]);
        eprintln!("{id}: correlation {c:+.4}");
        assert!(c * sign > 0.99, "{id}: correlation {c:+.4}");
    }
}

#[test]
fn reference_noise_plays_at_its_own_level_and_gain_lowers_it_exactly() {
    let _device = crate::run::shared();
    let want = own_rms(CheckSignal::ReferenceLevel);
    assert!((want[0] + 20.0).abs() < 1e-3, "the loop is −20 dBFS RMS");
    let (l, r) = play_and_record("reference", "2.5", &[]);
    let span = steady(&l, &r);
    let got = rms_db_heard(&l, &r, span);
    eprintln!(
        "reference: L {:.3} R {:.3} dBFS (loop {:.3})",
        got[0], got[1], want[0]
    );
    for c in 0..2 {
        assert!(
            (got[c] - want[c]).abs() <= 0.1,
            "channel {c}: {:.3} vs {:.3}",
            got[c],
            want[c]
        );
    }
    let (l, r) = play_and_record("reference", "2.5", &["--gain", "-6"]);
    let span = steady(&l, &r);
    let quiet = rms_db_heard(&l, &r, span);
    eprintln!(
        "reference at −6 dB gain: L {:.3} R {:.3} dBFS",
        quiet[0], quiet[1]
    );
    for c in 0..2 {
        let drop = got[c] - quiet[c];
        assert!(
            (drop - 6.0).abs() <= 0.1,
            "channel {c}: dropped {drop:.3} dB"
        );
    }
}
