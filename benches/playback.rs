//! Playback engine benchmark, run by `make bench` inside the test environment (PulseAudio null
//! sink, so sound goes through the real cpal path):
//! - 60 s of 1080p23.976 (~10 Mbit/s) and of 1080p59.94 (~16 Mbit/s) played with sound and
//!   every picture decoded, converted to RGBA and presented on time by the headless presenter:
//!   CPU (user+sys / wall, % of one core) against the peer — the ffmpeg CLI decoding the same
//!   file in real time (`ffmpeg -re -i F -f null -`), measured in the same run — dropped
//!   frames (target 0), and A/V at presentation (clock − frame start; target |·| ≤ 1 ms);
//! - open → first picture and open → first sound over 8 fresh opens (target ≤ 300 ms).

use earmark::player::{PlayReport, PlayRequest, play_headless};
use std::path::{Path, PathBuf};
use std::process::Command;

fn play(file: &Path, ms: u64) -> PlayReport {
    play_headless(&PlayRequest {
        file: file.to_path_buf(),
        duration_ms: ms,
        device: std::env::var("EARMARK_BENCH_DEVICE").ok(),
        keep_presentations: true,
        ..PlayRequest::default()
    })
    .unwrap_or_else(|e| {
        eprintln!("cannot play {}: {e}", file.display());
        std::process::exit(2)
    })
}

/// CPU % of one core the ffmpeg CLI uses decoding `file` (picture and sound) in real time.
fn ffmpeg_cpu(file: &Path, secs: u32) -> Option<f64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%U %S %e", "ffmpeg", "-v", "error", "-re", "-i"])
        .arg(file)
        .args(["-t", &secs.to_string(), "-f", "null", "-"])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stderr);
    let nums: Vec<f64> = text
        .lines()
        .last()?
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect();
    (nums.len() == 3 && nums[2] > 0.0).then(|| (nums[0] + nums[1]) * 100.0 / nums[2])
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-media");
    let secs = std::env::var("EARMARK_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60u32);
    let mut failures = Vec::new();
    for (name, label) in [
        ("bench_1080p23976_gop48.mov", "1080p23.976"),
        ("bench_1080p5994_gop60.mov", "1080p59.94"),
    ] {
        let file = dir.join(name);
        if !file.exists() {
            eprintln!("missing {}: run `make bench`", file.display());
            std::process::exit(2);
        }
        let r = play(&file, secs as u64 * 1000);
        let cpu = r.cpu_percent.unwrap_or(f64::NAN);
        let peer = ffmpeg_cpu(&file, secs);
        let late = r
            .presentations
            .iter()
            .filter(|p| {
                p.audio_clock && p.speed == 1 && (p.clock_ns - p.frame_ns).abs() > 1_000_000
            })
            .count();
        println!(
            "{label}: {secs} s with sound on {} — CPU {cpu:.1}% of one core ({} for the ffmpeg CLI decoding in real time: ratio {}) | pictures {} dropped {} (target 0) | A/V at presentation mean {:.0} µs p95 {:.0} µs max {:.0} µs, {} of {} beyond 1 ms | underrun {} frames",
            r.device,
            peer.map(|p| format!("{p:.1}%")).unwrap_or("n/a".into()),
            peer.map(|p| format!("{:.2}x", cpu / p))
                .unwrap_or("n/a".into()),
            r.pictures_presented,
            r.dropped_frames,
            r.av.mean_us,
            r.av.p95_abs_us,
            r.av.max_abs_us,
            late,
            r.av.samples,
            r.underrun_frames,
        );
        if r.dropped_frames > 0 {
            failures.push(format!("{label}: {} dropped frames", r.dropped_frames));
        }
        if r.av.p95_abs_us > 1000.0 {
            failures.push(format!("{label}: A/V p95 {:.0} µs", r.av.p95_abs_us));
        }
    }
    let file = dir.join("bench_1080p23976_gop48.mov");
    let (mut pic, mut snd) = (Vec::new(), Vec::new());
    for _ in 0..8 {
        let r = play(&file, 400);
        pic.push(r.first_picture_ms.unwrap_or(f64::NAN));
        snd.push(r.first_sound_ms.unwrap_or(f64::NAN));
    }
    let (mp, ms) = (median(pic.clone()), median(snd.clone()));
    let worst = |v: &[f64]| v.iter().copied().fold(0.0f64, f64::max);
    println!(
        "open → first picture: median {mp:.0} ms, worst {:.0} ms ({:.2}x the 300 ms target) | open → first sound: median {ms:.0} ms, worst {:.0} ms ({:.2}x) over 8 opens of 1080p23.976",
        worst(&pic),
        worst(&pic) / 300.0,
        worst(&snd),
        worst(&snd) / 300.0
    );
    if worst(&pic) > 300.0 || worst(&snd) > 300.0 {
        failures.push("start-up over 300 ms".into());
    }
    if failures.is_empty() {
        println!("all playback targets met");
    } else {
        println!("targets missed: {}", failures.join("; "));
    }
}
