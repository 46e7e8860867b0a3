//! Delivery spec profiles as data: what sizes, rates and bit rates a profile allows, and which
//! rules it softens. The shipped profiles live in `spec_profiles/*.toml` and are built into the
//! binary, so an installed Earmark works anywhere; a user adds or replaces profiles in
//! `~/.config/earmark/spec_profiles/`, or names a `.toml` file directly.

use super::SpecError;
use crate::spec::report::Status;
use crate::time::Rational;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder name, both shipped and in the user's config folder.
pub const PROFILE_FOLDER: &str = "spec_profiles";
/// The profile used when `--profile` is not given.
pub const DEFAULT_PROFILE: &str = "pix-standard";
/// A profile file larger than this is refused (they are a few hundred bytes).
const MAX_PROFILE_BYTES: u64 = 64 * 1024;

const EMBEDDED: &[(&str, &str)] = &[
    (
        "pix-standard.toml",
        include_str!("../../spec_profiles/pix-standard.toml"),
    ),
    (
        "pix-screening-room.toml",
        include_str!("../../spec_profiles/pix-screening-room.toml"),
    ),
    (
        "content-hub.toml",
        include_str!("../../spec_profiles/content-hub.toml"),
    ),
];

/// One profile, as written in its TOML file.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub id: String,
    pub name: String,
    /// Exact sizes allowed; when empty the multiple/min/max range applies.
    #[serde(default)]
    pub frame_sizes: Vec<[u32; 2]>,
    pub size_multiple: Option<u32>,
    pub size_min: Option<[u32; 2]>,
    pub size_max: Option<[u32; 2]>,
    pub max_video_kbps: Option<u64>,
    pub audio_kbps: Option<u64>,
    #[serde(default)]
    pub sample_rates: Vec<u32>,
    #[serde(default)]
    pub frame_rates: Vec<String>,
    /// Rule id → the most severe status that rule may give in this profile.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
}

impl Profile {
    /// Parses and validates one profile file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, SpecError> {
        let bad = |why: String| SpecError::BadProfile {
            file: file.to_owned(),
            why,
        };
        let p: Self = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if let Some(rate) = p.frame_rates.iter().find(|r| Rational::parse(r).is_none()) {
            return Err(bad(format!(
                "frame rate {rate:?} is not like \"24000/1001\""
            )));
        }
        if let Some((id, s)) = p.severity.iter().find(|(_, s)| Status::parse(s).is_none()) {
            return Err(bad(format!(
                "severity {s:?} for {id} is not fail, warn or info"
            )));
        }
        Ok(p)
    }

    /// The allowed frame rates, exact.
    pub fn rates(&self) -> Vec<Rational> {
        self.frame_rates
            .iter()
            .filter_map(|r| Rational::parse(r))
            .collect()
    }

    /// The most severe status `rule` may report in this profile.
    pub fn ceiling(&self, rule: &str) -> Status {
        self.severity
            .get(rule)
            .and_then(|s| Status::parse(s))
            .unwrap_or(Status::Fail)
    }
}

/// The profiles known to this run: shipped, then the user's (replacing shipped ones by id).
#[derive(Clone, Debug, Default)]
pub struct ProfileSet {
    pub profiles: Vec<Profile>,
    /// Problems with user files, reported but not fatal (the shipped profiles still work).
    pub warnings: Vec<String>,
}

impl ProfileSet {
    /// The shipped profiles plus those in `user_dir` (a missing folder is fine).
    pub fn load(user_dir: Option<&Path>) -> Result<Self, SpecError> {
        let mut set = Self::default();
        for (file, text) in EMBEDDED {
            set.insert(Profile::parse(text, file)?);
        }
        let Some(dir) = user_dir else {
            return Ok(set);
        };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(set);
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for path in files {
            match read_profile_file(&path) {
                Ok(p) => set.insert(p),
                Err(e) => set.warnings.push(e.to_string()),
            }
        }
        Ok(set)
    }

    fn insert(&mut self, p: Profile) {
        self.profiles.retain(|q| q.id != p.id);
        self.profiles.push(p);
    }

    /// The profile named `id`, or read from `id` when it is a path to a `.toml` file.
    pub fn find(&self, id: &str) -> Result<Profile, SpecError> {
        if let Some(p) = self.profiles.iter().find(|p| p.id == id) {
            return Ok(p.clone());
        }
        let path = Path::new(id);
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            return read_profile_file(path);
        }
        Err(SpecError::UnknownProfile(
            id.to_owned(),
            self.profiles
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ))
    }
}

/// The user's own profile folder (`~/.config/earmark/spec_profiles` on Linux).
pub fn user_profile_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "earmark").map(|d| d.config_dir().join(PROFILE_FOLDER))
}

fn read_profile_file(path: &Path) -> Result<Profile, SpecError> {
    let shown = path.display().to_string();
    let bad = |why: String| SpecError::BadProfile {
        file: shown.clone(),
        why,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| bad(e.to_string()))?
        .len();
    if len > MAX_PROFILE_BYTES {
        return Err(bad(format!("{len} bytes is too large for a profile")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    Profile::parse(&text, &shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_profiles_parse() {
        let set = ProfileSet::load(None).expect("shipped profiles");
        for id in ["pix-standard", "pix-screening-room", "content-hub"] {
            assert!(set.find(id).is_ok(), "{id}");
        }
        assert!(set.find("nope").is_err());
    }

    #[test]
    fn bad_values_are_refused() {
        let text = "id = \"x\"\nname = \"X\"\nframe_rates = [\"fast\"]\n";
        assert!(Profile::parse(text, "x.toml").is_err());
        let text = "id = \"x\"\nname = \"X\"\n[severity]\nfast-start = \"maybe\"\n";
        assert!(Profile::parse(text, "x.toml").is_err());
    }
}
