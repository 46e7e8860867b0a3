//! The live meters through the real output path: `earmark FILE --play-for … --exit` plays a
//! steady 1 kHz tone, identical in both channels, through cpal into the PulseAudio null sink;
//! the meter thread meters what the output callback played (its tap), and the report prints the
//! meter panel's readings at the end. A steady tone reads the same at every moment, so M, S and
//! I must equal the whole-file analysis of the same file (`earmark loudness`) within 0.1 LU; a
//! sine in both channels peaks at its loudness (Tech 3341 case 1), so true peak per channel is
//! that level ± 0.2 dB (the file's own maximum is a little higher: the AAC onset at its very
//! start, which this stretch does not play); identical channels correlate at +1. The meters read the
//! programme before monitoring and gain: a Side listen (silence in the ears for identical L and
//! R) reads the same, and so does a 44.1 kHz device (resampled).

use crate::common;

use common::tone_fixture;

use std::process::{Command, Stdio};

/// The report's `meters over …` line, as name → value.
fn play(extra: &[&str]) -> Vec<(String, f64)> {
    play_file(&tone_fixture(), extra).0
}

/// Plays `file` headless; the meters line's numbers, and the line itself.
fn play_file(file: &std::path::Path, extra: &[&str]) -> (Vec<(String, f64)>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg(file)
        .args(["--play-for", "4"])
        .args(extra)
        .arg("--exit")
        .env("XDG_CONFIG_HOME", dir.path())
        .stderr(Stdio::piped())
        .output()
        .expect("run earmark (through `make test`, which starts PulseAudio)");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "earmark failed: {err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("meters over"))
        .unwrap_or_else(|| panic!("no meter readings in the report: {err}"));
    println!("{line}");
    // "meters over 4.0 s: M -20.0 S -20.0 I -20.0 LUFS, LRA 0.0 LU, max M … true peak L … R …"
    let words: Vec<&str> = line
        .split([' ', ',', ':'])
        .filter(|w| !w.is_empty())
        .collect();
    let mut values = Vec::new();
    for pair in words.windows(2) {
        if let Ok(v) = pair[1].parse::<f64>() {
            values.push((pair[0].to_owned(), v));
        }
    }
    (values, line.to_owned())
}

fn get(values: &[(String, f64)], name: &str) -> f64 {
    values
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| *v)
        .unwrap_or_else(|| panic!("no `{name}` in {values:?}"))
}

/// The whole-file analysis of the fixture: integrated loudness.
fn file_loudness() -> f64 {
    let out = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(["loudness", "--json"])
        .arg(tone_fixture())
        .output()
        .expect("run earmark loudness");
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let n = |k: &str| v[k].as_f64().unwrap_or_else(|| panic!("no {k} in {v}"));
    n("integrated_lufs")
}

fn check_tone(values: &[(String, f64)], what: &str) {
    let level = file_loudness();
    assert!(level < -15.0 && level > -40.0, "fixture level {level}");
    let near = |name: &str, expected: f64, tol: f64| {
        let v = get(values, name);
        assert!(
            (v - expected).abs() <= tol,
            "{what}: {name} {v}, expected {expected} ± {tol}"
        );
    };
    assert!(get(values, "over") >= 3.5, "{what}: metered {values:?}");
    near("M", level, 0.1);
    near("S", level, 0.1);
    near("I", level, 0.1);
    near("L", level, 0.2);
    near("R", level, 0.2);
    near("correlation", 1.0, 0.02);
}

#[test]
fn the_meters_read_what_is_played() {
    let _device = crate::run::shared();
    let (v, line) = play_file(
        &tone_fixture(),
        &["--device", "Review", "--play-from", "01:00:05:00"],
    );
    check_tone(&v, "stereo at 48 kHz");
    assert!(line.ends_with("speech no"), "a tone is not speech: {line}");
}

/// The live voice detector (what the listening-level "too low" prompt waits for) hears
/// espeak-ng's speech played through the real output path.
#[test]
fn the_live_speech_flag_hears_speech() {
    let _device = crate::run::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let wav = dir.path().join("speech.wav");
    let run = Command::new("espeak-ng")
        .arg("-w")
        .arg(&wav)
        .arg("The storm reached the coast a little after midnight and by morning the harbour road was under water so the fishermen stayed with their boats")
        .output()
        .expect("this test needs espeak-ng (scripts/install-deps.sh test)");
    assert!(run.status.success(), "espeak-ng failed: {run:?}");
    // Earmark reviews 2.0 mixes: the voice goes to both channels, as dialogue sits in a mix.
    let stereo = dir.path().join("speech-stereo.wav");
    let run = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(&wav)
        .args(["-ac", "2", "-ar", "48000"])
        .arg(&stereo)
        .output()
        .expect("ffmpeg");
    assert!(run.status.success(), "ffmpeg failed: {run:?}");
    let (_, line) = play_file(&stereo, &["--device", "Review"]);
    assert!(line.ends_with("speech yes"), "speech heard: {line}");
}

#[test]
fn the_meters_read_the_programme_not_the_monitoring() {
    let _device = crate::run::shared();
    // Side of identical channels is silence at the ears; the programme is still −20 LUFS.
    let v = play(&[
        "--device",
        "Review",
        "--monitor",
        "side",
        "--play-from",
        "01:00:05:00",
    ]);
    check_tone(&v, "side listen");
}

#[test]
fn the_meters_read_the_same_on_a_resampled_device() {
    let _device = crate::run::shared();
    let v = play(&[
        "--device",
        "Review44",
        "--device-rate",
        "44100",
        "--play-from",
        "01:00:05:00",
    ]);
    check_tone(&v, "44.1 kHz device");
}
