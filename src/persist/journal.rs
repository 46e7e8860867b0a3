//! An append-only journal of records by id, for data that is a user's work (review notes):
//! every change is one line appended and flushed to the disk before the caller is told it is
//! saved, so a crash, `kill -9` or power cut loses nothing that was confirmed.
//!
//! A folder holds `snapshot.json` (all records as of the last compaction, written atomically)
//! and `journal.jsonl` (one JSON line per change since: put a record, delete an id). Opening
//! replays the snapshot, then the journal. Replaying is idempotent (puts and deletes by id), so a
//! crash between writing a snapshot and emptying the journal is harmless.
//!
//! Damage is never silently overwritten: a torn last line (a write the crash interrupted, never
//! confirmed) is dropped; an unreadable snapshot or journal line sets that file aside
//! (`….corrupt`), keeps every record that can still be read, and says so in plain words.

use super::atomic_file::{set_aside, sync_dir, write_atomic};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use thiserror::Error;

const SNAPSHOT: &str = "snapshot.json";
const JOURNAL: &str = "journal.jsonl";

/// Why a change could not be saved (the caller keeps it in memory and says so).
#[derive(Debug, Error)]
pub enum JournalError {
    #[error("could not open the notes store {path}: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not save to {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not encode a record for {path}: {source}")]
    Encode {
        path: PathBuf,
        source: serde_json::Error,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Entry<T> {
    Put { id: u64, record: T },
    Delete { id: u64 },
}

#[derive(Serialize, Deserialize)]
struct Snapshot<T> {
    records: Vec<(u64, T)>,
}

/// What opening found.
#[derive(Debug)]
pub struct Recovered<T> {
    pub records: BTreeMap<u64, T>,
    /// Plain-words reports of damage found and what was done (empty when all was well).
    pub problems: Vec<String>,
}

/// An open journal folder.
#[derive(Debug)]
pub struct Journal<T> {
    dir: PathBuf,
    log: File,
    /// Changes appended since the last compaction.
    pub appended: usize,
    _records: PhantomData<fn() -> T>,
}

impl<T: Serialize + DeserializeOwned + Clone> Journal<T> {
    /// Opens (creating) the journal in `dir` and recovers its records.
    pub fn open(dir: &Path) -> Result<(Self, Recovered<T>), JournalError> {
        let open_err = |source| JournalError::Open {
            path: dir.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(open_err)?;
        let mut problems = Vec::new();
        let mut records = BTreeMap::new();
        let snap_path = dir.join(SNAPSHOT);
        match std::fs::read(&snap_path) {
            Ok(bytes) => match serde_json::from_slice::<Snapshot<T>>(&bytes) {
                Ok(s) => records.extend(s.records),
                Err(e) => problems.push(set_aside_report(&snap_path, &e.to_string())),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(open_err(e)),
        }
        let log_path = dir.join(JOURNAL);
        let bytes = match std::fs::read(&log_path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(open_err(e)),
        };
        // Only complete lines were ever confirmed; a tail without its newline was cut off.
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let (mut bad, mut replayed) = (0usize, 0usize);
        for line in bytes[..complete].split(|&b| b == b'\n') {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<Entry<T>>(line) {
                Ok(Entry::Put { id, record }) => {
                    records.insert(id, record);
                    replayed += 1;
                }
                Ok(Entry::Delete { id }) => {
                    records.remove(&id);
                    replayed += 1;
                }
                Err(_) => bad += 1,
            }
        }
        let mut journal = Self {
            dir: dir.to_path_buf(),
            log: open_log(&log_path).map_err(open_err)?,
            appended: replayed,
            _records: PhantomData,
        };
        if bad > 0 {
            problems.push(set_aside_report(
                &log_path,
                &format!("{bad} unreadable line(s); every readable change was kept"),
            ));
            journal.log = open_log(&log_path).map_err(open_err)?;
            journal.compact(&records)?;
        } else if complete < bytes.len() {
            // Drop the torn tail so new lines start on a line of their own.
            write_atomic(&log_path, &bytes[..complete]).map_err(|source| JournalError::Write {
                path: log_path.clone(),
                source,
            })?;
            journal.log = open_log(&log_path).map_err(open_err)?;
        }
        Ok((journal, Recovered { records, problems }))
    }

    /// Saves `record` under `id`; returns once it is on the disk.
    pub fn put(&mut self, id: u64, record: &T) -> Result<(), JournalError> {
        self.append(&Entry::Put {
            id,
            record: record.clone(),
        })
    }

    /// Records that `id` is gone; returns once it is on the disk.
    pub fn delete(&mut self, id: u64) -> Result<(), JournalError> {
        self.append(&Entry::<T>::Delete { id })
    }

    fn append(&mut self, entry: &Entry<T>) -> Result<(), JournalError> {
        let path = self.dir.join(JOURNAL);
        // serde_json escapes newlines inside strings, so one entry is one line.
        let mut line = serde_json::to_vec(entry).map_err(|source| JournalError::Encode {
            path: path.clone(),
            source,
        })?;
        line.push(b'\n');
        let write = |log: &mut File| -> std::io::Result<()> {
            log.write_all(&line)?;
            log.sync_data()
        };
        write(&mut self.log).map_err(|source| JournalError::Write { path, source })?;
        self.appended += 1;
        Ok(())
    }

    /// Writes every record to the snapshot and empties the journal (after many changes, so
    /// opening stays quick). Safe at any point of a crash (see the module header).
    pub fn compact(&mut self, records: &BTreeMap<u64, T>) -> Result<(), JournalError> {
        let snap_path = self.dir.join(SNAPSHOT);
        let snapshot = Snapshot {
            records: records.iter().map(|(k, v)| (*k, v.clone())).collect(),
        };
        let bytes =
            serde_json::to_vec_pretty(&snapshot).map_err(|source| JournalError::Encode {
                path: snap_path.clone(),
                source,
            })?;
        write_atomic(&snap_path, &bytes).map_err(|source| JournalError::Write {
            path: snap_path,
            source,
        })?;
        let log_path = self.dir.join(JOURNAL);
        write_atomic(&log_path, b"").map_err(|source| JournalError::Write {
            path: log_path.clone(),
            source,
        })?;
        self.log = open_log(&log_path).map_err(|source| JournalError::Write {
            path: log_path,
            source,
        })?;
        self.appended = 0;
        Ok(())
    }

    /// The folder the journal lives in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

fn open_log(path: &Path) -> std::io::Result<File> {
    let f = OpenOptions::new().create(true).append(true).open(path)?;
    if let Some(dir) = path.parent() {
        sync_dir(dir);
    }
    Ok(f)
}

/// Sets a damaged file aside and says what happened.
fn set_aside_report(path: &Path, why: &str) -> String {
    match set_aside(path) {
        Ok(to) => format!(
            "{} could not be read fully ({why}); it was kept as {} and everything readable in it \
             was recovered",
            path.display(),
            to.display()
        ),
        Err(e) => format!(
            "{} could not be read fully ({why}) and could not be set aside ({e}); it was left \
             untouched",
            path.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type J = Journal<String>;

    fn reopen(dir: &Path) -> (J, Recovered<String>) {
        J::open(dir).expect("open")
    }

    #[test]
    fn changes_survive_reopening_and_compaction() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut j, r) = reopen(dir.path());
        assert!(r.records.is_empty() && r.problems.is_empty());
        j.put(1, &"first, with \"quotes\"\nand a newline".to_owned())
            .expect("put");
        j.put(2, &"second".to_owned()).expect("put");
        j.put(1, &"first, edited".to_owned()).expect("put");
        j.delete(2).expect("delete");
        j.put(3, &"Ünïcødé — 日本語".to_owned()).expect("put");
        drop(j);
        let (mut j, r) = reopen(dir.path());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let want: BTreeMap<u64, String> = [
            (1, "first, edited".to_owned()),
            (3, "Ünïcødé — 日本語".to_owned()),
        ]
        .into();
        assert_eq!(r.records, want);
        j.compact(&r.records).expect("compact");
        j.put(4, &"after".to_owned()).expect("put");
        drop(j);
        let (_, r) = reopen(dir.path());
        assert_eq!(r.records.len(), 3);
        assert_eq!(r.records[&4], "after");
    }

    #[test]
    fn a_torn_last_line_is_dropped_and_appending_goes_on() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut j, _) = reopen(dir.path());
        j.put(1, &"kept".to_owned()).expect("put");
        drop(j);
        let log = dir.path().join(JOURNAL);
        let mut f = OpenOptions::new().append(true).open(&log).expect("log");
        f.write_all(br#"{"op":"put","id":2,"rec"#)
            .expect("torn write");
        drop(f);
        let (mut j, r) = reopen(dir.path());
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.records.len(), 1);
        j.put(3, &"next".to_owned()).expect("put");
        drop(j);
        let (_, r) = reopen(dir.path());
        assert_eq!(r.records.keys().copied().collect::<Vec<_>>(), vec![1, 3]);
    }

    #[test]
    fn damage_is_set_aside_and_the_readable_rest_recovered() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut j, _) = reopen(dir.path());
        j.put(1, &"one".to_owned()).expect("put");
        j.put(2, &"two".to_owned()).expect("put");
        drop(j);
        let log = dir.path().join(JOURNAL);
        let mut text = std::fs::read_to_string(&log).expect("read");
        text.insert_str(0, "garbage that is not json\n");
        std::fs::write(&log, &text).expect("damage");
        let (_, r) = reopen(dir.path());
        assert_eq!(r.records.len(), 2, "both readable changes recovered");
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].contains("journal.jsonl"), "{}", r.problems[0]);
        let aside = dir.path().join("journal.jsonl.corrupt");
        assert_eq!(std::fs::read_to_string(aside).expect("kept aside"), text);
        // The recovered notes are saved again in a clean store.
        let (_, r) = reopen(dir.path());
        assert!(r.problems.is_empty());
        assert_eq!(r.records.len(), 2);

        std::fs::write(dir.path().join(SNAPSHOT), b"{ broken").expect("damage");
        let (_, r) = reopen(dir.path());
        assert_eq!(r.problems.len(), 1);
        assert!(dir.path().join("snapshot.json.corrupt").exists());
    }
}
