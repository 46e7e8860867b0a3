//! Notes in Korean, Japanese and Hebrew are readable in the real window on a machine set up by
//! `make test` (issue 22): the set-up installs Noto CJK and Noto core, the window finds them
//! through the system's font fallback, and right-to-left notes are shown in reading order.
//!
//! Pixels cannot say "readable" by themselves, so the test compares: two windows whose notes
//! are different texts of the same scripts and lengths must differ in each note's row. Without
//! a font every letter is the same empty box and the rows come out identical. The Hebrew note
//! must look exactly like its letters reversed and forced left to right, which is how it reads.

use crate::common::fixture;
use crate::shot;
use earmark::video::RgbaImage;
use std::path::Path;
use std::process::Command;

const FILE: &str = "f24_720_g12_nob.mov";

/// Notes at three frames, one per script (CSV as `notes import` reads it).
fn csv(korean: &str, japanese: &str, hebrew: &str) -> String {
    format!(
        "timecode,category,author,text\n\
         01:00:00:02,dialogue,김지우,{korean}\n\
         01:00:00:04,music,山田,{japanese}\n\
         01:00:00:06,mix-balance,דנה,{hebrew}\n"
    )
}

/// The window's screenshot with `notes` imported, in a home of its own.
fn window_with_notes(home: &Path, notes: &str, tag: &str) -> RgbaImage {
    let config = home.join("config");
    std::fs::create_dir_all(config.join("earmark")).expect("config dir");
    // No watermark: its clock would be the only other difference between two shots.
    std::fs::write(
        config.join("earmark/settings.toml"),
        "reviewer = \"QC\"\n[watermark]\nenabled = false\n",
    )
    .expect("settings");
    let input = home.join("notes.csv");
    std::fs::write(&input, notes).expect("notes");
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(env!("CARGO_BIN_EXE_earmark"))
            .args(args)
            .env("XDG_CONFIG_HOME", &config)
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .output()
            .expect("binary runs")
    };
    let media = fixture(FILE);
    let o = run(&[
        "notes".as_ref(),
        "import".as_ref(),
        media.as_os_str(),
        input.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut window = Command::new(env!("CARGO_BIN_EXE_earmark"));
    window
        .arg(&media)
        .args(["--frame", "0"])
        .env("XDG_CONFIG_HOME", &config)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"));
    let path = home.join(format!("{tag}.png"));
    let shot = shot::take(window, &path);
    if let Ok(keep) = std::env::var("EARMARK_KEEP_SCRIPTS_SHOT") {
        std::fs::copy(&path, format!("{keep}-{tag}.png")).expect("keep screenshot");
    }
    shot.image
}

/// Bands of rows (y0, y1) where the two images differ, gaps of up to 3 rows joined.
fn differing_bands(a: &RgbaImage, b: &RgbaImage) -> Vec<(u32, u32, usize)> {
    assert_eq!((a.width, a.height), (b.width, b.height));
    let mut bands: Vec<(u32, u32, usize)> = Vec::new();
    for y in 0..a.height {
        let n = (0..a.width)
            .filter(|&x| a.pixel(x, y) != b.pixel(x, y))
            .count();
        if n == 0 {
            continue;
        }
        match bands.last_mut() {
            Some(last) if y <= last.1 + 4 => {
                last.1 = y;
                last.2 += n;
            }
            _ => bands.push((y, y, n)),
        }
    }
    bands
}

#[test]
fn korean_japanese_and_hebrew_notes_are_drawn_as_letters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = window_with_notes(
        &dir.path().join("a"),
        &csv("대사가 음악에 묻힘", "音楽が早すぎる", "הדיאלוג נבלע"),
        "a",
    );
    // Same scripts, same number of letters, other letters.
    let second = window_with_notes(
        &dir.path().join("b"),
        &csv("효과음 너무 크다요", "台詞が聞こえない", "המוזיקה חזקה"),
        "b",
    );
    let bands = differing_bands(&first, &second);
    // Each note's text row differs (the authors are the same in both).
    let rows: Vec<_> = bands.iter().filter(|b| b.2 > 40).collect();
    assert!(
        rows.len() >= 3,
        "the notes' rows should differ letter by letter, got bands {bands:?}"
    );

    // Hebrew in reading order: the note as written must look exactly like its letters
    // reversed and forced left to right (U+202D … U+202C), which is how it reads. Shown in
    // stored order instead, the two rows would be mirror images.
    let reading: String = "הדיאלוג נבלע".chars().rev().collect();
    let forced = window_with_notes(
        &dir.path().join("c"),
        &csv(
            "대사가 음악에 묻힘",
            "音楽が早すぎる",
            &format!("\u{202D}{reading}\u{202C}"),
        ),
        "c",
    );
    let bands = differing_bands(&first, &forced);
    assert!(
        bands.is_empty(),
        "the Hebrew note is not in reading order: {bands:?}"
    );
}
