//! The real binary opens a real window (under the Xvfb that `make test` starts), shows the
//! requested frame and saves its own screenshot; the frame code is read back from that picture.

mod common;

use common::{fixture, load_png, read_code};
use earmark::video::RgbaImage;
use std::process::Command;
use std::time::{Duration, Instant};

/// Finds the picture inside the window: its left/right edges from a row through the colourful
/// lower part, its top from the always-white reference block of the frame code.
fn crop_picture(shot: &RgbaImage) -> RgbaImage {
    let bg = |p: [u8; 4]| p[0].abs_diff(12) < 8 && p[1].abs_diff(12) < 8 && p[2].abs_diff(12) < 8;
    let y_mid = shot.height * 45 / 100;
    let row: Vec<bool> = (0..shot.width)
        .map(|x| !bg(shot.pixel(x, y_mid).expect("in")))
        .collect();
    let x0 = row.iter().position(|&b| b).expect("picture visible") as u32;
    let x1 = row.iter().rposition(|&b| b).expect("picture visible") as u32 + 1;
    let w = x1 - x0;
    let h = w * 9 / 16;
    let ref_x = x0 + 12 * w / 16 + w / 32;
    let y0 = (0..shot.height)
        .find(|&y| shot.pixel(ref_x, y).expect("in")[0] > 200)
        .expect("white reference block");
    let mut pixels = Vec::with_capacity((w * h * 4) as usize);
    for y in y0..(y0 + h).min(shot.height) {
        for x in x0..x1 {
            pixels.extend_from_slice(&shot.pixel(x, y).expect("in"));
        }
    }
    RgbaImage {
        width: w,
        height: pixels.len() as u32 / 4 / w,
        pixels,
    }
}

#[test]
fn window_shows_the_requested_frame() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run through `make test` (scripts/with-test-env.sh starts Xvfb)"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let shot = dir.path().join("window.png");
    let file = fixture("f24_720_g12_nob.mov");
    let mut child = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg(&file)
        .args(["--frame", "77", "--screenshot"])
        .arg(&shot)
        .spawn()
        .expect("binary runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(90) {
            child.kill().ok();
            panic!("window did not take its screenshot and quit within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "earmark exited with {status}");
    let img = load_png(&shot);
    assert!(
        img.width >= 800 && img.height >= 500,
        "window is {}x{}",
        img.width,
        img.height
    );
    let picture = crop_picture(&img);
    assert_eq!(read_code(&picture), 77, "the window shows another frame");
    if let Ok(keep) = std::env::var("EARMARK_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).expect("copy screenshot");
    }
}
