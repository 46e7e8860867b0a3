//! Notes store benchmark (`make bench`): 10,000 notes across 50 reviews, in the notes database
//! (SQLite, what Earmark uses) and in the append-only journal per review it replaced (the peer,
//! `persist::Journal`, measured the same way in the same run, on the same disk).
//! - add: every note saved one by one, as typed notes are (each on the disk before the next);
//! - keystroke: one note edited a character at a time, 500 times; time until "saved" (the
//!   change on the disk), median, p95 and worst;
//! - open one review (its 200 notes) and list across reviews (every open note of all 50, and a
//!   text search); the journal has no cross-review index, so its list opens all 50 journals.
//!
//! The folder is under `target/` (a real disk, as the data folder is), not a RAM disk.

use earmark::notes::db::NotesDb;
use earmark::notes::db::query::NoteQuery;
use earmark::notes::{Note, NoteStore};
use earmark::persist::Journal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const REVIEWS: usize = 50;
const PER_REVIEW: usize = 200;
const KEYSTROKES: usize = 500;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Spread {
    median: f64,
    p95: f64,
    worst: f64,
}

fn spread(mut v: Vec<Duration>) -> Spread {
    v.sort();
    let at = |q: f64| ms(v[((v.len() - 1) as f64 * q).round() as usize]);
    Spread {
        median: at(0.5),
        p95: at(0.95),
        worst: at(1.0),
    }
}

fn note(i: usize) -> Note {
    let mut n = Note::new(
        earmark::time::Frame(i as u64 * 7),
        format!("note {i}: dialogue under the music — 台詞"),
    );
    n.author = "Ada".into();
    n
}

/// 50 small files of different content: each its own review.
fn media(dir: &Path) -> Vec<PathBuf> {
    (0..REVIEWS)
        .map(|r| {
            let p = dir.join(format!("ep{r:03}.mov"));
            std::fs::write(&p, format!("review file {r} ").repeat(100)).expect("media");
            p
        })
        .collect()
}

struct Results {
    add_total: Duration,
    add: Spread,
    key: Spread,
    open_one: Duration,
    list_open: Duration,
    list_text: Duration,
}

fn sqlite(dir: &Path, files: &[PathBuf]) -> Results {
    let root = dir.join("db");
    let mut add = Vec::new();
    let started = Instant::now();
    for (r, m) in files.iter().enumerate() {
        let mut o = NoteStore::open(&root, m).expect("open");
        for i in 0..PER_REVIEW {
            let n = note(r * PER_REVIEW + i);
            let t = Instant::now();
            o.store.save(&n).expect("save");
            add.push(t.elapsed());
        }
    }
    let add_total = started.elapsed();
    let mut o = NoteStore::open(&root, &files[0]).expect("open");
    let mut n = o.notes.iter().next().expect("note").clone();
    let mut key = Vec::new();
    for k in 0..KEYSTROKES {
        n.text.push(char::from(b'a' + (k % 26) as u8));
        let t = Instant::now();
        o.store.save(&n).expect("keystroke");
        key.push(t.elapsed());
    }
    let t = Instant::now();
    let one = NoteStore::open(&root, &files[1]).expect("open one");
    let open_one = t.elapsed();
    assert_eq!(one.notes.len(), PER_REVIEW);
    let (db, _) = NotesDb::open(&root).expect("db");
    let t = Instant::now();
    let open = db
        .query(&NoteQuery {
            status: Some("open".into()),
            ..NoteQuery::default()
        })
        .expect("query");
    let list_open = t.elapsed();
    assert_eq!(open.len(), REVIEWS * PER_REVIEW);
    let t = Instant::now();
    let found = db
        .query(&NoteQuery {
            text: Some("note 4242:".into()),
            ..NoteQuery::default()
        })
        .expect("query");
    let list_text = t.elapsed();
    assert_eq!(found.len(), 1);
    Results {
        add_total,
        add: spread(add),
        key: spread(key),
        open_one,
        list_open,
        list_text,
    }
}

fn journal(dir: &Path) -> Results {
    let root = dir.join("journal");
    let mut add = Vec::new();
    let started = Instant::now();
    for r in 0..REVIEWS {
        let (mut j, _) = Journal::<Note>::open(&root.join(r.to_string())).expect("open");
        for i in 0..PER_REVIEW {
            let n = note(r * PER_REVIEW + i);
            let t = Instant::now();
            j.put(i as u64, &n).expect("put");
            add.push(t.elapsed());
        }
    }
    let add_total = started.elapsed();
    let (mut j, rec) = Journal::<Note>::open(&root.join("0")).expect("open");
    let mut n = rec.records.get(&0).expect("note").clone();
    let mut key = Vec::new();
    for k in 0..KEYSTROKES {
        n.text.push(char::from(b'a' + (k % 26) as u8));
        let t = Instant::now();
        j.put(0, &n).expect("keystroke");
        key.push(t.elapsed());
    }
    let t = Instant::now();
    let (_, one) = Journal::<Note>::open(&root.join("1")).expect("open one");
    let open_one = t.elapsed();
    assert_eq!(one.records.len(), PER_REVIEW);
    let all = |keep: &dyn Fn(&Note) -> bool| -> usize {
        (0..REVIEWS)
            .map(|r| {
                let (_, rec) = Journal::<Note>::open(&root.join(r.to_string())).expect("open");
                rec.records.values().filter(|n| keep(n)).count()
            })
            .sum()
    };
    let t = Instant::now();
    assert_eq!(
        all(&|n| n.status == earmark::notes::Status::Open),
        REVIEWS * PER_REVIEW
    );
    let list_open = t.elapsed();
    let t = Instant::now();
    assert_eq!(all(&|n| n.text.contains("note 4242:")), 1);
    let list_text = t.elapsed();
    Results {
        add_total,
        add: spread(add),
        key: spread(key),
        open_one,
        list_open,
        list_text,
    }
}

fn main() {
    std::fs::create_dir_all("target").expect("target folder");
    let dir = tempfile::tempdir_in("target").expect("temp dir");
    let files = media(dir.path());
    let db = sqlite(dir.path(), &files);
    let j = journal(dir.path());
    println!(
        "notes store, {} notes across {REVIEWS} reviews, on the disk under target/",
        REVIEWS * PER_REVIEW
    );
    println!(
        "{:<44} {:>14} {:>14} {:>8}",
        "", "SQLite", "journal", "ratio"
    );
    let row = |what: &str, a: f64, b: f64| {
        println!("{what:<44} {a:>11.3} ms {b:>11.3} ms {:>7.2}x", a / b);
    };
    row(
        "add 10,000, one save each (total)",
        ms(db.add_total),
        ms(j.add_total),
    );
    row("add, one save: median", db.add.median, j.add.median);
    row("add, one save: p95", db.add.p95, j.add.p95);
    row("keystroke to saved: median", db.key.median, j.key.median);
    row("keystroke to saved: p95", db.key.p95, j.key.p95);
    row("keystroke to saved: worst", db.key.worst, j.key.worst);
    row(
        "open one review (200 notes)",
        ms(db.open_one),
        ms(j.open_one),
    );
    row(
        "list every open note of 50 reviews",
        ms(db.list_open),
        ms(j.list_open),
    );
    row(
        "find one note by text across 50 reviews",
        ms(db.list_text),
        ms(j.list_text),
    );
    println!(
        "(ratio: SQLite / journal; below 1 is faster. Target: keystroke p95 under 16 ms, one frame)"
    );
}
