//! The spec-check tests' shared ground: the generated spec fixtures
//! (`scripts/make-spec-fixtures.sh`) and `earmark check --json` run through the real binary,
//! its JSON read back by rule id and policy node.

#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

/// Path of a generated spec fixture; fails with the command to run when it is missing.
pub fn spec_fixture(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cache-spec")
        .join(name);
    assert!(
        path.exists(),
        "fixture {} is missing: run `make fixtures` (scripts/make-spec-fixtures.sh)",
        path.display()
    );
    path
}

/// One `earmark check` run: exit code, the JSON report (Null when none) and what it printed.
pub struct Checked {
    pub code: i32,
    pub json: serde_json::Value,
    pub stdout: String,
    pub stderr: String,
}

impl Checked {
    /// The result of rule `id`; panics showing the report when it is missing.
    pub fn rule(&self, id: &str) -> &serde_json::Value {
        self.json["rules"]
            .as_array()
            .and_then(|rules| rules.iter().find(|r| r["id"] == id))
            .unwrap_or_else(|| panic!("rule {id} missing in {}\n{}", self.json, self.stderr))
    }

    /// "pass", "warn", "fail", "info" or "unmeasured".
    pub fn status(&self, id: &str) -> &str {
        self.rule(id)["status"].as_str().expect("status")
    }

    /// A text field of rule `id` ("measured", "message", "fix" …).
    pub fn text(&self, id: &str, field: &str) -> &str {
        self.rule(id)[field].as_str().expect("string field")
    }

    /// The policy node named `name`, anywhere in the tree.
    pub fn node(&self, name: &str) -> &serde_json::Value {
        fn find<'a>(v: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
            if v["name"] == name {
                return Some(v);
            }
            v["children"].as_array()?.iter().find_map(|c| find(c, name))
        }
        find(&self.json["policy"], name)
            .unwrap_or_else(|| panic!("policy node {name} missing in {}", self.json["policy"]))
    }
}

/// `earmark check FILE [args…]` (add `--json` to get a report to read).
pub fn check<S: AsRef<OsStr>>(file: impl AsRef<OsStr>, args: &[S]) -> Checked {
    let out = Command::new(env!("CARGO_BIN_EXE_earmark"))
        .arg("check")
        .arg(file)
        .args(args)
        .output()
        .expect("binary runs");
    Checked {
        code: out.status.code().expect("exit code"),
        json: serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
