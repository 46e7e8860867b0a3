//! The result of a spec check: one [`RuleResult`] per rule id, in the published order, and the
//! JSON form `{profile, pass, rules: [{id, status, measured, expected, message, fix}]}`.

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
    pub id: &'static str,
    pub status: Status,
    pub measured: String,
    pub expected: String,
    pub message: String,
    /// Empty when nothing needs doing.
    pub fix: String,
}

/// A whole check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub profile: String,
    /// True when no rule failed (warnings allowed).
    pub pass: bool,
    pub rules: Vec<RuleResult>,
}

impl Report {
    /// Builds the report; `pass` follows from the results.
    pub fn new(profile: &str, rules: Vec<RuleResult>) -> Self {
        Self {
            profile: profile.to_owned(),
            pass: rules.iter().all(|r| r.status != Status::Fail),
            rules,
        }
    }

    /// The result for `id`.
    pub fn rule(&self, id: &str) -> Option<&RuleResult> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// Plain text for people: one line per rule, then message and fix for anything not passing.
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
        out
    }
}
