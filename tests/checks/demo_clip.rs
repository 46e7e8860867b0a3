//! The bundled demo clip, the first file a new user sees, is a model review file (issue 22):
//! it passes the delivery check and sits inside the Netflix 2.0 loudness target, judged by
//! the real binary the way a user would run it.

use std::path::PathBuf;
use std::process::Command;

/// `earmark COMMAND <demo clip> FLAG VALUE`, which must exit 0; its standard output.
fn run_on_demo(command: &str, flag: &str, value: &str) -> String {
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/earmark-demo.mov");
    let o = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg(command)
        .arg(demo)
        .args([flag, value])
        .output()
        .expect("binary runs");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

#[test]
fn the_demo_clip_passes_the_delivery_check() {
    let out = run_on_demo("check", "--profile", "pix-standard");
    assert!(!out.contains("FAIL") && !out.contains("WARN"), "{out}");
}

#[test]
fn the_demo_clip_is_within_the_netflix_target() {
    let out = run_on_demo("loudness", "--preset", "netflix");
    assert!(out.contains("Netflix 2.0: PASS"), "{out}");
    // True peak well inside the −2 dBTP ceiling.
    let tp: f64 = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("true peak"))
        .and_then(|v| v.trim().trim_end_matches("dBTP").trim().parse().ok())
        .unwrap_or_else(|| panic!("no true peak in {out}"));
    assert!(tp < -2.0, "true peak {tp} dBTP");
}
