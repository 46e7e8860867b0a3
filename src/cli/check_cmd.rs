//! `earmark check FILE [--profile ID] [--json]`: the delivery spec check. Exit 0 when no rule
//! fails (warnings allowed), 1 when one does, 2 when the file cannot be read.

use super::Outcome;
use crate::delivery::{self, ProfileSet, SpecError};
use std::io::Write as _;
use std::path::Path;

pub fn run(file: &Path, profile: &str, json: bool) -> anyhow::Result<Outcome> {
    let set = match ProfileSet::load(delivery::profile::user_profile_dir().as_deref()) {
        Ok(set) => set,
        Err(e) => return Ok(Outcome::BadInput(e.to_string())),
    };
    for w in &set.warnings {
        eprintln!("earmark: {w}");
    }
    let profile = match set.find(profile) {
        Ok(p) => p,
        Err(e) => return Ok(Outcome::BadInput(e.to_string())),
    };
    let report = match delivery::check(file, &profile) {
        Ok(r) => r,
        Err(e @ (SpecError::UnknownProfile(..) | SpecError::BadProfile { .. })) => {
            return Ok(Outcome::BadInput(e.to_string()));
        }
        Err(e) => return Ok(Outcome::BadInput(e.to_string())),
    };
    let text = if json {
        serde_json::to_string_pretty(&report)?
    } else {
        report.human(&file.display().to_string())
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(if report.pass {
        Outcome::Done
    } else {
        Outcome::Failed
    })
}
