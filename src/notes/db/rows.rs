//! Notes and reviews to and from table rows. Categories and statuses are stored by their stable
//! ids (the same words as the CSV), the listening set-up and the field stamps as JSON.

use crate::notes::record::{Field, NoteRecord, Stamp};
use crate::notes::{Category, ListeningSetup, Note, NoteId, Status};
use crate::time::Frame;
use rusqlite::{Connection, Row, params};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The columns [`read_note`] reads, in its order.
pub const NOTE_COLUMNS: &str = "id, seq, deleted, frame, end_frame, text, category, author, \
     status, created_ms, edited_ms, setup, stamps";

/// What a review is, for people browsing notes across reviews.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewInfo {
    pub path: PathBuf,
    pub name: String,
    pub size: u64,
    /// Exact picture rate as a ratio, when known (for timecode labels without the media).
    pub rate: Option<(u32, u32)>,
    /// The label of frame 0 (`01:00:00:00`, `;` for drop-frame), when known.
    pub start_tc: Option<String>,
}

pub fn upsert_review(c: &Connection, key: &str, info: &ReviewInfo) -> rusqlite::Result<()> {
    c.execute(
        "INSERT INTO reviews (key, path, name, size, rate_num, rate_den, start_tc, opened_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(key) DO UPDATE SET path = ?2, name = ?3, size = ?4,
             rate_num = coalesce(?5, rate_num), rate_den = coalesce(?6, rate_den),
             start_tc = coalesce(?7, start_tc), opened_ms = ?8",
        params![
            key,
            info.path.display().to_string(),
            info.name,
            info.size as i64,
            info.rate.map(|r| r.0),
            info.rate.map(|r| r.1),
            info.start_tc,
            crate::time::now_ms()
        ],
    )?;
    Ok(())
}

pub fn write_note(c: &Connection, key: &str, r: &NoteRecord, seq: i64) -> rusqlite::Result<()> {
    let n = &r.note;
    let setup = n.setup.as_ref().and_then(|s| serde_json::to_string(s).ok());
    let stamps = serde_json::to_string(&r.stamps).unwrap_or_else(|_| "{}".into());
    c.prepare_cached(
        "INSERT INTO notes (id, review, seq, deleted, frame, end_frame, text, category, author,
             status, created_ms, edited_ms, setup, stamps)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         ON CONFLICT(id) DO UPDATE SET review = ?2, seq = ?3, deleted = ?4, frame = ?5,
             end_frame = ?6, text = ?7, category = ?8, author = ?9, status = ?10,
             created_ms = ?11, edited_ms = ?12, setup = ?13, stamps = ?14",
    )?
    .execute(params![
        n.id.to_string(),
        key,
        seq,
        r.deleted,
        n.frame.0 as i64,
        n.end_frame.map(|e| e.0 as i64),
        n.text,
        n.category.id(),
        n.author,
        n.status.id(),
        n.created_ms,
        n.edited_ms,
        setup,
        stamps
    ])?;
    Ok(())
}

/// A note row (columns as [`NOTE_COLUMNS`]) and its change number; `Err` says what is wrong
/// with it in words.
pub fn read_note(row: &Row<'_>) -> Result<(NoteRecord, i64), String> {
    let sql = |e: rusqlite::Error| e.to_string();
    let id: String = row.get(0).map_err(sql)?;
    let id: NoteId = id
        .parse()
        .map_err(|e| format!("note id {id:?} is not a UUID ({e})"))?;
    let category: String = row.get(6).map_err(sql)?;
    let status: String = row.get(8).map_err(sql)?;
    let setup: Option<String> = row.get(11).map_err(sql)?;
    let stamps: String = row.get(12).map_err(sql)?;
    let frame: i64 = row.get(3).map_err(sql)?;
    let end_frame: Option<i64> = row.get(4).map_err(sql)?;
    let note = Note {
        id,
        frame: Frame(frame.max(0) as u64),
        end_frame: end_frame.map(|e| Frame(e.max(0) as u64)),
        text: row.get(5).map_err(sql)?,
        category: Category::parse(&category).unwrap_or_default(),
        author: row.get(7).map_err(sql)?,
        status: Status::parse(&status).unwrap_or_default(),
        created_ms: row.get(9).map_err(sql)?,
        edited_ms: row.get(10).map_err(sql)?,
        // An unreadable set-up loses the set-up, not the note.
        setup: setup.and_then(|s| serde_json::from_str::<ListeningSetup>(&s).ok()),
    };
    let stamps: BTreeMap<Field, Stamp> = serde_json::from_str(&stamps).unwrap_or_default();
    let record = NoteRecord {
        note,
        deleted: row.get(2).map_err(sql)?,
        stamps,
    };
    Ok((record, row.get(1).map_err(sql)?))
}
