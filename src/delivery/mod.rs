//! The delivery spec check (`earmark check`): does a review QuickTime meet the PIX / Content Hub
//! "Locked Cuts" spec, and if not, what exactly is wrong and how to fix it.
//!
//! Three steps, each in its own module: [`facts`] measures the file from its bytes with our own
//! bounded atom reader (FFmpeg hides `cmov`, edit lists and handler types), [`profile`] loads what a
//! delivery profile expects (TOML data, shipped and user-added), [`rules`] compares the two rule by
//! rule, [`policy`] combines those results up the profile's tree of `all` / `any` nodes and shared
//! sub-policies into the verdict, and [`report`] holds the results and their JSON form. Rules are
//! named by [`RuleId`], a closed set, so a misspelt id fails to compile (or, in a profile file,
//! to load).

pub mod facts;
mod foreign;
mod picture_rules;
pub mod policy;
pub mod profile;
pub mod report;
pub mod rule_id;
pub mod rules;

pub use facts::Facts;
pub use profile::{Profile, ProfileSet};
pub use report::{Report, RuleResult, Status};
pub use rule_id::{RuleId, UnknownRuleId};

use std::path::Path;
use thiserror::Error;

/// Why a check could not be run at all (a failing rule is not an error; it is a result).
#[derive(Debug, Error)]
pub enum SpecError {
    #[error("cannot open ({source}): {path}")]
    Open {
        source: std::io::Error,
        path: String,
    },
    #[error("cannot read the movie structure ({source}): {path}")]
    Atoms {
        source: crate::media::atoms::AtomError,
        path: String,
    },
    #[error("not a QuickTime / MP4 movie (no `moov` atom; damaged or cut short?): {path}")]
    NoMovie { path: String },
    /// The file is plainly something else (a sound file, Matroska, a transport stream …).
    #[error(
        "{path} is {kind}, not a QuickTime movie: the delivery spec check reads QuickTime \
         (.mov) review files"
    )]
    NotQuickTime { kind: &'static str, path: String },
    #[error("unknown spec profile {0:?} (known: {1})")]
    UnknownProfile(String, String),
    #[error("spec profile {file} is invalid: {why}")]
    BadProfile { file: String, why: String },
}

/// Measures `file` and checks it against `profile`.
pub fn check(file: &Path, profile: &Profile) -> Result<Report, SpecError> {
    let facts = Facts::read_path(file)?;
    Ok(rules::evaluate(&facts, profile))
}
