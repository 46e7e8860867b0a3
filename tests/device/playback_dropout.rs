//! No dropouts: a minute of 1080p23.976 H.264 with a continuous 1 kHz tone plays through the
//! real cpal path (`earmark FILE --play-for 60 --exit`, pictures decoded and presented on time)
//! into the PulseAudio null sink, `parec` records the sink's monitor, and every sample of the
//! recording must continue the sine: a dropout, a repeated or skipped block, or a click breaks
//! the recurrence s[n+1] = 2·cos(ω)·s[n] − s[n−1].

use crate::common;

use common::tone_fixture;

use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn a_minute_of_1080p_playback_has_no_dropout() {
    let _device = crate::run::exclusive();
    // Earmark's own underruns and dropped pictures fail at once (inside `play_minute`). A gap
    // in the recording while Earmark had every sample queued in time is the sound server's
    // stream running dry — on this shared two-core VM, a rare stall of the whole machine does
    // that (seen once in many runs, ~40 ms of inserted silence). One such run is retried; a
    // second one fails, so a real, repeatable dropout cannot pass.
    if let Err(first) = play_minute() {
        eprintln!("first run: {first}; playing the minute again");
        crate::run::note_retry(&format!(
            "playback_dropout: first run: {}; played the minute again",
            first.lines().next().unwrap_or_default()
        ));
        if let Err(second) = play_minute() {
            panic!("dropouts in two runs: {first}; then {second}");
        }
    }
}

/// Plays the minute and checks the recording; `Err` describes discontinuities.
fn play_minute() -> Result<(), String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let raw = dir.path().join("capture.raw");
    let mut rec = Command::new("parec")
        .args(["-d", "review.monitor", "--format=float32le", "--rate=48000"])
        .args(["--channels=2", "--raw", "--latency-msec=20"])
        .stdout(std::fs::File::create(&raw).expect("capture file"))
        .spawn()
        .expect("parec runs (run through `make test`)");
    std::thread::sleep(Duration::from_millis(300));
    let out = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg(tone_fixture())
        .args([
            "--play-from",
            "01:00:00:12",
            "--play-for",
            "60",
            "--device",
            "Review",
        ])
        .arg("--exit")
        .env("XDG_CONFIG_HOME", dir.path())
        .stderr(Stdio::piped())
        .output()
        .expect("earmark runs");
    std::thread::sleep(Duration::from_millis(300));
    rec.kill().ok();
    rec.wait().ok();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "earmark failed: {err}");
    eprintln!("{err}");
    assert!(err.contains("(0 frames of underrun,"), "{err}");
    // Every picture shown, but those whose time had passed before the system woke the
    // presenter (a stalled VM: the player reports them apart).
    let dropped = crate::run::number_after(&err, ", dropped ");
    let held = if dropped > 0 {
        crate::run::number_after(&err, &format!(", dropped {dropped} ("))
    } else {
        0
    };
    assert_eq!(
        dropped, held,
        "pictures dropped while the player was awake: {err}"
    );

    let bytes = std::fs::read(&raw).expect("capture");
    let left: Vec<f64> = bytes
        .chunks_exact(8)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)
        .collect();
    let first = left
        .iter()
        .position(|s| s.abs() > 0.01)
        .expect("tone heard");
    let last = left.len()
        - left
            .iter()
            .rev()
            .position(|s| s.abs() > 0.01)
            .expect("tone");
    let heard_s = (last - first) as f64 / 48_000.0;
    // Longer than played, with no underrun of Earmark's: the sound server inserted silence
    // (its stream ran dry on a stalled machine) — the kind of run that is tried again.
    if heard_s > 60.1 {
        return Err(format!(
            "tone lasted {heard_s:.3} s, not 60 s: the server's stream ran dry"
        ));
    }
    assert!(
        (heard_s - 60.0).abs() < 0.1,
        "tone lasted {heard_s:.3} s, not 60 s"
    );
    // Skip 5 ms at either end (the tone starts and stops mid-cycle there).
    let k = 2.0 * (2.0 * std::f64::consts::PI * 1000.0 / 48_000.0).cos();
    let mut worst = (0.0f64, 0usize);
    let mut breaks = Vec::new();
    for n in first + 240..last - 240 {
        let r = (left[n + 1] - k * left[n] + left[n - 1]).abs();
        if r > worst.0 {
            worst = (r, n);
        }
        if r > 0.01 {
            breaks.push(n);
        }
    }
    eprintln!(
        "tone heard for {heard_s:.3} s; worst recurrence residual {:.5} at {:.3} s (tone peak 0.1)",
        worst.0,
        (worst.1 - first) as f64 / 48_000.0
    );
    if breaks.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} discontinuities, first at {:.3} s into the tone (tone lasted {heard_s:.3} s)",
            breaks.len(),
            (breaks[0] - first) as f64 / 48_000.0
        ))
    }
}
