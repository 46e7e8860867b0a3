//! Sound-only review files — BWF, RF64, AIFF, FLAC, M4A — through `AudioSource`: the decode
//! equals FFmpeg's own at zero lag, seeks land on the exact sample, the Broadcast WAV start
//! timecode is read (bext, iXML), damaged files are refused with the file named, and
//! `earmark probe` describes them.

use crate::common;
use crate::pcm;

use common::{Rng, fixture};
use earmark::audio::{AudioError, AudioFormat, AudioSource};
use earmark::time::FrameRate;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fixture and what the fixture script put in it.
struct Case {
    name: &'static str,
    format: AudioFormat,
    rate: u32,
    codec: &'static str,
    /// The sample of the right channel's click.
    click: usize,
    /// Lossless: equal to FFmpeg's decode sample for sample, same length.
    exact: bool,
}

const CASES: [Case; 5] = [
    Case {
        name: "audio_bwf_48k24.wav",
        format: AudioFormat::Wav,
        rate: 48_000,
        codec: "pcm_s24le",
        click: 24_000,
        exact: true,
    },
    Case {
        name: "audio_rf64_48k24.wav",
        format: AudioFormat::Rf64,
        rate: 48_000,
        codec: "pcm_s24le",
        click: 30_000,
        exact: true,
    },
    Case {
        name: "audio_44k16.aiff",
        format: AudioFormat::Aiff,
        rate: 44_100,
        codec: "pcm_s16be",
        click: 44_100,
        exact: true,
    },
    Case {
        name: "audio_96k24.flac",
        format: AudioFormat::Flac,
        rate: 96_000,
        codec: "flac",
        click: 120_000,
        exact: true,
    },
    Case {
        name: "audio_48k_aac.m4a",
        format: AudioFormat::Mp4,
        rate: 48_000,
        codec: "aac",
        click: 72_000,
        exact: false,
    },
];

/// Decodes the whole file; chunks must be contiguous from sample 0.
fn ours(path: &Path) -> Vec<f32> {
    let mut src = AudioSource::open(path).unwrap_or_else(|e| panic!("{e}"));
    let ch = src.info().channels as usize;
    assert_eq!(ch, 2, "{}", path.display());
    let mut out = Vec::new();
    let mut next = 0;
    while let Some(chunk) = src.next_chunk().unwrap_or_else(|e| panic!("{e}")) {
        assert_eq!(chunk.start, next, "chunks are contiguous from 0");
        next += (chunk.samples.len() / ch) as i64;
        out.extend_from_slice(&chunk.samples);
    }
    assert_eq!(src.bad_packets(), 0);
    out
}

/// The frame where the right channel peaks: the click.
fn click_at(samples: &[f32]) -> usize {
    samples
        .chunks_exact(2)
        .enumerate()
        .max_by(|a, b| a.1[1].abs().total_cmp(&b.1[1].abs()))
        .map(|(i, _)| i)
        .expect("samples")
}

#[test]
fn every_format_matches_ffmpeg_at_zero_lag() {
    for case in &CASES {
        let path = fixture(case.name);
        let src = AudioSource::open(&path).expect("open");
        assert_eq!(src.format(), case.format, "{}", case.name);
        let info = src.info();
        assert_eq!(
            (info.codec.as_str(), info.sample_rate, info.channels),
            (case.codec, case.rate, 2),
            "{}",
            case.name
        );
        assert_eq!(
            info.duration_samples,
            3 * u64::from(case.rate),
            "{}",
            case.name
        );
        let got = ours(&path);
        let want = pcm::ffmpeg_f32(&path, &["-ac", "2"]);
        let frames = (got.len() / 2) as i64;
        let diff = (got.len() as i64 - want.len() as i64).abs() / 2;
        if case.exact {
            assert_eq!(diff, 0, "{}: lengths differ", case.name);
            assert_eq!(frames, 3 * i64::from(case.rate), "{}", case.name);
        } else {
            // As in audio_decode.rs: FFmpeg's CLI keeps the whole last AAC packet; we end where
            // the track says it ends. Never a difference at the start.
            assert!(
                diff < 1024,
                "{}: lengths differ by {diff} frames",
                case.name
            );
        }
        let len = got.len().min(want.len());
        let (g, w) = (&got[..len], &want[..len]);
        let zero = pcm::correlation(g, w, 0);
        assert!(
            zero >= 0.999,
            "{}: correlation at zero lag {zero:.5}",
            case.name
        );
        let lags: &[i64] = if case.exact {
            &[-1, 1]
        } else {
            &[-2112, -1024, -1, 1, 1024, 2112]
        };
        for &lag in lags {
            let c = pcm::correlation(g, w, lag);
            assert!(
                c < zero,
                "{}: lag {lag} correlates better ({c:.5}) than zero lag ({zero:.5})",
                case.name
            );
        }
        if case.exact {
            let d = pcm::max_diff(g, w);
            assert!(d < 1e-6, "{}: max difference {d}", case.name);
            assert_eq!(click_at(g), case.click, "{}: click", case.name);
        } else {
            // AAC smears a one-sample click over a few dozen samples; where it peaks is the
            // codec's business, but both decoders must agree on it to the sample.
            let (at, theirs) = (click_at(g), click_at(w));
            assert_eq!(
                at, theirs,
                "{}: click at {at}, FFmpeg's at {theirs}",
                case.name
            );
            assert!(
                at.abs_diff(case.click) <= 64,
                "{}: click at {at}, made at {}",
                case.name,
                case.click
            );
        }
    }
}

#[test]
fn seek_lands_on_the_exact_sample() {
    let mut rng = Rng::new(11);
    for case in &CASES {
        let path = fixture(case.name);
        // Lossless: FFmpeg's decode. AAC: our own decode from the start, which the test above
        // holds to FFmpeg's; a seek must reproduce it exactly (the fixture has no PNS noise).
        let reference = if case.exact {
            pcm::ffmpeg_f32(&path, &["-ac", "2"])
        } else {
            ours(&path)
        };
        let total = 3 * i64::from(case.rate);
        let mut src = AudioSource::open(&path).expect("open");
        let mut targets = vec![
            1,
            1151,
            1152,
            1153,
            4095,
            case.click as i64,
            total - 5000,
            total - 1,
            0,
        ];
        targets.extend((0..6).map(|_| rng.below(total as u64) as i64));
        for target in targets {
            src.seek(target).expect("seek");
            let mut got = Vec::new();
            let mut next = target;
            while got.len() < 4096 * 2 {
                let Some(chunk) = src.next_chunk().expect("decode") else {
                    break;
                };
                assert_eq!(chunk.start, next, "{} seek {target}", case.name);
                next += (chunk.samples.len() / 2) as i64;
                got.extend_from_slice(&chunk.samples);
            }
            let from = target as usize * 2;
            let want = &reference[from..(from + got.len()).min(reference.len())];
            assert_eq!(got.len(), want.len(), "{} seek {target}", case.name);
            assert!(
                got.len() / 2 >= 4096.min((total - target) as usize),
                "{} seek {target}: only {} frames",
                case.name,
                got.len() / 2
            );
            let d = pcm::max_diff(&got, want);
            assert!(d < 1e-6, "{} seek {target}: max difference {d}", case.name);
        }
        // At or past the end there is nothing; before the start means from the start.
        for past in [total, total + 1, total * 10] {
            src.seek(past).expect("seek past the end");
            assert!(src.next_chunk().expect("decode").is_none(), "{}", case.name);
        }
        src.seek(-100).expect("seek before the start");
        let first = src.next_chunk().expect("decode").expect("audio");
        assert_eq!(first.start, 0, "{}", case.name);
    }
}

#[test]
fn bwf_start_timecode_is_one_hour_at_48k() {
    for name in ["audio_bwf_48k24.wav", "audio_rf64_48k24.wav"] {
        let src = AudioSource::open(&fixture(name)).expect("open");
        let tc = src.start_timecode().expect("BWF time reference");
        assert_eq!(tc.samples_since_midnight, 172_800_000, "{name}");
        assert_eq!(tc.sample_rate, 48_000, "{name}");
        assert_eq!(tc.frame_rate, None, "{name}: no iXML, so no stated rate");
        assert_eq!(tc.label(), None, "{name}");
        for (n, d) in [(24, 1), (25, 1), (30, 1), (50, 1)] {
            let rate = FrameRate::new(n, d).expect("rate");
            assert_eq!(
                tc.label_at(rate, false).to_string(),
                "01:00:00:00",
                "{name} at {rate}"
            );
        }
    }
    for name in ["audio_44k16.aiff", "audio_96k24.flac", "audio_48k_aac.m4a"] {
        let src = AudioSource::open(&fixture(name)).expect("open");
        assert_eq!(src.start_timecode(), None, "{name}");
    }
}

/// Appends a RIFF chunk and fixes the RIFF size (plain RIFF only).
fn append_chunk(bytes: &mut Vec<u8>, id: &[u8; 4], body: &[u8]) {
    bytes.extend_from_slice(id);
    bytes.extend_from_slice(&(body.len() as u32).to_le_bytes());
    bytes.extend_from_slice(body);
    if body.len() % 2 == 1 {
        bytes.push(0);
    }
    if &bytes[..4] == b"RIFF" {
        let riff = (bytes.len() - 8) as u32;
        bytes[4..8].copy_from_slice(&riff.to_le_bytes());
    }
}

/// Where chunk `id`'s payload starts.
fn payload_of(bytes: &[u8], id: &[u8; 4]) -> usize {
    bytes
        .windows(4)
        .position(|w| w == id)
        .unwrap_or_else(|| panic!("{id:?} chunk"))
        + 8
}

const IXML_23976: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<BWFXML>\n\
    <IXML_VERSION>2.10</IXML_VERSION>\n<SPEED>\n\
    <MASTER_SPEED>24000/1001</MASTER_SPEED>\n\
    <TIMECODE_RATE>24000/1001</TIMECODE_RATE>\n\
    <TIMECODE_FLAG>NDF</TIMECODE_FLAG>\n</SPEED>\n</BWFXML>\n";

#[test]
fn ixml_states_the_timecode_rate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = fixture("audio_bwf_48k24.wav");
    let mut bytes = std::fs::read(&original).expect("read");
    // 01:00:00:00 at 23.976 is 86 400 frames of 1001/24000 s: 172 972 800 samples at 48 kHz.
    let tr = payload_of(&bytes, b"bext") + 338;
    bytes[tr..tr + 8].copy_from_slice(&172_972_800u64.to_le_bytes());
    append_chunk(&mut bytes, b"iXML", IXML_23976.as_bytes());
    let path = dir.path().join("ixml_23976.wav");
    std::fs::write(&path, &bytes).expect("write");

    let src = AudioSource::open(&path).expect("open");
    let tc = src.start_timecode().expect("timecode");
    assert_eq!(tc.frame_rate, FrameRate::new(24000, 1001));
    assert!(!tc.drop_frame);
    let rate = tc.timecode_rate().expect("stated rate");
    assert_eq!((rate.fps, rate.drop_frame), (24, false));
    assert_eq!(tc.label().expect("label").to_string(), "01:00:00:00");
    // The chunk after the sound is not sound.
    assert_eq!(ours(&path), ours(&original));

    let o = earmark(&["probe", "--json", path.to_str().expect("path")]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["start_timecode"], "01:00:00:00");
    assert_eq!(v["timecode_rate"], "24000/1001");
    assert_eq!(v["timecode_rate_stated"], true);
    assert_eq!(v["time_reference_samples"], 172_972_800u64);
}

/// RF64 is read open-ended up to the ds64 size: a chunk after the sound must not be played.
#[test]
fn rf64_stops_at_the_ds64_size() {
    let dir = tempfile::tempdir().expect("tempdir");
    let original = fixture("audio_rf64_48k24.wav");
    let mut bytes = std::fs::read(&original).expect("read");
    append_chunk(&mut bytes, b"iXML", IXML_23976.as_bytes());
    let path = dir.path().join("rf64_tail.wav");
    std::fs::write(&path, &bytes).expect("write");
    let got = ours(&path);
    assert_eq!(got.len(), 2 * 144_000);
    assert_eq!(got, ours(&original));
    let tc = AudioSource::open(&path)
        .expect("open")
        .start_timecode()
        .expect("timecode");
    assert_eq!(tc.samples_since_midnight, 172_800_000);
    assert_eq!(tc.frame_rate, FrameRate::new(24000, 1001));
}

/// The error must name the file and must not be a panic; returns the message.
fn refused(path: &Path) -> String {
    let e = match AudioSource::open(path) {
        Err(e) => e,
        Ok(mut src) => loop {
            match src.next_chunk() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("{} decoded without complaint", path.display()),
                Err(e) => break e,
            }
        },
    };
    let msg = e.to_string();
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    assert!(msg.contains(name), "message does not name the file: {msg}");
    msg
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).expect("write");
    p
}

#[test]
fn truncated_files_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, cut) in [
        ("audio_bwf_48k24.wav", 2),
        ("audio_rf64_48k24.wav", 2),
        ("audio_44k16.aiff", 2),
        ("audio_96k24.flac", 2),
        ("audio_96k24.flac", 1000),
    ] {
        let bytes = std::fs::read(fixture(name)).expect("read");
        let keep = bytes.len() - bytes.len() / cut;
        let path = write(dir.path(), &format!("cut_{cut}_{name}"), &bytes[..keep]);
        let msg = refused(&path);
        assert!(msg.contains("truncated"), "{name} cut: {msg}");
        assert!(
            matches!(AudioSource::open(&path), Err(AudioError::Truncated { .. })),
            "{name}: refused at open, not mid-play"
        );
    }
}

#[test]
fn garbage_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng::new(5);
    let noise: Vec<u8> = (0..8192).map(|_| rng.below(256) as u8).collect();
    let with_head = |head: &[u8]| [head, &noise[..]].concat();
    for (name, bytes) in [
        ("garbage.wav", with_head(b"RIFF\x00\x20\x00\x00WAVE")),
        ("garbage_rf64.wav", with_head(b"RF64\xff\xff\xff\xffWAVE")),
        ("garbage.flac", with_head(b"fLaC")),
        ("garbage.aiff", with_head(b"FORM\x00\x00\x20\x00AIFF")),
        ("noise.wav", noise.clone()),
        ("text.flac", b"this is not a FLAC file\n".to_vec()),
        ("header_only.wav", b"RIFF\x04\x00\x00\x00WAVE".to_vec()),
        ("magic_only.flac", b"fLaC".to_vec()),
    ] {
        let path = write(dir.path(), name, &bytes);
        refused(&path);
    }
    assert!(refused(&dir.path().join("missing.wav")).contains("not found"));
    assert!(refused(&write(dir.path(), "empty.wav", b"")).contains("empty"));
}

/// Damage in the headers or the sound, or a cut anywhere: an error naming the file, or sound —
/// never a panic.
#[test]
fn damaged_headers_never_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng::new(99);
    for name in [
        "audio_bwf_48k24.wav",
        "audio_rf64_48k24.wav",
        "audio_44k16.aiff",
        "audio_96k24.flac",
    ] {
        let original = std::fs::read(fixture(name)).expect("read");
        for round in 0..60 {
            let mut bytes = original.clone();
            // Headers live in the first KB; the rest is sound (FLAC frames have their own).
            let reach = if round % 2 == 0 {
                1024
            } else {
                bytes.len() as u64
            };
            if round % 3 == 0 {
                bytes.truncate(rng.below(reach.max(4096)) as usize);
            } else {
                for _ in 0..1 + rng.below(6) {
                    let at = rng.below(reach) as usize;
                    bytes[at] = rng.below(256) as u8;
                }
            }
            let path = write(dir.path(), &format!("{round}_{name}"), &bytes);
            let name_ok = |e: &AudioError| {
                let msg = e.to_string();
                assert!(
                    msg.contains(&format!("{round}_{name}")),
                    "round {round}: {msg}"
                );
            };
            match AudioSource::open(&path) {
                Err(e) => name_ok(&e),
                Ok(mut src) => {
                    for _ in 0..10_000 {
                        match src.next_chunk() {
                            Ok(Some(_)) => {}
                            Ok(None) => break,
                            Err(e) => {
                                name_ok(&e);
                                break;
                            }
                        }
                    }
                    src.seek(1000).ok();
                    src.next_chunk().ok();
                }
            }
        }
    }
}

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
fn probe_describes_sound_only_files() {
    let bwf = fixture("audio_bwf_48k24.wav");
    let bwf = bwf.to_str().expect("path");
    let o = earmark(&["probe", bwf]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("01:00:00:00"), "{text}");
    assert!(text.contains("48000 Hz, 2 ch"), "{text}");

    let o = earmark(&["probe", "--json", bwf]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert!(v["video"].is_null());
    assert_eq!(v["container"], "wav");
    assert_eq!(v["start_timecode"], "01:00:00:00");
    assert_eq!(v["time_reference_samples"], 172_800_000u64);
    assert_eq!(v["timecode_source"], "bext");
    assert_eq!(v["duration_samples"], 144_000);
    assert_eq!(v["audio"]["codec"], "pcm_s24le");
    assert_eq!(v["audio"]["sample_rate"], 48_000);
    assert_eq!(v["audio"]["channels"], 2);

    for case in &CASES {
        let path = fixture(case.name);
        let o = earmark(&["probe", "--json", path.to_str().expect("path")]);
        assert!(o.status.success(), "{}: {}", case.name, stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
        assert!(v["video"].is_null(), "{}", case.name);
        assert_eq!(v["audio"]["codec"], case.codec, "{}", case.name);
        assert_eq!(v["audio"]["sample_rate"], case.rate, "{}", case.name);
        let d = v["duration_seconds"].as_f64().expect("number");
        assert!((d - 3.0).abs() < 1e-9, "{}: {d}", case.name);
    }
}

#[test]
fn probe_refuses_a_cut_wav_and_still_has_no_picture() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bytes = std::fs::read(fixture("audio_bwf_48k24.wav")).expect("read");
    let cut = write(dir.path(), "cut.wav", &bytes[..bytes.len() / 2]);
    let o = earmark(&["probe", cut.to_str().expect("path")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("truncated") && stderr(&o).contains("cut.wav"));

    let png = dir.path().join("x.png");
    for name in [
        "audio_bwf_48k24.wav",
        "audio_96k24.flac",
        "audio_48k_aac.m4a",
    ] {
        let path = fixture(name);
        let o = earmark(&[
            "still",
            path.to_str().expect("path"),
            "--frame",
            "0",
            "-o",
            png.to_str().expect("path"),
        ]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.contains("no picture"), "{name}: {err}");
        assert!(err.contains(name), "{name}: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
}
