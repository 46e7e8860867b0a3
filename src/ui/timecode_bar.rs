//! The large timecode read-out above the picture: source timecode (drop-frame labelled with `;`),
//! frame number and time remaining. Clicking it (or typing digits, or Ctrl+G) opens a field to
//! type a timecode and jump.

use super::tc_entry::parse_jump;
use crate::media::SourceTimecode;
use crate::time::Timecode;
use eframe::egui;

/// A timecode being typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TcEntry {
    pub text: String,
    pub error: Option<String>,
    /// The field has been given keyboard focus once.
    focused: bool,
}

impl TcEntry {
    pub fn starting_with(text: String) -> Self {
        Self {
            text,
            ..Self::default()
        }
    }
}

/// What the read-out shows.
pub struct TimecodeModel<'a> {
    pub tc: &'a SourceTimecode,
    pub frame: u64,
    pub frame_count: u64,
}

/// What happened in the read-out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TcEvent {
    /// Open the entry field.
    Begin,
    /// Jump to this frame (entry closed).
    Jump(u64),
    /// Entry abandoned.
    Cancel,
}

const BIG: f32 = 34.0;

/// The remaining time after `frame`, as a duration in the file's counting.
pub fn remaining(model: &TimecodeModel<'_>) -> Timecode {
    let left = model
        .frame_count
        .saturating_sub(1)
        .saturating_sub(model.frame);
    Timecode::from_frames(left as i64, model.tc.rate)
}

/// Draws the read-out (or the entry field when `entry` is open).
pub fn show(
    ui: &mut egui::Ui,
    model: &TimecodeModel<'_>,
    entry: &mut Option<TcEntry>,
) -> Option<TcEvent> {
    let mut event = None;
    let tc_text = model.tc.at_frame(model.frame as i64).to_string();
    ui.horizontal(|ui| {
        match entry {
            Some(e) => {
                let label = ui.label(egui::RichText::new("Go to").size(16.0).weak());
                let edit = egui::TextEdit::singleline(&mut e.text)
                    .font(egui::FontId::monospace(BIG))
                    .desired_width(BIG * 7.0)
                    .hint_text(tc_text.clone());
                let resp = ui.add(edit).labelled_by(label.id);
                if !e.focused {
                    resp.request_focus();
                    e.focused = true;
                    // A digit that opened the field is already typed: the cursor goes after it.
                    if let Some(mut state) = egui::TextEdit::load_state(ui.ctx(), resp.id) {
                        let end = egui::text::CCursor::new(e.text.chars().count());
                        state
                            .cursor
                            .set_char_range(Some(egui::text::CCursorRange::one(end)));
                        state.store(ui.ctx(), resp.id);
                    }
                }
                let enter = ui.input(|i| i.key_pressed(egui::Key::Enter));
                let escape = ui.input(|i| i.key_pressed(egui::Key::Escape));
                if escape {
                    event = Some(TcEvent::Cancel);
                } else if enter {
                    match parse_jump(&e.text, model.tc, model.frame, model.frame_count) {
                        Ok(f) => event = Some(TcEvent::Jump(f)),
                        Err(msg) => {
                            e.error = Some(msg);
                            resp.request_focus();
                        }
                    }
                } else if resp.lost_focus() {
                    event = Some(TcEvent::Cancel);
                }
                if let Some(err) = &e.error {
                    ui.colored_label(egui::Color32::from_rgb(240, 110, 90), err);
                }
            }
            None => {
                let button = egui::Button::new(
                    egui::RichText::new(&tc_text)
                        .font(egui::FontId::monospace(BIG))
                        .strong()
                        .color(egui::Color32::from_gray(235)),
                )
                .frame(false);
                let resp = ui
                    .add(button)
                    .on_hover_text("Source timecode: click (or type digits) to go to a timecode");
                if resp.clicked() {
                    event = Some(TcEvent::Begin);
                }
            }
        }
        ui.add_space(12.0);
        ui.vertical(|ui| {
            ui.label(
                egui::RichText::new(format!(
                    "frame {} / {}",
                    model.frame,
                    model.frame_count.saturating_sub(1)
                ))
                .monospace()
                .size(15.0),
            );
            ui.label(
                egui::RichText::new(format!("remaining {}", remaining(model)))
                    .monospace()
                    .size(15.0)
                    .weak(),
            );
        });
    });
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::TimecodeSource;
    use crate::time::FrameRate;

    #[test]
    fn remaining_counts_to_the_last_frame() {
        let rate = FrameRate::new(30000, 1001)
            .expect("rate")
            .timecode_rate(true);
        let tc = SourceTimecode::counted_from(107_892, rate, TimecodeSource::Tmcd);
        let model = TimecodeModel {
            tc: &tc,
            frame: 0,
            frame_count: 1801,
        };
        // 1800 frames left at 29.97 DF is 00:01:00;02.
        assert_eq!(remaining(&model).to_string(), "00:01:00;02");
        let at_end = TimecodeModel {
            frame: 1800,
            ..model
        };
        assert_eq!(remaining(&at_end).to_string(), "00:00:00;00");
    }
}
