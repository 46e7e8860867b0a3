//! Clips whose video track carries a display matrix (`scripts/make-rotation-fixtures.sh`: one
//! upright 320x180 clip with its frame code in the top band, remuxed with quarter turns and a
//! mirror) come out upright everywhere: `earmark still`, the report's thumbnails, the burned-in
//! watermark and the real window under Xvfb; `earmark probe --json` reports the turn and the
//! shown size.
//!
//! The pictures are turned back here with the tests' own few lines (not the library's), and the
//! direction of a turn is checked against FFmpeg's CLI, which turns pictures by the matrix when
//! it decodes them (`autorotate`).

use crate::common;
use crate::shot;

use common::{load_png, read_code};
use earmark::video::{FrameReader, RgbaImage};
use std::path::{Path, PathBuf};
use std::process::Command;

const FRAME: u64 = 37;

/// (file, clockwise turn, mirrored) of each fixture.
const CASES: [(&str, u32, bool); 5] = [
    ("rot0.mov", 0, false),
    ("rot90.mov", 90, false),
    ("rot180.mov", 180, false),
    ("rot270.mov", 270, false),
    ("mirror.mov", 0, true),
];

fn rotation_fixture(name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cache-rotation")
        .join(name);
    assert!(
        p.exists(),
        "fixture {} is missing: run `make fixtures` (scripts/make-rotation-fixtures.sh)",
        p.display()
    );
    p
}

/// A config folder whose settings say `toml`.
fn config_with(dir: &Path, toml: &str) -> PathBuf {
    let config = dir.join("config");
    std::fs::create_dir_all(config.join("earmark")).expect("config dir");
    std::fs::write(config.join("earmark/settings.toml"), toml).expect("settings");
    config
}

const NO_MARK: &str = "reviewer = \"Jo\"\n[watermark]\nenabled = false\n";

/// `earmark still FILE --frame FRAME` with the settings in `config`.
fn still(file: &Path, config: &Path, out: &Path) -> RgbaImage {
    let o = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg("still")
        .arg(file)
        .args(["--frame", &FRAME.to_string(), "-o"])
        .arg(out)
        .env("XDG_CONFIG_HOME", config)
        .env("XDG_DATA_HOME", config.join("data"))
        .output()
        .expect("binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    load_png(out)
}

/// `img` turned 90° clockwise: the left column becomes the top row.
fn quarter_cw(img: &RgbaImage) -> RgbaImage {
    let (w, h) = (img.width, img.height);
    let mut pixels = Vec::with_capacity(img.pixels.len());
    for y in 0..w {
        for x in 0..h {
            pixels.extend(img.pixel(y, h - 1 - x).expect("inside"));
        }
    }
    RgbaImage {
        width: h,
        height: w,
        pixels,
    }
}

fn mirror(img: &RgbaImage) -> RgbaImage {
    let mut pixels = Vec::with_capacity(img.pixels.len());
    for y in 0..img.height {
        for x in (0..img.width).rev() {
            pixels.extend(img.pixel(x, y).expect("inside"));
        }
    }
    RgbaImage {
        pixels,
        ..img.clone()
    }
}

fn turn_cw(img: &RgbaImage, degrees: u32) -> RgbaImage {
    (0..degrees / 90).fold(img.clone(), |i, _| quarter_cw(&i))
}

/// The stored picture from a shown one: turned back, then un-mirrored.
fn stored_from_shown(img: &RgbaImage, cw: u32, mirrored: bool) -> RgbaImage {
    let back = turn_cw(img, (360 - cw) % 360);
    if mirrored { mirror(&back) } else { back }
}

/// Mean absolute difference per channel value.
fn mean_diff(a: &RgbaImage, b: &RgbaImage) -> f64 {
    assert_eq!((a.width, a.height), (b.width, b.height));
    let sum: u64 = a
        .pixels
        .iter()
        .zip(&b.pixels)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.pixels.len() as f64
}

#[test]
fn still_is_upright_and_the_exact_stored_frame_turned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_with(dir.path(), NO_MARK);
    let upright = still(
        &rotation_fixture("rot0.mov"),
        &config,
        &dir.path().join("rot0.png"),
    );
    assert_eq!((upright.width, upright.height), (320, 180));
    assert_eq!(read_code(&upright), FRAME);
    for (name, cw, mirrored) in CASES {
        let shown = still(
            &rotation_fixture(name),
            &config,
            &dir.path().join(format!("{name}.png")),
        );
        let want = if cw % 180 == 90 {
            (180, 320)
        } else {
            (320, 180)
        };
        assert_eq!((shown.width, shown.height), want, "{name}");
        // The same bitstream as rot0.mov, turned without resampling: bit-identical once undone.
        let stored = stored_from_shown(&shown, cw, mirrored);
        assert_eq!(stored, upright, "{name}: not the stored frame turned {cw}°");
        assert_eq!(read_code(&stored), FRAME, "{name}");
    }
}

#[test]
fn turns_go_the_way_ffmpeg_turns_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_with(dir.path(), NO_MARK);
    for (name, cw, _) in CASES.iter().filter(|c| !c.2 && c.1 != 0) {
        let file = rotation_fixture(name);
        let ours = still(&file, &config, &dir.path().join(format!("ours-{name}.png")));
        let theirs = dir.path().join(format!("ffmpeg-{name}.png"));
        let o = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-i"])
            .arg(&file)
            .args(["-vf", &format!("select=eq(n\\,{FRAME})"), "-frames:v", "1"])
            .arg(&theirs)
            .output()
            .expect("ffmpeg runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let theirs = load_png(&theirs);
        assert_eq!(
            (theirs.width, theirs.height),
            (ours.width, ours.height),
            "{name}"
        );
        // Colour conversion differs a little; the geometry must not. Turned the other way
        // round the picture would differ grossly.
        let same = mean_diff(&ours, &theirs);
        let other_way = mean_diff(&turn_cw(&ours, 180), &theirs);
        assert!(
            same < 12.0 && other_way > 3.0 * same,
            "{name} ({cw}°): {same:.2} from FFmpeg's picture, {other_way:.2} turned the other way"
        );
    }
}

#[test]
fn probe_reports_the_turn_and_the_shown_size() {
    for (name, cw, mirrored) in CASES {
        let o = Command::new(env!("CARGO_BIN_EXE_earmark"))
            .args(["probe", "--json"])
            .arg(rotation_fixture(name))
            .output()
            .expect("binary runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        let v = &json["video"];
        let (w, h) = if cw % 180 == 90 {
            (180, 320)
        } else {
            (320, 180)
        };
        assert_eq!(v["rotation"], cw, "{name}: {v}");
        assert_eq!(v["mirrored"], mirrored, "{name}: {v}");
        assert!(v["width"] == w && v["height"] == h, "{name}: {v}");
        assert!(
            v["stored_width"] == 320 && v["stored_height"] == 180,
            "{name}: {v}"
        );
    }
}

#[test]
fn thumbnails_and_the_burned_in_watermark_are_upright() {
    let file = rotation_fixture("rot90.mov");
    // The report sizes thumbnails from the probe's (shown) size.
    let info = earmark::media::probe(&file).expect("probe");
    let native = (info.video.width, info.video.height);
    assert_eq!(native, (180, 320));
    let mut reader = FrameReader::open(&file).expect("open");
    let png =
        earmark::report::png_thumbnail(&mut reader, FRAME, native, 90, None).expect("thumbnail");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("thumb.png");
    std::fs::write(&path, png).expect("write");
    let thumb = load_png(&path);
    assert_eq!((thumb.width, thumb.height), (90, 160));
    assert_eq!(read_code(&stored_from_shown(&thumb, 90, false)), FRAME);

    // The watermark is burned into the shown picture: its letters run across it, so the marked
    // area is wider than tall (burned before the turn, it would stand on end).
    let plain = still(
        &file,
        &config_with(&dir.path().join("off"), NO_MARK),
        &dir.path().join("plain.png"),
    );
    let marked = still(
        &file,
        &config_with(&dir.path().join("on"), "reviewer = \"Jo Portrait\"\n"),
        &dir.path().join("marked.png"),
    );
    assert_eq!((marked.width, marked.height), (180, 320));
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for y in 0..plain.height {
        for x in 0..plain.width {
            if plain.pixel(x, y) != marked.pixel(x, y) {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            }
        }
    }
    assert!(x1 >= x0 && y1 >= y0, "the still is not watermarked");
    assert!(
        x1 - x0 > 2 * (y1 - y0),
        "watermark spans {x0},{y0}–{x1},{y1}: not running across the upright picture"
    );
}

#[test]
fn the_window_shows_the_picture_portrait_and_upright() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = config_with(dir.path(), NO_MARK);
    let mut window = Command::new(env!("CARGO_BIN_EXE_earmark"));
    window
        .arg(rotation_fixture("rot90.mov"))
        .args(["--frame", &FRAME.to_string()])
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_DATA_HOME", config.join("data"));
    let shot = shot::take(window, &dir.path().join("shot.png"));
    let (_, _, w, h) = shot.picture;
    let aspect = f64::from(w) / f64::from(h);
    assert!(
        (aspect - 180.0 / 320.0).abs() < 0.01,
        "picture is {w}x{h} in the window, not portrait 9:16\n{}",
        shot.log
    );
    let picture = shot::crop(&shot.image, shot.picture);
    assert_eq!(
        read_code(&stored_from_shown(&picture, 90, false)),
        FRAME,
        "the frame code is not where a 90° clockwise turn puts it"
    );
}
