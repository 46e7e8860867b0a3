//! The window. For now a picture viewer with frame-exact stepping and timecode; the review
//! transport, meters and notes arrive in later milestones.

mod preview_app;
mod screenshot;

use crate::cli::Outcome;
use std::path::PathBuf;

/// Where the bundled demo clip lives in a source checkout.
pub fn demo_clip() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo/earmark-demo.mov")
}

/// Options for the window.
#[derive(Debug, Default, Clone)]
pub struct WindowOptions {
    /// File to open; the demo clip when `None`.
    pub file: Option<PathBuf>,
    /// Save a screenshot here once the first picture is shown, then quit (for tests).
    pub screenshot: Option<PathBuf>,
    /// Frame to show first.
    pub start_frame: Option<u64>,
}

/// Opens the window and runs until it is closed.
pub fn run_window(options: WindowOptions) -> anyhow::Result<Outcome> {
    let file = options.file.clone().unwrap_or_else(demo_clip);
    let app =
        match preview_app::PreviewApp::open(&file, options.start_frame, options.screenshot.clone())
        {
            Ok(app) => app,
            Err(e) => return Ok(Outcome::BadInput(e.to_string())),
        };
    let native = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title(format!("Earmark — {}", file.display()))
            .with_inner_size([1320.0, 860.0]),
        ..Default::default()
    };
    let failed = std::sync::Arc::new(std::sync::Mutex::new(None));
    let failed_in_app = failed.clone();
    eframe::run_native(
        "Earmark",
        native,
        Box::new(move |_cc| {
            let mut app = app;
            app.screenshot_error = failed_in_app;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the window: {e}"))?;
    let error = failed.lock().map(|mut e| e.take()).unwrap_or(None);
    match error {
        Some(message) => Err(anyhow::anyhow!(message)),
        None => Ok(Outcome::Done),
    }
}
