//! Loading and validating the profile catalogue: the shipped `headphone_profiles/*.toml` plus the
//! user's own folder, with every problem reported by file, line and field.
//!
//! One bad file must not cost the reviewer the other profiles, so loading never fails as a
//! whole: it returns the good profiles and a list of per-file errors. The shipped files are also
//! built into the binary (`include_str!`, below) so an installed Earmark works anywhere; a
//! folder next to the executable, or the crate's own folder in a development build, is read in
//! preference so that edits show without a rebuild. A test checks that every file in the folder
//! is in the built-in list, so the `.toml` files stay the one source of truth.
//!
//! A user profile with a shipped profile's id replaces it (reported as an [`Override`]); two
//! profiles from the same place with one id are an error, as the second would silently win.

use super::error::ProfileError;
use super::profile::{
    BuiltinDsp, Connection, DeviceKind, DeviceProfile, Enclosure, FullScale, Guidance,
    HeadphoneProfile, Interface, MatchRule, Origin, Pattern, RuleField, Sensitivity,
    SensitivityRef, Sourced, words,
};
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// The schema version this build reads.
pub const SCHEMA_VERSION: i64 = 1;

/// The folder name, both shipped and in the user's config folder.
pub const PROFILE_FOLDER: &str = "headphone_profiles";

macro_rules! embedded {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../../headphone_profiles/", $file)))),*]
    };
}

/// The shipped profiles as built into the binary: (file name, contents).
const EMBEDDED: &[(&str, &str)] = embedded![
    "amp-schiit-magni.toml",
    "audeze-lcd-2.toml",
    "audeze-lcd-3.toml",
    "audeze-lcd-4.toml",
    "audeze-lcd-xc-2021.toml",
    "audeze-sine.toml",
    "audio-technica-ath-m50x.toml",
    "audio-technica-ath-m50xbt.toml",
    "audio-technica-ath-m50xbt2.toml",
    "beyerdynamic-dt1990pro-250.toml",
    "beyerdynamic-dt1990pro-mk2.toml",
    "beyerdynamic-dt770pro-250.toml",
    "beyerdynamic-dt770pro-80.toml",
    "beyerdynamic-dt990pro-250.toml",
    "beyerdynamic-dt990pro-80.toml",
    "dac-apogee-groove.toml",
    "dac-chord-mojo.toml",
    "dac-chord-mojo2.toml",
    "sennheiser-hd300pro.toml",
    "sennheiser-hd380pro.toml",
    "sennheiser-hd600.toml",
    "sennheiser-hd650.toml",
    "sennheiser-hd660s.toml",
    "sennheiser-hd660s2.toml",
    "sennheiser-hd800.toml",
    "sennheiser-hd820.toml",
    "shure-srh1840.toml",
    "sony-mdr7506.toml",
    "sony-wh1000xm4.toml",
    "source-apple-mac-jack.toml",
    "source-apple-usb-c-adapter.toml",
    "source-builtin-jack.toml",
];

/// The shipped profile files built into this binary, as (file name, contents).
pub fn embedded_profiles() -> &'static [(&'static str, &'static str)] {
    EMBEDDED
}

/// Where the shipped profiles are read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShippedProfiles {
    /// A `headphone_profiles` folder on disk.
    Folder(PathBuf),
    /// The copies built into the binary.
    Embedded,
}

impl ShippedProfiles {
    /// The folder next to the executable, else the crate's folder (a development build), else
    /// the built-in copies.
    pub fn locate() -> Self {
        let beside_exe = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join(PROFILE_FOLDER)));
        let crate_root = Path::new(env!("CARGO_MANIFEST_DIR")).join(PROFILE_FOLDER);
        beside_exe
            .into_iter()
            .chain(std::iter::once(crate_root))
            .find(|d| d.is_dir())
            .map_or(Self::Embedded, Self::Folder)
    }
}

/// The user's own profile folder (`~/.config/earmark/headphone_profiles` on Linux).
pub fn user_profile_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "earmark").map(|d| d.config_dir().join(PROFILE_FOLDER))
}

/// One parsed profile file.
#[derive(Clone, Debug, PartialEq)]
pub enum Profile {
    Headphones(HeadphoneProfile),
    Device(DeviceProfile),
}

impl Profile {
    pub fn id(&self) -> &str {
        match self {
            Self::Headphones(h) => &h.id,
            Self::Device(d) => &d.id,
        }
    }

    fn set_origin(&mut self, origin: Origin) {
        match self {
            Self::Headphones(h) => h.origin = origin,
            Self::Device(d) => d.origin = origin,
        }
    }
}

/// A user profile that replaced a shipped one with the same id.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub id: String,
    pub user_file: PathBuf,
    /// The shipped file it replaced (its name in `headphone_profiles/`).
    pub shipped_file: String,
}

impl fmt::Display for Override {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "your profile `{}` replaces the shipped {}: {}",
            self.id,
            self.shipped_file,
            self.user_file.display()
        )
    }
}

/// The loaded profiles.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Catalog {
    headphones: Vec<HeadphoneProfile>,
    devices: Vec<DeviceProfile>,
}

/// What loading produced: the good profiles, and what was wrong with the rest.
#[derive(Clone, Debug, Default)]
pub struct LoadReport {
    pub catalog: Catalog,
    /// One entry per file that could not be used.
    pub errors: Vec<ProfileError>,
    pub overrides: Vec<Override>,
}

/// A file to load: where it is (for messages) and its text.
struct Source {
    path: PathBuf,
    file_name: String,
    text: String,
}

impl Catalog {
    /// The shipped profiles (see [`ShippedProfiles::locate`]) and the user's folder.
    pub fn load_standard() -> LoadReport {
        Self::load(&ShippedProfiles::locate(), user_profile_dir().as_deref())
    }

    /// The shipped profiles from `shipped`, then the user's from `user_dir` (a missing user
    /// folder is normal and not an error).
    pub fn load(shipped: &ShippedProfiles, user_dir: Option<&Path>) -> LoadReport {
        let mut errors = Vec::new();
        let shipped_sources = match shipped {
            ShippedProfiles::Embedded => EMBEDDED
                .iter()
                .map(|(name, text)| Source {
                    path: Path::new(PROFILE_FOLDER).join(name),
                    file_name: (*name).to_owned(),
                    text: (*text).to_owned(),
                })
                .collect(),
            ShippedProfiles::Folder(dir) => read_folder(dir, false, &mut errors),
        };
        let user_sources = match user_dir {
            Some(dir) => read_folder(dir, true, &mut errors),
            None => Vec::new(),
        };
        let mut report = Self::from_sources(shipped_sources, user_sources);
        errors.append(&mut report.errors);
        report.errors = errors;
        report
    }

    fn from_sources(shipped: Vec<Source>, user: Vec<Source>) -> LoadReport {
        struct Entry {
            profile: Profile,
            path: PathBuf,
            file_name: String,
            user: bool,
        }
        let mut entries: Vec<Entry> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut errors = Vec::new();
        let mut overrides = Vec::new();
        for (user_file, source) in shipped
            .into_iter()
            .map(|s| (false, s))
            .chain(user.into_iter().map(|s| (true, s)))
        {
            let (mut profile, id_line) = match parse(&source.text, &source.path) {
                Ok(p) => p,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let id = profile.id().to_owned();
            let existing = index.get(&id).copied();
            match existing.and_then(|i| entries.get_mut(i)) {
                Some(first) if first.user == user_file => {
                    errors.push(ProfileError::DuplicateId {
                        id,
                        file: source.path,
                        line: id_line,
                        first: first.path.clone(),
                    });
                }
                Some(shipped_entry) => {
                    profile.set_origin(Origin::User {
                        path: source.path.clone(),
                        replaces_shipped: true,
                    });
                    overrides.push(Override {
                        id,
                        user_file: source.path.clone(),
                        shipped_file: shipped_entry.file_name.clone(),
                    });
                    *shipped_entry = Entry {
                        profile,
                        path: source.path,
                        file_name: source.file_name,
                        user: true,
                    };
                }
                None => {
                    profile.set_origin(if user_file {
                        Origin::User {
                            path: source.path.clone(),
                            replaces_shipped: false,
                        }
                    } else {
                        Origin::Shipped {
                            file: source.file_name.clone(),
                        }
                    });
                    index.insert(id, entries.len());
                    entries.push(Entry {
                        profile,
                        path: source.path,
                        file_name: source.file_name,
                        user: user_file,
                    });
                }
            }
        }
        let mut catalog = Catalog::default();
        for e in entries {
            match e.profile {
                Profile::Headphones(h) => catalog.headphones.push(h),
                Profile::Device(d) => catalog.devices.push(d),
            }
        }
        let key = |maker: &str, model: &str, variant: &str| {
            (
                maker.to_lowercase(),
                model.to_lowercase(),
                variant.to_owned(),
            )
        };
        catalog
            .headphones
            .sort_by_key(|h| key(&h.maker, &h.model, &h.variant));
        catalog
            .devices
            .sort_by_key(|d| (d.kind as u8, key(&d.maker, &d.model, &d.variant)));
        LoadReport {
            catalog,
            errors,
            overrides,
        }
    }

    /// All headphone profiles, by maker and model.
    pub fn headphones(&self) -> &[HeadphoneProfile] {
        &self.headphones
    }

    /// All amplifier, DAC and source profiles.
    pub fn devices(&self) -> &[DeviceProfile] {
        &self.devices
    }

    /// The headphone profile with this id.
    pub fn headphone(&self, id: &str) -> Option<&HeadphoneProfile> {
        self.headphones.iter().find(|h| h.id == id)
    }

    /// The device profile with this id.
    pub fn device(&self, id: &str) -> Option<&DeviceProfile> {
        self.devices.iter().find(|d| d.id == id)
    }

    /// Headphones a person may mean by `query`: the one with that id, else those whose alias,
    /// model or maker + model (+ variant) has the same words ("HD 650 Pro", "dt770 pro 80").
    /// More than one result means the query is ambiguous.
    pub fn search_headphones(&self, query: &str) -> Vec<&HeadphoneProfile> {
        search(&self.headphones, query, |h| {
            (&h.id, &h.maker, &h.model, &h.variant, &h.aliases)
        })
    }

    /// Devices a person may mean by `query`, as [`Self::search_headphones`].
    pub fn search_devices(&self, query: &str) -> Vec<&DeviceProfile> {
        search(&self.devices, query, |d| {
            (&d.id, &d.maker, &d.model, &d.variant, &d.aliases)
        })
    }
}

type Names<'a> = (
    &'a String,
    &'a String,
    &'a String,
    &'a String,
    &'a Vec<String>,
);

fn search<'a, P>(items: &'a [P], query: &str, names: impl Fn(&'a P) -> Names<'a>) -> Vec<&'a P> {
    let q = query.trim();
    if let Some(p) = items.iter().find(|p| names(p).0.eq_ignore_ascii_case(q)) {
        return vec![p];
    }
    let q = words(q);
    if q.is_empty() {
        return Vec::new();
    }
    items
        .iter()
        .filter(|p| {
            let (_, maker, model, variant, aliases) = names(p);
            let mut spellings = vec![
                model.clone(),
                format!("{maker} {model}"),
                format!("{model} {variant}"),
                format!("{maker} {model} {variant}"),
            ];
            spellings.extend(aliases.iter().cloned());
            spellings.iter().any(|s| words(s) == q)
        })
        .collect()
}

/// The `*.toml` files of `dir`, by name. A missing user folder is normal; a missing shipped
/// folder, or one that cannot be listed, is an error.
fn read_folder(dir: &Path, user: bool, errors: &mut Vec<ProfileError>) -> Vec<Source> {
    let listing = match std::fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) if user && e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            errors.push(ProfileError::ReadFolder {
                path: dir.to_path_buf(),
                reason: e.to_string(),
            });
            return Vec::new();
        }
    };
    let mut paths: Vec<PathBuf> = listing
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|path| match std::fs::read_to_string(&path) {
            Ok(text) => Some(Source {
                file_name: path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                path,
                text,
            }),
            Err(e) => {
                errors.push(ProfileError::ReadFile {
                    path,
                    reason: e.to_string(),
                });
                None
            }
        })
        .collect()
}

/// Parses and validates one profile file. `file` is only used in error messages; the origin is
/// set to "shipped" and corrected by the loader.
pub fn parse_profile(text: &str, file: &Path) -> Result<Profile, ProfileError> {
    parse(text, file).map(|(p, _)| p)
}

/// The profile and the line of its `id` (for duplicate-id errors).
fn parse(text: &str, file: &Path) -> Result<(Profile, usize), ProfileError> {
    let toml_error = |e: toml::de::Error| ProfileError::from_toml(file, text, &e);
    let v = Validator { file, text };
    // The kind decides the schema, so it is read first (this pass also reports bad TOML).
    let probe: KindProbe = toml::from_str(text).map_err(toml_error)?;
    let Some(kind) = probe.kind else {
        return Err(v.error(
            0..0,
            "kind",
            "missing field `kind` (headphones, amplifier, dac or source)",
        ));
    };
    if kind.get_ref() == "headphones" {
        let raw: RawHeadphones = toml::from_str(text).map_err(toml_error)?;
        let line = super::error::line_column(text, raw.id.span().start).0;
        Ok((Profile::Headphones(v.headphones(raw)?), line))
    } else if ["amplifier", "dac", "source"].contains(&kind.get_ref().as_str()) {
        let raw: RawDevice = toml::from_str(text).map_err(toml_error)?;
        let line = super::error::line_column(text, raw.id.span().start).0;
        Ok((Profile::Device(v.device(raw)?), line))
    } else {
        Err(v.error(
            kind.span(),
            "kind",
            format!(
                "unknown kind `{}`, expected headphones, amplifier, dac or source",
                kind.get_ref()
            ),
        ))
    }
}

// ---- The file schema (documented in headphone_profiles/README.md) ----

#[derive(Deserialize)]
struct KindProbe {
    kind: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeadphones {
    schema_version: Spanned<i64>,
    #[allow(dead_code)] // Read by the probe; listed so the strict schema accepts it.
    kind: String,
    id: Spanned<String>,
    maker: Spanned<String>,
    model: Spanned<String>,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    guidance: Guidance,
    enclosure: Enclosure,
    #[serde(default)]
    connection: Connection,
    #[serde(default)]
    note: String,
    impedance: Option<RawOhms>,
    sensitivity: Option<RawSensitivity>,
    #[serde(default, rename = "match")]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDevice {
    schema_version: Spanned<i64>,
    kind: DeviceKind,
    id: Spanned<String>,
    maker: Spanned<String>,
    model: Spanned<String>,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    #[serde(default)]
    full_scale: Vec<RawFullScale>,
    output_impedance: Option<RawOhms>,
    #[serde(default)]
    builtin_dsp: Vec<BuiltinDsp>,
    #[serde(default)]
    bluetooth: bool,
    #[serde(default)]
    note: String,
    #[serde(default, rename = "match")]
    rules: Vec<Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOhms {
    ohm: Spanned<f64>,
    source: Spanned<String>,
    verified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSensitivity {
    db_spl: Spanned<f64>,
    per: SensitivityRef,
    at_hz: Option<Spanned<f64>>,
    source: Spanned<String>,
    verified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFullScale {
    vrms: Spanned<f64>,
    min_load_ohm: Option<Spanned<f64>>,
    source: Spanned<String>,
    verified: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    field: RuleField,
    words: Option<Spanned<String>>,
    contains: Option<Spanned<String>>,
    prefix: Option<Spanned<String>>,
    equals: Option<Spanned<String>>,
    #[serde(default)]
    unless: Vec<Spanned<String>>,
    interface: Option<Interface>,
}

/// Checks values the schema cannot: ranges, empty texts, rule shape.
struct Validator<'a> {
    file: &'a Path,
    text: &'a str,
}

impl Validator<'_> {
    fn error(
        &self,
        span: std::ops::Range<usize>,
        field: &str,
        problem: impl Into<String>,
    ) -> ProfileError {
        ProfileError::at(self.file, self.text, span, field, problem)
    }

    fn version(&self, v: &Spanned<i64>) -> Result<(), ProfileError> {
        if *v.get_ref() == SCHEMA_VERSION {
            Ok(())
        } else {
            Err(self.error(
                v.span(),
                "schema_version",
                format!(
                    "schema version {} is not supported; this Earmark reads version {SCHEMA_VERSION}",
                    v.get_ref()
                ),
            ))
        }
    }

    fn text(&self, s: &Spanned<String>, field: &str) -> Result<String, ProfileError> {
        let t = s.get_ref().trim();
        if t.is_empty() {
            Err(self.error(s.span(), field, "must not be empty"))
        } else {
            Ok(t.to_owned())
        }
    }

    fn id(&self, s: &Spanned<String>) -> Result<String, ProfileError> {
        let id = self.text(s, "id")?;
        let ok = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if ok {
            Ok(id)
        } else {
            Err(self.error(
                s.span(),
                "id",
                format!("`{id}` may hold only a-z, 0-9, `.`, `-` and `_`"),
            ))
        }
    }

    fn aliases(&self, aliases: &[Spanned<String>]) -> Result<Vec<String>, ProfileError> {
        aliases.iter().map(|a| self.text(a, "aliases")).collect()
    }

    /// A finite number within `range` (inclusive).
    fn number(
        &self,
        v: &Spanned<f64>,
        field: &str,
        unit: &str,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<f64, ProfileError> {
        let x = *v.get_ref();
        if x.is_finite() && range.contains(&x) {
            return Ok(x);
        }
        let (lo, hi) = (range.start(), range.end());
        let problem = if *lo == 0.0 && x < 0.0 {
            format!("must not be negative (got {x} {unit})")
        } else {
            format!("must be from {lo} to {hi} {unit} (got {x})")
        };
        Err(self.error(v.span(), field, problem))
    }

    fn ohms(
        &self,
        raw: &RawOhms,
        table: &str,
        allow_zero: bool,
    ) -> Result<Sourced<f64>, ProfileError> {
        let field = format!("{table}.ohm");
        let value = self.number(&raw.ohm, &field, "Ω", 0.0..=100_000.0)?;
        if value == 0.0 && !allow_zero {
            return Err(self.error(raw.ohm.span(), &field, "must be more than 0 Ω"));
        }
        Ok(Sourced {
            value,
            source: self.text(&raw.source, &format!("{table}.source"))?,
            verified: raw.verified,
        })
    }

    fn sensitivity(&self, raw: &RawSensitivity) -> Result<Sourced<Sensitivity>, ProfileError> {
        let db_spl = self.number(&raw.db_spl, "sensitivity.db_spl", "dB SPL", 60.0..=150.0)?;
        let at_hz = match &raw.at_hz {
            Some(spanned) => {
                let hz = self.number(spanned, "sensitivity.at_hz", "Hz", 0.0..=100_000.0)?;
                if hz == 0.0 {
                    return Err(self.error(
                        spanned.span(),
                        "sensitivity.at_hz",
                        "must be more than 0 Hz",
                    ));
                }
                Some(hz)
            }
            None => None,
        };
        Ok(Sourced {
            value: Sensitivity {
                db_spl,
                per: raw.per,
                at_hz,
            },
            source: self.text(&raw.source, "sensitivity.source")?,
            verified: raw.verified,
        })
    }

    fn rules(&self, raw: &[Spanned<RawRule>]) -> Result<Vec<MatchRule>, ProfileError> {
        raw.iter()
            .enumerate()
            .map(|(i, r)| self.rule(r, &format!("match[{}]", i + 1)))
            .collect()
    }

    fn rule(&self, spanned: &Spanned<RawRule>, table: &str) -> Result<MatchRule, ProfileError> {
        let r = spanned.get_ref();
        let given: Vec<(&str, &Spanned<String>)> = [
            ("words", &r.words),
            ("contains", &r.contains),
            ("prefix", &r.prefix),
            ("equals", &r.equals),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| (k, v)))
        .collect();
        let (key, value) = match given.as_slice() {
            [one] => *one,
            [] => {
                return Err(self.error(
                    spanned.span(),
                    table,
                    "empty match rule: give one of `words`, `contains`, `prefix` or `equals`",
                ));
            }
            [_, (second, v), ..] => {
                return Err(self.error(
                    v.span(),
                    &format!("{table}.{second}"),
                    "a rule takes only one of `words`, `contains`, `prefix` or `equals`; write two rules",
                ));
            }
        };
        let field = format!("{table}.{key}");
        let text = self.text(value, &field)?;
        if key == "words" && words(&text).is_empty() {
            return Err(self.error(value.span(), &field, "has no letters or digits"));
        }
        let pattern = match key {
            "words" => Pattern::Words(text),
            "contains" => Pattern::Contains(text),
            "prefix" => Pattern::Prefix(text),
            _ => Pattern::Equals(text),
        };
        let unless = r
            .unless
            .iter()
            .map(|u| {
                let field = format!("{table}.unless");
                let t = self.text(u, &field)?;
                if words(&t).is_empty() {
                    Err(self.error(u.span(), &field, "has no letters or digits"))
                } else {
                    Ok(t)
                }
            })
            .collect::<Result<_, _>>()?;
        Ok(MatchRule {
            field: r.field,
            pattern,
            unless,
            interface: r.interface,
        })
    }

    fn headphones(&self, raw: RawHeadphones) -> Result<HeadphoneProfile, ProfileError> {
        self.version(&raw.schema_version)?;
        let mut profile = HeadphoneProfile {
            id: self.id(&raw.id)?,
            maker: self.text(&raw.maker, "maker")?,
            model: self.text(&raw.model, "model")?,
            variant: raw.variant.trim().to_owned(),
            aliases: self.aliases(&raw.aliases)?,
            guidance: raw.guidance,
            enclosure: raw.enclosure,
            connection: raw.connection,
            impedance_ohm: raw
                .impedance
                .as_ref()
                .map(|z| self.ohms(z, "impedance", false))
                .transpose()?,
            sensitivity: raw
                .sensitivity
                .as_ref()
                .map(|s| self.sensitivity(s))
                .transpose()?,
            db_spl_per_v: None,
            rules: self.rules(&raw.rules)?,
            note: raw.note.trim().to_owned(),
            origin: Origin::Shipped {
                file: String::new(),
            },
        };
        profile.derive();
        Ok(profile)
    }

    fn device(&self, raw: RawDevice) -> Result<DeviceProfile, ProfileError> {
        self.version(&raw.schema_version)?;
        let mut full_scale = raw
            .full_scale
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let table = format!("full_scale[{}]", i + 1);
                let vrms = self.number(&f.vrms, &format!("{table}.vrms"), "Vrms", 0.0..=100.0)?;
                if vrms == 0.0 {
                    return Err(self.error(
                        f.vrms.span(),
                        &format!("{table}.vrms"),
                        "must be more than 0 Vrms",
                    ));
                }
                let min_load_ohm = match &f.min_load_ohm {
                    Some(z) => {
                        self.number(z, &format!("{table}.min_load_ohm"), "Ω", 0.0..=100_000.0)?
                    }
                    None => 0.0,
                };
                Ok(FullScale {
                    vrms: Sourced {
                        value: vrms,
                        source: self.text(&f.source, &format!("{table}.source"))?,
                        verified: f.verified,
                    },
                    min_load_ohm,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        full_scale.sort_by(|a, b| a.min_load_ohm.total_cmp(&b.min_load_ohm));
        let mut builtin_dsp = raw.builtin_dsp;
        builtin_dsp.dedup();
        Ok(DeviceProfile {
            id: self.id(&raw.id)?,
            maker: self.text(&raw.maker, "maker")?,
            model: self.text(&raw.model, "model")?,
            variant: raw.variant.trim().to_owned(),
            aliases: self.aliases(&raw.aliases)?,
            kind: raw.kind,
            full_scale,
            output_impedance_ohm: raw
                .output_impedance
                .as_ref()
                .map(|z| self.ohms(z, "output_impedance", true))
                .transpose()?,
            builtin_dsp,
            bluetooth: raw.bluetooth,
            rules: self.rules(&raw.rules)?,
            note: raw.note.trim().to_owned(),
            origin: Origin::Shipped {
                file: String::new(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
schema_version = 1
kind = "headphones"
id = "test.one"
maker = "Test"
model = "One"
guidance = "approved"
enclosure = "closed"

[impedance]
ohm = 80
source = "a test"
verified = false

[sensitivity]
db_spl = 96
per = "mW"
at_hz = 500
source = "a test"
verified = true
"#;

    #[test]
    fn derives_volt_sensitivity_and_keeps_it_unverified_when_an_input_is() {
        let Ok(Profile::Headphones(h)) = parse_profile(GOOD, Path::new("t.toml")) else {
            panic!("parses");
        };
        let v = h.db_spl_per_v.expect("derived");
        assert!((v.value - 106.97).abs() < 0.01, "{}", v.value);
        assert!(!v.verified, "impedance was unverified");
    }

    #[test]
    fn the_kind_is_required_and_checked() {
        let e = parse_profile("id = \"x\"\n", Path::new("t.toml")).expect_err("no kind");
        assert_eq!(e.field(), Some("kind"));
        let e = parse_profile("kind = \"speaker\"\n", Path::new("t.toml")).expect_err("kind");
        assert_eq!((e.field(), e.line()), (Some("kind"), Some(1)));
    }

    #[test]
    fn a_rule_needs_exactly_one_pattern() {
        let empty = format!("{GOOD}\n[[match]]\ninterface = \"usb\"\n");
        let e = parse_profile(&empty, Path::new("t.toml")).expect_err("empty rule");
        assert_eq!(e.field(), Some("match[1]"));
        assert!(e.to_string().contains("empty match rule"), "{e}");
        let two = format!("{GOOD}\n[[match]]\nwords = \"a\"\nprefix = \"b\"\n");
        let e = parse_profile(&two, Path::new("t.toml")).expect_err("two patterns");
        assert_eq!(e.field(), Some("match[1].prefix"));
        let blank = format!("{GOOD}\n[[match]]\nwords = \" - \"\n");
        let e = parse_profile(&blank, Path::new("t.toml")).expect_err("no words");
        assert_eq!(e.field(), Some("match[1].words"));
    }

    #[test]
    fn search_finds_ids_aliases_and_names() {
        let report = Catalog::load(&ShippedProfiles::Embedded, None);
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        let c = &report.catalog;
        let ids = |q: &str| -> Vec<String> {
            c.search_headphones(q)
                .iter()
                .map(|h| h.id.clone())
                .collect()
        };
        assert_eq!(ids("sennheiser.hd650"), ["sennheiser.hd650"]);
        assert_eq!(ids("HD 650 Pro"), ["sennheiser.hd650"]);
        assert_eq!(ids("hd650"), ["sennheiser.hd650"]);
        assert_eq!(ids("DT 770 PRO").len(), 2, "two impedance variants");
        assert!(ids("nothing like it").is_empty());
        let dev: Vec<_> = c.search_devices("Mojo 2").iter().map(|d| &d.id).collect();
        assert_eq!(dev, ["chord.mojo2"]);
    }
}
