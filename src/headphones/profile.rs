//! What a profile says: a headphone model variant, or an output device (amplifier, DAC with a
//! headphone amplifier, or a plain source such as a laptop jack), each with the figures that
//! matter for review and where every figure came from.
//!
//! Most published figures could not be checked against a manufacturer sheet, so a figure is
//! never a bare number: it is a [`Sourced`] value that carries its source and a `verified` flag,
//! and every text made from it says "unverified" when it is. The voltage sensitivity (dB SPL/V)
//! that level estimates need is derived here from the stated sensitivity and impedance rather
//! than typed into files, so it cannot disagree with them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::PathBuf;

/// A figure together with where it came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sourced<T> {
    pub value: T,
    /// The document, page or measurement the figure was read from (or why it is assumed).
    pub source: String,
    /// True only when the figure was read in the named source itself; published-but-unchecked
    /// figures, secondary sources and assumptions are `false`.
    pub verified: bool,
}

impl<T> Sourced<T> {
    /// `text` (the figure written out with its unit), marked "(unverified)" when it is.
    pub fn label(&self, text: impl Into<String>) -> String {
        let text = text.into();
        if self.verified {
            text
        } else {
            format!("{text} (unverified)")
        }
    }
}

/// What the review guidance says about a headphone model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Guidance {
    /// On the approved list; fine from a laptop or interface output.
    Approved,
    /// Approved, but the guidance says it needs an external amplifier (Schiit Magni, Chord Mojo,
    /// Apogee Groove).
    ApprovedWithAmp,
    /// Not on the list (Bluetooth variants, successors): recognised so that Earmark can say so.
    NotListed,
}

impl Guidance {
    /// The value as written in profile files.
    pub fn id(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::ApprovedWithAmp => "approved-with-amp",
            Self::NotListed => "not-listed",
        }
    }

    /// For people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::ApprovedWithAmp => "approved with an external amplifier",
            Self::NotListed => "not on the approved list",
        }
    }
}

/// Open or closed back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Enclosure {
    Open,
    Closed,
}

/// How the headphones connect, which decides whether the computer can see them at all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Connection {
    /// A cable into a jack: invisible to the computer, so the user has to declare the model.
    #[default]
    Analog,
    /// The headphones are the output device and announce their name.
    Bluetooth,
    /// A USB headset: also the output device itself.
    Usb,
}

/// What the stated sensitivity is relative to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SensitivityRef {
    /// dB SPL for 1 mW (beyerdynamic, Sony, Audio-Technica, Shure, Audeze).
    #[serde(rename = "mW")]
    Milliwatt,
    /// dB SPL for 1 Vrms (Sennheiser).
    #[serde(rename = "V")]
    Volt,
}

/// A sensitivity as the maker states it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Sensitivity {
    pub db_spl: f64,
    pub per: SensitivityRef,
    /// The test frequency, when stated (beyerdynamic: 500 Hz, most others 1 kHz).
    pub at_hz: Option<f64>,
}

impl fmt::Display for Sensitivity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let per = match self.per {
            SensitivityRef::Milliwatt => "mW",
            SensitivityRef::Volt => "V",
        };
        write!(f, "{} dB SPL/{per}", trim_number(self.db_spl))?;
        match self.at_hz {
            Some(hz) if hz >= 1000.0 => write!(f, " at {} kHz", trim_number(hz / 1000.0)),
            Some(hz) => write!(f, " at {} Hz", trim_number(hz)),
            None => Ok(()),
        }
    }
}

/// `dB SPL/V = dB SPL/mW − 10·log10(Z / 1000 Ω)`: 1 mW into Z takes √(0.001·Z) volts.
pub fn db_per_v_from_db_per_mw(db_per_mw: f64, impedance_ohm: f64) -> f64 {
    db_per_mw - 10.0 * (impedance_ohm / 1000.0).log10()
}

/// `dB SPL/mW = dB SPL/V + 10·log10(Z / 1000 Ω)`, the inverse of [`db_per_v_from_db_per_mw`].
pub fn db_per_mw_from_db_per_v(db_per_v: f64, impedance_ohm: f64) -> f64 {
    db_per_v + 10.0 * (impedance_ohm / 1000.0).log10()
}

/// The SPL a headphone of `db_per_v` reaches with `vrms` at its terminals.
pub fn spl_at_vrms(db_per_v: f64, vrms: f64) -> f64 {
    db_per_v + 20.0 * vrms.log10()
}

/// The level lost when a source of `source_ohm` drives `load_ohm` (a voltage divider); ≤ 0 dB.
pub fn source_loss_db(source_ohm: f64, load_ohm: f64) -> f64 {
    20.0 * (load_ohm / (load_ohm + source_ohm)).log10()
}

/// The words of `text`: runs of letters and digits, lower-cased. Rules and searches compare
/// words, so the `_`, `-` and `.` of node names (`alsa_output.usb-Chord_Mojo_2-00`) and the
/// brackets of Windows names (`Headphones (Mojo 2)`) do not matter.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Where a profile was loaded from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum Origin {
    /// Shipped with Earmark: the file name in `headphone_profiles/` (on disk or built in).
    Shipped { file: String },
    /// The user's own folder; `replaces_shipped` when a shipped profile had the same id.
    User {
        path: PathBuf,
        replaces_shipped: bool,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Shipped { file } => write!(f, "shipped ({file})"),
            Self::User {
                path,
                replaces_shipped: true,
            } => write!(
                f,
                "your profile, replacing the shipped one ({})",
                path.display()
            ),
            Self::User { path, .. } => write!(f, "your profile ({})", path.display()),
        }
    }
}

/// Which text of the output device a rule looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RuleField {
    /// The name the system shows (cpal's device name or description).
    #[default]
    Name,
    /// The manufacturer string, where the host reports one.
    Manufacturer,
    /// The host's device id (PulseAudio/PipeWire node name, ALSA PCM id, WASAPI endpoint id).
    Id,
}

/// How the device is connected, as the host reports it (cpal's `InterfaceType`, reduced to what
/// the rules need).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Interface {
    BuiltIn,
    Usb,
    Bluetooth,
    Pci,
    Hdmi,
    Other,
}

impl Interface {
    /// From the value written in profiles and on the command line (`built-in`, `usb` …).
    pub fn from_id(id: &str) -> Option<Self> {
        Some(match id.trim().to_ascii_lowercase().as_str() {
            "built-in" | "builtin" => Self::BuiltIn,
            "usb" => Self::Usb,
            "bluetooth" => Self::Bluetooth,
            "pci" => Self::Pci,
            "hdmi" => Self::Hdmi,
            "other" => Self::Other,
            _ => return None,
        })
    }
}

/// The text test of a rule. All comparisons ignore case.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pattern {
    /// These words, in this order and next to each other, where a word is a run of letters and
    /// digits: `"Mojo 2"` matches `Chord Mojo 2` and `alsa_output.usb-Chord_Mojo_2-00` but not
    /// `Chord Mojo at usb-…-2`; `"ATH-M50x"` does not match `ATH-M50xBT`.
    Words(String),
    /// A plain substring.
    Contains(String),
    /// The text starts with this (node-name prefixes such as `bluez_output.`).
    Prefix(String),
    /// The whole text, nothing more.
    Equals(String),
}

impl Pattern {
    /// The pattern's own text.
    pub fn text(&self) -> &str {
        match self {
            Self::Words(t) | Self::Contains(t) | Self::Prefix(t) | Self::Equals(t) => t,
        }
    }
}

/// One recognition rule: a device matches when the pattern matches the chosen field, no
/// `unless` phrase appears in it (as words), and the interface agrees when one is required.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MatchRule {
    pub field: RuleField,
    pub pattern: Pattern,
    /// Word phrases that veto the match (`Mojo` unless `Mojo 2`).
    pub unless: Vec<String>,
    /// Match only when the host reports this interface (a rule with it never matches on hosts
    /// that report none, such as PulseAudio and ALSA).
    pub interface: Option<Interface>,
}

impl fmt::Display for MatchRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (how, text) = match &self.pattern {
            Pattern::Words(t) => ("words", t),
            Pattern::Contains(t) => ("contains", t),
            Pattern::Prefix(t) => ("starts with", t),
            Pattern::Equals(t) => ("is", t),
        };
        let field = match self.field {
            RuleField::Name => "name",
            RuleField::Manufacturer => "manufacturer",
            RuleField::Id => "device id",
        };
        write!(f, "{field} {how} {text:?}")?;
        if !self.unless.is_empty() {
            write!(f, " unless {:?}", self.unless)?;
        }
        if let Some(i) = self.interface {
            write!(f, " on a {i:?} connection")?;
        }
        Ok(())
    }
}

/// A headphone model variant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HeadphoneProfile {
    /// Stable slug (`beyerdynamic.dt770pro-80`): what declarations and user overrides refer to.
    pub id: String,
    pub maker: String,
    pub model: String,
    /// What tells this file apart from its siblings ("80 Ω", "2021 revision"); may be empty.
    pub variant: String,
    /// Other spellings people search for, including the guidance's own ("HD 650 Pro").
    pub aliases: Vec<String>,
    pub guidance: Guidance,
    pub enclosure: Enclosure,
    pub connection: Connection,
    /// Nominal impedance in ohms.
    pub impedance_ohm: Option<Sourced<f64>>,
    /// Sensitivity as stated, with its unit and frequency.
    pub sensitivity: Option<Sourced<Sensitivity>>,
    /// Derived by the loader from `sensitivity` (and `impedance_ohm` for a per-mW figure);
    /// verified only when everything it was derived from is.
    pub db_spl_per_v: Option<Sourced<f64>>,
    pub rules: Vec<MatchRule>,
    /// Anything a reviewer should know (revisions, doubts about a figure).
    pub note: String,
    pub origin: Origin,
}

impl HeadphoneProfile {
    /// "beyerdynamic DT 770 PRO (80 Ω)".
    pub fn name(&self) -> String {
        display_name(&self.maker, &self.model, &self.variant)
    }

    /// Whether the guidance asks for an external amplifier.
    pub fn needs_amplifier(&self) -> bool {
        self.guidance == Guidance::ApprovedWithAmp
    }

    /// Fills in [`Self::db_spl_per_v`] from the stated sensitivity.
    pub(crate) fn derive(&mut self) {
        self.db_spl_per_v = self.sensitivity.as_ref().and_then(|s| match s.value.per {
            SensitivityRef::Volt => Some(Sourced {
                value: s.value.db_spl,
                source: s.source.clone(),
                verified: s.verified,
            }),
            SensitivityRef::Milliwatt => {
                let z = self.impedance_ohm.as_ref()?;
                Some(Sourced {
                    value: db_per_v_from_db_per_mw(s.value.db_spl, z.value),
                    source: format!("derived from {} and {} Ω", s.value, trim_number(z.value)),
                    verified: s.verified && z.verified,
                })
            }
        });
    }

    /// One line for lists: name, guidance and the figures, each marked when unverified.
    pub fn summary(&self) -> String {
        let mut parts = vec![
            self.guidance.label().to_owned(),
            format!("{:?}", self.enclosure).to_lowercase(),
        ];
        if self.connection != Connection::Analog {
            parts.push(format!("{:?}", self.connection).to_lowercase());
        }
        match &self.impedance_ohm {
            Some(z) => parts.push(z.label(format!("{} Ω", trim_number(z.value)))),
            None => parts.push("impedance unknown".into()),
        }
        match (&self.sensitivity, &self.db_spl_per_v) {
            (Some(s), Some(v)) if s.value.per == SensitivityRef::Milliwatt => parts.push(format!(
                "{} = {}",
                s.label(s.value.to_string()),
                v.label(format!("{:.1} dB SPL/V", v.value))
            )),
            (Some(s), _) => parts.push(s.label(s.value.to_string())),
            (None, _) => parts.push("sensitivity unknown".into()),
        }
        format!("{}: {}", self.name(), parts.join(", "))
    }
}

/// The role of an output device in the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceKind {
    /// An analog headphone amplifier (fed by some other DAC; usually invisible to the computer).
    Amplifier,
    /// A DAC with its own headphone amplifier (USB DAC/amps such as the Mojo and the Groove).
    Dac,
    /// A plain output without a dedicated amplifier: laptop jacks, phone dongles.
    Source,
}

impl DeviceKind {
    /// Whether this counts as the external amplifier the guidance asks for.
    pub fn is_amplifier(self) -> bool {
        matches!(self, Self::Amplifier | Self::Dac)
    }
}

/// Processing a device does by itself, which can double up with Earmark's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuiltinDsp {
    Eq,
    Crossfeed,
}

/// The RMS voltage of a full-scale sine at maximum volume (for an analog amplifier: its largest
/// clean output), valid from `min_load_ohm` upwards.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FullScale {
    pub vrms: Sourced<f64>,
    /// Some outputs adapt to the load (Apple's jack: 1.25 V below 150 Ω, 3 V above).
    pub min_load_ohm: f64,
}

/// An amplifier, DAC or source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeviceProfile {
    pub id: String,
    pub maker: String,
    pub model: String,
    pub variant: String,
    pub aliases: Vec<String>,
    pub kind: DeviceKind,
    /// Sorted by `min_load_ohm`.
    pub full_scale: Vec<FullScale>,
    pub output_impedance_ohm: Option<Sourced<f64>>,
    pub builtin_dsp: Vec<BuiltinDsp>,
    /// A Bluetooth transmitter or receiver.
    pub bluetooth: bool,
    pub rules: Vec<MatchRule>,
    pub note: String,
    pub origin: Origin,
}

impl DeviceProfile {
    /// "Chord Mojo 2".
    pub fn name(&self) -> String {
        display_name(&self.maker, &self.model, &self.variant)
    }

    /// The full-scale voltage into `load_ohm`: the figure for the largest `min_load_ohm` not above
    /// the load. With the load unknown, the figure for the lowest loads (the cautious one).
    pub fn full_scale_vrms(&self, load_ohm: Option<f64>) -> Option<&Sourced<f64>> {
        let first = self.full_scale.first()?;
        let Some(load) = load_ohm else {
            return Some(&first.vrms);
        };
        Some(
            &self
                .full_scale
                .iter()
                .rev()
                .find(|f| f.min_load_ohm <= load)
                .unwrap_or(first)
                .vrms,
        )
    }

    /// One line for lists, figures marked when unverified.
    pub fn summary(&self) -> String {
        let mut parts = vec![
            match self.kind {
                DeviceKind::Amplifier => "amplifier",
                DeviceKind::Dac => "DAC with headphone amplifier",
                DeviceKind::Source => "source",
            }
            .to_owned(),
        ];
        if self.full_scale.is_empty() {
            parts.push("full-scale voltage unknown".into());
        }
        for f in &self.full_scale {
            let load = if f.min_load_ohm > 0.0 {
                format!(" from {} Ω", trim_number(f.min_load_ohm))
            } else {
                String::new()
            };
            parts.push(
                f.vrms
                    .label(format!("{} Vrms{load}", trim_number(f.vrms.value))),
            );
        }
        match &self.output_impedance_ohm {
            Some(z) => parts.push(z.label(format!("output {} Ω", trim_number(z.value)))),
            None => parts.push("output impedance unknown".into()),
        }
        if !self.builtin_dsp.is_empty() {
            parts.push(format!("has its own {}", dsp_words(&self.builtin_dsp)));
        }
        if self.bluetooth {
            parts.push("Bluetooth".into());
        }
        format!("{}: {}", self.name(), parts.join(", "))
    }
}

/// "EQ and crossfeed".
pub(crate) fn dsp_words(dsp: &[BuiltinDsp]) -> String {
    let words: Vec<&str> = dsp
        .iter()
        .map(|d| match d {
            BuiltinDsp::Eq => "EQ",
            BuiltinDsp::Crossfeed => "crossfeed",
        })
        .collect();
    words.join(" and ")
}

fn display_name(maker: &str, model: &str, variant: &str) -> String {
    if variant.is_empty() {
        format!("{maker} {model}")
    } else {
        format!("{maker} {model} ({variant})")
    }
}

/// `80` rather than `80.0`, `1.25` as is: figures are shown as the maker wrote them.
pub(crate) fn trim_number(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milliwatt_and_volt_sensitivities_convert_both_ways() {
        // DT 770 PRO 80 Ω: 96 dB/mW → 96 − 10·log10(0.080) = 106.97 dB/V.
        let v = db_per_v_from_db_per_mw(96.0, 80.0);
        assert!((v - 106.969).abs() < 1e-3, "{v}");
        assert!((db_per_mw_from_db_per_v(v, 80.0) - 96.0).abs() < 1e-12);
        // At 1 kΩ the two conventions coincide.
        assert!((db_per_v_from_db_per_mw(100.0, 1000.0) - 100.0).abs() < 1e-12);
    }

    #[test]
    fn full_scale_follows_the_load() {
        let fs = |v: f64, min: f64| FullScale {
            vrms: Sourced {
                value: v,
                source: "test".into(),
                verified: true,
            },
            min_load_ohm: min,
        };
        let mac = DeviceProfile {
            id: "x".into(),
            maker: "Apple".into(),
            model: "jack".into(),
            variant: String::new(),
            aliases: vec![],
            kind: DeviceKind::Source,
            full_scale: vec![fs(1.25, 0.0), fs(3.0, 150.0)],
            output_impedance_ohm: None,
            builtin_dsp: vec![],
            bluetooth: false,
            rules: vec![],
            note: String::new(),
            origin: Origin::Shipped { file: "x".into() },
        };
        let v = |load| mac.full_scale_vrms(load).map(|s| s.value);
        assert_eq!(v(Some(32.0)), Some(1.25));
        assert_eq!(v(Some(150.0)), Some(3.0));
        assert_eq!(v(Some(300.0)), Some(3.0));
        assert_eq!(v(None), Some(1.25));
    }

    #[test]
    fn unverified_figures_say_so() {
        let s = Sourced {
            value: 80.0,
            source: "x".into(),
            verified: false,
        };
        assert_eq!(s.label("80 Ω"), "80 Ω (unverified)");
        assert_eq!(trim_number(80.0), "80");
        assert_eq!(trim_number(1.25), "1.25");
    }
}
