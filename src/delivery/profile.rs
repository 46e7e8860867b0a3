//! Delivery spec profiles as data: the parameters rules read (sizes, rates, bit rates), which
//! rules a profile softens, and its policy tree (see [`super::policy`]) built from shared
//! sub-policies. The shipped profiles live in `spec_profiles/*.toml` and the shipped
//! sub-policies in `spec_profiles/policies/*.toml`, built into the binary so an installed Earmark
//! works anywhere; a user adds or replaces either in `~/.config/earmark/spec_profiles/` (and its
//! `policies/`), or names a profile `.toml` file directly. A profile may `extends` another by id
//! to take its parameters, severities and tree and change only what it says.

use super::SpecError;
use super::policy::{self, Library, Node, SubPolicy, Written};
use crate::delivery::report::Status;
use crate::delivery::rule_id::RuleId;
use crate::time::Rational;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The folder name, both shipped and in the user's config folder.
pub const PROFILE_FOLDER: &str = "spec_profiles";
/// The sub-policy folder inside [`PROFILE_FOLDER`].
pub const POLICY_FOLDER: &str = "policies";
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

const EMBEDDED_POLICIES: &[(&str, &str)] = &[
    (
        "policies/locked-cuts-common.toml",
        include_str!("../../spec_profiles/policies/locked-cuts-common.toml"),
    ),
    (
        "policies/pix-standard-clip.toml",
        include_str!("../../spec_profiles/policies/pix-standard-clip.toml"),
    ),
    (
        "policies/pix-screening-room-clip.toml",
        include_str!("../../spec_profiles/policies/pix-screening-room-clip.toml"),
    ),
];

/// The parameter keys, as written in a profile, a sub-policy or a policy node.
pub const PARAM_KEYS: [&str; 8] = [
    "frame_sizes",
    "size_multiple",
    "size_min",
    "size_max",
    "max_video_kbps",
    "audio_kbps",
    "sample_rates",
    "frame_rates",
];

/// The parameters rules read, as written: every key optional, so one set can be laid over
/// another (see [`Params::over`]).
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// Exact sizes allowed; when absent the multiple/min/max range applies.
    pub frame_sizes: Option<Vec<[u32; 2]>>,
    pub size_multiple: Option<u32>,
    pub size_min: Option<[u32; 2]>,
    pub size_max: Option<[u32; 2]>,
    pub max_video_kbps: Option<u64>,
    pub audio_kbps: Option<u64>,
    pub sample_rates: Option<Vec<u32>>,
    pub frame_rates: Option<Vec<String>>,
}

impl Params {
    /// Reads the parameter keys of `table` (which holds nothing else); `at` names the place.
    /// `also` lists the other keys allowed there, for the message about an unknown one.
    pub fn from_table(table: toml::Table, at: &str, also: &[&str]) -> Result<Self, String> {
        if let Some(key) = table.keys().find(|k| !PARAM_KEYS.contains(&k.as_str())) {
            return Err(format!(
                "{at}: unknown key `{key}` (allowed here: {})",
                also.iter()
                    .chain(PARAM_KEYS.iter())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let p: Self = table.try_into().map_err(|e| format!("{at}: {e}"))?;
        p.validate().map_err(|e| format!("{at}: {e}"))?;
        Ok(p)
    }

    fn validate(&self) -> Result<(), String> {
        if let Some(rate) = self
            .frame_rates
            .iter()
            .flatten()
            .find(|r| Rational::parse(r).is_none())
        {
            return Err(format!("frame rate {rate:?} is not like \"24000/1001\""));
        }
        if self.size_multiple == Some(0) {
            return Err("`size_multiple` must be at least 1".into());
        }
        if let (Some(min), Some(max)) = (self.size_min, self.size_max)
            && (min[0] > max[0] || min[1] > max[1])
        {
            return Err(format!(
                "`size_min` {}x{} is larger than `size_max` {}x{}",
                min[0], min[1], max[0], max[1]
            ));
        }
        Ok(())
    }

    fn sets_size(&self) -> bool {
        self.frame_sizes.is_some()
            || self.size_multiple.is_some()
            || self.size_min.is_some()
            || self.size_max.is_some()
    }

    /// These parameters laid over `base`: what `self` sets wins. The four size keys go
    /// together, because exact sizes and a range are two ways of stating one requirement: a
    /// node that states one must not inherit half of the other.
    pub fn over(&self, base: &Params) -> Params {
        let mut out = base.clone();
        if self.sets_size() {
            out.frame_sizes.clone_from(&self.frame_sizes);
            out.size_multiple = self.size_multiple;
            out.size_min = self.size_min;
            out.size_max = self.size_max;
        }
        if self.max_video_kbps.is_some() {
            out.max_video_kbps = self.max_video_kbps;
        }
        if self.audio_kbps.is_some() {
            out.audio_kbps = self.audio_kbps;
        }
        if self.sample_rates.is_some() {
            out.sample_rates.clone_from(&self.sample_rates);
        }
        if self.frame_rates.is_some() {
            out.frame_rates.clone_from(&self.frame_rates);
        }
        out
    }
}

/// One profile, resolved: parameters merged along `extends`, the tree with sub-policies inlined.
/// The flat fields are the profile's own (top-level) parameters; a rule inside a sub-policy that
/// sets its own sees those instead (see [`Profile::with_params`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub id: String,
    pub name: String,
    /// Exact sizes allowed; when empty the multiple/min/max range applies.
    pub frame_sizes: Vec<[u32; 2]>,
    pub size_multiple: Option<u32>,
    pub size_min: Option<[u32; 2]>,
    pub size_max: Option<[u32; 2]>,
    pub max_video_kbps: Option<u64>,
    pub audio_kbps: Option<u64>,
    pub sample_rates: Vec<u32>,
    pub frame_rates: Vec<String>,
    /// Rule id → the most severe status that rule may give in this profile.
    pub severity: BTreeMap<RuleId, Status>,
    /// The tree the verdict comes from; shared, since every rule sees a copy of the profile.
    pub policy: Arc<Node>,
    /// Where the profile was read from (a shipped file name or a path).
    pub file: String,
    /// The top-level parameters as written (after `extends`), for laying node parameters over.
    pub(crate) params: Params,
}

impl Profile {
    /// Parses and validates one profile file's text against the shipped profiles and
    /// sub-policies (for `extends` and `use`); `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Self, SpecError> {
        let set = ProfileSet::load(None)?;
        set.resolve(&ProfileFile::parse(text, file)?)
    }

    /// This profile with `params` in force, as a rule inside a node that sets them sees it.
    pub fn with_params(&self, params: &Params) -> Profile {
        let mut p = self.clone();
        p.frame_sizes = params.frame_sizes.clone().unwrap_or_default();
        p.size_multiple = params.size_multiple;
        p.size_min = params.size_min;
        p.size_max = params.size_max;
        p.max_video_kbps = params.max_video_kbps;
        p.audio_kbps = params.audio_kbps;
        p.sample_rates = params.sample_rates.clone().unwrap_or_default();
        p.frame_rates = params.frame_rates.clone().unwrap_or_default();
        p
    }

    /// The allowed frame rates, exact.
    pub fn rates(&self) -> Vec<Rational> {
        self.frame_rates
            .iter()
            .filter_map(|r| Rational::parse(r))
            .collect()
    }

    /// The most severe status `rule` may report in this profile.
    pub fn ceiling(&self, rule: RuleId) -> Status {
        self.severity.get(&rule).copied().unwrap_or(Status::Fail)
    }
}

/// One profile file as written, before `extends` and `use` are resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ProfileFile {
    id: String,
    name: Option<String>,
    extends: Option<String>,
    params: Params,
    severity: BTreeMap<RuleId, Status>,
    policy: Option<Written>,
    file: String,
}

impl ProfileFile {
    fn parse(text: &str, file: &str) -> Result<Self, SpecError> {
        let bad = |why: String| SpecError::BadProfile {
            file: file.to_owned(),
            why,
        };
        let mut table: toml::Table = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let mut text_key = |key: &str| match table.remove(key) {
            Some(toml::Value::String(s)) if !s.is_empty() => Ok(Some(s)),
            Some(other) => Err(bad(format!(
                "`{key}` must be a non-empty string, not {}",
                other.type_str()
            ))),
            None => Ok(None),
        };
        let id = text_key("id")?.ok_or_else(|| bad("a profile needs an `id`".into()))?;
        let name = text_key("name")?;
        let extends = text_key("extends")?;
        if name.is_none() && extends.is_none() {
            return Err(bad(
                "a profile needs a `name` (or `extends` to take one)".into()
            ));
        }
        let severity = match table.remove("severity") {
            Some(toml::Value::Table(t)) => {
                let mut out = BTreeMap::new();
                for (rule, s) in t {
                    let id = policy::rule_id(&rule, "severity").map_err(bad)?;
                    let s = s.as_str().and_then(Status::parse).ok_or_else(|| {
                        bad(format!(
                            "severity {s} for {rule} is not \"fail\", \"warn\" or \"info\""
                        ))
                    })?;
                    out.insert(id, s);
                }
                out
            }
            Some(other) => {
                return Err(bad(format!(
                    "`severity` is a table of rule id = \"warn\", not {}",
                    other.type_str()
                )));
            }
            None => BTreeMap::new(),
        };
        let policy = table
            .remove("policy")
            .map(|v| policy::parse_node(&v, "policy", 1))
            .transpose()
            .map_err(bad)?;
        let params = Params::from_table(
            table,
            "profile",
            &["id", "name", "extends", "severity", "policy"],
        )
        .map_err(bad)?;
        Ok(Self {
            id,
            name,
            extends,
            params,
            severity,
            policy,
            file: file.to_owned(),
        })
    }
}

/// The profiles known to this run: shipped, then the user's (replacing shipped ones by id).
#[derive(Clone, Debug, Default)]
pub struct ProfileSet {
    pub profiles: Vec<Profile>,
    /// Problems with user files, reported but not fatal (the shipped profiles still work).
    pub warnings: Vec<String>,
    /// Profile files as written (shipped, then the user's), for `extends`.
    sources: Vec<ProfileFile>,
    shipped_sources: Vec<ProfileFile>,
    /// Sub-policies by id: the shipped ones with the user's laid over them.
    policies: BTreeMap<String, SubPolicy>,
    shipped_policies: BTreeMap<String, SubPolicy>,
}

impl ProfileSet {
    /// The shipped profiles plus those in `user_dir` and sub-policies in `user_dir/policies`
    /// (a missing folder is fine).
    pub fn load(user_dir: Option<&Path>) -> Result<Self, SpecError> {
        let mut set = Self::default();
        for (file, text) in EMBEDDED_POLICIES {
            let sub = SubPolicy::parse(text, file)?;
            set.policies.insert(sub.id.clone(), sub);
        }
        set.shipped_policies = set.policies.clone();
        for (file, text) in EMBEDDED {
            set.add_source(ProfileFile::parse(text, file)?);
        }
        set.shipped_sources = set.sources.clone();
        if let Some(dir) = user_dir {
            for path in toml_files(&dir.join(POLICY_FOLDER)) {
                match read_small(&path).and_then(|t| SubPolicy::parse(&t, &shown(&path))) {
                    Ok(sub) => {
                        set.policies.insert(sub.id.clone(), sub);
                    }
                    Err(e) => set.warnings.push(e.to_string()),
                }
            }
            for path in toml_files(dir) {
                match read_small(&path).and_then(|t| ProfileFile::parse(&t, &shown(&path))) {
                    Ok(src) => set.add_source(src),
                    Err(e) => set.warnings.push(e.to_string()),
                }
            }
        }
        // Resolved only once every file is in, so `extends` and `use` may point anywhere.
        for src in set.sources.clone() {
            match set.resolve(&src) {
                Ok(p) => set.profiles.push(p),
                Err(e) => set.warnings.push(e.to_string()),
            }
        }
        Ok(set)
    }

    fn add_source(&mut self, src: ProfileFile) {
        self.sources.retain(|q| q.id != src.id);
        self.sources.push(src);
    }

    /// The profile named `id`, or read from `id` when it is a path to a `.toml` file (it may
    /// extend and use everything this set knows).
    pub fn find(&self, id: &str) -> Result<Profile, SpecError> {
        if let Some(p) = self.profiles.iter().find(|p| p.id == id) {
            return Ok(p.clone());
        }
        let path = Path::new(id);
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            let text = read_small(path)?;
            return self.resolve(&ProfileFile::parse(&text, &shown(path))?);
        }
        // A user profile that failed to resolve is not "unknown": say what is wrong with it.
        if let Some(src) = self.sources.iter().find(|s| s.id == id) {
            return self.resolve(src);
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

    /// The profile a file `extends`: one that extends its own id builds on the shipped one.
    fn parent(&self, id: &str, child: &ProfileFile) -> Option<&ProfileFile> {
        let pool = if id == child.id {
            &self.shipped_sources
        } else {
            &self.sources
        };
        pool.iter().find(|s| s.id == id)
    }

    fn resolve(&self, src: &ProfileFile) -> Result<Profile, SpecError> {
        let bad = |file: &str, why: String| SpecError::BadProfile {
            file: file.to_owned(),
            why,
        };
        let mut chain = vec![src];
        let mut child = src;
        while let Some(parent_id) = &child.extends {
            let Some(parent) = self.parent(parent_id, child) else {
                return Err(bad(
                    &child.file,
                    format!(
                        "extends unknown profile {parent_id:?} (known: {})",
                        self.sources
                            .iter()
                            .map(|s| s.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            };
            if chain.iter().any(|c| c.file == parent.file) {
                let ids: Vec<&str> = chain
                    .iter()
                    .map(|c| c.id.as_str())
                    .chain([parent.id.as_str()])
                    .collect();
                return Err(bad(
                    &child.file,
                    format!("profiles extend each other in a cycle: {}", ids.join(" → ")),
                ));
            }
            if chain.len() >= policy::MAX_DEPTH {
                return Err(bad(
                    &src.file,
                    format!("`extends` goes deeper than {} profiles", policy::MAX_DEPTH),
                ));
            }
            chain.push(parent);
            child = parent;
        }
        // Laid over root-first, so the file itself wins over what it extends.
        let mut params = Params::default();
        let mut severity = BTreeMap::new();
        let mut tree = None;
        let mut name = None;
        for f in chain.iter().rev() {
            params = f.params.over(&params);
            severity.extend(f.severity.clone());
            if let Some(w) = &f.policy {
                tree = Some((w, f.file.as_str()));
            }
            if f.name.is_some() {
                name.clone_from(&f.name);
            }
        }
        let lib = Library {
            current: &self.policies,
            shipped: &self.shipped_policies,
        };
        let every_rule;
        let (written, written_in) = match tree {
            Some(t) => t,
            None => {
                every_rule = Written::every_rule();
                (&every_rule, src.file.as_str())
            }
        };
        let mut node = policy::expand(written, written_in, &src.file, &params, &lib)?;
        // The root is the profile: name it so the tree reads "pix-standard: all of …".
        if let Node::Group {
            name: root @ None, ..
        } = &mut node
        {
            *root = Some(src.id.clone());
        }
        Ok(Profile {
            id: src.id.clone(),
            name: name.unwrap_or_else(|| src.id.clone()),
            frame_sizes: params.frame_sizes.clone().unwrap_or_default(),
            size_multiple: params.size_multiple,
            size_min: params.size_min,
            size_max: params.size_max,
            max_video_kbps: params.max_video_kbps,
            audio_kbps: params.audio_kbps,
            sample_rates: params.sample_rates.clone().unwrap_or_default(),
            frame_rates: params.frame_rates.clone().unwrap_or_default(),
            severity,
            policy: Arc::new(node),
            file: src.file.clone(),
            params,
        })
    }
}

/// The user's own profile folder (`~/.config/earmark/spec_profiles` on Linux).
pub fn user_profile_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "earmark").map(|d| d.config_dir().join(PROFILE_FOLDER))
}

/// The `.toml` files directly in `dir`, sorted (a missing folder has none).
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    files
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

fn read_small(path: &Path) -> Result<String, SpecError> {
    let bad = |why: String| SpecError::BadProfile {
        file: shown(path),
        why,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| bad(e.to_string()))?
        .len();
    if len > MAX_PROFILE_BYTES {
        return Err(bad(format!("{len} bytes is too large for a profile")));
    }
    std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATES: &str =
        "frame_rates = [\"25\"]\nframe_sizes = [[1280, 720]]\nsample_rates = [48000]\n";

    fn profile(body: &str) -> Result<Profile, SpecError> {
        Profile::parse(
            &format!("id = \"x\"\nname = \"X\"\n{RATES}{body}"),
            "x.toml",
        )
    }

    fn error(r: Result<Profile, SpecError>) -> String {
        match r {
            Ok(p) => panic!("accepted: {p:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// A user folder holding `files` (relative path, text).
    fn user_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join(POLICY_FOLDER)).expect("mkdir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        dir
    }

    #[test]
    fn shipped_profiles_parse() {
        let set = ProfileSet::load(None).expect("shipped profiles");
        assert!(set.warnings.is_empty(), "{:?}", set.warnings);
        for id in ["pix-standard", "pix-screening-room", "content-hub"] {
            assert!(set.find(id).is_ok(), "{id}");
        }
        assert!(set.find("nope").is_err());
    }

    #[test]
    fn shipped_profiles_share_the_common_sub_policy() {
        let set = ProfileSet::load(None).expect("shipped profiles");
        for p in &set.profiles {
            let Node::Group { children, .. } = p.policy.as_ref() else {
                panic!("{} root is a group", p.id);
            };
            assert!(
                children.iter().any(|c| matches!(
                    c,
                    Node::Group { name: Some(n), .. } if n == "locked-cuts-common"
                )),
                "{}",
                p.id
            );
        }
        // The two PIX profiles together judge every rule id.
        let pix = set.find("pix-standard").expect("pix");
        let mut ids = pix.policy.rule_ids();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), crate::delivery::rules::RULE_IDS.len());
    }

    #[test]
    fn bad_values_are_refused() {
        let text = "id = \"x\"\nname = \"X\"\nframe_rates = [\"fast\"]\n";
        assert!(Profile::parse(text, "x.toml").is_err());
        let text = "id = \"x\"\nname = \"X\"\n[severity]\nfast-start = \"maybe\"\n";
        assert!(Profile::parse(text, "x.toml").is_err());
        let e = error(profile("[severity]\nfast-strat = \"warn\"\n"));
        assert!(e.contains("fast-strat") && e.contains("x.toml"), "{e}");
        let e = error(profile("frame_size = [[1, 1]]\n"));
        assert!(e.contains("unknown key `frame_size`"), "{e}");
    }

    #[test]
    fn unknown_rule_ids_are_named_with_the_file() {
        let e = error(profile(
            "policy = { all = [\"fast-start\", \"fast-strat\"] }\n",
        ));
        assert!(e.contains("x.toml"), "{e}");
        assert!(
            e.contains("policy.all[1]") && e.contains("\"fast-strat\""),
            "{e}"
        );
        let e = error(profile("policy = { all = [{ rule = \"nope\" }] }\n"));
        assert!(e.contains("\"nope\""), "{e}");
        assert!(e.contains("known: container-mov, fast-start"), "{e}");
    }

    #[test]
    fn unknown_rule_ids_in_user_files_are_named_with_their_file() {
        let dir = user_dir(&[
            (
                "policies/house-common.toml",
                "id = \"house-common\"\nall = [\"fast-start\", \"no-cmovv\"]\n",
            ),
            (
                "house.toml",
                "id = \"house\"\nextends = \"pix-standard\"\n[severity]\nrotaton = \"info\"\n",
            ),
            (
                "leaf.toml",
                &format!(
                    "id = \"leaf\"\nname = \"L\"\n{RATES}policy = {{ all = [{{ rule = \
                     \"Frame-Size\" }}] }}\n"
                ),
            ),
        ]);
        let set = ProfileSet::load(Some(dir.path())).expect("load");
        let warned = |file: &str, id: &str| {
            set.warnings.iter().any(|w| {
                w.contains(file)
                    && w.contains(&format!("unknown rule id \"{id}\""))
                    && w.contains("known: ")
            })
        };
        assert!(
            warned("house-common.toml", "no-cmovv"),
            "{:?}",
            set.warnings
        );
        assert!(warned("house.toml", "rotaton"), "{:?}", set.warnings);
        assert!(warned("leaf.toml", "Frame-Size"), "{:?}", set.warnings);
        // The broken files are left out; the shipped profiles still load.
        assert!(set.find("house").is_err() && set.find("leaf").is_err());
        assert!(set.find("pix-standard").is_ok());
        // A profile named by its path says the same.
        let e = set
            .find(&dir.path().join("house.toml").display().to_string())
            .expect_err("unknown id")
            .to_string();
        assert!(e.contains("house.toml") && e.contains("\"rotaton\""), "{e}");
    }

    #[test]
    fn unknown_sub_policies_are_named_with_the_file() {
        let e = error(profile("policy = { all = [{ use = \"house-common\" }] }\n"));
        assert!(
            e.contains("x.toml") && e.contains("\"house-common\""),
            "{e}"
        );
        assert!(
            e.contains("locked-cuts-common"),
            "lists the known ones: {e}"
        );
    }

    #[test]
    fn empty_groups_and_malformed_nodes_are_refused() {
        for (body, want) in [
            ("policy = { all = [] }\n", "policy.all: is empty"),
            (
                "policy = { all = [\"fast-start\", { any = [] }] }\n",
                "policy.all[1].any: is empty",
            ),
            (
                "policy = { all = [\"a\"], any = [\"b\"] }\n",
                "not all and any",
            ),
            ("policy = { name = \"n\" }\n", "needs one of"),
            ("policy = { all = [3] }\n", "not integer"),
            (
                "policy = { all = [{ use = \"locked-cuts-common\", frame_rates = [\"25\"] }] }\n",
                "takes no other keys",
            ),
            (
                "policy = { all = [{ rule = \"fast-start\", frame_rates = [\"25\"] }] }\n",
                "takes no parameters",
            ),
            (
                "policy = { all = [{ rule = \"frame-size\", sample_rates = [48000] }] }\n",
                "reads only",
            ),
        ] {
            let e = error(profile(body));
            assert!(e.contains(want) && e.contains("x.toml"), "{body}: {e}");
        }
    }

    #[test]
    fn rules_without_their_parameters_are_refused() {
        let e = error(Profile::parse(
            "id = \"x\"\nname = \"X\"\npolicy = { all = [{ use = \"locked-cuts-common\" }] }\n",
            "x.toml",
        ));
        assert!(
            e.contains("frame-rate") && e.contains("`frame_rates`"),
            "{e}"
        );
        assert!(e.contains("through locked-cuts-common"), "{e}");
    }

    #[test]
    fn depth_is_limited() {
        let mut tree = "\"fast-start\"".to_owned();
        for _ in 0..policy::MAX_DEPTH + 1 {
            tree = format!("{{ all = [{tree}] }}");
        }
        let e = error(profile(&format!("policy = {tree}\n")));
        assert!(e.contains("deeper than") && e.contains("x.toml"), "{e}");
    }

    #[test]
    fn sub_policy_cycles_are_named() {
        let dir = user_dir(&[
            (
                "policies/a.toml",
                "id = \"a\"\nall = [\"fast-start\", { use = \"b\" }]\n",
            ),
            ("policies/b.toml", "id = \"b\"\nany = [{ use = \"a\" }]\n"),
            (
                "looped.toml",
                &format!("id = \"looped\"\nname = \"L\"\n{RATES}policy = {{ use = \"a\" }}\n"),
            ),
        ]);
        let set = ProfileSet::load(Some(dir.path())).expect("load");
        let e = set.find("looped").expect_err("cycle").to_string();
        assert!(e.contains("a → b → a"), "{e}");
        assert!(e.contains("b.toml"), "names the file closing the loop: {e}");
        assert!(
            set.warnings.iter().any(|w| w.contains("a → b → a")),
            "{:?}",
            set.warnings
        );
        // The shipped profiles are untouched by the broken user files.
        assert!(set.find("pix-standard").is_ok());
    }

    #[test]
    fn extends_inherits_and_cycles_are_named() {
        let dir = user_dir(&[
            (
                "house.toml",
                "id = \"house\"\nextends = \"pix-standard\"\nframe_rates = [\"25\"]\n",
            ),
            ("p.toml", "id = \"p\"\nname = \"P\"\nextends = \"q\"\n"),
            ("q.toml", "id = \"q\"\nname = \"Q\"\nextends = \"p\"\n"),
            ("r.toml", "id = \"r\"\nname = \"R\"\nextends = \"nobody\"\n"),
        ]);
        let set = ProfileSet::load(Some(dir.path())).expect("load");
        let house = set.find("house").expect("house");
        let pix = set.find("pix-standard").expect("pix");
        assert_eq!(house.name, "PIX Standard");
        assert_eq!(house.frame_rates, ["25"]);
        assert_eq!(house.policy.rule_ids(), pix.policy.rule_ids(), "same tree");
        let e = set.find("p").expect_err("cycle").to_string();
        assert!(e.contains("p → q → p") || e.contains("q → p → q"), "{e}");
        let e = set.find("r").expect_err("unknown").to_string();
        assert!(e.contains("r.toml") && e.contains("\"nobody\""), "{e}");
    }

    #[test]
    fn a_user_file_can_build_on_the_shipped_one_of_its_id() {
        let dir = user_dir(&[
            (
                "pix-standard.toml",
                "id = \"pix-standard\"\nextends = \"pix-standard\"\n[severity]\n\
                 no-edit-lists = \"info\"\n",
            ),
            (
                "policies/locked-cuts-common.toml",
                "id = \"locked-cuts-common\"\nall = [{ use = \"locked-cuts-common\" }, \
                 \"fast-start\"]\n",
            ),
        ]);
        let set = ProfileSet::load(Some(dir.path())).expect("load");
        assert!(set.warnings.is_empty(), "{:?}", set.warnings);
        let p = set.find("pix-standard").expect("pix");
        assert_eq!(p.ceiling(RuleId::NoEditLists), Status::Info);
        assert_eq!(p.name, "PIX Standard");
    }

    #[test]
    fn the_readme_examples_load() {
        let readme = include_str!("../../spec_profiles/README.md");
        let blocks: Vec<&str> = readme
            .split("```toml\n")
            .skip(1)
            .filter_map(|b| b.split("```").next())
            .collect();
        assert_eq!(blocks.len(), 3, "sub-policy, two profiles");
        for block in blocks {
            if block.contains("\nall = [\"frame-size\"") {
                SubPolicy::parse(block, "README.md").expect("sub-policy example");
            } else {
                Profile::parse(block, "README.md").expect("profile example");
            }
        }
    }

    #[test]
    fn a_size_setting_replaces_the_whole_size_group() {
        let range = Params {
            size_multiple: Some(4),
            size_min: Some([1280, 720]),
            ..Params::default()
        };
        let exact = Params {
            frame_sizes: Some(vec![[1920, 1080]]),
            ..Params::default()
        };
        let p = exact.over(&range);
        assert_eq!(p.size_multiple, None);
        assert_eq!(p.frame_sizes, Some(vec![[1920, 1080]]));
    }
}
