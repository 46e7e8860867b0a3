//! The system's own volume for the output device, where the platform lets a program read it, so
//! the level at the ear can be estimated without a calibration: the headphone profile gives the
//! sensitivity, the programme its loudness, and this the one knob the reviewer actually turns.
//!
//! On Linux the sound server (PulseAudio, or PipeWire through `pipewire-pulse`) is asked with
//! `pactl --format=json list sinks` (pulseaudio-utils / pipewire's pactl 16+): the sink whose
//! description is the device Earmark plays to, or the default sink. Its volume is read as the
//! server reports it in dB (a software volume follows PulseAudio's cubic curve, 50 % = −18 dB),
//! and its position as the percentage the volume slider shows. Core Audio and WASAPI are not
//! read yet: there the estimate says the volume is unknown, and is an upper bound.
//!
//! Reading spawns a process (a few ms): call it from a background thread, never the window's.

use std::process::Command;
use thiserror::Error;

/// Where a volume reading came from, for people.
pub const PULSE: &str = "PulseAudio/PipeWire";

/// The system volume of one output device.
#[derive(Clone, Debug, PartialEq)]
pub struct SystemVolume {
    /// The sink's name (for a later `pactl set-sink-volume`).
    pub sink: String,
    /// What the volume slider shows, 0–100 (above 100: amplified past the device's maximum).
    pub percent: f64,
    /// The same, as gain in dB relative to 100 % (−∞ at 0 %).
    pub db: f64,
    pub muted: bool,
    /// How far one press of a volume key moves the slider, where the desktop's default is
    /// known, in percent.
    pub key_step_percent: Option<f64>,
    /// Who reported it.
    pub source: &'static str,
}

impl SystemVolume {
    /// The slider position that changes the gain by `delta_db`, in percent (PulseAudio's cubic
    /// curve: gain = 60·log10(fraction)).
    pub fn percent_for_change(&self, delta_db: f64) -> f64 {
        self.percent * 10f64.powf(delta_db / 60.0)
    }
}

/// Why the system volume could not be read.
#[derive(Debug, Error)]
pub enum VolumeError {
    #[error("the system volume is not read on this platform yet ({0})")]
    NotSupported(&'static str),
    #[error("the system volume is not read: `pactl` is not installed (pulseaudio-utils)")]
    NoTool,
    #[error("the system volume is not read: `pactl` failed to run")]
    Run(#[source] std::io::Error),
    #[error("the system volume is not read: `pactl` said: {0}")]
    Failed(String),
    #[error("the system volume is not read: `pactl`'s answer was not understood ({0})")]
    Parse(String),
    #[error("the system volume is not read: the sound server lists no output named {0:?}")]
    NoSuchDevice(String),
}

/// The volume of `device` (a device description as Earmark lists it; `None`: the default
/// output).
pub fn read(device: Option<&str>) -> Result<SystemVolume, VolumeError> {
    if cfg!(target_os = "macos") {
        return Err(VolumeError::NotSupported("Core Audio"));
    }
    if cfg!(target_os = "windows") {
        return Err(VolumeError::NotSupported("WASAPI"));
    }
    let sinks = pactl(&["--format=json", "list", "sinks"])?;
    let default = match device {
        Some(_) => None,
        None => Some(pactl(&["get-default-sink"])?.trim().to_owned()),
    };
    parse_sinks(&sinks, device, default.as_deref())
}

fn pactl(args: &[&str]) -> Result<String, VolumeError> {
    let out = Command::new("pactl")
        .args(args)
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => VolumeError::NoTool,
            _ => VolumeError::Run(e),
        })?;
    if !out.status.success() {
        let said = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        return Err(VolumeError::Failed(if said.is_empty() {
            format!("exit status {}", out.status)
        } else {
            said
        }));
    }
    String::from_utf8(out.stdout).map_err(|e| VolumeError::Parse(e.to_string()))
}

/// The sink whose description is `device` (or named `default_sink`) in `pactl --format=json
/// list sinks` output.
pub fn parse_sinks(
    json: &str,
    device: Option<&str>,
    default_sink: Option<&str>,
) -> Result<SystemVolume, VolumeError> {
    let sinks: Vec<serde_json::Value> =
        serde_json::from_str(json).map_err(|e| VolumeError::Parse(e.to_string()))?;
    let text =
        |s: &serde_json::Value, key: &str| s.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let sink = sinks
        .iter()
        .find(|s| match device {
            Some(d) => text(s, "description").as_deref() == Some(d),
            None => text(s, "name").as_deref() == default_sink,
        })
        .ok_or_else(|| {
            VolumeError::NoSuchDevice(
                device
                    .or(default_sink)
                    .unwrap_or("(no default output)")
                    .to_owned(),
            )
        })?;
    let channels = sink
        .get("volume")
        .and_then(|v| v.as_object())
        .filter(|m| !m.is_empty())
        .ok_or_else(|| VolumeError::Parse("a sink without a volume".into()))?;
    // The loudest channel: a balance set in the system is not a volume change.
    let mut best: Option<(f64, f64)> = None;
    for ch in channels.values() {
        let value = ch
            .get("value")
            .and_then(|v| v.as_f64())
            .ok_or_else(|| VolumeError::Parse("a channel volume without a value".into()))?;
        let fraction = value / 65_536.0;
        let db = ch
            .get("db")
            .and_then(|d| d.as_str())
            .and_then(parse_db)
            .unwrap_or_else(|| cubic_db(fraction));
        if best.is_none_or(|(f, _)| fraction > f) {
            best = Some((fraction, db));
        }
    }
    let (fraction, db) = best.ok_or_else(|| VolumeError::Parse("no channels".into()))?;
    Ok(SystemVolume {
        sink: text(sink, "name").unwrap_or_default(),
        percent: fraction * 100.0,
        db,
        muted: sink.get("mute").and_then(|m| m.as_bool()).unwrap_or(false),
        // GNOME's and KDE Plasma's volume keys move the default sink by 5 %.
        key_step_percent: Some(5.0),
        source: PULSE,
    })
}

/// "−18.06 dB" → −18.06; "-inf dB" → −∞.
fn parse_db(text: &str) -> Option<f64> {
    let number = text.trim().strip_suffix("dB")?.trim();
    match number {
        "-inf" => Some(f64::NEG_INFINITY),
        n => n.parse().ok(),
    }
}

/// PulseAudio's software volume curve.
fn cubic_db(fraction: f64) -> f64 {
    if fraction <= 0.0 {
        f64::NEG_INFINITY
    } else {
        60.0 * fraction.log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two sinks as pactl 16.1 prints them (trimmed), the second at 50 % and muted.
    const SINKS: &str = r#"[{"index":0,"state":"RUNNING","name":"review","description":"Review",
        "mute":false,"volume":{"front-left":{"value":65536,"value_percent":"100%","db":"0.00 dB"},
        "front-right":{"value":65536,"value_percent":"100%","db":"0.00 dB"}}},
        {"index":1,"name":"alsa_output.usb-Schiit","description":"Schiit Modi 3+ Analog Stereo",
        "mute":true,"volume":{"front-left":{"value":32768,"value_percent":"50%","db":"-18.06 dB"},
        "front-right":{"value":29491,"value_percent":"45%","db":"-20.81 dB"}}}]"#;

    #[test]
    fn the_device_is_found_by_description_and_read_in_percent_and_db() {
        let v = parse_sinks(SINKS, Some("Schiit Modi 3+ Analog Stereo"), None).expect("found");
        assert_eq!(v.sink, "alsa_output.usb-Schiit");
        assert!((v.percent - 50.0).abs() < 1e-9, "{v:?}");
        assert!(
            (v.db + 18.06).abs() < 1e-9,
            "the louder channel's dB: {v:?}"
        );
        assert!(v.muted);
        let d = parse_sinks(SINKS, None, Some("review")).expect("default");
        assert_eq!((d.percent, d.db, d.muted), (100.0, 0.0, false));
    }

    #[test]
    fn the_cubic_curve_matches_what_the_server_reports() {
        assert!((cubic_db(0.5) + 18.06).abs() < 0.01);
        assert!((cubic_db(0.45) + 20.81).abs() < 0.01);
        assert_eq!(cubic_db(0.0), f64::NEG_INFINITY);
        assert_eq!(parse_db("-inf dB"), Some(f64::NEG_INFINITY));
        // Turning up 6 dB from 50 % on that curve: about 63 %.
        let v = parse_sinks(SINKS, Some("Review"), None).expect("found");
        let half = SystemVolume { percent: 50.0, ..v };
        assert!((half.percent_for_change(6.0) - 62.9).abs() < 0.1);
    }

    #[test]
    fn missing_devices_and_bad_answers_say_so() {
        assert!(matches!(
            parse_sinks(SINKS, Some("Nope"), None),
            Err(VolumeError::NoSuchDevice(d)) if d == "Nope"
        ));
        assert!(matches!(
            parse_sinks("not json", None, Some("review")),
            Err(VolumeError::Parse(_))
        ));
        assert!(matches!(
            parse_sinks(r#"[{"name":"x","volume":{}}]"#, None, Some("x")),
            Err(VolumeError::Parse(_))
        ));
    }
}
