//! The report as one self-contained HTML page: inline CSS, inline PNG thumbnails as `data:`
//! URIs, no scripts and nothing fetched, so it can be mailed, archived and printed to PDF as it
//! is. The print rules keep a note's row on one page, repeat the table header on each page and
//! keep the sign-off lines together.
//!
//! The page is a [`maud`] template, checked when Earmark is compiled: every string from outside
//! (file names, note text, authors, device names) is an `(expression)` in it, which maud
//! escapes (`&`, `<`, `>`, `"`; attributes are always double-quoted), so a note may hold
//! `<script>` or `&` and shows as typed, never runs. Nothing is written unescaped but the fixed
//! style sheet.

use super::{Report, ReportNote};
use base64::Engine as _;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The style sheet: fixed text, written as it is (CSS is raw text in HTML, where escapes are not
/// read), so it must never hold `</`.
const STYLE: &str = "
body { font: 10.5pt/1.4 system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans Devanagari', sans-serif; color: #111; margin: 2em; }
h1 { font-size: 16pt; margin: 0 0 .4em; }
h2 { font-size: 12pt; margin: 1.2em 0 .4em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .25em .5em; border-bottom: 1px solid #ddd; }
table.facts th { width: 11em; font-weight: 600; }
table.notes { table-layout: fixed; }
table.notes th { background: #eee; }
table.notes col.n { width: 2.2em; }
table.notes col.where { width: 8.5em; }
table.notes col.what { width: 7em; }
table.notes col.pic { width: 130px; }
td.tc { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; white-space: nowrap; }
td.text { white-space: pre-wrap; overflow-wrap: anywhere; }
td.thumb img { width: 120px; height: auto; display: block; }
.fill { display: inline-block; min-width: 16em; border-bottom: 1px solid #555; }
.summary { border: 2px solid #333; padding: .6em 1em; margin: 1em 0; break-inside: avoid; page-break-inside: avoid; }
.summary p { margin: .3em 0; }
.summary .verdict { font-size: 12pt; font-weight: 700; }
.ready { color: #060; }
.notready { color: #a00; }
.pass { color: #060; font-weight: 600; }
.fail { color: #a00; font-weight: 600; }
.muted { color: #666; }
.signoff { margin-top: 1.2em; break-inside: avoid; page-break-inside: avoid; }
.signoff p { margin: 1.6em 0 0; }
.appendix { break-before: page; page-break-before: always; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  thead { display: table-header-group; }
  tr, img { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
@page { size: A4; margin: 14mm; }
";

/// A header field: the value, or a line to fill in by hand.
fn field(value: Option<&str>) -> Markup {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => html! { (v) },
        None => html! { span.fill { "\u{a0}" } },
    }
}

/// A row of a facts table.
fn fact(key: &str, value: impl maud::Render) -> Markup {
    html! { tr { th { (key) } td { (value) } } "\n" }
}

/// The whole page: on page 1 what was reviewed, the summary and the sign-off; then the notes;
/// then the appendices (file facts and checks with their ids, the listening set-up, the
/// access log).
pub fn render(r: &Report) -> String {
    let page = html! {
        (DOCTYPE) "\n"
        html lang="en" {
            "\n"
            head {
                "\n"
                meta charset="utf-8"; "\n"
                title { "Review report: " (r.file_name) } "\n"
                // The fixed style sheet: text of this file, never of the report's data.
                style { (PreEscaped(STYLE)) } "\n"
            }
            "\n"
            body {
                "\n"
                h1 { "Review report" } "\n"
                table.facts {
                    "\n"
                    (fact("Show", field(r.show.as_deref())))
                    (fact("Episode", field(r.episode.as_deref())))
                    (fact("Mix version", field(r.mix_version.as_deref())))
                    (fact("File", &r.file_name))
                    (fact("Reviewer", &r.reviewer))
                    (fact("Report made", &r.date))
                }
                "\n"
                (summary_box(r))
                div.signoff {
                    "\n"
                    h2 { "Sign-off" } "\n"
                    p { "Reviewed by: ______________________________ \u{a0} Date: ______________" } "\n"
                    p { "Approved by: ______________________________ \u{a0} Date: ______________" } "\n"
                }
                "\n"
                h2 { "Notes (" (r.notes.len()) ")" } "\n"
                @if r.notes.is_empty() {
                    p.muted { "No notes." } "\n"
                } @else {
                    table.notes {
                        "\n"
                        colgroup { col.n; col.where; col.what; col; col.pic; } "\n"
                        thead { tr { th { "#" } th { "Where" } th { "What" } th { "Note" } th { "Picture" } } } "\n"
                        tbody {
                            "\n"
                            @for (i, n) in r.notes.iter().enumerate() {
                                (note_row(i + 1, n))
                            }
                        }
                        "\n"
                    }
                    "\n"
                }
                div.appendix {
                    "\n"
                    h2 { "Appendix A: the file and its checks" } "\n"
                    table.facts {
                        "\n"
                        (fact("Name", &r.file_name))
                        (fact("Size", format_args!("{} bytes", r.file_size)))
                        tr { th { "SHA-256" } td.tc { (r.sha256) } } "\n"
                        @for (k, v) in &r.probe {
                            (fact(k, v))
                        }
                        (fact("Delivery check", &r.spec_check))
                        @for (k, v) in &r.loudness {
                            (fact(k, v))
                        }
                        @if let Some((pass, line)) = &r.loudness_verdict {
                            tr {
                                th { "Loudness verdict" }
                                td class=(if *pass { "pass" } else { "fail" }) { (line) }
                            }
                            "\n"
                        }
                    }
                    "\n"
                    h2 { "Appendix B: the listening set-up" } "\n"
                    ul {
                        "\n"
                        @for line in &r.listening {
                            li { (line) } "\n"
                        }
                    }
                    "\n"
                    (access_section(r))
                }
                "\n"
            }
            "\n"
        }
        "\n"
    };
    page.into_string()
}

/// The summary box: the verdict in words, the counts, who reviewed on what, loudness and
/// delivery in a sentence each.
fn summary_box(r: &Report) -> Markup {
    let m = &r.summary;
    html! {
        div.summary {
            "\n"
            p.verdict.ready[m.ready].notready[!m.ready] { (m.verdict) } "\n"
            p { (m.open) " open, " (m.addressed) " addressed." } "\n"
            p { (m.reviewed_on) } "\n"
            @if let Some(l) = &m.loudness {
                p { (l) } "\n"
            }
            p { (m.delivery) } "\n"
        }
        "\n"
    }
}

/// Who opened and exported this file, from the access log.
fn access_section(r: &Report) -> Markup {
    html! {
        h2 { "Appendix C: access log (" (r.access.len()) ")" } "\n"
        @if let Some(p) = &r.access_problem {
            p.muted { (p) } "\n"
        }
        @if r.access.is_empty() {
            p.muted { "No access recorded for this file." } "\n"
        } @else {
            table.notes {
                "\n"
                thead { tr { th { "Time (UTC)" } th { "Event" } th { "Who" } th { "Where" } } } "\n"
                tbody {
                    "\n"
                    @for a in &r.access {
                        tr {
                            td.tc { (a.time) }
                            td { (a.event) }
                            td { (a.who) }
                            td {
                                (a.path)
                                @if !a.detail.is_empty() {
                                    br; span.muted { (a.detail) }
                                }
                            }
                        }
                        "\n"
                    }
                }
                "\n"
            }
            "\n"
        }
    }
}

/// One row of the notes table: number, place, category and status, the note with its author
/// and listening set-up, and the picture of its frame.
fn note_row(number: usize, n: &ReportNote) -> Markup {
    // Base64 (A–Z, a–z, 0–9, `+`, `/`, `=`) needs no escaping; it goes through maud's all
    // the same.
    let picture = n.thumbnail_png.as_ref().map(|png| {
        format!(
            "data:image/png;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(png)
        )
    });
    html! {
        tr {
            td { (number) }
            // A range as its first and last frame, as the window shows it.
            td.tc {
                (n.timecode)
                @if !n.last_timecode.is_empty() {
                    br; "– " (n.last_timecode)
                }
            }
            td { (n.category) br; span.muted { (n.status) } }
            td.text {
                (n.text)
                @if !n.author.is_empty() {
                    br; span.muted { (n.author) }
                }
                @if let Some(setup) = &n.setup {
                    br; span.muted { "heard on " (setup) }
                }
            }
            td.thumb {
                @match &picture {
                    Some(src) => img alt={ "frame at " (n.timecode) } src=(src);,
                    None => span.muted { "no picture" },
                }
            }
        }
        "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ReportAccess, Summary};
    use super::*;
    use serde_json::Value;
    use std::process::Command;

    /// The page as Python's html.parser reads it (`tests/readers/read_report.py`): a parser
    /// that shares no code with the template engine.
    fn parsed(html: &str) -> Value {
        let dir = tempfile::tempdir().expect("tempdir");
        let page = dir.path().join("report.html");
        std::fs::write(&page, html).expect("write page");
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/readers/read_report.py");
        let out = ["python3", "/usr/bin/python3"]
            .into_iter()
            .find_map(|py| Command::new(py).arg(&script).arg(&page).output().ok())
            .expect("python3 runs (its standard library's html.parser reads the page)");
        assert!(
            out.status.success(),
            "read_report.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("reader prints JSON");
        assert_eq!(v["problems"], Value::Array(vec![]), "{html}");
        v["tree"].clone()
    }

    /// Every element under `node`, depth first.
    fn elements(node: &Value) -> Vec<&Value> {
        let mut out = vec![node];
        for c in node["children"].as_array().into_iter().flatten() {
            if c.is_object() {
                out.extend(elements(c));
            }
        }
        out
    }

    /// The elements with this tag (and class, when given).
    fn find<'a>(tree: &'a Value, tag: &str, class: Option<&str>) -> Vec<&'a Value> {
        elements(tree)
            .into_iter()
            .filter(|e| e["tag"] == tag)
            .filter(|e| {
                class.is_none_or(|c| {
                    e["attrs"]["class"]
                        .as_str()
                        .is_some_and(|k| k.split(' ').any(|x| x == c))
                })
            })
            .collect()
    }

    /// An element's own text nodes, in order (not its children's).
    fn own_text(e: &Value) -> Vec<&str> {
        e["children"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    }

    /// All text under an element, `br` as a line break.
    fn text(e: &Value) -> String {
        if let Some(s) = e.as_str() {
            return s.to_owned();
        }
        if e["tag"] == "br" {
            return "\n".to_owned();
        }
        e["children"]
            .as_array()
            .into_iter()
            .flatten()
            .map(text)
            .collect()
    }

    /// The `td` of the facts row whose `th` reads `key`.
    fn fact_value(tree: &Value, key: &str) -> Vec<String> {
        find(tree, "tr", None)
            .into_iter()
            .filter_map(|tr| {
                let cells = tr["children"].as_array()?;
                let th = cells.iter().find(|c| c["tag"] == "th")?;
                let td = cells.iter().find(|c| c["tag"] == "td")?;
                (text(th) == key).then(|| text(td))
            })
            .collect()
    }

    const SCRIPT: &str = "<script>alert(1)</script>";
    const AUTHOR: &str = "\"><img src=x onerror=alert(1)>";
    const FILE: &str = "Mix &<>\"' v3.mov";
    const PNG: [u8; 4] = [0x89, b'P', b'N', b'G'];

    /// A report in which every string that comes from outside is hostile.
    fn hostile() -> Report {
        let h = |s: &str| s.to_owned();
        Report {
            show: Some(h(SCRIPT)),
            episode: Some(h(AUTHOR)),
            mix_version: Some(h(FILE)),
            summary: Summary {
                verdict: h(SCRIPT),
                ready: false,
                open: 1,
                addressed: 0,
                reviewed_on: h(AUTHOR),
                loudness: Some(h(FILE)),
                delivery: h(SCRIPT),
            },
            file_name: h(FILE),
            file_size: 12,
            sha256: h(AUTHOR),
            probe: vec![(h(AUTHOR), h(SCRIPT))],
            spec_check: h(AUTHOR),
            loudness: vec![(h(SCRIPT), h(FILE))],
            loudness_verdict: Some((false, h(AUTHOR))),
            listening: vec![h(SCRIPT), h(AUTHOR)],
            reviewer: h(AUTHOR),
            date: h(SCRIPT),
            notes: vec![ReportNote {
                timecode: h(AUTHOR),
                last_timecode: h(SCRIPT),
                category: h(AUTHOR),
                status: h(SCRIPT),
                author: h(AUTHOR),
                text: h(SCRIPT),
                setup: Some(h(FILE)),
                thumbnail_png: Some(PNG.to_vec()),
            }],
            access: vec![ReportAccess {
                time: h(SCRIPT),
                event: h(AUTHOR),
                who: h(AUTHOR),
                path: h(FILE),
                detail: h(SCRIPT),
            }],
            access_problem: Some(h(AUTHOR)),
        }
    }

    #[test]
    fn hostile_text_reads_back_as_typed_and_never_becomes_markup() {
        let r = hostile();
        let html = render(&r);
        let tree = parsed(&html);
        let all = elements(&tree);
        assert!(find(&tree, "script", None).is_empty(), "{html}");
        for e in &all {
            let attrs = e["attrs"].as_object().expect("attrs");
            assert!(
                attrs.keys().all(|k| !k.starts_with("on")),
                "an event handler attribute on <{}>: {attrs:?}",
                e["tag"]
            );
        }
        // The only picture is the thumbnail, with exactly the attributes written.
        let imgs = find(&tree, "img", None);
        assert_eq!(imgs.len(), 1, "{html}");
        let img = imgs[0]["attrs"].as_object().expect("attrs");
        assert_eq!(img.len(), 2, "{img:?}");
        assert_eq!(img["alt"], format!("frame at {AUTHOR}"));
        assert_eq!(img["src"], "data:image/png;base64,iVBORw==");
        // Only the elements the template writes.
        for e in &all {
            let tag = e["tag"].as_str().expect("tag");
            assert!(
                [
                    "#document",
                    "!DOCTYPE html",
                    "html",
                    "head",
                    "meta",
                    "title",
                    "style",
                    "body",
                    "h1",
                    "h2",
                    "table",
                    "colgroup",
                    "col",
                    "thead",
                    "tbody",
                    "tr",
                    "th",
                    "td",
                    "div",
                    "p",
                    "span",
                    "br",
                    "img",
                    "ul",
                    "li",
                ]
                .contains(&tag),
                "unexpected <{tag}> in the page"
            );
        }
        // Every string reads back exactly as given, where it was put.
        assert_eq!(
            text(find(&tree, "title", None)[0]),
            format!("Review report: {FILE}")
        );
        assert_eq!(fact_value(&tree, "Show"), [SCRIPT]);
        assert_eq!(fact_value(&tree, "Episode"), [AUTHOR]);
        assert_eq!(fact_value(&tree, "Mix version"), [FILE]);
        assert_eq!(fact_value(&tree, "File"), [FILE]);
        assert_eq!(fact_value(&tree, "Name"), [FILE]);
        assert_eq!(fact_value(&tree, "Reviewer"), [AUTHOR]);
        assert_eq!(fact_value(&tree, "Report made"), [SCRIPT]);
        assert_eq!(fact_value(&tree, "SHA-256"), [AUTHOR]);
        assert_eq!(fact_value(&tree, AUTHOR), [SCRIPT]);
        assert_eq!(fact_value(&tree, SCRIPT), [FILE]);
        assert_eq!(fact_value(&tree, "Delivery check"), [AUTHOR]);
        assert_eq!(fact_value(&tree, "Loudness verdict"), [AUTHOR]);
        let summary = find(&tree, "div", Some("summary"));
        let lines: Vec<String> = find(summary[0], "p", None).into_iter().map(text).collect();
        assert_eq!(
            lines,
            [SCRIPT, "1 open, 0 addressed.", AUTHOR, FILE, SCRIPT]
        );
        let listening: Vec<String> = find(&tree, "li", None).into_iter().map(text).collect();
        assert_eq!(listening, [SCRIPT, AUTHOR]);
        let note = find(&tree, "td", Some("text"));
        assert_eq!(note.len(), 1);
        assert_eq!(own_text(note[0]), [SCRIPT]);
        assert_eq!(
            text(note[0]),
            format!("{SCRIPT}\n{AUTHOR}\nheard on {FILE}")
        );
        let tbodies = find(&tree, "tbody", None);
        assert_eq!(tbodies.len(), 2, "the notes and the access log");
        let row = |body: &Value| -> Vec<String> {
            find(body, "td", None).into_iter().map(text).collect()
        };
        assert_eq!(
            row(tbodies[0]),
            [
                "1".to_owned(),
                format!("{AUTHOR}\n– {SCRIPT}"),
                format!("{AUTHOR}\n{SCRIPT}"),
                format!("{SCRIPT}\n{AUTHOR}\nheard on {FILE}"),
                String::new(),
            ]
        );
        assert_eq!(
            row(tbodies[1]),
            [
                SCRIPT.to_owned(),
                AUTHOR.to_owned(),
                AUTHOR.to_owned(),
                format!("{FILE}\n{SCRIPT}")
            ]
        );
        let muted: Vec<String> = find(&tree, "p", Some("muted"))
            .into_iter()
            .map(text)
            .collect();
        assert_eq!(muted, [AUTHOR]);
    }

    #[test]
    fn korean_japanese_and_hebrew_round_trip_exactly() {
        let texts = [
            ("대사가 음악에 묻혀요. 2 dB 올려 주세요", "김지수"),
            (
                "台詞が音楽に埋もれています。「もう少し」上げて",
                "山田 花子",
            ),
            ("הדיאלוג נבלע במוזיקה, להעלות ב־2 dB", "נועה לוי"),
        ];
        let r = Report {
            file_name: "리뷰 HR_104 ミックス v3.mov".into(),
            reviewer: "נועה לוי".into(),
            notes: texts
                .iter()
                .map(|(text, author)| ReportNote {
                    timecode: "01:00:00:00".into(),
                    text: (*text).into(),
                    author: (*author).into(),
                    ..ReportNote::default()
                })
                .collect(),
            ..Report::default()
        };
        let html = render(&r);
        let tree = parsed(&html);
        let cells = find(&tree, "td", Some("text"));
        assert_eq!(cells.len(), texts.len());
        for (cell, (text_, author)) in cells.iter().zip(texts) {
            assert_eq!(own_text(cell), [text_]);
            assert_eq!(text(cell), format!("{text_}\n{author}"));
            // As characters in the UTF-8 page, not as character references.
            assert!(html.contains(text_));
        }
        assert_eq!(fact_value(&tree, "File"), ["리뷰 HR_104 ミックス v3.mov"]);
        assert_eq!(fact_value(&tree, "Reviewer"), ["נועה לוי"]);
        let meta = find(&tree, "meta", None);
        assert_eq!(meta[0]["attrs"]["charset"], "utf-8");
    }

    #[test]
    fn the_style_sheet_cannot_end_its_element() {
        // It is written unescaped (CSS is raw text in HTML): it must not hold `</`.
        assert!(!STYLE.contains("</"));
        let html = render(&Report::default());
        let tree = parsed(&html);
        let style = find(&tree, "style", None);
        assert_eq!(style.len(), 1);
        assert_eq!(text(style[0]), STYLE);
    }

    #[test]
    fn a_missing_picture_and_empty_fields_read_as_such() {
        let r = Report {
            notes: vec![ReportNote {
                timecode: "01:00:00:00".into(),
                last_timecode: "01:00:01:00".into(),
                text: "x".into(),
                ..ReportNote::default()
            }],
            ..Report::default()
        };
        let html = render(&r);
        let tree = parsed(&html);
        assert!(find(&tree, "img", None).is_empty());
        let thumb = find(&tree, "td", Some("thumb"));
        assert_eq!(text(thumb[0]), "no picture");
        assert_eq!(
            find(&tree, "span", Some("fill")).len(),
            3,
            "show, episode, mix"
        );
        assert_eq!(fact_value(&tree, "Episode"), ["\u{a0}"]);
        let tc = find(&tree, "td", Some("tc"));
        assert_eq!(text(tc[0]), "01:00:00:00\n– 01:00:01:00");
        assert!(html.contains("No access recorded for this file."));
    }

    #[test]
    fn print_rules_keep_rows_whole() {
        let html = render(&Report::default());
        assert!(html.contains("@media print"));
        assert!(html.contains("page-break-inside: avoid"));
        assert!(html.contains("Sign-off"));
    }

    #[test]
    fn page_one_is_header_summary_and_sign_off_and_ids_wait_for_the_appendix() {
        let r = Report {
            show: Some("Harbour Road".into()),
            episode: None,
            file_name: "HR_104_mix_v3.mov".into(),
            reviewer: "Ana".into(),
            spec_check: "pix-standard: FAIL (frame-size)".into(),
            summary: Summary {
                verdict: "2 notes still open: not ready to sign.".into(),
                open: 2,
                addressed: 3,
                reviewed_on: "Reviewed by Ana on Sony MDR-7506.".into(),
                loudness: Some("The loudness is within the Netflix 2.0 target.".into()),
                delivery: "The file meets PIX Standard.".into(),
                ready: false,
            },
            ..Report::default()
        };
        let html = render(&r);
        let summary = html.find("class=\"summary\"").expect("summary");
        let signoff = html.find("Sign-off").expect("sign-off");
        let notes = html.find("<h2>Notes").expect("notes");
        let appendix = html.find("Appendix A").expect("appendix");
        assert!(summary < signoff && signoff < notes && notes < appendix);
        assert!(html.contains("Harbour Road"));
        assert!(
            html.contains("class=\"fill\""),
            "a line to fill in for the episode"
        );
        assert!(html.contains("2 open, 3 addressed."));
        assert!(html.contains("<p class=\"verdict notready\">"));
        // Rule ids only after the appendix starts.
        assert!(html.find("frame-size").expect("id") > appendix);
    }
}
