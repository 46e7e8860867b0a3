//! The notes list in the side panel: every note with its source timecode, the text editable in
//! place, a click to go there, a button to delete, and whether the disk has every change.

use super::note_keeper::SaveState;
use crate::media::SourceTimecode;
use crate::notes::{NoteId, NoteList};
use eframe::egui;

/// What the reviewer did in the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotesEvent {
    GoTo(u64),
    Delete(NoteId),
    /// The text of this note changed (save it).
    Edited(NoteId),
}

/// Draws the list. `editing` is the note whose text field has the keyboard (a new note gets it
/// at once, so typing follows M / Enter without a click).
pub fn show(
    ui: &mut egui::Ui,
    notes: &mut NoteList,
    tc: &SourceTimecode,
    current: u64,
    editing: &mut Option<NoteId>,
    focus_new: &mut bool,
    saved: &SaveState,
) -> Option<NotesEvent> {
    let mut event = None;
    ui.horizontal(|ui| {
        ui.heading("Notes");
        ui.weak(format!("{}", notes.len()));
        match saved {
            SaveState::Saved => {
                ui.weak("saved").on_hover_text("Every change is on disk");
            }
            SaveState::NotKept => {
                ui.weak("not kept")
                    .on_hover_text("These notes are not saved between launches");
            }
            SaveState::Unsaved(n, why) => {
                ui.colored_label(
                    egui::Color32::from_rgb(255, 120, 80),
                    format!("{n} not saved yet"),
                )
                .on_hover_text(format!(
                    "Kept in memory and retried every 2 s. The disk said: {why}"
                ));
            }
        }
    });
    if notes.is_empty() {
        ui.weak("Press M or keypad Enter to add a note at the current frame; playback goes on.");
        return None;
    }
    let ids: Vec<(NoteId, u64)> = notes.iter().map(|n| (n.id, n.frame)).collect();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (id, frame) in ids {
                let here = frame == current;
                ui.horizontal(|ui| {
                    let label = egui::RichText::new(tc.at_frame(frame as i64).to_string())
                        .monospace()
                        .color(if here {
                            egui::Color32::from_rgb(255, 196, 0)
                        } else {
                            egui::Color32::from_gray(200)
                        });
                    if ui
                        .add(egui::Button::new(label).frame(false))
                        .on_hover_text(format!("Go to frame {frame}"))
                        .clicked()
                    {
                        event = Some(NotesEvent::GoTo(frame));
                    }
                    if ui
                        .small_button("x")
                        .on_hover_text("Delete this note")
                        .clicked()
                    {
                        event = Some(NotesEvent::Delete(id));
                    }
                });
                if let Some(note) = notes.get_mut(id) {
                    let edit = egui::TextEdit::singleline(&mut note.text)
                        .desired_width(f32::INFINITY)
                        .hint_text("note…")
                        .id_salt(("note", id.0));
                    let resp = ui.add(edit);
                    if resp.changed() {
                        event = Some(NotesEvent::Edited(id));
                    }
                    if *editing == Some(id) && std::mem::take(focus_new) {
                        resp.request_focus();
                    }
                    if resp.gained_focus() {
                        *editing = Some(id);
                    }
                }
                ui.separator();
            }
        });
    event
}
