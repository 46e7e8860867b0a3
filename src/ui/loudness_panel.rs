//! The file's loudness in the side panel: the background scan's progress, then its numbers and
//! the verdict against the chosen delivery target; and the timeline strip's curve, reduced to
//! one value per pixel.

use crate::analysis::{CURVE_FLOOR, LoudnessScan, ScanState};
use crate::meters::{PRESETS, Preset};
use eframe::egui;

/// The strip's vertical scale, LUFS (bottom, top).
pub const STRIP_RANGE: (f32, f32) = (-50.0, -10.0);

/// What the panel asks for.
pub enum LoudnessEvent {
    /// The reviewer picked another target.
    Preset(&'static str),
}

const AMBER: egui::Color32 = egui::Color32::from_rgb(240, 180, 60);
const RED: egui::Color32 = egui::Color32::from_rgb(240, 90, 80);
const GREEN: egui::Color32 = egui::Color32::from_rgb(120, 210, 120);

/// Draws the file-loudness section.
pub fn show(ui: &mut egui::Ui, state: &ScanState, preset: &Preset) -> Option<LoudnessEvent> {
    let mut event = None;
    ui.horizontal(|ui| {
        let label = ui.strong("File loudness");
        egui::ComboBox::from_id_salt("loudness-preset")
            .selected_text(preset.name)
            .show_ui(ui, |ui| {
                for p in PRESETS {
                    if ui.selectable_label(p.id == preset.id, p.name).clicked() {
                        event = Some(LoudnessEvent::Preset(p.id));
                    }
                }
            })
            .response
            .on_hover_text("Delivery target the file is judged against")
            .labelled_by(label.id);
    });
    match state {
        ScanState::Running(permille) => {
            ui.add(
                egui::ProgressBar::new(*permille as f32 / 1000.0)
                    .text(format!("Measuring the whole file… {}%", permille / 10)),
            );
        }
        ScanState::Failed(e) => {
            ui.colored_label(RED, format!("Could not measure: {e}"));
        }
        ScanState::NoSound => {
            ui.weak("No sound in this file.");
        }
        ScanState::Done(scan) => summary(ui, scan, preset),
    }
    event
}

fn summary(ui: &mut egui::Ui, scan: &LoudnessScan, preset: &Preset) {
    let r = &scan.report;
    let verdict = preset.judge(&r.measured());
    let v = |x: Option<f64>, unit: &str| match x {
        Some(x) => format!("{x:.1} {unit}"),
        None => "—".into(),
    };
    egui::Grid::new("file-loudness")
        .num_columns(2)
        .show(ui, |ui| {
            let row =
                |ui: &mut egui::Ui, name: &str, text: String, colour: Option<egui::Color32>| {
                    ui.label(name);
                    match colour {
                        Some(c) => ui.colored_label(c, text),
                        None => ui.label(text),
                    };
                    ui.end_row();
                };
            let loud_colour = (!verdict.loudness_ok).then_some(AMBER);
            let dialogue_judged = verdict.judged_on.starts_with("Dialogue");
            row(
                ui,
                "Integrated",
                v(r.integrated_lufs, "LUFS"),
                (!dialogue_judged).then_some(loud_colour).flatten(),
            );
            row(
                ui,
                "Dialogue (est.)",
                format!(
                    "{} ({:.0} % speech)",
                    v(r.dialogue_lufs, "LUFS"),
                    r.speech_fraction * 100.0
                ),
                dialogue_judged.then_some(loud_colour).flatten(),
            );
            row(ui, "Loudness range", v(r.loudness_range_lu, "LU"), None);
            row(
                ui,
                "True peak",
                v(r.true_peak_dbtp, "dBTP"),
                (!verdict.peak_ok).then_some(RED),
            );
            row(ui, "Max momentary", v(r.max_momentary_lufs, "LUFS"), None);
            row(ui, "Max short-term", v(r.max_short_term_lufs, "LUFS"), None);
        });
    let (text, colour) = if verdict.pass {
        (format!("{}: within target", preset.name), GREEN)
    } else if preset.reference_only {
        (format!("{}: off this reference", preset.name), AMBER)
    } else {
        (format!("{}: out of target", preset.name), RED)
    };
    ui.colored_label(colour, text)
        .on_hover_text(format!("Judged on: {}", verdict.judged_on));
    for p in &verdict.problems {
        ui.label(egui::RichText::new(p).small());
    }
    ui.label(
        egui::RichText::new(
            "Dialogue is a voice-detector estimate, not Dolby Dialogue Intelligence.",
        )
        .small()
        .weak(),
    );
}

/// The curve reduced to `width` columns (the loudest value in each), scaled 0…1 on
/// [`STRIP_RANGE`], and the target band on the same scale.
pub fn strip(scan: &LoudnessScan, preset: &Preset, width: usize) -> (Vec<f32>, (f32, f32)) {
    let (lo, hi) = STRIP_RANGE;
    let scale = |v: f32| ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
    let c = &scan.curve;
    let width = width.clamp(1, c.len().max(1));
    let values = (0..width)
        .map(|i| {
            let a = i * c.len() / width;
            let b = ((i + 1) * c.len() / width).max(a + 1).min(c.len());
            let m = c[a.min(c.len().saturating_sub(1))..b]
                .iter()
                .copied()
                .fold(CURVE_FLOOR, f32::max);
            scale(m)
        })
        .collect();
    let tol = preset.tolerance_lu.min(20.0) as f32;
    let t = preset.target_lufs as f32;
    (values, (scale(t - tol), scale(t + tol)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::LoudnessReport;

    fn scan(curve: Vec<f32>) -> LoudnessScan {
        LoudnessScan {
            report: LoudnessReport {
                integrated_lufs: Some(-23.0),
                loudness_range_lu: Some(5.0),
                true_peak_dbtp: Some(-3.0),
                sample_peak_dbfs: Some(-3.5),
                max_momentary_lufs: Some(-18.0),
                max_short_term_lufs: Some(-20.0),
                dialogue_lufs: None,
                speech_fraction: 0.0,
                true_peak_per_channel_dbtp: vec![Some(-3.0), Some(-3.1)],
                duration_s: 10.0,
                sample_rate: 48_000,
                channels: 2,
                layout: "stereo".into(),
                measured_on: "Track 1 of 1 · stereo".into(),
            },
            curve,
        }
    }

    #[test]
    fn the_strip_keeps_the_loudest_value_of_each_column() {
        let mut curve = vec![-40.0; 100];
        curve[57] = -10.0;
        let p = Preset::by_id("ebu-r128").expect("preset");
        let (v, (lo, hi)) = strip(&scan(curve), &p, 10);
        assert_eq!(v.len(), 10);
        assert_eq!(v[5], 1.0);
        assert!((v[0] - 0.25).abs() < 1e-6);
        // −23 ±0.5 on −50…−10.
        assert!((lo - 26.5 / 40.0).abs() < 1e-6 && (hi - 27.5 / 40.0).abs() < 1e-6);
        // Fewer points than pixels: one column per point.
        assert_eq!(strip(&scan(vec![-30.0; 3]), &p, 500).0.len(), 3);
    }
}
