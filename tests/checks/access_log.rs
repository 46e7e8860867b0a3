//! The real binary keeps the access log: `notes export` and `probe` are logged with the time,
//! the reviewer from Settings and the OS user, the file's name, full path, size and a SHA-256
//! equal to what `sha256sum` prints; `earmark log` shows them as a table, JSON, CSV and filtered
//! by media; the review report lists them; a damaged line is reported and skipped on reading,
//! and stays in the file while new entries go after it.
//!
//! Each test gets its own data, cache and config folders through `XDG_*_HOME`.

use crate::common;

use common::fixture;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MEDIA: &str = "f24_720_g12_nob.mov";
const OTHER: &str = "f60_720_g1.mov";

fn earmark(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "tester")
        .output()
        .expect("binary runs")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// What `sha256sum` says of `path`.
fn sha256sum(path: &Path) -> String {
    let o = Command::new("sha256sum")
        .arg(path)
        .output()
        .expect("sha256sum runs");
    let text = ok(&o);
    text.split_whitespace().next().expect("a hash").to_owned()
}

fn home_with_reviewer() -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("config/earmark");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("settings.toml"), "reviewer = \"Ana <QC>\"\n").expect("settings");
    home
}

fn log_json(home: &Path, extra: &[&str]) -> (Vec<Value>, String) {
    let mut args = vec!["log", "--json"];
    args.extend_from_slice(extra);
    let o = earmark(home, &args);
    let out = ok(&o);
    let v: Value = serde_json::from_str(&out).expect("log --json is JSON");
    (
        v.as_array().expect("an array").clone(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn log_file(home: &Path) -> PathBuf {
    home.join("data/earmark/security/access_log.jsonl")
}

#[test]
fn notes_export_is_logged_with_the_sha256_that_sha256sum_prints() {
    let home = home_with_reviewer();
    let media = fixture(MEDIA);
    let out = home.path().join("notes.csv");
    ok(&earmark(
        home.path(),
        &[
            "notes",
            "export",
            media.to_str().expect("utf-8"),
            "--format",
            "csv",
            "-o",
            out.to_str().expect("utf-8"),
        ],
    ));
    ok(&earmark(
        home.path(),
        &["probe", fixture(OTHER).to_str().expect("utf-8")],
    ));
    let (entries, _) = log_json(home.path(), &[]);
    assert_eq!(entries.len(), 2, "{entries:?}");
    let e = &entries[0];
    assert_eq!(e["event"], "export");
    assert_eq!(e["sha256"], sha256sum(&media).as_str());
    assert_eq!(e["file_name"], MEDIA);
    let canonical = std::fs::canonicalize(&media).expect("canonical");
    assert_eq!(e["path"], canonical.display().to_string().as_str());
    assert_eq!(
        e["size"].as_u64(),
        Some(std::fs::metadata(&media).expect("meta").len())
    );
    assert_eq!(e["reviewer"], "Ana <QC>");
    assert_eq!(e["os_user"], "tester");
    let detail = e["detail"].as_str().expect("detail");
    assert!(
        detail.contains("csv") && detail.contains("notes.csv"),
        "{detail}"
    );
    let time = e["time"].as_str().expect("time");
    assert!(
        time.len() == 24 && time.as_bytes()[10] == b'T' && time.ends_with('Z'),
        "ISO-8601 UTC: {time}"
    );
    assert_eq!(entries[1]["event"], "open");
    assert_eq!(entries[1]["detail"], "probe");
    assert_eq!(entries[1]["sha256"], sha256sum(&fixture(OTHER)).as_str());

    // One file's entries: by the file, and by its SHA-256 typed out.
    let (mine, _) = log_json(home.path(), &["--media", media.to_str().expect("utf-8")]);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["event"], "export");
    let (by_hash, _) = log_json(home.path(), &["--media", &sha256sum(&fixture(OTHER))]);
    assert_eq!(by_hash.len(), 1);
    assert_eq!(by_hash[0]["file_name"], OTHER);

    // The table and the exports.
    let table = ok(&earmark(home.path(), &["log"]));
    assert!(
        table.contains("export") && table.contains("Ana <QC> (tester)"),
        "{table}"
    );
    let csv = home.path().join("log.csv");
    ok(&earmark(
        home.path(),
        &["log", "-o", csv.to_str().expect("utf-8")],
    ));
    let text = std::fs::read_to_string(&csv).expect("csv");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a BOM for spreadsheets");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("time,event,reviewer,os_user,file_name,path,size,sha256,detail")
    );
    assert_eq!(lines.count(), 2);
    let json = home.path().join("log.json");
    ok(&earmark(
        home.path(),
        &[
            "log",
            "--media",
            media.to_str().expect("utf-8"),
            "-o",
            json.to_str().expect("utf-8"),
        ],
    ));
    let v: Value = serde_json::from_slice(&std::fs::read(&json).expect("json")).expect("JSON");
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    let bad = earmark(home.path(), &["log", "-o", "log.txt"]);
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown -o format is bad input"
    );
}

#[test]
fn the_report_lists_the_files_access() {
    let home = home_with_reviewer();
    let media = fixture(MEDIA);
    let m = media.to_str().expect("utf-8");
    ok(&earmark(home.path(), &["probe", m]));
    ok(&earmark(
        home.path(),
        &["probe", fixture(OTHER).to_str().expect("utf-8")],
    ));
    let report = home.path().join("report.html");
    ok(&earmark(
        home.path(),
        &[
            "notes",
            "export",
            m,
            "--format",
            "html",
            "-o",
            report.to_str().expect("utf-8"),
        ],
    ));
    let html = std::fs::read_to_string(&report).expect("report");
    assert!(html.contains("access log (1)"), "only this file's entries");
    assert!(
        html.contains("Ana &lt;QC&gt; (tester)"),
        "escaped like the rest"
    );
    assert!(
        html.contains(
            &std::fs::canonicalize(&media)
                .expect("c")
                .display()
                .to_string()
        )
    );
    // The report's own export is logged after it is written.
    let (entries, _) = log_json(home.path(), &["--media", m]);
    assert_eq!(entries.last().expect("entry")["event"], "export");
}

#[test]
fn a_damaged_line_is_reported_skipped_and_never_removed() {
    let home = home_with_reviewer();
    let m = fixture(MEDIA);
    let m = m.to_str().expect("utf-8");
    ok(&earmark(home.path(), &["probe", m]));
    let path = log_file(home.path());
    let mut bytes = std::fs::read(&path).expect("log");
    // A line mangled on disk, then a write a crash cut short (no newline).
    bytes.extend_from_slice(b"{\"time\":\"2026-01-01T00:00:00.000Z\",\"event\":\xff\xfe}\n");
    bytes.extend_from_slice(b"{\"time\":\"2026-01-0");
    std::fs::write(&path, &bytes).expect("damage");
    ok(&earmark(home.path(), &["notes", "list", m]));
    let (entries, stderr) = log_json(home.path(), &[]);
    let events: Vec<_> = entries.iter().map(|e| e["detail"].clone()).collect();
    assert_eq!(
        events,
        ["probe", "notes list"],
        "both readable entries, in order"
    );
    assert!(
        stderr.contains("line 2") && stderr.contains("line 3") && stderr.contains("damaged"),
        "{stderr}"
    );
    let after = std::fs::read(&path).expect("log");
    assert!(
        after.starts_with(&bytes),
        "nothing before the new entry was changed or dropped"
    );
    assert_eq!(after[bytes.len()], b'\n', "the torn line was closed off");
}

/// A reviewer's name and file names a spreadsheet would run as formulas come out of
/// `earmark log -o OUT.csv` as text (a `'` in front), read back by Python's csv module; a
/// Hebrew file name passes exactly.
#[test]
fn the_log_csv_defuses_formulas_in_names() {
    let home = tempfile::tempdir().expect("temp dir");
    let config = home.path().join("config/earmark");
    std::fs::create_dir_all(&config).expect("config dir");
    let reviewer = "=HYPERLINK(\"http://x\",\"y\")";
    std::fs::write(
        config.join("settings.toml"),
        format!("reviewer = '{reviewer}'\n"),
    )
    .expect("settings");
    let dir = home.path().join("media");
    std::fs::create_dir_all(&dir).expect("media dir");
    let names = ["+cmd.mov", "@SUM(1).mov", "-2+3.mov", "סאונד פרק 1.mov"];
    for name in names {
        let copy = dir.join(name);
        std::fs::copy(fixture(MEDIA), &copy).expect("copy");
        ok(&earmark(
            home.path(),
            &["probe", copy.to_str().expect("utf-8")],
        ));
    }
    let out = home.path().join("out.csv");
    ok(&earmark(
        home.path(),
        &["log", "-o", out.to_str().expect("utf-8")],
    ));
    let rows = crate::notes_cli::python_csv(&out);
    assert_eq!(
        rows[0],
        [
            "time",
            "event",
            "reviewer",
            "os_user",
            "file_name",
            "path",
            "size",
            "sha256",
            "detail"
        ]
    );
    assert_eq!(rows.len(), 1 + names.len(), "{rows:?}");
    crate::notes_cli::assert_no_live_formula(&rows);
    for (row, name) in rows[1..].iter().zip(names) {
        assert_eq!(row[1], "open");
        assert_eq!(row[2], format!("'{reviewer}"), "the reviewer defused");
        assert_eq!(row[3], "tester");
        let want = if name.starts_with(['=', '+', '-', '@']) {
            format!("'{name}")
        } else {
            name.to_owned()
        };
        assert_eq!(row[4], want, "the file name");
        assert!(row[5].starts_with('/') && row[5].ends_with(name), "{row:?}");
        assert_eq!(row[8], "probe");
    }
}
