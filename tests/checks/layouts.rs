//! The two layouts in the real review window, through egui_kittest (AccessKit): a person's first
//! launch asks "How will you review?", the choice shows at once and is saved; the Review layout
//! is the picture, the level light and the notes — no meters, no delivery verdict; the Sound
//! layout has the live meters and the checks; View switches between them.

use crate::common;

use common::fixture;
use earmark::settings::{Layout, Settings};
use earmark::ui::ReviewApp;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use std::path::Path;
use std::time::Duration;

fn window(settings: Settings, settings_path: &Path, ask: bool) -> Harness<'static, ReviewApp> {
    crate::window_harness::review_window_with(
        fixture("f23976_1080_g48_b.mov"),
        settings_path,
        settings,
        ask,
    )
}

fn settle(h: &mut Harness<'_, ReviewApp>) {
    crate::window_harness::until(h, "the file", Duration::from_secs(15), |h| {
        h.state().snapshot().is_some()
    });
    for _ in 0..5 {
        h.step();
    }
}

fn review_side(h: &Harness<'_, ReviewApp>) -> bool {
    h.query_by_label("Listening level").is_some()
}

fn sound_side(h: &Harness<'_, ReviewApp>) -> bool {
    h.query_by_label_contains("Delivery check").is_some()
}

#[test]
fn the_first_launch_asks_and_the_choice_is_shown_and_saved() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("settings.toml");
    let mut h = window(Settings::default(), &path, true);
    settle(&mut h);
    h.get_by_label("How will you review?");
    h.get_by_label_contains("The picture large").click();
    h.step();
    h.step();
    assert!(
        h.query_by_label("How will you review?").is_none(),
        "asked once"
    );
    assert!(review_side(&h) && !sound_side(&h));
    let saved = std::fs::read_to_string(&path).expect("settings saved");
    assert!(saved.contains("layout = \"review\""), "{saved}");
}

#[test]
fn review_is_picture_light_and_notes_and_sound_has_every_meter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("settings.toml");
    let mut settings = Settings::default();
    settings.window.layout = Some(Layout::Review);
    let mut h = window(settings, &path, true);
    settle(&mut h);
    assert!(
        h.query_by_label("How will you review?").is_none(),
        "chosen before: not asked"
    );
    assert!(review_side(&h), "the level light's heading");
    assert!(
        !sound_side(&h),
        "no delivery verdict on the showrunner's screen"
    );
    assert!(h.query_by_label_contains("Notes").is_some());
    // View → Sound layout.
    h.get_by_label("View").click();
    h.step();
    h.step();
    h.get_by_label_contains("Sound layout").click();
    h.step();
    h.step();
    assert!(sound_side(&h) && !review_side(&h));
    let saved = std::fs::read_to_string(&path).expect("settings saved");
    assert!(saved.contains("layout = \"sound\""), "{saved}");
}
