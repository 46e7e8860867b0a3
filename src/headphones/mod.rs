//! Headphones: the profiles of approved models and the amplifiers and sources that drive them,
//! recognising what is on the reviewer's head from the output device, the level at the ear, and
//! the signals the calibration checks play. Pure data and maths: no audio device, no UI.

pub mod catalog;
pub mod declarations;
pub mod error;
pub mod profile;
pub mod profile_file;
pub mod recognition;

pub use catalog::{
    Catalog, LoadReport, Override, Profile, ShippedProfiles, embedded_profiles, parse_profile,
    user_profile_dir,
};
pub use declarations::{Declaration, Declarations};
pub use error::ProfileError;
pub use profile::{
    BuiltinDsp, Connection, DeviceKind, DeviceProfile, Enclosure, FullScale, Guidance,
    HeadphoneProfile, Interface, MatchRule, Origin, Pattern, RuleField, Sensitivity,
    SensitivityRef, Sourced, db_per_mw_from_db_per_v, db_per_v_from_db_per_mw,
};
pub use recognition::{
    BluetoothEvidence, Candidate, DeviceInfo, FormFactor, Identified, IdentifiedBy,
    MIN_FULL_SCALE_SPL_DB, MaxSplEstimate, Recognition, Warning, bluetooth_evidence, recognise,
};

pub mod calibration_store;
pub mod dose;
pub mod level_guard;
pub mod level_light;
pub mod listening_level;
pub mod signals;

pub use calibration_store::{
    CalibrationRecord, CalibrationStatus, CalibrationStore, CalibrationStoreError, CheckId,
    CheckOutcome, CheckResult, SetAside,
};
pub use dose::{DoseConfig, DoseError, DoseLog};
pub use level_guard::{LevelAlert, LevelGuard, LevelGuardConfig};
pub use level_light::{LevelLight, Light};
pub use listening_level::{EarLevelInputs, Estimate, LevelCalibration, ear_spl_estimate};
pub use signals::{CheckSignal, SignalLoop};
