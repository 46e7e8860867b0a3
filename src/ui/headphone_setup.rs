//! The window's knowledge of the listening chain: the profile catalogue, what the reviewer
//! declared for each output device (remembered in `headphone_declarations.toml`), the
//! recognition of the device in use, and the listening monitor fed from it.
//!
//! Wired headphones cannot be detected, so the declaration is the only way Earmark learns them;
//! it is made once per output device and re-applied whenever that device is in use again. When
//! the player switches device (by choice or because one was unplugged) the chain is recognised
//! again and the monitor's band guard starts over. No egui here: the panel draws from this.

use crate::headphones::listening_level::LevelCalibration;
use crate::headphones::{Catalog, Declarations, DeviceInfo, Recognition, recognise};
use crate::meters::MeterSnapshot;
use crate::notes::ListeningSetup;
use crate::player::{ListeningMonitor, Snapshot, VolumeWatch};
use std::path::PathBuf;

/// The chain on the current output device and the monitor of what reaches the ears.
#[derive(Debug)]
pub struct HeadphoneSetup {
    catalog: Catalog,
    declarations: Declarations,
    /// Where declarations are saved (`None`: kept in memory only, as in tests).
    declarations_path: Option<PathBuf>,
    /// The output device the recognition is for (`None`: no device open).
    device: Option<String>,
    recognition: Option<Recognition>,
    /// The level calibration of this headphone on this device, when one was made.
    calibration: Option<LevelCalibration>,
    monitor: ListeningMonitor,
    /// Reads the output's system volume in the background (`None`: not read, as in tests).
    volume_watch: Option<VolumeWatch>,
    problems: Vec<String>,
}

impl HeadphoneSetup {
    /// Reads the declarations at `declarations_path` (a damaged file is reported and ignored,
    /// never overwritten until the reviewer declares something).
    pub fn new(
        catalog: Catalog,
        declarations_path: Option<PathBuf>,
        monitor: ListeningMonitor,
    ) -> Self {
        let mut problems = Vec::new();
        let declarations = match declarations_path.as_deref().map(Declarations::load) {
            Some(Ok(d)) => d,
            Some(Err(e)) => {
                problems.push(e.to_string());
                Declarations::default()
            }
            None => Declarations::default(),
        };
        Self {
            catalog,
            declarations,
            declarations_path,
            device: None,
            recognition: None,
            calibration: None,
            monitor,
            volume_watch: None,
            problems,
        }
    }

    /// Reads the system volume of the output in use from now on (a thread of its own), so the
    /// level estimate and its light need no calibration.
    pub fn watch_system_volume(&mut self) {
        match VolumeWatch::spawn() {
            Ok(w) => self.volume_watch = Some(w),
            Err(e) => self.problems.push(format!(
                "The system volume will not be read (no thread: {e})."
            )),
        }
    }

    /// One UI frame: re-recognises when the device changed, then feeds the monitor.
    pub fn update(&mut self, player: &Snapshot, meters: Option<&MeterSnapshot>, today: i64) {
        if player.device != self.device {
            let previous = std::mem::replace(&mut self.device, player.device.clone());
            self.carry_over(previous.as_deref());
            self.recognise();
        }
        if let Some(w) = &self.volume_watch {
            let playing = player.transport != crate::player::Transport::Paused;
            w.watch(player.device.as_deref(), playing);
            self.monitor.set_system_volume(w.latest());
        }
        self.monitor.update(player, meters, today);
    }

    fn recognise(&mut self) {
        // What the host says of the device (maker, connection, kind) helps where names do
        // not: a USB DAC or a Bluetooth headset is named by its connection. Listed once per
        // device change, not per frame.
        let listed = self.device.as_deref().map(|d| {
            crate::player::output_devices()
                .into_iter()
                .find(|o| o.name == d)
        });
        self.recognition = self.device.as_deref().map(|d| {
            recognise(
                &self.catalog,
                &device_info(d, listed.flatten().as_ref()),
                self.declarations.get(d),
            )
        });
        if let Some(r) = &self.recognition {
            self.monitor.set_chain(r, self.calibration.as_ref());
        }
    }

    /// On a switch from `previous` to a device nothing was declared for, the headphones declared
    /// on `previous` go along (the same pair moved to another output is the common case), and
    /// the reviewer is told — with what happens to the level calibration, which belongs to the
    /// old output. A Bluetooth device is its own headphones: nothing is carried to it.
    fn carry_over(&mut self, previous: Option<&str>) {
        let (Some(prev), Some(now)) = (previous, self.device.clone()) else {
            return;
        };
        if self
            .declarations
            .get(&now)
            .is_some_and(|d| d.headphones.is_some())
            || crate::player::is_bluetooth(&now)
        {
            return;
        }
        let Some(hp) = self
            .declarations
            .get(prev)
            .and_then(|d| d.headphones.clone())
        else {
            return;
        };
        self.declarations.declare_headphones(&now, &hp);
        self.save_declarations();
        let name = self
            .catalog
            .headphone(&hp)
            .map_or_else(|| hp.clone(), |h| h.name());
        let calibration = if self.calibration.is_some() {
            format!(" The level calibration was made on {prev}: run it again on {now}.")
        } else {
            String::new()
        };
        self.problems.push(format!(
            "Output switched to {now}: {name} carried over from {prev} (choose others under \
             Headphones if you changed them).{calibration}"
        ));
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn device(&self) -> Option<&str> {
        self.device.as_deref()
    }

    pub fn recognition(&self) -> Option<&Recognition> {
        self.recognition.as_ref()
    }

    pub fn monitor(&self) -> &ListeningMonitor {
        &self.monitor
    }

    /// What the reviewer declared for the current device.
    pub fn declared_amplifier(&self) -> Option<&str> {
        let d = self.device.as_deref()?;
        self.declarations.get(d)?.amplifier.as_deref()
    }

    pub fn declared_headphones(&self) -> Option<&str> {
        let d = self.device.as_deref()?;
        self.declarations.get(d)?.headphones.as_deref()
    }

    /// Declares the headphones (a profile id) on the current device, saves, re-recognises.
    pub fn declare_headphones(&mut self, id: &str) {
        if let Some(d) = self.device.clone() {
            self.declarations.declare_headphones(&d, id);
            self.declared();
        }
    }

    /// Declares the amplifier or DAC (a device profile id) between the output and the
    /// headphones, or that there is none.
    pub fn declare_amplifier(&mut self, id: Option<&str>) {
        if let Some(d) = self.device.clone() {
            self.declarations.declare_amplifier(&d, id);
            self.declared();
        }
    }

    /// Forgets what was declared for the current device.
    pub fn forget(&mut self) {
        if let Some(d) = self.device.clone() {
            self.declarations.forget(&d);
            self.declared();
        }
    }

    fn declared(&mut self) {
        self.save_declarations();
        self.recognise();
    }

    /// Writes the declarations out (a failure goes to the problems shown once).
    fn save_declarations(&mut self) {
        if let Some(path) = &self.declarations_path
            && let Err(e) = self.declarations.save(path)
        {
            self.problems.push(e.to_string());
        }
    }

    /// Uses `calibration` for the level estimate (from the calibration wizard's store), or the
    /// profiles' figures again with `None`.
    pub fn set_calibration(&mut self, calibration: Option<LevelCalibration>) {
        self.calibration = calibration;
        self.recognise();
    }

    /// What a note made now should record about the chain.
    pub fn listening_setup(&self) -> ListeningSetup {
        let r = self.recognition.as_ref();
        let hp = r.and_then(|r| r.headphones.as_ref()).map(|h| &h.profile);
        ListeningSetup {
            headphones: hp.map(|h| h.id.clone()),
            headphones_name: hp.map(|h| h.name()),
            amplifier: r.and_then(|r| r.amplifier.as_ref()).map(|a| a.id.clone()),
            device: self.device.clone(),
            calibration: self.calibration.as_ref().map(|c| {
                let how = match c.method {
                    crate::headphones::listening_level::CalibrationMethod::SoundLevelMeter => {
                        "sound level meter"
                    }
                    crate::headphones::listening_level::CalibrationMethod::LoudspeakerMatch => {
                        "matched to a loudspeaker room"
                    }
                    crate::headphones::listening_level::CalibrationMethod::ByEar => "set by ear",
                };
                format!("calibrated ({how}), G_ear {:.1} dB", c.ear_gain_db)
            }),
            warnings: r
                .map(|r| r.warnings.iter().map(|w| w.code().to_owned()).collect())
                .unwrap_or_default(),
        }
    }

    /// Saves the dose record (on exit).
    pub fn save(&mut self) {
        self.monitor.save();
    }

    /// Problems with the declarations or the dose record since last asked, to show once.
    pub fn take_problems(&mut self) -> Vec<String> {
        let mut p = std::mem::take(&mut self.problems);
        p.extend(self.monitor.take_problems());
        p
    }
}

/// The recognition input for device `name`, with the host's description when it gave one.
fn device_info(name: &str, listed: Option<&crate::player::OutputDevice>) -> DeviceInfo {
    use crate::headphones::recognition::FormFactor;
    let mut info = DeviceInfo::named(name);
    if let Some(o) = listed {
        info.manufacturer = o.manufacturer.clone();
        info.interface = o.interface.and_then(crate::headphones::Interface::from_id);
        info.form_factor = o.form_factor.map(|f| match f {
            "headphones" => FormFactor::Headphones,
            "headset" => FormFactor::Headset,
            "speaker" => FormFactor::Speaker,
            _ => FormFactor::Other,
        });
    }
    info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headphones::Warning;

    fn listed(name: &str, interface: Option<&'static str>) -> crate::player::OutputDevice {
        crate::player::OutputDevice {
            name: name.into(),
            is_default: true,
            default_rate: 48_000,
            manufacturer: Some("Acme".into()),
            interface,
            form_factor: Some("headset"),
        }
    }

    #[test]
    fn the_hosts_connection_type_reaches_recognition() {
        let catalog = Catalog::load(&crate::headphones::ShippedProfiles::Embedded, None).catalog;
        // A name that says nothing; only the host knows it is Bluetooth.
        let info = device_info(
            "Living Room",
            Some(&listed("Living Room", Some("bluetooth"))),
        );
        assert_eq!(info.manufacturer.as_deref(), Some("Acme"));
        let r = recognise(&catalog, &info, None);
        assert!(
            r.warnings
                .iter()
                .any(|w| matches!(w, Warning::Bluetooth { .. })),
            "{:?}",
            r.warnings
        );
        let plain = recognise(&catalog, &device_info("Living Room", None), None);
        assert!(plain.bluetooth.is_none());
    }

    #[test]
    fn switching_output_keeps_the_declared_headphones_and_says_so() {
        let catalog = Catalog::load(&crate::headphones::ShippedProfiles::Embedded, None).catalog;
        let monitor = ListeningMonitor::new(Default::default(), None, 20_000);
        let mut s = HeadphoneSetup::new(catalog, None, monitor);
        let on = |device: &str| Snapshot {
            device: Some(device.into()),
            ..Snapshot::default()
        };
        s.update(&on("Built-in Audio Analog Stereo"), None, 20_000);
        s.declare_headphones("sony.mdr7506");
        s.set_calibration(Some(LevelCalibration {
            headphone_id: "sony.mdr7506".into(),
            device_id: "Built-in Audio Analog Stereo".into(),
            ear_gain_db: 100.0,
            device_volume_db: None,
            method: crate::headphones::listening_level::CalibrationMethod::SoundLevelMeter,
        }));
        s.take_problems();
        s.update(&on("USB Audio DAC"), None, 20_000);
        assert_eq!(s.declared_headphones(), Some("sony.mdr7506"));
        let told = s.take_problems().join(" ");
        assert!(
            told.contains("carried over from Built-in Audio Analog Stereo"),
            "{told}"
        );
        assert!(told.contains("run it again on USB Audio DAC"), "{told}");
        // Back on the first output: its own declaration, nothing to say.
        s.update(&on("Built-in Audio Analog Stereo"), None, 20_000);
        assert_eq!(s.declared_headphones(), Some("sony.mdr7506"));
        assert!(s.take_problems().is_empty());
        // A Bluetooth headset is its own headphones.
        s.update(&on("WH-1000XM4 (Bluetooth)"), None, 20_000);
        assert_eq!(s.declared_headphones(), None);
    }
}
