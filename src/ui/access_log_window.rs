//! The access log in the window (View → Access log…): who opened, exported and deleted which
//! media and when, newest first, for the open file or all files, and exported as CSV for a
//! studio's records. The log is read when the window opens and on "Reload"; it is never
//! written from here. Only the rows in view are laid out (a log grows for as long as Earmark
//! is used), and the export's file dialog does not stop the window.

use super::dialogs;
use crate::security::{AccessEntry, Dirs, read_log};
use eframe::egui;
use std::path::{Path, PathBuf};

const AMBER: egui::Color32 = egui::Color32::from_rgb(240, 180, 60);

/// The viewer's state.
pub struct AccessLogWindow {
    log: PathBuf,
    entries: Vec<AccessEntry>,
    problems: Vec<String>,
    /// Show only the file under review (its path, or its hash once known).
    only_this: bool,
    /// What the last export did.
    exported: Option<String>,
    /// An export whose file dialog is open: the dialog and the rows it will write.
    exporting: Option<(dialogs::Pending<Option<PathBuf>>, Vec<AccessEntry>)>,
}

impl AccessLogWindow {
    pub fn open(dirs: &Dirs) -> Self {
        let mut w = Self {
            log: dirs.access_log(),
            entries: Vec::new(),
            problems: Vec::new(),
            only_this: true,
            exported: None,
            exporting: None,
        };
        w.reload();
        w
    }

    fn reload(&mut self) {
        match read_log(&self.log) {
            Ok(read) => {
                self.entries = read.entries;
                self.problems = read.problems;
            }
            Err(e) => {
                self.entries.clear();
                self.problems = vec![e.to_string()];
            }
        }
    }

    /// Draws the window; false once closed. `media` is the file under review, if any.
    pub fn show(&mut self, ctx: &egui::Context, media: Option<&Path>) -> bool {
        let mut open = true;
        egui::Window::new("Access log")
            .open(&mut open)
            .default_width(760.0)
            .default_height(360.0)
            .show(ctx, |ui| self.body(ui, media));
        open
    }

    fn body(&mut self, ui: &mut egui::Ui, media: Option<&Path>) {
        let media = media.map(crate::security::entry::absolute);
        // The file's hash as the log knows it, so copies and renames of it match too.
        let hash = media.as_ref().and_then(|m| {
            let path = m.display().to_string();
            self.entries
                .iter()
                .rev()
                .find(|e| e.path == path && e.sha256.is_some())
                .and_then(|e| e.sha256.clone())
        });
        let shown: Vec<&AccessEntry> = self
            .entries
            .iter()
            .rev()
            .filter(|e| {
                !self.only_this || media.is_none() || e.is_about(hash.as_deref(), media.as_deref())
            })
            .collect();
        let (mut only_this, mut reload, mut export) = (self.only_this, false, false);
        ui.horizontal(|ui| {
            ui.weak(self.log.display().to_string());
            if media.is_some() {
                ui.checkbox(&mut only_this, "This file only");
            }
            reload = ui.button("Reload").clicked();
            export = ui
                .add_enabled(self.exporting.is_none(), egui::Button::new("Export CSV…"))
                .clicked();
        });
        if export {
            let rows: Vec<AccessEntry> = shown.iter().map(|e| (*e).clone()).collect();
            let dialog =
                dialogs::pick_save_file(ui.ctx(), "Export the access log", "access-log.csv", "csv");
            self.exporting = Some((dialog, rows));
        }
        if let Some((dialog, rows)) = &self.exporting
            && let Some(answer) = dialog.answer(None)
        {
            self.exported = Some(export_csv(answer, rows));
            self.exporting = None;
        }
        if let Some(msg) = &self.exported {
            ui.weak(msg);
        }
        for p in &self.problems {
            ui.colored_label(AMBER, p);
        }
        if shown.is_empty() {
            ui.weak("Nothing recorded yet.");
        }
        rows_table(ui, &shown);
        self.only_this = only_this;
        if reload {
            self.reload();
        }
    }
}

/// The log's rows, newest first; only those scrolled into view are laid out.
fn rows_table(ui: &mut egui::Ui, shown: &[&AccessEntry]) {
    let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
    egui_extras::TableBuilder::new(ui)
        .id_salt("access-log-table")
        .striped(true)
        .resizable(true)
        .column(egui_extras::Column::auto().at_least(150.0))
        .column(egui_extras::Column::auto().at_least(60.0))
        .column(egui_extras::Column::auto().at_least(90.0))
        .column(egui_extras::Column::initial(200.0).clip(true))
        .column(egui_extras::Column::auto().at_least(60.0))
        .column(egui_extras::Column::remainder().at_least(120.0))
        .header(row_height, |mut header| {
            for h in ["When (UTC)", "Event", "Who", "File", "Size", "SHA-256"] {
                header.col(|ui| {
                    ui.strong(h);
                });
            }
        })
        .body(|body| {
            body.rows(row_height, shown.len(), |mut row| {
                let e = shown[row.index()];
                row.col(|ui| {
                    ui.label(&e.time);
                });
                row.col(|ui| {
                    ui.label(e.event.id());
                });
                row.col(|ui| {
                    ui.label(e.who());
                });
                row.col(|ui| {
                    ui.label(&e.file_name).on_hover_text(&e.path);
                });
                row.col(|ui| {
                    ui.label(e.size.map(human_size).unwrap_or_else(|| "—".into()));
                });
                row.col(|ui| {
                    let sha = e.sha256.as_deref().unwrap_or("—");
                    ui.monospace(sha.get(..16).unwrap_or(sha))
                        .on_hover_text(sha);
                });
            });
        });
}

/// Writes `entries` (newest first, as shown) to where the dialog said.
fn export_csv(answer: Option<PathBuf>, entries: &[AccessEntry]) -> String {
    let Some(out) = answer else {
        return "Export cancelled.".into();
    };
    // Oldest first in the file, as the log itself is.
    let text = AccessEntry::csv(entries.iter().rev());
    match crate::persist::write_atomic(&out, text.as_bytes()) {
        Ok(()) => format!("Exported {} entries to {}", entries.len(), out.display()),
        Err(e) => format!("Could not export ({e}): {}", out.display()),
    }
}

/// "1.2 GB", "350 MB", "12 kB".
fn human_size(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.0} kB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.0} MB", b / 1e6),
        _ => format!("{:.1} GB", b / 1e9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::AccessEvent;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    fn entry(i: usize) -> AccessEntry {
        AccessEntry {
            time: format!("2026-12-07T10:00:00.{i:06}Z"),
            event: AccessEvent::Open,
            reviewer: "Jo".into(),
            os_user: "jo".into(),
            file_name: "ep101.mov".into(),
            path: "/media/ep101.mov".into(),
            size: Some(1_000_000),
            sha256: None,
            detail: String::new(),
        }
    }

    /// A log of `n` entries drawn in a 760×360 window; how many of its rows were laid out.
    fn rows_laid_out(n: usize) -> usize {
        let mut window = AccessLogWindow {
            log: PathBuf::from("/nonexistent/access-log.jsonl"),
            entries: (0..n).map(entry).collect(),
            problems: Vec::new(),
            only_this: false,
            exported: None,
            exporting: None,
        };
        let mut harness = Harness::builder()
            .with_size(egui::vec2(800.0, 420.0))
            .build_ui(move |ui| window.body(ui, None));
        harness.run();
        (0..n)
            .filter(|i| {
                harness
                    .query_by_label(&format!("2026-12-07T10:00:00.{i:06}Z"))
                    .is_some()
            })
            .count()
    }

    #[test]
    fn only_the_rows_in_view_are_laid_out() {
        let few = rows_laid_out(5);
        assert_eq!(few, 5, "a short log shows every row");
        // Twenty thousand entries (years of use): about a window's height of rows, not all.
        let many = rows_laid_out(20_000);
        assert!((5..60).contains(&many), "{many} rows of 20 000 laid out");
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(12_345), "12 kB");
        assert_eq!(human_size(350_000_000), "350 MB");
        assert_eq!(human_size(1_234_000_000), "1.2 GB");
    }
}
