//! The status bar: output device (Bluetooth flagged), monitoring mode, file and device rates,
//! and — only when they matter — A/V offset, dropped frames, underruns and the player's message;
//! then whether the listening chain passed its calibration checks, and when.

use crate::headphones::CalibrationStatus;
use crate::headphones::calibration_store::now_unix_s;
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

/// How long ago `when` was, in the largest whole unit ("2 d ago", "5 min ago").
pub fn age_words(when: i64, now: i64) -> String {
    let s = (now - when).max(0);
    match s {
        0..60 => "just now".into(),
        60..3600 => format!("{} min ago", s / 60),
        3600..86_400 => format!("{} h ago", s / 3600),
        _ => format!("{} d ago", s / 86_400),
    }
}

/// The calibration badge's words and colour (`None`: plain).
pub fn calibration_badge(status: &CalibrationStatus, now: i64) -> (String, Option<egui::Color32>) {
    match status {
        CalibrationStatus::Passed { when } => {
            (format!("Calibrated {}", age_words(*when, now)), None)
        }
        CalibrationStatus::Stale { .. } => ("Calibration stale".into(), Some(WARN)),
        CalibrationStatus::Failed { which, .. } => {
            let names: Vec<&str> = which.iter().map(|c| c.short()).collect();
            (
                format!("Calibration failed: {}", names.join(", ")),
                Some(BAD),
            )
        }
        CalibrationStatus::Never => ("Not calibrated".into(), Some(WARN)),
    }
}

/// Dropped frames and sound dropouts of the current play (the player counts each play from
/// stopped afresh): red while it plays, grey and "last play" once stopped — a count from a play
/// long over is not an alarm.
pub fn playback_trouble(s: &Snapshot) -> Vec<(String, egui::Color32)> {
    let (colour, last) = if s.transport == Transport::Paused {
        (egui::Color32::from_gray(150), "last play: ")
    } else {
        (BAD, "")
    };
    let mut out = Vec::new();
    if s.dropped_frames > 0 {
        out.push((format!("{last}{} dropped frames", s.dropped_frames), colour));
    }
    if s.underrun_frames > 0 {
        out.push((
            format!("{last}{} samples of sound dropout", s.underrun_frames),
            colour,
        ));
    }
    out
}

/// Draws the status bar; `spec` is the delivery check badge (words, colour; `None`: not shown). True when the
/// reviewer clicked that badge.
pub fn show(
    ui: &mut egui::Ui,
    s: &Snapshot,
    calibration: Option<&CalibrationStatus>,
    spec: Option<&(String, Option<egui::Color32>)>,
) -> bool {
    let mut spec_clicked = false;
    ui.horizontal_wrapped(|ui| {
        ui.strong(transport_label(s.transport));
        ui.separator();
        match (&s.device, s.has_audio) {
            (_, false) => {
                // No sound, or sound Earmark cannot play (the notice says which).
                ui.weak("picture only");
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
        if let Some(label) = &s.audio_label {
            ui.separator();
            ui.label(label)
                .on_hover_text("The sound playing. Choose another track or fold-down in Settings (Ctrl+,).");
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
        for (text, colour) in playback_trouble(s) {
            ui.separator();
            ui.colored_label(colour, text);
        }
        if let Some(signal) = s.signal {
            ui.separator();
            ui.colored_label(WARN, format!("check signal: {}", signal.title()));
        }
        if s.balance_db.abs() > 0.05 {
            ui.separator();
            ui.label(format!("balance {:+.1} dB", s.balance_db));
        }
        if let Some(status) = calibration {
            ui.separator();
            let (text, colour) = calibration_badge(status, now_unix_s());
            let badge = match colour {
                Some(c) => ui.colored_label(c, text),
                None => ui.label(text),
            };
            badge.on_hover_text("Calibration checks: View → Calibration checks… (Ctrl+K)");
        }
        ui.separator();
        // No badge in the Review layout: the delivery check is the sound team's.
        if let Some((words, colour)) = spec {
            let text = match colour {
                Some(c) => egui::RichText::new(words).color(*c),
                None => egui::RichText::new(words),
            };
            spec_clicked = ui
                .add(egui::Label::new(text).sense(egui::Sense::click()))
                .on_hover_text(
                    "Delivery spec check: click for every rule, what was measured and how to fix it",
                )
                .clicked();
            ui.separator();
        }
        ui.weak("? for keys");
    });
    spec_clicked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headphones::CheckId;

    #[test]
    fn dropped_frames_are_red_while_playing_and_grey_once_stopped() {
        let mut s = Snapshot {
            transport: Transport::Playing { speed: 1 },
            dropped_frames: 3,
            ..Snapshot::default()
        };
        assert_eq!(playback_trouble(&s), vec![("3 dropped frames".into(), BAD)]);
        s.transport = Transport::Paused;
        let t = playback_trouble(&s);
        assert_eq!(t[0].0, "last play: 3 dropped frames");
        assert_ne!(t[0].1, BAD, "not an alarm once stopped");
        s.dropped_frames = 0;
        assert!(playback_trouble(&s).is_empty());
    }

    #[test]
    fn calibration_badges_say_when_and_what() {
        let now = 1_800_000_000;
        let badge = |s: CalibrationStatus| calibration_badge(&s, now).0;
        assert_eq!(
            badge(CalibrationStatus::Passed {
                when: now - 2 * 86_400 - 5
            }),
            "Calibrated 2 d ago"
        );
        assert_eq!(
            badge(CalibrationStatus::Stale { when: 0 }),
            "Calibration stale"
        );
        assert_eq!(
            badge(CalibrationStatus::Failed {
                when: now,
                which: vec![CheckId::LeftRight]
            }),
            "Calibration failed: L/R"
        );
        assert_eq!(badge(CalibrationStatus::Never), "Not calibrated");
        assert_eq!(age_words(now - 90, now), "1 min ago");
        assert_eq!(age_words(now - 7200, now), "2 h ago");
    }
}
