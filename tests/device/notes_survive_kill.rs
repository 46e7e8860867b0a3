//! Notes are a reviewer's work and survive `kill -9`: the real window runs under the test
//! environment's X server, `xdotool` presses M (new note at the frame on screen) and types the
//! way a person does, the process is killed with SIGKILL while typing goes on, and the notes
//! store the window opens on its next launch (`NoteStore::open`, same data folder) must hold
//! the note with every character that was on screen before the last half second, at its frame.
//!
//! (The typed text is ASCII: xdotool cannot type other characters into a bare Xvfb keymap;
//! the store's own tests cover quotes, newlines and non-ASCII text.)
//!
//! Needs `xdotool` and the test environment (`make test`: scripts/install-deps.sh test,
//! scripts/with-test-env.sh).

use crate::common;

use common::tone_fixture;

use earmark::notes::NoteStore;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("this test needs xdotool (scripts/install-deps.sh test) and an X server");
    assert!(out.status.success(), "xdotool {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_note_typed_before_kill_9_is_there_after() {
    let _device = crate::run::exclusive();
    let home = tempfile::tempdir().expect("temp dir");
    let data = home.path().join("data");
    // A named reviewer: the first note does not stop to ask who is reviewing.
    let config = home.path().join("config/earmark");
    std::fs::create_dir_all(&config).expect("config folder");
    std::fs::write(config.join("settings.toml"), "reviewer = \"Ann\"\n").expect("settings");
    let mut app = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg(tone_fixture())
        .args(["--device", "Review"])
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .stderr(Stdio::null())
        .spawn()
        .expect("start earmark");
    // The window's title names the file once it is open for review.
    let deadline = Instant::now() + Duration::from_secs(30);
    let window = loop {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", "tone_1080p23976_62s"])
            .output()
            .expect("this test needs xdotool (scripts/install-deps.sh test)");
        if let Some(id) = String::from_utf8_lossy(&out.stdout).lines().next() {
            break id.to_owned();
        }
        assert!(Instant::now() < deadline, "no Earmark window appeared");
        std::thread::sleep(Duration::from_millis(100));
    };
    std::thread::sleep(Duration::from_millis(1000));
    xdotool(&["windowfocus", "--sync", &window]);
    xdotool(&["key", "--window", &window, "m"]);
    std::thread::sleep(Duration::from_millis(400));
    xdotool(&[
        "type",
        "--delay",
        "40",
        "Dialogue low at 01:00, \"check\" the mix",
    ]);
    // What was on screen for half a second is confirmed saved; then keep typing and kill.
    std::thread::sleep(Duration::from_millis(500));
    let mut typing = Command::new("xdotool")
        .args(["type", "--delay", "40", " and more words"])
        .spawn()
        .expect("xdotool type");
    std::thread::sleep(Duration::from_millis(250));
    app.kill().expect("SIGKILL earmark"); // std's kill() is SIGKILL on Unix
    app.wait().expect("reap");
    let _ = typing.wait();

    let opened = NoteStore::open(&data.join("earmark/notes"), &tone_fixture()).expect("open store");
    assert!(opened.problems.is_empty(), "{:?}", opened.problems);
    let notes: Vec<_> = opened.notes.iter().collect();
    assert_eq!(notes.len(), 1, "one note: {notes:?}");
    let text = &notes[0].text;
    println!("recovered after kill -9: {text:?}");
    assert!(
        text.starts_with("Dialogue low at 01:00, \"check\" the mix"),
        "the confirmed text survived: {text:?}"
    );
    // The first picture was on screen when M was pressed.
    assert_eq!(notes[0].frame.0, 0);
}
