//! The delivery check in the real review window, driven through egui_kittest (AccessKit): the
//! check starts when a file opens and the picture does not wait for it; the status bar badge and
//! the side panel section name the profile and the verdict; a failing file lists the failing
//! rule with its fix; picking another profile re-judges at once and is remembered in the
//! settings file; clicking the badge opens a folded section.

use crate::window_harness;

use crate::spec;

use earmark::analysis::SpecState;
use earmark::settings::Settings;
use earmark::ui::ReviewApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use spec::spec_fixture;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn harness(file: PathBuf, settings_path: &Path) -> Harness<'static, ReviewApp> {
    window_harness::review_window(file, settings_path)
}

fn until(
    h: &mut Harness<'_, ReviewApp>,
    what: &str,
    done: impl Fn(&mut Harness<'_, ReviewApp>) -> bool,
) {
    window_harness::until(h, what, Duration::from_secs(10), done);
}

fn checked(h: &mut Harness<'_, ReviewApp>) {
    until(h, "the delivery check", |h| {
        matches!(h.state().spec_state(), Some(SpecState::Done(_)))
    });
    h.step();
    h.step();
}

/// A widget whose name or text (AccessKit label or value) satisfies `pred`.
fn has_text(h: &Harness<'_, ReviewApp>, pred: impl Fn(&str) -> bool) -> bool {
    h.query_all_by(|n| n.label().is_some_and(|l| pred(&l)) || n.value().is_some_and(|v| pred(&v)))
        .next()
        .is_some()
}

fn has_label(h: &Harness<'_, ReviewApp>, text: &str) -> bool {
    has_text(h, |t| t == text)
}

fn has_label_containing(h: &Harness<'_, ReviewApp>, text: &str) -> bool {
    has_text(h, |t| t.contains(text))
}

#[test]
fn failing_file_shows_the_rule_and_its_fix_and_the_profile_can_change() {
    let dir = tempfile::tempdir().expect("tempdir");
    let settings = dir.path().join("settings.toml");
    // 1920x1080: too big for PIX Standard (1280x720), right for the Screening Room.
    let mut h = harness(spec_fixture("size_1920x1080.mov"), &settings);
    checked(&mut h);
    until(&mut h, "the failing badge", |h| {
        has_label_containing(h, "Spec PIX Standard: FAIL")
    });
    // Failing opens the section by itself: the rule, what was measured and the fix.
    assert!(has_label(&h, "frame-size"), "frame-size rule row missing");
    assert!(
        has_label_containing(&h, "1920x1080"),
        "measured size missing"
    );
    assert!(has_label_containing(&h, "Fix: "), "no fix shown");

    h.get_by_label("Profile").click();
    // The list opens on a later frame; how many depends on the machine's load.
    until(&mut h, "the profile list", |h| {
        has_label(h, "PIX Screening Room")
    });
    h.get_by_label("PIX Screening Room").click();
    until(&mut h, "the Screening Room verdict", |h| {
        has_label_containing(h, "Spec PIX Screening Room: ")
    });
    assert!(!has_label_containing(&h, "Spec PIX Standard"));
    let saved = Settings::load_from(&settings).expect("settings saved");
    assert_eq!(saved.spec_profile, "pix-screening-room");
}

#[test]
fn passing_file_folds_the_section_and_the_badge_opens_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut h = harness(
        spec_fixture("pass_std.mov"),
        &dir.path().join("settings.toml"),
    );
    // The picture is up without waiting for the check's verdict to be drawn.
    until(&mut h, "the first picture", |h| {
        h.state().frame_on_screen().is_some()
    });
    checked(&mut h);
    until(&mut h, "the passing badge", |h| {
        has_label_containing(h, "Spec PIX Standard: PASS")
    });
    // Passing: folded, so the rule list is not drawn.
    assert!(!has_label_containing(&h, "rules pass"));
    h.query_all_by(|n| {
        n.value()
            .is_some_and(|l| l.starts_with("Spec PIX Standard: PASS"))
    })
    .next()
    .expect("badge")
    .click();
    until(&mut h, "the section to open", |h| {
        has_label_containing(h, "rules pass")
    });
}

#[test]
fn unreadable_movie_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    // The player opens it (FFmpeg reads what it can) but the structure check names the damage,
    // or the player refuses it and no check runs: either way nothing hangs or panics.
    let mut h = harness(
        spec_fixture("bad_truncated.mov"),
        &dir.path().join("settings.toml"),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        h.step();
        match h.state().spec_state() {
            None if h.state().banner().is_some() => return,
            Some(SpecState::Failed(why)) => {
                assert!(why.contains("bad_truncated.mov"), "{why}");
                h.step();
                assert!(has_label_containing(&h, "Spec: could not read"));
                return;
            }
            Some(SpecState::Done(_)) => return,
            _ => {}
        }
        assert!(Instant::now() < deadline, "check never finished");
        std::thread::sleep(Duration::from_millis(5));
    }
}
