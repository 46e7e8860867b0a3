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
//!
//! FCPXML is also validated against Apple's FCPXML 1.10 DTD (`tests/fixtures/fcpxml/`): always
//! by the Python reader's own small DTD validator, and by `xmllint --dtdvalid` where libxml2's
//! tool is installed. Its markers are read the way OpenTimelineIO reads them: from the
//! asset-clip of the review file, placed on the timeline through the clip's offset and start.

use earmark::notes::markers::{
    Category, Marker, MarkerContext, MediaFile, Status, avid_txt, cmx_edl, csv, fcpxml, file_url,
    protools_midi, resolve_edl,
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

/// Where the FCPXML tests' review file "is": a space, `#` and Korean in the path, so the
/// media-rep's URL must be percent-encoded to be read back.
const FCPXML_MEDIA: &str = "/Volumes/Mix Stage/리뷰 HR_104 v3 #2.mov";

fn fcpxml_dtd() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fcpxml/FCPXMLv1_10.dtd")
}

/// `xmllint --dtdvalid` on `file`, where xmllint is installed (libxml2-utils); says so where not.
fn xmllint_valid(file: &Path) {
    match Command::new("xmllint")
        .arg("--noout")
        .arg("--dtdvalid")
        .arg(fcpxml_dtd())
        .arg(file)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "xmllint: {} is not valid FCPXML 1.10: {}",
            file.display(),
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => eprintln!(
            "xmllint is not installed (libxml2-utils): {} validated by read_markers.py's DTD \
             check only",
            file.display()
        ),
    }
}

#[test]
fn fcpxml_golden_and_read_back_with_xml_parser() {
    for rate in &RATES {
        // The review file runs a whole hour, past the last note (the last frame of the hour).
        let frames = media_frame(rate, &rate.tc(2, 0, 0, 0));
        let ctx = rate.context().with_media(MediaFile {
            url: file_url(Path::new(FCPXML_MEDIA)),
            frames,
            picture: Some((1920, 1080)),
            sound: Some((48_000, 2)),
        });
        let markers = sorted(&marker_set(rate));
        let xml = fcpxml::export(&markers, &ctx);
        let path = golden(&format!("fcpxml_{}.fcpxml", rate.tag), xml.as_bytes());
        xmllint_valid(&path);
        let got = read_with_python(&[
            "fcpxml",
            &path.display().to_string(),
            "--dtd",
            &fcpxml_dtd().display().to_string(),
        ]);
        assert_eq!(got["frame_duration"], format!("{}/{}", rate.den, rate.num));
        assert_eq!(got["tc_format"], if rate.drop_frame { "DF" } else { "NDF" });
        assert_eq!(
            got["tc_start_frames"].as_i64(),
            Some(ctx.start_count()),
            "{}",
            rate.tag
        );
        // The clip is the whole review file, from its first frame, at the sequence's start.
        let asset = &got["asset"];
        assert_eq!(asset["path"], FCPXML_MEDIA);
        assert_eq!(asset["name"], ctx.media_name.as_str());
        assert_eq!(asset["start_frames"].as_i64(), Some(ctx.start_count()));
        assert_eq!(asset["duration_frames"], frames);
        assert_eq!(
            (&asset["has_video"], &asset["has_audio"]),
            (&"1".into(), &"1".into())
        );
        assert_eq!(
            (&asset["width"], &asset["height"]),
            (&"1920".into(), &"1080".into())
        );
        assert_eq!(asset["audio_channels"], "2");
        assert_eq!(asset["audio_rate"], "48000");
        assert_eq!(
            got["clip"]["offset_frames"].as_i64(),
            Some(ctx.start_count())
        );
        assert_eq!(
            got["clip"]["start_frames"].as_i64(),
            Some(ctx.start_count())
        );
        assert_eq!(got["clip"]["duration_frames"], frames);
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

/// Runs the reader on `xml` (written to a temporary file); its exit status and stderr.
fn python_reads_fcpxml(xml: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("x.fcpxml");
    std::fs::write(&file, xml).expect("write");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers/read_markers.py");
    let out = Command::new(python())
        .arg(script)
        .args(["fcpxml", &file.display().to_string(), "--dtd"])
        .arg(fcpxml_dtd())
        .output()
        .expect("run read_markers.py");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The reader's DTD check and clip rule are real: a file FCP would refuse, or one whose markers
/// a clip-based reader never sees (today's fallback without the media file: a gap), fails.
#[test]
fn fcpxml_reader_refuses_what_fcp_or_otio_would_not_take() {
    let rate = &RATES[0];
    let ctx = rate.context().with_media(MediaFile {
        url: file_url(Path::new(FCPXML_MEDIA)),
        frames: 100_000,
        picture: Some((1920, 1080)),
        sound: None,
    });
    let good = fcpxml::export(&sorted(&marker_set(rate)), &ctx);
    assert_eq!(python_reads_fcpxml(&good), (true, String::new()));
    for (what, from, to, why) in [
        (
            "an attribute the DTD lacks",
            "completed=\"0\"",
            "completed=\"0\" colour=\"red\"",
            "not declared",
        ),
        (
            "a required attribute missing",
            "<asset-clip ref=\"r2\" ",
            "<asset-clip ",
            "lacks required attribute 'ref'",
        ),
        (
            "children out of the DTD's order",
            "<media-rep",
            "<metadata/><media-rep",
            "content model",
        ),
        (
            "a value outside an enumeration",
            "tcFormat=\"NDF\">",
            "tcFormat=\"ndf\">",
            "is not one of",
        ),
        (
            "a reference to nothing",
            "ref=\"r2\"",
            "ref=\"r7\"",
            "refers to no element",
        ),
    ] {
        let bad = good.replacen(from, to, 1);
        assert_ne!(bad, good, "{what}");
        let (ok, err) = python_reads_fcpxml(&bad);
        assert!(!ok && err.contains(why), "{what}: {err}");
    }
    // Without the media file the markers sit on a gap: valid FCPXML, but no clip holds them.
    let gap = fcpxml::export(&sorted(&marker_set(rate)), &rate.context());
    let (ok, err) = python_reads_fcpxml(&gap);
    assert!(!ok && err.contains("sits on <gap>"), "{err}");
}

/// 29.97 drop-frame notes of the DF fixture, from its first frame to its last.
const DF_NOTES_CSV: &str = "timecode,last_timecode,category,author,text\n\
00:00:59;00,,technical,QC,first frame\n\
00:01:00;02,00:01:00;09,dialogue,QC,after the dropped labels\n\
00:01:03;01,,music,\"김, 지수\",마지막 프레임\n";

/// The real thing end to end: `earmark notes export --format fcpxml` of a review file whose
/// path has a space, `#` and Korean in it links that file (absolute, percent-encoded), lasts as
/// long as it does, and carries every note at its frame on the clip.
#[test]
fn exported_fcpxml_links_the_review_file_and_carries_the_notes() {
    use crate::notes_cli::{earmark, ok};
    let home = tempfile::tempdir().expect("tempdir");
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cache/f2997df_720_g1.mov");
    assert!(
        fixture.exists(),
        "{} missing: run `make fixtures`",
        fixture.display()
    );
    let folder = home.path().join("Mix Stage");
    std::fs::create_dir_all(&folder).expect("folder");
    let media = folder.join("리뷰 #2 v3.mov");
    std::fs::copy(&fixture, &media).expect("copy the fixture");
    let m = media.display().to_string();
    let csv = home.path().join("notes.csv");
    std::fs::write(&csv, DF_NOTES_CSV).expect("csv");
    ok(&earmark(
        home.path(),
        &["notes", "import", &m, &csv.display().to_string()],
    ));
    let out = home.path().join("notes.fcpxml");
    ok(&earmark(
        home.path(),
        &[
            "notes",
            "export",
            &m,
            "--format",
            "fcpxml",
            "-o",
            &out.display().to_string(),
        ],
    ));
    xmllint_valid(&out);
    let got = read_with_python(&[
        "fcpxml",
        &out.display().to_string(),
        "--dtd",
        &fcpxml_dtd().display().to_string(),
    ]);
    let real = std::fs::canonicalize(&media).expect("canonical path");
    assert_eq!(got["asset"]["path"], real.display().to_string());
    assert!(
        got["asset"]["src"]
            .as_str()
            .is_some_and(|s| s.starts_with("file:///")
                && s.contains("/Mix%20Stage/")
                && s.ends_with("%232%20v3.mov")),
        "{}",
        got["asset"]["src"]
    );
    assert_eq!(got["asset"]["name"], "리뷰 #2 v3.mov");
    // 120 frames of 29.97 DF from 00:00:59;00, picture only.
    assert_eq!(got["asset"]["duration_frames"], 120);
    assert_eq!(got["asset"]["has_video"], "1");
    assert_eq!(got["asset"]["has_audio"], "0");
    assert_eq!(
        (&got["asset"]["width"], &got["asset"]["height"]),
        (&"1280".into(), &"720".into())
    );
    assert_eq!(got["tc_format"], "DF");
    assert_eq!(got["frame_duration"], "1001/30000");
    let frames: Vec<(u64, u64, String)> = got["markers"]
        .as_array()
        .expect("markers")
        .iter()
        .map(|r| {
            (
                r["frame"].as_u64().expect("frame"),
                r["duration_frames"].as_u64().expect("duration"),
                r["note"].as_str().expect("note").to_owned(),
            )
        })
        .collect();
    assert_eq!(
        frames,
        [
            (0, 1, "first frame".to_owned()),
            (30, 8, "after the dropped labels".to_owned()),
            (119, 1, "마지막 프레임".to_owned()),
        ]
    );
}
