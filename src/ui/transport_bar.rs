//! Transport buttons under the timeline, for the mouse: the same actions as the keys.

use super::keymap::Action;
use crate::player::{Snapshot, Transport};
use eframe::egui;

/// In/out points as the bar shows them.
pub struct Marks {
    pub mark_in: Option<String>,
    pub mark_out: Option<String>,
    pub looping: bool,
}

/// Draws the buttons; returns the action clicked.
pub fn show(ui: &mut egui::Ui, s: &Snapshot, marks: &Marks) -> Option<Action> {
    let mut action = None;
    ui.horizontal(|ui| {
        let button =
            |ui: &mut egui::Ui, text: &str, tip: &str, act: Action, out: &mut Option<Action>| {
                if ui.button(text).on_hover_text(tip).clicked() {
                    *out = Some(act);
                }
            };
        button(
            ui,
            "|<",
            "First frame (Home)",
            Action::GoToStart,
            &mut action,
        );
        button(
            ui,
            "< 1",
            "One frame back (Left arrow)",
            Action::Step(-1),
            &mut action,
        );
        let playing = !matches!(s.transport, Transport::Paused);
        let play = if playing { "Stop" } else { "Play" };
        if ui
            .add(egui::Button::new(if playing { "Stop" } else { "Play" }))
            .on_hover_text(format!("{play} (Space)"))
            .clicked()
        {
            action = Some(Action::TogglePlay);
        }
        button(
            ui,
            "1 >",
            "One frame forward (Right arrow)",
            Action::Step(1),
            &mut action,
        );
        button(ui, ">|", "Last frame (End)", Action::GoToEnd, &mut action);
        ui.separator();
        button(
            ui,
            "Mark in",
            "Mark in here (I)",
            Action::MarkIn,
            &mut action,
        );
        button(
            ui,
            "Mark out",
            "Mark out here (O)",
            Action::MarkOut,
            &mut action,
        );
        let mut looping = marks.looping;
        if ui
            .toggle_value(&mut looping, "Loop")
            .on_hover_text("Loop between in and out (Ctrl+L)")
            .clicked()
        {
            action = Some(Action::ToggleLoop);
        }
        if let Some(i) = &marks.mark_in {
            ui.monospace(format!("IN {i}"));
        }
        if let Some(o) = &marks.mark_out {
            ui.monospace(format!("OUT {o}"));
        }
        ui.separator();
        button(
            ui,
            "Add note",
            "Add a note here (M or keypad Enter)",
            Action::AddNote,
            &mut action,
        );
    });
    action
}
