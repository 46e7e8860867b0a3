//! One line of the access log: what happened to which media file, when and by whom.
//!
//! The file is named three ways because each answers a different question later: the name (what
//! a person recognises), the full path (where the copy was), and size + SHA-256 of the whole
//! file (which content it was, whatever it was called — the same value `sha256sum` prints).
//! "Who" is both the reviewer's name from Settings (what they call themselves) and the operating
//! system's user (the account that ran Earmark).

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What was done with the media.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccessEvent {
    /// The media was opened: in the review window, or read by a command (`probe`, `check`,
    /// `loudness`, `notes list|import`, headless playback).
    Open,
    /// The review window let go of it (another file, or the window closed).
    Close,
    /// Something derived from it was written out: notes as markers or the report
    /// (`notes export`), a frame (`still`).
    Export,
    /// The media file was deleted by "review complete".
    Delete,
    /// The review was marked complete.
    ReviewComplete,
    /// In a shared review: someone joined, left, was refused or removed, or control passed
    /// (the detail names them by name and key).
    Session,
}

impl AccessEvent {
    /// The stored name (`open`, `review-complete` …).
    pub fn id(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Close => "close",
            Self::Export => "export",
            Self::Delete => "delete",
            Self::ReviewComplete => "review-complete",
            Self::Session => "session",
        }
    }
}

/// One event as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessEntry {
    /// When it happened, UTC, ISO-8601 with milliseconds.
    pub time: String,
    pub event: AccessEvent,
    /// The reviewer's name from Settings (empty: not set).
    #[serde(default)]
    pub reviewer: String,
    /// The operating system's user name (`$USER`, else `$LOGNAME`).
    #[serde(default)]
    pub os_user: String,
    pub file_name: String,
    /// The full path as it was then.
    pub path: String,
    /// Bytes (`None`: the file could not be read).
    #[serde(default)]
    pub size: Option<u64>,
    /// SHA-256 of the whole file, 64 hex digits (`None`: it could not be read).
    #[serde(default)]
    pub sha256: Option<String>,
    /// Which command or what was written where, in a few words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl AccessEntry {
    /// An entry for `path` stamped now; `path` is made absolute so the log names the copy.
    pub fn now(event: AccessEvent, path: &Path, reviewer: &str, detail: &str) -> Self {
        let path = absolute(path);
        Self {
            time: crate::time::iso8601_utc(crate::time::now_ms()),
            event,
            reviewer: reviewer.trim().to_owned(),
            os_user: crate::settings::os_user(),
            file_name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: path.display().to_string(),
            size: std::fs::metadata(&path).ok().map(|m| m.len()),
            sha256: None,
            detail: detail.to_owned(),
        }
    }

    /// Whether this entry is about the content `sha256`, or the file at `path` (a deleted file
    /// can only be found by where it was).
    pub fn is_about(&self, sha256: Option<&str>, path: Option<&Path>) -> bool {
        let by_hash = sha256.is_some_and(|h| self.sha256.as_deref() == Some(h));
        let by_path = path.is_some_and(|p| self.path == absolute(p).display().to_string());
        by_hash || by_path
    }

    /// "Sam (sam)", "sam" when no reviewer name is set.
    pub fn who(&self) -> String {
        match (self.reviewer.is_empty(), self.os_user.is_empty()) {
            (false, false) => format!("{} ({})", self.reviewer, self.os_user),
            (false, true) => self.reviewer.clone(),
            (true, _) => self.os_user.clone(),
        }
    }

    /// The CSV columns, in the order [`Self::csv_fields`] gives them.
    pub const CSV_HEADER: [&'static str; 9] = [
        "time",
        "event",
        "reviewer",
        "os_user",
        "file_name",
        "path",
        "size",
        "sha256",
        "detail",
    ];

    /// The entry's fields as [`Self::CSV_HEADER`] names them (not yet quoted or defused).
    pub fn csv_fields(&self) -> [String; 9] {
        [
            self.time.clone(),
            self.event.id().to_owned(),
            self.reviewer.clone(),
            self.os_user.clone(),
            self.file_name.clone(),
            self.path.clone(),
            self.size.map(|s| s.to_string()).unwrap_or_default(),
            self.sha256.clone().unwrap_or_default(),
            self.detail.clone(),
        ]
    }

    /// `entries` as a CSV file for a spreadsheet, in the given order: the header, then one row
    /// each, written by the crate's one CSV writer ([`crate::persist::csv_table`]: BOM, RFC 4180,
    /// CRLF rows), so a reviewer or file name that starts like a formula (`=`, `+`, `-`, `@`)
    /// stays text.
    pub fn csv<'a>(entries: impl IntoIterator<Item = &'a AccessEntry>) -> String {
        crate::persist::csv_table::write(
            &Self::CSV_HEADER,
            entries.into_iter().map(Self::csv_fields),
        )
    }
}

/// `path` made absolute (resolving links when it exists), for naming a copy unambiguously.
pub fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> AccessEntry {
        AccessEntry {
            time: "2026-05-01T14:03:07.125Z".into(),
            event: AccessEvent::ReviewComplete,
            reviewer: "Sam \"QC\", nights".into(),
            os_user: "sam".into(),
            file_name: "ep1.mov".into(),
            path: "/home/sam/ep1.mov".into(),
            size: Some(42),
            sha256: Some("ab".repeat(32)),
            detail: String::new(),
        }
    }

    #[test]
    fn stored_as_one_json_line_with_kebab_events() {
        let json = serde_json::to_string(&sample()).expect("json");
        assert!(!json.contains('\n'));
        assert!(json.contains("\"event\":\"review-complete\""), "{json}");
        assert!(!json.contains("detail"), "empty detail is left out: {json}");
        let back: AccessEntry = serde_json::from_str(&json).expect("back");
        assert_eq!(back, sample());
    }

    #[test]
    fn csv_quotes_what_needs_it_and_defuses_formulas() {
        let mut formula = sample();
        formula.reviewer = "=HYPERLINK(\"http://x\",\"y\")".into();
        formula.file_name = "+cmd.mov".into();
        formula.path = "/tmp/@SUM(1)".into();
        formula.detail = "-1".into();
        formula.size = None;
        formula.sha256 = None;
        let text = AccessEntry::csv([&sample(), &formula]);
        let mut rows = text.strip_prefix('\u{feff}').expect("a BOM").split("\r\n");
        assert_eq!(
            rows.next(),
            Some(AccessEntry::CSV_HEADER.join(",").as_str())
        );
        assert_eq!(
            rows.next(),
            Some(
                format!(
                    "2026-05-01T14:03:07.125Z,review-complete,\"Sam \"\"QC\"\", nights\",sam,ep1.mov,\
                     /home/sam/ep1.mov,42,{},",
                    "ab".repeat(32)
                )
                .as_str()
            )
        );
        assert_eq!(
            rows.next(),
            Some(
                "2026-05-01T14:03:07.125Z,review-complete,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",\
                 sam,'+cmd.mov,/tmp/@SUM(1),,,'-1"
            )
        );
        assert_eq!(
            rows.collect::<Vec<_>>(),
            vec![""],
            "CRLF after the last row"
        );
        let back = crate::persist::csv_table::read(&text).expect("read back");
        assert_eq!(
            back[2].cells[2].value, formula.reviewer,
            "restored on reading"
        );
    }

    #[test]
    fn found_by_content_or_by_where_it_was() {
        let e = sample();
        assert!(e.is_about(Some(&"ab".repeat(32)), None));
        assert!(e.is_about(None, Some(Path::new("/home/sam/ep1.mov"))));
        assert!(!e.is_about(Some("cd"), Some(Path::new("/elsewhere.mov"))));
        assert_eq!(e.who(), "Sam \"QC\", nights (sam)");
    }

    #[test]
    fn now_names_the_file_absolutely() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("clip.mov");
        std::fs::write(&p, b"12345").expect("write");
        let e = AccessEntry::now(AccessEvent::Open, &p, " Ana ", "window");
        assert_eq!(e.file_name, "clip.mov");
        assert_eq!(e.size, Some(5));
        assert_eq!(e.reviewer, "Ana");
        assert!(Path::new(&e.path).is_absolute());
        assert!(e.time.ends_with('Z') && e.time.contains('T'));
    }
}
