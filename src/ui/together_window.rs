//! File → Review together…: host the open review or join one with a pasted invitation, and
//! while a session runs, who is in — the frame on their screen, their round trip to the host,
//! their listening set-up — with control given, asked for, and people removed. It draws a
//! [`TogetherView`] and says what was clicked as [`TogetherEvent`]s; the app carries them out
//! on its shared review, so this file never touches the network.

use crate::together::session::TogetherView;
use eframe::egui;

/// What the reviewer did in the window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TogetherEvent {
    /// `relay_only`: everything through the facility's relay named in `relay`, never directly.
    Host {
        name: String,
        relay: String,
        relay_only: bool,
    },
    Join {
        name: String,
        relay: String,
        relay_only: bool,
        invitation: String,
    },
    Give(String),
    Remove(String),
    AskControl,
    Leave,
}

/// The window's own state: what is being typed.
pub struct TogetherWindow {
    name: String,
    relay: String,
    relay_only: bool,
    invitation: String,
}

impl TogetherWindow {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            relay: "public".into(),
            relay_only: false,
            invitation: String::new(),
        }
    }

    /// Whether the relay is a facility's own (a URL), the only kind that can carry everything.
    fn own_relay(&self) -> bool {
        let r = self.relay.trim();
        !r.is_empty() && r != "public" && r != "none"
    }

    /// Relay-only as it will be asked for: never without a facility relay to go through.
    fn relay_only(&self) -> bool {
        self.relay_only && self.own_relay()
    }

    /// Draws the window; returns whether it stays open. `timecode` reads a frame as the
    /// file's timecode.
    pub fn show(
        &mut self,
        ctx: &egui::Context,
        view: Option<&TogetherView>,
        timecode: &dyn Fn(u64) -> String,
        events: &mut Vec<TogetherEvent>,
    ) -> bool {
        let mut open = true;
        // Bottom right: the picture's top (where a burnt-in code or title sits) stays clear.
        let corner = ctx.content_rect().right_bottom() - egui::vec2(16.0, 110.0);
        egui::Window::new("Review together")
            .open(&mut open)
            .pivot(egui::Align2::RIGHT_BOTTOM)
            .default_pos(corner)
            .default_width(460.0)
            .resizable(true)
            .show(ctx, |ui| match view {
                None => self.start(ui, events),
                Some(v) => session(ui, v, timecode, events),
            });
        open
    }

    fn start(&mut self, ui: &mut egui::Ui, events: &mut Vec<TogetherEvent>) {
        ui.label(
            "Everyone reviews their own copy of this file: only the transport, who is in and \
             the notes travel, encrypted end to end. Nothing opens a connection until you host \
             or join.",
        );
        ui.add_space(6.0);
        egui::Grid::new("together-start").show(ui, |ui| {
            let label = ui.label("Your name");
            ui.text_edit_singleline(&mut self.name)
                .labelled_by(label.id);
            ui.end_row();
            ui.label("Relay");
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.relay, "public".into(), "public");
                ui.selectable_value(&mut self.relay, "none".into(), "none (same network)");
            })
            .response
            .on_hover_text("Or type a facility relay's URL below");
            ui.end_row();
            ui.label("");
            ui.text_edit_singleline(&mut self.relay)
                .accessible_name("Relay URL");
            ui.end_row();
            ui.label("");
            let own = self.own_relay();
            ui.add_enabled(
                own,
                egui::Checkbox::new(&mut self.relay_only, "Only through this relay"),
            )
            .on_hover_text(
                "Never a direct connection: everything goes through your facility's relay, \
                 for networks that allow nothing else",
            )
            .on_disabled_hover_text("Needs your facility's relay URL above");
            ui.end_row();
        });
        let named = !self.name.trim().is_empty();
        ui.add_space(6.0);
        if ui
            .add_enabled(named, egui::Button::new("Host this review"))
            .on_hover_text("Get an invitation to paste into any chat")
            .clicked()
        {
            events.push(TogetherEvent::Host {
                name: self.name.trim().to_owned(),
                relay: self.relay.clone(),
                relay_only: self.relay_only(),
            });
        }
        ui.separator();
        ui.label("Or paste an invitation:");
        ui.add(
            egui::TextEdit::multiline(&mut self.invitation)
                .desired_rows(2)
                .hint_text("earmark-invite:…"),
        );
        let pasted = self.invitation.trim().starts_with("earmark-invite:");
        if ui
            .add_enabled(named && pasted, egui::Button::new("Join"))
            .clicked()
        {
            events.push(TogetherEvent::Join {
                name: self.name.trim().to_owned(),
                relay: self.relay.clone(),
                relay_only: self.relay_only(),
                invitation: self.invitation.trim().to_owned(),
            });
        }
    }
}

/// A running (or ended) session: its state, the invitation, and everyone in it.
fn session(
    ui: &mut egui::Ui,
    v: &TogetherView,
    timecode: &dyn Fn(u64) -> String,
    events: &mut Vec<TogetherEvent>,
) {
    ui.strong(&v.state);
    if let Some(inv) = &v.invitation {
        ui.horizontal(|ui| {
            ui.label("Invitation:");
            if ui.button("Copy").clicked() {
                ui.ctx().copy_text(inv.clone());
            }
        });
        ui.add(
            egui::Label::new(egui::RichText::new(inv).monospace().small())
                .wrap_mode(egui::TextWrapMode::Wrap),
        );
    }
    for who in &v.requests {
        ui.horizontal(|ui| {
            ui.label(format!("{who} asks for control"));
            if ui.button("Give").clicked() {
                events.push(TogetherEvent::Give(who.clone()));
            }
        });
    }
    ui.separator();
    egui::Grid::new("together-seats")
        .striped(true)
        .num_columns(5)
        .show(ui, |ui| {
            ui.strong("Who");
            ui.strong("Frame");
            ui.strong("Round trip");
            ui.strong("Listening on");
            ui.label("");
            ui.end_row();
            for seat in &v.seats {
                let mut name = seat.name.clone();
                if seat.host {
                    name.push_str(" (host)");
                }
                if seat.me {
                    name.push_str(" — you");
                }
                let label = egui::RichText::new(name);
                ui.label(if seat.control { label.strong() } else { label })
                    .on_hover_text(if seat.control {
                        "holds the transport"
                    } else {
                        "follows the transport"
                    });
                ui.label(seat.frame.map_or_else(|| "—".into(), timecode));
                ui.label(seat.round_trip_ms.map_or_else(
                    || "—".into(),
                    |ms| {
                        if ms == 0 {
                            "under 1 ms".into()
                        } else {
                            format!("{ms} ms")
                        }
                    },
                ));
                ui.label(seat.listening.as_deref().unwrap_or("not told"));
                ui.horizontal(|ui| {
                    if v.hosting && !seat.me {
                        if !seat.control
                            && ui
                                .small_button("Give control")
                                .accessible_name(format!("Give control to {}", seat.name))
                                .clicked()
                        {
                            events.push(TogetherEvent::Give(seat.name.clone()));
                        }
                        if ui
                            .small_button("Remove")
                            .accessible_name(format!("Remove {}", seat.name))
                            .clicked()
                        {
                            events.push(TogetherEvent::Remove(seat.name.clone()));
                        }
                    }
                    if v.hosting
                        && seat.me
                        && !seat.control
                        && ui.small_button("Take back").clicked()
                    {
                        events.push(TogetherEvent::Give(seat.name.clone()));
                    }
                });
                ui.end_row();
            }
        });
    ui.separator();
    ui.horizontal(|ui| {
        if !v.hosting
            && !v.i_have_control
            && v.ended.is_none()
            && ui.button("Ask for control").clicked()
        {
            events.push(TogetherEvent::AskControl);
        }
        if v.ended.is_none() {
            let leave = if v.hosting {
                "End for everyone"
            } else {
                "Leave"
            };
            if ui.button(leave).clicked() {
                events.push(TogetherEvent::Leave);
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::together::session::Seat;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    struct State {
        window: TogetherWindow,
        view: Option<TogetherView>,
        events: Vec<TogetherEvent>,
    }

    fn harness(window: TogetherWindow, view: Option<TogetherView>) -> Harness<'static, State> {
        let state = State {
            window,
            view,
            events: Vec::new(),
        };
        Harness::builder()
            .with_size(egui::vec2(700.0, 500.0))
            // Names in any script, drawn as the window draws them.
            .with_context_setup(|ctx| ctx.add_font_provider(crate::script::system_font_provider()))
            .build_ui_state(
                |ui, s: &mut State| {
                    let ctx = ui.ctx().clone();
                    let tc = |f: u64| format!("frame {f}");
                    s.window.show(&ctx, s.view.as_ref(), &tc, &mut s.events);
                },
                state,
            )
    }

    fn seat(name: &str, host: bool, control: bool, me: bool) -> Seat {
        Seat {
            name: name.into(),
            host,
            control,
            me,
            frame: Some(48),
            round_trip_ms: Some(0),
            listening: Some("Review · stereo".into()),
        }
    }

    fn hosting() -> TogetherView {
        TogetherView {
            hosting: true,
            host_name: "Jo".into(),
            state: "hosting".into(),
            invitation: Some("earmark-invite:abc".into()),
            seats: vec![
                seat("Jo", true, true, true),
                seat("Ana", false, false, false),
                seat("민준", false, false, false),
            ],
            requests: vec!["Ana".into()],
            i_have_control: true,
            ended: None,
        }
    }

    #[test]
    fn the_host_gives_control_removes_and_answers_a_request() {
        let mut h = harness(TogetherWindow::new("Jo"), Some(hosting()));
        h.run();
        h.get_by_label("Give control to 민준").click();
        h.run();
        h.get_by_label("Remove Ana").click();
        h.run();
        h.get_by_label("Give").click();
        h.run();
        assert!(h.query_by_label("Ana asks for control").is_some());
        assert_eq!(
            h.query_all_by_label("frame 48").count(),
            3,
            "each seat's frame"
        );
        assert_eq!(
            h.state().events,
            vec![
                TogetherEvent::Give("민준".into()),
                TogetherEvent::Remove("Ana".into()),
                TogetherEvent::Give("Ana".into()),
            ]
        );
        // The host has no button to remove or hand control to itself.
        assert!(h.query_by_label("Remove Jo").is_none());
        h.get_by_label("End for everyone").click();
        h.run();
        assert_eq!(h.state().events.last(), Some(&TogetherEvent::Leave));
    }

    #[test]
    fn a_guest_asks_for_control_and_can_leave() {
        let mut view = hosting();
        view.hosting = false;
        view.i_have_control = false;
        view.requests.clear();
        for s in &mut view.seats {
            s.me = s.name == "Ana";
        }
        let mut h = harness(TogetherWindow::new("Ana"), Some(view.clone()));
        h.run();
        assert!(
            h.query_by_label("Give control to 민준").is_none(),
            "guests give nothing"
        );
        h.get_by_label("Ask for control").click();
        h.run();
        h.get_by_label("Leave").click();
        h.run();
        assert_eq!(
            h.state().events,
            vec![TogetherEvent::AskControl, TogetherEvent::Leave]
        );
        // Holding control, there is nothing to ask for.
        view.i_have_control = true;
        let mut h = harness(TogetherWindow::new("Ana"), Some(view));
        h.run();
        assert!(h.query_by_label("Ask for control").is_none());
    }

    #[test]
    fn joining_needs_a_name_and_a_pasted_invitation() {
        let mut window = TogetherWindow::new("  ");
        window.invitation = " earmark-invite:xyz \n".into();
        let mut h = harness(window, None);
        h.run();
        // No name: neither button does anything.
        h.get_by_label("Host this review").click();
        h.get_by_label("Join").click();
        h.run();
        assert!(h.state().events.is_empty());
        h.state_mut().window.name = "하은".into();
        h.run();
        h.get_by_label("Join").click();
        h.run();
        assert_eq!(
            h.state().events,
            vec![TogetherEvent::Join {
                name: "하은".into(),
                relay: "public".into(),
                relay_only: false,
                invitation: "earmark-invite:xyz".into(),
            }]
        );
    }

    #[test]
    fn only_through_the_relay_needs_a_facility_relay() {
        let mut h = harness(TogetherWindow::new("Jo"), None);
        h.run();
        // The public relay cannot be asked to carry everything: the box does nothing.
        h.get_by_label("Only through this relay").click();
        h.run();
        h.get_by_label("Host this review").click();
        h.run();
        // A facility's relay can.
        h.state_mut().window.relay = "https://relay.example.org".into();
        h.run();
        h.get_by_label("Only through this relay").click();
        h.run();
        h.get_by_label("Host this review").click();
        h.run();
        // Back to none: the tick stays, but nothing is asked of a relay that is not there.
        h.state_mut().window.relay = "none".into();
        h.run();
        h.get_by_label("Host this review").click();
        h.run();
        let only: Vec<(String, bool)> = h
            .state()
            .events
            .iter()
            .filter_map(|e| match e {
                TogetherEvent::Host {
                    relay, relay_only, ..
                } => Some((relay.clone(), *relay_only)),
                _ => None,
            })
            .collect();
        assert_eq!(
            only,
            vec![
                ("public".into(), false),
                ("https://relay.example.org".into(), true),
                ("none".into(), false),
            ]
        );
    }
}
