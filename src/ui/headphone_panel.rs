//! The headphone section at the top of the side panel: what is on the reviewer's head (or
//! "Unknown headphones — choose…"), a searchable picker to declare it for this output, the
//! chain's warnings in plain words, the estimated level at the ear, the listening-band alert
//! and the weekly dose.
//!
//! It stays a few lines tall when all is well, so the file loudness and the meters below remain
//! in view; details (assumptions, the full wording of a warning) are in the hover text.

use super::headphone_setup::HeadphoneSetup;
use crate::headphones::level_guard::Severity;
use crate::headphones::listening_level::Missing;
use crate::headphones::{HeadphoneProfile, IdentifiedBy, Recognition, Warning};
use crate::player::{DIALOGUE_BASIS, ListeningView};
use eframe::egui;

const AMBER: egui::Color32 = egui::Color32::from_rgb(240, 180, 60);
const RED: egui::Color32 = egui::Color32::from_rgb(240, 90, 80);
const GREY: egui::Color32 = egui::Color32::from_gray(150);

/// The picker's state between frames (kept in egui's memory, so the app holds nothing).
#[derive(Clone, Debug, Default)]
struct Picker {
    open: bool,
    filter: String,
}

/// Draws the section; declarations made in it are saved at once.
pub fn show(ui: &mut egui::Ui, setup: &mut HeadphoneSetup) {
    let id = egui::Id::unique("headphone-picker");
    let mut picker: Picker = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let Some(r) = setup.recognition().cloned() else {
        ui.horizontal(|ui| {
            ui.strong("Headphones");
            ui.label("no output device open");
        });
        return;
    };
    let device = setup.device().unwrap_or_default().to_owned();
    heading(ui, &r, &device, &mut picker);
    if picker.open {
        picker_ui(ui, setup, &mut picker);
    }
    for w in &r.warnings {
        let (text, colour) = headline(w);
        ui.add(egui::Label::new(egui::RichText::new(text).color(colour)).wrap())
            .on_hover_text(w.message());
    }
    level(ui, setup.monitor().view());
    ui.data_mut(|d| d.insert_temp(id, picker));
}

/// "Headphones: Sennheiser HD 650 (declared for '…')" and the choose/change button.
fn heading(ui: &mut egui::Ui, r: &Recognition, device: &str, picker: &mut Picker) {
    ui.horizontal_wrapped(|ui| {
        let button = match &r.headphones {
            Some(h) => {
                ui.strong(format!("Headphones: {}", h.profile.name()));
                let how = match &h.by {
                    IdentifiedBy::Declared => format!("(declared for '{device}')"),
                    _ => format!("(recognised from '{device}')"),
                };
                ui.label(egui::RichText::new(how).color(GREY));
                "Change…"
            }
            None => {
                ui.strong("Unknown headphones");
                "Choose…"
            }
        };
        let label = if picker.open { "Done" } else { button };
        if ui.small_button(label).clicked() {
            picker.open = !picker.open;
        }
    });
    let via: Vec<String> = r
        .amplifier
        .iter()
        .map(|a| a.name())
        .chain(r.output.iter().map(|o| o.profile.name()))
        .collect();
    if !via.is_empty() {
        ui.label(egui::RichText::new(format!("via {}", via.join(", "))).color(GREY));
    }
}

/// The searchable model list and the amplifier choice.
fn picker_ui(ui: &mut egui::Ui, setup: &mut HeadphoneSetup, picker: &mut Picker) {
    let declared = setup.declared_headphones().map(str::to_owned);
    let find = ui.label("Find your model:");
    ui.add(
        egui::TextEdit::singleline(&mut picker.filter)
            .hint_text("e.g. HD 650, DT 770 80")
            .desired_width(f32::INFINITY),
    )
    .labelled_by(find.id);
    let mut chosen = None;
    egui::ScrollArea::vertical()
        .id_salt("headphone-models")
        .max_height(140.0)
        .show(ui, |ui| {
            for hp in matching(setup.catalog().headphones(), &picker.filter) {
                let on = declared.as_deref() == Some(hp.id.as_str());
                if ui
                    .selectable_label(on, hp.name())
                    .on_hover_text(hp.summary())
                    .clicked()
                {
                    chosen = Some(hp.id.clone());
                }
            }
        });
    if let Some(id) = chosen {
        setup.declare_headphones(&id);
        picker.open = false;
    }
    let amp = setup.declared_amplifier().map(str::to_owned);
    let amp_name = amp
        .as_deref()
        .and_then(|a| setup.catalog().device(a))
        .map_or_else(|| "none".to_owned(), |d| d.name());
    let mut new_amp = None;
    ui.horizontal(|ui| {
        egui::ComboBox::from_label("amplifier / DAC in between")
            .selected_text(amp_name)
            .show_ui(ui, |ui| {
                if ui.selectable_label(amp.is_none(), "none").clicked() {
                    new_amp = Some(None);
                }
                for d in setup
                    .catalog()
                    .devices()
                    .iter()
                    .filter(|d| d.kind.is_amplifier())
                {
                    let on = amp.as_deref() == Some(d.id.as_str());
                    if ui.selectable_label(on, d.name()).clicked() {
                        new_amp = Some(Some(d.id.clone()));
                    }
                }
            });
    });
    if let Some(a) = new_amp {
        setup.declare_amplifier(a.as_deref());
    }
    if declared.is_some() && ui.small_button("Forget this output").clicked() {
        setup.forget();
    }
}

/// Profiles whose name, id or aliases hold every word typed (all of them for an empty filter).
fn matching<'a>(all: &'a [HeadphoneProfile], filter: &str) -> Vec<&'a HeadphoneProfile> {
    let squash = |s: &str| {
        s.to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .collect::<String>()
    };
    let words: Vec<String> = squash(filter)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    all.iter()
        .filter(|h| {
            let mut hay = format!("{} {} {}", h.name(), h.id, h.aliases.join(" "));
            hay = squash(&hay);
            let joined: String = hay.split_whitespace().collect();
            words
                .iter()
                .all(|w| hay.contains(w.as_str()) || joined.contains(w.as_str()))
        })
        .collect()
}

/// A warning's short form for the panel (the full wording is the hover text), and its colour.
fn headline(w: &Warning) -> (String, egui::Color32) {
    match w {
        Warning::Bluetooth { .. } => (
            "Bluetooth output: added delay and a lossy codec — not for critical review".into(),
            RED,
        ),
        Warning::UnknownHeadphones => (
            "Wired headphones cannot be detected: choose your model".into(),
            AMBER,
        ),
        Warning::UnknownProfile { id } => (
            format!("The declared model '{id}' has no profile now"),
            AMBER,
        ),
        Warning::NotListed { headphones } => {
            (format!("{headphones} is not on the approved list"), AMBER)
        }
        Warning::NeedsAmplifier { .. } => {
            ("Needs a headphone amplifier: none declared".into(), AMBER)
        }
        Warning::SourceTooWeak { max_spl_db, .. } => (
            format!("Source too weak: about {max_spl_db:.0} dB SPL at most"),
            AMBER,
        ),
        Warning::SourceImpedance { .. } => (
            "Output impedance too high for these headphones".into(),
            AMBER,
        ),
        Warning::DeviceDsp { device, .. } => (
            format!("{device} has its own EQ/crossfeed: switch it off"),
            AMBER,
        ),
        Warning::UnverifiedEstimate { .. } => {
            ("Level estimate uses unchecked figures".into(), GREY)
        }
    }
}

/// The level at the ear, the band alert and the weekly dose.
fn level(ui: &mut egui::Ui, v: &ListeningView) {
    super::level_light::show(ui, v);
    match &v.estimate {
        _ if v.muted => {
            ui.label("At the ear: muted");
        }
        Ok(e) => {
            let mut why = String::from("Assumes:");
            for a in &e.assumptions {
                why.push_str(&format!(
                    "\n• {} (±{:.1} dB)",
                    a.describe(),
                    a.plus_minus_db()
                ));
            }
            why.push_str(&format!(
                "\nWorst case ±{:.0} dB. Short-term loudness + the chain's gain + Earmark's gain.",
                e.worst_case_db
            ));
            let calibrated = if v.calibrated { " · calibrated" } else { "" };
            ui.label(format!("At the ear: {}{calibrated}", e.label()))
                .on_hover_text(why);
        }
        Err(missing) if missing.as_slice() == [Missing::ProgrammeLevel] => {
            ui.label("At the ear: — (nothing playing)");
        }
        Err(missing) => {
            let why: Vec<&str> = missing
                .iter()
                .filter(|m| **m != Missing::ProgrammeLevel)
                .map(|m| m.message())
                .collect();
            let short = if missing.contains(&Missing::Sensitivity) {
                "choose your headphones"
            } else {
                "needs the level calibration"
            };
            ui.label(egui::RichText::new(format!("At the ear: unknown — {short}")).color(GREY))
                .on_hover_text(format!(
                    "The level estimate cannot be made: {}.",
                    why.join("; ")
                ));
        }
    }
    if let Some(alert) = v.alert {
        let colour = match alert.severity() {
            Severity::Caution => AMBER,
            Severity::Danger => RED,
        };
        egui::Frame::new()
            .stroke(egui::Stroke::new(1.5, colour))
            .inner_margin(4.0)
            .corner_radius(3.0)
            .show(ui, |ui| {
                ui.add(
                    egui::Label::new(egui::RichText::new(alert.message()).color(colour).strong())
                        .wrap(),
                )
                .on_hover_text(DIALOGUE_BASIS);
            });
    }
    // Never "-0 %": an empty week sums to −0.0.
    let pct = v.dose_percent.max(0.0) + 0.0;
    let text = if pct > 0.0 && pct < 1.0 {
        "This week: < 1 % of the WHO weekly dose".to_owned()
    } else {
        format!("This week: {pct:.0} % of the WHO weekly dose")
    };
    let colour = if pct >= 100.0 {
        RED
    } else if pct >= 80.0 {
        AMBER
    } else {
        ui.visuals().text_color()
    };
    ui.label(egui::RichText::new(text).color(colour))
        .on_hover_text(
            "WHO/ITU-T H.870 safe listening: 80 dB(A) for 40 hours a week, every +3 dB halves the \
         time. Counted from the level estimate while playing, over the last seven days.",
        );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headphones::declarations::DECLARATIONS_FILE;
    use crate::headphones::{Catalog, Declarations, LevelGuardConfig};
    use crate::meters::MeterSnapshot;
    use crate::player::{ListeningMonitor, Snapshot, Transport};
    use egui_kittest::Harness;
    use egui_kittest::kittest::{NodeT as _, Queryable as _};
    use std::path::PathBuf;

    const JACK: &str = "Built-in Audio Analog Stereo";

    fn on(device: &str) -> Snapshot {
        Snapshot {
            device: Some(device.into()),
            has_audio: true,
            ..Snapshot::default()
        }
    }

    fn setup(device: &str, declarations: Option<PathBuf>) -> HeadphoneSetup {
        let catalog = Catalog::load_standard().catalog;
        let monitor = ListeningMonitor::new(LevelGuardConfig::default(), None, 0);
        let mut s = HeadphoneSetup::new(catalog, declarations, monitor);
        s.update(&on(device), None, 0);
        s
    }

    fn harness(setup: HeadphoneSetup) -> Harness<'static, HeadphoneSetup> {
        Harness::builder()
            .with_size(egui::vec2(320.0, 600.0))
            .build_ui_state(|ui, s: &mut HeadphoneSetup| show(ui, s), setup)
    }

    #[test]
    fn declaring_a_model_in_the_picker_saves_it_for_this_output() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(DECLARATIONS_FILE);
        let mut h = harness(setup(JACK, Some(path.clone())));
        h.run();
        assert!(h.query_by_label("Unknown headphones").is_some());
        assert!(
            h.query_by_label_contains("cannot be detected").is_some(),
            "no unknown-headphones warning"
        );
        h.get_by_label("Choose…").click();
        h.run();
        let field = h.get_by_role(egui::accesskit::Role::TextInput);
        field.focus();
        h.run();
        h.get_by_role(egui::accesskit::Role::TextInput)
            .type_text("hd 650");
        h.run();
        assert!(
            h.query_by_label("Sennheiser HD 600").is_none(),
            "filter let the HD 600 through"
        );
        h.get_by_label("Sennheiser HD 650").click();
        h.run();
        let saved = Declarations::load(&path).expect("declarations saved");
        assert_eq!(
            saved.get(JACK).and_then(|d| d.headphones.as_deref()),
            Some("sennheiser.hd650")
        );
        assert!(h.query_by_label("Headphones: Sennheiser HD 650").is_some());
        assert!(
            h.query_by_label(&format!("(declared for '{JACK}')"))
                .is_some()
        );
        assert!(
            h.query_by_label_contains("Needs a headphone amplifier: none declared")
                .is_some()
        );
        // The next launch (a fresh setup reading the same file) knows the model.
        let again = setup(JACK, Some(path));
        let hp = again.recognition().and_then(|r| r.headphones.as_ref());
        assert_eq!(hp.map(|h| h.profile.id.as_str()), Some("sennheiser.hd650"));
    }

    #[test]
    fn a_bluetooth_output_is_flagged() {
        let mut h = harness(setup("bluez_output.00_1B_66_AA_BB_CC.1", None));
        h.run();
        let w = h.get_by_label_contains("Bluetooth output");
        let text = format!(
            "{:?} {:?}",
            w.accesskit_node().label(),
            w.accesskit_node().value()
        );
        assert!(text.contains("not for critical review"), "{text}");
    }

    #[test]
    fn over_the_ceiling_shows_the_red_alert_and_the_dose() {
        let mut s = setup(JACK, None);
        s.declare_headphones("sennheiser.hd650");
        // HD 650 on a 1 Vrms jack: −2 LUFS plays at about 101 dB SPL.
        let playing = Snapshot {
            transport: Transport::Playing { speed: 1 },
            ..on(JACK)
        };
        for i in 0..=20 {
            let m = MeterSnapshot {
                seconds: f64::from(i) * 0.1,
                short_term: -2.0,
                ..MeterSnapshot::default()
            };
            s.update(&playing, Some(&m), 0);
        }
        let mut h = harness(s);
        h.run();
        let alert = h.get_by_label_contains("Over the safe-listening limit");
        let text = format!(
            "{:?} {:?}",
            alert.accesskit_node().label(),
            alert.accesskit_node().value()
        );
        assert!(text.contains("Turn down now"), "{text}");
        assert!(
            h.query_by_label_contains("≤ 101 dB SPL (estimate")
                .is_some()
        );
        assert!(
            h.query_by_label_contains("of the WHO weekly dose")
                .is_some()
        );
        assert_eq!(
            h.state().monitor().view().alert.map(|a| a.severity()),
            Some(Severity::Danger)
        );
    }
}
