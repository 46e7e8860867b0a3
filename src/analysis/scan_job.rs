//! The whole-file loudness scan as a background job for the window: runs on its own thread
//! with progress, is cancelled when another file opens (dropping the job cancels and waits), and
//! keeps results in a per-content cache so reopening a file shows its numbers at once.
//!
//! The cache key is the file's content key (`persist::content_key`, a content id salted with the
//! scan's version): content, not name or date, so a copied or renamed file hits and a re-export
//! misses, and a 20 GB file is keyed in milliseconds. Entries are JSON under the user cache
//! directory, `…/earmark/loudness/<key>.json` (`persist::loudness_cache_dir`), written
//! atomically. Key and folder live in `persist` so content security can find the entries
//! without reaching up into this module.

use super::loudness_scan::{LoudnessScan, ScanError, ScanOptions, scan_file_with};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::persist::content_key;

/// Where a job stands.
#[derive(Clone, Debug)]
pub enum ScanState {
    /// Measuring; permille done.
    Running(u32),
    Done(Arc<LoudnessScan>),
    /// The file has no sound: nothing to measure, and nothing wrong.
    NoSound,
    Failed(String),
}

/// What a finished scan left: the measurement, or why there is none (`None`: no sound).
type ScanOutcome = Result<Arc<LoudnessScan>, Option<String>>;

/// A scan in the background.
pub struct ScanJob {
    progress: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
    result: Arc<Mutex<Option<ScanOutcome>>>,
    thread: Option<JoinHandle<()>>,
    /// Served from the cache.
    pub cached: bool,
}

impl ScanJob {
    /// Starts scanning `path` (or takes the cached result), using `cache_dir` when given.
    pub fn start(path: &Path, cache_dir: Option<PathBuf>) -> Self {
        Self::start_with(path, cache_dir, ScanOptions::default())
    }

    /// Starts scanning the sound `options` name (a track, a pair, a fold-down); each choice
    /// is cached apart.
    pub fn start_with(path: &Path, cache_dir: Option<PathBuf>, options: ScanOptions) -> Self {
        let progress = Arc::new(AtomicU32::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let result = Arc::new(Mutex::new(None));
        let key = content_key(path).ok();
        let suffix = match (options.audio, options.fold_down) {
            (crate::audio::AudioChoice::Auto, None) => String::new(),
            (a, f) => format!("-{a}-{}", f.map_or("own", |f| f.id())).replace('+', "p"),
        };
        let entry = match (&cache_dir, &key) {
            (Some(d), Some(k)) => Some(d.join(format!("{k}{suffix}.json"))),
            _ => None,
        };
        if let Some(hit) = entry.as_deref().and_then(read_entry) {
            progress.store(1000, Ordering::Relaxed);
            *result.lock().unwrap_or_else(|p| p.into_inner()) = Some(Ok(Arc::new(hit)));
            return Self {
                progress,
                cancel,
                result,
                thread: None,
                cached: true,
            };
        }
        let (p, c, r) = (progress.clone(), cancel.clone(), result.clone());
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("loudness-scan".into())
            .spawn(move || {
                let outcome = scan_file_with(&path, options, &p, &c);
                let value = match outcome {
                    Ok(scan) => {
                        if let Some(e) = &entry {
                            // A cache that cannot be written only costs a rescan next time.
                            let _ = write_entry(e, &scan);
                        }
                        Ok(Arc::new(scan))
                    }
                    Err(ScanError::Cancelled(_)) => return,
                    Err(ScanError::Audio(crate::audio::AudioError::NoAudio(_))) => Err(None),
                    Err(e) => Err(Some(e.to_string())),
                };
                *r.lock().unwrap_or_else(|p| p.into_inner()) = Some(value);
            });
        let thread = match thread {
            Ok(t) => Some(t),
            Err(e) => {
                *result.lock().unwrap_or_else(|p| p.into_inner()) =
                    Some(Err(Some(format!("could not start the loudness scan: {e}"))));
                None
            }
        };
        Self {
            progress,
            cancel,
            result,
            thread,
            cached: false,
        }
    }

    pub fn state(&self) -> ScanState {
        match &*self.result.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(Ok(s)) => ScanState::Done(s.clone()),
            Some(Err(Some(e))) => ScanState::Failed(e.clone()),
            Some(Err(None)) => ScanState::NoSound,
            None => ScanState::Running(self.progress.load(Ordering::Relaxed)),
        }
    }
}

impl Drop for ScanJob {
    fn drop(&mut self) {
        self.cancel.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn read_entry(path: &Path) -> Option<LoudnessScan> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

fn write_entry(path: &Path, scan: &LoudnessScan) -> std::io::Result<()> {
    crate::persist::write_atomic(path, &serde_json::to_vec(scan)?)
}
