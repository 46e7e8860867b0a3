//! "Review complete" and the access log in the real review window, driven through egui_kittest
//! (AccessKit): File → Review complete… exports the report and the notes next to the media,
//! shows what will be deleted and kept, and on "Delete" closes the file, deletes it and its
//! loudness cache entry, and says it is verified gone; the notes, the exports and the access
//! log (open, export, close, delete, in that order, with the file's SHA-256) stay. Keeping the
//! file instead deletes nothing, and closing the window then reminds the reviewer of it.
//!
//! The window, the exports and the log all use the user's folders, so the test re-runs itself
//! as a child process with XDG_CONFIG_HOME / XDG_DATA_HOME / XDG_CACHE_HOME in a temporary
//! folder (setting them in-process would be `unsafe` and would race the other tests).

use crate::common;

use common::fixture;
use earmark::notes::NoteStore;
use earmark::player::PlayerOptions;
use earmark::review::ReviewSetup;
use earmark::security::{AccessEvent, Dirs, read_log};
use earmark::settings::Settings;
use earmark::ui::ReviewApp;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const CHILD: &str = "EARMARK_REVIEW_WINDOW_CHILD";

/// Runs test `name` again in a child with the user's folders under a temporary folder.
fn in_child(name: &str) -> bool {
    if std::env::var_os(CHILD).is_some() {
        return false;
    }
    let home = tempfile::tempdir().expect("tempdir");
    // Test names carry their module's path in the one test binary.
    let full = format!(
        "{}::{name}",
        module_path!().split_once("::").map_or("", |m| m.1)
    );
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", &full, "--nocapture", "--test-threads", "1"])
        .env(CHILD, home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .output()
        .expect("child runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child failed:\n{text}");
    assert!(text.contains("1 passed"), "child ran no test:\n{text}");
    true
}

fn until(
    h: &mut Harness<'_, ReviewApp>,
    what: &str,
    done: impl Fn(&Harness<'_, ReviewApp>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        h.step();
        if done(h) {
            return;
        }
        if Instant::now() >= deadline {
            let texts = std::cell::RefCell::new(Vec::new());
            let _ = h
                .query_all_by(|n| {
                    if let Some(v) = n.value().or(n.label()) {
                        texts.borrow_mut().push(v.to_string());
                    }
                    false
                })
                .count();
            panic!(
                "timed out waiting for {what}; on screen: {:?}",
                texts.borrow()
            );
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn click(h: &mut Harness<'_, ReviewApp>, label: &str) {
    until(h, label, |h| h.query_by_label(label).is_some());
    h.get_by_label(label).click();
    h.step();
    h.step();
}

fn has_text(h: &Harness<'_, ReviewApp>, text: &str) -> bool {
    h.query_all_by(|n| {
        n.label().is_some_and(|l| l.contains(text)) || n.value().is_some_and(|v| v.contains(text))
    })
    .next()
    .is_some()
}

fn harness(media: &Path) -> Harness<'static, ReviewApp> {
    let media = media.to_path_buf();
    Harness::builder()
        .with_size(egui::vec2(1320.0, 1000.0))
        .build_eframe(move |cc| {
            ReviewApp::new(
                &cc.egui_ctx,
                ReviewSetup {
                    file: Some(media),
                    player: PlayerOptions {
                        no_audio: true,
                        ..PlayerOptions::default()
                    },
                    settings: Settings {
                        reviewer: "Sam Okafor".into(),
                        ..Settings::default()
                    },
                    settings_path: Settings::path().ok(),
                    notes_root: NoteStore::default_root(),
                    ..ReviewSetup::default()
                },
            )
        })
}

#[test]
fn review_complete_exports_deletes_and_logs() {
    if in_child("review_complete_exports_deletes_and_logs") {
        return;
    }
    let home = PathBuf::from(std::env::var_os(CHILD).expect("child"));
    let folder = home.join("review");
    std::fs::create_dir_all(&folder).expect("folder");
    let media = folder.join("ep101 mix.mov");
    std::fs::copy(fixture("f24_720_g12_nob.mov"), &media).expect("copy");
    let sha = earmark::security::sha256_of(&media).expect("hash");

    let mut h = harness(&media);
    until(&mut h, "the first picture", |h| {
        h.state().frame_on_screen().is_some()
    });
    click(&mut h, "File");
    click(&mut h, "Review complete…");
    assert!(has_text(&h, "Review report (HTML)"));
    click(&mut h, "Export and continue…");
    until(&mut h, "the deletion plan", |h| {
        has_text(h, "Will be deleted:")
    });
    let report = folder.join("ep101 mix review.html");
    let csv = folder.join("ep101 mix notes.csv");
    assert!(report.is_file(), "report not exported");
    assert!(csv.is_file(), "notes CSV not exported");
    assert!(
        has_text(&h, "does not erase"),
        "the SSD warning is not shown"
    );
    assert!(media.exists(), "deleted before the reviewer said so");

    click(&mut h, "Delete ep101 mix.mov");
    until(&mut h, "the verdict", |h| {
        has_text(h, "is deleted and verified gone")
    });
    assert!(h.state().session().is_none(), "the file is still open");
    assert!(!media.exists(), "the media is still there");
    assert!(report.is_file() && csv.is_file(), "an export was deleted");

    // The log: open, the exports, close, delete, with the hash.
    let dirs = Dirs::system().expect("dirs");
    let log = read_log(&dirs.access_log()).expect("log");
    assert!(log.problems.is_empty(), "{:?}", log.problems);
    let ours: Vec<_> = log
        .entries
        .iter()
        .filter(|e| e.file_name == "ep101 mix.mov")
        .collect();
    let events: Vec<AccessEvent> = ours.iter().map(|e| e.event).collect();
    let pos = |ev: AccessEvent| {
        events
            .iter()
            .position(|e| *e == ev)
            .unwrap_or_else(|| panic!("no {ev:?} in {events:?}"))
    };
    assert!(
        pos(AccessEvent::Open) < pos(AccessEvent::Export),
        "{events:?}"
    );
    assert!(
        pos(AccessEvent::Close) < pos(AccessEvent::Delete),
        "{events:?}"
    );
    let delete = ours[pos(AccessEvent::Delete)];
    assert_eq!(delete.sha256.as_deref(), Some(sha.as_str()));
    assert!(ours.iter().all(|e| e.reviewer == "Sam Okafor"), "{ours:?}");

    // The access log window shows it.
    click(&mut h, "View");
    click(&mut h, "Access log…");
    assert!(
        has_text(&h, "delete"),
        "the access log window lists no delete"
    );
    assert!(has_text(&h, &sha[..16]), "the hash is not shown");
}

#[test]
fn keeping_the_file_deletes_nothing() {
    if in_child("keeping_the_file_deletes_nothing") {
        return;
    }
    let home = PathBuf::from(std::env::var_os(CHILD).expect("child"));
    let media = home.join("keep.mov");
    std::fs::copy(fixture("f24_720_g12_nob.mov"), &media).expect("copy");
    let mut h = harness(&media);
    until(&mut h, "the first picture", |h| {
        h.state().frame_on_screen().is_some()
    });
    click(&mut h, "File");
    click(&mut h, "Review complete…");
    // Nothing ticked: no exports, straight to the plan.
    click(&mut h, "Review report (HTML)");
    click(&mut h, "Notes as CSV");
    click(&mut h, "Export and continue…");
    until(&mut h, "the deletion plan", |h| {
        has_text(h, "Will be deleted:")
    });
    click(&mut h, "Keep the file for now");
    assert!(media.exists());
    assert!(h.state().session().is_some(), "the file was closed");
    assert!(
        earmark::security::completed_review(&media).is_some(),
        "the review is not marked complete (the close reminder needs it)"
    );

    // Closing the window with the completed review's file still here: a reminder, not a quit.
    h.input_mut()
        .viewports
        .entry(egui::ViewportId::ROOT)
        .or_default()
        .events
        .push(egui::ViewportEvent::Close);
    until(&mut h, "the close reminder", |h| {
        has_text(
            h,
            "is marked complete, but the file is still on this computer",
        )
    });
    assert!(media.exists());
    click(&mut h, "Keep it and quit");
    assert!(
        !has_text(&h, "is marked complete, but the file is still"),
        "the reminder stays after the choice"
    );
    assert!(media.exists(), "keeping it deleted it");
}

#[test]
fn watermark_settings_apply_at_once_and_are_remembered() {
    if in_child("watermark_settings_apply_at_once_and_are_remembered") {
        return;
    }
    let home = PathBuf::from(std::env::var_os(CHILD).expect("child"));
    let media = home.join("ep102.mov");
    std::fs::copy(fixture("f24_720_g12_nob.mov"), &media).expect("copy");
    let mut h = harness(&media);
    until(&mut h, "the first picture", |h| {
        h.state().frame_on_screen().is_some()
    });
    assert!(
        h.state().watermark_shown(),
        "the watermark is on by default"
    );
    click(&mut h, "File");
    click(&mut h, "Settings…  (Ctrl+,)");
    h.get_by_label("E-mail").click();
    h.step();
    h.get_by_label("E-mail").type_text("sam@example.com");
    h.step();
    h.step();
    let saved = || {
        let path = Settings::path().expect("settings path");
        Settings::load_from(&path).expect("settings saved")
    };
    assert_eq!(saved().watermark.email, "sam@example.com");
    assert!(h.state().watermark_shown());
    click(&mut h, "Over the picture");
    assert!(!h.state().watermark_shown(), "turned off, still drawn");
    assert!(!saved().watermark.enabled, "turned off, not remembered");
    click(&mut h, "Over the picture");
    assert!(h.state().watermark_shown(), "turned on again, not drawn");
    assert!(saved().watermark.enabled);
}
