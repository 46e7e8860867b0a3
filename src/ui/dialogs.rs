//! Native file dialogs (the only module that uses rfd).

use std::path::PathBuf;

/// Extensions Earmark opens: review QuickTimes and sound-only review files.
pub const MEDIA_EXTENSIONS: &[&str] = &[
    "mov", "mp4", "m4v", "wav", "bwf", "rf64", "aif", "aiff", "flac", "m4a",
];

/// What the file dialog gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    File(PathBuf),
    Cancelled,
    /// No dialog could be shown (no desktop portal or session bus): the window asks for a path
    /// itself instead of doing nothing.
    NoDialog,
}

/// A dialog answered faster than this was never shown: no person cancels that fast.
const TOO_FAST: std::time::Duration = std::time::Duration::from_millis(150);

/// Asks for a review file to open.
pub fn pick_media_file(start_in: Option<PathBuf>) -> Picked {
    // Linux dialogs go through the desktop portal on the session bus; without a bus there is
    // nobody to show one.
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Picked::NoDialog;
    }
    let asked = std::time::Instant::now();
    match media_dialog(start_in) {
        Some(p) => Picked::File(p),
        None if asked.elapsed() < TOO_FAST => Picked::NoDialog,
        None => Picked::Cancelled,
    }
}

fn media_dialog(start_in: Option<PathBuf>) -> Option<PathBuf> {
    let mut dialog = rfd::FileDialog::new()
        .set_title("Open a review file")
        .add_filter("Review media", MEDIA_EXTENSIONS)
        .add_filter("All files", &["*"]);
    if let Some(dir) = start_in {
        dialog = dialog.set_directory(dir);
    }
    dialog.pick_file()
}

/// Asks where to save a file named like `name` with extension `ext`; `None` when cancelled.
pub fn pick_save_file(title: &str, name: &str, ext: &str) -> Option<PathBuf> {
    rfd::FileDialog::new()
        .set_title(title)
        .set_file_name(name)
        .add_filter(ext, &[ext])
        .save_file()
}
