//! `earmark check` through the real binary on the generated spec fixtures
//! (`scripts/make-spec-fixtures.sh`): each rule's passing and failing file, the exit codes
//! (0 pass with warnings allowed, 1 fail, 2 unreadable), and a proptest that damaged movies
//! never make the facts reader panic.

use crate::spec;

use earmark::delivery::Facts;
use earmark::media::atoms::AtomReader;
use proptest::prelude::*;
use spec::{Checked, spec_fixture};
use std::process::Command;

/// `earmark check` of spec fixture `name` against `profile`, as JSON.
fn check(name: &str, profile: &str) -> Checked {
    spec::check(spec_fixture(name), &["--json", "--profile", profile])
}

/// (fixture, profile, rule, expected status, expected exit code)
const CASES: &[(&str, &str, &str, &str, i32)] = &[
    ("pass_std.mov", "pix-standard", "container-mov", "pass", 0),
    ("as_mp4.mp4", "pix-standard", "container-mov", "fail", 1),
    ("pass_std.mov", "pix-standard", "fast-start", "pass", 0),
    ("no_faststart.mov", "pix-standard", "fast-start", "fail", 1),
    ("pass_std.mov", "pix-standard", "no-cmov", "pass", 0),
    ("pass_std.mov", "pix-standard", "no-edit-lists", "pass", 0),
    (
        "elst_default.mov",
        "pix-standard",
        "no-edit-lists",
        "warn",
        0,
    ),
    ("bframes.mov", "pix-standard", "no-edit-lists", "fail", 1),
    (
        "pass_std.mov",
        "pix-standard",
        "video-codec-h264",
        "pass",
        0,
    ),
    ("avc3.mov", "pix-standard", "video-codec-h264", "fail", 1),
    ("pass_std.mov", "pix-standard", "video-tag", "pass", 0),
    ("name_avc.mov", "pix-standard", "video-tag", "warn", 0),
    ("name_lavc.mov", "pix-standard", "video-tag", "info", 0),
    (
        "pass_std.mov",
        "pix-standard",
        "no-frame-reordering",
        "pass",
        0,
    ),
    (
        "bframes.mov",
        "pix-standard",
        "no-frame-reordering",
        "fail",
        1,
    ),
    ("fps25.mov", "pix-standard", "frame-rate", "pass", 0),
    ("fps15.mov", "pix-standard", "frame-rate", "fail", 1),
    (
        "pass_std.mov",
        "pix-standard",
        "constant-frame-rate",
        "pass",
        0,
    ),
    ("vfr.mov", "pix-standard", "constant-frame-rate", "fail", 1),
    ("pass_std.mov", "pix-standard", "frame-size", "pass", 0),
    (
        "size_1920x1080.mov",
        "pix-standard",
        "frame-size",
        "fail",
        1,
    ),
    ("size_1024x576.mov", "content-hub", "frame-size", "fail", 1),
    ("size_1920x1080.mov", "content-hub", "frame-size", "pass", 0),
    ("pass_sr.mov", "pix-screening-room", "frame-size", "pass", 0),
    ("pass_std.mov", "pix-standard", "video-bitrate", "pass", 0),
    ("hi_bitrate.mov", "pix-standard", "video-bitrate", "warn", 0),
    ("pass_std.mov", "pix-standard", "colorimetry", "pass", 0),
    ("bt2020.mov", "pix-standard", "colorimetry", "fail", 1),
    (
        "pass_std.mov",
        "pix-standard",
        "audio-codec-aac-lc",
        "pass",
        0,
    ),
    (
        "aac_main.mov",
        "pix-standard",
        "audio-codec-aac-lc",
        "fail",
        1,
    ),
    (
        "mp3_audio.mov",
        "pix-standard",
        "audio-codec-aac-lc",
        "fail",
        1,
    ),
    (
        "audio_44k.mov",
        "pix-standard",
        "audio-sample-rate",
        "pass",
        0,
    ),
    (
        "audio_44k.mov",
        "pix-screening-room",
        "audio-sample-rate",
        "fail",
        1,
    ),
    ("pass_std.mov", "pix-standard", "audio-channels", "pass", 0),
    ("mono.mov", "pix-standard", "audio-channels", "warn", 0),
    ("surround.mov", "pix-standard", "audio-channels", "fail", 1),
    ("pass_std.mov", "pix-standard", "audio-bitrate", "pass", 0),
    ("pass_sr.mov", "pix-standard", "audio-bitrate", "warn", 1),
    (
        "pass_sr.mov",
        "pix-screening-room",
        "audio-bitrate",
        "pass",
        0,
    ),
    (
        "pass_std.mov",
        "pix-standard",
        "video-track-count",
        "pass",
        0,
    ),
    (
        "pass_std.mov",
        "pix-standard",
        "audio-track-count",
        "pass",
        0,
    ),
    (
        "no_audio.mov",
        "pix-standard",
        "audio-track-count",
        "pass",
        0,
    ),
    (
        "two_audio.mov",
        "pix-standard",
        "audio-track-count",
        "fail",
        1,
    ),
    ("pass_std.mov", "pix-standard", "no-text-tracks", "pass", 0),
    (
        "text_track.mov",
        "pix-standard",
        "no-text-tracks",
        "fail",
        1,
    ),
    ("pass_std.mov", "pix-standard", "timecode", "pass", 0),
    ("no_timecode.mov", "pix-standard", "timecode", "info", 0),
];

#[test]
fn every_rule_passes_and_fails_on_its_fixture() {
    let mut wrong = Vec::new();
    for &(file, profile, rule, status, code) in CASES {
        let c = check(file, profile);
        let got = c.status(rule);
        if got != status || c.code != code {
            wrong.push(format!(
                "{file} / {profile} / {rule}: got {got} exit {}, want {status} exit {code}",
                c.code
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn json_has_every_rule_with_all_fields() {
    let c = check("pass_std.mov", "pix-standard");
    assert_eq!(c.code, 0, "{}", c.stderr);
    assert_eq!(c.json["profile"], "pix-standard");
    assert_eq!(c.json["pass"], true);
    let rules = c.json["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), earmark::delivery::rules::RULE_IDS.len());
    for r in rules {
        for key in ["id", "status", "measured", "expected", "message", "fix"] {
            assert!(r[key].is_string(), "{key} in {r}");
        }
        assert!(
            r["status"] != "pass" || r["measured"] != "-",
            "a pass always shows what was measured: {r}"
        );
    }
    assert!(
        rules.iter().all(|r| r["message"] != "not checked yet"),
        "every rule is implemented"
    );
}

#[test]
fn failures_carry_a_message_and_a_fix() {
    let c = check("no_faststart.mov", "pix-standard");
    assert_eq!(c.json["pass"], false);
    let r = c.json["rules"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["id"] == "fast-start"))
        .expect("fast-start");
    assert!(
        r["fix"].as_str().is_some_and(|f| f.contains("+faststart")),
        "{r}"
    );
    assert!(r["message"].as_str().is_some_and(|m| !m.is_empty()));
}

#[test]
fn unreadable_files_exit_2_naming_the_file() {
    for name in ["bad_truncated.mov", "bad_cut_header.mov", "bad_empty.mov"] {
        let c = check(name, "pix-standard");
        assert_eq!(c.code, 2, "{name}: {}", c.stderr);
        assert!(c.stderr.contains(name), "{}", c.stderr);
    }
    let missing = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(["check", "/no/such/review.mov"])
        .output()
        .expect("binary runs");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/no/such/review.mov"));
}

#[test]
fn unknown_profile_exits_2_and_a_profile_file_works() {
    let c = check("pass_std.mov", "no-such-profile");
    assert_eq!(c.code, 2);
    assert!(
        c.stderr.contains("pix-standard"),
        "lists the known ones: {}",
        c.stderr
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("house.toml");
    std::fs::write(
        &path,
        "id = \"house\"\nname = \"House\"\nframe_sizes = [[1280, 720]]\nsample_rates = [48000]\n\
         frame_rates = [\"25\"]\n[severity]\nframe-rate = \"warn\"\n",
    )
    .expect("write profile");
    let c = check("pass_std.mov", path.to_str().expect("utf-8"));
    assert_eq!(c.json["profile"], "house");
    assert_eq!(c.status("frame-rate"), "warn", "softened by the profile");
    assert_eq!(c.code, 0);
}

/// `atom(kind, payload)` bytes, 32-bit size form.
fn atom(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut v = u32::try_from(payload.len() + 8)
        .expect("small atom")
        .to_be_bytes()
        .to_vec();
    v.extend_from_slice(kind);
    v.extend_from_slice(payload);
    v
}

/// A zlib stream of stored (uncompressed) deflate blocks: valid, and needs no zlib library.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let chunks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, c) in chunks.iter().enumerate() {
        out.push(u8::from(i + 1 == chunks.len()));
        let len = u16::try_from(c.len()).expect("block");
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

#[test]
fn compressed_movie_header_fails_no_cmov() {
    // pass_std.mov is ftyp, moov, …: wrap its moov as moov{cmov{dcom zlib, cmvd{size, zlib}}}.
    let bytes = std::fs::read(spec_fixture("pass_std.mov")).expect("fixture");
    let size = |at: usize| {
        usize::try_from(u32::from_be_bytes(
            bytes[at..at + 4].try_into().expect("4 bytes"),
        ))
        .expect("size")
    };
    let moov_at = size(0);
    assert_eq!(&bytes[moov_at + 4..moov_at + 8], b"moov");
    let moov_end = moov_at + size(moov_at);
    let moov = &bytes[moov_at..moov_end];
    let mut cmvd = u32::try_from(moov.len())
        .expect("len")
        .to_be_bytes()
        .to_vec();
    cmvd.extend(zlib_stored(moov));
    let cmov = atom(
        b"cmov",
        &[atom(b"dcom", b"zlib"), atom(b"cmvd", &cmvd)].concat(),
    );
    let file = [&bytes[..moov_at], &atom(b"moov", &cmov), &bytes[moov_end..]].concat();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("cmov.mov");
    std::fs::write(&path, file).expect("write");
    let c = spec::check(&path, &["--json"]);
    assert_eq!(c.code, 1, "{}", c.stderr);
    assert_eq!(c.status("no-cmov"), "fail");
    // The tracks are inside the compressed header: not measured, never passed or failed.
    assert_eq!(c.status("video-track-count"), "info");
    assert_eq!(c.status("frame-size"), "info");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Real movie bytes with random bytes overwritten and a random cut: never a panic.
    #[test]
    fn mutated_movies_never_panic(
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..40),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = std::fs::read(spec_fixture("bframes.mov")).expect("fixture");
        // Mutate the header region (where the structure is), not just the media.
        let head = bytes.len().min(8192);
        for (at, value) in flips {
            let i = at.index(head);
            bytes[i] = value;
        }
        let keep = cut.index(bytes.len()).max(bytes.len() / 2);
        bytes.truncate(keep);
        if let Ok(r) = AtomReader::new(std::io::Cursor::new(bytes)) {
            let _ = Facts::read(r);
        }
    }
}
