//! The delivery check in the side panel and its status-bar badge: does the open file meet the
//! chosen delivery profile (PIX Standard, Screening Room, Content Hub, or the user's own), and for
//! every rule that does not, what was measured, why it matters and how to fix it.
//!
//! The check runs in the background when a file opens ([`SpecJob`]); until it is done the
//! section says so and playback is never held up. Every profile is judged at once, so switching
//! the profile here only changes what is shown.

use crate::analysis::SpecState;
use crate::player::{SpecReport, SpecStatus};
use eframe::egui;

const AMBER: egui::Color32 = egui::Color32::from_rgb(240, 180, 60);
const RED: egui::Color32 = egui::Color32::from_rgb(240, 90, 80);
const GREEN: egui::Color32 = egui::Color32::from_rgb(120, 210, 120);

/// What the section asks for.
pub enum SpecEvent {
    /// The reviewer picked another profile (its id).
    Profile(String),
}

/// The verdict in a few words and its colour, for the section header and the status bar.
pub fn verdict_words(report: &SpecReport) -> (String, egui::Color32) {
    let count = |s: SpecStatus| report.rules.iter().filter(|r| r.status == s).count();
    let (fails, warns) = (count(SpecStatus::Fail), count(SpecStatus::Warn));
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    match (report.pass, warns) {
        (false, 0) => (format!("FAIL ({})", plural(fails, "rule")), RED),
        (false, w) => (
            format!("FAIL ({}, {})", plural(fails, "rule"), plural(w, "warning")),
            RED,
        ),
        (true, 0) => ("PASS".into(), GREEN),
        (true, w) => (format!("PASS ({})", plural(w, "warning")), AMBER),
    }
}

/// The status bar's badge: words and colour.
pub fn badge(state: &SpecState, profile: &str) -> (String, Option<egui::Color32>) {
    match state {
        SpecState::Running => ("Spec: checking…".into(), None),
        SpecState::Failed(_) => ("Spec: could not read the file".into(), Some(RED)),
        SpecState::Done(results) => match results.for_profile(profile) {
            Some((_, name, report)) => {
                let (words, colour) = verdict_words(report);
                (format!("Spec {name}: {words}"), Some(colour))
            }
            None => ("Spec: no profiles".into(), Some(AMBER)),
        },
    }
}

/// Draws the section; `open_now` forces it open (the badge was clicked).
pub fn show(
    ui: &mut egui::Ui,
    state: &SpecState,
    profile: &str,
    open_now: bool,
) -> Option<SpecEvent> {
    let mut event = None;
    let id = ui.make_persistent_id("delivery-check");
    let failing = match state {
        SpecState::Done(r) => r.for_profile(profile).is_some_and(|(_, _, r)| !r.pass),
        SpecState::Failed(_) => true,
        SpecState::Running => false,
    };
    let mut section =
        egui::collapsing_header::CollapsingState::load_with_default_open(ui.ctx(), id, failing);
    if open_now {
        section.set_open(true);
        ui.scroll_to_cursor(Some(egui::Align::TOP));
    }
    let header = section.show_header(ui, |ui| {
        ui.strong("Delivery check");
        match state {
            SpecState::Running => {
                ui.spinner();
                ui.weak("checking…");
            }
            SpecState::Failed(_) => {
                ui.colored_label(RED, "could not read");
            }
            SpecState::Done(results) => {
                if let Some((_, _, report)) = results.for_profile(profile) {
                    let (words, colour) = verdict_words(report);
                    ui.colored_label(colour, words);
                }
            }
        }
    });
    header.body(|ui| match state {
        SpecState::Running => {
            ui.weak("Reading the file's structure…");
        }
        SpecState::Failed(why) => {
            ui.colored_label(RED, why);
        }
        SpecState::Done(results) => {
            let Some((shown, name, report)) = results.for_profile(profile) else {
                ui.weak("No delivery profiles are installed.");
                return;
            };
            ui.horizontal(|ui| {
                let label = ui.label("Profile");
                egui::ComboBox::from_id_salt("spec-profile")
                    .selected_text(name.as_str())
                    .show_ui(ui, |ui| {
                        for (id, name, _) in &results.reports {
                            if ui.selectable_label(id == shown, name.as_str()).clicked() {
                                event = Some(SpecEvent::Profile(id.clone()));
                            }
                        }
                    })
                    .response
                    .on_hover_text("Delivery spec the file is judged against")
                    .labelled_by(label.id);
            });
            for w in &results.profile_warnings {
                ui.colored_label(AMBER, w);
            }
            rules(ui, report);
        }
    });
    event
}

/// Failing rules first, then warnings, each with its reasons; the passes folded away.
fn rules(ui: &mut egui::Ui, report: &SpecReport) {
    for status in [SpecStatus::Fail, SpecStatus::Warn, SpecStatus::Info] {
        for r in report.rules.iter().filter(|r| r.status == status) {
            let colour = match status {
                SpecStatus::Fail => RED,
                SpecStatus::Warn => AMBER,
                _ => ui.visuals().weak_text_color(),
            };
            ui.horizontal_wrapped(|ui| {
                ui.colored_label(colour, status.name().to_uppercase());
                ui.strong(r.id.as_str());
                ui.label(&r.measured);
            })
            .response
            .on_hover_text(format!("expected: {}", r.expected));
            ui.indent(r.id, |ui| {
                ui.label(&r.message);
                if !r.fix.is_empty() {
                    ui.weak(format!("Fix: {}", r.fix));
                }
            });
        }
    }
    let passes: Vec<_> = report
        .rules
        .iter()
        .filter(|r| r.status == SpecStatus::Pass)
        .collect();
    if passes.is_empty() {
        return;
    }
    egui::CollapsingHeader::new(format!("{} rules pass", passes.len()))
        .id_salt("spec-passes")
        .show(ui, |ui| {
            egui::Grid::new("spec-pass-grid")
                .num_columns(2)
                .show(ui, |ui| {
                    for r in passes {
                        ui.label(r.id.as_str());
                        ui.weak(&r.measured);
                        ui.end_row();
                    }
                });
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::SpecResults;
    use crate::delivery::{RuleId, RuleResult};
    use std::sync::Arc;

    fn rule(id: RuleId, status: SpecStatus) -> RuleResult {
        RuleResult {
            id,
            status,
            measured: String::new(),
            expected: String::new(),
            message: String::new(),
            fix: String::new(),
        }
    }

    #[test]
    fn verdicts_count_fails_and_warnings() {
        let words = |rules| verdict_words(&SpecReport::new("p", rules)).0;
        assert_eq!(
            words(vec![rule(RuleId::FastStart, SpecStatus::Pass)]),
            "PASS"
        );
        assert_eq!(
            words(vec![
                rule(RuleId::FastStart, SpecStatus::Warn),
                rule(RuleId::NoCmov, SpecStatus::Pass)
            ]),
            "PASS (1 warning)"
        );
        assert_eq!(
            words(vec![
                rule(RuleId::FastStart, SpecStatus::Fail),
                rule(RuleId::NoCmov, SpecStatus::Fail),
                rule(RuleId::FrameSize, SpecStatus::Warn),
                rule(RuleId::Timecode, SpecStatus::Warn),
            ]),
            "FAIL (2 rules, 2 warnings)"
        );
    }

    #[test]
    fn badge_names_the_profile() {
        let results = SpecResults {
            reports: vec![(
                "pix-standard".into(),
                "PIX Standard".into(),
                SpecReport::new(
                    "pix-standard",
                    vec![rule(RuleId::FastStart, SpecStatus::Fail)],
                ),
            )],
            profile_warnings: vec![],
        };
        let state = SpecState::Done(Arc::new(results));
        assert_eq!(
            badge(&state, "pix-standard").0,
            "Spec PIX Standard: FAIL (1 rule)"
        );
        assert_eq!(badge(&SpecState::Running, "x").0, "Spec: checking…");
    }
}
