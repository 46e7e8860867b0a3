//! Loading the profile catalogue: the shipped `headphone_profiles/*.toml` plus the user's own
//! folder, with every problem reported by file, line and field (each file is read and checked
//! by [`super::profile_file`]), and searching it by name.
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
use super::profile::{DeviceProfile, HeadphoneProfile, Origin, words};
use super::profile_file::parse;
pub use super::profile_file::parse_profile;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

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
