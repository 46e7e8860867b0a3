//! The notes database: every review's notes in one SQLite file in the data folder
//! (`<data>/notes/notes.sqlite3`), the only module that speaks SQL.
//!
//! Why SQLite and why one file: two processes (the window and `earmark notes import`, two
//! windows) write the same notes safely, each change is a transaction that is on the disk before
//! it is confirmed, an import is all or nothing, and one file answers questions across reviews
//! ("every open note on episode 104's three cuts").
//!
//! - WAL with `synchronous=FULL`: a commit is in the log and synced before it returns, so
//!   "saved" survives `kill -9` and a power cut; readers never wait for the writer.
//! - Writes take the write lock at their start (`BEGIN IMMEDIATE`) and wait up to ten seconds
//!   for another writer, so no change is refused because two processes met.
//! - Every write gives the row the next change number (`seq`, one counter for the file): a
//!   window asks "anything after the last number I saw?" to pick up other processes' changes.
//! - Deleted notes stay as tombstones (id, frame, times, who deleted) for merging; their words
//!   are blanked, `secure_delete` zeroes the freed bytes, and the log is checkpointed and
//!   truncated after a delete, so a deleted note's text does not linger in the files.
//! - A damaged file is set aside, never overwritten, and the notes still readable in it are
//!   copied into a new one ([`salvage`]).

mod migrate;
pub mod query;
mod rows;
mod salvage;
mod watch;

pub use migrate::LegacyMigration;
pub use rows::ReviewInfo;
pub use watch::{Watch, watch};

use super::record::NoteRecord;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::time::Duration;
use thiserror::Error;

/// The database's file name inside the notes folder.
pub const FILE: &str = "notes.sqlite3";
/// The layout this code writes (`PRAGMA user_version`).
const SCHEMA_VERSION: i64 = 1;
/// How long a write (or the watch's read) waits for another process's write to finish.
const BUSY_WAIT: Duration = Duration::from_secs(10);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS reviews (
    key        TEXT PRIMARY KEY,
    path       TEXT NOT NULL,
    name       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    rate_num   INTEGER,
    rate_den   INTEGER,
    start_tc   TEXT,
    opened_ms  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS notes (
    id         TEXT PRIMARY KEY,
    review     TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    frame      INTEGER NOT NULL,
    end_frame  INTEGER,
    text       TEXT NOT NULL,
    category   TEXT NOT NULL,
    author     TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    edited_ms  INTEGER NOT NULL,
    setup      TEXT,
    stamps     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_review ON notes(review, seq);
CREATE INDEX IF NOT EXISTS notes_by_seq ON notes(seq);
CREATE TABLE IF NOT EXISTS migrated (
    key        TEXT PRIMARY KEY,
    source     TEXT NOT NULL,
    notes      INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL
);
";

/// Why the notes database could not be used.
#[derive(Debug, Error)]
pub enum DbError {
    #[error("could not create the notes folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("notes database {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the notes database {path} was written by a newer Earmark (layout {found}; this one \
         knows {known}); it is left untouched"
    )]
    Newer {
        path: PathBuf,
        found: i64,
        known: i64,
    },
    #[error("could not set the damaged notes database {path} aside: {source}")]
    SetAside {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a note stored in {path} could not be read: {what}")]
    Row { path: PathBuf, what: String },
}

/// An open connection to the notes database.
pub struct NotesDb {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for NotesDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotesDb").field("path", &self.path).finish()
    }
}

/// What opening found wrong and mended (plain words naming the file; empty when all was well).
pub type Problems = Vec<String>;

impl NotesDb {
    /// Opens (creating) the database in the folder `root`. A damaged file is set aside and what
    /// can be read of it is kept; the returned problems say so.
    pub fn open(root: &Path) -> Result<(Self, Problems), DbError> {
        std::fs::create_dir_all(root).map_err(|source| DbError::Folder {
            path: root.to_path_buf(),
            source,
        })?;
        let path = root.join(FILE);
        match Self::open_checked(&path) {
            Ok(db) => Ok((db, Vec::new())),
            Err(DbError::Sqlite { source, .. }) if salvage::is_damage(&source) => {
                salvage::rebuild(&path, &source.to_string())
            }
            Err(e) => Err(e),
        }
    }

    /// Opens `path`, sets it up and checks it; damage comes back as a `Sqlite` error.
    fn open_checked(path: &Path) -> Result<Self, DbError> {
        let sql = |source| DbError::Sqlite {
            path: path.to_path_buf(),
            source,
        };
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(BUSY_WAIT).map_err(sql)?;
        let db = Self {
            conn,
            path: path.to_path_buf(),
        };
        db.configure()?;
        let found: i64 = db
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        if found > SCHEMA_VERSION {
            return Err(DbError::Newer {
                path: path.to_path_buf(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        let verdict: String = db
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(sql)?;
        if verdict != "ok" {
            return Err(sql(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                Some(verdict),
            )));
        }
        db.conn.execute_batch(SCHEMA).map_err(sql)?;
        db.conn
            .pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(sql)?;
        Ok(db)
    }

    fn configure(&self) -> Result<(), DbError> {
        let c = &self.conn;
        (|| {
            c.pragma_update(None, "journal_mode", "WAL")?;
            c.pragma_update(None, "synchronous", "FULL")?;
            c.pragma_update(None, "secure_delete", "ON")?;
            // The log shrinks back after each checkpoint instead of keeping old pages.
            c.pragma_update(None, "journal_size_limit", 0)?;
            Ok(())
        })()
        .map_err(|source| self.err(source))
    }

    fn err(&self, source: rusqlite::Error) -> DbError {
        DbError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records (or refreshes) what review `key` is: its file, and how its frames read as
    /// timecode when known.
    pub fn describe_review(&mut self, key: &str, info: &ReviewInfo) -> Result<(), DbError> {
        rows::upsert_review(&self.conn, key, info).map_err(|e| self.err(e))
    }

    /// Every note of review `key`, tombstones included, and the newest change number seen.
    pub fn load(&self, key: &str) -> Result<(Vec<NoteRecord>, i64), DbError> {
        self.changes_since(key, 0)
    }

    /// The notes of review `key` changed after change number `seq` (by anyone), and the
    /// newest change number among them (`seq` when none).
    pub fn changes_since(&self, key: &str, seq: i64) -> Result<(Vec<NoteRecord>, i64), DbError> {
        let found = select_notes(
            &self.conn,
            &self.path,
            "review = ?1 AND seq > ?2 ORDER BY seq",
            params![key, seq],
        )?;
        let newest = found.iter().map(|(_, s)| *s).fold(seq, i64::max);
        Ok((found.into_iter().map(|(r, _)| r).collect(), newest))
    }

    /// A number that changes whenever another connection (another process, another window)
    /// commits a change; cheap to ask many times a second.
    pub fn data_version(&self) -> Result<i64, DbError> {
        self.conn
            .pragma_query_value(None, "data_version", |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    /// Runs `f` as one transaction that holds the write lock from its start: everything it
    /// writes is on the disk when this returns `Ok`, or none of it is.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let path = self.path.clone();
        let sql = |source| DbError::Sqlite {
            path: path.clone(),
            source,
        };
        let (out, deleted_any) = {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(sql)?;
            let next_seq: i64 = tx
                .query_row("SELECT coalesce(max(seq), 0) + 1 FROM notes", [], |r| {
                    r.get(0)
                })
                .map_err(sql)?;
            let mut w = Writer {
                tx,
                next_seq,
                path: path.clone(),
                deleted_any: false,
            };
            let out = f(&mut w)?;
            let Writer {
                tx, deleted_any, ..
            } = w;
            tx.commit().map_err(sql)?;
            (out, deleted_any)
        };
        if deleted_any {
            // Best effort: another process reading may hold the log; a later delete retries.
            let _ = self
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        Ok(out)
    }

    /// Whether review `key`'s old journal has been brought in.
    fn migrated(&self, key: &str) -> Result<bool, DbError> {
        self.conn
            .query_row("SELECT 1 FROM migrated WHERE key = ?1", [key], |_| Ok(()))
            .optional()
            .map(|r| r.is_some())
            .map_err(|e| self.err(e))
    }

    /// Runs a query across reviews (see [`query`]).
    pub fn query(&self, q: &query::NoteQuery) -> Result<Vec<query::Found>, DbError> {
        query::run(&self.conn, q).map_err(|e| self.err(e))
    }
}

/// One write transaction (see [`NotesDb::write`]).
pub struct Writer<'a> {
    tx: rusqlite::Transaction<'a>,
    next_seq: i64,
    path: PathBuf,
    deleted_any: bool,
}

impl Writer<'_> {
    fn err(&self, source: rusqlite::Error) -> DbError {
        DbError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The stored record of note `id` (tombstones too), as it is now.
    pub fn get(&self, id: super::NoteId) -> Result<Option<NoteRecord>, DbError> {
        let found = select_notes(&self.tx, &self.path, "id = ?1", [id.to_string()])?;
        Ok(found.into_iter().next().map(|(r, _)| r))
    }

    /// Stores `record` under review `key` with the next change number.
    pub fn put(&mut self, key: &str, record: &NoteRecord) -> Result<(), DbError> {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.deleted_any |= record.deleted;
        rows::write_note(&self.tx, key, record, seq).map_err(|e| self.err(e))
    }

    /// Every note of review `key` as it is now (tombstones too).
    pub fn all(&self, key: &str) -> Result<Vec<NoteRecord>, DbError> {
        let found = select_notes(&self.tx, &self.path, "review = ?1", [key])?;
        Ok(found.into_iter().map(|(r, _)| r).collect())
    }

    /// Notes that review `key`'s old journal was brought in (`count` notes from `source`).
    fn mark_migrated(&mut self, key: &str, source: &Path, count: usize) -> Result<(), DbError> {
        self.tx
            .execute(
                "INSERT OR REPLACE INTO migrated (key, source, notes, at_ms) VALUES (?1, ?2, ?3, ?4)",
                params![
                    key,
                    source.display().to_string(),
                    count as i64,
                    crate::time::now_ms()
                ],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Stores `record` unless a note with its id is already there (migration runs at most once
    /// per note, even if two processes start it together or a rebuilt file starts it again).
    fn put_new(&mut self, key: &str, record: &NoteRecord) -> Result<bool, DbError> {
        if self.get(record.id())?.is_some() {
            return Ok(false);
        }
        self.put(key, record)?;
        Ok(true)
    }
}

/// The note rows matching `filter` (an SQL condition on `notes`, then any ordering), each with
/// its change number; a row that cannot be read fails the whole read, naming the file.
fn select_notes(
    conn: &Connection,
    path: &Path,
    filter: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<(NoteRecord, i64)>, DbError> {
    let sql = |source| DbError::Sqlite {
        path: path.to_path_buf(),
        source,
    };
    let mut stmt = conn
        .prepare_cached(&format!(
            "SELECT {} FROM notes WHERE {filter}",
            rows::NOTE_COLUMNS
        ))
        .map_err(sql)?;
    let mut out = Vec::new();
    let mut it = stmt.query(args).map_err(sql)?;
    while let Some(row) = it.next().map_err(sql)? {
        out.push(rows::read_note(row).map_err(|what| DbError::Row {
            path: path.to_path_buf(),
            what,
        })?);
    }
    Ok(out)
}
