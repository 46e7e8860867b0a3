//! The long-run soak (`make soak`, not part of `make test`): hours of looped 1080p playback
//! through the real output path (cpal → the PulseAudio null sink of scripts/with-test-env.sh),
//! with the headless presenter showing every frame when the audio clock says it is due.
//!
//! Every interval it records the process's resident memory and the picture-to-audio-clock
//! offset of the pictures shown in that interval; at the end it asserts that memory is flat
//! (after a warm-up) and that A/V has not drifted, and prints a table for BENCHMARKS.md.
//! `SOAK_SECONDS` sets the length (default 7200 = 2 h), `SOAK_INTERVAL` the row spacing
//! (default 300 s), `SOAK_FILE` the clip (default the 62 s 1080p23.976 H.264 + AAC sync fixture,
//! so the loop wraps about 58 times an hour).

use earmark::player::{Command, Player, PlayerOptions, Presentation, av_stats, spawn_presenter};
use earmark::time::Frame;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Memory may grow by this much between the end of the warm-up and the end of the run.
const MAX_GROWTH_KB: i64 = 16 * 1024;
/// The median picture-to-clock offset of the last interval may differ from the first by this
/// much.
const MAX_DRIFT_US: f64 = 1000.0;
/// Memory is judged after this long (buffers, caches and the allocator settle first: in the
/// 1 500 s run of 2026-12-02 RSS rose 335 → 351 MB between 150 s and 300 s, then 0.5 MB in the
/// 20 minutes after).
const WARM_UP: Duration = Duration::from_secs(300);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// This process's resident set, kB (Linux /proc).
fn rss_kb() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// Median of clock-at-presentation minus frame start, µs, over pictures shown on the audio
/// clock at 1×.
fn median_offset_us(log: &[Presentation]) -> f64 {
    let mut d: Vec<i64> = log
        .iter()
        .filter(|p| p.audio_clock && p.speed == 1)
        .map(|p| p.clock_ns - p.frame_ns)
        .collect();
    if d.is_empty() {
        return 0.0;
    }
    d.sort_unstable();
    d[d.len() / 2] as f64 / 1000.0
}

struct Interval {
    at_s: u64,
    rss_kb: i64,
    pictures: usize,
    /// Median picture-to-clock offset: robust to the odd picture a busy machine shows late.
    median_us: f64,
    max_abs_us: f64,
    dropped: u64,
    underruns: u64,
    frame: u64,
}

#[test]
#[ignore = "hours long: run with `make soak`"]
fn looped_1080p_playback_keeps_memory_flat_and_sync() {
    let _device = crate::run::exclusive();
    let seconds = env_u64("SOAK_SECONDS", 7200);
    let every = Duration::from_secs(env_u64("SOAK_INTERVAL", 300).min(seconds.max(1)));
    let file = std::env::var("SOAK_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/cache-sync/tone_1080p23976_62s.mov")
        });
    assert!(
        file.exists(),
        "{} is missing: run `make fixtures`",
        file.display()
    );
    let player = Arc::new(
        Player::open(
            &file,
            PlayerOptions {
                device: Some("Review".into()),
                record_presentations: true,
                ..PlayerOptions::default()
            },
        )
        .expect("player opens"),
    );
    let snap = player.snapshot();
    assert_eq!(snap.device.as_deref(), Some("Review"), "{snap:?}");
    let last = player.frame_count().saturating_sub(1);
    player.send(Command::SetLoop(Some((Frame(0), Frame(last + 1)))));
    player.send(Command::SetLooping(true));
    let (stop, presenter) = spawn_presenter(player.clone()).expect("presenter");
    player.send(Command::Play);

    let start = Instant::now();
    let mut rows: Vec<Interval> = Vec::new();
    let mut warm_rss = None;
    println!(
        "soak: {} for {seconds} s, a row every {} s",
        file.display(),
        every.as_secs()
    );
    println!("  time   RSS MB  pictures  A/V median µs  |A/V| max µs  dropped  underruns  frame");
    while start.elapsed() < Duration::from_secs(seconds) {
        std::thread::sleep(every.min(Duration::from_secs(seconds).saturating_sub(start.elapsed())));
        let log = player.take_presentations();
        let av = av_stats(&log);
        let median_us = median_offset_us(&log);
        let snap = player.snapshot();
        assert_eq!(snap.message, None, "player reported a problem");
        let row = Interval {
            at_s: start.elapsed().as_secs(),
            rss_kb: rss_kb(),
            pictures: log.len(),
            median_us,
            max_abs_us: av.max_abs_us,
            dropped: snap.dropped_frames,
            underruns: player.audio_counters().1,
            frame: snap.frame.0,
        };
        println!(
            "{:>5} s  {:>7.1}  {:>8}  {:>13.1}  {:>12.1}  {:>7}  {:>9}  {:>5}",
            row.at_s,
            row.rss_kb as f64 / 1024.0,
            row.pictures,
            row.median_us,
            row.max_abs_us,
            row.dropped,
            row.underruns,
            row.frame
        );
        if warm_rss.is_none() && start.elapsed() >= WARM_UP {
            warm_rss = Some(row.rss_kb);
        }
        assert!(row.pictures > 0, "no pictures shown in the last interval");
        rows.push(row);
    }
    player.send(Command::Pause);
    stop.store(true, Ordering::Relaxed);
    presenter.join().expect("presenter thread");

    let first = rows.first().expect("at least one interval");
    let end = rows.last().expect("at least one interval");
    let growth = end.rss_kb - warm_rss.unwrap_or(first.rss_kb);
    let drift = end.median_us - first.median_us;
    let shown: usize = rows.iter().map(|r| r.pictures).sum();
    println!(
        "soak: {} s, {shown} pictures, memory {:+.1} MB after warm-up, A/V drift {drift:+.1} µs, \
         {} dropped, {} samples of underrun",
        end.at_s,
        growth as f64 / 1024.0,
        end.dropped,
        end.underruns
    );
    assert!(
        growth <= MAX_GROWTH_KB,
        "memory grew {growth} kB after the warm-up"
    );
    assert!(
        drift.abs() <= MAX_DRIFT_US,
        "A/V drifted {drift:.1} µs between the first and last interval"
    );
}
