//! The real binary: `earmark notes import/list/export` on two fixtures (23.976 from
//! 01:00:00:00, and 29.97 drop-frame across a dropped minute label), through the same notes
//! store the window uses.
//!
//! Each test gets its own data, cache and config folders through `XDG_*_HOME`, so it neither
//! reads nor touches the real user's notes. What is checked: awkward text (quotes, commas,
//! line breaks, non-ASCII, `|`, `<script>`, `&`) lands on the exact frames; the CSV export is
//! byte for byte the CSV imported (the lossless round trip); every other format is written; a bad
//! timecode exits 2 naming the file, line and column; the HTML report carries the file's
//! SHA-256, every note's text escaped, one decodable PNG thumbnail per note and no live script.

use base64::Engine as _;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const TONE: &str = "tests/fixtures/cache-sync/tone_1080p23976_62s.mov";
const DROP_FRAME: &str = "tests/fixtures/cache/f2997df_720_g1.mov";

/// The CSV the exporter itself would write (BOM, CRLF rows, RFC 4180 quoting, frame order),
/// so the round trip can be compared byte for byte.
const TONE_CSV: &str = "\u{feff}timecode,last_timecode,category,author,text,status\r\n\
01:00:00:00,,dialogue,Ana,\"He said \"\"hi\"\", then left\",open\r\n\
01:00:01:12,01:00:01:23,mix-balance,Bő,\"line one\nline two | with pipe\",addressed\r\n\
01:00:10:05,,other,,naïve café — 日本語,open\r\n\
01:01:01:22,,effects,QC <b>,<script>alert(1)</script> & AT&T,open\r\n";

/// (frame, end, text) of each note in [`TONE_CSV`].
const TONE_NOTES: [(u64, Option<u64>, &str); 4] = [
    (0, None, "He said \"hi\", then left"),
    (36, Some(48), "line one\nline two | with pipe"),
    (245, None, "naïve café — 日本語"),
    (1486, None, "<script>alert(1)</script> & AT&T"),
];

/// Only the required columns, no BOM, LF rows: what a reviewer's own spreadsheet may give
/// (and the `end_timecode` column of CSVs exported before ranges were shown by their last
/// frame: the first frame after the range).
const DROP_FRAME_CSV: &str = "timecode,end_timecode,category,author,text\n\
00:00:59;00,,technical,QC,first frame\n\
00:01:00;02,00:01:00;10,dialogue,QC,\"after the drop, \"\"quoted\"\"\"\n\
00:01:03;01,,music,QC,last frame\n";

const DROP_FRAME_NOTES: [(u64, Option<u64>, &str); 3] = [
    (0, None, "first frame"),
    (30, Some(38), "after the drop, \"quoted\""),
    (119, None, "last frame"),
];

/// The binary with its config, data and cache folders under `home`.
pub(crate) fn earmark(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .output()
        .expect("binary runs")
}

pub(crate) fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fixture(rel: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel);
    assert!(
        p.exists(),
        "fixture {} missing (run `make fixtures`)",
        p.display()
    );
    p.display().to_string()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write input");
    p.display().to_string()
}

fn import(home: &Path, media: &str, csv: &str, count: usize) {
    let out = ok(&earmark(home, &["notes", "import", media, csv]));
    assert!(out.contains(&format!("imported {count} notes")), "{out}");
}

/// `notes list --json` as (frame, end, text).
fn listed(home: &Path, media: &str) -> Vec<(u64, Option<u64>, String)> {
    let v: Value = serde_json::from_str(&ok(&earmark(home, &["notes", "list", media, "--json"])))
        .expect("list JSON");
    v.as_array()
        .expect("array")
        .iter()
        .map(|n| {
            (
                n["frame"].as_u64().expect("frame"),
                n["end_frame"].as_u64(),
                n["text"].as_str().expect("text").to_owned(),
            )
        })
        .collect()
}

fn expected(notes: &[(u64, Option<u64>, &str)]) -> Vec<(u64, Option<u64>, String)> {
    notes
        .iter()
        .map(|(f, e, t)| (*f, *e, (*t).to_owned()))
        .collect()
}

fn export(home: &Path, media: &str, format: &str, out: &Path) -> Vec<u8> {
    let o = out.display().to_string();
    ok(&earmark(
        home,
        &["notes", "export", media, "--format", format, "-o", &o],
    ));
    std::fs::read(out).expect("export written")
}

#[test]
fn csv_round_trip_is_lossless_and_every_format_is_written() {
    let home = tempfile::tempdir().expect("tempdir");
    let media = fixture(TONE);
    let input = write(home.path(), "in.csv", TONE_CSV);
    import(home.path(), &media, &input, 4);
    assert_eq!(listed(home.path(), &media), expected(&TONE_NOTES));
    let v: Value = serde_json::from_str(&ok(&earmark(
        home.path(),
        &["notes", "list", &media, "--json"],
    )))
    .expect("JSON");
    assert_eq!(v[1]["timecode"], "01:00:01:12");
    assert_eq!(
        v[1]["last_timecode"], "01:00:01:23",
        "a range by its last frame"
    );
    assert_eq!(v[1]["category"], "mix-balance");
    assert_eq!(v[1]["status"], "addressed");
    assert_eq!(v[1]["author"], "Bő");

    let csv = export(home.path(), &media, "csv", &home.path().join("out.csv"));
    assert_eq!(String::from_utf8(csv).expect("UTF-8"), TONE_CSV);

    for (format, name) in [
        ("protools-midi", "out.mid"),
        ("avid-txt", "out.txt"),
        ("resolve-edl", "resolve.edl"),
        ("edl", "cmx.edl"),
        ("fcpxml", "out.fcpxml"),
    ] {
        let bytes = export(home.path(), &media, format, &home.path().join(name));
        assert!(!bytes.is_empty(), "{format} export is empty");
    }
    // The Avid list comes back in too (its own lossy rules aside, frames and text survive).
    let avid = home.path().join("out.txt").display().to_string();
    ok(&earmark(
        home.path(),
        &["notes", "import", &media, &avid, "--replace"],
    ));
    let back = listed(home.path(), &media);
    assert_eq!(
        back.iter().map(|n| n.0).collect::<Vec<_>>(),
        vec![0, 36, 245, 1486]
    );
    assert_eq!(back[0].2, TONE_NOTES[0].2);
}

#[test]
fn drop_frame_notes_land_on_exact_frames_and_imports_append() {
    let home = tempfile::tempdir().expect("tempdir");
    let media = fixture(DROP_FRAME);
    let input = write(home.path(), "df.csv", DROP_FRAME_CSV);
    import(home.path(), &media, &input, 3);
    assert_eq!(listed(home.path(), &media), expected(&DROP_FRAME_NOTES));
    // Appending by default; --replace starts afresh.
    import(home.path(), &media, &input, 3);
    assert_eq!(listed(home.path(), &media).len(), 6);
    ok(&earmark(
        home.path(),
        &["notes", "import", &media, &input, "--replace"],
    ));
    assert_eq!(listed(home.path(), &media), expected(&DROP_FRAME_NOTES));
    let csv = export(home.path(), &media, "csv", &home.path().join("df_out.csv"));
    let text = String::from_utf8(csv).expect("UTF-8");
    // Imported with an (older) exclusive end_timecode of ;10, written back by its last frame.
    assert!(
        text.contains("00:01:00;02,00:01:00;09,dialogue,QC,"),
        "{text}"
    );
    for format in ["protools-midi", "avid-txt", "resolve-edl", "edl", "fcpxml"] {
        let bytes = export(home.path(), &media, format, &home.path().join(format));
        assert!(!bytes.is_empty(), "{format} export is empty");
    }
}

#[test]
fn bad_input_exits_2_naming_file_line_and_column() {
    let home = tempfile::tempdir().expect("tempdir");
    let media = fixture(TONE);
    let bad = write(
        home.path(),
        "bad.csv",
        "timecode,end_timecode,category,author,text\n01:00:00:00,,other,,fine\n01:00:00:00,01:00:61:00,other,,bad end\n",
    );
    let o = earmark(home.path(), &["notes", "import", &media, &bad]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("line 3, column 2"), "{err}");
    assert!(err.contains("bad.csv"), "{err}");
    // Nothing of a refused file is kept.
    assert!(listed(home.path(), &media).is_empty());

    let no_header = write(home.path(), "nohdr.csv", "01:00:00:00,,other,,x\n");
    let o = earmark(home.path(), &["notes", "import", &media, &no_header]);
    assert_eq!(o.status.code(), Some(2));

    let missing = home.path().join("missing.mov").display().to_string();
    let o = earmark(home.path(), &["notes", "list", &missing]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("missing.mov"), "{err}");
}

/// Reads a CSV file with Python's `csv` module in strict mode (an independent reader: a quoting
/// mistake is an error there), the BOM taken off, as rows of fields.
pub(crate) fn python_csv(path: &Path) -> Vec<Vec<String>> {
    let o = Command::new("python3")
        .args([
            "-c",
            "import csv, json, sys\n\
             with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:\n\
             \x20   rows = list(csv.reader(f, strict=True))\n\
             json.dump(rows, sys.stdout)",
        ])
        .arg(path)
        .output()
        .expect("python3 runs");
    let out = ok(&o);
    serde_json::from_str(&out).expect("rows as JSON")
}

/// Fields no spreadsheet may run as a formula: none starts with `=`, `+`, `-`, `@`, tab or CR.
pub(crate) fn assert_no_live_formula(rows: &[Vec<String>]) {
    for row in rows {
        for field in row {
            assert!(
                !field.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a spreadsheet would run {field:?} (row {row:?})"
            );
        }
    }
}

/// A CSV written by hand from what the window shows: categories by the name (`Mix/Balance`,
/// as people type it), in words (`mix balance`), by the short code (`MIX`, ` Dx `) and by the
/// id; authors and texts a spreadsheet would run as formulas; Korean, Hebrew and Japanese.
const HAND_CSV: &str = "timecode,category,author,text\n\
01:00:00:00,Mix/Balance,\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",+cmd.mov\n\
01:00:01:00,mix balance,지우,대사가 음악에 묻힘 — 2 dB 올려주세요\n\
01:00:02:00,MIX,נועה,\"הדיאלוג נבלע במוזיקה, הגבירו\"\n\
01:00:03:00,dialogue,佐藤,台詞が音楽に埋もれている\n\
01:00:04:00, Dx ,-QC,@SUM(1)\n";

/// (category id, author, text) of each note in [`HAND_CSV`].
const HAND_NOTES: [(&str, &str, &str); 5] = [
    ("mix-balance", "=HYPERLINK(\"http://x\",\"y\")", "+cmd.mov"),
    (
        "mix-balance",
        "지우",
        "대사가 음악에 묻힘 — 2 dB 올려주세요",
    ),
    ("mix-balance", "נועה", "הדיאלוג נבלע במוזיקה, הגבירו"),
    ("dialogue", "佐藤", "台詞が音楽に埋もれている"),
    ("dialogue", "-QC", "@SUM(1)"),
];

/// `notes list --json` as (category, author, text).
fn listed_words(home: &Path, media: &str) -> Vec<(String, String, String)> {
    let v: Value = serde_json::from_str(&ok(&earmark(home, &["notes", "list", media, "--json"])))
        .expect("list JSON");
    let field = |n: &Value, k: &str| n[k].as_str().expect(k).to_owned();
    v.as_array()
        .expect("array")
        .iter()
        .map(|n| (field(n, "category"), field(n, "author"), field(n, "text")))
        .collect()
}

fn hand_notes() -> Vec<(String, String, String)> {
    HAND_NOTES
        .iter()
        .map(|(c, a, t)| ((*c).to_owned(), (*a).to_owned(), (*t).to_owned()))
        .collect()
}

#[test]
fn a_hand_written_csv_takes_categories_as_shown_and_exports_defused() {
    let home = tempfile::tempdir().expect("tempdir");
    let media = fixture(TONE);
    let input = write(home.path(), "hand.csv", HAND_CSV);
    import(home.path(), &media, &input, HAND_NOTES.len());
    assert_eq!(listed_words(home.path(), &media), hand_notes());

    // The export, read by another reader: formulas defused, every other text exact.
    let out = home.path().join("hand_out.csv");
    let bytes = export(home.path(), &media, "csv", &out);
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a BOM for spreadsheets"
    );
    let rows = python_csv(&out);
    assert_eq!(
        rows[0],
        [
            "timecode",
            "last_timecode",
            "category",
            "author",
            "text",
            "status"
        ]
    );
    assert_no_live_formula(&rows);
    let defused = |s: &str| {
        if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_owned()
        }
    };
    let got: Vec<[&str; 3]> = rows[1..]
        .iter()
        .map(|r| [r[2].as_str(), r[3].as_str(), r[4].as_str()])
        .collect();
    let want: Vec<[String; 3]> = HAND_NOTES
        .iter()
        .map(|(c, a, t)| [(*c).to_owned(), defused(a), defused(t)])
        .collect();
    assert_eq!(got, want);
    assert_eq!(rows[1][3], "'=HYPERLINK(\"http://x\",\"y\")");
    assert_eq!(rows[2][4], "대사가 음악에 묻힘 — 2 dB 올려주세요");

    // And back in: the `'`s come off again.
    let back = out.display().to_string();
    ok(&earmark(
        home.path(),
        &["notes", "import", &media, &back, "--replace"],
    ));
    assert_eq!(listed_words(home.path(), &media), hand_notes());

    // A category that is none of them names the cell and what would have been taken.
    let bad = write(
        home.path(),
        "bad_category.csv",
        "timecode,category,text\n01:00:00:00,MIX,fine\n01:00:01:00,Mix/Balanse,x\n",
    );
    let o = earmark(home.path(), &["notes", "import", &media, &bad]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("line 3, column 2"), "{err}");
    assert!(err.contains("\"Mix/Balanse\""), "{err}");
    assert!(err.contains("mix-balance, Mix balance or MIX"), "{err}");
}

/// What the report must show for `text`: the page's own escaping rules.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn html_report_has_hash_escaped_notes_and_a_thumbnail_each() {
    let home = tempfile::tempdir().expect("tempdir");
    let media = fixture(TONE);
    let input = write(home.path(), "in.csv", TONE_CSV);
    import(home.path(), &media, &input, 4);
    let out = home.path().join("report.html");
    let o = out.display().to_string();
    ok(&earmark(
        home.path(),
        &[
            "notes",
            "export",
            &media,
            "--format",
            "html",
            "-o",
            &o,
            "--reviewer",
            "R & D",
        ],
    ));
    let html = std::fs::read_to_string(&out).expect("report");

    let sum = Command::new("sha256sum")
        .arg(&media)
        .output()
        .expect("sha256sum");
    let sum = String::from_utf8_lossy(&sum.stdout);
    let sha = sum.split_whitespace().next().expect("hash");
    assert_eq!(sha.len(), 64);
    assert!(html.contains(sha), "report lacks the SHA-256 {sha}");

    for (_, _, text) in TONE_NOTES {
        assert!(html.contains(&escaped(text)), "report lacks {text:?}");
    }
    assert!(!html.contains("<script"), "a note's script is live");
    assert!(html.contains("R &amp; D"));
    assert!(html.contains("Delivery check"));
    // The real check ran against every shipped profile (the 23.976 tone file is 1080p).
    for profile in ["pix-standard", "pix-screening-room", "content-hub"] {
        assert!(
            html.contains(&format!("{profile}: ")),
            "{profile} in the report"
        );
    }
    assert!(!html.contains("not available yet"));
    assert!(html.contains("01:01:01:22"));
    assert!(html.contains("Integrated"));

    assert_eq!(html.matches("<img").count(), TONE_NOTES.len());
    let prefix = "src=\"data:image/png;base64,";
    for (i, _) in html.match_indices(prefix) {
        let start = i + prefix.len();
        let end = start + html[start..].find('"').expect("closing quote");
        let png = base64::engine::general_purpose::STANDARD
            .decode(&html[start..end])
            .expect("valid base64");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    }
    assert_eq!(html.matches(prefix).count(), TONE_NOTES.len());
}

/// The reviewer's name set in Settings signs the report when `--reviewer` is not given (it
/// used to read "Reviewer: not named" — or the notes' authors — whatever the settings said);
/// `--reviewer` still wins. In Devanagari, to see it survive the round.
#[test]
fn the_report_is_signed_with_the_name_in_the_settings() {
    let home = tempfile::tempdir().expect("tempdir");
    let media = fixture(TONE);
    let input = write(home.path(), "in.csv", TONE_CSV);
    import(home.path(), &media, &input, 4);
    let config = home.path().join("config/earmark");
    std::fs::create_dir_all(&config).expect("config");
    std::fs::write(config.join("settings.toml"), "reviewer = \"प्रिया शर्मा\"\n").expect("settings");
    let out = home.path().join("signed.html");
    let o = out.display().to_string();
    ok(&earmark(
        home.path(),
        &["notes", "export", &media, "--format", "html", "-o", &o],
    ));
    let html = std::fs::read_to_string(&out).expect("report");
    assert!(
        html.contains("<th>Reviewer</th><td>प्रिया शर्मा</td>"),
        "{}",
        &html[..html.len().min(3000)]
    );
    ok(&earmark(
        home.path(),
        &[
            "notes",
            "export",
            &media,
            "--format",
            "html",
            "-o",
            &o,
            "--reviewer",
            "Ana",
        ],
    ));
    let html = std::fs::read_to_string(&out).expect("report");
    assert!(html.contains("<th>Reviewer</th><td>Ana</td>"));
}
