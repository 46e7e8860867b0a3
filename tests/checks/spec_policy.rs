//! Profiles as policy trees, through the real binary: a user profile written to a temp file with
//! its own `all` / `any` tree over the shipped sub-policies, checked on the generated spec
//! fixtures (`scripts/make-spec-fixtures.sh`). An `any` holds when one alternative does and fails
//! when none does; rules outside the tree are reported, not judged; `extends` inherits; broken
//! trees exit 2 naming the file.

use crate::spec;

use spec::{Checked, spec_fixture};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

fn run(fixture: &str, profile: &Path, json: bool) -> Checked {
    let mut args = vec![OsStr::new("--profile"), profile.as_os_str()];
    if json {
        args.push(OsStr::new("--json"));
    }
    spec::check(spec_fixture(fixture), &args)
}

/// Writes `text` as `name` in a fresh temp folder; the folder lives as long as the result.
fn profile_file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write profile");
    (dir, path)
}

/// "Will PIX take this at all?": the common ground, then either PIX clip format. Each clip
/// sub-policy carries its own size, rates and bit rates, so the two alternatives judge the same
/// rules against different figures (a 1080p file at 44.1 kHz fits neither).
const EITHER_CLIP: &str = r#"
id = "pix-either-clip"
name = "PIX, either clip format"
frame_rates = ["24000/1001", "24", "25", "30000/1001", "30", "50", "60000/1001", "60"]

[policy]
all = [
  { use = "locked-cuts-common" },
  { name = "PIX clip format", any = [{ use = "pix-standard-clip" }, { use = "pix-screening-room-clip" }] },
]
"#;

#[test]
fn an_any_node_holds_through_either_alternative() {
    let (_dir, path) = profile_file("either.toml", EITHER_CLIP);
    for (fixture, through, size) in [
        ("pass_std.mov", "pix-standard-clip", "1280x720"),
        ("pass_sr.mov", "pix-screening-room-clip", "1920x1080"),
        // 44.1 kHz is allowed only for the Standard clip, so that alternative carries it.
        ("audio_44k.mov", "pix-standard-clip", "1280x720"),
    ] {
        let c = run(fixture, &path, true);
        assert_eq!(c.code, 0, "{fixture}: {} {}", c.stderr, c.json);
        assert_eq!(c.json["profile"], "pix-either-clip");
        assert_eq!(c.json["pass"], true, "{fixture}");
        let any = c.node("PIX clip format");
        assert_eq!(any["type"], "any");
        assert_eq!(any["pass"], true, "{fixture}");
        assert_eq!(
            c.node(through)["counted"],
            true,
            "{fixture} through {through}"
        );
        // The rule list shows what the verdict rests on: the alternative that held.
        assert_eq!(c.status("frame-size"), "pass", "{fixture}");
        assert_eq!(c.rule("frame-size")["expected"], size, "{fixture}");
        // The other alternative failed on frame size, and that is not a failure of the file.
        let other = if through == "pix-standard-clip" {
            "pix-screening-room-clip"
        } else {
            "pix-standard-clip"
        };
        assert_eq!(c.node(other)["pass"], false, "{fixture}: {other}");
        assert_eq!(c.node(other)["counted"], false, "{fixture}: {other}");
        let text = run(fixture, &path, false).stdout;
        let line = text
            .lines()
            .find(|l| l.contains(&format!("FAIL      {other} (all of 4): frame-size")))
            .unwrap_or_else(|| panic!("{fixture}: no line for {other} in {text}"));
        assert!(line.ends_with("failed [not needed]"), "{line}");
        let rules = c.json["rules"].as_array().expect("rules");
        assert_eq!(
            rules.len(),
            earmark::delivery::rules::RULE_IDS.len(),
            "every rule id still reported"
        );
        assert!(
            rules.iter().all(|r| r["status"] != "fail"),
            "{fixture}: a passing verdict shows no failing rule"
        );
    }
}

#[test]
fn an_any_node_fails_when_no_alternative_holds() {
    let (_dir, path) = profile_file("either.toml", EITHER_CLIP);
    let c = run("size_1024x576.mov", &path, true);
    assert_eq!(c.code, 1, "{} {}", c.stderr, c.json);
    assert_eq!(c.json["pass"], false);
    let any = c.node("PIX clip format");
    assert_eq!(any["pass"], false);
    for clip in ["pix-standard-clip", "pix-screening-room-clip"] {
        let node = c.node(clip);
        assert_eq!(node["pass"], false, "{clip}");
        assert_eq!(
            node["counted"], true,
            "each failed alternative is part of why"
        );
    }
    assert_eq!(c.node("locked-cuts-common")["pass"], true);
    assert_eq!(c.status("frame-size"), "fail");
    for r in c.json["rules"].as_array().expect("rules") {
        for key in ["id", "status", "measured", "expected", "message", "fix"] {
            assert!(r[key].is_string(), "{key} in {r}");
        }
    }

    // People see which sub-policy failed and why.
    let c = run("size_1024x576.mov", &path, false);
    assert_eq!(c.code, 1);
    assert!(
        c.stdout
            .contains("FAIL    PIX clip format (any of 2): no alternative holds"),
        "{}",
        c.stdout
    );
    assert!(
        c.stdout
            .contains("FAIL      pix-standard-clip (all of 4): frame-size failed"),
        "{}",
        c.stdout
    );
}

#[test]
fn rules_outside_the_tree_are_reported_not_judged() {
    // A house rule that takes chapter tracks: everything but `no-text-tracks`.
    let (_dir, path) = profile_file(
        "chapters-ok.toml",
        r#"
id = "chapters-ok"
name = "Chapters allowed"
frame_rates = ["24000/1001"]
frame_sizes = [[1280, 720]]
sample_rates = [48000]
policy = { all = [
  "container-mov", "fast-start", "no-cmov", "video-codec-h264", "frame-rate", "frame-size",
  "audio-codec-aac-lc", "audio-sample-rate",
] }
"#,
    );
    let c = run("text_track.mov", &path, true);
    assert_eq!(c.code, 0, "{} {}", c.stderr, c.json);
    assert_eq!(c.status("no-text-tracks"), "info");
    assert!(
        c.rule("no-text-tracks")["message"]
            .as_str()
            .is_some_and(|m| m.contains("not judged")),
        "{}",
        c.rule("no-text-tracks")
    );
    assert_eq!(
        c.json["rules"].as_array().map(Vec::len),
        Some(earmark::delivery::rules::RULE_IDS.len())
    );
}

#[test]
fn extends_takes_the_tree_and_changes_a_parameter() {
    let (_dir, path) = profile_file(
        "pal.toml",
        "id = \"pix-standard-pal\"\nextends = \"pix-standard\"\nframe_rates = [\"25\"]\n",
    );
    let c = run("fps25.mov", &path, true);
    assert_eq!(c.code, 0, "{} {}", c.stderr, c.json);
    assert_eq!(c.node("pix-standard-clip")["pass"], true, "inherited tree");
    let c = run("pass_std.mov", &path, true);
    assert_eq!(c.code, 1, "23.976 is not 25");
    assert_eq!(c.status("frame-rate"), "fail");
    assert_eq!(c.node("locked-cuts-common")["pass"], false);
}

#[test]
fn broken_trees_exit_2_naming_the_file() {
    for (text, want) in [
        (
            "id = \"x\"\nname = \"X\"\nframe_rates = [\"25\"]\n\
             policy = { all = [\"fast-start\", \"fast-strat\"] }\n",
            "\"fast-strat\"",
        ),
        (
            "id = \"x\"\nname = \"X\"\nframe_rates = [\"25\"]\n\
             policy = { all = [{ use = \"house-common\" }] }\n",
            "unknown sub-policy \"house-common\"",
        ),
        (
            "id = \"x\"\nname = \"X\"\npolicy = { any = [] }\n",
            "is empty",
        ),
        (
            "id = \"x\"\nextends = \"x-base\"\n",
            "extends unknown profile \"x-base\"",
        ),
    ] {
        let (_dir, path) = profile_file("broken.toml", text);
        let c = run("pass_std.mov", &path, true);
        assert_eq!(c.code, 2, "{text}: {}", c.stdout);
        assert!(
            c.stderr.contains(path.to_str().expect("utf-8")),
            "names the file: {}",
            c.stderr
        );
        assert!(c.stderr.contains(want), "{want}: {}", c.stderr);
    }
}
