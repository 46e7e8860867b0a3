//! The result of a spec check: one [`RuleResult`] per rule id, in the published order, the
//! outcome of the profile's policy tree, and the JSON form
//! `{profile, pass, rules: [{id, status, measured, expected, message, fix}], policy: {…}}`.

use super::RuleId;
use serde::Serialize;

/// How one rule came out. Ordered by severity so a profile ceiling is a `min`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Info,
    Warn,
    Fail,
}

impl Status {
    /// Parses `fail` / `warn` / `info` / `pass`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pass" => Some(Self::Pass),
            "info" => Some(Self::Info),
            "warn" => Some(Self::Warn),
            "fail" => Some(Self::Fail),
            _ => None,
        }
    }

    /// Lower-case name, as in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

/// One rule's verdict, with what was measured, what the profile expects, why, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleResult {
    pub id: RuleId,
    pub status: Status,
    pub measured: String,
    pub expected: String,
    pub message: String,
    /// Empty when nothing needs doing.
    pub fix: String,
}

/// What a policy node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    All,
    Any,
    Rule,
}

impl NodeKind {
    fn name(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Any => "any",
            Self::Rule => "rule",
        }
    }
}

/// How one node of the profile's policy tree came out: the JSON `policy` object, nested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyOutcome {
    #[serde(rename = "type")]
    pub kind: NodeKind,
    /// The profile id at the root, a sub-policy id, or a group's written `name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rule id of a leaf.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleId>,
    /// A leaf's own status; a group's worst child (`all`) or best child (`any`).
    pub status: Status,
    /// The node holds (its status is not `fail`).
    pub pass: bool,
    /// False for an alternative the verdict did not need (its `any` holds through another).
    pub counted: bool,
    /// A leaf's measurement and expectation, under the parameters in force at that leaf (a
    /// rule used in two alternatives expects different things in each).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<PolicyOutcome>,
    /// A leaf's index among the judged results (internal).
    #[serde(skip)]
    pub(crate) leaf: usize,
}

impl PolicyOutcome {
    /// A name for people: the rule id, the node's name, or its kind and children.
    pub fn label(&self) -> String {
        if let Some(rule) = self.rule {
            return rule.as_str().to_owned();
        }
        if let Some(name) = &self.name {
            return name.clone();
        }
        format!(
            "{}({})",
            self.kind.name(),
            self.children
                .iter()
                .map(Self::label)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    /// One line per group, indented by depth: its status, label, and why.
    fn lines(&self, depth: usize, out: &mut String) {
        if self.kind == NodeKind::Rule {
            return;
        }
        let with = |s: Status| -> Vec<String> {
            self.children
                .iter()
                // Inside an alternative that was not needed nothing counts; say what failed anyway.
                .filter(|c| c.status == s && (c.counted || !self.counted))
                .map(Self::label)
                .collect()
        };
        let why = match (self.kind, self.status) {
            (NodeKind::Any, Status::Fail) => ": no alternative holds".to_owned(),
            (NodeKind::Any, _) => self
                .children
                .iter()
                .find(|c| c.counted)
                .map(|c| format!(": holds through {}", c.label()))
                .unwrap_or_default(),
            (_, Status::Fail) => format!(": {} failed", with(Status::Fail).join(", ")),
            (_, Status::Warn) => format!(": warnings from {}", with(Status::Warn).join(", ")),
            _ => String::new(),
        };
        out.push_str(&format!(
            "  {:<4}  {}{} ({} of {}){why}{}\n",
            self.status.name().to_uppercase(),
            "  ".repeat(depth),
            self.label(),
            self.kind.name(),
            self.children.len(),
            if self.counted { "" } else { " [not needed]" }
        ));
        for c in &self.children {
            c.lines(depth + 1, out);
        }
    }
}

/// A whole check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub profile: String,
    /// True when the profile's policy holds (no rule it rests on failed; warnings allowed).
    pub pass: bool,
    /// Every rule id, in report order: the result the verdict rests on, or, for a rule outside
    /// the tree or an alternative that was not needed, reported as at most `info`.
    pub rules: Vec<RuleResult>,
    /// The policy tree with each node's outcome; absent for a report built without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<PolicyOutcome>,
}

impl Report {
    /// Builds a report without a tree; `pass` follows from the results.
    pub fn new(profile: &str, rules: Vec<RuleResult>) -> Self {
        Self {
            profile: profile.to_owned(),
            pass: rules.iter().all(|r| r.status != Status::Fail),
            rules,
            policy: None,
        }
    }

    /// Builds a report judged by a policy tree: `pass` is the root's outcome.
    pub fn judged(profile: &str, rules: Vec<RuleResult>, policy: PolicyOutcome) -> Self {
        Self {
            profile: profile.to_owned(),
            pass: policy.pass,
            rules,
            policy: Some(policy),
        }
    }

    /// The result for `id`.
    pub fn rule(&self, id: RuleId) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Plain text for people: one line per rule, then message and fix for anything not passing,
    /// then the policy tree's groups, so a failure reads as "which sub-policy, which rule".
    pub fn human(&self, file: &str) -> String {
        let mut out = format!(
            "{file}: {} against {}\n",
            if self.pass { "PASS" } else { "FAIL" },
            self.profile
        );
        for r in &self.rules {
            out.push_str(&format!(
                "  {:<4}  {:<22} {}\n",
                r.status.name().to_uppercase(),
                r.id,
                r.measured
            ));
            if r.status != Status::Pass {
                out.push_str(&format!("        {}\n", r.message));
                if !r.fix.is_empty() {
                    out.push_str(&format!("        fix: {}\n", r.fix));
                }
            }
        }
        if let Some(policy) = &self.policy {
            out.push_str("  policy:\n");
            policy.lines(0, &mut out);
        }
        out
    }
}
