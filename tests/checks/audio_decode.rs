//! Decoded AAC equals FFmpeg's own decode of the same file (which applies the edit list) at zero
//! lag: priming is trimmed to the sample, so sound sits exactly on picture.

use crate::common;
use crate::pcm;

use common::fixture;
use earmark::audio::AudioDecoder;
use earmark::review::demo_clip;
use std::path::Path;

fn ours(path: &Path) -> (Vec<f32>, i64) {
    let mut dec = AudioDecoder::open(path).expect("open audio");
    let mut out = Vec::new();
    let mut first = None;
    let mut next = 0;
    while let Some(chunk) = dec.next_chunk().expect("decode") {
        first.get_or_insert(chunk.start);
        assert_eq!(chunk.start, next, "chunks are contiguous");
        next = chunk.start + (chunk.samples.len() / 2) as i64;
        out.extend_from_slice(&chunk.samples);
    }
    assert_eq!(dec.bad_packets, 0);
    (out, first.expect("some audio"))
}

fn check(path: &Path) {
    let (got, first) = ours(path);
    let want = pcm::ffmpeg_f32(path, &["-map", "0:a:0", "-acodec", "pcm_f32le"]);
    assert_eq!(first, 0, "first kept sample is position 0");
    // FFmpeg's CLI keeps the whole last AAC packet; we end where the track says it ends. The two
    // may differ by less than one packet (1024 frames) at the end, never at the start.
    let diff = (got.len() as i64 - want.len() as i64).abs() / 2;
    assert!(diff < 1024, "lengths differ by {diff} frames");
    let len = got.len().min(want.len());
    let (got, want) = (&got[..len], &want[..len]);
    let zero = pcm::correlation(got, want, 0);
    assert!(zero >= 0.999, "correlation at zero lag {zero:.5}");
    for lag in [-2112, -1024, -1, 1, 1024, 2112] {
        let c = pcm::correlation(got, want, lag);
        assert!(
            c < zero,
            "lag {lag} correlates better ({c:.5}) than zero lag ({zero:.5})"
        );
    }
}

#[test]
fn demo_clip_matches_ffmpeg_at_zero_lag() {
    check(&demo_clip());
}

#[test]
fn fixture_with_audio_matches_ffmpeg_at_zero_lag() {
    check(&fixture("f23976_1080_g48_b.mov"));
}

/// Apple's encoders prime with 2112 samples. Rewrite the audio edit list of a file to start at
/// 2112 and both decoders must agree on the new alignment.
#[test]
fn apple_style_2112_priming_is_trimmed() {
    // A fixture FFmpeg wrapped with its default edit lists (the demo clip has none: it is a
    // review file made to the spec).
    let src = fixture("f23976_1080_g48_b.mov");
    let mut bytes = std::fs::read(&src).expect("read");
    // The audio trak's elst: entry_count=1, segment_duration(4), media_time(4) = 1024.
    let mut patched = 0;
    let mut at = 0;
    while let Some(pos) = bytes[at..]
        .windows(4)
        .position(|w| w == b"elst")
        .map(|p| p + at)
    {
        let media_time = pos + 4 + 4 + 4 + 4;
        if bytes[media_time..media_time + 4] == 1024u32.to_be_bytes() {
            bytes[media_time..media_time + 4].copy_from_slice(&2112u32.to_be_bytes());
            patched += 1;
        }
        at = pos + 4;
    }
    assert_eq!(patched, 1, "one audio edit list with 1024 priming");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("primed2112.mov");
    std::fs::write(&out, bytes).expect("write");
    check(&out);
}

/// The demo clip's sync beep starts on the same sample as its white flash frame (frame 168 =
/// 168 × 1001 / 24000 s = sample 336 336). AAC smears a sharp onset by a few samples either side,
/// so the onset is read at half the beep's peak.
#[test]
fn demo_sync_beep_lands_on_the_flash_frame() {
    let (samples, _) = ours(&demo_clip());
    let flash = 168 * 1001 * 48_000 / 24_000;
    let window = &samples[(flash - 4800) * 2..(flash + 4800) * 2];
    let peak = window.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak > 0.03, "no beep near the flash frame (peak {peak})");
    let onset = window
        .chunks_exact(2)
        .position(|f| f[0].abs() > peak / 2.0)
        .expect("beep present") as i64
        - 4800;
    eprintln!("beep onset {onset:+} samples from the flash frame");
    assert!(
        onset.abs() <= 8,
        "beep onset {onset} samples from the flash frame"
    );
}

/// After a seek, decoding resumes exactly at the requested sample: the samples equal those at
/// the same positions of a decode from the start (to −54 dB: a decoder restarted a few frames
/// early has not seen the very same window history, which leaves a trace far below hearing).
#[test]
fn seek_resumes_at_the_exact_sample() {
    // A file with FFmpeg's edit lists (priming trimmed by them), from its very first samples.
    seek_resumes(
        &fixture("f23976_1080_g48_b.mov"),
        &[72_072, 12_345, 480_000, 5],
    );
    // The demo clip has no edit list (the review spec forbids them), so its first 1024 samples
    // are the encoder's priming, decoded as they come, and a seek into its first two AAC frames
    // has less history to restart from than the decode from the top had (−53 dB apart at
    // sample 1024, measured); from the third frame on, seeks are exact there too.
    seek_resumes(&demo_clip(), &[72_072, 12_345, 480_000, 3_072]);
}

fn seek_resumes(path: &Path, targets: &[i64]) {
    let (all, _) = ours(path);
    let mut dec = AudioDecoder::open(path).expect("open");
    for &target in targets {
        dec.seek(target).expect("seek");
        let chunk = dec.next_chunk().expect("decode").expect("audio after seek");
        assert_eq!(chunk.start, target, "first chunk starts at the target");
        let n = chunk.samples.len().min(2048);
        let reference = &all[target as usize * 2..target as usize * 2 + n];
        let err = chunk.samples[..n]
            .iter()
            .zip(reference)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(
            err < 2e-3,
            "{}: seek to {target}: max difference {err}",
            path.display()
        );
    }
}
