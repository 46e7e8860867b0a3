//! The notes list in the side panel: a filter row (category, status), then every note shown by
//! the filter with its source timecode (or range), category, open/done, author and text, all
//! editable in place; a click on the timecode goes there, `x` deletes (Ctrl+Z or the "Undo" link
//! brings it back), and the header says whether the disk has every change.
//!
//! The panel changes a note in place and reports which one ([`NotesEvent::Edited`]); the app
//! stamps the edit time and hands it to the keeper, so no change can skip the save.

use crate::media::SourceTimecode;
use crate::notes::{Category, Note, NoteId, NoteList, Status};
use crate::review::NoteFilter;
use crate::review::SaveState;
use crate::script::visual_order;
use crate::time::Frame;
use eframe::egui;
use std::borrow::Cow;

/// What the reviewer did in the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotesEvent {
    GoTo(u64),
    Delete(NoteId),
    /// Something in this note changed in place (text, category, status, range): save it.
    Edited(NoteId),
    /// Bring back the newest deleted note.
    Undo,
}

/// What the panel reads but does not change.
pub struct NotesView<'a> {
    pub tc: &'a SourceTimecode,
    /// The frame on screen: the current note is highlighted, and a range can end here.
    pub current: u64,
    pub saved: &'a SaveState,
    /// The note Ctrl+Z would bring back, and how many deleted notes are held.
    pub deleted: Option<(&'a Note, usize)>,
}

/// How much of a deleted note's text the undo line quotes.
const QUOTE_CHARS: usize = 28;

/// Draws the list. `editing` is the note whose text field has the keyboard (a new note gets it
/// at once, so typing follows M / Enter without a click).
pub fn show(
    ui: &mut egui::Ui,
    notes: &mut NoteList,
    filter: &mut NoteFilter,
    view: &NotesView<'_>,
    editing: &mut Option<NoteId>,
    focus_new: &mut bool,
) -> Option<NotesEvent> {
    let mut event = None;
    let total = notes.len();
    let shown = notes.iter().filter(|n| filter.matches(n)).count();
    header(ui, shown, total, filter.is_active(), view.saved);
    if let Some((note, held)) = view.deleted
        && undo_line(ui, note, held)
    {
        event = Some(NotesEvent::Undo);
    }
    if total == 0 {
        ui.weak("Press M or keypad Enter to add a note at the current frame; playback goes on.");
        return event;
    }
    filter_row(ui, filter);
    if shown == 0 {
        ui.weak("No note matches the filter.");
        return event;
    }
    let ids: Vec<NoteId> = notes
        .iter()
        .filter(|n| filter.matches(n))
        .map(|n| n.id)
        .collect();
    egui::ScrollArea::vertical()
        .id_salt("notes-list")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for id in ids {
                if let Some(note) = notes.get_mut(id)
                    && let Some(e) = row(ui, note, view, editing, focus_new)
                {
                    event = Some(e);
                }
                ui.separator();
            }
        });
    event
}

fn header(ui: &mut egui::Ui, shown: usize, total: usize, filtered: bool, saved: &SaveState) {
    ui.horizontal(|ui| {
        ui.heading("Notes");
        if filtered {
            ui.weak(format!("{shown} / {total}"))
                .on_hover_text(format!("{shown} of {total} notes match the filter"));
        } else {
            ui.weak(format!("{total}"));
        }
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
}

/// "Deleted “…” — Undo": true when Undo was clicked.
fn undo_line(ui: &mut egui::Ui, note: &Note, held: usize) -> bool {
    let mut quote: String = note.text.chars().take(QUOTE_CHARS).collect();
    if note.text.chars().count() > QUOTE_CHARS {
        quote.push('…');
    }
    let what = if quote.is_empty() {
        "Deleted a note".to_owned()
    } else {
        format!("Deleted “{quote}”")
    };
    ui.horizontal_wrapped(|ui| {
        ui.weak(what);
        if held > 1 {
            ui.weak(format!("(+{} earlier)", held - 1));
        }
        ui.link("Undo")
            .on_hover_text("Bring the note back (Ctrl+Z)")
            .clicked()
    })
    .inner
}

/// "Show: [category] [status]". The filter hides notes from this list, from Up/Down and from the
/// timeline's markers alike, so what the reviewer walks through is what they see.
fn filter_row(ui: &mut egui::Ui, filter: &mut NoteFilter) {
    ui.horizontal(|ui| {
        ui.weak("Show");
        let shown = filter
            .category
            .map_or_else(|| "All categories".to_owned(), category_text);
        egui::ComboBox::from_id_salt("notes-filter-category")
            .selected_text(shown)
            .width(118.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.category, None, "All categories");
                for c in Category::ALL {
                    ui.selectable_value(&mut filter.category, Some(c), category_text(c));
                }
            })
            .response
            .accessible_name("Filter by category");
        let shown = match filter.status {
            None => "Open and done",
            Some(Status::Open) => "Open",
            Some(Status::Addressed) => "Done",
        };
        egui::ComboBox::from_id_salt("notes-filter-status")
            .selected_text(shown)
            .width(96.0)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut filter.status, None, "Open and done");
                ui.selectable_value(&mut filter.status, Some(Status::Open), "Open");
                ui.selectable_value(&mut filter.status, Some(Status::Addressed), "Done");
            })
            .response
            .accessible_name("Filter by status");
    });
}

/// A category as menus list it: the stage's tag, then the name.
fn category_text(c: Category) -> String {
    format!("{}  {}", c.tag(), c.label())
}

/// One note: timecode (or range), category, done, delete; the text; author and range buttons.
fn row(
    ui: &mut egui::Ui,
    note: &mut Note,
    view: &NotesView<'_>,
    editing: &mut Option<NoteId>,
    focus_new: &mut bool,
) -> Option<NotesEvent> {
    let mut event = None;
    let id = note.id;
    let at = view.tc.at_frame(note.frame.0 as i64).to_string();
    let here = match note.end_frame {
        Some(end) => (note.frame.0..end.0.max(note.frame.0 + 1)).contains(&view.current),
        None => note.frame.0 == view.current,
    };
    ui.horizontal(|ui| {
        let label = egui::RichText::new(&at).monospace().color(if here {
            egui::Color32::from_rgb(255, 196, 0)
        } else {
            egui::Color32::from_gray(200)
        });
        if ui
            .add(egui::Button::new(label).frame(false))
            .on_hover_text(format!("Go to frame {}", note.frame.0))
            .clicked()
        {
            event = Some(NotesEvent::GoTo(note.frame.0));
        }
        if let Some(Frame(last)) = note.last_frame() {
            // The range's last frame, the one the reviewer stopped on (stored exclusive, as
            // exports write an out point; every view shows the last frame).
            // An en dash: egui's bundled font has no arrow glyph.
            ui.weak("–");
            let text = egui::RichText::new(view.tc.at_frame(last as i64).to_string())
                .monospace()
                .color(egui::Color32::from_gray(200));
            if ui
                .add(egui::Button::new(text).frame(false))
                .on_hover_text(format!("Last frame of the range (frame {last}); go there"))
                .clicked()
            {
                event = Some(NotesEvent::GoTo(last));
            }
        }
        let before = note.category;
        egui::ComboBox::from_id_salt(("note-category", id.0))
            .selected_text(note.category.tag())
            .width(52.0)
            .show_ui(ui, |ui| {
                for c in Category::ALL {
                    ui.selectable_value(&mut note.category, c, category_text(c));
                }
            })
            .response
            .on_hover_text(note.category.label())
            .accessible_name(format!("Category of the note at {at}"));
        if note.category != before {
            event = Some(NotesEvent::Edited(id));
        }
        let mut done = note.status == Status::Addressed;
        if ui
            .checkbox(&mut done, "done")
            .on_hover_text("Addressed: the mix has taken this note")
            .accessible_name(format!("Done: the note at {at}"))
            .changed()
        {
            note.status = if done {
                Status::Addressed
            } else {
                Status::Open
            };
            event = Some(NotesEvent::Edited(id));
        }
        if ui
            .small_button("x")
            .on_hover_text("Delete this note (Ctrl+Z brings it back)")
            .accessible_name(format!("Delete the note at {at}"))
            .clicked()
        {
            event = Some(NotesEvent::Delete(id));
        }
    });
    // egui lays text out left to right in stored order: right-to-left text (Hebrew, Arabic) is
    // shown in reading order while nobody edits it; the field itself keeps the stored order.
    let salt = ("note", id.0);
    let focused = ui.memory(|m| m.has_focus(ui.make_persistent_id(salt)));
    let reading = visual_order(&note.text);
    let to_focus = *editing == Some(id) && *focus_new;
    if matches!(reading, Cow::Owned(_)) && !focused && !to_focus {
        let resp = ui
            .add(egui::Label::new(reading.as_ref()).sense(egui::Sense::click()))
            .on_hover_text("Shown in reading order; click to edit");
        if resp.clicked() {
            *editing = Some(id);
            *focus_new = true;
            ui.ctx().request_repaint();
        }
    } else {
        let edit = egui::TextEdit::singleline(&mut note.text)
            .desired_width(f32::INFINITY)
            .hint_text("note…")
            .id_salt(salt);
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
    ui.horizontal(|ui| {
        if !note.author.is_empty() {
            ui.weak(visual_order(&note.author));
        }
        match note.end_frame {
            None => {
                // A range ends on the frame on screen, so it must lie after the note's start.
                let can = view.current > note.frame.0;
                let resp = ui
                    .add_enabled(can, egui::Button::new("end here").small())
                    .on_hover_text("Make this note a range ending at the frame on screen")
                    .on_disabled_hover_text(
                        "Move past the note's frame, then click to end a range there",
                    )
                    .accessible_name(format!("End the note at {at} here"));
                if resp.clicked() {
                    note.end_frame = Some(Frame(view.current + 1));
                    event = Some(NotesEvent::Edited(id));
                }
            }
            Some(_) => {
                if ui
                    .small_button("clear end")
                    .on_hover_text("Make this a note on one frame again")
                    .accessible_name(format!("Clear the end of the note at {at}"))
                    .clicked()
                {
                    note.end_frame = None;
                    event = Some(NotesEvent::Edited(id));
                }
            }
        }
    });
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::TimecodeSource;
    use crate::time::TimecodeRate;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    struct State {
        notes: NoteList,
        filter: NoteFilter,
        current: u64,
        events: Vec<NotesEvent>,
    }

    fn harness(notes: NoteList, current: u64) -> Harness<'static, State> {
        let tc = SourceTimecode::counted_from(
            25 * 3600,
            TimecodeRate {
                fps: 25,
                drop_frame: false,
            },
            TimecodeSource::Tmcd,
        );
        let state = State {
            notes,
            filter: NoteFilter::default(),
            current,
            events: Vec::new(),
        };
        Harness::builder()
            .with_size(egui::vec2(320.0, 500.0))
            .build_ui_state(
                move |ui, s: &mut State| {
                    let view = NotesView {
                        tc: &tc,
                        current: s.current,
                        saved: &SaveState::NotKept,
                        deleted: None,
                    };
                    let (mut editing, mut focus) = (None, false);
                    if let Some(e) = show(
                        ui,
                        &mut s.notes,
                        &mut s.filter,
                        &view,
                        &mut editing,
                        &mut focus,
                    ) {
                        s.events.push(e);
                    }
                },
                state,
            )
    }

    #[test]
    fn range_is_shown_and_end_here_makes_one() {
        let mut notes = NoteList::new();
        let a = notes.add(crate::time::Frame(250), "hum under the dialogue");
        let mut h = harness(notes, 300);
        h.run();
        h.get_by_label("End the note at 01:00:10:00 here").click();
        h.run();
        assert_eq!(
            h.state().notes.get(a).and_then(|n| n.end_frame),
            Some(Frame(301))
        );
        assert_eq!(h.state().events, vec![NotesEvent::Edited(a)]);
        // The range shows its last frame, 01:00:12:00 (frame 300).
        assert!(h.query_by_label("01:00:12:00").is_some());
        h.get_by_label("Clear the end of the note at 01:00:10:00")
            .click();
        h.run();
        assert_eq!(h.state().notes.get(a).and_then(|n| n.end_frame), None);
    }

    #[test]
    fn the_count_says_how_many_the_filter_shows() {
        let mut notes = NoteList::new();
        let a = notes.add(crate::time::Frame(25), "one");
        notes.add(crate::time::Frame(50), "two");
        if let Some(n) = notes.get_mut(a) {
            n.status = Status::Addressed;
        }
        let mut h = harness(notes, 0);
        h.run();
        assert!(h.query_by_label("2").is_some());
        h.state_mut().filter.status = Some(Status::Open);
        h.run();
        assert!(h.query_by_label("1 / 2").is_some());
        assert!(h.query_by_label("01:00:01:00").is_none(), "done note shown");
        assert!(h.query_by_label("01:00:02:00").is_some());
    }
}
