//! Every file shape opens in the real window (under the Xvfb of `make test`): picture only,
//! sound only (a 5.1 WAV, an M4A), and movies whose sound is 5.1 AAC or split-mono PCM — each
//! shows its frame, and a scripted play says what sound played. A sound chosen for a file in
//! Settings is remembered by the file's content: the next window on that file (or a renamed
//! copy) plays it.

use crate::common;
use crate::shot;

use common::layout_fixture as layout;
use std::path::Path;
use std::process::{Command, Stdio};

/// The binary with a private config/data/cache home.
fn window(home: &Path, file: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_earmark"));
    c.arg(file)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .stdin(Stdio::null());
    c
}

#[test]
fn movies_of_every_sound_layout_open_with_their_picture() {
    let _device = crate::run::shared();
    let home = tempfile::tempdir().expect("temp dir");
    for name in [
        "picture_only.mov",
        "surround51_aac.mov",
        "split_mono_pcm.mov",
    ] {
        let mut w = window(home.path(), &layout(name));
        w.args(["--goto", "01:00:01:00"]);
        let s = shot::take(w, &home.path().join(format!("{name}.png")));
        let (_, _, pw, ph) = s.picture;
        assert!(pw > 300 && ph > 150, "{name}: picture area {pw}x{ph}");
        assert!(
            !s.log.contains("Could not open"),
            "{name} did not open: {}",
            s.log
        );
    }
}

#[test]
fn sound_only_files_open_in_the_window() {
    let _device = crate::run::shared();
    let home = tempfile::tempdir().expect("temp dir");
    for name in ["surround51.wav", "sound_only.m4a"] {
        let _turn = shot::one_window();
        let png = home.path().join(format!("{name}.png"));
        let out = window(home.path(), &layout(name))
            .args(["--goto", "00:00:01:00", "--screenshot"])
            .arg(&png)
            .arg("--exit")
            .output()
            .expect("runs");
        let log = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {log}");
        assert!(log.contains("goto: frame 25"), "{name}: {log}");
        assert!(png.exists(), "{name}: no screenshot: {log}");
    }
}

/// Runs a scripted window play of `file` and returns what it said it played.
fn played_sound(home: &Path, file: &Path) -> String {
    let _turn = shot::one_window();
    let out = window(home, file)
        .args(["--goto", "01:00:01:00", "--play-for", "1", "--exit"])
        .output()
        .expect("runs");
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{}: {log}", file.display());
    log.lines()
        .find_map(|l| l.strip_prefix("sound: "))
        .unwrap_or_else(|| panic!("no sound line: {log}"))
        .to_owned()
}

#[test]
fn the_window_says_what_plays_and_remembers_the_choice_per_file() {
    let _device = crate::run::shared();
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    std::fs::create_dir_all(h.join("config/earmark")).expect("config");
    let media = h.join("ep1.mov");
    std::fs::copy(layout("stereo_me.mov"), &media).expect("copy");
    // Earmark's pick: the stereo mix, not the M&E.
    assert_eq!(
        played_sound(h, &media),
        "Track 1 of 2 (Stereo mix) · stereo"
    );
    // The choice made in Settings, as saved there (by the file's content).
    let key = earmark::persist::content_key(&media).expect("key");
    std::fs::write(
        h.join("config/earmark/settings.toml"),
        format!("[sound]\n\"{key}\" = \"2\"\n"),
    )
    .expect("settings");
    assert_eq!(played_sound(h, &media), "Track 2 of 2 (M&E) · stereo");
    // A renamed copy is the same content.
    let renamed = h.join("ep1 (copy).mov");
    std::fs::rename(&media, &renamed).expect("rename");
    assert_eq!(played_sound(h, &renamed), "Track 2 of 2 (M&E) · stereo");
    // A 5.1 remembered as Lt/Rt.
    let surround = layout("surround51_aac.mov");
    let key = earmark::persist::content_key(&surround).expect("key");
    std::fs::write(
        h.join("config/earmark/settings.toml"),
        format!("[sound]\n\"{key}\" = \"auto;ltrt\"\n"),
    )
    .expect("settings");
    assert_eq!(
        played_sound(h, &surround),
        "Track 1 of 1 · 5.1 folded to stereo, Lt/Rt (matrix surround)"
    );
}
