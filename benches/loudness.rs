//! Loudness benchmark (`make bench`):
//! - whole-file analysis throughput (× real time, decode included) of `earmark`'s scan against
//!   `ffmpeg -af ebur128=peak=true` on the same 1080p file with 48 kHz stereo AAC, measured in the
//!   same run, best of 3 each (target: ≥ 2× ffmpeg's speed);
//! - where the scan's time goes: AAC decode alone, the R128 meter alone, the voice detector alone;
//! - live metering cost per second of audio (R128 meter + phase + spectrum at display rate).

use earmark::analysis::scan_file;
use earmark::audio::AudioSource;
use earmark::meters::{LoudnessMeter, PhaseMeter, SpectrumAnalyzer, SpeechDetector};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::time::Instant;

fn best_of<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(v);
    }
    (best, last.expect("ran"))
}

fn ffmpeg_ebur128(file: &Path) -> Option<f64> {
    let (secs, ok) = best_of(3, || {
        Command::new("ffmpeg")
            .args(["-hide_banner", "-nostats", "-v", "error", "-i"])
            .arg(file)
            .args(["-vn", "-af", "ebur128=peak=true", "-f", "null", "-"])
            .status()
            .is_ok_and(|s| s.success())
    });
    ok.then_some(secs)
}

fn decode_all(file: &Path) -> Vec<f32> {
    let mut src = AudioSource::open(file).expect("open");
    let mut all = Vec::new();
    while let Some(c) = src.next_chunk().expect("decode") {
        all.extend_from_slice(&c.samples);
    }
    all
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-media");
    let file = dir.join("bench_1080p23976_gop48.mov");
    if !file.exists() {
        eprintln!("missing {}: run `make bench`", file.display());
        std::process::exit(2);
    }
    let (ours, scan) = best_of(3, || {
        scan_file(&file, &AtomicU32::new(0), &AtomicBool::new(false)).expect("scan")
    });
    let audio_s = scan.report.duration_s;
    let peer = ffmpeg_ebur128(&file);
    let x = |secs: f64| audio_s / secs;
    match peer {
        Some(p) => println!(
            "whole-file analysis of {:.1} s 48 kHz stereo AAC in 1080p23.976 .mov: earmark {:.0}x real time ({ours:.3} s), ffmpeg ebur128=peak=true {:.0}x ({p:.3} s): {:.2}x ffmpeg's speed (target >= 2x)",
            audio_s,
            x(ours),
            x(p),
            p / ours
        ),
        None => println!("ffmpeg not available: earmark {:.0}x real time", x(ours)),
    }
    // Stage by stage, one core each.
    let (dec, samples) = best_of(3, || decode_all(&file));
    let (met, _) = best_of(3, || {
        let mut m = LoudnessMeter::new(48_000, 2);
        for c in samples.chunks(4096) {
            m.push(c);
        }
        m.readings().integrated()
    });
    let (vad, _) = best_of(3, || {
        let mut d = SpeechDetector::new(48_000);
        let mut flags = Vec::new();
        for c in samples.chunks(4096) {
            d.push(c, &mut flags);
        }
        flags.len()
    });
    println!(
        "stages on one core: AAC decode {:.0}x, R128 meter with true peak {:.0}x, voice detector {:.0}x real time",
        x(dec),
        x(met),
        x(vad)
    );
    // Live: what the meters thread does per second of playback (1024-frame periods, snapshot
    // every 33 ms).
    let (live, _) = best_of(3, || {
        let mut m = LoudnessMeter::new(48_000, 2);
        let mut p = PhaseMeter::new(48_000);
        let mut s = SpectrumAnalyzer::new(48_000);
        let (mut hz, mut db, mut g) = (Vec::new(), Vec::new(), Vec::new());
        let period = 1024 * 2;
        let per_snapshot = 48_000 * 2 * 33 / 1000;
        let mut since = 0;
        for c in samples.chunks(period) {
            m.push(c);
            p.push(c);
            s.push(c);
            since += c.len();
            if since >= per_snapshot {
                since = 0;
                let _ = (m.readings().integrated(), m.readings().loudness_range());
                p.goniometer(&mut g);
                s.compute(&mut hz, &mut db);
            }
        }
    });
    println!(
        "live metering: {:.2} ms of CPU per second of audio ({:.2} % of one core)",
        live / audio_s * 1000.0,
        live / audio_s * 100.0
    );
    if let Some(p) = peer
        && p / ours < 2.0
    {
        println!("target missed: whole-file analysis {:.2}x ffmpeg", p / ours);
    }
}
