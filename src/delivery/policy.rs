//! A profile's policy tree, in the style of MediaConch: `all` nodes (every child must hold),
//! `any` nodes (at least one must) and leaves that name a rule id, plus shared sub-policies
//! (`spec_profiles/policies/*.toml`, shipped and user-added) that a tree uses by name.
//!
//! Three steps: [`parse_node`] reads a node as written (rule ids checked at once), [`expand`]
//! inlines every `use` against the known sub-policies (unknown names, cycles, depth and size
//! limits, missing parameters), and [`judge`] runs the rules and combines them up the tree.
//!
//! Parameters are scoped: a node (a sub-policy file, an `all`/`any` table or a `{ rule = … }`
//! leaf) may set the same keys a profile does, and the setting nearest the rule wins. So a
//! sub-policy that states a clip format (`pix-standard-clip`: 1280x720, 2400 kbps …) means the
//! same wherever it is used, while one that leaves a key out (`locked-cuts-common` and the frame
//! rates) takes it from the profile.

use super::SpecError;
use super::profile::{Params, Profile};
use super::report::{NodeKind, PolicyOutcome, Report, RuleResult, Status};
use super::rule_id::{RuleId, UnknownRuleId};
use std::collections::BTreeMap;

/// Deepest nesting allowed once sub-policies are inlined. Real policies are three or four levels;
/// the limit stops a runaway file long before the stack would.
pub const MAX_DEPTH: usize = 16;
/// Most nodes a profile's tree may have once inlined (a sub-policy used twice counts twice), so
/// a few small files that use each other repeatedly cannot multiply into a huge tree.
pub const MAX_NODES: usize = 2_000;

/// How a group combines its children.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Combine {
    /// Every child must hold; the group is as bad as its worst child.
    All,
    /// At least one child must hold; the group is as good as its best child.
    Any,
}

/// A node as written in a file, before `use` is resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Written {
    Rule {
        id: RuleId,
        params: Params,
    },
    Use(String),
    Group {
        combine: Combine,
        name: Option<String>,
        params: Params,
        children: Vec<Written>,
    },
}

/// A node ready to judge: every sub-policy inlined, so judging needs no look-ups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Node {
    Rule {
        id: RuleId,
        params: Params,
    },
    Group {
        combine: Combine,
        /// The sub-policy id for an inlined `use`, the written `name`, or none.
        name: Option<String>,
        description: Option<String>,
        params: Params,
        children: Vec<Node>,
    },
}

impl Node {
    /// Every rule id the tree judges (with repeats).
    pub fn rule_ids(&self) -> Vec<RuleId> {
        match self {
            Self::Rule { id, .. } => vec![*id],
            Self::Group { children, .. } => children.iter().flat_map(Self::rule_ids).collect(),
        }
    }
}

impl Written {
    /// What a profile without a `policy` means: every rule must hold, as before trees.
    pub fn every_rule() -> Self {
        Self::Group {
            combine: Combine::All,
            name: None,
            params: Params::default(),
            children: RuleId::ALL
                .into_iter()
                .map(|id| Self::Rule {
                    id,
                    params: Params::default(),
                })
                .collect(),
        }
    }
}

/// A shared sub-policy: one file in `spec_profiles/policies/`, used by its `id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubPolicy {
    pub id: String,
    pub description: Option<String>,
    /// Always a [`Written::Group`].
    pub root: Written,
    /// Where it was read from, named in errors.
    pub file: String,
}

impl SubPolicy {
    /// Parses one sub-policy file: `id`, optional `description`, `all` or `any`, and any
    /// parameter keys (which then hold inside it).
    pub fn parse(text: &str, file: &str) -> Result<Self, SpecError> {
        let bad = |why: String| SpecError::BadProfile {
            file: file.to_owned(),
            why,
        };
        let mut table: toml::Table = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        let id = match table.remove("id") {
            Some(toml::Value::String(id)) if !id.is_empty() => id,
            Some(other) => {
                return Err(bad(format!(
                    "`id` must be a non-empty string, not {}",
                    other.type_str()
                )));
            }
            None => {
                return Err(bad(
                    "a sub-policy needs an `id` (the name `use` refers to)".into()
                ));
            }
        };
        let description = match table.remove("description") {
            Some(toml::Value::String(d)) => Some(d),
            Some(other) => {
                return Err(bad(format!(
                    "`description` must be a string, not {}",
                    other.type_str()
                )));
            }
            None => None,
        };
        if table.contains_key("name") {
            return Err(bad(
                "a sub-policy is named by its `id`; `name` is for groups inside a tree".into(),
            ));
        }
        let root = parse_table_node(&table, &id, 1).map_err(bad)?;
        if !matches!(root, Written::Group { .. }) {
            return Err(bad(
                "a sub-policy's top level is a group: `all = [...]` or `any = [...]`".into(),
            ));
        }
        Ok(Self {
            id,
            description,
            root,
            file: file.to_owned(),
        })
    }
}

const HEAD_KEYS: [&str; 4] = ["all", "any", "use", "rule"];

/// Reads one node as written; `at` says where it is (`policy.all[2]`) in error messages.
pub fn parse_node(value: &toml::Value, at: &str, depth: usize) -> Result<Written, String> {
    match value {
        toml::Value::String(id) => Ok(Written::Rule {
            id: rule_id(id, at)?,
            params: Params::default(),
        }),
        toml::Value::Table(table) => parse_table_node(table, at, depth),
        other => Err(format!(
            "{at}: a policy node is a rule id (\"fast-start\") or a table ({{ all = [...] }}, \
             {{ any = [...] }}, {{ use = \"sub-policy\" }} or {{ rule = \"id\", … }}), not {}",
            other.type_str()
        )),
    }
}

fn parse_table_node(table: &toml::Table, at: &str, depth: usize) -> Result<Written, String> {
    if depth > MAX_DEPTH {
        return Err(format!("{at}: nested deeper than {MAX_DEPTH} levels"));
    }
    let heads: Vec<&str> = HEAD_KEYS
        .into_iter()
        .filter(|k| table.contains_key(*k))
        .collect();
    let head = match heads.as_slice() {
        [one] => *one,
        [] => {
            return Err(format!(
                "{at}: a table node needs one of `all`, `any`, `use` or `rule`"
            ));
        }
        many => {
            return Err(format!(
                "{at}: a node is one of `all`, `any`, `use` or `rule`, not {} at once",
                many.join(" and ")
            ));
        }
    };
    let name = match table.get("name") {
        Some(toml::Value::String(n)) => Some(n.clone()),
        Some(other) => {
            return Err(format!(
                "{at}.name: must be a string, not {}",
                other.type_str()
            ));
        }
        None => None,
    };
    let rest: toml::Table = table
        .iter()
        .filter(|(k, _)| k.as_str() != head && k.as_str() != "name")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let text = |key: &str| {
        table
            .get(key)
            .and_then(toml::Value::as_str)
            .ok_or_else(|| format!("{at}.{key}: must be a string"))
    };
    match head {
        "use" => {
            if name.is_some() || !rest.is_empty() {
                return Err(format!(
                    "{at}: a `use` node takes no other keys; set parameters inside the \
                     sub-policy, or on a group around the `use`"
                ));
            }
            Ok(Written::Use(text("use")?.to_owned()))
        }
        "rule" => {
            let id = rule_id(text("rule")?, &format!("{at}.rule"))?;
            if name.is_some() {
                return Err(format!(
                    "{at}: a rule leaf is named by its rule id; `name` is for groups"
                ));
            }
            let reads = reads(id);
            if let Some(key) = rest.keys().find(|k| !reads.contains(&k.as_str())) {
                return Err(if reads.is_empty() {
                    format!("{at}: rule {id} takes no parameters (`{key}` given)")
                } else {
                    format!(
                        "{at}: rule {id} reads only {}, not `{key}`",
                        reads
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
            }
            Ok(Written::Rule {
                id,
                params: Params::from_table(rest, at, &["rule"])?,
            })
        }
        _ => {
            let combine = if head == "all" {
                Combine::All
            } else {
                Combine::Any
            };
            let Some(items) = table.get(head).and_then(toml::Value::as_array) else {
                return Err(format!("{at}.{head}: must be an array of nodes"));
            };
            if items.is_empty() {
                return Err(format!(
                    "{at}.{head}: is empty; an empty `{head}` would hold (or fail) vacuously, \
                     so list at least one node"
                ));
            }
            let children = items
                .iter()
                .enumerate()
                .map(|(i, v)| parse_node(v, &format!("{at}.{head}[{i}]"), depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Written::Group {
                combine,
                name,
                params: Params::from_table(rest, at, &[head, "name"])?,
                children,
            })
        }
    }
}

/// The rule id `text` names, or an error listing them all.
pub fn rule_id(text: &str, at: &str) -> Result<RuleId, String> {
    text.parse()
        .map_err(|e: UnknownRuleId| format!("{at}: {e}"))
}

/// The parameter keys each rule reads (all others read none).
fn reads(id: RuleId) -> &'static [&'static str] {
    match id {
        RuleId::FrameRate => &["frame_rates"],
        RuleId::FrameSize => &["frame_sizes", "size_multiple", "size_min", "size_max"],
        RuleId::VideoBitrate => &["max_video_kbps"],
        RuleId::AudioSampleRate => &["sample_rates"],
        RuleId::AudioBitrate => &["audio_kbps"],
        _ => &[],
    }
}

/// What a judged rule cannot do without: `None` when `params` has it.
fn missing(id: RuleId, p: &Params) -> Option<&'static str> {
    let empty = |v: &Option<Vec<_>>| v.as_ref().is_none_or(Vec::is_empty);
    match id {
        RuleId::FrameRate if p.frame_rates.as_ref().is_none_or(Vec::is_empty) => {
            Some("`frame_rates`")
        }
        RuleId::FrameSize
            if empty(&p.frame_sizes)
                && p.size_multiple.is_none()
                && p.size_min.is_none()
                && p.size_max.is_none() =>
        {
            Some("`frame_sizes`, or `size_multiple` / `size_min` / `size_max`")
        }
        RuleId::AudioSampleRate if p.sample_rates.as_ref().is_none_or(Vec::is_empty) => {
            Some("`sample_rates`")
        }
        _ => None,
    }
}

/// The sub-policies a tree may use: those known to this run, and the shipped ones (which a user
/// sub-policy of the same id reaches by using its own id).
pub struct Library<'a> {
    pub current: &'a BTreeMap<String, SubPolicy>,
    pub shipped: &'a BTreeMap<String, SubPolicy>,
}

/// Inlines every `use` in `root` (written in `file`) for the profile `profile_file`, whose merged
/// parameters are `params`: checks names, cycles, depth, size and that every rule has the
/// parameters it needs.
pub fn expand(
    root: &Written,
    file: &str,
    profile_file: &str,
    params: &Params,
    lib: &Library,
) -> Result<Node, SpecError> {
    let mut ex = Expander {
        lib,
        profile_file,
        nodes: 0,
    };
    ex.node(root, file, &[], 1, params)
}

struct Expander<'a> {
    lib: &'a Library<'a>,
    profile_file: &'a str,
    nodes: usize,
}

/// One sub-policy being inlined: its id and file.
type Within<'a> = (&'a str, &'a str);

impl Expander<'_> {
    fn node(
        &mut self,
        w: &Written,
        file: &str,
        within: &[Within],
        depth: usize,
        params: &Params,
    ) -> Result<Node, SpecError> {
        let bad = |file: &str, why: String| SpecError::BadProfile {
            file: file.to_owned(),
            why,
        };
        let through = || {
            if within.is_empty() {
                String::new()
            } else {
                format!(
                    " (through {})",
                    within.iter().map(|w| w.0).collect::<Vec<_>>().join(" → ")
                )
            }
        };
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(bad(
                self.profile_file,
                format!("the policy has more than {MAX_NODES} nodes once sub-policies are inlined"),
            ));
        }
        if depth > MAX_DEPTH {
            return Err(bad(
                self.profile_file,
                format!(
                    "the policy nests deeper than {MAX_DEPTH} levels{}",
                    through()
                ),
            ));
        }
        match w {
            Written::Rule { id, params: own } => {
                let here = own.over(params);
                if let Some(what) = missing(*id, &here) {
                    return Err(bad(
                        self.profile_file,
                        format!(
                            "rule {id}{} needs {what}: set it in the profile or in a \
                             sub-policy around the rule",
                            through()
                        ),
                    ));
                }
                Ok(Node::Rule {
                    id: *id,
                    params: own.clone(),
                })
            }
            Written::Group {
                combine,
                name,
                params: own,
                children,
            } => {
                let here = own.over(params);
                let children = children
                    .iter()
                    .map(|c| self.node(c, file, within, depth + 1, &here))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Node::Group {
                    combine: *combine,
                    name: name.clone(),
                    description: None,
                    params: own.clone(),
                    children,
                })
            }
            Written::Use(id) => {
                // A user's sub-policy that uses its own id builds on the shipped one.
                let own_id = within.last().is_some_and(|w| w.0 == id);
                let map = if own_id {
                    self.lib.shipped
                } else {
                    self.lib.current
                };
                let Some(sub) = map.get(id) else {
                    return Err(bad(
                        file,
                        format!(
                            "unknown sub-policy {id:?} (known: {})",
                            self.lib
                                .current
                                .keys()
                                .map(String::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                };
                if within.iter().any(|w| w.1 == sub.file) {
                    let chain: Vec<&str> = within
                        .iter()
                        .map(|w| w.0)
                        .chain([sub.id.as_str()])
                        .collect();
                    return Err(bad(
                        file,
                        format!(
                            "sub-policies use each other in a cycle: {}",
                            chain.join(" → ")
                        ),
                    ));
                }
                let mut inner = within.to_vec();
                inner.push((&sub.id, &sub.file));
                // The `use` itself is not a level: the sub-policy's group takes its place.
                self.nodes -= 1;
                match self.node(&sub.root, &sub.file, &inner, depth, params)? {
                    Node::Group {
                        combine,
                        params,
                        children,
                        ..
                    } => Ok(Node::Group {
                        combine,
                        name: Some(sub.id.clone()),
                        description: sub.description.clone(),
                        params,
                        children,
                    }),
                    rule @ Node::Rule { .. } => Ok(rule),
                }
            }
        }
    }
}

/// Judges `profile` on one file: `rule(id, profile)` measures one rule with the parameters in
/// force at its leaf. Every rule id gets a result in the report: the one the verdict rests on
/// when the tree judges it, otherwise reported as info.
pub fn judge(profile: &Profile, rule: impl Fn(RuleId, &Profile) -> RuleResult) -> Report {
    let mut leaves = Vec::new();
    let mut root = eval(
        &profile.policy,
        &profile.params,
        profile,
        &rule,
        &mut leaves,
    );
    let mut decisions = vec![Decision::Counts; leaves.len()];
    mark(&mut root, None, &mut decisions);
    let rules = RuleId::ALL
        .into_iter()
        .map(|id| pick(id, profile, &rule, &leaves, &decisions))
        .collect();
    Report::judged(&profile.id, rules, root)
}

/// Applies the profile's severity ceiling (`[severity]`) to one result.
fn capped(mut r: RuleResult, profile: &Profile) -> RuleResult {
    let ceiling = profile.ceiling(r.id);
    if r.status > ceiling {
        r.message = format!(
            "{} (profile {} lowers this rule to {})",
            r.message,
            profile.id,
            ceiling.name()
        );
        r.status = ceiling;
    }
    r
}

fn eval(
    node: &Node,
    outer: &Params,
    profile: &Profile,
    rule: &impl Fn(RuleId, &Profile) -> RuleResult,
    leaves: &mut Vec<RuleResult>,
) -> PolicyOutcome {
    match node {
        Node::Rule { id, params } => {
            let here = params.over(outer);
            let r = capped(rule(*id, &profile.with_params(&here)), profile);
            let outcome = PolicyOutcome {
                kind: NodeKind::Rule,
                name: None,
                description: None,
                rule: Some(*id),
                status: r.status,
                pass: r.status != Status::Fail,
                counted: true,
                measured: Some(r.measured.clone()),
                expected: Some(r.expected.clone()),
                children: Vec::new(),
                leaf: leaves.len(),
            };
            leaves.push(r);
            outcome
        }
        Node::Group {
            combine,
            name,
            description,
            params,
            children,
        } => {
            let here = params.over(outer);
            let children: Vec<PolicyOutcome> = children
                .iter()
                .map(|c| eval(c, &here, profile, rule, leaves))
                .collect();
            let statuses = children.iter().map(|c| c.status);
            let status = match combine {
                Combine::All => statuses.max(),
                Combine::Any => statuses.min(),
            }
            .unwrap_or(Status::Pass);
            PolicyOutcome {
                kind: match combine {
                    Combine::All => NodeKind::All,
                    Combine::Any => NodeKind::Any,
                },
                name: name.clone(),
                description: description.clone(),
                rule: None,
                status,
                pass: status != Status::Fail,
                counted: true,
                measured: None,
                expected: None,
                children,
                leaf: 0,
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Decision {
    /// The verdict rests on this leaf.
    Counts,
    /// An alternative of this `any` (its label) that the verdict did not need.
    NotNeeded(String),
}

/// Marks which nodes the verdict rests on: everything under an `all`; under an `any` that holds,
/// only its first best child (the others were not needed); under an `any` that fails, every child
/// (each failure is part of why).
fn mark(o: &mut PolicyOutcome, dropped_by: Option<&str>, decisions: &mut [Decision]) {
    o.counted = dropped_by.is_none();
    if o.kind == NodeKind::Rule {
        if let (Some(any), Some(d)) = (dropped_by, decisions.get_mut(o.leaf)) {
            *d = Decision::NotNeeded(any.to_owned());
        }
        return;
    }
    let chosen = (o.kind == NodeKind::Any && o.status != Status::Fail)
        .then(|| o.children.iter().position(|c| c.status == o.status))
        .flatten();
    let label = o.label();
    for (i, c) in o.children.iter_mut().enumerate() {
        let dropped = match (dropped_by, chosen) {
            (Some(d), _) => Some(d),
            (None, Some(k)) if k != i => Some(label.as_str()),
            _ => None,
        };
        mark(c, dropped, decisions);
    }
}

/// The result shown for `id` in the report's rule list.
fn pick(
    id: RuleId,
    profile: &Profile,
    rule: &impl Fn(RuleId, &Profile) -> RuleResult,
    leaves: &[RuleResult],
    decisions: &[Decision],
) -> RuleResult {
    let at: Vec<(&RuleResult, &Decision)> = leaves
        .iter()
        .zip(decisions)
        .filter(|(r, _)| r.id == id)
        .collect();
    // The worst counted occurrence, the first on ties: that is what the verdict rests on.
    let counted = at.iter().filter(|(_, d)| **d == Decision::Counts).fold(
        None::<&RuleResult>,
        |best, (r, _)| match best {
            Some(b) if b.status >= r.status => Some(b),
            _ => Some(r),
        },
    );
    if let Some(r) = counted {
        return r.clone();
    }
    if let Some((first, decision)) = at.first() {
        let mut r = (*first).clone();
        if r.status > Status::Info {
            let any = match decision {
                Decision::NotNeeded(label) => label.as_str(),
                Decision::Counts => "an `any`",
            };
            r.message = noted(
                &r.message,
                &format!("not needed: {any} holds through another alternative"),
            );
            r.status = Status::Info;
        }
        return r;
    }
    let mut r = capped(rule(id, profile), profile);
    r.message = noted(
        &r.message,
        &format!(
            "not part of profile {}'s policy: reported, not judged",
            profile.id
        ),
    );
    r.status = Status::Info;
    r
}

fn noted(message: &str, note: &str) -> String {
    if message.is_empty() {
        note.to_owned()
    } else {
        format!("{message} ({note})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: RuleId, status: Status) -> RuleResult {
        RuleResult {
            id,
            status,
            measured: "m".into(),
            expected: "e".into(),
            message: String::new(),
            fix: String::new(),
        }
    }

    /// A profile whose tree is `policy` (TOML), judged with `outcome` per rule id (pass when
    /// absent).
    fn judged(policy: &str, outcome: &[(RuleId, Status)]) -> Report {
        let text = format!(
            "id = \"t\"\nname = \"T\"\nframe_rates = [\"25\"]\nframe_sizes = [[1280, 720]]\n\
             sample_rates = [48000]\npolicy = {policy}\n"
        );
        let profile = Profile::parse(&text, "t.toml").expect("profile");
        judge(&profile, |id, _| {
            let status = outcome
                .iter()
                .find(|(r, _)| *r == id)
                .map_or(Status::Pass, |(_, s)| *s);
            result(id, status)
        })
    }

    fn status(r: &Report, id: RuleId) -> Status {
        r.rule(id).map(|x| x.status).expect("rule")
    }

    #[test]
    fn all_fails_when_one_child_fails() {
        let r = judged(
            "{ all = [\"fast-start\", \"no-cmov\"] }",
            &[(RuleId::NoCmov, Status::Fail)],
        );
        assert!(!r.pass);
        assert_eq!(status(&r, RuleId::NoCmov), Status::Fail);
        let r = judged(
            "{ all = [\"fast-start\", \"no-cmov\"] }",
            &[(RuleId::NoCmov, Status::Warn)],
        );
        assert!(r.pass, "a warning does not fail an all");
        assert_eq!(r.policy.as_ref().map(|p| p.status), Some(Status::Warn));
    }

    #[test]
    fn any_holds_when_one_child_holds() {
        let tree = "{ any = [\"fast-start\", \"no-cmov\"] }";
        let r = judged(tree, &[(RuleId::FastStart, Status::Fail)]);
        assert!(r.pass);
        // The failed alternative is reported, not as a failure.
        assert_eq!(status(&r, RuleId::FastStart), Status::Info);
        assert!(
            r.rule(RuleId::FastStart)
                .is_some_and(|x| x.message.contains("not needed"))
        );
        assert_eq!(status(&r, RuleId::NoCmov), Status::Pass);
        let r = judged(
            tree,
            &[
                (RuleId::FastStart, Status::Fail),
                (RuleId::NoCmov, Status::Fail),
            ],
        );
        assert!(!r.pass);
        assert_eq!(status(&r, RuleId::FastStart), Status::Fail);
        assert_eq!(status(&r, RuleId::NoCmov), Status::Fail);
    }

    #[test]
    fn any_takes_its_best_child() {
        let r = judged(
            "{ any = [\"fast-start\", \"no-cmov\"] }",
            &[(RuleId::FastStart, Status::Warn)],
        );
        let root = r.policy.as_ref().expect("policy");
        assert_eq!(root.status, Status::Pass);
        assert!(!root.children[0].counted && root.children[1].counted);
    }

    #[test]
    fn nesting_combines_bottom_up() {
        // all[ container-mov, any[ all[frame-size, audio-sample-rate], all[frame-rate, timecode] ] ]
        let tree = "{ all = [\"container-mov\", { name = \"format\", any = [\
                    { all = [\"frame-size\", \"audio-sample-rate\"] }, \
                    { all = [\"frame-rate\", \"timecode\"] } ] }] }";
        let r = judged(tree, &[(RuleId::FrameSize, Status::Fail)]);
        assert!(r.pass, "second alternative holds");
        let r = judged(
            tree,
            &[
                (RuleId::FrameSize, Status::Fail),
                (RuleId::Timecode, Status::Fail),
            ],
        );
        assert!(!r.pass);
        let r = judged(
            tree,
            &[
                (RuleId::ContainerMov, Status::Fail),
                (RuleId::Timecode, Status::Fail),
            ],
        );
        assert!(!r.pass);
        assert_eq!(status(&r, RuleId::Timecode), Status::Info, "not needed");
        assert_eq!(status(&r, RuleId::ContainerMov), Status::Fail);
        let text = r.human("f.mov");
        assert!(text.contains("format (any of 2)"), "{text}");
    }

    #[test]
    fn rules_outside_the_tree_are_info() {
        let r = judged(
            "{ all = [\"fast-start\"] }",
            &[(RuleId::NoCmov, Status::Fail)],
        );
        assert!(r.pass);
        assert_eq!(r.rules.len(), RuleId::ALL.len());
        assert_eq!(status(&r, RuleId::NoCmov), Status::Info);
        assert!(
            r.rule(RuleId::NoCmov)
                .is_some_and(|x| x.message.contains("not judged"))
        );
    }

    #[test]
    fn a_rule_twice_reports_the_worst_counted() {
        let tree =
            "{ all = [{ rule = \"frame-size\", frame_sizes = [[1920, 1080]] }, \"frame-size\"] }";
        let text = "id = \"t\"\nname = \"T\"\nframe_rates = [\"25\"]\nframe_sizes = [[1280, 720]]\n\
                    sample_rates = [48000]\n";
        let profile = Profile::parse(&format!("{text}policy = {tree}\n"), "t.toml").expect("p");
        // Each occurrence sees its own parameters; only 1280x720 "measures" as a pass here.
        let r = judge(&profile, |id, p| {
            let ok = id != RuleId::FrameSize || p.frame_sizes == [[1280, 720]];
            result(id, if ok { Status::Pass } else { Status::Fail })
        });
        assert!(!r.pass);
        assert_eq!(status(&r, RuleId::FrameSize), Status::Fail);
    }

    #[test]
    fn sub_policy_parameters_win_inside_it() {
        let profile = Profile::parse(
            "id = \"t\"\nname = \"T\"\nframe_rates = [\"25\"]\nframe_sizes = [[1024, 576]]\n\
             sample_rates = [32000]\npolicy = { all = [\"frame-size\", \
             { use = \"pix-screening-room-clip\" }] }\n",
            "t.toml",
        )
        .expect("profile");
        let seen = std::cell::RefCell::new(Vec::new());
        judge(&profile, |id, p| {
            if id == RuleId::FrameSize {
                seen.borrow_mut().push(p.frame_sizes.clone());
            }
            result(id, Status::Pass)
        });
        assert_eq!(
            seen.into_inner(),
            vec![vec![[1024, 576]], vec![[1920, 1080]]],
            "the profile's size at the top, the sub-policy's own inside it"
        );
    }
}
