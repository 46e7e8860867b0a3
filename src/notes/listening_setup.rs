//! What a note was heard on: the headphones, the output device and the level calibration in use
//! when the reviewer made it. A remark about the low end means something different on a
//! Bluetooth headset than on calibrated open-backs, so every note carries this with it, and an
//! export can say what the reviewer listened on.

use serde::{Deserialize, Serialize};

/// The listening set-up at the moment a note was made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListeningSetup {
    /// Headphone profile id (`sennheiser.hd650`), `None` when unknown.
    pub headphones: Option<String>,
    /// The headphones as people read them ("Sennheiser HD 650").
    pub headphones_name: Option<String>,
    /// Amplifier or DAC profile id between the output and the headphones, if declared.
    pub amplifier: Option<String>,
    /// Output device name, `None` when no device was open.
    pub device: Option<String>,
    /// How the level estimate was calibrated ("sound level meter, G_ear 99 dB"), `None` when it
    /// rests on the profiles' figures alone.
    pub calibration: Option<String>,
    /// Codes of the chain's warnings then (`bluetooth`, `needs-amplifier` …).
    pub warnings: Vec<String>,
}

impl ListeningSetup {
    /// One line for people: "Sennheiser HD 650 on 'Built-in Audio Analog Stereo', uncalibrated".
    pub fn summary(&self) -> String {
        let hp = self
            .headphones_name
            .as_deref()
            .unwrap_or("unknown headphones");
        let device = self
            .device
            .as_deref()
            .map_or_else(|| "no output".to_owned(), |d| format!("'{d}'"));
        let cal = self.calibration.as_deref().unwrap_or("uncalibrated");
        format!("{hp} on {device}, {cal}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_as_a_sentence_and_old_records_load() {
        let s = ListeningSetup {
            headphones: Some("sennheiser.hd650".into()),
            headphones_name: Some("Sennheiser HD 650".into()),
            device: Some("Built-in Audio Analog Stereo".into()),
            ..ListeningSetup::default()
        };
        assert_eq!(
            s.summary(),
            "Sennheiser HD 650 on 'Built-in Audio Analog Stereo', uncalibrated"
        );
        let old: ListeningSetup = serde_json::from_str(r#"{"device":"x"}"#).expect("partial");
        assert_eq!(old.device.as_deref(), Some("x"));
    }
}
