//! The per-viewer watermark on real pictures: `earmark still` burns it in when the settings
//! have it on (the default) and leaves the frame bit-identical when they turn it off; report
//! thumbnails carry it; and the real window (under the Xvfb that `make test` starts) draws it
//! over the picture, where its screenshot shows it, without hiding the frame code.

use crate::common;
use crate::shot;

use common::{fixture, load_png, read_code};
use earmark::video::{FrameReader, RgbaImage, WatermarkSpec};
use shot::crop;
use std::path::Path;
use std::process::Command;

const FILE: &str = "f24_720_g12_nob.mov";
const FRAME: u64 = 30;

/// A config folder whose settings say `toml`.
fn config_with(dir: &Path, toml: &str) -> std::path::PathBuf {
    let config = dir.join("config");
    std::fs::create_dir_all(config.join("earmark")).expect("config dir");
    std::fs::write(config.join("earmark/settings.toml"), toml).expect("settings");
    config
}

fn still(config: &Path, out: &Path) -> RgbaImage {
    let o = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg("still")
        .arg(fixture(FILE))
        .args(["--frame", &FRAME.to_string(), "-o"])
        .arg(out)
        .env("XDG_CONFIG_HOME", config)
        .output()
        .expect("binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    load_png(out)
}

fn plain_frame() -> RgbaImage {
    let mut reader = FrameReader::open(&fixture(FILE)).expect("open");
    reader.rgba(FRAME).expect("decode")
}

/// Bounding box (x0, y0, x1, y1, inclusive) of the pixels that differ, and their count.
fn changed(a: &RgbaImage, b: &RgbaImage) -> Option<((u32, u32, u32, u32), usize)> {
    assert_eq!((a.width, a.height), (b.width, b.height));
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    let mut n = 0;
    for y in 0..a.height {
        for x in 0..a.width {
            if a.pixel(x, y) != b.pixel(x, y) {
                n += 1;
                let (x0, y0, x1, y1) = bbox.unwrap_or((x, y, x, y));
                bbox = Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)));
            }
        }
    }
    bbox.map(|b| (b, n))
}

#[test]
fn still_is_watermarked_by_default_and_plain_when_turned_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = plain_frame();
    let (w, h) = (plain.width, plain.height);

    let short = config_with(&dir.path().join("a"), "reviewer = \"Jo\"\n");
    let marked = still(&short, &dir.path().join("a.png"));
    let ((x0, y0, x1, y1), n) = changed(&plain, &marked).expect("the still is watermarked");
    assert!(n > 1000, "only {n} pixels carry the watermark");
    // On the centre, two lines high, and nowhere else: the rest is the exact frame.
    assert!(
        x0 < w / 2 && x1 > w / 2 && y0 < h / 2 && y1 > h / 2,
        "{x0},{y0}–{x1},{y1}"
    );
    assert!(y1 - y0 < h / 6, "watermark {}px high", y1 - y0);
    assert!(x0 > w / 10 && x1 < w - w / 10, "{x0}–{x1}");
    assert_eq!(
        read_code(&marked),
        FRAME,
        "the frame code is still readable"
    );

    // A longer name and an e-mail make a wider mark: the text comes from the settings.
    let long = config_with(
        &dir.path().join("b"),
        "reviewer = \"Alexandra Fitzgerald-Montgomery\"\n[watermark]\nemail = \"alexandra.fitzgerald@example-studio.com\"\n",
    );
    let wide = still(&long, &dir.path().join("b.png"));
    let ((wx0, _, wx1, _), _) = changed(&plain, &wide).expect("watermarked");
    assert!(wx1 - wx0 > x1 - x0 + 100, "{} vs {}", wx1 - wx0, x1 - x0);

    // Opacity from the settings: fainter marks move pixels less.
    let faint = config_with(
        &dir.path().join("c"),
        "reviewer = \"Jo\"\n[watermark]\nopacity = 0.1\n",
    );
    let faint = still(&faint, &dir.path().join("c.png"));
    let most = |img: &RgbaImage| {
        plain
            .pixels
            .iter()
            .zip(&img.pixels)
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap_or(0)
    };
    assert!(
        most(&faint) < most(&marked),
        "{} vs {}",
        most(&faint),
        most(&marked)
    );
    assert!(
        most(&faint) <= 30,
        "opacity 0.1 moved a pixel by {}",
        most(&faint)
    );

    let off = config_with(
        &dir.path().join("d"),
        "reviewer = \"Jo\"\n[watermark]\nenabled = false\n",
    );
    let unmarked = still(&off, &dir.path().join("d.png"));
    assert_eq!(unmarked, plain, "turned off, the still is the exact frame");
}

#[test]
fn report_thumbnails_carry_the_watermark() {
    let settings = earmark::settings::Settings {
        reviewer: "Jo".into(),
        ..Default::default()
    };
    let spec = WatermarkSpec::from_settings(&settings, "0123456789ab".into()).expect("on");
    let mut reader = FrameReader::open(&fixture(FILE)).expect("open");
    let plain = earmark::report::png_thumbnail(&mut reader, FRAME, (1280, 720), 320, None)
        .expect("thumbnail");
    let marked = earmark::report::png_thumbnail(&mut reader, FRAME, (1280, 720), 320, Some(&spec))
        .expect("thumbnail");
    let dir = tempfile::tempdir().expect("tempdir");
    let (a, b) = (dir.path().join("a.png"), dir.path().join("b.png"));
    std::fs::write(&a, plain).expect("write");
    std::fs::write(&b, marked).expect("write");
    let (plain, marked) = (load_png(&a), load_png(&b));
    let ((x0, y0, x1, y1), n) = changed(&plain, &marked).expect("the thumbnail is watermarked");
    assert!(n > 200, "{n} pixels");
    assert!(
        x0 < 160 && x1 > 160 && y0 < 90 && y1 > 90,
        "{x0},{y0}–{x1},{y1}"
    );
}

/// Like [`changed`], counting only clear changes (more than 16 levels) where the plain
/// picture is flat around the pixel: two windows may scale the picture a little differently
/// (the first pictures arrive at native size, later ones at display size), which moves edges
/// by a level or two but never paints letters on a flat bar.
fn marked_on_flat(plain: &RgbaImage, marked: &RgbaImage) -> Option<((u32, u32, u32, u32), usize)> {
    assert_eq!((plain.width, plain.height), (marked.width, marked.height));
    let flat = |x: u32, y: u32| {
        let mut lo = [255u8; 3];
        let mut hi = [0u8; 3];
        for yy in y.saturating_sub(2)..(y + 3).min(plain.height) {
            for xx in x.saturating_sub(2)..(x + 3).min(plain.width) {
                let p = plain.pixel(xx, yy).unwrap_or_default();
                for c in 0..3 {
                    lo[c] = lo[c].min(p[c]);
                    hi[c] = hi[c].max(p[c]);
                }
            }
        }
        (0..3).all(|c| hi[c] - lo[c] <= 8)
    };
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    let mut n = 0;
    for y in 0..plain.height {
        for x in 0..plain.width {
            let (a, b) = (plain.pixel(x, y)?, marked.pixel(x, y)?);
            if (0..3).any(|c| a[c].abs_diff(b[c]) > 16) && flat(x, y) {
                n += 1;
                let (x0, y0, x1, y1) = bbox.unwrap_or((x, y, x, y));
                bbox = Some((x0.min(x), y0.min(y), x1.max(x), y1.max(y)));
            }
        }
    }
    bbox.map(|b| (b, n))
}

/// The window's screenshot of `FRAME` and where the picture sits in it.
fn window_shot(config: &Path, shot: &Path) -> (RgbaImage, (u32, u32, u32, u32)) {
    let mut window = Command::new(env!("CARGO_BIN_EXE_earmark"));
    window
        .arg(fixture(FILE))
        .args(["--frame", &FRAME.to_string()])
        .env("XDG_CONFIG_HOME", config)
        .env("XDG_DATA_HOME", config.join("data"));
    let shot = shot::take(window, shot);
    (shot.image, shot.picture)
}

#[test]
fn the_window_draws_the_watermark_over_the_picture() {
    let dir = tempfile::tempdir().expect("tempdir");
    let on = config_with(&dir.path().join("on"), "reviewer = \"Jo Window\"\n");
    let off = config_with(
        &dir.path().join("off"),
        "reviewer = \"Jo Window\"\n[watermark]\nenabled = false\n",
    );
    let shot_on = dir.path().join("on.png");
    let (marked, rect) = window_shot(&on, &shot_on);
    let (plain, rect_off) = window_shot(&off, &dir.path().join("off.png"));
    if let Ok(keep) = std::env::var("EARMARK_KEEP_WATERMARK_SHOT") {
        std::fs::copy(&shot_on, keep).expect("copy screenshot");
    }
    assert_eq!(rect, rect_off, "the same picture area both times");
    let (marked, plain) = (crop(&marked, rect), crop(&plain, rect));
    // The frame code, in the top quarter, is untouched by the mark.
    assert_eq!(read_code(&marked), FRAME);
    assert_eq!(read_code(&plain), FRAME);
    let (w, h) = (plain.width, plain.height);
    let ((x0, y0, x1, y1), n) =
        marked_on_flat(&plain, &marked).expect("the window shows a watermark");
    assert!(n > 500, "{n} pixels");
    // Near the centre, where the drift starts, and clear of the frame code.
    assert!(y0 > h / 4, "{x0},{y0}–{x1},{y1} in {w}x{h}");
    assert!(x0 < w / 2 && x1 > w / 2, "{x0},{y0}–{x1},{y1} in {w}x{h}");
    assert!(y1 - y0 < h / 6, "{x0},{y0}–{x1},{y1} in {w}x{h}");
}

/// A still of `FRAME` with `reviewer` in the settings, and what the command said on stderr.
fn still_named(dir: &Path, tag: &str, reviewer: &str) -> (RgbaImage, String) {
    let config = config_with(&dir.join(tag), &format!("reviewer = {reviewer:?}\n"));
    let out = dir.join(format!("{tag}.png"));
    let o = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg("still")
        .arg(fixture(FILE))
        .args(["--frame", &FRAME.to_string(), "-o"])
        .arg(&out)
        .env("XDG_CONFIG_HOME", &config)
        .output()
        .expect("binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (
        load_png(&out),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Stills whose watermark date could differ (taken across a minute's turn) are taken again.
fn same_minute_pair(
    dir: &Path,
    a: (&str, &str),
    b: (&str, &str),
) -> ((RgbaImage, String), (RgbaImage, String)) {
    for attempt in 0..3 {
        let minute = || earmark::video::now_unix_s() / 60;
        let before = minute();
        let first = still_named(dir, &format!("{}{attempt}", a.0), a.1);
        let second = still_named(dir, &format!("{}{attempt}", b.0), b.1);
        if minute() == before {
            return (first, second);
        }
    }
    panic!("the clock kept crossing minutes");
}

/// Issue 22: names in Korean, Japanese and Hebrew are drawn (with the fonts the set-up
/// installs), so two Korean reviewers get two different marks — before, both were a row of
/// identical boxes. A name in a script that needs letter shaping (Arabic) is shown by the
/// viewer's code, and the command says so.
#[test]
fn names_in_every_script_give_their_own_watermark() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plain = plain_frame();
    let ((kim, kim_err), (park, _)) =
        same_minute_pair(dir.path(), ("kim", "김지우 감독"), ("park", "박서준 기사"));
    assert!(!kim_err.contains("watermark shows"), "{kim_err}");
    let (kim_box, _) = changed(&plain, &kim).expect("김지우 감독 is watermarked");
    let (park_box, _) = changed(&plain, &park).expect("박서준 기사 is watermarked");
    let (_, differ) = changed(&kim, &park).expect("two Korean names, two different watermarks");
    assert!(
        differ > 200,
        "only {differ} pixels tell the two names apart"
    );
    // Drawn as letters, not replaced by the code: the name's own mark is not the code's.
    let code = WatermarkSpec::new(&Default::default(), "김지우 감독", None, String::new())
        .expect("on")
        .viewer_code();
    let ((kim_again, _), (as_code, _)) =
        same_minute_pair(dir.path(), ("kim2", "김지우 감독"), ("code", &code));
    assert_ne!(
        kim_again, as_code,
        "the Korean name was replaced by its code"
    );
    // Hangul syllables are about as tall as the date line's letters: both lines fit the box
    // the Latin mark takes (the text is sized from the same em).
    for (x0, y0, x1, y1) in [kim_box, park_box] {
        assert!(y1 - y0 < plain.height / 6, "{x0},{y0}–{x1},{y1}");
    }

    let ((yuki, yuki_err), (dana, dana_err)) =
        same_minute_pair(dir.path(), ("yuki", "山田 由紀"), ("dana", "דנה כהן"));
    for err in [&yuki_err, &dana_err] {
        assert!(!err.contains("watermark shows"), "{err}");
    }
    assert!(changed(&plain, &yuki).is_some() && changed(&plain, &dana).is_some());
    assert!(changed(&yuki, &dana).is_some());

    // Arabic needs joined letters: the code stands in, identical to a mark of the code itself.
    let sara = "سارا أحمد";
    let code = WatermarkSpec::new(&Default::default(), sara, None, String::new())
        .expect("on")
        .viewer_code();
    let ((arabic, said), (coded, _)) =
        same_minute_pair(dir.path(), ("sara", sara), ("sara-code", &code));
    assert!(
        said.contains(&format!("watermark shows \"{code}\" for {sara}")) && said.contains("Arabic"),
        "{said}"
    );
    assert_eq!(arabic, coded, "the Arabic name is shown as its code");
}
