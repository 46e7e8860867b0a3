//! The real window taking its own screenshot (`--screenshot FILE --exit`) under the Xvfb of
//! `make test`, and where its "screenshot:" line says the picture sits in it.

#![allow(dead_code)]

use crate::common::load_png;
use earmark::video::RgbaImage;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A finished screenshot run.
pub struct Shot {
    pub image: RgbaImage,
    /// Picture rectangle in pixels (x, y, width, height), as the window reported it.
    pub picture: (u32, u32, u32, u32),
    /// What the window printed on stderr.
    pub log: String,
}

/// One window at a time: on a two-core machine, windows painting side by side (in software)
/// would steal each other's frames.
static ONE_WINDOW: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// This test binary's turn to have a window open (held until the guard drops).
pub fn one_window() -> std::sync::MutexGuard<'static, ()> {
    ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner())
}

/// How long a window may take to show its frame, save the screenshot and quit.
const PATIENCE: Duration = Duration::from_secs(90);

/// Runs `window` (the binary with its file and options) with `--screenshot shot --exit`;
/// panics naming what went wrong when it fails, hangs or prints no picture area.
pub fn take(mut window: Command, shot: &Path) -> Shot {
    let _turn = one_window();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run through `make test` (scripts/with-test-env.sh starts Xvfb)"
    );
    let mut child = window
        .arg("--screenshot")
        .arg(shot)
        .arg("--exit")
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    // Read stderr as it comes, so a talkative window cannot block on a full pipe.
    let mut err = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut log = String::new();
        err.read_to_string(&mut log).ok();
        log
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > PATIENCE {
            child.kill().ok();
            child.wait().ok();
            let log = reader.join().unwrap_or_default();
            panic!(
                "window did not take its screenshot and quit within {} s:\n{log}",
                PATIENCE.as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let log = reader.join().unwrap_or_default();
    assert!(status.success(), "earmark exited with {status}: {log}");
    let line = log
        .lines()
        .find(|l| l.starts_with("screenshot:"))
        .unwrap_or_else(|| panic!("no screenshot line in: {log}"));
    let nums: Vec<u32> = line
        .split("picture at ")
        .nth(1)
        .unwrap_or_else(|| panic!("no picture area in {line}"))
        .trim_end_matches(" px)")
        .split([',', ' ', 'x'])
        .filter_map(|t| t.parse().ok())
        .collect();
    assert_eq!(nums.len(), 4, "picture area in {line}");
    Shot {
        image: load_png(shot),
        picture: (nums[0], nums[1], nums[2], nums[3]),
        log,
    }
}

/// The `(x, y, width, height)` part of `img`, clipped to the image.
pub fn crop(img: &RgbaImage, (x0, y0, w, h): (u32, u32, u32, u32)) -> RgbaImage {
    let (w, h) = (w.min(img.width - x0), h.min(img.height - y0));
    let mut pixels = Vec::with_capacity((w * h * 4) as usize);
    for y in y0..y0 + h {
        for x in x0..x0 + w {
            pixels.extend_from_slice(&img.pixel(x, y).expect("inside"));
        }
    }
    RgbaImage {
        width: w,
        height: h,
        pixels,
    }
}
