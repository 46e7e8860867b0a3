//! `earmark check` on what people actually receive, through the real binary on the generated
//! spec fixtures (`scripts/make-spec-fixtures.sh`): 10-bit and 4:2:2 / 4:4:4 H.264
//! (`video-bit-depth-chroma`), a picture stored sideways with a display matrix (`rotation`),
//! and files that are not QuickTime movies at all — sound files, Matroska, a transport stream —
//! which are named for what they are (exit 2), not reported as a corrupt movie.

use crate::spec;

use spec::{Checked, spec_fixture};

fn check(name: &str, profile: &str) -> Checked {
    spec::check(spec_fixture(name), &["--json", "--profile", profile])
}

#[test]
fn eight_bit_420_passes_and_higher_depths_or_chroma_warn_in_every_shipped_profile() {
    for profile in ["pix-standard", "pix-screening-room", "content-hub"] {
        let c = check("pass_std.mov", profile);
        assert_eq!(c.status("video-bit-depth-chroma"), "pass", "{profile}");
        assert!(
            c.text("video-bit-depth-chroma", "measured")
                .starts_with("8-bit 4:2:0"),
            "{}",
            c.rule("video-bit-depth-chroma")
        );
        assert!(
            c.node(profile)
                .to_string()
                .contains("video-bit-depth-chroma"),
            "{profile} judges the rule"
        );
    }
    let cases = [
        ("hi10.mov", "10-bit 4:2:0", "High 10"),
        ("hi422.mov", "8-bit 4:2:2", "High 4:2:2"),
        ("hi422_10.mov", "10-bit 4:2:2", "High 4:2:2"),
        ("hi444.mov", "8-bit 4:4:4", "High 4:4:4 Predictive"),
    ];
    for (file, what, profile_name) in cases {
        for profile in ["pix-standard", "content-hub"] {
            let c = check(file, profile);
            let rule = c.rule("video-bit-depth-chroma");
            assert_eq!(c.status("video-bit-depth-chroma"), "warn", "{file}: {rule}");
            assert_eq!(
                c.text("video-bit-depth-chroma", "message"),
                format!(
                    "{what} H.264 — many players and TVs cannot decode it; PIX expects 8-bit \
                     4:2:0"
                ),
                "{file}"
            );
            assert!(
                c.text("video-bit-depth-chroma", "measured")
                    .contains(&format!("({profile_name} profile")),
                "{file}: {rule}"
            );
            assert!(
                c.text("video-bit-depth-chroma", "fix")
                    .contains("-pix_fmt yuv420p"),
                "{file}: {rule}"
            );
            // A warning, not a failure: the verdict still holds.
            assert_eq!(c.code, 0, "{file} / {profile}: {}", c.stdout);
        }
    }
}

#[test]
fn a_picture_stored_sideways_warns_and_an_upright_one_is_reported() {
    let upright = check("pass_std.mov", "pix-standard");
    assert_eq!(
        upright.status("rotation"),
        "info",
        "{}",
        upright.rule("rotation")
    );
    assert!(
        upright.text("rotation", "measured").starts_with("upright"),
        "{}",
        upright.rule("rotation")
    );
    for profile in ["pix-standard", "pix-screening-room", "content-hub"] {
        let c = check("rotated90.mov", profile);
        let rule = c.rule("rotation");
        assert_eq!(c.status("rotation"), "warn", "{profile}: {rule}");
        assert_eq!(
            c.text("rotation", "message"),
            "the picture is stored rotated 90°; players that ignore the flag show it sideways"
        );
        assert!(
            c.text("rotation", "measured")
                .starts_with("turned 90° clockwise (matrix a b c d = 0 1 -1 0)"),
            "{rule}"
        );
        assert!(c.text("rotation", "fix").contains("ffmpeg"), "{rule}");
        assert!(
            c.node(profile).to_string().contains("\"rotation\""),
            "{profile} judges the rule"
        );
    }
    // The text report says it in words too.
    let text = spec::check(
        spec_fixture("rotated90.mov"),
        &["--profile", "pix-standard"],
    );
    assert!(
        text.stdout.contains("stored rotated 90°"),
        "{}",
        text.stdout
    );
}

#[test]
fn files_that_are_not_quicktime_are_named_for_what_they_are() {
    let cases = [
        ("ep1.wav", "a WAV sound file"),
        ("ep1_rf64.wav", "an RF64 (64-bit WAV) sound file"),
        ("ep1.flac", "a FLAC sound file"),
        ("ep1.aif", "an AIFF sound file"),
        ("ep1.mp3", "an MP3 sound file"),
        ("ep1.mkv", "a Matroska / WebM movie (.mkv, .webm)"),
        ("ep1.ts", "an MPEG transport stream (.ts, .m2ts)"),
    ];
    for (name, kind) in cases {
        for args in [&["--json"][..], &[][..]] {
            let c = spec::check(spec_fixture(name), args);
            assert_eq!(c.code, 2, "{name}: {}", c.stderr);
            let want = format!(
                "{name} is {kind}, not a QuickTime movie: the delivery spec check reads \
                 QuickTime (.mov) review files"
            );
            assert!(c.stderr.contains(&want), "{name}: {}", c.stderr);
            assert!(
                !c.stderr.contains("claims") && !c.stderr.contains("truncated"),
                "{name}: {}",
                c.stderr
            );
            assert!(c.stdout.is_empty(), "{name}: no report on stdout");
        }
    }
    // A damaged or empty movie is still reported as one.
    for name in ["bad_cut_header.mov", "bad_empty.mov"] {
        let c = spec::check(spec_fixture(name), &["--json"]);
        assert_eq!(c.code, 2, "{name}");
        assert!(!c.stderr.contains("not a QuickTime movie:"), "{}", c.stderr);
    }
}
