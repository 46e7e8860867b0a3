//! The real binary: `earmark still` writes exactly the requested frame, `earmark probe --json`
//! has the documented fields, and bad input exits with status 2 and a message naming the file.

use crate::common;

use common::{FIXTURES, Rng, fixture, load_png, read_code};
use std::path::Path;
use std::process::{Command, Output};

fn earmark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn still_writes_the_exact_frame_by_number_and_by_timecode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng::new(7);
    for f in &FIXTURES {
        let file = fixture(f.name);
        let file = file.to_str().expect("utf-8 path");
        for _ in 0..2 {
            let n = rng.below(f.frames);
            let out = dir.path().join(format!("{}-{n}.png", f.name));
            let o = earmark(&[
                "still",
                file,
                "--frame",
                &n.to_string(),
                "-o",
                out.to_str().expect("path"),
            ]);
            assert!(o.status.success(), "{}: {}", f.name, stderr(&o));
            let img = load_png(&out);
            assert_eq!((img.width, img.height), (f.width, f.height));
            assert_eq!(read_code(&img), n, "{} --frame {n}", f.name);
        }
        // By timecode: the label the probe gives for a random frame.
        let n = rng.below(f.frames);
        let reader = earmark::video::FrameReader::open(Path::new(file)).expect("open");
        let label = reader.timecode().at_frame(n as i64).to_string();
        let out = dir.path().join(format!("{}-tc.png", f.name));
        let o = earmark(&[
            "still",
            file,
            "--tc",
            &label,
            "-o",
            out.to_str().expect("path"),
        ]);
        assert!(
            o.status.success(),
            "{} --tc {label}: {}",
            f.name,
            stderr(&o)
        );
        assert_eq!(read_code(&load_png(&out)), n, "{} --tc {label}", f.name);
    }
}

#[test]
fn probe_json_has_the_documented_fields() {
    let file = fixture("f5994df_1080_g48_b.mov");
    let o = earmark(&["probe", file.to_str().expect("path"), "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert_eq!(v["video"]["width"], 1920);
    assert_eq!(v["video"]["height"], 1080);
    assert_eq!(v["video"]["frame_rate"], "60000/1001");
    assert_eq!(v["video"]["frame_count"], 180);
    assert_eq!(v["start_timecode"], "00:09:59;30");
    assert_eq!(v["drop_frame"], true);
    let d = v["duration_seconds"].as_f64().expect("number");
    assert!((d - 180.0 * 1001.0 / 60000.0).abs() < 1e-9, "{d}");
    assert!(v["audio"].is_null());
    let with_audio = earmark(&[
        "probe",
        fixture("f23976_1080_g48_b.mov").to_str().expect("path"),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&with_audio.stdout).expect("valid JSON");
    assert_eq!(v["audio"]["codec"], "aac");
    assert_eq!(v["audio"]["sample_rate"], 48000);
    assert_eq!(v["audio"]["channels"], 2);
}

fn assert_bad(args: &[&str], file: &str, phrase: &str) {
    let o = earmark(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        err.contains(file),
        "{args:?}: message does not name the file: {err}"
    );
    assert!(
        err.contains(phrase),
        "{args:?}: expected {phrase:?} in {err}"
    );
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn bad_input_exits_2_naming_the_file() {
    let cases = [
        ("missing.mov", "file not found"),
        ("bad_empty.mov", "empty"),
        ("bad_text.mov", "not a media file"),
        ("bad_truncated_faststart.mov", "truncated"),
        ("bad_truncated_moov_last.mov", "truncated"),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("x.png");
    let png = png.to_str().expect("path");
    for (name, phrase) in cases {
        let path = fixture(name);
        let path = path.to_str().expect("path");
        assert_bad(&["probe", path], name, phrase);
        assert_bad(&["probe", "--json", path], name, phrase);
        assert_bad(&["still", path, "--frame", "0", "-o", png], name, phrase);
    }
}

/// A file with sound and no picture: `probe` describes the sound, `still` has nothing to show.
#[test]
fn audio_only_file_probes_but_has_no_still() {
    let name = "bad_audio_only.m4a";
    let path = fixture(name);
    let path = path.to_str().expect("path");
    let o = earmark(&["probe", "--json", path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("valid JSON");
    assert!(v["video"].is_null());
    assert_eq!(v["audio"]["codec"], "aac");
    assert_eq!(v["audio"]["sample_rate"], 48000);
    let o = earmark(&["probe", path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("x.png");
    assert_bad(
        &[
            "still",
            path,
            "--frame",
            "0",
            "-o",
            png.to_str().expect("path"),
        ],
        name,
        "no picture",
    );
}

#[test]
fn unsupported_codec_and_folders_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Rename the H.264 sample entry to a codec nobody decodes.
    let mut bytes = std::fs::read(fixture("f24_720_g12_nob.mov")).expect("read");
    let at = bytes
        .windows(4)
        .position(|w| w == b"avc1")
        .expect("avc1 entry");
    bytes[at..at + 4].copy_from_slice(b"zzzz");
    let patched = dir.path().join("odd_codec.mov");
    std::fs::write(&patched, bytes).expect("write");
    assert_bad(
        &["probe", patched.to_str().expect("path")],
        "odd_codec.mov",
        "unsupported video codec",
    );
    assert_bad(
        &["probe", dir.path().to_str().expect("path")],
        dir.path().to_str().expect("path"),
        "folder",
    );
}

#[test]
fn out_of_range_requests_are_refused_clearly() {
    let file = fixture("f24_720_g12_nob.mov");
    let file = file.to_str().expect("path");
    let o = earmark(&["still", file, "--frame", "120", "-o", "/tmp/never.png"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("frame 120 is out of range: the file has 120 frames"),
        "{}",
        stderr(&o)
    );
    let o = earmark(&["still", file, "--tc", "02:00:00:00", "-o", "/tmp/never.png"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("outside the file (00:59:59:00 to 01:00:03:23)"),
        "{}",
        stderr(&o)
    );
    let o = earmark(&["still", file, "--tc", "01:00:00;00", "-o", "/tmp/never.png"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no drop-frame"), "{}", stderr(&o));
}
