//! Marker exports: golden files for every format at 23.976, 25, 29.97 DF and 59.94 DF, and
//! every export read back by a reader that does not share the writer's code.
//!
//! The marker set is deliberately awkward: quotes, tabs, commas, line breaks, non-ASCII text,
//! `|`, text starting with a digit, `*` or a spreadsheet formula, an empty note, two notes on one
//! frame, ranges (one across a drop-frame minute boundary, where labels are skipped), a note on
//! the first frame and one on the last frame of the hour.
//!
//! Golden files live in `tests/golden/markers/`; `UPDATE_GOLDEN=1` rewrites them, otherwise the
//! export must match byte for byte. Read-backs: CSV and Avid text through our own importers;
//! both EDLs through the small parsers below (with their own timecode maths); the MIDI file and
//! the FCPXML through `tests/readers/read_markers.py` (mido and xml.etree, exact fractions).
//! Each read-back must put every marker on its exact frame.

use earmark::notes::markers::{
    Category, Marker, MarkerContext, Status, avid_txt, cmx_edl, csv, fcpxml, protools_midi,
    resolve_edl,
};
use earmark::time::{FrameRate, Timecode};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One test rate: exact rate, drop-frame, file-name tag.
struct Rate {
    num: i64,
    den: i64,
    drop_frame: bool,
    tag: &'static str,
}

const RATES: [Rate; 4] = [
    Rate {
        num: 24000,
        den: 1001,
        drop_frame: false,
        tag: "23976",
    },
    Rate {
        num: 25,
        den: 1,
        drop_frame: false,
        tag: "25",
    },
    Rate {
        num: 30000,
        den: 1001,
        drop_frame: true,
        tag: "2997df",
    },
    Rate {
        num: 60000,
        den: 1001,
        drop_frame: true,
        tag: "5994df",
    },
];

impl Rate {
    fn fps(&self) -> u32 {
        ((self.num + self.den / 2) / self.den) as u32
    }

    fn sep(&self) -> char {
        if self.drop_frame { ';' } else { ':' }
    }

    /// A timecode label at this rate, with the right separator.
    fn tc(&self, h: u32, m: u32, s: u32, f: u32) -> String {
        format!("{h:02}:{m:02}:{s:02}{}{f:02}", self.sep())
    }

    fn context(&self) -> MarkerContext {
        let rate = FrameRate::new(self.num, self.den).expect("rate");
        let start = Timecode::parse(&self.tc(1, 0, 0, 0), rate.timecode_rate(self.drop_frame))
            .expect("start");
        MarkerContext::new(rate, start, "Reel 1 | \"mix\" v2").expect("context")
    }
}

/// Frames since 00:00:00:00 for a label, written again here so the EDL check does not rest on
/// the crate's own timecode code.
fn tc_count(text: &str, fps: u32, drop_frame: bool) -> u64 {
    let parts: Vec<u64> = text
        .split([':', ';'])
        .map(|p| p.parse().expect("timecode digits"))
        .collect();
    let [h, m, s, f] = parts[..] else {
        panic!("bad timecode {text}")
    };
    let fps = u64::from(fps);
    let mut n = ((h * 3600 + m * 60 + s) * fps) + f;
    if drop_frame {
        let minutes = 60 * h + m;
        n -= fps / 15 * (minutes - minutes / 10);
    }
    n
}

fn media_frame(rate: &Rate, text: &str) -> u64 {
    tc_count(text, rate.fps(), rate.drop_frame)
        - tc_count(&rate.tc(1, 0, 0, 0), rate.fps(), rate.drop_frame)
}

/// The awkward marker set, at this rate.
fn marker_set(rate: &Rate) -> Vec<Marker> {
    let last = rate.fps() - 1;
    // The first label of a non-tenth minute: 02 at 29.97 DF, 04 at 59.94 DF, 02 otherwise.
    let first = if rate.drop_frame { rate.fps() / 15 } else { 2 };
    let at = |t: String| media_frame(rate, &t);
    let m = |tc: String,
             end: Option<String>,
             category: Category,
             author: &str,
             text: &str,
             status: Status| Marker {
        frame: at(tc),
        end_frame: end.map(at),
        text: text.to_owned(),
        category,
        author: author.to_owned(),
        status,
    };
    use Category::*;
    use Status::*;
    vec![
        m(
            rate.tc(1, 0, 0, 0),
            None,
            Dialogue,
            "Ana",
            "He said \"stop\", then left",
            Open,
        ),
        m(
            rate.tc(1, 0, 0, 1),
            None,
            Music,
            "O'Brien, Pat",
            "Level\tdip at\tthe cut",
            Open,
        ),
        m(
            rate.tc(1, 0, 10, 0),
            None,
            Effects,
            "",
            "Line one\nLine two\r\nLine three",
            Open,
        ),
        m(
            rate.tc(1, 0, 10, 0),
            None,
            Technical,
            "Ana",
            "Second note, same frame",
            Open,
        ),
        m(
            rate.tc(1, 0, 20, 0),
            Some(rate.tc(1, 0, 25, 12)),
            MixBalance,
            "Zoë",
            "Ünïcødé — 日本語: music over dialogue",
            Open,
        ),
        m(
            rate.tc(1, 0, 30, 0),
            None,
            Technical,
            "Ana",
            "Pipe | in | text |C:ResolveColorRed |M:x",
            Open,
        ),
        m(
            rate.tc(1, 0, 59, last),
            Some(rate.tc(1, 1, 0, first)),
            Picture,
            "Ana",
            "Across the minute",
            Open,
        ),
        m(
            rate.tc(1, 1, 0, first),
            None,
            Dialogue,
            "Ana",
            "2 frames late",
            Addressed,
        ),
        m(
            rate.tc(1, 9, 59, last),
            Some(rate.tc(1, 10, 0, 0)),
            Effects,
            "@ana",
            "=SUM(A1) + @cmd, -1",
            Addressed,
        ),
        m(rate.tc(1, 10, 0, 0), None, Other, "", "", Open),
        m(
            rate.tc(1, 59, 59, last),
            None,
            Music,
            "Ана",
            "* Last frame of the hour",
            Open,
        ),
    ]
}

/// The markers in the order every exporter writes them: by frame, ties in the given order.
fn sorted(markers: &[Marker]) -> Vec<Marker> {
    let mut out = markers.to_vec();
    out.sort_by_key(|m| m.frame);
    out
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/markers")
        .join(name)
}

/// Compares with (or, with UPDATE_GOLDEN=1, rewrites) a golden file; returns its path.
fn golden(name: &str, bytes: &[u8]) -> PathBuf {
    let path = golden_path(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("golden dir");
        std::fs::write(&path, bytes).expect("write golden");
    } else {
        let want = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
                path.display()
            )
        });
        assert!(
            want == bytes,
            "{name} differs from its golden file {}; if the change is intended, rerun with \
             UPDATE_GOLDEN=1 and review the diff",
            path.display()
        );
    }
    path
}

/// A Python with mido, found once: $EARMARK_PYTHON, then python3, then /usr/bin/python3 (a
/// pyenv shim may hide the Debian package).
fn python() -> String {
    let mut candidates: Vec<String> = std::env::var("EARMARK_PYTHON").into_iter().collect();
    candidates.extend(["python3".into(), "/usr/bin/python3".into()]);
    candidates
        .into_iter()
        .find(|py| {
            Command::new(py)
                .args(["-c", "import mido"])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("no Python 3 with mido found: run scripts/install-deps.sh test (python3-mido)")
}

fn read_with_python(args: &[&str]) -> serde_json::Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers/read_markers.py");
    let out = Command::new(python())
        .arg(script)
        .args(args)
        .output()
        .expect("run read_markers.py");
    assert!(
        out.status.success(),
        "read_markers.py {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("reader prints JSON")
}

/// What a line-based format keeps of a text: control characters (CRLF as one) become spaces.
fn one_line(text: &str) -> String {
    text.replace("\r\n", " ").replace(['\r', '\n', '\t'], " ")
}

#[test]
fn marker_set_sits_where_the_reference_says() {
    // The drop-frame boundary markers: 01:00:59;29 and 01:01:00;02 are neighbouring frames.
    let df = &RATES[2];
    let set = marker_set(df);
    assert_eq!(set[6].frame, 1799);
    assert_eq!(set[6].end_frame, Some(1800));
    assert_eq!(set[8].frame, 17_981);
    assert_eq!(set[8].end_frame, Some(17_982));
    // The crate agrees with this file's own timecode maths at every rate.
    for rate in &RATES {
        let ctx = rate.context();
        for m in marker_set(rate) {
            let tc = ctx.timecode_of(m.frame).to_string();
            assert_eq!(media_frame(rate, &tc), m.frame, "{tc} at {}", rate.tag);
        }
    }
}

#[test]
fn csv_golden_and_lossless_round_trip() {
    for rate in &RATES {
        let ctx = rate.context();
        let markers = marker_set(rate);
        let text = csv::export(&markers, &ctx);
        golden(&format!("csv_{}.csv", rate.tag), text.as_bytes());
        assert!(text.starts_with('\u{feff}'));
        let back = csv::import(&text, &ctx).expect("import our CSV");
        assert_eq!(back, sorted(&markers), "CSV round trip at {}", rate.tag);
    }
}

#[test]
fn avid_golden_and_round_trip() {
    for rate in &RATES {
        let ctx = rate.context();
        let markers = marker_set(rate);
        let text = avid_txt::export(&markers, &ctx, &avid_txt::AvidOptions::default());
        golden(&format!("avid_{}.txt", rate.tag), text.as_bytes());
        let back = avid_txt::import(&text, &ctx).expect("import our Avid text");
        let expected: Vec<Marker> = sorted(&markers)
            .into_iter()
            .map(|m| Marker {
                text: one_line(&m.text),
                author: one_line(&m.author),
                // Duration 1 is a point marker: a one-frame range comes back as a point.
                end_frame: m.end_frame.filter(|&e| e > m.frame + 1),
                ..m
            })
            .collect();
        assert_eq!(back, expected, "Avid round trip at {}", rate.tag);
        for line in text.lines() {
            assert_eq!(line.split('\t').count(), 6, "{line:?}");
        }
    }
}

/// A Resolve marker EDL, read the way its layout is documented: event line, then metadata.
struct ResolveMarker {
    frame: u64,
    note: String,
    colour: String,
    name: String,
    duration: u64,
}

fn parse_resolve_edl(text: &str, rate: &Rate) -> Vec<ResolveMarker> {
    let mut lines = text.split("\r\n");
    assert_eq!(
        lines.nth(1),
        Some(if rate.drop_frame {
            "FCM: DROP FRAME"
        } else {
            "FCM: NON-DROP FRAME"
        })
    );
    let mut out = Vec::new();
    while let Some(line) = lines.next() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() != 8 || !fields[0].bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        assert_eq!(fields[4], fields[6], "source in = record in");
        assert_eq!(fields[5], fields[7], "source out = record out");
        let frame = media_frame(rate, fields[6]);
        assert_eq!(media_frame(rate, fields[7]), frame + 1, "one-frame event");
        let meta = lines.next().expect("metadata line");
        let (note, rest) = meta.split_once(" |C:").expect("|C:");
        let (colour, rest) = rest.split_once(" |M:").expect("|M:");
        let (name, duration) = rest.split_once(" |D:").expect("|D:");
        out.push(ResolveMarker {
            frame,
            note: note.to_owned(),
            colour: colour.to_owned(),
            name: name.to_owned(),
            duration: duration.parse().expect("|D: frames"),
        });
    }
    out
}

#[test]
fn resolve_edl_golden_and_read_back() {
    for rate in &RATES {
        let ctx = rate.context();
        let markers = sorted(&marker_set(rate));
        let text = resolve_edl::export(&markers, &ctx);
        golden(&format!("resolve_{}.edl", rate.tag), text.as_bytes());
        let back = parse_resolve_edl(&text, rate);
        assert_eq!(back.len(), markers.len());
        for (got, m) in back.iter().zip(&markers) {
            assert_eq!(got.frame, m.frame, "{} at {}", m.text, rate.tag);
            assert_eq!(got.duration, m.duration_frames());
            assert_eq!(got.colour, m.category.resolve_colour());
            assert!(got.name.starts_with(m.category.label()), "{}", got.name);
            assert!(!got.note.contains('|') && !got.name.contains('|'));
            assert!(
                !got.note
                    .starts_with(|c: char| c.is_ascii_digit() || c == '*')
            );
            let status_prefix = if m.status == Status::Addressed {
                "[addressed] "
            } else {
                ""
            };
            let expected = format!("{status_prefix}{}", one_line(&m.text).replace('|', "/"));
            let note = got.note.strip_prefix("- ").unwrap_or(&got.note);
            assert_eq!(note, expected);
        }
    }
}

#[test]
fn cmx_edl_golden_and_read_back() {
    for rate in &RATES {
        let ctx = rate.context();
        let markers = sorted(&marker_set(rate));
        let text = cmx_edl::export(&markers, &ctx);
        golden(&format!("cmx_{}.edl", rate.tag), text.as_bytes());
        // The one event covers the programme with source = record.
        let event = text.split("\r\n").nth(3).expect("event line");
        let fields: Vec<&str> = event.split_whitespace().collect();
        assert_eq!(fields.len(), 8, "{event}");
        assert_eq!((fields[4], fields[5]), (fields[6], fields[7]));
        assert_eq!(media_frame(rate, fields[4]), 0);
        let locs: Vec<(u64, &str, &str)> = text
            .split("\r\n")
            .filter_map(|l| l.strip_prefix("* LOC: "))
            .map(|l| {
                let (tc, rest) = l.split_at(11);
                let rest = rest.strip_prefix(' ').expect("space after timecode");
                let (colour, comment) = rest.split_at(7);
                (media_frame(rate, tc), colour.trim_end(), &comment[1..])
            })
            .collect();
        assert_eq!(locs.len(), markers.len());
        for ((frame, colour, comment), m) in locs.iter().zip(&markers) {
            assert_eq!(*frame, m.frame, "{} at {}", m.text, rate.tag);
            assert!(*frame < media_frame(rate, fields[5]), "inside the event");
            assert_eq!(*colour, m.category.avid_colour().to_uppercase());
            assert!(comment.starts_with(m.category.tag()), "{comment}");
            assert!(!comment.contains(['\t', '\n', '\r']));
        }
    }
}

#[test]
fn protools_midi_golden_and_read_back_with_mido() {
    for rate in &RATES {
        let ctx = rate.context();
        let markers = sorted(&marker_set(rate));
        let smf = protools_midi::export(&markers, &ctx, &protools_midi::ProToolsOptions::default())
            .expect("export");
        let path = golden(&format!("protools_{}.mid", rate.tag), &smf);
        let mut args = vec![
            "midi".to_owned(),
            path.display().to_string(),
            "--rate".into(),
            format!("{}/{}", rate.num, rate.den),
            "--start".into(),
            rate.tc(1, 0, 0, 0),
        ];
        if rate.drop_frame {
            args.push("--drop".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let got = read_with_python(&args);
        assert_eq!(got["format"], 0);
        assert_eq!(got["ppq"], 9600);
        assert_eq!(got["tempo_us"], 500_000);
        let smpte = &got["smpte"];
        let want_rate = match rate.tag {
            "23976" => "24",
            "25" => "25",
            _ => "29.97",
        };
        assert_eq!(smpte["frame_rate"], want_rate, "{}", rate.tag);
        assert_eq!(smpte["hours"], 1);
        assert_eq!(smpte["minutes"], 0);
        assert_eq!(smpte["seconds"], 0);
        assert_eq!(smpte["frames"], 0);
        let read = got["markers"].as_array().expect("markers");
        assert_eq!(read.len(), markers.len(), "{}", rate.tag);
        for (r, m) in read.iter().zip(&markers) {
            assert_eq!(r["frame"], m.frame, "{} at {}", m.text, rate.tag);
            let text = r["text"].as_str().expect("text");
            assert!(text.is_ascii(), "{text}");
            let body = text.strip_prefix("[addressed] ").unwrap_or(text);
            assert!(body.starts_with(m.category.tag()), "{text}");
            if m.duration_frames() > 1 {
                // The range's last frame, as the window and the report show it.
                assert!(text.contains(&format!("[to {}]", ctx.timecode_of(m.end_exclusive() - 1))));
            }
        }
    }
}

/// Pre-roll: a session starting ten seconds before the media moves every tick, not the frames.
#[test]
fn protools_midi_session_start_read_back_with_mido() {
    let rate = &RATES[2];
    let ctx = rate.context();
    let pre = Timecode::parse(&rate.tc(0, 59, 50, 0), ctx.timecode_rate()).expect("tc");
    let ctx = ctx.with_session_start(pre).expect("session start");
    let markers = sorted(&marker_set(rate));
    let smf = protools_midi::export(&markers, &ctx, &protools_midi::ProToolsOptions::default())
        .expect("export");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("preroll.mid");
    std::fs::write(&path, smf).expect("write");
    let path = path.display().to_string();
    let start = rate.tc(1, 0, 0, 0);
    let got = read_with_python(&[
        "midi",
        &path,
        "--rate",
        "30000/1001",
        "--drop",
        "--start",
        &start,
    ]);
    assert_eq!(got["smpte"]["minutes"], 59);
    assert_eq!(got["smpte"]["seconds"], 50);
    let frames: Vec<u64> = got["markers"]
        .as_array()
        .expect("markers")
        .iter()
        .map(|m| m["frame"].as_u64().expect("frame"))
        .collect();
    assert_eq!(frames, markers.iter().map(|m| m.frame).collect::<Vec<_>>());
}

#[test]
fn fcpxml_golden_and_read_back_with_xml_parser() {
    for rate in &RATES {
        let ctx = rate.context();
        let markers = sorted(&marker_set(rate));
        let xml = fcpxml::export(&markers, &ctx);
        let path = golden(&format!("fcpxml_{}.fcpxml", rate.tag), xml.as_bytes());
        let got = read_with_python(&["fcpxml", &path.display().to_string()]);
        assert_eq!(got["frame_duration"], format!("{}/{}", rate.den, rate.num));
        assert_eq!(got["tc_format"], if rate.drop_frame { "DF" } else { "NDF" });
        assert_eq!(
            got["tc_start_frames"].as_i64(),
            Some(ctx.start_count()),
            "{}",
            rate.tag
        );
        let read = got["markers"].as_array().expect("markers");
        assert_eq!(read.len(), markers.len());
        for (r, m) in read.iter().zip(&markers) {
            assert_eq!(r["frame"], m.frame, "{} at {}", m.text, rate.tag);
            assert_eq!(r["duration_frames"], m.duration_frames());
            // FCPXML carries the text exactly, line breaks and tabs included.
            assert_eq!(r["note"], m.text.as_str());
            let completed = if m.status == Status::Addressed {
                "1"
            } else {
                "0"
            };
            assert_eq!(r["completed"], completed);
            assert!(
                r["value"]
                    .as_str()
                    .is_some_and(|v| v.starts_with(m.category.label()))
            );
        }
    }
}
