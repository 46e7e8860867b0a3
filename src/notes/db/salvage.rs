//! A damaged notes database: set aside (never overwritten, never deleted), a new one made, and
//! every note and review that can still be read copied across, row by row, so one bad page
//! costs the notes on that page and not the rest.

use super::{DbError, NotesDb, Problems, rows};
use rusqlite::{Connection, OpenFlags, ffi::ErrorCode};
use std::path::{Path, PathBuf};

/// Whether `e` says the file is damaged or not a database at all (as opposed to busy, full or
/// unreadable, which setting it aside would not mend).
pub fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase)
    )
}

/// Sets `path` aside, makes a new database there and copies in what can be read; the problems
/// name both files and count what was kept and lost.
pub fn rebuild(path: &Path, why: &str) -> Result<(NotesDb, Problems), DbError> {
    let aside = aside_name(path);
    std::fs::rename(path, &aside).map_err(|source| DbError::SetAside {
        path: path.to_path_buf(),
        source,
    })?;
    // The log and its index belong to the damaged file; moved with it so the new file does not
    // replay them.
    for ext in ["-wal", "-shm"] {
        let from = with_suffix(path, ext);
        if from.exists() {
            let _ = std::fs::rename(&from, with_suffix(&aside, ext));
        }
    }
    let mut db = NotesDb::open_checked(path)?;
    let (kept, lost) = copy_readable(&aside, &mut db);
    let mut problem = format!(
        "The notes database {} was damaged ({}). It was set aside as {} and a new one made; \
         {kept} notes could be read and were kept",
        path.display(),
        why.split_whitespace().collect::<Vec<_>>().join(" "),
        aside.display()
    );
    if lost > 0 {
        problem.push_str(&format!(
            ", {lost} could not be read (the damaged file is kept)"
        ));
    }
    problem.push('.');
    Ok((db, vec![problem]))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn aside_name(path: &Path) -> PathBuf {
    let stamp = crate::time::now_ms();
    let mut n = 0;
    loop {
        let candidate = with_suffix(path, &format!(".damaged-{stamp}{}", suffix(n)));
        if !candidate.exists() {
            return candidate;
        }
        n += 1;
    }
}

fn suffix(n: u32) -> String {
    if n == 0 {
        String::new()
    } else {
        format!("-{n}")
    }
}

/// Copies every readable review and note row of the file at `from` into `db`; returns how many
/// notes were kept and how many rows could not be read.
fn copy_readable(from: &Path, db: &mut NotesDb) -> (usize, usize) {
    let Ok(old) = Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY) else {
        return (0, 0);
    };
    // Row numbers are looked up one at a time: a scan stops at the first bad page, a lookup
    // by number only fails for the rows on it.
    let last = |table: &str| -> i64 {
        old.query_row(&format!("SELECT max(rowid) FROM {table}"), [], |r| {
            r.get::<_, Option<i64>>(0)
        })
        .ok()
        .flatten()
        .unwrap_or(0)
    };
    let (mut kept, mut lost) = (0usize, 0usize);
    let last_review = last("reviews");
    for rowid in 1..=last_review {
        let row = old.query_row(
            "SELECT key, path, name, size, rate_num, rate_den, start_tc FROM reviews WHERE rowid = ?1",
            [rowid],
            |r| {
                let num: Option<u32> = r.get(4)?;
                let den: Option<u32> = r.get(5)?;
                Ok((
                    r.get::<_, String>(0)?,
                    rows::ReviewInfo {
                        path: PathBuf::from(r.get::<_, String>(1)?),
                        name: r.get(2)?,
                        size: r.get::<_, i64>(3)?.max(0) as u64,
                        rate: num.zip(den),
                        start_tc: r.get(6)?,
                    },
                ))
            },
        );
        if let Ok((key, info)) = row {
            let _ = db.describe_review(&key, &info);
        }
    }
    let last_note = last("notes");
    let sql = format!(
        "SELECT {}, review FROM notes WHERE rowid = ?1",
        rows::NOTE_COLUMNS
    );
    let mut found = Vec::new();
    for rowid in 1..=last_note {
        match old.query_row(&sql, [rowid], |r| {
            Ok((rows::read_note(r), r.get::<_, String>(13)?))
        }) {
            Ok((Ok((record, _)), review)) => found.push((review, record)),
            Ok((Err(_), _)) => lost += 1,
            Err(rusqlite::Error::QueryReturnedNoRows) => {}
            Err(_) => lost += 1,
        }
    }
    let written = db.write(|w| {
        let mut n = 0;
        for (review, record) in &found {
            if w.put_new(review, record)? && !record.deleted {
                n += 1;
            }
        }
        Ok(n)
    });
    match written {
        Ok(n) => kept += n,
        Err(_) => lost += found.len(),
    }
    (kept, lost)
}
