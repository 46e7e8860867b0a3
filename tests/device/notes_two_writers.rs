//! Two writers of one review's notes, as a user meets them: the real window open (paused, so
//! it draws nothing unless something happens) while `earmark notes import` adds notes from
//! another process. The window must show the import within a second, without a restart, and a
//! note typed in the window afterwards must sit beside the imported ones for the command line.
//! Needs `xdotool` and the test environment (`make test`).

use crate::common::PrivateSink;
use crate::run::{Home, Running, review_file, shared};
use std::process::Command;
use std::time::{Duration, Instant};

fn xdotool(args: &[&str]) {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("this test needs xdotool (scripts/install-deps.sh test) and an X server");
    assert!(out.status.success(), "xdotool {args:?}: {out:?}");
}

fn window(name: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", name])
            .output()
            .expect("xdotool");
        if let Some(id) = String::from_utf8_lossy(&out.stdout).lines().next() {
            return id.to_owned();
        }
        assert!(Instant::now() < deadline, "no Earmark window for {name}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn an_import_shows_in_the_open_window_within_a_second_and_both_sets_are_kept() {
    let _machine = shared();
    let sink = PrivateSink::plug();
    let home = Home::new();
    std::fs::create_dir_all(home.settings_file().parent().expect("folder")).expect("mkdir");
    std::fs::write(home.settings_file(), "reviewer = \"Ann\"\n").expect("settings");
    let file = review_file(home.dir.path(), "twoWriters.mov", 4, true);
    let mut c = home.earmark();
    c.arg(&file).args(["--device", &sink.description]);
    let mut app = Running::spawn(c);
    let id = window("twoWriters");
    // Let the window settle into idling (paused, nothing to draw).
    std::thread::sleep(Duration::from_millis(1500));

    let mut csv = String::from("timecode,last_timecode,category,author,text\n");
    for i in 0..200 {
        csv.push_str(&format!(
            "01:00:0{}:{:02},,music,Łucja,imported {i}\n",
            i / 25 % 4,
            i % 25
        ));
    }
    let csv_path = home.dir.path().join("in.csv");
    std::fs::write(&csv_path, csv).expect("csv");
    let out = home
        .earmark()
        .args(["notes", "import"])
        .arg(&file)
        .arg(&csv_path)
        .output()
        .expect("import");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let imported = Instant::now();
    let seen = app.wait_line(
        "the window taking in the import",
        Duration::from_secs(1),
        |l| l.starts_with("notice: notes: 200 notes, changed elsewhere"),
    );
    println!(
        "{seen} ({} ms after the import ended)",
        imported.elapsed().as_millis()
    );

    // A note typed in the window now goes beside them.
    xdotool(&["windowfocus", "--sync", &id]);
    xdotool(&["key", "--window", &id, "m"]);
    std::thread::sleep(Duration::from_millis(400));
    xdotool(&["type", "--delay", "20", "typed in the window"]);
    xdotool(&["key", "--window", &id, "Return"]);
    std::thread::sleep(Duration::from_millis(500));
    let stderr = app.kill();
    assert!(!stderr.contains("panicked"), "{stderr}");

    let listed = home
        .earmark()
        .args(["notes", "list", "--json"])
        .arg(&file)
        .output()
        .expect("list");
    assert!(listed.status.success());
    let notes: serde_json::Value = serde_json::from_slice(&listed.stdout).expect("JSON");
    let notes = notes.as_array().expect("array");
    assert_eq!(notes.len(), 201, "200 imported and 1 typed");
    assert!(
        notes
            .iter()
            .any(|n| n["text"] == "typed in the window" && n["author"] == "Ann"),
        "the typed note, signed"
    );
}
