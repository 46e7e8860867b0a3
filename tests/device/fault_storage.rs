//! Fault injection through the real binary, for what Earmark keeps on disk: the disk filling
//! up while the reviewer types notes (kept in memory, the reviewer told, saved when space
//! returns — nothing lost), a read-only config folder (Earmark starts, says settings cannot be
//! saved, keeps the change for the session) and a damaged settings file (set aside as
//! `settings.toml.corrupt`, defaults used, the user told on stderr and in the window).
//!
//! A full disk and a read-only folder are real: a small tmpfs mounted over the test's own
//! data or config folder (as root, chmod stops no write, so a read-only mount is used). A
//! machine where nothing can be mounted skips those cases loudly, saying why. Needs the test
//! environment (`scripts/with-test-env.sh`), `xdotool` and the ffmpeg CLI.

use crate::run;

use earmark::notes::NoteStore;
use run::{Home, Mount, Running, assert_no_panic, exclusive, fill_disk, line_with, review_file};
use std::process::Command;
use std::time::{Duration, Instant};

const DEVICE: &str = "Review";

fn xdotool(args: &[&str]) -> String {
    let out = Command::new("xdotool")
        .args(args)
        .output()
        .expect("this test needs xdotool (scripts/install-deps.sh test) and an X server");
    assert!(out.status.success(), "xdotool {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The id of the visible window whose title holds `name` (the file under review); fails with
/// what `app` said if none shows within 30 s.
fn find_window(name: &str, app: &Running) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = Command::new("xdotool")
            .args(["search", "--onlyvisible", "--name", name])
            .output()
            .expect("this test needs xdotool (scripts/install-deps.sh test)");
        if let Some(id) = String::from_utf8_lossy(&out.stdout).lines().next() {
            return id.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no Earmark window for {name} within 30 s; it said:\n{}",
            app.stderr()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Mounts a tmpfs, or says loudly why this case cannot run here and returns `None`.
fn mount_or_skip(case: &str, at: &std::path::Path, size: &str) -> Option<Mount> {
    match Mount::tmpfs(at, size) {
        Ok(m) => Some(m),
        Err(why) => {
            let line = format!("SKIPPED {case}: cannot get a small filesystem ({why})");
            println!("{line}");
            eprintln!("{line}");
            None
        }
    }
}

#[test]
fn notes_typed_on_a_full_disk_are_kept_told_and_saved_when_space_returns() {
    let _mount = exclusive();
    let home = Home::new();
    // A named reviewer: the first note does not stop to ask who is reviewing.
    std::fs::create_dir_all(home.settings_file().parent().expect("folder")).expect("mkdir");
    std::fs::write(home.settings_file(), "reviewer = \"Ann\"\n").expect("settings");
    let file = review_file(home.dir.path(), "fullDiskReview.mov", 10, true);
    // The data folder (notes, access log) on a disk of 512 KiB.
    let Some(disk) = mount_or_skip("full disk", &home.data, "512k") else {
        return;
    };
    let mut c = home.earmark();
    c.arg(&file).args(["--device", DEVICE]);
    let mut app = Running::spawn(c);
    let window = find_window("fullDiskReview", &app);
    // The notes store is open (folder, label written) once the window is up and settled.
    std::thread::sleep(Duration::from_millis(1000));
    let filler = fill_disk(&disk.at);

    let typed = "Dialogue low under the music";
    xdotool(&["windowfocus", "--sync", &window]);
    xdotool(&["key", "--window", &window, "m"]);
    std::thread::sleep(Duration::from_millis(400));
    xdotool(&["type", "--delay", "30", typed]);
    let told = app.wait_line("not-saved notice", Duration::from_secs(10), |l| {
        l.starts_with("notice: notes: ") && l.contains("not saved yet")
    });
    println!("told: {told}");
    assert!(
        told.contains("kept in memory and retried every 2 s")
            && told.contains("disk is full")
            && told.contains("notes database"),
        "the notice says what, why and where: {told}"
    );
    // Still full a moment later: still told, nothing claimed saved.
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        !app.stderr().contains("notice: notes: all saved"),
        "claimed saved on a full disk:\n{}",
        app.stderr()
    );

    std::fs::remove_file(&filler).expect("free the disk");
    let saved = app.wait_line("saved once space returned", Duration::from_secs(6), |l| {
        l == "notice: notes: all saved"
    });
    println!("then: {saved}");
    let stderr = app.kill();
    assert!(!stderr.contains("panicked"), "{stderr}");

    let opened = NoteStore::open(&home.notes_root(), &file).expect("open the notes store");
    assert!(opened.problems.is_empty(), "{:?}", opened.problems);
    let notes: Vec<_> = opened.notes.iter().collect();
    assert_eq!(notes.len(), 1, "one note: {notes:?}");
    assert_eq!(
        notes[0].text, typed,
        "every character typed on the full disk"
    );
    drop(disk);
}

#[test]
fn a_read_only_config_folder_is_told_and_the_session_goes_on() {
    let _mount = exclusive();
    let home = Home::new();
    let file = review_file(home.dir.path(), "ro.mov", 2, true);
    let Some(config) = mount_or_skip("read-only config", &home.config, "256k") else {
        return;
    };
    std::fs::create_dir_all(home.settings_file().parent().expect("folder")).expect("mkdir");
    std::fs::write(home.settings_file(), "reviewer = \"Ann\"\n").expect("settings");
    config.read_only();
    assert!(
        std::fs::write(home.config.join("probe"), b"x").is_err(),
        "the config folder must refuse writes, even to root"
    );

    // The window opens the file (which it would remember in the settings) and closes.
    let mut c = home.earmark();
    c.arg(&file)
        .args(["--goto", "#0", "--exit", "--device", DEVICE]);
    let f = run::run(c, Duration::from_secs(45));
    assert_no_panic("window, read-only config", &f);
    assert!(f.status.success(), "exit {:?}:\n{}", f.status, f.stderr);
    let told = line_with(
        &f.stderr,
        "notice: banner: ",
        &[
            "settings cannot be saved",
            "kept until earmark closes",
            "settings.toml",
        ],
    );
    println!("window: {told}");

    // Headless, a new A/V offset cannot be remembered but is used for this run.
    let mut c = home.earmark();
    c.arg(&file).args([
        "--play-for",
        "0.5",
        "--exit",
        "--device",
        DEVICE,
        "--av-offset",
        "40",
    ]);
    let f = run::run(c, Duration::from_secs(30));
    assert_no_panic("headless, read-only config", &f);
    assert!(f.status.success(), "exit {:?}:\n{}", f.status, f.stderr);
    let told = line_with(
        &f.stderr,
        "earmark: ",
        &["settings cannot be saved", "settings.toml"],
    );
    println!("headless: {told}");
    line_with(&f.stderr, "A/V offset for Review: +40 ms", &[]);
    assert_eq!(
        std::fs::read_to_string(home.settings_file()).expect("still there"),
        "reviewer = \"Ann\"\n",
        "the settings file is untouched"
    );
    drop(config);
}

#[test]
fn a_damaged_settings_file_is_set_aside_and_defaults_used() {
    let _device = crate::run::exclusive();
    let home = Home::new();
    let file = review_file(home.dir.path(), "settings.mov", 2, true);
    let settings = home.settings_file();
    std::fs::create_dir_all(settings.parent().expect("folder")).expect("mkdir");
    let damaged = b"output_device = \"Review\nrecent_files = [[[ \xff\xfe";
    let aside = settings.with_file_name("settings.toml.corrupt");

    // The window: told on stderr at start and in its banner.
    std::fs::write(&settings, damaged).expect("write");
    let mut c = home.earmark();
    c.arg(&file)
        .args(["--goto", "#0", "--exit", "--device", DEVICE]);
    let f = run::run(c, Duration::from_secs(45));
    assert_no_panic("window, damaged settings", &f);
    assert!(f.status.success(), "exit {:?}:\n{}", f.status, f.stderr);
    for prefix in ["earmark: ", "notice: banner: "] {
        let told = line_with(
            &f.stderr,
            prefix,
            &[
                "settings file was damaged",
                "default settings",
                "settings.toml.corrupt",
            ],
        );
        println!("window: {told}");
    }
    assert_eq!(std::fs::read(&aside).expect("kept aside"), damaged);
    // Settings saved afterwards are whole again (the window remembered the file).
    let now = std::fs::read_to_string(&settings).expect("saved again");
    let parsed: toml::Table = toml::from_str(&now).expect("a valid settings file");
    assert!(parsed.contains_key("recent_files"), "{now}");

    // Headless, with text that parses as no settings file: a second copy is kept beside.
    std::fs::write(&settings, "window = 12\n").expect("write");
    let mut c = home.earmark();
    c.arg(&file)
        .args(["--play-for", "0.3", "--exit", "--device", DEVICE]);
    let f = run::run(c, Duration::from_secs(30));
    assert_no_panic("headless, damaged settings", &f);
    assert!(f.status.success(), "exit {:?}:\n{}", f.status, f.stderr);
    let told = line_with(
        &f.stderr,
        "earmark: ",
        &["settings file was damaged", "settings.toml.corrupt.2"],
    );
    println!("headless: {told}");
    assert_eq!(
        std::fs::read_to_string(settings.with_file_name("settings.toml.corrupt.2"))
            .expect("second copy"),
        "window = 12\n"
    );
    assert_eq!(std::fs::read(&aside).expect("first copy kept"), damaged);
}
