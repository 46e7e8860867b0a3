//! The review window (eframe/egui).
//!
//! - [`app`]: the [`ReviewApp`] shell: layout, actions, repaint scheduling
//! - [`keymap`]: keys → actions, the J/K/L ramp (pure, unit-tested)
//! - [`picture_view`]: the frame as a texture, letterboxed, uploaded only on change
//! - [`watermark_overlay`]: the viewer's watermark drifting over the picture
//! - [`timecode_bar`] and [`tc_entry`]: the large timecode read-out and typed go-to
//! - [`timeline`]: scrubbing, in/out, note markers, the loudness strip's place
//! - [`transport_bar`], [`status_bar`], [`notes_panel`], [`settings_window`], [`help_overlay`]
//! - [`notice_log`]: every notice shown, echoed once to stderr for logs and scripted runs
//! - [`dialogs`]: native file dialogs (the only user of rfd)
//! - [`calibration_wizard`] and [`calibration_session`]: the calibration checks, their results
//!   and the status bar's badge
//! - [`review_complete`] and [`access_log_window`]: deleting a completed review's media (with
//!   what Earmark derived from it) and the access log, in the window
//! - [`automation`]: `--goto/--play-for/--screenshot/--exit` runs and their timings
//! - [`screenshot`]: saving the window's pixels
//! - [`spec_panel`]: the delivery spec check section and its status-bar badge
//! - [`headphone_panel`] and [`headphone_setup`]: the listening chain, its warnings, the level at
//!   the ear and the weekly dose

mod access_log_window;
mod app;
mod automation;
mod calibration_session;
pub mod calibration_wizard;
mod dialogs;
mod headphone_panel;
mod headphone_setup;
mod help_overlay;
pub mod keymap;
mod level_light;
mod loudness_panel;
pub mod meter_panel;
mod notes_panel;
mod notice_log;
mod picture_trace;
mod picture_view;
mod review_complete;
mod screenshot;
mod settings_window;
mod spec_panel;
mod status_bar;
mod tc_entry;
mod timecode_bar;
mod timeline;
mod together_window;
mod transport_bar;
mod watermark_overlay;

pub use app::{ReviewApp, RunResult, Session};
pub use tc_entry::parse_jump;

use crate::review::{ReviewEnd, ReviewSetup};

/// The renderer: OpenGL (glow) except on macOS, where wgpu draws through Metal. Only that one is
/// built (Cargo.toml's per-platform eframe features).
///
/// Measured on a machine without a GPU (software rendering, 1320x860 window): glow paints a
/// frame in ~14 ms where wgpu's Vulkan and GL back-ends took ~75 ms, which is the difference
/// between smooth and stuttering playback there; with a GPU both take a millisecond or two.
#[cfg(not(target_os = "macos"))]
fn renderer() -> eframe::Renderer {
    eframe::Renderer::Glow
}

#[cfg(target_os = "macos")]
fn renderer() -> eframe::Renderer {
    eframe::Renderer::Wgpu
}

/// Why the window could not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    /// No window could be opened (no display, no OpenGL …). eframe's error holds handles that
    /// cannot cross threads, so its text is kept rather than the error itself.
    #[error("could not open the window: {0}")]
    Open(String),
    /// A scripted run (`--goto`, `--screenshot` …) failed; the message says how.
    #[error("{0}")]
    Script(String),
}

/// Opens the window and runs until it is closed. A scripted run that fails returns the reason.
pub fn run_window(config: ReviewSetup) -> Result<ReviewEnd, WindowError> {
    let layout = config.settings.window.clone();
    let mut native = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Earmark")
            .with_inner_size([layout.width.max(640.0), layout.height.max(400.0)])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    native.renderer = renderer();
    let result = std::sync::Arc::new(std::sync::Mutex::new(RunResult::default()));
    let result_in_app = result.clone();
    eframe::run_native(
        "Earmark",
        native,
        Box::new(move |cc| {
            let mut app = ReviewApp::new(&cc.egui_ctx, config);
            app.result = result_in_app;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| WindowError::Open(e.to_string()))?;
    let outcome = result.lock().map(|r| r.clone()).unwrap_or_default();
    match outcome.failure {
        Some(message) if outcome.bad_input => Ok(ReviewEnd::BadInput(message)),
        Some(message) => Err(WindowError::Script(message)),
        None => Ok(ReviewEnd::Done),
    }
}
