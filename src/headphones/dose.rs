//! The weekly listening dose: how much of the WHO/ITU-T H.870 safe-listening allowance the
//! reviewer has used over the last seven days, kept across launches in a small JSON file.
//!
//! H.870's adult allowance ("mode 1") is 80 dB(A) for 40 hours a week, on the equal-energy
//! principle: the dose is the sound energy, so every +3 dB (exactly 10·log10 2) halves the time
//! allowed: 83 dB → 20 h, 90 dB → 4 h, 100 dB → 24 min (loudness.md §5.2). The estimated level at
//! the ear stands in for dB(A), as loudness.md §6 proposes; the estimate's ± applies to the dose.
//!
//! The record is one entry per calendar day (UTC day numbers) holding the fraction of the mode-1
//! allowance used that day. Storing fractions of the fixed mode-1 allowance, rather than of the
//! configured one, keeps the record valid when the reviewer switches to the stricter 75 dB mode.
//! The week is today and the six days before it. Entries dated after today (the clock went back)
//! are folded into today rather than dropped: over-counting is the safe error.
//!
//! Saving is atomic: a temporary file in the same folder is written, flushed to disk, then renamed
//! over the old one, so a crash leaves either the old record or the new. A record that cannot be
//! parsed is moved aside as `<name>.corrupt` (never overwritten) and reported to the caller.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// H.870 mode 1: 80 dB(A) for 40 h per week.
pub const REFERENCE_DB: f64 = 80.0;
pub const ALLOWANCE_HOURS: u32 = 40;
/// H.870 mode 2 (children, sensitive listeners): 75 dB(A) for 40 h.
pub const SENSITIVE_REFERENCE_DB: f64 = 75.0;
/// Days in the rolling window, today included.
pub const WINDOW_DAYS: i64 = 7;
const MS_PER_HOUR: f64 = 3_600_000.0;
const MS_PER_DAY: i64 = 86_400_000;
/// The record's format; a newer one is set aside rather than misread.
const SCHEMA_VERSION: u32 = 1;
/// Set-aside names tried before giving up: `.corrupt`, `.corrupt.2` … `.corrupt.99`.
const SET_ASIDE_TRIES: u32 = 99;

/// Problems with the dose record. Paths come last in the messages.
#[derive(Debug, Error)]
pub enum DoseError {
    #[error("cannot read the listening-dose record ({reason}): {}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("cannot save the listening-dose record ({reason}): {}", path.display())]
    Write { path: PathBuf, reason: String },
    #[error(
        "the listening-dose record is damaged ({reason}) and could not be moved aside \
         ({move_reason}), so it was left as it is: {}", path.display()
    )]
    SetAside {
        path: PathBuf,
        reason: String,
        move_reason: String,
    },
}

/// A damaged record that was moved out of the way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetAside {
    /// Why it could not be used.
    pub reason: String,
    /// Where it is now.
    pub moved_to: PathBuf,
}

impl SetAside {
    /// What to tell the reviewer.
    pub fn message(&self) -> String {
        format!(
            "The listening-dose record was damaged ({}); the weekly dose starts again from zero. \
             The old file was kept: {}",
            self.reason,
            self.moved_to.display()
        )
    }
}

/// The allowance the percentage is shown against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DoseConfig {
    /// Level allowed for the whole allowance, dB(A).
    pub reference_db: f64,
    pub allowance_hours: u32,
}

impl Default for DoseConfig {
    fn default() -> Self {
        Self {
            reference_db: REFERENCE_DB,
            allowance_hours: ALLOWANCE_HOURS,
        }
    }
}

impl DoseConfig {
    /// This allowance as a multiple of the mode-1 allowance (1 for the default).
    fn relative_to_mode_1(&self) -> f64 {
        10f64.powf((self.reference_db - REFERENCE_DB) / 10.0) * f64::from(self.allowance_hours)
            / f64::from(ALLOWANCE_HOURS)
    }
}

/// Fraction of the mode-1 allowance used by `duration_ms` at `spl_db` (0 for silence or a
/// non-number).
pub fn dose_fraction(spl_db: f64, duration_ms: u64) -> f64 {
    if !spl_db.is_finite() {
        return 0.0;
    }
    10f64.powf((spl_db - REFERENCE_DB) / 10.0) * duration_ms as f64
        / (f64::from(ALLOWANCE_HOURS) * MS_PER_HOUR)
}

/// The UTC day number (days since 1970-01-01) of a Unix time in milliseconds.
pub fn day_of_unix_ms(unix_ms: i64) -> i64 {
    unix_ms.div_euclid(MS_PER_DAY)
}

/// Today's UTC day number from the system clock: for the caller that owns the real time; the
/// log itself is always told the day.
pub fn today_utc() -> i64 {
    let ms = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
    };
    day_of_unix_ms(ms)
}

/// One day's use.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DayDose {
    /// UTC day number.
    pub day: i64,
    /// Fraction of the mode-1 weekly allowance used that day (1.0 = the whole week's).
    pub fraction: f64,
}

/// The rolling record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoseLog {
    version: u32,
    /// Oldest first, one entry per day with listening, none older than the window.
    days: Vec<DayDose>,
}

impl Default for DoseLog {
    fn default() -> Self {
        Self {
            version: SCHEMA_VERSION,
            days: Vec::new(),
        }
    }
}

impl DoseLog {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn days(&self) -> &[DayDose] {
        &self.days
    }

    /// Adds `duration_ms` of listening at `spl_db` on day `now_day`, and drops days that have
    /// left the window.
    pub fn add(&mut self, spl_db: f64, duration_ms: u64, now_day: i64) {
        self.roll(now_day);
        let fraction = dose_fraction(spl_db, duration_ms);
        if fraction <= 0.0 {
            return;
        }
        match self.days.last_mut() {
            Some(last) if last.day == now_day => last.fraction += fraction,
            _ => self.days.push(DayDose {
                day: now_day,
                fraction,
            }),
        }
    }

    /// Drops days before the window and folds days after `now_day` into it.
    fn roll(&mut self, now_day: i64) {
        let first = now_day - (WINDOW_DAYS - 1);
        let future: f64 = self
            .days
            .iter()
            .filter(|d| d.day > now_day)
            .map(|d| d.fraction)
            .sum();
        self.days.retain(|d| (first..=now_day).contains(&d.day));
        if future > 0.0 {
            match self.days.last_mut() {
                Some(last) if last.day == now_day => last.fraction += future,
                _ => self.days.push(DayDose {
                    day: now_day,
                    fraction: future,
                }),
            }
        }
    }

    /// Mode-1 fraction used in the week ending on `now_day` (future-dated days count).
    fn week_fraction(&self, now_day: i64) -> f64 {
        let first = now_day - (WINDOW_DAYS - 1);
        self.days
            .iter()
            .filter(|d| d.day >= first)
            .map(|d| d.fraction)
            .sum()
    }

    /// Percentage of the H.870 mode-1 allowance (80 dB(A) × 40 h) used in the last seven days.
    pub fn percent_this_week(&self, now_day: i64) -> f64 {
        100.0 * self.week_fraction(now_day)
    }

    /// Percentage of the allowance in `config` used in the last seven days.
    pub fn percent_with(&self, now_day: i64, config: &DoseConfig) -> f64 {
        self.percent_this_week(now_day) / config.relative_to_mode_1()
    }

    /// How much longer listening at `spl_db` stays within the `config` allowance this week, ms
    /// (0 once it is used up; `u64::MAX` for silence).
    pub fn remaining_ms_at(&self, spl_db: f64, now_day: i64, config: &DoseConfig) -> u64 {
        let left = config.relative_to_mode_1() - self.week_fraction(now_day);
        if left <= 0.0 {
            return 0;
        }
        let per_ms = dose_fraction(spl_db, 1);
        if per_ms <= 0.0 {
            return u64::MAX;
        }
        // Float to integer casts saturate, so an enormous allowance stays u64::MAX.
        (left / per_ms) as u64
    }

    /// Reads the record at `path`. A missing file is an empty record; a damaged one is moved
    /// aside and reported in [`Loaded::set_aside`], and the record starts empty.
    pub fn load(path: &Path) -> Result<Loaded, DoseError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Loaded {
                    log: Self::new(),
                    set_aside: None,
                });
            }
            Err(e) => {
                return Err(DoseError::Read {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        };
        match parse(&text) {
            Ok(log) => Ok(Loaded {
                log,
                set_aside: None,
            }),
            Err(reason) => Ok(Loaded {
                log: Self::new(),
                set_aside: Some(set_aside(path, reason)?),
            }),
        }
    }

    /// Writes the record to `path` atomically. A damaged file already there is moved aside first
    /// (and reported), never replaced.
    pub fn save(&self, path: &Path) -> Result<Option<SetAside>, DoseError> {
        let fail = |reason: String| DoseError::Write {
            path: path.to_path_buf(),
            reason,
        };
        let aside = match std::fs::read_to_string(path) {
            Ok(old) => match parse(&old) {
                Ok(_) => None,
                Err(reason) => Some(set_aside(path, reason)?),
            },
            // Unreadable for another reason: the write below will say so if it matters.
            Err(_) => None,
        };
        let text = serde_json::to_string_pretty(self).map_err(|e| fail(e.to_string()))?;
        crate::persist::write_atomic(path, text.as_bytes()).map_err(|e| fail(e.to_string()))?;
        Ok(aside)
    }
}

/// What [`DoseLog::load`] found.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub log: DoseLog,
    /// A damaged record that was moved aside: report it.
    pub set_aside: Option<SetAside>,
}

/// Parses and checks a record: a file that parses but holds impossible values is as damaged
/// as one that does not parse.
fn parse(text: &str) -> Result<DoseLog, String> {
    let log: DoseLog = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if log.version > SCHEMA_VERSION {
        return Err(format!(
            "written by a newer Earmark (format {}, this one reads {SCHEMA_VERSION})",
            log.version
        ));
    }
    if let Some(d) = log
        .days
        .iter()
        .find(|d| !d.fraction.is_finite() || d.fraction < 0.0)
    {
        return Err(format!("impossible dose {} on day {}", d.fraction, d.day));
    }
    if log.days.windows(2).any(|w| w[0].day >= w[1].day) {
        return Err("days out of order".to_owned());
    }
    Ok(log)
}

/// `name.corrupt`, or the first free `name.corrupt.N`, next to `path`.
fn set_aside_target(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_string_lossy().into_owned();
    (1..=SET_ASIDE_TRIES)
        .map(|n| match n {
            1 => path.with_file_name(format!("{name}.corrupt")),
            n => path.with_file_name(format!("{name}.corrupt.{n}")),
        })
        .find(|p| !p.exists())
}

fn set_aside(path: &Path, reason: String) -> Result<SetAside, DoseError> {
    let failed = |move_reason: String, reason: String| DoseError::SetAside {
        path: path.to_path_buf(),
        reason,
        move_reason,
    };
    let Some(target) = set_aside_target(path) else {
        return Err(failed("no free .corrupt name".to_owned(), reason));
    };
    match std::fs::rename(path, &target) {
        Ok(()) => Ok(SetAside {
            reason,
            moved_to: target,
        }),
        Err(e) => Err(failed(e.to_string(), reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: u64 = 3_600_000;

    fn near(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    /// Equal up to the last bit or so: serde_json's default float parsing may be one ulp off.
    fn same_log(a: &DoseLog, b: &DoseLog) -> bool {
        a.version == b.version
            && a.days.len() == b.days.len()
            && a.days.iter().zip(&b.days).all(|(x, y)| {
                x.day == y.day && near(x.fraction, y.fraction, 1e-15 * y.fraction.max(1.0))
            })
    }

    #[test]
    fn equal_energy_worked_examples() {
        // 80 dB for 40 h is the whole allowance.
        assert!(near(dose_fraction(80.0, 40 * HOUR_MS), 1.0, 1e-12));
        // +10·log10 2 dB halves the time exactly; "+3 dB" is the rounded rule.
        let three = 10.0 * 2f64.log10();
        assert!(near(dose_fraction(80.0 + three, 20 * HOUR_MS), 1.0, 1e-12));
        assert!(near(dose_fraction(83.0, 20 * HOUR_MS), 0.9976, 1e-4));
        // loudness.md §5.2: 90 dB → 4 h, 100 dB → 24 min.
        assert!(near(dose_fraction(90.0, 4 * HOUR_MS), 1.0, 1e-12));
        assert!(near(dose_fraction(100.0, 24 * 60_000), 1.0, 1e-12));
        // One review evening: 3 h at 75 dB is 2.4 % of the week.
        assert!(near(100.0 * dose_fraction(75.0, 3 * HOUR_MS), 2.37, 0.01));
        assert_eq!(dose_fraction(f64::NEG_INFINITY, HOUR_MS), 0.0);
        assert_eq!(dose_fraction(f64::NAN, HOUR_MS), 0.0);
    }

    #[test]
    fn the_week_rolls() {
        let mut log = DoseLog::new();
        log.add(80.0, 20 * HOUR_MS, 100); // 50 %
        log.add(80.0, 12 * HOUR_MS, 103); // 30 %
        assert!(near(log.percent_this_week(103), 80.0, 1e-9));
        assert!(
            near(log.percent_this_week(106), 80.0, 1e-9),
            "day 100 is still in"
        );
        assert!(
            near(log.percent_this_week(107), 30.0, 1e-9),
            "day 100 has left"
        );
        assert!(near(log.percent_this_week(110), 0.0, 1e-9));
        log.add(80.0, 4 * HOUR_MS, 107); // 10 %, and day 100 is dropped
        assert_eq!(log.days().len(), 2);
        assert!(near(log.percent_this_week(107), 40.0, 1e-9));
    }

    #[test]
    fn many_small_additions_add_up_on_one_day() {
        let mut log = DoseLog::new();
        // 40 h in 100 ms meter updates.
        for _ in 0..(40 * 36_000) {
            log.add(80.0, 100, 5);
        }
        assert_eq!(log.days().len(), 1);
        assert!(near(log.percent_this_week(5), 100.0, 1e-6));
    }

    #[test]
    fn a_clock_that_went_back_over_counts_rather_than_forgets() {
        let mut log = DoseLog::new();
        log.add(80.0, 20 * HOUR_MS, 200);
        // The clock now says day 150: the day-200 dose still counts, folded into today.
        assert!(near(log.percent_this_week(150), 50.0, 1e-9));
        log.add(80.0, 4 * HOUR_MS, 150);
        assert_eq!(log.days().len(), 1);
        assert_eq!(log.days()[0].day, 150);
        assert!(near(log.days()[0].fraction, 0.6, 1e-12));
    }

    #[test]
    fn stricter_mode_and_time_left() {
        let mut log = DoseLog::new();
        log.add(75.0, 40 * HOUR_MS, 9);
        let sensitive = DoseConfig {
            reference_db: SENSITIVE_REFERENCE_DB,
            allowance_hours: 40,
        };
        assert!(near(log.percent_with(9, &sensitive), 100.0, 1e-9));
        assert!(near(log.percent_this_week(9), 31.62, 0.01));
        assert_eq!(log.remaining_ms_at(80.0, 9, &sensitive), 0);
        let mut log = DoseLog::new();
        log.add(80.0, 20 * HOUR_MS, 9);
        let left = log.remaining_ms_at(80.0, 9, &DoseConfig::default());
        assert!(left.abs_diff(20 * HOUR_MS) <= 1, "{left}");
        let left = log.remaining_ms_at(90.0, 9, &DoseConfig::default());
        assert!(left.abs_diff(2 * HOUR_MS) <= 1, "{left}");
        assert_eq!(
            log.remaining_ms_at(f64::NEG_INFINITY, 9, &DoseConfig::default()),
            u64::MAX
        );
    }

    #[test]
    fn save_and_load_round_trip_atomically() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state/dose.json");
        let loaded = DoseLog::load(&path).expect("missing is fine");
        assert_eq!(loaded.log, DoseLog::new());
        assert_eq!(loaded.set_aside, None);

        let mut log = DoseLog::new();
        log.add(82.0, 3 * HOUR_MS, 19_000);
        log.add(70.0, HOUR_MS, 19_001);
        assert_eq!(log.save(&path).expect("save"), None);
        let back = DoseLog::load(&path).expect("load");
        assert!(same_log(&back.log, &log), "{back:?}");
        assert_eq!(back.set_aside, None);
        // Saving again replaces it; no temporary file is left behind.
        log.add(70.0, HOUR_MS, 19_001);
        log.save(&path).expect("save");
        assert!(same_log(&DoseLog::load(&path).expect("load").log, &log));
        let names: Vec<_> = std::fs::read_dir(path.parent().expect("dir"))
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("dose.json")]);
    }

    #[test]
    fn a_damaged_record_is_kept_aside_and_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("dose.json");
        for (n, junk) in [
            "{ not json",
            r#"{"version":1,"days":[{"day":3,"fraction":-0.5}]}"#,
            r#"{"version":1,"days":[{"day":3,"fraction":0.1},{"day":2,"fraction":0.1}]}"#,
            r#"{"version":9,"days":[]}"#,
        ]
        .into_iter()
        .enumerate()
        {
            std::fs::write(&path, junk).expect("write");
            let loaded = DoseLog::load(&path).expect("load");
            assert_eq!(loaded.log, DoseLog::new());
            let aside = loaded.set_aside.expect("reported");
            let expected = match n {
                0 => dir.path().join("dose.json.corrupt"),
                n => dir.path().join(format!("dose.json.corrupt.{}", n + 1)),
            };
            assert_eq!(aside.moved_to, expected);
            assert_eq!(std::fs::read_to_string(&expected).expect("kept"), junk);
            assert!(!path.exists());
            assert!(aside.message().contains("kept"));
        }
    }

    #[test]
    fn saving_over_a_damaged_record_moves_it_aside_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("dose.json");
        std::fs::write(&path, "garbage").expect("write");
        let mut log = DoseLog::new();
        log.add(80.0, HOUR_MS, 1);
        let aside = log.save(&path).expect("save").expect("reported");
        assert_eq!(
            std::fs::read_to_string(&aside.moved_to).expect("kept"),
            "garbage"
        );
        assert!(same_log(&DoseLog::load(&path).expect("load").log, &log));
    }

    #[test]
    fn unreadable_record_is_an_error_not_a_reset() {
        let dir = tempfile::tempdir().expect("tempdir");
        // A folder where the file should be: reading fails for a reason other than absence.
        let path = dir.path().join("dose.json");
        std::fs::create_dir(&path).expect("mkdir");
        let err = DoseLog::load(&path).expect_err("a folder is not a record");
        assert!(matches!(err, DoseError::Read { .. }));
        assert!(err.to_string().ends_with("dose.json"));
    }

    #[test]
    fn day_numbers() {
        assert_eq!(day_of_unix_ms(0), 0);
        assert_eq!(day_of_unix_ms(MS_PER_DAY - 1), 0);
        assert_eq!(day_of_unix_ms(MS_PER_DAY), 1);
        assert_eq!(day_of_unix_ms(-1), -1);
        // 2024-01-01T00:00:00Z is day 19 723.
        assert_eq!(day_of_unix_ms(1_704_067_200_000), 19_723);
        assert!(today_utc() > 19_723);
    }
}
