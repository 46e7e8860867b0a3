//! The results of the calibration checks, kept per headphone + output device with the date, so
//! the window can say whether the set-up in use passed and when — and flag one that failed, was
//! checked long ago, or was checked with other headphones or on another device.
//!
//! One JSON file in Earmark's data folder. Writes are atomic (temporary file, fsync, rename): a
//! crash never leaves half a file. A file that cannot be read as a store is moved aside as
//! `….corrupt` and reported, never overwritten in silence — it may hold the only record of a
//! calibration someone paid a meter for. A file from a newer Earmark is left alone and refused.

use super::listening_level::{LevelCalibration, calibration_key};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The file name in Earmark's data folder.
pub const STORE_FILE: &str = "calibrations.json";
/// The layout this Earmark writes.
pub const STORE_VERSION: u32 = 1;
/// A calibration older than this is stale: cables get swapped and volumes drift.
pub const STALE_AFTER_S: i64 = 30 * 24 * 3600;

/// Why the store could not be read or written.
#[derive(Debug, Error)]
pub enum CalibrationStoreError {
    #[error("no data folder for Earmark on this system")]
    NoDataDir,
    #[error("cannot read {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("cannot write {}: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
    #[error("{} was written by a newer Earmark (layout {found}, this one reads {STORE_VERSION}); it is left as it is", path.display())]
    Newer { path: PathBuf, found: u32 },
}

/// The checks the wizard runs, as recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    LeftRight,
    Polarity,
    Balance,
    ReferenceLevel,
    LtRt,
}

impl CheckId {
    pub const ALL: [CheckId; 5] = [
        Self::LeftRight,
        Self::Polarity,
        Self::Balance,
        Self::ReferenceLevel,
        Self::LtRt,
    ];

    /// Name in a summary.
    pub fn title(self) -> &'static str {
        match self {
            Self::LeftRight => "Left / right",
            Self::Polarity => "Polarity",
            Self::Balance => "Balance",
            Self::ReferenceLevel => "Reference level",
            Self::LtRt => "Lt/Rt decode",
        }
    }

    /// Name in a badge ("Calibration failed: L/R").
    pub fn short(self) -> &'static str {
        match self {
            Self::LeftRight => "L/R",
            Self::Polarity => "polarity",
            Self::Balance => "balance",
            Self::ReferenceLevel => "level",
            Self::LtRt => "Lt/Rt",
        }
    }
}

/// How one check went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    Passed,
    Failed,
    Skipped,
}

/// One check's result, with what the reviewer answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub check: CheckId,
    pub outcome: CheckOutcome,
    #[serde(default)]
    pub note: String,
}

/// One run of the calibration checks on one headphone + output device.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRecord {
    /// The headphone profile id (or the reviewer's own name for unlisted headphones).
    pub headphone_id: String,
    /// The output device, by the name the system shows.
    pub device_name: String,
    /// When the checks ran: UTC, whole seconds since 1970.
    pub date_unix_s: i64,
    pub results: Vec<CheckResult>,
    /// The balance trim that centred the image, dB (positive: right louder).
    #[serde(default)]
    pub balance_trim_db: f32,
    /// Earmark's output gain when the reference noise was "full but comfortable", dB.
    #[serde(default)]
    pub reference_gain_db: Option<f32>,
    /// The level calibration, if the reviewer measured or matched the level.
    #[serde(default)]
    pub level: Option<LevelCalibration>,
    pub app_version: String,
}

impl CalibrationRecord {
    /// The store's key: one record per headphone + device.
    pub fn key(&self) -> String {
        calibration_key(&self.headphone_id, &self.device_name)
    }

    /// The checks that failed, in wizard order.
    pub fn failed(&self) -> Vec<CheckId> {
        let mut f: Vec<CheckId> = self
            .results
            .iter()
            .filter(|r| r.outcome == CheckOutcome::Failed)
            .map(|r| r.check)
            .collect();
        f.sort();
        f.dedup();
        f
    }

    pub fn result(&self, check: CheckId) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.check == check)
    }
}

/// Whether the set-up in use passed calibration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CalibrationStatus {
    /// Every check passed (or was skipped) within [`STALE_AFTER_S`], on this headphone + device.
    Passed {
        when: i64,
    },
    /// The last calibration is too old, or was made with other headphones or on another device.
    Stale {
        when: i64,
    },
    /// A check failed in the last calibration of this headphone + device.
    Failed {
        when: i64,
        which: Vec<CheckId>,
    },
    Never,
}

/// What happened to a damaged file when the store was opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    pub from: PathBuf,
    pub to: PathBuf,
    pub problem: String,
}

impl std::fmt::Display for SetAside {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} could not be read ({}); it was moved to {} and calibrations start afresh",
            self.from.display(),
            self.problem,
            self.to.display()
        )
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct StoreFile {
    version: u32,
    #[serde(default)]
    records: BTreeMap<String, CalibrationRecord>,
}

/// The calibration records, and where they live.
#[derive(Clone, Debug, PartialEq)]
pub struct CalibrationStore {
    path: PathBuf,
    file: StoreFile,
}

/// Seconds since 1970, UTC, now.
pub use crate::time::now_unix_s;

impl CalibrationStore {
    /// `calibrations.json` in Earmark's data folder.
    pub fn default_path() -> Result<PathBuf, CalibrationStoreError> {
        directories::ProjectDirs::from("", "", "earmark")
            .map(|d| d.data_dir().join(STORE_FILE))
            .ok_or(CalibrationStoreError::NoDataDir)
    }

    /// An empty store that will save to `path`.
    pub fn empty(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            file: StoreFile {
                version: STORE_VERSION,
                records: BTreeMap::new(),
            },
        }
    }

    /// Reads `path` (a missing file is an empty store). A damaged file is moved aside and
    /// reported in the second value; the store is then empty.
    pub fn open(path: &Path) -> Result<(Self, Option<SetAside>), CalibrationStoreError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((Self::empty(path), None));
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                // Not UTF-8: damaged, not unreadable.
                let aside = set_aside(path, &e.to_string())?;
                return Ok((Self::empty(path), Some(aside)));
            }
            Err(e) => {
                return Err(CalibrationStoreError::Read {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        match serde_json::from_str::<StoreFile>(&text) {
            Ok(file) if file.version > STORE_VERSION => Err(CalibrationStoreError::Newer {
                path: path.to_path_buf(),
                found: file.version,
            }),
            Ok(file) => Ok((
                Self {
                    path: path.to_path_buf(),
                    file,
                },
                None,
            )),
            Err(e) => {
                let aside = set_aside(path, &e.to_string())?;
                Ok((Self::empty(path), Some(aside)))
            }
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every record, by key.
    pub fn records(&self) -> impl Iterator<Item = &CalibrationRecord> {
        self.file.records.values()
    }

    /// The record of `headphone` on `device`.
    pub fn get(&self, headphone: &str, device: &str) -> Option<&CalibrationRecord> {
        self.file.records.get(&calibration_key(headphone, device))
    }

    /// Keeps `record`, replacing the earlier one of the same headphone + device.
    pub fn insert(&mut self, record: CalibrationRecord) {
        self.file.records.insert(record.key(), record);
    }

    /// Whether `headphone` (`None`: not known) on `device` passed calibration, as of `now`.
    pub fn status(&self, headphone: Option<&str>, device: &str, now: i64) -> CalibrationStatus {
        if let Some(rec) = headphone.and_then(|h| self.get(h, device)) {
            if now - rec.date_unix_s > STALE_AFTER_S {
                return CalibrationStatus::Stale {
                    when: rec.date_unix_s,
                };
            }
            let which = rec.failed();
            return if which.is_empty() {
                CalibrationStatus::Passed {
                    when: rec.date_unix_s,
                }
            } else {
                CalibrationStatus::Failed {
                    when: rec.date_unix_s,
                    which,
                }
            };
        }
        // Checked, but not with this headphone on this device: it says nothing about this chain.
        let related = self
            .records()
            .filter(|r| r.device_name == device || headphone.is_some_and(|h| r.headphone_id == h))
            .map(|r| r.date_unix_s)
            .max();
        match related {
            Some(when) => CalibrationStatus::Stale { when },
            None => CalibrationStatus::Never,
        }
    }

    /// Writes the store atomically, creating its folder.
    pub fn save(&self) -> Result<(), CalibrationStoreError> {
        let fail = |reason: String| CalibrationStoreError::Write {
            path: self.path.clone(),
            reason,
        };
        let text = serde_json::to_string_pretty(&self.file).map_err(|e| fail(e.to_string()))?;
        crate::persist::write_atomic(&self.path, text.as_bytes()).map_err(|e| fail(e.to_string()))
    }
}

/// Moves a damaged store to `….corrupt` (`….corrupt.2`, … if that is taken: an earlier damaged
/// file is never replaced either).
fn set_aside(path: &Path, problem: &str) -> Result<SetAside, CalibrationStoreError> {
    let to = crate::persist::set_aside(path).map_err(|e| CalibrationStoreError::Write {
        path: path.to_path_buf(),
        reason: format!("could not move the damaged file aside: {e}"),
    })?;
    Ok(SetAside {
        from: path.to_path_buf(),
        to,
        problem: problem.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::headphones::listening_level::CalibrationMethod;

    const DAY: i64 = 24 * 3600;

    fn record(headphone: &str, device: &str, date: i64, lr: CheckOutcome) -> CalibrationRecord {
        CalibrationRecord {
            headphone_id: headphone.into(),
            device_name: device.into(),
            date_unix_s: date,
            results: vec![
                CheckResult {
                    check: CheckId::LeftRight,
                    outcome: lr,
                    note: "left: Left, right: Right".into(),
                },
                CheckResult {
                    check: CheckId::Polarity,
                    outcome: CheckOutcome::Passed,
                    note: String::new(),
                },
                CheckResult {
                    check: CheckId::LtRt,
                    outcome: CheckOutcome::Skipped,
                    note: String::new(),
                },
            ],
            balance_trim_db: -0.3,
            reference_gain_db: Some(-4.5),
            level: Some(LevelCalibration::from_observation(
                headphone,
                device,
                CalibrationMethod::SoundLevelMeter,
                79.0,
                -17.0,
                -4.5,
                None,
            )),
            app_version: "0.1.0".into(),
        }
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sub").join(STORE_FILE);
        let mut store = CalibrationStore::empty(&path);
        let a = record(
            "sennheiser.hd650",
            "USB Audio",
            1_700_000_000,
            CheckOutcome::Passed,
        );
        let b = record(
            "sony.mdr7506",
            "Built-in",
            1_700_000_500,
            CheckOutcome::Failed,
        );
        store.insert(a.clone());
        store.insert(b.clone());
        store.save().expect("save");
        let (back, aside) = CalibrationStore::open(&path).expect("open");
        assert_eq!(aside, None);
        assert_eq!(back, store);
        assert_eq!(back.get("sennheiser.hd650", "USB Audio"), Some(&a));
        assert_eq!(back.get("sony.mdr7506", "Built-in"), Some(&b));
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(text.contains("\"date_unix_s\": 1700000000"), "{text}");
        assert!(text.contains("\"left_right\""), "{text}");
    }

    #[test]
    fn a_new_record_replaces_the_old_one_of_the_same_setup() {
        let mut store = CalibrationStore::empty(Path::new("x.json"));
        store.insert(record("h", "d", 10, CheckOutcome::Failed));
        store.insert(record("h", "d", 20, CheckOutcome::Passed));
        assert_eq!(store.records().count(), 1);
        assert_eq!(store.get("h", "d").map(|r| r.date_unix_s), Some(20));
    }

    #[test]
    fn save_is_atomic_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(STORE_FILE);
        std::fs::write(&path, "{\"version\":1,\"records\":{}}").expect("seed");
        let mut store = CalibrationStore::open(&path).expect("open").0;
        store.insert(record("h", "d", 1, CheckOutcome::Passed));
        store.save().expect("save");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("list")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![STORE_FILE.to_owned()]);
        // A write that cannot complete leaves the old file whole.
        let blocked = dir.path().join("blocked");
        std::fs::create_dir(&blocked).expect("dir");
        // A folder where the store should go: the final rename cannot replace it.
        std::fs::create_dir_all(blocked.join(STORE_FILE).join("x")).expect("a folder in the way");
        let mut other = CalibrationStore::empty(&blocked.join(STORE_FILE));
        other.insert(record("h", "d", 2, CheckOutcome::Passed));
        assert!(other.save().is_err());
        assert!(!blocked.join(STORE_FILE).is_file());
        // And the failed write left no temporary file behind.
        assert_eq!(std::fs::read_dir(&blocked).expect("list").count(), 1);
        let (again, _) = CalibrationStore::open(&path).expect("reopen");
        assert_eq!(again.get("h", "d").map(|r| r.date_unix_s), Some(1));
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_reported_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(STORE_FILE);
        std::fs::write(&path, "{\"version\":1,\"records\":{\"h@d\":").expect("seed");
        let (store, aside) = CalibrationStore::open(&path).expect("open");
        let aside = aside.expect("reported");
        assert_eq!(store.records().count(), 0);
        assert_eq!(aside.to, dir.path().join("calibrations.json.corrupt"));
        assert!(!path.exists());
        assert!(aside.to_string().contains("moved to"), "{aside}");
        assert_eq!(
            std::fs::read_to_string(&aside.to).expect("kept"),
            "{\"version\":1,\"records\":{\"h@d\":"
        );
        // A second damaged file does not replace the first one set aside.
        std::fs::write(&path, [0xff, 0xfe, 0x00]).expect("seed");
        let (_, aside2) = CalibrationStore::open(&path).expect("open");
        assert_eq!(
            aside2.map(|a| a.to),
            Some(dir.path().join("calibrations.json.corrupt.2"))
        );
        assert!(dir.path().join("calibrations.json.corrupt").exists());
    }

    #[test]
    fn a_newer_layout_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(STORE_FILE);
        std::fs::write(&path, "{\"version\":99,\"records\":{}}").expect("seed");
        let e = CalibrationStore::open(&path).expect_err("newer");
        assert!(matches!(e, CalibrationStoreError::Newer { found: 99, .. }));
        assert!(path.exists());
    }

    #[test]
    fn status_passed_failed_stale_never() {
        let now = 1_800_000_000;
        let mut store = CalibrationStore::empty(Path::new("x.json"));
        assert_eq!(store.status(Some("h"), "d", now), CalibrationStatus::Never);
        store.insert(record("h", "d", now - 2 * DAY, CheckOutcome::Passed));
        assert_eq!(
            store.status(Some("h"), "d", now),
            CalibrationStatus::Passed {
                when: now - 2 * DAY
            }
        );
        // 29 days old: still good; 31 days old: stale.
        assert_eq!(
            store.status(Some("h"), "d", now + 27 * DAY),
            CalibrationStatus::Passed {
                when: now - 2 * DAY
            }
        );
        assert_eq!(
            store.status(Some("h"), "d", now + 29 * DAY),
            CalibrationStatus::Stale {
                when: now - 2 * DAY
            }
        );
        // Other headphones on this device, these headphones on another device, or unknown.
        for (h, d) in [(Some("other"), "d"), (Some("h"), "elsewhere"), (None, "d")] {
            assert_eq!(
                store.status(h, d, now),
                CalibrationStatus::Stale {
                    when: now - 2 * DAY
                },
                "{h:?} on {d}"
            );
        }
        assert_eq!(
            store.status(Some("other"), "elsewhere", now),
            CalibrationStatus::Never
        );
        store.insert(record("h", "d", now - DAY, CheckOutcome::Failed));
        assert_eq!(
            store.status(Some("h"), "d", now),
            CalibrationStatus::Failed {
                when: now - DAY,
                which: vec![CheckId::LeftRight]
            }
        );
    }
}
