//! The level light the reviewer sets their volume by: one coloured line in words ("Too quiet —
//! turn up", "Full but comfortable", "Too loud — turn down"), the advice in the units of their
//! volume control under it, and how sure the estimate is. Drawn from the listening monitor's
//! view; it decides nothing (see `headphones::level_light`).

use crate::headphones::Light;
use crate::headphones::listening_level::Missing;
use crate::player::ListeningView;
use eframe::egui;

const GREEN: egui::Color32 = egui::Color32::from_rgb(70, 170, 90);
const AMBER: egui::Color32 = egui::Color32::from_rgb(230, 170, 40);
const RED: egui::Color32 = egui::Color32::from_rgb(220, 80, 70);
const GREY: egui::Color32 = egui::Color32::from_gray(150);

/// Draws the light (or why there is none yet).
pub fn show(ui: &mut egui::Ui, v: &ListeningView) {
    let Some(light) = v.light.filter(|_| !v.muted) else {
        let why = if v.muted {
            "Level: muted"
        } else if matches!(&v.estimate, Err(m) if m.contains(&Missing::Sensitivity)) {
            "Level: choose your headphones to get advice"
        } else {
            "Level: play the programme to get advice"
        };
        ui.label(egui::RichText::new(why).color(GREY));
        return;
    };
    let colour = match light {
        Light::TooQuiet => AMBER,
        Light::Comfortable => GREEN,
        Light::TooLoud => RED,
    };
    let pill = egui::RichText::new(format!("  {}  ", light.words()))
        .size(18.0)
        .strong()
        .color(egui::Color32::BLACK)
        .background_color(colour);
    let resp = ui.label(pill);
    if let Some(s) = &v.sureness {
        resp.on_hover_text(format!("How sure: {s}."));
    }
    if let Some(a) = &v.advice {
        ui.label(a);
    }
    if let Some(s) = &v.sureness {
        ui.label(
            egui::RichText::new(format!("How sure: {s}."))
                .small()
                .color(GREY),
        );
    }
    if let Some(Err(why)) = &v.system_volume {
        ui.label(egui::RichText::new(why).small().color(GREY));
    }
}
