//! Native file dialogs (the only module that uses rfd), asked without blocking the window: each
//! runs on a "file-dialog" thread while the window goes on painting (the picture keeps moving,
//! meters keep reading, a shared review keeps answering), and the answer is picked up by
//! [`Pending::answer`] on a later frame.

use eframe::egui;
use std::path::PathBuf;
use std::sync::mpsc;

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

/// A dialog that is open; its answer arrives on a later frame.
pub struct Pending<T> {
    rx: mpsc::Receiver<T>,
}

impl<T> Pending<T> {
    /// The answer once the person has given it; `None` while the dialog is still open. A
    /// dialog thread that died without answering counts as `gone`.
    pub fn answer(&self, gone: T) -> Option<T> {
        match self.rx.try_recv() {
            Ok(t) => Some(t),
            Err(mpsc::TryRecvError::Empty) => None,
            Err(mpsc::TryRecvError::Disconnected) => Some(gone),
        }
    }
}

/// A dialog answered faster than this was never shown: no person cancels that fast.
const TOO_FAST: std::time::Duration = std::time::Duration::from_millis(150);

/// Runs `ask` on a dialog thread; the window repaints when it answers. If no thread can be
/// started, `fallback` is the answer at once.
fn on_thread<T: Send + 'static>(
    ctx: &egui::Context,
    fallback: T,
    ask: impl FnOnce() -> T + Send + 'static,
) -> Pending<T> {
    let (tx, rx) = mpsc::channel();
    let ctx = ctx.clone();
    let started = std::thread::Builder::new()
        .name("file-dialog".into())
        .spawn(move || {
            // The window may have closed meanwhile: nobody to tell then.
            tx.send(ask()).ok();
            ctx.request_repaint();
        });
    if let Err(e) = started {
        log::warn!("no thread for the file dialog: {e}");
        let (tx, rx) = mpsc::channel();
        tx.send(fallback).ok();
        return Pending { rx };
    }
    Pending { rx }
}

/// Asks for a review file to open.
pub fn pick_media_file(ctx: &egui::Context, start_in: Option<PathBuf>) -> Pending<Picked> {
    // Linux dialogs go through the desktop portal on the session bus; without a bus there is
    // nobody to show one.
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        let (tx, rx) = mpsc::channel();
        tx.send(Picked::NoDialog).ok();
        return Pending { rx };
    }
    on_thread(ctx, Picked::NoDialog, move || {
        let asked = std::time::Instant::now();
        let mut dialog = rfd::AsyncFileDialog::new()
            .set_title("Open a review file")
            .add_filter("Review media", MEDIA_EXTENSIONS)
            .add_filter("All files", &["*"]);
        if let Some(dir) = start_in {
            dialog = dialog.set_directory(dir);
        }
        match pollster::block_on(dialog.pick_file()) {
            Some(p) => Picked::File(p.path().to_path_buf()),
            None if asked.elapsed() < TOO_FAST => Picked::NoDialog,
            None => Picked::Cancelled,
        }
    })
}

/// Asks where to save a file named like `name` with extension `ext`; `None` when cancelled.
pub fn pick_save_file(
    ctx: &egui::Context,
    title: &str,
    name: &str,
    ext: &str,
) -> Pending<Option<PathBuf>> {
    let dialog = rfd::AsyncFileDialog::new()
        .set_title(title)
        .set_file_name(name)
        .add_filter(ext, &[ext]);
    on_thread(ctx, None, move || {
        pollster::block_on(dialog.save_file()).map(|h| h.path().to_path_buf())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_read_once_and_a_dead_dialog_counts_as_gone() {
        let (tx, rx) = mpsc::channel();
        let pending = Pending { rx };
        assert_eq!(pending.answer(Picked::NoDialog), None, "still open");
        tx.send(Picked::Cancelled).expect("send");
        assert_eq!(pending.answer(Picked::NoDialog), Some(Picked::Cancelled));
        drop(tx);
        assert_eq!(pending.answer(Picked::NoDialog), Some(Picked::NoDialog));
    }

    #[test]
    fn the_window_is_not_held_while_a_dialog_waits() {
        let ctx = egui::Context::default();
        let (release, wait) = mpsc::channel::<()>();
        let started = std::time::Instant::now();
        let pending = on_thread(&ctx, None, move || {
            wait.recv().ok();
            Some(PathBuf::from("/tmp/x.csv"))
        });
        assert!(started.elapsed() < std::time::Duration::from_millis(100));
        assert_eq!(pending.answer(None), None);
        release.send(()).expect("release");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            if let Some(a) = pending.answer(None) {
                assert_eq!(a, Some(PathBuf::from("/tmp/x.csv")));
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no answer");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}
