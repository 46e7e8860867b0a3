//! The review window under egui_kittest (AccessKit), as the kittest tests drive it: a file open,
//! no output device, settings saved to a file of the test's own; and waiting for a state.
//!
//! Included with `#[path = "common/window_harness.rs"] mod window_harness;`.

#![allow(dead_code)]

use earmark::player::PlayerOptions;
use earmark::review::ReviewSetup;
use earmark::settings::Settings;
use earmark::ui::ReviewApp;
use eframe::egui;
use egui_kittest::Harness;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The window on `file`, 1320x1000, without sound, saving its settings to `settings_path`.
pub fn review_window(file: PathBuf, settings_path: &Path) -> Harness<'static, ReviewApp> {
    review_window_with(file, settings_path, Settings::default(), false)
}

/// [`review_window`] starting from `settings`, asking the first-launch layout question when
/// `ask_layout` (as for a person's first launch).
pub fn review_window_with(
    file: PathBuf,
    settings_path: &Path,
    settings: Settings,
    ask_layout: bool,
) -> Harness<'static, ReviewApp> {
    let settings_path = settings_path.to_path_buf();
    Harness::builder()
        .with_size(egui::vec2(1320.0, 1000.0))
        .build_eframe(move |cc| {
            ReviewApp::new(
                &cc.egui_ctx,
                ReviewSetup {
                    file: Some(file),
                    player: PlayerOptions {
                        no_audio: true,
                        ..PlayerOptions::default()
                    },
                    settings,
                    settings_path: Some(settings_path),
                    ask_layout,
                    ..ReviewSetup::default()
                },
            )
        })
}

/// Steps the window until `done`, failing after `patience` naming `what`.
pub fn until(
    h: &mut Harness<'_, ReviewApp>,
    what: &str,
    patience: Duration,
    done: impl Fn(&mut Harness<'_, ReviewApp>) -> bool,
) {
    let deadline = Instant::now() + patience;
    loop {
        h.step();
        if done(h) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(3));
    }
}
