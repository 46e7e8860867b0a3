//! "Review complete" in the window (File → Review complete…): export what the reviewer ticks
//! (the HTML review report, CSV notes, Pro Tools markers) next to the media, mark the review
//! complete, show exactly what will be deleted and what is kept, and — only after the reviewer
//! confirms — delete the media and everything Earmark derived from it, then say whether it is
//! verifiably gone.
//!
//! The slow steps (exports decode pictures; the plan hashes the whole file) run on a thread
//! named "review-complete", so the window keeps drawing. The app closes the file before the
//! deletion runs, so no decoder or background scan still holds or rewrites what is deleted.

use crate::report::{ExportFormat, ExportRequest, Exported};
use crate::security::{Outcome, Plan, ReviewComplete, purge};
use eframe::egui;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};

const RED: egui::Color32 = egui::Color32::from_rgb(240, 90, 80);
const AMBER: egui::Color32 = egui::Color32::from_rgb(240, 180, 60);
const GREEN: egui::Color32 = egui::Color32::from_rgb(120, 210, 120);

/// The exports offered, in the order shown: (format, label, file suffix).
const EXPORTS: [(ExportFormat, &str, &str); 3] = [
    (ExportFormat::Html, "Review report (HTML)", " review.html"),
    (ExportFormat::Csv, "Notes as CSV", " notes.csv"),
    (
        ExportFormat::ProtoolsMidi,
        "Pro Tools markers (MIDI)",
        " markers.mid",
    ),
];

/// Where the flow stands.
enum Stage {
    /// Choosing what to export.
    Choose {
        ticked: [bool; 3],
    },
    /// Exporting, marking complete and planning (on the thread).
    Preparing(Receiver<Result<(Plan, Vec<PathBuf>), String>>),
    /// The plan is shown; waiting for the reviewer's yes.
    Confirm {
        plan: Plan,
        exports: Vec<PathBuf>,
    },
    /// The app is closing the file (and writing its close to the access log); the deletion
    /// starts next frame, so the log says closed before deleted and the file is not held open.
    Closing(Plan),
    /// Deleting and checking (on the thread).
    Deleting(Receiver<Result<Outcome, String>>),
    Done(Outcome),
    Failed(String),
}

/// What the dialog asks of the app.
pub enum ReviewEvent {
    /// Close the file under review now (the deletion is about to start).
    CloseMedia,
    /// An export of the review was written (for the access log): the media, the export.
    Exported(PathBuf, PathBuf),
    /// The media was deleted: forget it (recent files).
    Deleted(PathBuf),
}

/// The dialog.
pub struct ReviewCompleteDialog {
    media: PathBuf,
    completer: ReviewComplete,
    /// The loudness preset the report judges by: the one the window shows.
    preset: &'static str,
    stage: Stage,
}

impl ReviewCompleteDialog {
    pub fn new(media: &Path, completer: ReviewComplete, preset: &'static str) -> Self {
        Self {
            media: media.to_path_buf(),
            completer,
            preset,
            stage: Stage::Choose {
                ticked: [true, true, false],
            },
        }
    }

    /// Draws the dialog; false once the reviewer closed it.
    pub fn show(&mut self, ctx: &egui::Context, events: &mut Vec<ReviewEvent>) -> bool {
        let mut open = true;
        let mut close = false;
        egui::Window::new("Review complete")
            .open(&mut open)
            .collapsible(false)
            .default_width(520.0)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ctx, |ui| {
                close = self.body(ui, events);
            });
        if matches!(
            self.stage,
            Stage::Preparing(_) | Stage::Closing(_) | Stage::Deleting(_)
        ) {
            ctx.request_repaint_after(std::time::Duration::from_millis(100));
        }
        // Closing mid-deletion would leave the reviewer without the verdict.
        let busy = matches!(self.stage, Stage::Closing(_) | Stage::Deleting(_));
        (open && !close) || busy
    }

    fn body(&mut self, ui: &mut egui::Ui, events: &mut Vec<ReviewEvent>) -> bool {
        let name = self
            .media
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut next = None;
        let mut close = false;
        match &mut self.stage {
            Stage::Choose { ticked } => {
                ui.label(format!(
                    "The review of {name} is done. Export what you need next to the file; \
                     the notes themselves are always kept."
                ));
                for (i, (_, label, _)) in EXPORTS.iter().enumerate() {
                    ui.checkbox(&mut ticked[i], *label);
                }
                ui.horizontal(|ui| {
                    if ui.button("Export and continue…").clicked() {
                        let chosen: Vec<(ExportFormat, PathBuf)> = EXPORTS
                            .iter()
                            .zip(ticked.iter())
                            .filter(|(_, t)| **t)
                            .map(|((f, _, suffix), _)| (*f, export_path(&self.media, suffix)))
                            .collect();
                        next = Some(Stage::Preparing(prepare(
                            self.media.clone(),
                            self.completer.clone(),
                            chosen,
                            self.preset,
                        )));
                    }
                    if ui.button("Cancel").clicked() {
                        close = true;
                    }
                });
            }
            Stage::Preparing(rx) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Exporting and checking what Earmark keeps about the file…");
                });
                match rx.try_recv() {
                    Ok(Ok((plan, exports))) => {
                        for e in &exports {
                            events.push(ReviewEvent::Exported(self.media.clone(), e.clone()));
                        }
                        next = Some(Stage::Confirm { plan, exports });
                    }
                    Ok(Err(why)) => next = Some(Stage::Failed(why)),
                    Err(std::sync::mpsc::TryRecvError::Empty) => {}
                    Err(_) => next = Some(Stage::Failed("the export stopped".into())),
                }
            }
            Stage::Confirm { plan, exports } => {
                for e in exports.iter() {
                    ui.colored_label(GREEN, format!("Exported: {}", e.display()));
                }
                ui.label("The review is marked complete.");
                ui.separator();
                if plan.nothing_to_delete() {
                    ui.label("Nothing is left to delete.");
                } else {
                    ui.strong("Will be deleted:");
                    for item in &plan.deletes {
                        ui.label(format!("• {}: {}", item.what, item.path.display()));
                    }
                }
                ui.strong("Kept:");
                for item in &plan.keeps {
                    ui.weak(format!("• {}: {}", item.what, item.path.display()));
                }
                for w in &plan.warnings {
                    ui.colored_label(AMBER, w);
                }
                ui.horizontal(|ui| {
                    let delete = !plan.nothing_to_delete()
                        && ui
                            .button(egui::RichText::new(format!("Delete {name}")).color(RED))
                            .clicked();
                    if delete {
                        events.push(ReviewEvent::CloseMedia);
                        next = Some(Stage::Closing(plan.clone()));
                    }
                    if ui.button("Keep the file for now").clicked() {
                        close = true;
                    }
                });
            }
            Stage::Closing(plan) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Closing the file…");
                });
                next = Some(Stage::Deleting(execute(
                    self.completer.clone(),
                    plan.clone(),
                )));
            }
            Stage::Deleting(rx) => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("Deleting and checking…");
                });
                match rx.try_recv() {
                    Ok(Ok(outcome)) => {
                        events.push(ReviewEvent::Deleted(self.media.clone()));
                        next = Some(Stage::Done(outcome));
                    }
                    Ok(Err(why)) => next = Some(Stage::Failed(why)),
                    Err(std::sync::mpsc::TryRecvError::Empty) => {}
                    Err(_) => next = Some(Stage::Failed("the deletion stopped".into())),
                }
            }
            Stage::Done(outcome) => {
                if outcome.verified_gone {
                    ui.colored_label(GREEN, format!("{name} is deleted and verified gone."));
                } else {
                    ui.colored_label(RED, "Some of it is still there:");
                    for item in &outcome.leftovers {
                        ui.colored_label(RED, format!("• {}: {}", item.what, item.path.display()));
                    }
                }
                for item in &outcome.deleted {
                    ui.weak(format!("Deleted {}: {}", item.what, item.path.display()));
                }
                for p in &outcome.problems {
                    ui.colored_label(AMBER, p);
                }
                ui.colored_label(AMBER, purge::NOT_ERASED);
                if ui.button("Close").clicked() {
                    close = true;
                }
            }
            Stage::Failed(why) => {
                ui.colored_label(RED, why.as_str());
                ui.label("Nothing was deleted.");
                if ui.button("Close").clicked() {
                    close = true;
                }
            }
        }
        if let Some(stage) = next {
            self.stage = stage;
        }
        close
    }
}

/// `<folder>/<file stem><suffix>`, next to the media.
fn export_path(media: &Path, suffix: &str) -> PathBuf {
    let stem = media
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "review".into());
    media.with_file_name(format!("{stem}{suffix}"))
}

/// Exports (each must succeed), marks the review complete and plans the deletion.
fn prepare(
    media: PathBuf,
    completer: ReviewComplete,
    exports: Vec<(ExportFormat, PathBuf)>,
    preset: &'static str,
) -> Receiver<Result<(Plan, Vec<PathBuf>), String>> {
    let (tx, rx) = channel();
    let work = move || {
        let mut written = Vec::new();
        for (format, out) in exports {
            let outcome = crate::report::export_notes(&ExportRequest {
                media: &media,
                format,
                output: &out,
                session_start: None,
                reviewer: None,
                preset,
                title: Default::default(),
            });
            match outcome {
                Ok(Exported::Written { .. }) => written.push(out),
                Ok(Exported::BadInput(why)) => return Err(format!("Export failed: {why}")),
                Err(e) => {
                    return Err(format!(
                        "Export failed ({}): {}",
                        e.with_causes(),
                        out.display()
                    ));
                }
            }
        }
        let mut plan = completer.plan(&media).map_err(|e| e.to_string())?;
        for out in &written {
            plan.keep_export(out);
        }
        completer
            .mark_complete(&plan, &written)
            .map_err(|e| e.to_string())?;
        Ok((plan, written))
    };
    spawn(tx, work);
    rx
}

fn execute(completer: ReviewComplete, plan: Plan) -> Receiver<Result<Outcome, String>> {
    let (tx, rx) = channel();
    spawn(tx, move || {
        completer.execute(&plan).map_err(|e| e.to_string())
    });
    rx
}

fn spawn<T: Send + 'static>(
    tx: std::sync::mpsc::Sender<Result<T, String>>,
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) {
    let sender = tx.clone();
    let spawned = std::thread::Builder::new()
        .name("review-complete".into())
        .spawn(move || {
            // The receiver is gone only when the dialog was closed; nothing to tell then.
            let _ = sender.send(work());
        });
    if let Err(e) = spawned {
        let _ = tx.send(Err(format!("could not start: {e}")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_go_next_to_the_media() {
        assert_eq!(
            export_path(Path::new("/rev/ep101 mix v3.mov"), " review.html"),
            PathBuf::from("/rev/ep101 mix v3 review.html")
        );
    }
}
