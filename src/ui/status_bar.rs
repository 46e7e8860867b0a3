//! The status bar: output device (Bluetooth flagged), monitoring mode, file and device rates,
//! and — only when they matter — A/V offset, dropped frames, underruns and the player's message.

use crate::player::{MonitorMode, Snapshot, Transport};
use eframe::egui;

const WARN: egui::Color32 = egui::Color32::from_rgb(255, 170, 60);
const BAD: egui::Color32 = egui::Color32::from_rgb(240, 90, 80);

/// A monitoring mode in words, as the status bar and settings show it.
pub fn monitor_label(mode: MonitorMode) -> &'static str {
    match mode {
        MonitorMode::Stereo => "Stereo",
        MonitorMode::Mono => "Mono (L+R)/2",
        MonitorMode::LeftOnly => "Left only",
        MonitorMode::RightOnly => "Right only",
        MonitorMode::Swap => "L/R swapped",
        MonitorMode::Mid => "Mid (L+R)/2",
        MonitorMode::Side => "Side (L−R)/2",
        MonitorMode::LtRtCentre => "Lt/Rt centre",
        MonitorMode::LtRtSurround => "Lt/Rt surround",
    }
}

/// The transport state in words.
pub fn transport_label(t: Transport) -> String {
    match t {
        Transport::Paused => "STOPPED".into(),
        Transport::Starting => "STARTING".into(),
        Transport::Playing { speed: 1 } => "PLAYING".into(),
        Transport::Playing { speed } => format!("SHUTTLE {speed:+}×"),
    }
}

pub fn show(ui: &mut egui::Ui, s: &Snapshot) {
    ui.horizontal_wrapped(|ui| {
        ui.strong(transport_label(s.transport));
        ui.separator();
        match (&s.device, s.has_audio) {
            (_, false) => {
                ui.weak("no sound in this file");
            }
            (Some(d), true) => {
                ui.label(format!("Output: {d}"));
                if s.bluetooth {
                    ui.colored_label(WARN, "Bluetooth: adds latency, lossy codec")
                        .on_hover_text("Set an A/V offset in Settings (Ctrl+,) if picture and sound do not line up.");
                }
            }
            (None, true) => {
                ui.colored_label(BAD, "no output device");
            }
        }
        ui.separator();
        let monitor = monitor_label(s.monitor);
        if s.monitor == MonitorMode::Stereo {
            ui.label(monitor);
        } else {
            // Anything but plain stereo is a check the reviewer must not forget is on.
            ui.colored_label(WARN, monitor);
        }
        if s.muted {
            ui.colored_label(WARN, "MUTED");
        } else if s.gain_db.abs() > 0.05 {
            ui.label(format!("gain {:+.1} dB", s.gain_db));
        }
        if s.has_audio {
            ui.separator();
            if s.device_rate > 0 && s.device_rate != s.file_rate {
                ui.label(format!(
                    "{} Hz file, {} Hz device (resampled)",
                    s.file_rate, s.device_rate
                ));
            } else {
                ui.label(format!("{} Hz", s.file_rate));
            }
        }
        if s.av_offset_ms != 0 {
            ui.separator();
            ui.colored_label(WARN, format!("A/V offset {:+} ms", s.av_offset_ms));
        }
        if s.dropped_frames > 0 {
            ui.separator();
            ui.colored_label(BAD, format!("{} dropped frames", s.dropped_frames));
        }
        if s.underrun_frames > 0 {
            ui.separator();
            ui.colored_label(BAD, format!("{} samples of sound dropout", s.underrun_frames));
        }
        ui.separator();
        ui.weak("? for keys");
    });
}
