//! An append-only log file, for records that must never be rewritten (the access log): each
//! line is added with one `write` in append mode and flushed to the disk before the caller is
//! told it is recorded. Nothing here truncates, replaces or compacts the file.
//!
//! Damage is kept, not repaired: a line the reader cannot use is handed back as it is (the
//! caller reports and skips it) and stays in the file. A torn last line — a write that a crash
//! cut short — is closed off with a newline before the next line is added, so the new line
//! never glues onto it and both stay readable as what they are.

use super::atomic_file::sync_dir;
use std::fs::OpenOptions;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// One line as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the file, for messages.
    pub number: usize,
    pub bytes: Vec<u8>,
    /// False for a last line without its newline (its write may have been cut short).
    pub complete: bool,
}

/// Appends `line` (which must not hold a newline) and a newline to `path`, creating the file
/// (readable by this user only) and its folder if needed; returns once it is on the disk.
pub fn append_line(path: &Path, line: &[u8]) -> std::io::Result<()> {
    if line.contains(&b'\n') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "a log line cannot hold a newline",
        ));
    }
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let existed = path.exists();
    let mut options = OpenOptions::new();
    options.read(true).append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // Who opened what is nobody else's business on a shared machine.
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    let mut bytes = Vec::with_capacity(line.len() + 2);
    if f.metadata()?.len() > 0 {
        f.seek(SeekFrom::End(-1))?;
        let mut last = [0u8; 1];
        f.read_exact(&mut last)?;
        if last[0] != b'\n' {
            bytes.push(b'\n');
        }
    }
    bytes.extend_from_slice(line);
    bytes.push(b'\n');
    // One write in append mode: another process appending at the same time cannot interleave
    // inside the line.
    f.write_all(&bytes)?;
    f.sync_data()?;
    if !existed && let Some(dir) = dir {
        sync_dir(dir);
    }
    Ok(())
}

/// Every non-blank line of `path`, in order (a missing file has none).
pub fn read_lines(path: &Path) -> std::io::Result<Vec<Line>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let ends_whole = bytes.last().is_none_or(|&b| b == b'\n');
    let mut parts: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if ends_whole {
        // The empty piece after the final newline.
        parts.pop();
    }
    let last = parts.len();
    Ok(parts
        .into_iter()
        .enumerate()
        .filter(|(_, l)| !l.iter().all(u8::is_ascii_whitespace))
        .map(|(i, l)| Line {
            number: i + 1,
            bytes: l.to_vec(),
            complete: ends_whole || i + 1 < last,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_in_order_and_reads_back() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("sub/log.jsonl");
        append_line(&p, b"one").expect("append");
        append_line(&p, b"two").expect("append");
        let lines = read_lines(&p).expect("read");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].bytes, b"one");
        assert_eq!(lines[1].number, 2);
        assert!(lines.iter().all(|l| l.complete));
        assert_eq!(std::fs::read(&p).expect("bytes"), b"one\ntwo\n");
    }

    #[test]
    fn a_torn_tail_is_kept_and_closed_off() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("log.jsonl");
        std::fs::write(&p, b"one\n{\"torn").expect("seed");
        let before = read_lines(&p).expect("read");
        assert!(!before[1].complete);
        append_line(&p, b"three").expect("append");
        assert_eq!(
            std::fs::read(&p).expect("bytes"),
            b"one\n{\"torn\nthree\n",
            "the torn line stays, the new one starts its own line"
        );
    }

    #[test]
    fn refuses_a_newline_and_a_missing_file_is_empty() {
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("log.jsonl");
        assert!(append_line(&p, b"a\nb").is_err());
        assert!(read_lines(&p).expect("read").is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn only_the_user_can_read_it() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temp dir");
        let p = dir.path().join("log.jsonl");
        append_line(&p, b"x").expect("append");
        let mode = std::fs::metadata(&p).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
