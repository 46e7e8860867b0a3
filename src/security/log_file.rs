//! The access log on disk: `…/earmark/security/access_log.jsonl`, one JSON object per line,
//! appended and flushed per event through [`crate::persist::append_log`] and never rewritten.
//!
//! Reading is forgiving and loud: a line that is not a readable entry (damaged disk, a crash
//! mid-write, an edit by hand) is reported by number and skipped, and left in the file — the
//! log is evidence, so Earmark never "repairs" it.

use super::{AccessEntry, SecurityError};
use crate::persist::append_log::{append_line, read_lines};
use std::path::Path;

/// What reading the log found.
#[derive(Debug, Default)]
pub struct LogRead {
    /// Every readable entry, in the order written.
    pub entries: Vec<AccessEntry>,
    /// Plain words for each damaged line skipped (empty when all was well).
    pub problems: Vec<String>,
}

/// Appends `entry` to the log at `path`; returns once it is on the disk.
pub fn append(path: &Path, entry: &AccessEntry) -> Result<(), SecurityError> {
    let fail = |source| SecurityError::LogWrite {
        path: path.to_path_buf(),
        source,
    };
    let line = serde_json::to_vec(entry).map_err(|e| fail(std::io::Error::other(e)))?;
    append_line(path, &line).map_err(fail)
}

/// Reads the log at `path` (a missing log is empty).
pub fn read_log(path: &Path) -> Result<LogRead, SecurityError> {
    let lines = read_lines(path).map_err(|source| SecurityError::LogRead {
        path: path.to_path_buf(),
        source,
    })?;
    let mut read = LogRead::default();
    for line in lines {
        match serde_json::from_slice::<AccessEntry>(&line.bytes) {
            Ok(e) => read.entries.push(e),
            Err(e) => read.problems.push(format!(
                "line {} of the access log is damaged ({}); skipped, and left in the file: {}",
                line.number,
                if line.complete {
                    e.to_string()
                } else {
                    "cut short, probably by a crash while it was written".to_owned()
                },
                path.display()
            )),
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::AccessEvent;

    fn entry(event: AccessEvent, name: &str) -> AccessEntry {
        AccessEntry {
            time: "2026-05-01T14:03:07.125Z".into(),
            event,
            reviewer: String::new(),
            os_user: "sam".into(),
            file_name: name.into(),
            path: format!("/m/{name}"),
            size: Some(1),
            sha256: None,
            detail: String::new(),
        }
    }

    #[test]
    fn a_damaged_line_is_reported_skipped_and_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("access_log.jsonl");
        append(&p, &entry(AccessEvent::Open, "a.mov")).expect("append");
        let mut bytes = std::fs::read(&p).expect("read");
        bytes.extend_from_slice(b"{\"time\": garbage \xff\n");
        std::fs::write(&p, &bytes).expect("damage");
        append(&p, &entry(AccessEvent::Close, "a.mov")).expect("append");
        let read = read_log(&p).expect("read");
        assert_eq!(read.entries.len(), 2);
        assert_eq!(read.entries[1].event, AccessEvent::Close);
        assert_eq!(read.problems.len(), 1);
        assert!(read.problems[0].contains("line 2"), "{:?}", read.problems);
        let after = std::fs::read(&p).expect("read");
        assert!(
            after.windows(7).any(|w| w == b"garbage"),
            "the damaged line is still in the file"
        );
    }

    #[test]
    fn a_torn_last_line_says_so() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("access_log.jsonl");
        append(&p, &entry(AccessEvent::Open, "a.mov")).expect("append");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&p)
            .expect("open");
        std::io::Write::write_all(&mut f, b"{\"time\":\"2026").expect("tear");
        let read = read_log(&p).expect("read");
        assert_eq!(read.entries.len(), 1);
        assert!(
            read.problems[0].contains("cut short"),
            "{:?}",
            read.problems
        );
    }
}
