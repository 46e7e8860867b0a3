//! The playback path opens files without FFmpeg's stream probe when the QuickTime header says
//! enough (start-up is ~75 ms faster). These tests hold it to the same answers as a fully probed
//! open on every fixture rate, and to clear errors on paths FFmpeg's Rust wrapper would panic on.

use crate::common;

use common::fixture;
use earmark::media::{AudioPackets, Container, MediaError};

const FIXTURES: [&str; 10] = [
    "f23976_1080_g48_b.mov",
    "f24_720_g12_nob.mov",
    "f25_1080_g250_b.mov",
    "f2997df_720_g1.mov",
    "f2997ndf_1080_g12_b.mov",
    "f30_720_g48_b.mov",
    "f50_720_g250_nob.mov",
    "f5994df_1080_g48_b.mov",
    "f5994ndf_720_g12_b.mov",
    "f60_720_g1.mov",
];

#[test]
fn unprobed_open_numbers_frames_like_a_probed_one() {
    for name in FIXTURES {
        let path = fixture(name);
        let full = Container::open(&path).expect("probed open");
        let fast = Container::open_for_playback(&path).expect("playback open");
        assert_eq!(fast.index, full.index, "{name}: frame index");
        assert_eq!(
            fast.timecode.at_frame(0).to_string(),
            full.timecode.at_frame(0).to_string(),
            "{name}: start timecode"
        );
        assert_eq!(fast.audio_stream, full.audio_stream, "{name}: audio stream");
    }
}

#[test]
fn unprobed_audio_open_states_the_same_stream() {
    for name in ["f23976_1080_g48_b.mov", "audio_48k_aac.m4a"] {
        let a = AudioPackets::open(&fixture(name))
            .expect("open")
            .expect("has audio");
        let info = a.info();
        assert_eq!((info.sample_rate, info.channels), (48_000, 2), "{name}");
        assert_eq!(info.codec, "aac", "{name}");
        assert!(!info.extradata.is_empty(), "{name}: AudioSpecificConfig");
        assert!(info.duration_samples > 0, "{name}: length");
    }
}

#[test]
fn a_path_that_is_not_utf8_is_an_error_naming_it_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"review-\xff.mov"));
    std::fs::copy(fixture("f24_720_g12_nob.mov"), &path).expect("copy");
    // FFmpeg takes the bytes as they are, so the file opens.
    let c = Container::open_for_playback(&path).expect("opens");
    assert_eq!(
        c.index.count,
        Container::open(&path).expect("probed").index.count
    );
    let missing = dir
        .path()
        .join(std::ffi::OsStr::from_bytes(b"gone-\xfe.mov"));
    match Container::open_for_playback(&missing) {
        Err(e @ MediaError::NotFound(_)) => assert!(e.to_string().contains("gone-"), "{e}"),
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a missing file opened"),
    }
}
