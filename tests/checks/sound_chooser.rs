//! The sound chooser in the real review window, driven through egui_kittest (AccessKit): a file
//! with a stereo mix and an M&E opens on the mix; Settings (Ctrl+,) offers every track; picking
//! the M&E plays it at once (the status bar says so), on the frame the review was on, and the
//! choice is saved in the settings file for that file's content. A 5.1 offers the fold-down.

use crate::common;
use crate::window_harness;

use common::layout_fixture as layout;
use earmark::ui::ReviewApp;
use earmark::ui::keymap::Action;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn harness(file: PathBuf, settings_path: &Path) -> Harness<'static, ReviewApp> {
    window_harness::review_window(file, settings_path)
}

fn until(
    h: &mut Harness<'_, ReviewApp>,
    what: &str,
    done: impl Fn(&mut Harness<'_, ReviewApp>) -> bool,
) {
    window_harness::until(h, what, Duration::from_secs(15), done);
}

fn playing(h: &Harness<'_, ReviewApp>) -> Option<String> {
    h.state().snapshot().and_then(|s| s.audio_label)
}

fn open_settings(h: &mut Harness<'_, ReviewApp>) {
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Comma);
    until(h, "the settings window", |h| {
        h.query_by_label("Sound track").is_some()
    });
}

#[test]
fn picking_the_m_and_e_plays_it_at_once_and_is_remembered() {
    let dir = tempfile::tempdir().expect("temp dir");
    let media = dir.path().join("ep1.mov");
    std::fs::copy(layout("stereo_me.mov"), &media).expect("copy");
    let settings = dir.path().join("settings.toml");
    let mut h = harness(media.clone(), &settings);
    until(&mut h, "the file", |h| playing(h).is_some());
    assert_eq!(
        playing(&h).as_deref(),
        Some("Track 1 of 2 (Stereo mix) · stereo")
    );
    assert!(
        h.query_by_label_contains("Track 1 of 2 (Stereo mix)")
            .is_some(),
        "the status bar says what plays"
    );
    // Somewhere in the middle of the review.
    h.state_mut().apply(Action::Step(60));
    until(&mut h, "frame 60", |h| {
        h.state().snapshot().is_some_and(|s| s.frame.0 == 60)
    });
    open_settings(&mut h);
    h.get_by_label("Sound track").click();
    h.step();
    h.step();
    h.get_by_label("Track 2 · M&E · stereo, AAC-LC").click();
    until(&mut h, "the M&E", |h| {
        playing(h).as_deref() == Some("Track 2 of 2 (M&E) · stereo")
    });
    until(&mut h, "the same frame", |h| {
        h.state().snapshot().is_some_and(|s| s.frame.0 == 60)
    });
    let saved = std::fs::read_to_string(&settings).expect("settings saved");
    let key = earmark::persist::content_key(&media).expect("key");
    assert!(
        saved.contains("[sound]") && saved.contains(&key) && saved.contains("\"2\""),
        "{saved}"
    );
}

#[test]
fn a_5_1_file_offers_the_fold_down() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = dir.path().join("settings.toml");
    let mut h = harness(layout("surround51_aac.mov"), &settings);
    until(&mut h, "the file", |h| playing(h).is_some());
    assert_eq!(
        playing(&h).as_deref(),
        Some("Track 1 of 1 · 5.1 folded to stereo, Lo/Ro (ITU-R BS.775)")
    );
    open_settings(&mut h);
    h.get_by_label("Fold-down").click();
    h.step();
    h.step();
    h.get_by_label("Lt/Rt (matrix surround)").click();
    until(&mut h, "the Lt/Rt fold-down", |h| {
        playing(h).as_deref()
            == Some("Track 1 of 1 · 5.1 folded to stereo, Lt/Rt (matrix surround)")
    });
}

/// Esc on an open drop-down closes the drop-down, not the Settings window under it (it closed
/// both); a second Esc closes Settings.
#[test]
fn esc_on_an_open_drop_down_closes_only_the_drop_down() {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = dir.path().join("settings.toml");
    let mut h = harness(layout("stereo_me.mov"), &settings);
    until(&mut h, "the file", |h| playing(h).is_some());
    open_settings(&mut h);
    h.get_by_label("Sound track").click();
    h.step();
    h.step();
    assert!(
        h.query_by_label("Track 2 · M&E · stereo, AAC-LC").is_some(),
        "the drop-down is open"
    );
    h.key_press(egui::Key::Escape);
    h.step();
    h.step();
    assert!(
        h.query_by_label("Track 2 · M&E · stereo, AAC-LC").is_none(),
        "Esc closed the drop-down"
    );
    assert!(
        h.query_by_label("Sound track").is_some(),
        "Esc on the drop-down left Settings open"
    );
    h.key_press(egui::Key::Escape);
    until(&mut h, "Settings closed", |h| {
        h.query_by_label("Sound track").is_none()
    });
}
