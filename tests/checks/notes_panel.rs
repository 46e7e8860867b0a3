//! The notes panel in the real review window, driven through egui_kittest (AccessKit): a note
//! added with M is signed with the reviewer's name from the settings, gets a category and is
//! marked done; the filter hides the others (from the list and from Up/Down); a deleted note
//! comes back with Ctrl+Z or the Undo link — same id, text and category — and every one of
//! those changes is in the notes store on disk, as the next launch would read it.

use crate::common;

use common::fixture;
use earmark::notes::{Category, NoteId, NoteStore, Status};
use earmark::player::{PlayerOptions, Transport};
use earmark::review::ReviewSetup;
use earmark::settings::Settings;
use earmark::ui::ReviewApp;
use eframe::egui::{self, Key, Modifiers};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// 1920x1080 23.976 fps, 300 frames from 01:00:00:00.
const FILE: &str = "f23976_1080_g48_b.mov";

fn harness(notes_root: PathBuf) -> Harness<'static, ReviewApp> {
    let settings = Settings {
        reviewer: "Sam Okafor".into(),
        ..Settings::default()
    };
    harness_with(notes_root, settings, None)
}

/// The window on [`FILE`] with `settings` (saved to `settings_path` when given).
fn harness_with(
    notes_root: PathBuf,
    settings: Settings,
    settings_path: Option<PathBuf>,
) -> Harness<'static, ReviewApp> {
    let path = fixture(FILE);
    Harness::builder()
        .with_size(egui::vec2(1280.0, 900.0))
        .build_eframe(move |cc| {
            ReviewApp::new(
                &cc.egui_ctx,
                ReviewSetup {
                    file: Some(path),
                    player: PlayerOptions {
                        no_audio: true,
                        ..PlayerOptions::default()
                    },
                    settings,
                    settings_path,
                    notes_root: Some(notes_root),
                    ..ReviewSetup::default()
                },
            )
        })
}

fn until(h: &mut Harness<'_, ReviewApp>, what: &str, done: impl Fn(&ReviewApp) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        h.step();
        if done(h.state()) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(3));
    }
}

fn shows(h: &mut Harness<'_, ReviewApp>, n: u64) {
    until(h, &format!("frame {n}"), |app| {
        app.frame_on_screen() == Some(n)
            && app
                .snapshot()
                .is_some_and(|s| s.frame.0 == n && s.transport == Transport::Paused)
    });
}

fn press(h: &mut Harness<'_, ReviewApp>, key: Key) {
    h.key_press(key);
    h.step();
}

fn click(h: &mut Harness<'_, ReviewApp>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    h.step();
}

/// Moves to `frame` with Right, adds a note with M and types `text` into its field.
fn add_note(h: &mut Harness<'_, ReviewApp>, from: u64, frame: u64, text: &str) {
    for _ in from..frame {
        press(h, Key::ArrowRight);
    }
    shows(h, frame);
    press(h, Key::M);
    h.step();
    // The new note's field has the keyboard: text goes straight to it.
    h.event(egui::Event::Text(text.to_owned()));
    h.step();
    press(h, Key::Escape);
}

/// (id, frame, text, category, status, author) of every note in the window.
type Row = (NoteId, u64, String, Category, Status, String);

fn in_window(h: &Harness<'_, ReviewApp>) -> Vec<Row> {
    h.state()
        .session()
        .expect("open")
        .review
        .notes()
        .iter()
        .map(|n| {
            (
                n.id,
                n.frame.0,
                n.text.clone(),
                n.category,
                n.status,
                n.author.clone(),
            )
        })
        .collect()
}

/// The same, as the next launch would read them from disk.
fn on_disk(root: &Path) -> Vec<Row> {
    let opened = NoteStore::open(root, &fixture(FILE)).expect("open store");
    opened
        .notes
        .iter()
        .map(|n| {
            (
                n.id,
                n.frame.0,
                n.text.clone(),
                n.category,
                n.status,
                n.author.clone(),
            )
        })
        .collect()
}

#[test]
fn category_done_filter_delete_and_undo() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("notes");
    let mut h = harness(root.clone());
    shows(&mut h, 0);

    add_note(&mut h, 0, 10, "boom hiss under the line");
    let notes = in_window(&h);
    assert_eq!(notes.len(), 1);
    let (first, frame, text, category, status, author) = notes[0].clone();
    assert_eq!(
        (frame, text.as_str(), category, status, author.as_str()),
        (
            10,
            "boom hiss under the line",
            Category::Other,
            Status::Open,
            "Sam Okafor"
        )
    );

    // Category from the row's picker, then done.
    click(&mut h, "Category of the note at 01:00:00:10");
    click(&mut h, "DX  Dialogue");
    click(&mut h, "Done: the note at 01:00:00:10");
    let notes = in_window(&h);
    assert_eq!(
        (notes[0].3, notes[0].4),
        (Category::Dialogue, Status::Addressed)
    );
    assert_eq!(on_disk(&root), notes, "category/status not saved");

    add_note(&mut h, 10, 20, "music swamps the dialogue");
    assert_eq!(in_window(&h).len(), 2);

    // Filter on dialogue: the music note leaves the list and Up/Down skip it.
    click(&mut h, "Filter by category");
    click(&mut h, "DX  Dialogue");
    assert!(
        h.query_by_label("1 / 2").is_some(),
        "count is not shown / total"
    );
    assert!(
        h.query_by_label("Category of the note at 01:00:00:20")
            .is_none(),
        "the filter let another category through"
    );
    assert!(
        h.query_by_label("Category of the note at 01:00:00:10")
            .is_some()
    );
    press(&mut h, Key::Home);
    shows(&mut h, 0);
    press(&mut h, Key::ArrowDown);
    shows(&mut h, 10);
    press(&mut h, Key::ArrowDown);
    h.run_steps(5);
    shows(&mut h, 10);
    // Status filter: open only hides the done dialogue note too.
    click(&mut h, "Filter by status");
    click(&mut h, "Open");
    assert!(h.query_by_label("No note matches the filter.").is_some());
    click(&mut h, "Filter by status");
    click(&mut h, "Open and done");
    click(&mut h, "Filter by category");
    click(&mut h, "All categories");
    assert!(h.query_by_label("2").is_some());

    // Delete, then Ctrl+Z: the same note, same id, back in the window and on disk.
    let before = in_window(&h);
    click(&mut h, "Delete the note at 01:00:00:10");
    assert_eq!(in_window(&h).len(), 1);
    assert_eq!(on_disk(&root).len(), 1, "deletion not saved");
    assert!(
        h.query_by_label("Deleted “boom hiss under the line”")
            .is_some()
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.step();
    h.step();
    assert_eq!(in_window(&h), before, "undo did not restore the same note");
    assert!(in_window(&h).iter().any(|n| n.0 == first));
    assert_eq!(on_disk(&root), before, "the restored note is not on disk");
    assert!(h.query_by_label("Undo").is_none());

    // While a note's text field has the keyboard, Ctrl+Z is the field's own undo.
    click(&mut h, "Delete the note at 01:00:00:10");
    assert_eq!(in_window(&h).len(), 1);
    h.get_by_role(egui::accesskit::Role::TextInput).focus();
    h.step();
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.step();
    h.step();
    // (The field may undo its own typing; that is egui's, and is saved like any edit.)
    assert!(
        in_window(&h).iter().all(|n| n.0 != first),
        "Ctrl+Z in a text field undid a delete"
    );
    press(&mut h, Key::Escape);
    // The Undo link does the same as Ctrl+Z.
    click(&mut h, "Undo");
    let now = in_window(&h);
    assert_eq!(now.first(), before.first(), "the link did not restore it");
    assert_eq!(on_disk(&root), now);
}

/// With no reviewer's name in the settings, the first note asks for one (it never did): the
/// note is pinned at once, the name typed signs it — in the window and on disk — and goes into
/// the settings file; the next note is signed without asking again.
#[test]
fn the_first_note_asks_for_the_reviewers_name_and_signs_with_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("notes");
    let settings_path = dir.path().join("settings.toml");
    let mut h = harness_with(root, Settings::default(), Some(settings_path.clone()));
    shows(&mut h, 0);
    press(&mut h, Key::M);
    h.step();
    h.get_by_label("Your name signs your notes and the review report.");
    assert_eq!(
        in_window(&h).len(),
        1,
        "the note is pinned before the name is given"
    );
    // The name field has the keyboard.
    h.step();
    h.event(egui::Event::Text("Ngozi Adé".into()));
    h.step();
    click(&mut h, "Use this name");
    until(&mut h, "the note signed", |app| {
        app.session()
            .is_some_and(|s| s.review.notes().iter().all(|n| n.author == "Ngozi Adé"))
    });
    assert!(h.query_by_label("Who is reviewing?").is_none());
    let saved = std::fs::read_to_string(&settings_path).expect("settings saved");
    assert!(saved.contains("Ngozi Adé"), "{saved}");
    add_note(&mut h, 0, 3, "second");
    assert!(
        h.query_by_label("Who is reviewing?").is_none(),
        "asked once"
    );
    let rows = in_window(&h);
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r.5 == "Ngozi Adé"), "{rows:?}");
    until(&mut h, "saved", |_| {
        on_disk(&dir.path().join("notes"))
            .iter()
            .filter(|r| r.5 == "Ngozi Adé")
            .count()
            == 2
    });
}
