//! The window's side of reviewing together: starting a session (File → Review together…, or
//! `--host` / `--join` on the command line), polling it every frame, showing what it says and
//! its window. The session itself (network, following, presence, notes) is
//! `together::session`; the window only hands it intents and draws its view.

use super::*;
use crate::together::link::Relay;
use crate::together::session::{Said, SharedReview};
use crate::ui::together_window::{TogetherEvent, TogetherWindow};

/// A session is polled at least this often, idle or not: the others' moves and notes arrive
/// whether or not this window has anything to paint.
const POLL_EVERY: Duration = Duration::from_millis(30);

impl ReviewApp {
    /// File → Review together…
    pub(super) fn open_together(&mut self) {
        if self.view.together.is_none() {
            self.view.together = Some(TogetherWindow::new(&self.settings.reviewer));
        }
    }

    /// Starts what the command line asked for, once the file is open.
    pub(super) fn start_together(&mut self, setup: &TogetherSetup) {
        let name = setup
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| self.settings.reviewer.clone());
        let name = if name.trim().is_empty() {
            "a reviewer".to_owned()
        } else {
            name
        };
        let event = match &setup.join {
            Some(invitation) => TogetherEvent::Join {
                name,
                relay: setup.relay.clone(),
                relay_only: setup.relay_only,
                invitation: invitation.clone(),
            },
            None => TogetherEvent::Host {
                name,
                relay: setup.relay.clone(),
                relay_only: setup.relay_only,
            },
        };
        self.together_hours = setup.hours.max(1);
        self.view.together = Some(TogetherWindow::new(&self.settings.reviewer));
        self.together_event(event);
    }

    fn together_event(&mut self, event: TogetherEvent) {
        let Some(s) = self.session.as_mut() else {
            self.view.banner = Some("Open a file to review together.".into());
            return;
        };
        let parse = |relay: &str, only: bool| {
            Relay::parse(relay).and_then(|r| if only { r.relay_only() } else { Ok(r) })
        };
        let started = match event {
            TogetherEvent::Host {
                name,
                relay,
                relay_only,
            } => parse(&relay, relay_only)
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    SharedReview::host(&s.review, &name, r, self.together_hours)
                        .map_err(|e| e.to_string())
                }),
            TogetherEvent::Join {
                name,
                relay,
                relay_only,
                invitation,
            } => parse(&relay, relay_only)
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    SharedReview::join(&s.review, &name, r, &invitation).map_err(|e| e.to_string())
                }),
            other => {
                if let Some(t) = s.together.as_mut() {
                    match other {
                        TogetherEvent::Give(name) => t.give_control(&name),
                        TogetherEvent::Remove(name) => t.remove(&name),
                        TogetherEvent::AskControl => t.ask_control(),
                        TogetherEvent::Leave => t.leave(),
                        TogetherEvent::Host { .. } | TogetherEvent::Join { .. } => {}
                    }
                }
                return;
            }
        };
        match started {
            Ok(t) => s.together = Some(t),
            Err(e) => self.view.banner = Some(format!("Could not review together: {e}")),
        }
    }

    /// Takes in what the session brought this frame and shows what it says.
    pub(super) fn poll_together(&mut self, ctx: &egui::Context) {
        let listening = self.together_listening();
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let Some(t) = s.together.as_mut() else {
            return;
        };
        for said in t.poll(&mut s.review, Some(&listening)) {
            match said {
                Said::Line(line) => {
                    eprintln!("notice: together: {line}");
                    // What answers the reviewer's own keys, or stops their playback, is shown.
                    if line.contains("ask for control") || line.starts_with("lost the connection") {
                        self.view.banner = Some(line);
                    } else if line.starts_with("joined ")
                        && self
                            .view
                            .banner
                            .as_deref()
                            .is_some_and(|b| b.starts_with("lost the connection"))
                    {
                        self.view.banner = None;
                    }
                }
                Said::Invitation(inv) => {
                    // Scripts (and the tests) read the invitation from standard output.
                    println!("invitation: {inv}");
                    use std::io::Write as _;
                    let _ = std::io::stdout().flush();
                    eprintln!("notice: together: invitation ready (File → Review together…)");
                }
                Said::Ended(why) => {
                    eprintln!("notice: together: ended: {why}");
                    self.view.banner = Some(format!("The shared review ended: {why}"));
                }
            }
        }
        if t.ended().is_none() {
            ctx.request_repaint_after(POLL_EVERY);
        }
    }

    /// This reviewer's listening set-up in words, for the others' lists: the headphones and
    /// calibration, and whether the level is in the "full but comfortable" band.
    fn together_listening(&self) -> String {
        let setup = self.headphones.listening_setup().summary();
        let view = self.headphones.monitor().view();
        match view.light.filter(|_| !view.muted) {
            Some(light) => format!("{setup}; level: {}", light.words()),
            None => setup,
        }
    }

    /// The Review together window, while open.
    pub(super) fn together_window(&mut self, ctx: &egui::Context) {
        let Some(mut w) = self.view.together.take() else {
            return;
        };
        let view = self
            .session
            .as_ref()
            .and_then(|s| s.together.as_ref())
            .map(SharedReview::view);
        let tc = self.session.as_ref().map(|s| *s.player().timecode());
        let timecode =
            |f: u64| tc.map_or_else(|| format!("#{f}"), |tc| tc.at_frame(f as i64).to_string());
        let mut events = Vec::new();
        if w.show(ctx, view.as_ref(), &timecode, &mut events) {
            self.view.together = Some(w);
        }
        for e in events {
            self.together_event(e);
        }
    }

    /// A guest's scripted run waits until it is in and stopped on the host's frame; a session
    /// that ended fails it.
    pub(super) fn together_holds_script(&mut self, ctx: &egui::Context) -> bool {
        let Some(t) = self.session.as_ref().and_then(|s| s.together.as_ref()) else {
            return false;
        };
        if let Some(why) = t.ended() {
            let why = why.to_owned();
            self.fail(ctx, why, true);
            return true;
        }
        let settled = self
            .session
            .as_ref()
            .is_some_and(|s| s.together.as_ref().is_some_and(|t| t.settled(&s.review)));
        !settled
    }
}
