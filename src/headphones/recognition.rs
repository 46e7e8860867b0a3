//! Recognising the output chain from what the audio host says about the output device, and the
//! plain-words warnings that follow from it.
//!
//! What a computer can see is limited (headphones.md §3): USB DACs and USB or Bluetooth headsets
//! announce a product name, but wired headphones identify nothing, and an analog amplifier such
//! as a Schiit Magni is invisible. So the chain is put together from two kinds of evidence:
//! profile rules matched against the device's name, id and manufacturer (this module), and what
//! the user declared for that device ([`super::Declaration`]). A declaration wins over a rule,
//! because the user knows what is on their head.
//!
//! Level estimates here only answer "can this output drive these headphones loud enough?";
//! they are ±5 dB at best (coupler sensitivities, unknown volume settings) and say so.

use super::catalog::Catalog;
use super::declarations::Declaration;
use super::profile::{
    BuiltinDsp, Connection, DeviceKind, DeviceProfile, Guidance, HeadphoneProfile, Interface,
    MatchRule, Pattern, RuleField, dsp_words, source_loss_db, spl_at_vrms, trim_number, words,
};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The loudest sine an output must be able to put through the headphones at full scale, in
/// dB SPL, before Earmark calls it too weak.
///
/// Why 105: the level reference is pink noise at −20 dBFS RMS (0 VU = −20 dBFS), and the
/// guidance asks for "full, but comfortable", which TV-room practice puts at about 79–85 dB SPL
/// for that reference. Reaching 85 dB SPL at −20 dBFS needs 105 dB SPL at 0 dBFS. The estimate
/// itself is only good to about ±5 dB, so an output just below the line may still be usable;
/// one far below it is not.
pub const MIN_FULL_SCALE_SPL_DB: f64 = 105.0;

/// A source's output impedance should be at most this fraction of the headphone impedance (the
/// "1/8 rule"), or the frequency response follows the headphone's impedance curve.
pub const MAX_SOURCE_TO_LOAD_RATIO: f64 = 1.0 / 8.0;

/// The output device as the audio host describes it. Only `name` is always known; the other
/// fields are the hints some hosts give (cpal's `DeviceDescription`: WASAPI and PipeWire fill the
/// interface and form factor, PulseAudio and ALSA give none).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DeviceInfo {
    /// The name shown to people (cpal's device name or description).
    pub name: String,
    /// The host's id (PulseAudio/PipeWire node name such as `bluez_output.XX_XX.1`, ALSA PCM id).
    pub id: Option<String>,
    pub manufacturer: Option<String>,
    pub interface: Option<Interface>,
    pub form_factor: Option<FormFactor>,
}

impl DeviceInfo {
    /// A device known only by name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ..Self::default()
        }
    }

    fn text(&self, field: RuleField) -> Option<&str> {
        match field {
            RuleField::Name => Some(&self.name),
            RuleField::Manufacturer => self.manufacturer.as_deref(),
            RuleField::Id => self.id.as_deref(),
        }
    }
}

/// What the host says the device is for (WASAPI form factor, PipeWire icon name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FormFactor {
    Headphones,
    Headset,
    Speaker,
    Other,
}

/// A profile whose rule matched the device.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    pub profile_id: String,
    /// The profile's name for people.
    pub name: String,
    /// `headphones`, `amplifier`, `dac` or `source`.
    pub kind: &'static str,
    /// The rule, written out ("name words \"Mojo 2\"").
    pub rule: String,
    /// Longer, stricter patterns score higher; the best candidate of each kind is used.
    pub score: usize,
}

/// Profiles whose rules match `device`, best first.
pub fn candidates(catalog: &Catalog, device: &DeviceInfo) -> Vec<Candidate> {
    let mut found = Vec::new();
    fn best<'r>(rules: &'r [MatchRule], device: &DeviceInfo) -> Option<(usize, &'r MatchRule)> {
        rules
            .iter()
            .filter_map(|r| rule_score(r, device).map(|s| (s, r)))
            .max_by_key(|(s, _)| *s)
    }
    for h in catalog.headphones() {
        if let Some((score, rule)) = best(&h.rules, device) {
            found.push(Candidate {
                profile_id: h.id.clone(),
                name: h.name(),
                kind: "headphones",
                rule: rule.to_string(),
                score,
            });
        }
    }
    for d in catalog.devices() {
        if let Some((score, rule)) = best(&d.rules, device) {
            found.push(Candidate {
                profile_id: d.id.clone(),
                name: d.name(),
                kind: kind_id(d.kind),
                rule: rule.to_string(),
                score,
            });
        }
    }
    // Stable: equal scores keep catalogue order.
    found.sort_by_key(|c| std::cmp::Reverse(c.score));
    found
}

fn kind_id(kind: DeviceKind) -> &'static str {
    match kind {
        DeviceKind::Amplifier => "amplifier",
        DeviceKind::Dac => "dac",
        DeviceKind::Source => "source",
    }
}

/// Whether `rule` matches `device`, and how specific the match is.
pub fn rule_score(rule: &MatchRule, device: &DeviceInfo) -> Option<usize> {
    if rule.interface.is_some() && rule.interface != device.interface {
        return None;
    }
    let text = device.text(rule.field)?;
    let lower = text.trim().to_lowercase();
    let tokens = words(text);
    let pattern = rule.pattern.text().to_lowercase();
    let hit = match &rule.pattern {
        Pattern::Words(p) => has_phrase(&tokens, &words(p)),
        Pattern::Contains(_) => lower.contains(&pattern),
        Pattern::Prefix(_) => lower.starts_with(&pattern),
        Pattern::Equals(_) => lower == pattern.trim(),
    };
    if !hit || rule.unless.iter().any(|u| has_phrase(&tokens, &words(u))) {
        return None;
    }
    let exact_bonus = if matches!(rule.pattern, Pattern::Equals(_)) {
        1000
    } else {
        0
    };
    let interface_bonus = if rule.interface.is_some() { 5 } else { 0 };
    Some(pattern.chars().count() + exact_bonus + interface_bonus)
}

/// `phrase` occurs in `tokens` as consecutive words.
fn has_phrase(tokens: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && tokens.windows(phrase.len()).any(|w| w == phrase)
}

/// Why Earmark believes an output is Bluetooth.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BluetoothEvidence {
    pub reason: String,
    /// The hands-free profile (HFP/HSP): mono, narrow-band telephone sound, worse than A2DP.
    pub hands_free: bool,
}

/// Bluetooth detection from the host's hints and the device's name and id (headphones.md §3):
/// PulseAudio/PipeWire name Bluetooth nodes `bluez_sink.…`/`bluez_output.…`, Windows names the
/// hands-free endpoint "Headset (… Hands-Free AG Audio)", and PipeWire and WASAPI report the
/// interface.
pub fn bluetooth_evidence(device: &DeviceInfo) -> Option<BluetoothEvidence> {
    let texts: Vec<&str> = [Some(device.name.as_str()), device.id.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let tokens: Vec<Vec<String>> = texts.iter().map(|t| words(t)).collect();
    let any_phrase = |p: &str| tokens.iter().any(|t| has_phrase(t, &words(p)));
    let hands_free = ["hands free", "handsfree", "head unit", "hfp", "hsp"]
        .iter()
        .any(|p| any_phrase(p));
    let reason = if device.interface == Some(Interface::Bluetooth) {
        "the system reports a Bluetooth connection"
    } else if texts.iter().any(|t| t.to_lowercase().contains("bluez")) {
        "a Linux Bluetooth (BlueZ) device"
    } else if any_phrase("bluetooth") {
        "the name says Bluetooth"
    } else if any_phrase("airpods") {
        "AirPods are Bluetooth headphones"
    } else if any_phrase("a2dp") {
        "the name shows the A2DP Bluetooth profile"
    } else if hands_free {
        "the name shows the Bluetooth hands-free profile"
    } else {
        return None;
    };
    Some(BluetoothEvidence {
        reason: reason.to_owned(),
        hands_free,
    })
}

/// How a profile in the chain was identified.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "how", rename_all = "kebab-case")]
pub enum IdentifiedBy {
    /// A profile rule matched the device (written out).
    Rule { rule: String },
    /// The user said so for this device.
    Declared,
}

/// A profile in the chain and how it was identified.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Identified<P> {
    pub profile: P,
    pub by: IdentifiedBy,
}

/// The loudest full-scale sine the chain can produce in the headphones.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MaxSplEstimate {
    /// `dB SPL/V + 20·log10(Vrms)` plus the source-impedance loss.
    pub db_spl: f64,
    pub db_spl_per_v: f64,
    pub vrms: f64,
    /// The profile id of the amplifier or output whose voltage was used.
    pub driven_by: String,
    /// The level lost across the source's output impedance (≤ 0 dB; 0 when unknown).
    pub source_loss_db: f64,
    /// The figures the estimate rests on that are not verified, for people.
    pub unverified: Vec<String>,
}

/// What the output chain is, as far as Earmark can tell, and what to warn about.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Recognition {
    pub device: DeviceInfo,
    pub headphones: Option<Identified<HeadphoneProfile>>,
    /// The output device itself, when a device profile matched (a USB DAC, a laptop jack …).
    pub output: Option<Identified<DeviceProfile>>,
    /// An amplifier the user declared between the output and the headphones.
    pub amplifier: Option<DeviceProfile>,
    pub candidates: Vec<Candidate>,
    pub bluetooth: Option<BluetoothEvidence>,
    pub max_spl: Option<MaxSplEstimate>,
    pub warnings: Vec<Warning>,
}

/// Works out the chain on `device` from the profile rules and the user's `declared` headphones
/// and amplifier for it.
pub fn recognise(
    catalog: &Catalog,
    device: &DeviceInfo,
    declared: Option<&Declaration>,
) -> Recognition {
    let candidates = candidates(catalog, device);
    let mut warnings = Vec::new();
    let by_rule = |c: &Candidate| IdentifiedBy::Rule {
        rule: c.rule.clone(),
    };
    let matched_headphones = candidates
        .iter()
        .filter(|c| c.kind == "headphones")
        .find_map(|c| {
            catalog.headphone(&c.profile_id).map(|h| Identified {
                profile: h.clone(),
                by: by_rule(c),
            })
        });
    let output = candidates
        .iter()
        .filter(|c| c.kind != "headphones")
        .find_map(|c| {
            catalog.device(&c.profile_id).map(|d| Identified {
                profile: d.clone(),
                by: by_rule(c),
            })
        });
    let declared_headphones = declared.and_then(|d| d.headphones.as_deref());
    let headphones = match declared_headphones {
        Some(id) => match catalog.headphone(id) {
            Some(h) => Some(Identified {
                profile: h.clone(),
                by: IdentifiedBy::Declared,
            }),
            None => {
                warnings.push(Warning::UnknownProfile { id: id.to_owned() });
                matched_headphones
            }
        },
        None => matched_headphones,
    };
    let amplifier = declared
        .and_then(|d| d.amplifier.as_deref())
        .and_then(|id| {
            let amp = catalog.device(id).cloned();
            if amp.is_none() {
                warnings.push(Warning::UnknownProfile { id: id.to_owned() });
            }
            amp
        });

    // A profile can tell what the name does not ("WH-1000XM4" says nothing about Bluetooth);
    // a hands-free name would already have been caught above.
    let bluetooth = bluetooth_evidence(device).or_else(|| {
        headphones
            .as_ref()
            .filter(|h| h.profile.connection == Connection::Bluetooth)
            .map(|h| format!("recognised as the {}, a Bluetooth model", h.profile.name()))
            .or_else(|| {
                output
                    .as_ref()
                    .filter(|o| o.profile.bluetooth)
                    .map(|o| format!("recognised as the {}, a Bluetooth device", o.profile.name()))
            })
            .map(|reason| BluetoothEvidence {
                reason,
                hands_free: false,
            })
    });
    if let Some(b) = &bluetooth {
        warnings.push(Warning::Bluetooth {
            evidence: b.clone(),
        });
    }

    let mut max_spl = None;
    match &headphones {
        None if bluetooth.is_none() => warnings.push(Warning::UnknownHeadphones),
        None => {}
        Some(h) => {
            let hp = &h.profile;
            if hp.guidance == Guidance::NotListed {
                warnings.push(Warning::NotListed {
                    headphones: hp.name(),
                });
            }
            let has_amp = amplifier.as_ref().is_some_and(|a| a.kind.is_amplifier())
                || output
                    .as_ref()
                    .is_some_and(|o| o.profile.kind.is_amplifier());
            if hp.needs_amplifier() && !has_amp && bluetooth.is_none() {
                warnings.push(Warning::NeedsAmplifier {
                    headphones: hp.name(),
                    output: output.as_ref().map(|o| o.profile.name()),
                });
            }
            let driver = amplifier.as_ref().or(output.as_ref().map(|o| &o.profile));
            if let Some(driver) = driver.filter(|_| bluetooth.is_none()) {
                max_spl = estimate_max_spl(hp, driver);
                drive_warnings(hp, driver, max_spl.as_ref(), &mut warnings);
            }
        }
    }
    for d in output.iter().map(|o| &o.profile).chain(amplifier.iter()) {
        if !d.builtin_dsp.is_empty() {
            warnings.push(Warning::DeviceDsp {
                device: d.name(),
                dsp: d.builtin_dsp.clone(),
            });
        }
    }
    if let Some(e) = max_spl.as_ref().filter(|e| !e.unverified.is_empty()) {
        warnings.push(Warning::UnverifiedEstimate {
            figures: e.unverified.clone(),
        });
    }
    Recognition {
        device: device.clone(),
        headphones,
        output,
        amplifier,
        candidates,
        bluetooth,
        max_spl,
        warnings,
    }
}

/// The too-weak and output-impedance warnings for `hp` driven by `driver`.
fn drive_warnings(
    hp: &HeadphoneProfile,
    driver: &DeviceProfile,
    estimate: Option<&MaxSplEstimate>,
    warnings: &mut Vec<Warning>,
) {
    if let Some(e) = estimate.filter(|e| e.db_spl < MIN_FULL_SCALE_SPL_DB) {
        warnings.push(Warning::SourceTooWeak {
            headphones: hp.name(),
            driven_by: driver.name(),
            max_spl_db: e.db_spl,
        });
    }
    if let (Some(rs), Some(z)) = (&driver.output_impedance_ohm, &hp.impedance_ohm)
        && rs.value > z.value * MAX_SOURCE_TO_LOAD_RATIO
    {
        warnings.push(Warning::SourceImpedance {
            headphones: hp.name(),
            driven_by: driver.name(),
            source_ohm: rs.label(format!("{} Ω", trim_number(rs.value))),
            load_ohm: z.label(format!("{} Ω", trim_number(z.value))),
        });
    }
}

/// The loudest full-scale sine `driver` can give in `hp`, when both have the figures.
pub fn estimate_max_spl(hp: &HeadphoneProfile, driver: &DeviceProfile) -> Option<MaxSplEstimate> {
    let s_v = hp.db_spl_per_v.as_ref()?;
    let load = hp.impedance_ohm.as_ref();
    let vrms = driver.full_scale_vrms(load.map(|z| z.value))?;
    let loss = match (&driver.output_impedance_ohm, load) {
        (Some(rs), Some(z)) => Some((rs, source_loss_db(rs.value, z.value))),
        _ => None,
    };
    let mut unverified = Vec::new();
    if let Some(s) = hp.sensitivity.as_ref().filter(|s| !s.verified) {
        unverified.push(format!("sensitivity of the {}: {}", hp.name(), s.value));
    }
    let impedance_used = hp
        .sensitivity
        .as_ref()
        .is_some_and(|s| s.value.per == super::profile::SensitivityRef::Milliwatt)
        || driver.full_scale.len() > 1
        || loss.is_some();
    if let Some(z) = load.filter(|z| impedance_used && !z.verified) {
        unverified.push(format!(
            "impedance of the {}: {} Ω",
            hp.name(),
            trim_number(z.value)
        ));
    }
    if !vrms.verified {
        unverified.push(format!(
            "full-scale output of the {}: {} Vrms",
            driver.name(),
            trim_number(vrms.value)
        ));
    }
    if let Some((rs, _)) = loss.filter(|(rs, _)| !rs.verified) {
        unverified.push(format!(
            "output impedance of the {}: {} Ω",
            driver.name(),
            trim_number(rs.value)
        ));
    }
    let source_loss_db = loss.map_or(0.0, |(_, l)| l);
    Some(MaxSplEstimate {
        db_spl: spl_at_vrms(s_v.value, vrms.value) + source_loss_db,
        db_spl_per_v: s_v.value,
        vrms: vrms.value,
        driven_by: driver.id.clone(),
        source_loss_db,
        unverified,
    })
}

/// Something about the chain the reviewer should know, in plain words ([`Warning::message`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "kebab-case")]
pub enum Warning {
    /// Bluetooth output: delay, lossy codec, headset processing.
    Bluetooth { evidence: BluetoothEvidence },
    /// No profile for what is on this output, and nothing declared.
    UnknownHeadphones,
    /// A declared profile id that the catalogue does not have (deleted or renamed).
    UnknownProfile { id: String },
    /// Recognised, but not on the guidance's approved list.
    NotListed { headphones: String },
    /// The guidance wants an external amplifier and none is in the chain.
    NeedsAmplifier {
        headphones: String,
        output: Option<String>,
    },
    /// The estimated full-scale SPL is below [`MIN_FULL_SCALE_SPL_DB`].
    SourceTooWeak {
        headphones: String,
        driven_by: String,
        max_spl_db: f64,
    },
    /// The source's output impedance breaks the 1/8 rule (figures as labelled texts).
    SourceImpedance {
        headphones: String,
        driven_by: String,
        source_ohm: String,
        load_ohm: String,
    },
    /// The device has EQ or crossfeed of its own (Chord Mojo 2).
    DeviceDsp {
        device: String,
        dsp: Vec<BuiltinDsp>,
    },
    /// The level estimate uses figures nobody has checked.
    UnverifiedEstimate { figures: Vec<String> },
}

impl Warning {
    /// A stable identifier for scripts and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Bluetooth { .. } => "bluetooth",
            Self::UnknownHeadphones => "unknown-headphones",
            Self::UnknownProfile { .. } => "unknown-profile",
            Self::NotListed { .. } => "not-listed",
            Self::NeedsAmplifier { .. } => "needs-amplifier",
            Self::SourceTooWeak { .. } => "source-too-weak",
            Self::SourceImpedance { .. } => "source-impedance",
            Self::DeviceDsp { .. } => "device-dsp",
            Self::UnverifiedEstimate { .. } => "unverified-estimate",
        }
    }

    /// The warning for people.
    pub fn message(&self) -> String {
        match self {
            Self::Bluetooth { evidence } if evidence.hands_free => format!(
                "This output is a Bluetooth headset in hands-free mode ({}): mono, telephone-quality \
                 sound. Bluetooth also adds delay and uses a lossy codec, so it is not fit for \
                 critical review; use wired headphones.",
                evidence.reason
            ),
            Self::Bluetooth { evidence } => format!(
                "This output is Bluetooth ({}). Bluetooth adds delay and uses a lossy codec, often \
                 with the headset's own processing, so it is not fit for critical review; use \
                 wired headphones.",
                evidence.reason
            ),
            Self::UnknownHeadphones => "Earmark cannot tell which headphones are on this output: \
                 wired headphones do not identify themselves. Choose your model so the checks \
                 can use its figures."
                .to_owned(),
            Self::UnknownProfile { id } => format!(
                "The model declared for this output (`{id}`) has no profile any more; choose it again."
            ),
            Self::NotListed { headphones } => format!(
                "The {headphones} is not on the approved headphone list; use an approved model \
                 for review."
            ),
            Self::NeedsAmplifier {
                headphones,
                output: Some(output),
            } => format!(
                "The guidance asks for an external headphone amplifier (such as a Schiit Magni, \
                 Chord Mojo or Apogee Groove) for the {headphones}, and the {output} is not one. \
                 If an amplifier is connected, declare it."
            ),
            Self::NeedsAmplifier {
                headphones,
                output: None,
            } => format!(
                "The guidance asks for an external headphone amplifier (such as a Schiit Magni, \
                 Chord Mojo or Apogee Groove) for the {headphones}, and Earmark cannot see one on \
                 this output. If an amplifier is connected, declare it."
            ),
            Self::SourceTooWeak {
                headphones,
                driven_by,
                max_spl_db,
            } => format!(
                "The {driven_by} can drive the {headphones} to only about {max_spl_db:.0} dB SPL at \
                 full scale (an estimate, ±5 dB). Earmark asks for {MIN_FULL_SCALE_SPL_DB:.0} dB SPL \
                 so that the −20 dBFS reference can reach 85 dB SPL; use a stronger amplifier."
            ),
            Self::SourceImpedance {
                headphones,
                driven_by,
                source_ohm,
                load_ohm,
            } => format!(
                "The output impedance of the {driven_by}, {source_ohm}, is more than an eighth of \
                 the impedance of the {headphones}, {load_ohm}, so bass and treble can shift. \
                 Prefer an output with a lower impedance."
            ),
            Self::DeviceDsp { device, dsp } => format!(
                "The {device} has its own {}. Switch it off on the device (or Earmark's own) so \
                 the processing does not happen twice.",
                dsp_words(dsp)
            ),
            Self::UnverifiedEstimate { figures } => format!(
                "The level estimate rests on figures not checked against the maker's data: {}.",
                figures.join("; ")
            ),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(pattern: Pattern, unless: &[&str]) -> MatchRule {
        MatchRule {
            field: RuleField::Name,
            pattern,
            unless: unless.iter().map(|s| (*s).to_owned()).collect(),
            interface: None,
        }
    }

    #[test]
    fn word_rules_ignore_case_and_punctuation_but_not_word_boundaries() {
        let r = rule(Pattern::Words("Mojo 2".into()), &[]);
        let hit = |n: &str| rule_score(&r, &DeviceInfo::named(n)).is_some();
        assert!(hit("Chord Mojo 2"));
        assert!(hit(
            "alsa_output.usb-Chord_Electronics_Ltd_Mojo_2-00.analog-stereo"
        ));
        assert!(hit("Speakers (MOJO 2)"));
        assert!(!hit("Chord Mojo at usb-0000:00:14.0-2, high speed"));
        assert!(!hit("Mojo2"));
        let m50x = rule(Pattern::Words("ATH-M50x".into()), &[]);
        assert!(rule_score(&m50x, &DeviceInfo::named("ATH-M50xBT")).is_none());
    }

    #[test]
    fn unless_and_interface_conditions_veto() {
        let mojo = rule(Pattern::Words("Mojo".into()), &["Mojo 2"]);
        assert!(rule_score(&mojo, &DeviceInfo::named("Chord Mojo")).is_some());
        assert!(rule_score(&mojo, &DeviceInfo::named("Chord Mojo 2")).is_none());
        let usb_only = MatchRule {
            interface: Some(Interface::Usb),
            ..rule(Pattern::Words("Groove".into()), &[])
        };
        assert!(rule_score(&usb_only, &DeviceInfo::named("Groove")).is_none());
        let usb = DeviceInfo {
            interface: Some(Interface::Usb),
            ..DeviceInfo::named("Groove")
        };
        assert!(rule_score(&usb_only, &usb).is_some());
    }

    #[test]
    fn bluetooth_is_seen_in_names_ids_and_hints() {
        let bt = |n: &str| bluetooth_evidence(&DeviceInfo::named(n));
        assert!(bt("bluez_output.00_1B_66_AA_BB_CC.1").is_some());
        assert!(bt("AirPods Pro").is_some());
        let hfp = bt("Headset (WH-1000XM4 Hands-Free AG Audio)").expect("hands-free");
        assert!(hfp.hands_free);
        assert!(
            bt("Headphones (WH-1000XM4 Stereo)").is_none(),
            "needs the profile"
        );
        assert!(bt("Built-in Audio Analog Stereo").is_none());
        let hinted = DeviceInfo {
            interface: Some(Interface::Bluetooth),
            ..DeviceInfo::named("Jabra Evolve")
        };
        assert!(bluetooth_evidence(&hinted).is_some());
    }
}
