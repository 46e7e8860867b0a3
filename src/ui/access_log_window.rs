//! The access log in the window (View → Access log…): who opened, exported and deleted which
//! media and when, newest first, for the open file or all files, and exported as CSV for a
//! studio's records. The log is read when the window opens and on "Reload"; it is never
//! written from here.

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
}

impl AccessLogWindow {
    pub fn open(dirs: &Dirs) -> Self {
        let mut w = Self {
            log: dirs.access_log(),
            entries: Vec::new(),
            problems: Vec::new(),
            only_this: true,
            exported: None,
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
            export = ui.button("Export CSV…").clicked();
        });
        if export {
            let msg = export_csv(&shown);
            self.exported = Some(msg);
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
        egui::ScrollArea::both().show(ui, |ui| {
            egui::Grid::new("access-log-grid")
                .striped(true)
                .num_columns(6)
                .show(ui, |ui| {
                    for h in ["When (UTC)", "Event", "Who", "File", "Size", "SHA-256"] {
                        ui.strong(h);
                    }
                    ui.end_row();
                    for e in shown {
                        ui.label(&e.time);
                        ui.label(e.event.id());
                        ui.label(e.who());
                        ui.label(&e.file_name).on_hover_text(&e.path);
                        ui.label(e.size.map(human_size).unwrap_or_else(|| "—".into()));
                        let sha = e.sha256.as_deref().unwrap_or("—");
                        ui.monospace(sha.get(..16).unwrap_or(sha))
                            .on_hover_text(sha);
                        ui.end_row();
                    }
                });
        });
        self.only_this = only_this;
        if reload {
            self.reload();
        }
    }
}

fn export_csv(entries: &[&AccessEntry]) -> String {
    let Some(out) = dialogs::pick_save_file("Export the access log", "access-log.csv", "csv")
    else {
        return "Export cancelled.".into();
    };
    let mut text = String::from(AccessEntry::CSV_HEADER);
    text.push_str("\r\n");
    // Oldest first in the file, as the log itself is.
    for e in entries.iter().rev() {
        text.push_str(&e.csv_row());
        text.push_str("\r\n");
    }
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

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(512), "512 B");
        assert_eq!(human_size(12_345), "12 kB");
        assert_eq!(human_size(350_000_000), "350 MB");
        assert_eq!(human_size(1_234_000_000), "1.2 GB");
    }
}
