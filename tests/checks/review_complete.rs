//! The real binary completes a review: a copy of a fixture with notes and a loudness analysis
//! in the cache goes through `earmark review-complete --export … --yes`. Afterwards the media is
//! gone, no cache entry for its content is left, the notes and the exports are still there, and
//! the access log holds the deletion with the file's SHA-256. A second run says there is nothing
//! to delete; without `--yes` off a terminal nothing is deleted; on a terminal (util-linux
//! `script` gives it one) only typing `delete` deletes; a media file in a read-only folder gives
//! an error naming it and nothing else is deleted.
//!
//! Each test gets its own data, cache and config folders through `XDG_*_HOME`.

use crate::common;

use common::fixture;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// 30 fps from 00:00:00:00, 150 frames, with sound (so the loudness scan caches a result).
const FIXTURE: &str = "f30_720_g48_b.mov";

const NOTES_CSV: &str = "timecode,end_timecode,category,author,text\n\
00:00:01:00,,dialogue,QC,keep this note\n";

fn earmark(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::null())
        .output()
        .expect("binary runs")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr),
        String::from_utf8_lossy(&o.stdout)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn sha256sum(path: &Path) -> String {
    let text = ok(&Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum"));
    text.split_whitespace().next().expect("hash").to_owned()
}

/// A copy of the fixture in `dir` with one note, and a report exported (which runs the loudness
/// scan and caches it); returns the media, its loudness cache entry and the notes database.
fn reviewed_copy(home: &Path, dir: &Path, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).expect("media dir");
    let media = dir.join(name);
    std::fs::copy(fixture(FIXTURE), &media).expect("copy fixture");
    let csv = home.join("in.csv");
    std::fs::write(&csv, NOTES_CSV).expect("csv");
    ok(&earmark(home, &["notes", "import", s(&media), s(&csv)]));
    let first = home.join("first-report.html");
    ok(&earmark(
        home,
        &[
            "notes",
            "export",
            s(&media),
            "--format",
            "html",
            "-o",
            s(&first),
        ],
    ));
    let key = earmark::persist::content_key(&media).expect("key");
    let cache = home.join(format!("cache/earmark/loudness/{key}.json"));
    assert!(cache.exists(), "the report's loudness scan is cached");
    let notes = earmark::notes::NoteStore::database_path(&home.join("data/earmark/notes"));
    assert!(notes.exists());
    (media, cache, notes)
}

fn log(home: &Path) -> Vec<Value> {
    let v: Value = serde_json::from_str(&ok(&earmark(home, &["log", "--json"]))).expect("JSON");
    v.as_array().expect("array").clone()
}

#[test]
fn deletes_the_media_and_its_caches_and_keeps_the_work() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let (media, cache, notes) = reviewed_copy(h, &h.join("media"), "ep1.mov");
    let sha = sha256sum(&media);
    let size = std::fs::metadata(&media).expect("meta").len();
    let out_csv = h.join("out/notes.csv");
    let out_html = h.join("out/report.html");
    let o = earmark(
        h,
        &[
            "review-complete",
            s(&media),
            "--export",
            &format!("csv:{}", s(&out_csv)),
            "--export",
            &format!("html:{}", s(&out_html)),
            "--yes",
        ],
    );
    let text = ok(&o);
    assert!(!media.exists(), "media deleted: {text}");
    assert!(std::fs::symlink_metadata(&media).is_err());
    assert!(!cache.exists(), "loudness cache entry deleted");
    let leftovers: Vec<_> = std::fs::read_dir(h.join("cache/earmark/loudness"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(
        leftovers.is_empty(),
        "no loudness cache left: {leftovers:?}"
    );
    let hashes = std::fs::read_to_string(h.join("cache/earmark/sha256.json")).unwrap_or_default();
    assert!(!hashes.contains(&sha), "no SHA-256 cache entry left");
    // Kept: the notes, the exports.
    assert!(notes.exists(), "the notes database is kept");
    // The media is gone, and its notes are still there to find, with the file they were about.
    let listed = ok(&earmark(
        h,
        &["notes", "list", "--json", "--text", "keep this"],
    ));
    assert!(
        listed.contains("keep this note") && listed.contains("ep1.mov"),
        "{listed}"
    );
    assert!(
        std::fs::read_to_string(&out_csv)
            .expect("csv kept")
            .contains("keep this note")
    );
    assert!(
        std::fs::read_to_string(&out_html)
            .expect("report kept")
            .contains("keep this note")
    );
    // What it said.
    for words in [
        "marked complete",
        "Deleted:",
        "media file",
        "loudness analysis cache",
        "Kept:",
        "review notes",
        "Checked: the media file is gone",
        "SSD",
    ] {
        assert!(text.contains(words), "`{words}` missing from: {text}");
    }
    assert!(text.contains(&sha), "the plan names the content: {text}");
    // The log: exports, completion, deletion — the deletion with the hash and size.
    let entries = log(h);
    let events: Vec<&str> = entries.iter().filter_map(|e| e["event"].as_str()).collect();
    let tail = &events[events.len() - 4..];
    assert_eq!(
        tail,
        ["export", "export", "review-complete", "delete"],
        "{events:?}"
    );
    let delete = entries.last().expect("delete");
    assert_eq!(delete["sha256"], sha.as_str());
    assert_eq!(delete["size"].as_u64(), Some(size));
    assert_eq!(delete["file_name"], "ep1.mov");

    // Again: nothing to delete.
    let again = ok(&earmark(h, &["review-complete", s(&media), "--yes"]));
    assert!(again.contains("Nothing to delete"), "{again}");
}

#[test]
fn without_yes_off_a_terminal_nothing_is_deleted() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let (media, cache, _) = reviewed_copy(h, &h.join("media"), "ep2.mov");
    let o = earmark(h, &["review-complete", s(&media)]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not deleted") && err.contains("ep2.mov"),
        "{err}"
    );
    assert!(media.exists() && cache.exists());
    // The review is complete all the same: the window will remind.
    let key = earmark::security::review_key(&media).expect("key");
    let (states, _) =
        earmark::security::ReviewStates::load(&h.join("data/earmark/security/reviews.json"))
            .expect("states");
    assert!(states.is_complete(&key));
}

/// Runs `review-complete MEDIA` on a terminal (through `script`) and types `answer`.
fn on_a_terminal(home: &Path, media: &Path, answer: &str) -> String {
    let line = format!(
        "'{}' review-complete '{}'",
        env!("CARGO_BIN_EXE_earmark"),
        s(media)
    );
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs");
    std::io::Write::write_all(
        child.stdin.as_mut().expect("stdin"),
        format!("{answer}\n").as_bytes(),
    )
    .expect("type");
    ok(&child.wait_with_output().expect("wait"))
}

#[test]
fn on_a_terminal_only_typing_delete_deletes() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let (media, cache, _) = reviewed_copy(h, &h.join("media"), "ep4.mov");
    let kept = on_a_terminal(h, &media, "yes");
    assert!(kept.contains("Type delete to delete ep4.mov"), "{kept}");
    assert!(kept.contains("Kept"), "{kept}");
    assert!(media.exists() && cache.exists());
    let deleted = on_a_terminal(h, &media, "delete");
    assert!(
        deleted.contains("Checked: the media file is gone"),
        "{deleted}"
    );
    assert!(!media.exists() && !cache.exists());
}

/// Makes a folder read-only for the test; as root (where permissions do not stop a delete)
/// also immutable. Undone on drop so the temporary folder can be removed.
struct ReadOnly(PathBuf, bool);

impl ReadOnly {
    fn new(dir: &Path) -> Self {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        let probe = dir.join(".probe");
        let immutable = std::fs::write(&probe, b"x").is_ok();
        if immutable {
            std::fs::remove_file(&probe).expect("remove probe");
            let o = Command::new("chattr")
                .args(["+i", s(dir)])
                .output()
                .expect("chattr runs (root: chmod alone does not stop a delete)");
            assert!(
                o.status.success(),
                "chattr +i: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        Self(dir.to_path_buf(), immutable)
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt as _;
        if self.1 {
            Command::new("chattr")
                .args(["-i", s(&self.0)])
                .output()
                .ok();
        }
        std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755)).ok();
    }
}

#[test]
fn a_read_only_folder_is_a_clear_error_and_nothing_else_goes() {
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let dir = h.join("locked");
    let (media, cache, notes) = reviewed_copy(h, &dir, "ep3.mov");
    let hashes = h.join("cache/earmark/sha256.json");
    let hashes_before = std::fs::read(&hashes).expect("hash cache");
    let out_csv = h.join("out/notes.csv");
    let _locked = ReadOnly::new(&dir);
    let o = earmark(
        h,
        &[
            "review-complete",
            s(&media),
            "--export",
            &format!("csv:{}", s(&out_csv)),
            "--yes",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "a failure, not bad input");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("could not delete the media") && err.contains(s(&media)),
        "names the file: {err}"
    );
    assert!(err.contains("nothing was deleted"), "{err}");
    assert!(media.exists(), "media still there");
    assert!(cache.exists(), "its loudness cache was not touched");
    assert_eq!(std::fs::read(&hashes).expect("hash cache"), hashes_before);
    assert!(notes.exists() && out_csv.exists(), "notes and export kept");
    let events: Vec<String> = log(h)
        .iter()
        .filter_map(|e| e["event"].as_str().map(str::to_owned))
        .collect();
    assert!(!events.contains(&"delete".to_owned()), "{events:?}");
}
