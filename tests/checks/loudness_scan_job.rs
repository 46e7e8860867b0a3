//! The window's background loudness scan (`ScanJob`): it reports progress, finishes with the
//! same numbers as `earmark loudness`, stores them in the content cache so a reopened (or
//! renamed) file is answered at once, and opening another file cancels it promptly without
//! leaving a cache entry behind.

use crate::ebu;

use earmark::analysis::{ScanJob, ScanState};
use earmark::persist::content_key;
use std::path::Path;
use std::time::{Duration, Instant};

/// A minimal 32-bit float stereo WAV.
fn write_wav(path: &Path, samples: &[f32]) {
    let data_len = (samples.len() * 4) as u32;
    let mut b = Vec::with_capacity(data_len as usize + 44);
    b.extend(b"RIFF");
    b.extend((36 + data_len).to_le_bytes());
    b.extend(b"WAVEfmt ");
    b.extend(16u32.to_le_bytes());
    b.extend(3u16.to_le_bytes());
    b.extend(2u16.to_le_bytes());
    b.extend(ebu::RATE.to_le_bytes());
    b.extend((ebu::RATE * 8).to_le_bytes());
    b.extend(8u16.to_le_bytes());
    b.extend(32u16.to_le_bytes());
    b.extend(b"data");
    b.extend(data_len.to_le_bytes());
    for s in samples {
        b.extend(s.to_le_bytes());
    }
    std::fs::write(path, b).expect("write WAV");
}

/// Polls `job` until it is done; returns the progress values seen.
fn wait(job: &ScanJob) -> (Vec<u32>, ScanState) {
    let started = Instant::now();
    let mut seen = Vec::new();
    loop {
        match job.state() {
            ScanState::Running(p) => {
                seen.push(p);
                assert!(
                    started.elapsed() < Duration::from_secs(60),
                    "scan did not finish"
                );
                std::thread::sleep(Duration::from_millis(5));
            }
            done => return (seen, done),
        }
    }
}

#[test]
fn scans_in_the_background_then_answers_from_the_cache() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join("cache");
    let wav = dir.path().join("programme.wav");
    write_wav(&wav, &ebu::noise_programme(ebu::RATE, 120.0, 0xca_c4e));

    let job = ScanJob::start(&wav, Some(cache.clone()));
    assert!(!job.cached);
    let (progress, state) = wait(&job);
    let ScanState::Done(first) = state else {
        panic!("scan failed: {state:?}");
    };
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress only grows: {progress:?}"
    );
    assert!(progress.iter().all(|&p| p <= 1000));
    let key = content_key(&wav).expect("key");
    let entry = cache.join(format!("{key}.json"));
    assert!(entry.exists(), "cache entry {} written", entry.display());

    // The CLI measures the same.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(["loudness", "--json"])
        .arg(&wav)
        .output()
        .expect("run earmark");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        v["integrated_lufs"].as_f64(),
        first.report.integrated_lufs,
        "{v}"
    );
    assert_eq!(v["true_peak_dbtp"].as_f64(), first.report.true_peak_dbtp);

    // Renamed, the same content hits the cache at once with the same numbers and curve.
    let renamed = dir.path().join("renamed.wav");
    std::fs::rename(&wav, &renamed).expect("rename");
    let t = Instant::now();
    let again = ScanJob::start(&renamed, Some(cache.clone()));
    assert!(again.cached, "renamed file served from the cache");
    let ScanState::Done(second) = again.state() else {
        panic!("cached job not done");
    };
    assert!(
        t.elapsed() < Duration::from_millis(500),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(second.report, first.report);
    assert_eq!(second.curve, first.curve);

    // A different file of the same length misses.
    let other = dir.path().join("other.wav");
    write_wav(&other, &ebu::noise_programme(ebu::RATE, 120.0, 0x07_4e5));
    assert_ne!(content_key(&other).expect("key"), key);
    let third = ScanJob::start(&other, Some(cache.clone()));
    assert!(!third.cached);

    // A damaged cache entry is not trusted: the file is scanned again.
    std::fs::write(&entry, b"{ not json").expect("damage entry");
    let rescanned = ScanJob::start(&renamed, Some(cache));
    assert!(!rescanned.cached);
    let (_, state) = wait(&rescanned);
    assert!(matches!(state, ScanState::Done(_)), "{state:?}");
}

#[test]
fn opening_another_file_cancels_promptly_and_caches_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cache = dir.path().join("cache");
    let wav = dir.path().join("long.wav");
    // Ten minutes of sound: several seconds of work on two cores.
    write_wav(&wav, &ebu::noise_programme(ebu::RATE, 600.0, 0x10_4e));
    let job = ScanJob::start(&wav, Some(cache.clone()));
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        matches!(job.state(), ScanState::Running(_)),
        "still running"
    );
    let t = Instant::now();
    drop(job);
    let took = t.elapsed();
    println!("cancelled in {took:?}");
    assert!(took < Duration::from_millis(500), "cancel took {took:?}");
    let entries = std::fs::read_dir(&cache).map(|d| d.count()).unwrap_or(0);
    assert_eq!(entries, 0, "a cancelled scan leaves no cache entry");
}

#[test]
fn a_damaged_sound_file_fails_with_its_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("broken.wav");
    std::fs::write(&bad, b"RIFF\x04\x00\x00\x00WAVE").expect("write");
    let job = ScanJob::start(&bad, None);
    let (_, state) = wait(&job);
    let ScanState::Failed(message) = state else {
        panic!("expected a failure, got {state:?}");
    };
    assert!(message.contains("broken.wav"), "{message}");
}

/// A movie with a picture and no sound is not a failure: there is nothing to measure.
#[test]
fn a_picture_without_sound_has_nothing_to_measure() {
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cache-layout/picture_only.mov");
    assert!(file.exists(), "run `make fixtures`");
    let job = ScanJob::start(&file, None);
    let (_, state) = wait(&job);
    assert!(matches!(state, ScanState::NoSound), "{state:?}");
}
