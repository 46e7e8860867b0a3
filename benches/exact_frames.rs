//! Exact-frame access on 1080p 23.976 ~10 Mbit/s H.264 (GOP 48 and GOP 250), run by `make bench`.
//!
//! For each file it prints:
//! - random exact seeks (cold cache): median and p95 latency, and each seek's ratio to its
//!   physical floor — the time the same decoder configuration takes to decode from the keyframe
//!   to the target when the packets are already in memory (no seek, no demux), measured in the
//!   same run for the same targets. Target: median ratio ≤ 1.3;
//! - backward single-frame steps: p95 over steps that stay inside a GOP already visited, and the
//!   cost of the first step into each earlier GOP. Target: p95 ≤ one frame period (41.7 ms);
//! - forward sequential decode in frames per second (and with RGBA conversion). Target ≥ 200.

use earmark::video::FrameReader;
use ffmpeg_next as ffmpeg;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SEEKS: usize = 40;
const BACK_RUNS: usize = 4;
const BACK_STEPS: u64 = 120;
const SEQUENTIAL: u64 = 720;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-media");
    let mut failures = Vec::new();
    for gop in [48u64, 250] {
        let path = dir.join(format!("bench_1080p23976_gop{gop}.mov"));
        if !path.exists() {
            eprintln!(
                "missing {}: run `make bench` (scripts/make-bench-media.sh)",
                path.display()
            );
            std::process::exit(2);
        }
        println!("\n== {} (GOP {gop})", path.display());
        failures.extend(bench_file(&path, gop));
    }
    println!();
    if failures.is_empty() {
        println!("all targets met");
    } else {
        for f in &failures {
            println!("TARGET MISSED: {f}");
        }
    }
}

fn bench_file(path: &Path, gop: u64) -> Vec<String> {
    let mut failures = Vec::new();
    let mut reader = FrameReader::open(path).expect("open bench file");
    let count = reader.frame_count();
    let period = Duration::from_nanos(1_001_000_000 / 24);

    // Random exact seeks against the physical floor.
    let mut rng = 0x2545_f491_u64;
    let mut targets = Vec::new();
    while targets.len() < SEEKS {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let n = rng % count;
        // Keep targets at least one frame past their keyframe, so there is something to decode.
        if !n.is_multiple_of(gop) {
            targets.push(n);
        }
    }
    // Floor and reader alternate target by target, so machine load affects both alike.
    let mut floor_decoder = Floor::new(path, gop);
    let mut floors = Vec::new();
    let mut lat = Vec::new();
    let mut ratios = Vec::new();
    for &n in &targets {
        let floor = floor_decoder.measure(n);
        floors.push(floor);
        reader.clear_cache();
        let t = Instant::now();
        reader.frame(n).expect("exact frame");
        let d = t.elapsed();
        lat.push(d);
        ratios.push(d.as_secs_f64() / floor.as_secs_f64());
    }
    let med_ratio = median_f(&mut ratios);
    println!(
        "random seek  median {:>7.1} ms  p95 {:>7.1} ms | floor median {:>7.1} ms | ratio to floor: median {:.2}x  p95 {:.2}x  (target ≤ 1.30x median)",
        ms(pct(&mut lat, 50)),
        ms(pct(&mut lat, 95)),
        ms(pct(&mut floors.clone(), 50)),
        med_ratio,
        pct_f(&mut ratios, 95),
    );
    if med_ratio > 1.3 {
        failures.push(format!(
            "GOP {gop}: seek median ratio {med_ratio:.2}x > 1.30x"
        ));
    }

    // Backward single steps, starting from random points; a step into a GOP not yet visited in
    // this run is counted separately.
    let mut inside = Vec::new();
    let mut first_into = Vec::new();
    for run in 0..BACK_RUNS {
        let start = (count / (BACK_RUNS as u64 + 1)) * (run as u64 + 1) + 7;
        reader.clear_cache();
        reader.frame(start).expect("seek");
        let mut gop_seen = reader.index().keyframe_at_or_before(start);
        for n in (start - BACK_STEPS..start).rev() {
            let kf = reader.index().keyframe_at_or_before(n);
            let t = Instant::now();
            reader.frame(n).expect("back step");
            let d = t.elapsed();
            if kf != gop_seen {
                first_into.push(d);
                gop_seen = kf;
            } else {
                inside.push(d);
            }
        }
    }
    let p95 = pct(&mut inside, 95);
    println!(
        "back step    p95 {:>7.2} ms  median {:>6.2} ms over {} steps inside a GOP (target ≤ {:.1} ms = {:.2}x of it) | first step into a GOP: median {:.1} ms ({} steps)",
        ms(p95),
        ms(pct(&mut inside, 50)),
        inside.len(),
        ms(period),
        p95.as_secs_f64() / period.as_secs_f64(),
        ms(pct(&mut first_into, 50)),
        first_into.len()
    );
    if p95 > period {
        failures.push(format!(
            "GOP {gop}: back-step p95 {:.1} ms > {:.1} ms",
            ms(p95),
            ms(period)
        ));
    }

    // Forward sequential decode.
    let mut seq = FrameReader::open(path).expect("open");
    let t = Instant::now();
    for n in 0..SEQUENTIAL.min(count) {
        seq.frame(n).expect("sequential");
    }
    let fps = SEQUENTIAL.min(count) as f64 / t.elapsed().as_secs_f64();
    let mut seq = FrameReader::open(path).expect("open");
    let mut image = earmark::video::RgbaImage::default();
    let t = Instant::now();
    for n in 0..240.min(count) {
        seq.rgba_into(n, &mut image).expect("sequential rgba");
    }
    let fps_rgba = 240.min(count) as f64 / t.elapsed().as_secs_f64();
    let peer = ffmpeg_cli_fps(path, SEQUENTIAL.min(count));
    println!(
        "sequential   {fps:>7.1} fps decoded ({:.2}x the 200 fps target; {}) | {fps_rgba:.1} fps decoded + converted to RGBA",
        fps / 200.0,
        match peer {
            Some(p) => format!("ffmpeg CLI {p:.1} fps, ratio {:.2}x", fps / p),
            None => "ffmpeg CLI not found".to_owned(),
        }
    );
    if fps < 200.0 {
        failures.push(format!("GOP {gop}: sequential {fps:.0} fps < 200"));
    }
    failures
}

/// The physical floor of a seek: decoding from the target's keyframe to the target with the
/// packets already in memory (no seek, no demux), on a decoder configured like the reader's
/// (frame threads, auto count) and flushed between targets as the reader's is.
struct Floor {
    packets: Vec<ffmpeg::Packet>,
    keys: Vec<usize>,
    decoder: ffmpeg::decoder::Video,
    gop: u64,
}

impl Floor {
    fn new(path: &Path, gop: u64) -> Self {
        ffmpeg::init().expect("ffmpeg");
        let mut input = ffmpeg::format::input(path).expect("open");
        let stream = input
            .streams()
            .best(ffmpeg::media::Type::Video)
            .expect("video");
        let idx = stream.index();
        let params = stream.parameters();
        let mut packets = Vec::new();
        for (s, p) in input.packets() {
            if s.index() == idx {
                packets.push(p);
            }
        }
        // GOPs are closed and fixed-length, so target n lives in the GOP of keyframe n / gop.
        let keys = packets
            .iter()
            .enumerate()
            .filter(|(_, p)| p.is_key())
            .map(|(i, _)| i)
            .collect();
        let mut ctx = ffmpeg::codec::Context::from_parameters(params).expect("ctx");
        ctx.set_threading(ffmpeg::codec::threading::Config {
            kind: ffmpeg::codec::threading::Type::Frame,
            count: 0,
            safe: false,
        });
        let decoder = ctx.decoder().video().expect("decoder");
        Self {
            packets,
            keys,
            decoder,
            gop,
        }
    }

    fn measure(&mut self, n: u64) -> Duration {
        let gop_index = (n / self.gop) as usize;
        let first = self.keys[gop_index];
        let want = n - gop_index as u64 * self.gop; // pictures before the target in its GOP
        let mut seen = 0u64;
        let mut found = false;
        let mut frame = ffmpeg::frame::Video::empty();
        let dec = &mut self.decoder;
        let t = Instant::now();
        dec.flush();
        // A target among the last pictures of its GOP needs the next GOP's packets pushed through,
        // as the reader does (draining would end the stream).
        for p in &self.packets[first..] {
            dec.send_packet(p).expect("send");
            while !found && dec.receive_frame(&mut frame).is_ok() {
                found = seen == want;
                seen += 1;
            }
            if found {
                break;
            }
        }
        let d = t.elapsed();
        assert!(found, "floor decode never reached frame {n}");
        d
    }
}

/// The peer: `ffmpeg -i FILE -frames:v N -an -f null -` with its default (auto) threading.
fn ffmpeg_cli_fps(path: &Path, frames: u64) -> Option<f64> {
    let t = Instant::now();
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-frames:v", &frames.to_string(), "-an", "-f", "null", "-"])
        .status()
        .ok()?;
    status
        .success()
        .then(|| frames as f64 / t.elapsed().as_secs_f64())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(v: &mut [Duration], p: usize) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    v.sort();
    v[((v.len() - 1) * p + 50) / 100]
}

fn pct_f(v: &mut [f64], p: usize) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(((v.len().max(1) - 1) * p + 50) / 100)
        .copied()
        .unwrap_or(0.0)
}

fn median_f(v: &mut [f64]) -> f64 {
    pct_f(v, 50)
}
