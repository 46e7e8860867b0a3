//! The real binary opens a real window (under the Xvfb that `make test` starts), goes to the
//! requested timecode and saves its own screenshot; the frame code is read back from the
//! picture area of that screenshot. Every frame rate, random targets.

use crate::common;
use crate::shot;

use common::{FIXTURES, Rng, fixture, read_code};
use shot::{Shot, crop};
use std::path::Path;
use std::process::Command;

/// The neutral grey around the picture.
const SURROUND: u8 = 28;

/// The window on `file` with `args`, its settings in `config`, screenshotted to `shot`.
fn run_window(file: &Path, args: &[&str], shot: &Path, config: &Path) -> Shot {
    let mut window = Command::new(env!("CARGO_BIN_EXE_earmark"));
    window.arg(file).args(args).env("XDG_CONFIG_HOME", config);
    shot::take(window, shot)
}

fn is_surround(p: [u8; 4]) -> bool {
    p[..3].iter().all(|c| c.abs_diff(SURROUND) <= 2)
}

/// The picture keeps its aspect ratio, and the space around it (letterbox or pillarbox) is the
/// neutral grey.
fn check_letterbox(shot: &Shot, width: u32, height: u32) {
    let (x, y, w, h) = shot.picture;
    let want = width as f64 / height as f64;
    let got = w as f64 / h as f64;
    assert!(
        (got - want).abs() < 0.01,
        "picture is {w}x{h}, aspect {got:.3}, file is {width}x{height}"
    );
    let img = &shot.image;
    let beside = [
        (x.checked_sub(3), Some(y + h / 2)),
        (Some(x + w + 2), Some(y + h / 2)),
        (Some(x + w / 2), y.checked_sub(3)),
        (Some(x + w / 2), Some(y + h + 2)),
    ];
    let mut grey = 0;
    for (px, py) in beside {
        if let (Some(px), Some(py)) = (px, py)
            && let Some(p) = img.pixel(px, py)
            && is_surround(p)
        {
            grey += 1;
        }
    }
    // Fitted, the picture touches two sides of its area; the other two show the surround.
    assert!(
        grey >= 2,
        "no neutral grey beside the picture ({grey} of 4 sides)"
    );
}

#[test]
fn goto_shows_the_requested_frame_at_every_rate() {
    // An exact frame, not a timing: may run beside the level cases.
    let _device = crate::run::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng::new(0x5EED_0004);
    let mut report = Vec::new();
    for fx in &FIXTURES {
        let file = fixture(fx.name);
        let rate_tc = {
            let json = Command::new(env!("CARGO_BIN_EXE_earmark"))
                .args(["probe", "--json"])
                .arg(&file)
                .output()
                .expect("probe");
            String::from_utf8_lossy(&json.stdout).into_owned()
        };
        assert!(rate_tc.contains(fx.start_tc), "probe of {}", fx.name);
        for round in 0..2 {
            let target = if round == 0 {
                fx.frames - 1
            } else {
                rng.below(fx.frames)
            };
            // Go to it by its source timecode, as a user types it.
            let tc = timecode_of(fx, target);
            let shot_path = dir.path().join(format!("{}-{target}.png", fx.name));
            let shot = run_window(&file, &["--goto", &tc], &shot_path, dir.path());
            let picture = crop(&shot.image, shot.picture);
            let code = read_code(&picture);
            assert_eq!(
                code, target,
                "{}: --goto {tc} shows frame {code}, not {target}",
                fx.name
            );
            check_letterbox(&shot, fx.width, fx.height);
            let goto = shot
                .log
                .lines()
                .find(|l| l.starts_with("goto:"))
                .unwrap_or_default()
                .to_owned();
            report.push(format!("{} {tc}: {goto}", fx.name));
        }
    }
    eprintln!("{}", report.join("\n"));
}

/// Source timecode of `frame` in a fixture, via the library's own timecode maths.
fn timecode_of(fx: &common::Fixture, frame: u64) -> String {
    use earmark::media::{SourceTimecode, TimecodeSource};
    use earmark::time::{FrameRate, Timecode};
    let (n, d) = fx.rate.split_once('/').expect("rate");
    let rate = FrameRate::new(n.parse().expect("num"), d.parse().expect("den"))
        .expect("rate")
        .timecode_rate(fx.drop_frame);
    let start = if fx.start_tc == "-" {
        Timecode::from_frames(0, rate)
    } else {
        Timecode::parse(fx.start_tc, rate).expect("start")
    };
    let tc = SourceTimecode::counted_from(start.to_frames(rate), rate, TimecodeSource::Tmcd);
    tc.at_frame(frame as i64).to_string()
}

#[test]
fn frame_flag_and_play_for_show_the_frame_where_playback_stopped() {
    let _device = crate::run::exclusive();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = fixture("f24_720_g12_nob.mov");
    let shot = run_window(
        &file,
        &["--frame", "77"],
        &dir.path().join("a.png"),
        dir.path(),
    );
    assert_eq!(read_code(&crop(&shot.image, shot.picture)), 77);
    // Play a second from frame 10: the screenshot shows the frame the window says it stopped on.
    let shot = run_window(
        &file,
        &["--frame", "10", "--play-for", "1"],
        &dir.path().join("b.png"),
        dir.path(),
    );
    let line = shot
        .log
        .lines()
        .find(|l| l.starts_with("screenshot:"))
        .expect("line");
    let stopped: u64 = line
        .split(" of frame ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no frame in {line}"));
    assert!(
        (30..=50).contains(&stopped),
        "one second from frame 10 at 24 fps ended at frame {stopped}"
    );
    assert_eq!(read_code(&crop(&shot.image, shot.picture)), stopped);
    // Pictures are dropped only when the window could not paint them: of the second's 24, at
    // most two more than the window had no paint for. (Software rendering on this shared VM
    // usually paints all 24; at busy moments it paints as few as 9, and then the player must
    // keep to the clock, not fall behind.)
    let number_after = |key: &str| -> u64 {
        shot.log
            .split(key)
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no {key:?} in {}", shot.log))
    };
    let dropped = number_after("played: ");
    let painted = number_after("ui while playing: ");
    let unpaintable = 24u64.saturating_sub(painted);
    assert!(
        dropped <= unpaintable + 2,
        "{dropped} frames dropped at 24 fps with {painted} painted: {}",
        shot.log
    );
    if let Ok(keep) = std::env::var("EARMARK_KEEP_SCREENSHOT") {
        std::fs::copy(dir.path().join("b.png"), keep).expect("copy screenshot");
    }
}

#[test]
fn a_bad_timecode_or_file_exits_2_naming_it() {
    let _device = crate::run::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |file: &Path, tc: &str| {
        let _turn = shot::one_window();
        Command::new(env!("CARGO_BIN_EXE_earmark"))
            .arg(file)
            .args(["--goto", tc, "--exit"])
            .env("XDG_CONFIG_HOME", dir.path())
            .output()
            .expect("runs")
    };
    let out = run(&fixture("f24_720_g12_nob.mov"), "02:00:00:00");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("after the last frame"), "{err}");
    let bad = fixture("bad_truncated_moov_last.mov");
    let out = run(&bad, "01:00:00:00");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad_truncated_moov_last.mov"), "{err}");
}

/// The first screen in each layout, as the real window paints it under Xvfb; the screenshots
/// stay in `target/layout-shots/` to look at. The Review layout's picture is larger than the
/// Sound layout's (its side panel is narrower work: light and notes), and both show the frame.
#[test]
fn both_layouts_paint_their_first_screen() {
    let _device = crate::run::shared();
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/layout-shots");
    std::fs::create_dir_all(&out).expect("shots folder");
    let file = earmark::review::demo_clip();
    let mut areas = Vec::new();
    for layout in ["review", "sound"] {
        let config = tempfile::tempdir().expect("config");
        let dir = config.path().join("earmark");
        std::fs::create_dir_all(&dir).expect("config folder");
        std::fs::write(
            dir.join("settings.toml"),
            format!("reviewer = \"Ana Lima\"\n[window]\nlayout = \"{layout}\"\n"),
        )
        .expect("settings");
        let shot = out.join(format!("{layout}.png"));
        let s = run_window(&file, &["--goto", "01:00:05:00"], &shot, config.path());
        let (_, _, w, h) = s.picture;
        assert!(w > 400 && h > 200, "{layout}: picture {w}x{h}");
        areas.push(w * h);
    }
    assert!(
        areas[0] >= areas[1],
        "the Review layout's picture is at least as large as the Sound layout's: {areas:?}"
    );
}
