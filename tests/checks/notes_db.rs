//! Notes kept in the notes database, tried as users would hit it with more than one writer: the
//! review open (the session the window drives) while `earmark notes import` runs in another
//! process, two imports at once, two processes editing one note, a crash in the middle of an
//! import, an old journal brought in, a damaged database, deleted words gone from the files,
//! and a search across reviews. Names and notes in several scripts throughout.

use crate::common;
use crate::notes_cli::{earmark, ok};

use common::fixture;
use earmark::notes::{Category, NoteStore, Status};
use earmark::player::PlayerOptions;
use earmark::review::{Intent, Review, ReviewOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// 1280x720 24 fps, 120 frames from 00:59:59:00.
const FILE: &str = "f24_720_g12_nob.mov";

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// The binary with the folders of `home`, not yet started.
fn command(home: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_earmark"));
    c.args(args)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Where the binary keeps notes under `home` (the window in these tests uses the same).
fn notes_root(home: &Path) -> PathBuf {
    home.join("data/earmark/notes")
}

/// A copy of `fixture` named `name` in `home` (the notes follow content, so a copy of the same
/// fixture shares its notes; different fixtures do not).
fn media(home: &Path, fixture_name: &str, name: &str) -> PathBuf {
    let to = home.join(name);
    std::fs::copy(fixture(fixture_name), &to).expect("copy fixture");
    to
}

/// The label of frame `n` of FILE (24 fps, from 00:59:59:00).
fn tc(n: u64) -> String {
    let total = 3599 * 24 + n % 120;
    let (h, m, sec, f) = (
        total / 86_400,
        total / 1_440 % 60,
        total / 24 % 60,
        total % 24,
    );
    format!("{h:02}:{m:02}:{sec:02}:{f:02}")
}

/// A CSV of `count` notes saying `"{tag} {i}"`, by an author whose name is not Latin.
fn csv(home: &Path, name: &str, tag: &str, count: u64) -> PathBuf {
    let mut text = String::from("timecode,last_timecode,category,author,text\n");
    for i in 0..count {
        text.push_str(&format!("{},,music,Łucja Ōtani,{tag} {i}\n", tc(i)));
    }
    let p = home.join(name);
    std::fs::write(&p, text).expect("csv");
    p
}

/// `notes list --json` of `args`, parsed.
fn listed(home: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["notes", "list", "--json"];
    all.extend_from_slice(args);
    let v: Value = serde_json::from_str(&ok(&earmark(home, &all))).expect("JSON");
    v.as_array().expect("array").clone()
}

fn texts(notes: &[Value]) -> Vec<String> {
    notes
        .iter()
        .map(|n| n["text"].as_str().expect("text").to_owned())
        .collect()
}

/// The review of `file` as the window opens it (picture only), its notes in `home`.
fn open_review(home: &Path, file: &Path, editor: &str) -> Review {
    let options = ReviewOptions {
        player: PlayerOptions {
            no_audio: true,
            ..PlayerOptions::default()
        },
        notes_root: Some(notes_root(home)),
        editor: editor.into(),
        ..ReviewOptions::default()
    };
    let (review, problem) = Review::open(file, options).expect("open review");
    assert_eq!(problem, None);
    review
}

fn add(review: &mut Review, text: &str) {
    review.apply(Intent::AddNote {
        text: text.into(),
        author: "Ада".into(),
        setup: None,
        category: Some(Category::Dialogue),
    });
}

#[test]
fn the_open_review_and_an_import_in_another_process_keep_both_sets() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let file = media(h, FILE, "ep104.mov");
    let mut review = open_review(h, &file, "Ада");
    let import = csv(h, "import.csv", "imported", 1500);

    // Notes typed in the window while the import runs.
    let mut child = command(h, &["notes", "import", s(&file), s(&import)])
        .spawn()
        .expect("start import");
    let mut typed = 0;
    while child.try_wait().expect("import state").is_none() || typed < 20 {
        add(&mut review, &format!("typed {typed} — 台詞"));
        typed += 1;
        review.refresh(Instant::now());
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().expect("import ends");
    ok(&out);
    let finished = Instant::now();

    // The review sees the import within a second, without reopening.
    let want = 1500 + typed;
    while review.notes().len() < want {
        assert!(
            finished.elapsed() < Duration::from_secs(1),
            "after a second the review shows {} of {want} notes",
            review.notes().len()
        );
        review.refresh(Instant::now());
        std::thread::sleep(Duration::from_millis(10));
    }
    println!(
        "{typed} typed during the import; the review showed all {want} {} ms after it ended",
        finished.elapsed().as_millis()
    );
    assert_eq!(review.notes().len(), want, "none twice");
    assert_eq!(review.save_state(), earmark::review::SaveState::Saved);

    // And the other process sees every note of both.
    let all = listed(h, &[s(&file)]);
    assert_eq!(all.len(), want);
    let t = texts(&all);
    for i in 0..typed {
        assert!(
            t.contains(&format!("typed {i} — 台詞")),
            "typed {i} missing"
        );
    }
    for i in [0, 749, 1499] {
        assert!(t.contains(&format!("imported {i}")), "imported {i} missing");
    }
    let ids: std::collections::BTreeSet<&str> =
        all.iter().map(|n| n["id"].as_str().expect("id")).collect();
    assert_eq!(ids.len(), want, "every note has its own id");
}

#[test]
fn two_imports_at_once_keep_all_three_thousand() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let file = media(h, FILE, "ep104.mov");
    let a = csv(h, "a.csv", "first", 1500);
    let b = csv(h, "b.csv", "second", 1500);
    let first = command(h, &["notes", "import", s(&file), s(&a)])
        .spawn()
        .expect("start a");
    std::thread::sleep(Duration::from_millis(50));
    let second = command(h, &["notes", "import", s(&file), s(&b)])
        .spawn()
        .expect("start b");
    for child in [first, second] {
        let out = child.wait_with_output().expect("import ends");
        let said = ok(&out);
        assert!(said.contains("imported 1500 notes"), "{said}");
    }
    let all = listed(h, &[s(&file)]);
    assert_eq!(all.len(), 3000, "both imports whole");
}

#[test]
fn two_processes_editing_one_note_keep_both_changes() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let file = media(h, FILE, "ep104.mov");
    let mut review = open_review(h, &file, "Ада");
    add(&mut review, "hiss under the line");
    let id = review.notes().iter().next().expect("note").id;

    // Another process marks it addressed while the window edits its text.
    ok(&earmark(
        h,
        &[
            "notes",
            "edit",
            s(&file),
            &id.to_string(),
            "--status",
            "addressed",
        ],
    ));
    if let Some(n) = review.edit_notes().get_mut(id) {
        n.text = "hiss under the line — ещё слышно".into();
    }
    review.apply(Intent::NoteEdited(id));
    let n = review.notes().get(id).expect("note").clone();
    assert_eq!(n.text, "hiss under the line — ещё слышно");
    assert_eq!(
        n.status,
        Status::Addressed,
        "the other process's status is kept"
    );
    let stored = listed(h, &[s(&file)]);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0]["status"], "addressed");
    assert_eq!(stored[0]["text"], "hiss under the line — ещё слышно");

    // The same field from both: the later edit wins, everywhere.
    ok(&earmark(
        h,
        &[
            "notes",
            "edit",
            s(&file),
            &id.to_string(),
            "--text",
            "later, from the shell",
        ],
    ));
    let deadline = Instant::now() + Duration::from_secs(1);
    while review.notes().get(id).map(|n| n.text.as_str()) != Some("later, from the shell") {
        assert!(
            Instant::now() < deadline,
            "the window never showed the later text"
        );
        review.refresh(Instant::now());
        std::thread::sleep(Duration::from_millis(10));
    }

    // Two processes editing different fields of it over and over, at the same time.
    let id = id.to_string();
    let spawn = |field: &str, value: &str| {
        command(h, &["notes", "edit", s(&file), &id, field, value])
            .spawn()
            .expect("edit")
    };
    for round in 0..10 {
        let a = spawn("--text", &format!("text {round}"));
        let b = spawn(
            "--category",
            if round % 2 == 0 { "music" } else { "effects" },
        );
        for c in [a, b] {
            let out = c.wait_with_output().expect("edit ends");
            ok(&out);
        }
    }
    let stored = listed(h, &[s(&file)]);
    assert_eq!(stored[0]["text"], "text 9");
    assert_eq!(stored[0]["category"], "effects");
    assert_eq!(stored[0]["status"], "addressed");
}

#[test]
fn a_crash_in_the_middle_of_an_import_leaves_none_of_it() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let file = media(h, FILE, "ep104.mov");
    let before = csv(h, "before.csv", "already there", 3);
    ok(&earmark(h, &["notes", "import", s(&file), s(&before)]));
    let big = csv(h, "big.csv", "half way", 1500);
    for replace in [false, true] {
        let mut args = vec!["notes", "import", s(&file), s(&big)];
        if replace {
            args.push("--replace");
        }
        let out = command(h, &args)
            .env("EARMARK_FAULT_ABORT_IMPORT_AFTER", "700")
            .output()
            .expect("run");
        assert!(!out.status.success(), "the import was meant to die");
        let all = listed(h, &[s(&file)]);
        assert_eq!(
            texts(&all),
            vec!["already there 0", "already there 1", "already there 2"],
            "a dead import (replace: {replace}) left nothing of itself"
        );
    }
    // The same file imports whole afterwards.
    ok(&earmark(h, &["notes", "import", s(&file), s(&big)]));
    assert_eq!(listed(h, &[s(&file)]).len(), 1503);
}

#[test]
fn a_journal_from_the_previous_version_is_brought_in_once() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let file = media(h, FILE, "old review.mov");
    let key = NoteStore::review_key(&file).expect("key");
    let dir = notes_root(h).join(&key);
    std::fs::create_dir_all(&dir).expect("old folder");
    let journal = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy-notes/journal.jsonl"),
    )
    .expect("fixture");
    // A line damaged on the disk, between good ones.
    let mut lines: Vec<&str> = journal.lines().collect();
    lines.insert(3, "{\"op\":\"put\",\"id\":9,\"record\":{\"id\":9,\"fra");
    std::fs::write(dir.join("journal.jsonl"), lines.join("\n") + "\n").expect("journal");

    // Two processes open it at once: each note arrives once.
    let a = command(h, &["notes", "list", "--json", s(&file)])
        .spawn()
        .expect("a");
    let b = command(h, &["notes", "list", "--json", s(&file)])
        .spawn()
        .expect("b");
    let mut told = String::new();
    for c in [a, b] {
        let out = c.wait_with_output().expect("list ends");
        ok(&out);
        told.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(
        told.contains("journal.jsonl") && told.contains("1 unreadable line"),
        "the damaged line is reported, naming the journal: {told}"
    );
    let all = listed(h, &[s(&file)]);
    let want = [
        (
            "01:00:00:02",
            "فرقعة عند القطع",
            "أحمد",
            "technical",
            "open",
        ),
        (
            "01:00:00:05",
            "台詞が音楽に埋もれている",
            "山田",
            "dialogue",
            "open",
        ),
        (
            "01:00:00:05",
            "second note, same frame",
            "Ада",
            "mix-balance",
            "open",
        ),
        (
            "01:00:00:10",
            "music too loud, \"here\"",
            "Ola Nordmann",
            "music",
            "addressed",
        ),
    ];
    let got: Vec<(String, String, String, String, String)> = all
        .iter()
        .map(|n| {
            let f = |k: &str| n[k].as_str().unwrap_or_default().to_owned();
            (
                f("timecode"),
                f("text"),
                f("author"),
                f("category"),
                f("status"),
            )
        })
        .collect();
    let want: Vec<(String, String, String, String, String)> = want
        .iter()
        .map(|w| (w.0.into(), w.1.into(), w.2.into(), w.3.into(), w.4.into()))
        .collect();
    assert_eq!(
        got, want,
        "every note, in order, nothing twice, the deleted one gone"
    );
    assert_eq!(all[3]["last_timecode"], "01:00:00:20");
    assert!(
        all.iter()
            .all(|n| n["created_ms"].as_i64() > Some(1_700_000_000_000))
    );
    // Reopening does not bring them in again.
    assert_eq!(listed(h, &[s(&file)]).len(), 4);
}

/// Overwrites `len` bytes at `at` of `path` with a pattern.
fn scribble(path: &Path, at: u64, len: usize) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open db");
    f.seek(SeekFrom::Start(at)).expect("seek");
    f.write_all(&vec![0xA5; len]).expect("scribble");
}

#[test]
fn a_damaged_database_is_set_aside_named_and_what_can_be_read_is_kept() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let file = media(h, FILE, "ep104.mov");
    let big = csv(
        h,
        "big.csv",
        "a note with some words in it to fill the pages",
        1200,
    );
    ok(&earmark(h, &["notes", "import", s(&file), s(&big)]));
    let db = NoteStore::database_path(&notes_root(h));
    // Fold the log into the file, as a closed database is.
    drop(NoteStore::open(&notes_root(h), &file).expect("open"));
    let size = std::fs::metadata(&db).expect("db").len();
    assert!(
        size > 64 * 4096,
        "{size} bytes: enough pages to damage some"
    );
    // One page of notes in the middle of the file, wiped the way a bad sector would be.
    let bytes = std::fs::read(&db).expect("read db");
    let pages: Vec<usize> = bytes
        .chunks(4096)
        .enumerate()
        .filter(|(_, p)| p.windows(22).any(|w| w == b"a note with some words"))
        .map(|(i, _)| i)
        .collect();
    assert!(pages.len() > 20, "{} pages hold notes", pages.len());
    scribble(&db, pages[pages.len() / 2] as u64 * 4096, 4096);

    let out = command(h, &["notes", "list", "--json", s(&file)])
        .output()
        .expect("list");
    ok(&out);
    let told = String::from_utf8_lossy(&out.stderr);
    assert!(
        told.contains(s(&db)) && told.contains("damaged") && told.contains("set aside"),
        "{told}"
    );
    let kept: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    println!("{told}kept {} of 1200", kept.len());
    assert!(
        kept.len() > 1100 && kept.len() < 1200,
        "the notes on the good pages are kept: {}",
        kept.len()
    );
    let aside: Vec<_> = std::fs::read_dir(notes_root(h))
        .expect("folder")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains(".damaged-"))
        .collect();
    assert!(!aside.is_empty(), "the damaged file is kept beside");

    // A file that is not a database at all: named, set aside, and notes work again.
    std::fs::write(&db, b"this is not a database, whatever it once was").expect("garbage");
    let _ = std::fs::remove_file(PathBuf::from(format!("{}-wal", s(&db))));
    let out = command(
        h,
        &[
            "notes",
            "import",
            s(&file),
            s(&csv(h, "one.csv", "fresh", 1)),
        ],
    )
    .output()
    .expect("import");
    ok(&out);
    let told = String::from_utf8_lossy(&out.stderr);
    assert!(
        told.contains(s(&db)) && told.contains("0 notes could be read"),
        "{told}"
    );
    assert_eq!(texts(&listed(h, &[s(&file)])), vec!["fresh 0"]);
}

#[test]
fn a_deleted_notes_words_do_not_linger_in_the_files() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let file = media(h, FILE, "ep104.mov");
    let secret = "ZEBRA-QUARTZ the director hates this take";
    let one = home.path().join("secret.csv");
    std::fs::write(
        &one,
        format!(
            "timecode,last_timecode,category,author,text\n{},,other,Ada,{secret}\n",
            tc(3)
        ),
    )
    .expect("csv");
    ok(&earmark(h, &["notes", "import", s(&file), s(&one)]));
    let other = csv(h, "other.csv", "kept", 2);
    ok(&earmark(
        h,
        &["notes", "import", s(&file), s(&other), "--replace"],
    ));
    assert_eq!(texts(&listed(h, &[s(&file)])), vec!["kept 0", "kept 1"]);
    let mut found = Vec::new();
    for e in std::fs::read_dir(notes_root(h)).expect("folder").flatten() {
        let bytes = std::fs::read(e.path()).expect("read");
        if bytes.windows(12).any(|w| w == b"ZEBRA-QUARTZ") {
            found.push(e.path());
        }
    }
    assert!(found.is_empty(), "the deleted words are still in {found:?}");
}

#[test]
fn notes_are_found_across_reviews_by_file_status_category_author_and_text() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let cuts = [
        ("f24_720_g12_nob.mov", "ep104_cut1.mov"),
        ("f25_1080_g250_b.mov", "ep104_cut2.mov"),
        ("f30_720_g48_b.mov", "ep105_cut1.mov"),
    ];
    for (i, (fx, name)) in cuts.iter().enumerate() {
        let m = media(h, fx, name);
        let c = h.join(format!("{i}.csv"));
        std::fs::write(
            &c,
            "timecode,last_timecode,category,author,text,status\n\
             01:00:00:00,,dialogue,山田 花子,台詞が小さい,open\n\
             01:00:00:01,,music,Ada,music ducks late,addressed\n"
                .replace(
                    "01:00:00",
                    if i == 0 {
                        "00:59:59"
                    } else if i == 1 {
                        "10:00:00"
                    } else {
                        "00:00:00"
                    },
                ),
        )
        .expect("csv");
        ok(&earmark(h, &["notes", "import", s(&m), s(&c)]));
    }
    // Every open note on episode 104's cuts, from anywhere, without the media.
    let open_104 = listed(h, &["--file", "ep104", "--status", "open"]);
    assert_eq!(open_104.len(), 2);
    assert!(open_104.iter().all(|n| n["text"] == "台詞が小さい"));
    let media_of: Vec<&str> = open_104
        .iter()
        .map(|n| n["media"].as_str().expect("media"))
        .collect();
    assert!(media_of[0].ends_with("ep104_cut1.mov") && media_of[1].ends_with("ep104_cut2.mov"));
    // Timecodes from each file's own start, remembered from when it was opened.
    assert_eq!(open_104[1]["timecode"], "10:00:00:00");
    assert_eq!(listed(h, &["--author", "山田"]).len(), 3);
    assert_eq!(
        listed(h, &["--category", "music", "--text", "DUCKS"]).len(),
        3
    );
    assert_eq!(
        listed(h, &["--file", "ep105", "--status", "addressed"]).len(),
        1
    );
    // Plain text too, grouped by file.
    let text = ok(&earmark(h, &["notes", "list", "--status", "open"]));
    assert!(
        text.contains("ep105_cut1.mov") && text.contains("台詞が小さい"),
        "{text}"
    );
    // A misspelt status is refused, not answered with nothing.
    let o = earmark(h, &["notes", "list", "--status", "done"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown status"));
}
