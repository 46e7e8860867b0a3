//! The key list (`?`), drawn over the window from [`keymap::HELP`](super::keymap::HELP).

use super::keymap::HELP;
use eframe::egui;

/// Shows the overlay; false once the user closes it.
pub fn show(ctx: &egui::Context) -> bool {
    let mut open = true;
    egui::Window::new("Keys")
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
        .open(&mut open)
        .show(ctx, |ui| {
            egui::Grid::new("keys")
                .num_columns(2)
                .striped(true)
                .spacing([24.0, 6.0])
                .show(ui, |ui| {
                    for (keys, what) in HELP {
                        ui.monospace(*keys);
                        ui.label(*what);
                        ui.end_row();
                    }
                });
        });
    open
}
