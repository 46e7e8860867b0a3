//! Native file dialogs (the only module that uses rfd).

use std::path::PathBuf;

/// Extensions Earmark opens: review QuickTimes and sound-only review files.
pub const MEDIA_EXTENSIONS: &[&str] = &[
    "mov", "mp4", "m4v", "wav", "bwf", "rf64", "aif", "aiff", "flac", "m4a",
];

/// Asks for a review file to open; `None` when cancelled (or no dialog service is running).
pub fn pick_media_file(start_in: Option<PathBuf>) -> Option<PathBuf> {
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
