//! The recorder the window and the commands call: `record(event, path)` returns at once, and a
//! background thread named "access-log" works out the file's SHA-256 (from the cache, or by
//! reading the whole file once) and appends the entry. The event's time, size and path are taken
//! when `record` is called, so the entry says when the access happened, not when the hash was
//! ready. One thread handles the events in the order recorded, so the log keeps that order.
//!
//! Errors are collected for the caller to show ([`AccessLog::take_problems`] each frame, or
//! [`AccessLog::flush`] before a command exits); any still unshown when the recorder is dropped
//! are printed, so no failure to record passes in silence.

use super::hash_cache::HashCache;
use super::{AccessEntry, AccessEvent, Dirs, SecurityError, log_file};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

enum Job {
    Record(AccessEntry),
    /// Work out the hash now, so a later `record` finds it cached.
    Warm(PathBuf),
    /// Everything before this is on disk: say so.
    Flush(Sender<()>),
}

/// State shared with the thread.
#[derive(Default)]
struct Shared {
    reviewer: Mutex<String>,
    problems: Mutex<Vec<String>>,
}

/// The access log recorder (see the module header).
pub struct AccessLog {
    tx: Option<Sender<Job>>,
    worker: Option<JoinHandle<()>>,
    shared: Arc<Shared>,
    log_path: PathBuf,
}

impl AccessLog {
    /// Starts the recorder writing to `dirs`' access log, naming `reviewer` (Settings'
    /// reviewer name) as the user.
    pub fn start(dirs: &Dirs, reviewer: &str) -> Result<Self, SecurityError> {
        let shared = Arc::new(Shared::default());
        *lock(&shared.reviewer) = reviewer.to_owned();
        let (tx, rx) = channel();
        let log_path = dirs.access_log();
        let cache = HashCache::new(&dirs.hash_cache);
        let (s, p) = (shared.clone(), log_path.clone());
        let worker = std::thread::Builder::new()
            .name("access-log".into())
            .spawn(move || work(&rx, &cache, &p, &s))
            .map_err(SecurityError::Thread)?;
        Ok(Self {
            tx: Some(tx),
            worker: Some(worker),
            shared,
            log_path,
        })
    }

    /// Records `event` on the media at `path`, now; returns at once.
    pub fn record(&self, event: AccessEvent, path: &Path) {
        self.record_detail(event, path, "");
    }

    /// [`Self::record`] with a few words on what exactly (the command, where an export went).
    pub fn record_detail(&self, event: AccessEvent, path: &Path, detail: &str) {
        let reviewer = lock(&self.shared.reviewer).clone();
        let entry = AccessEntry::now(event, path, &reviewer, detail);
        self.send(Job::Record(entry));
    }

    /// Starts working out `path`'s hash, so an event recorded later is written sooner.
    pub fn warm(&self, path: &Path) {
        self.send(Job::Warm(path.to_path_buf()));
    }

    /// Names `reviewer` in the events recorded from now on (the Settings field changed).
    pub fn set_reviewer(&self, reviewer: &str) {
        *lock(&self.shared.reviewer) = reviewer.to_owned();
    }

    /// Problems since the last call (a log that cannot be written, a file gone before it was
    /// hashed), in plain words naming the file; each is handed out once.
    pub fn take_problems(&self) -> Vec<String> {
        std::mem::take(&mut *lock(&self.shared.problems))
    }

    /// Waits until every event recorded so far is on disk, then hands out the problems.
    pub fn flush(&self) -> Vec<String> {
        let (done_tx, done_rx) = channel();
        self.send(Job::Flush(done_tx));
        // An error here means the thread is gone; its problems say why.
        done_rx.recv().ok();
        self.take_problems()
    }

    /// The log file written to.
    pub fn path(&self) -> &Path {
        &self.log_path
    }

    fn send(&self, job: Job) {
        let sent = self.tx.as_ref().is_some_and(|tx| tx.send(job).is_ok());
        if !sent {
            lock(&self.shared.problems).push(format!(
                "the access log thread has stopped; an event was not recorded: {}",
                self.log_path.display()
            ));
        }
    }
}

impl Drop for AccessLog {
    fn drop(&mut self) {
        // Closing the channel lets the thread finish what is queued, then end.
        self.tx = None;
        if let Some(w) = self.worker.take() {
            w.join().ok();
        }
        for p in self.take_problems() {
            eprintln!("earmark: {p}");
        }
    }
}

fn work(rx: &Receiver<Job>, cache: &HashCache, log: &Path, shared: &Shared) {
    let problem = |p: String| lock(&shared.problems).push(p);
    for job in rx {
        match job {
            Job::Record(mut entry) => {
                if entry.size.is_some() {
                    match cache.sha256(Path::new(&entry.path)) {
                        Ok(h) => entry.sha256 = Some(h),
                        Err(e) => problem(format!("{e} (logged without its SHA-256)")),
                    }
                }
                if let Err(e) = log_file::append(log, &entry) {
                    problem(e.to_string());
                }
            }
            Job::Warm(path) => {
                // A failure shows again, and is reported, when the event is recorded.
                cache.sha256(&path).ok();
            }
            Job::Flush(done) => {
                done.send(()).ok();
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::security::read_log;

    const ABC: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn records_in_order_with_the_hash_filled_in() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dirs = Dirs::under(dir.path());
        let media = dir.path().join("ep1.mov");
        std::fs::write(&media, b"abc").expect("write");
        let log = AccessLog::start(&dirs, "Ana").expect("start");
        log.record(AccessEvent::Open, &media);
        log.set_reviewer("Bo");
        log.record_detail(AccessEvent::Export, &media, "csv → notes.csv");
        log.record(AccessEvent::Close, &media);
        assert!(log.flush().is_empty());
        let read = read_log(&dirs.access_log()).expect("read");
        let events: Vec<_> = read.entries.iter().map(|e| e.event).collect();
        assert_eq!(
            events,
            [AccessEvent::Open, AccessEvent::Export, AccessEvent::Close]
        );
        assert!(
            read.entries
                .iter()
                .all(|e| e.sha256.as_deref() == Some(ABC))
        );
        assert_eq!(read.entries[0].reviewer, "Ana");
        assert_eq!(read.entries[1].reviewer, "Bo");
        assert_eq!(read.entries[1].detail, "csv → notes.csv");
    }

    #[test]
    fn record_does_not_wait_for_the_hash() {
        let dir = tempfile::tempdir().expect("temp dir");
        let dirs = Dirs::under(dir.path());
        let media = dir.path().join("big.mov");
        // 64 MiB: hashing takes far longer than queuing an event.
        std::fs::write(&media, vec![7u8; 64 << 20]).expect("write");
        let log = AccessLog::start(&dirs, "").expect("start");
        let t = std::time::Instant::now();
        log.record(AccessEvent::Open, &media);
        let queued = t.elapsed();
        assert!(log.flush().is_empty());
        let hashed = t.elapsed();
        assert!(
            queued * 10 < hashed,
            "record took {queued:?}, the hash {hashed:?}"
        );
    }

    #[test]
    fn an_unwritable_log_is_a_problem_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut dirs = Dirs::under(dir.path());
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, b"x").expect("write");
        dirs.security = blocker.join("security");
        let media = dir.path().join("m.mov");
        std::fs::write(&media, b"abc").expect("write");
        let log = AccessLog::start(&dirs, "").expect("start");
        log.record(AccessEvent::Open, &media);
        let problems = log.flush();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("access_log.jsonl"), "{problems:?}");
    }
}
