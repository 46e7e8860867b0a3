//! Notes across reviews: "every open note on episode 104's three cuts", "what did Ada say about
//! dialogue". Filters combine (all must hold); text matches ignore case for Latin letters and
//! match any script exactly.

use super::rows::{self, ReviewInfo};
use crate::notes::Note;
use crate::notes::record::NoteRecord;
use rusqlite::{Connection, params_from_iter, types::Value};
use std::path::PathBuf;

/// What to look for; `None` fields do not filter.
#[derive(Clone, Debug, Default)]
pub struct NoteQuery {
    /// Only this review (its content key).
    pub review: Option<String>,
    /// Part of the review file's name or path.
    pub file: Option<String>,
    /// Stable status id (`open`, `addressed`).
    pub status: Option<String>,
    /// Stable category id (`dialogue`, `mix-balance` …).
    pub category: Option<String>,
    /// Part of the author's name.
    pub author: Option<String>,
    /// Part of the note's text.
    pub text: Option<String>,
}

/// One note found, with the review it belongs to.
#[derive(Clone, Debug)]
pub struct Found {
    pub review_key: String,
    pub review: ReviewInfo,
    pub note: Note,
}

/// `LIKE` pattern for "contains `s`" (its own wildcards taken literally).
fn contains(s: &str) -> Value {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    Value::Text(format!("%{escaped}%"))
}

pub fn run(c: &Connection, q: &NoteQuery) -> rusqlite::Result<Vec<Found>> {
    let mut sql = format!(
        "SELECT {}, r.key, r.path, r.name, r.size, r.rate_num, r.rate_den, r.start_tc
         FROM notes JOIN reviews r ON r.key = notes.review WHERE notes.deleted = 0",
        prefixed(rows::NOTE_COLUMNS)
    );
    let mut args: Vec<Value> = Vec::new();
    let mut add = |clause: &str, v: Value| {
        args.push(v);
        sql.push_str(&format!(
            " AND {clause}",
            clause = clause.replace('?', &format!("?{}", args.len()))
        ));
    };
    if let Some(r) = &q.review {
        add("r.key = ?", Value::Text(r.clone()));
    }
    if let Some(f) = &q.file {
        add("(r.path LIKE ? ESCAPE '\\')", contains(f));
    }
    if let Some(s) = &q.status {
        add("notes.status = ?", Value::Text(s.clone()));
    }
    if let Some(c) = &q.category {
        add("notes.category = ?", Value::Text(c.clone()));
    }
    if let Some(a) = &q.author {
        add("notes.author LIKE ? ESCAPE '\\'", contains(a));
    }
    if let Some(t) = &q.text {
        add("notes.text LIKE ? ESCAPE '\\'", contains(t));
    }
    sql.push_str(" ORDER BY r.name, r.key, notes.frame, notes.id");
    let mut stmt = c.prepare(&sql)?;
    let mut it = stmt.query(params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(row) = it.next()? {
        // A row that cannot be read is skipped here; opening its review reports it.
        let Ok((NoteRecord { note, .. }, _)) = rows::read_note(row) else {
            continue;
        };
        let num: Option<u32> = row.get(17)?;
        let den: Option<u32> = row.get(18)?;
        out.push(Found {
            review_key: row.get(13)?,
            review: ReviewInfo {
                path: PathBuf::from(row.get::<_, String>(14)?),
                name: row.get(15)?,
                size: row.get::<_, i64>(16)?.max(0) as u64,
                rate: num.zip(den),
                start_tc: row.get(19)?,
            },
            note,
        });
    }
    Ok(out)
}

/// `a, b` → `notes.a, notes.b` (the review table has columns of the same names).
fn prefixed(columns: &str) -> String {
    columns
        .split(',')
        .map(|c| format!("notes.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}
