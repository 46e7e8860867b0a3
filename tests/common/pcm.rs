//! Sound compared with an independent decoder: the ffmpeg CLI's decode of a file as f32, and the
//! measures the sample-exactness tests share (correlation at a lag, largest difference).
//!
//! Included with `#[path = "common/pcm.rs"] mod pcm;`.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// `ffmpeg -v error -i FILE ARGS… -f f32le -`: the decoded samples, interleaved.
pub fn ffmpeg_f32(path: &Path, args: &[&str]) -> Vec<f32> {
    let o = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(args)
        .args(["-f", "f32le", "-"])
        .output()
        .expect("the ffmpeg CLI runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Normalised correlation of `a` against `b` shifted by `lag` frames (stereo interleaved).
pub fn correlation(a: &[f32], b: &[f32], lag: i64) -> f64 {
    let (mut ab, mut aa, mut bb) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &x) in a.iter().enumerate() {
        let j = i as i64 + lag * 2;
        if j < 0 {
            continue;
        }
        let Some(&y) = b.get(j as usize) else { break };
        ab += f64::from(x) * f64::from(y);
        aa += f64::from(x) * f64::from(x);
        bb += f64::from(y) * f64::from(y);
    }
    ab / (aa.sqrt() * bb.sqrt()).max(1e-12)
}

/// The largest difference between two runs of samples.
pub fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}
