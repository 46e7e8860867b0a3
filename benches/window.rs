//! Review window benchmark, run by `make bench` inside the test environment (Xvfb, so the
//! window paints in software: there is no GPU on this machine; PulseAudio null sink for sound).
//! Everything runs the real binary, as a user would:
//! - idle CPU while paused: the window open on a 1080p file, nothing happening, CPU measured
//!   from /proc over 10 s for the window's thread (target ≈ 0: no repaints, at most 0.2 % of
//!   one core) and for the whole process;
//! - UI frame time while playing 1080p59.94 and 1080p23.976 with sound: time to build each UI
//!   frame, time between painted frames (against the file's frame period), picture uploads,
//!   dropped frames;
//! - `--goto` → the frame on screen, for random targets, against the ffmpeg CLI decoding the
//!   same exact frame (`ffmpeg -ss T -i F -frames:v 1 -f null -`) in the same run.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

fn earmark() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/earmark")
}

/// Starts the window; its stderr lines arrive on the receiver.
fn launch(file: &Path, args: &[&str], config: &Path) -> (Child, Receiver<String>) {
    let mut child = Command::new(earmark())
        .arg(file)
        .args(args)
        .env("XDG_CONFIG_HOME", config)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            eprintln!(
                "cannot run {}: {e} (build with cargo build --release)",
                earmark().display()
            );
            std::process::exit(2)
        });
    let (tx, rx) = std::sync::mpsc::channel();
    if let Some(err) = child.stderr.take() {
        std::thread::Builder::new()
            .name("bench-stderr".into())
            .spawn(move || {
                for line in BufReader::new(err).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            })
            .ok();
    }
    (child, rx)
}

fn wait_for(rx: &Receiver<String>, prefix: &str, limit: Duration) -> Option<String> {
    let deadline = Instant::now() + limit;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) if line.starts_with(prefix) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    None
}

fn cpu_ticks(stat_path: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(stat_path).ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Numbers following `key` in `line` (e.g. "median 1.2 ms").
fn number_after(line: &str, key: &str) -> Option<f64> {
    line.split(key)
        .nth(1)?
        .split_whitespace()
        .next()?
        .trim_end_matches(',')
        .parse()
        .ok()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let media = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-media");
    let file24 = media.join("bench_1080p23976_gop48.mov");
    let file60 = media.join("bench_1080p5994_gop60.mov");
    for f in [&file24, &file60] {
        if !f.exists() {
            eprintln!("{} missing: run scripts/make-bench-media.sh", f.display());
            std::process::exit(2);
        }
    }
    let config = tempfile::tempdir().expect("temp dir");
    let secs: u64 = std::env::var("EARMARK_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let mut failures = Vec::new();

    // Idle while paused.
    let (mut child, rx) = launch(&file24, &["--goto", "01:00:30:00"], config.path());
    if wait_for(&rx, "goto:", Duration::from_secs(60)).is_none() {
        eprintln!("the window did not show its frame");
        std::process::exit(1);
    }
    std::thread::sleep(Duration::from_secs(2));
    let tick = 100.0; // USER_HZ on Linux
    // The window's own thread (the process's main thread) and the whole process, which
    // also keeps the output device running on silence so that playback starts at once.
    let pid = child.id();
    let (ui_stat, all_stat) = (
        format!("/proc/{pid}/task/{pid}/stat"),
        format!("/proc/{pid}/stat"),
    );
    let t0 = Instant::now();
    let (ui_a, all_a) = (cpu_ticks(&ui_stat), cpu_ticks(&all_stat));
    std::thread::sleep(Duration::from_secs(10));
    let (ui_b, all_b) = (cpu_ticks(&ui_stat), cpu_ticks(&all_stat));
    let pct = |a: Option<u64>, b: Option<u64>| {
        (b.unwrap_or(0).saturating_sub(a.unwrap_or(0))) as f64 / tick / t0.elapsed().as_secs_f64()
            * 100.0
    };
    let (ui_idle, all_idle) = (pct(ui_a, ui_b), pct(all_a, all_b));
    child.kill().ok();
    child.wait().ok();
    println!(
        "idle, paused on a 1080p frame, 10 s: window thread {ui_idle:.2}% of one core (target ≤ 0.2%: no repaints), whole process {all_idle:.2}% (the output device running on silence, the player's watch)"
    );
    if ui_idle > 0.2 {
        failures.push("idle CPU");
    }

    // Playing.
    for (file, label, period_ms) in [
        (&file60, "1080p59.94", 1001.0 / 60.0),
        (&file24, "1080p23.976", 1001.0 / 24.0),
    ] {
        let play = secs.to_string();
        let (mut child, rx) = launch(
            file,
            &["--goto", "#0", "--play-for", &play, "--exit"],
            config.path(),
        );
        let limit = Duration::from_secs(secs + 60);
        let played = wait_for(&rx, "played:", limit).unwrap_or_default();
        let ui = wait_for(&rx, "ui while playing:", limit).unwrap_or_default();
        child.wait().ok();
        let dropped = number_after(&played, "played: ").unwrap_or(f64::NAN);
        let build_med = number_after(&ui, "build median ").unwrap_or(f64::NAN);
        let build_p99 = number_after(&ui, "ms p99 ").unwrap_or(f64::NAN);
        let interval = ui.split("frame interval").nth(1).unwrap_or_default();
        let int_med = number_after(interval, "median ").unwrap_or(f64::NAN);
        let int_p99 = number_after(interval, "p99 ").unwrap_or(f64::NAN);
        let uploads = ui.split("uploads,").nth(1).unwrap_or_default();
        let up_med = number_after(uploads, "median ").unwrap_or(f64::NAN);
        let frames = number_after(&ui, "playing: ").unwrap_or(f64::NAN);
        println!(
            "{label}: {secs} s in the window with sound — UI build median {build_med:.2} ms p99 {build_p99:.2} ms ({:.2}x of the {period_ms:.1} ms frame period) | painted frame interval median {int_med:.1} ms p99 {int_p99:.1} ms ({:.2}x the frame period) | {frames:.0} frames painted, picture upload median {up_med:.2} ms | dropped {dropped:.0} of {:.0}",
            build_med / period_ms,
            int_med / period_ms,
            secs as f64 * 1000.0 / period_ms
        );
    }

    // --goto → frame on screen, against ffmpeg decoding the same exact frame.
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let mut seed = 0x0060_7031u64;
    for _ in 0..8 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let frame = 24 + seed % (1440 - 48);
        let (s, f) = (frame / 24, frame % 24);
        let tc = format!("01:00:{:02}:{:02}", s, f);
        let (mut child, rx) = launch(&file24, &["--goto", &tc, "--exit"], config.path());
        let line = wait_for(&rx, "goto:", Duration::from_secs(60)).unwrap_or_default();
        child.wait().ok();
        if let Some(ms) = number_after(&line, "on screen ") {
            ours.push(ms);
        }
        // The same frame by the ffmpeg CLI: exact seek (decode from the keyframe), one frame.
        let at = format!("{:.6}", frame as f64 * 1001.0 / 24000.0);
        let started = Instant::now();
        let ok = Command::new("ffmpeg")
            .args(["-v", "error", "-ss", &at, "-i"])
            .arg(&file24)
            .args(["-frames:v", "1", "-an", "-f", "null", "-"])
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            theirs.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let worst = ours.iter().copied().fold(0.0, f64::max);
    let (m_ours, m_theirs) = (median(ours.clone()), median(theirs));
    println!(
        "--goto to frame on screen (1080p23.976 GOP 48, {} random targets): median {m_ours:.0} ms, worst {worst:.0} ms | ffmpeg CLI decoding the same frame: median {m_theirs:.0} ms (ratio {:.2}x)",
        ours.len(),
        m_ours / m_theirs
    );
    if failures.is_empty() {
        println!("all window targets met");
    } else {
        println!("missed: {}", failures.join(", "));
        std::process::exit(1);
    }
}
