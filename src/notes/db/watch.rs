//! Wakes a window when another process changes the notes database, so an idle window (which
//! draws nothing until something happens) shows an import or another window's note within a
//! second, without drawing four times a second to look.
//!
//! A thread ("notes-watch") with a read-only connection of its own asks SQLite's
//! `data_version` four times a second: it changes whenever any other connection commits.

use super::{BUSY_WAIT, DbError};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

const EVERY: Duration = Duration::from_millis(250);

/// The running watch; dropping it stops the thread.
pub struct Watch {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Watch")
    }
}

/// Calls `wake` whenever the database at `path` changes (from any connection but the watch's).
pub fn watch(path: &Path, wake: Box<dyn Fn() + Send>) -> Result<Watch, DbError> {
    let sql = |source| DbError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql)?;
    conn.busy_timeout(BUSY_WAIT).map_err(sql)?;
    let version = |c: &Connection| -> Option<i64> {
        c.pragma_query_value(None, "data_version", |r| r.get(0))
            .ok()
    };
    let mut last = version(&conn);
    let stop = Arc::new(AtomicBool::new(false));
    let stopped = Arc::clone(&stop);
    let thread = std::thread::Builder::new()
        .name("notes-watch".into())
        .spawn(move || {
            while !stopped.load(Ordering::Acquire) {
                std::thread::park_timeout(EVERY);
                let now = version(&conn);
                if now != last {
                    last = now;
                    wake();
                }
            }
        })
        .map_err(|source| DbError::Folder {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(Watch {
        stop,
        thread: Some(thread),
    })
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            let _ = t.join();
        }
    }
}
