//! The report as one self-contained HTML page: inline CSS, inline PNG thumbnails as `data:`
//! URIs, no scripts and nothing fetched, so it can be mailed, archived and printed to PDF as it
//! is. The print rules keep a note's row on one page, repeat the table header on each page and
//! keep the sign-off lines together.
//!
//! Every string from outside (file names, note text, authors, device names) goes through
//! [`escape`]: a note may hold `<script>` or `&` and must show as typed, never run.

use super::{Report, ReportNote};
use base64::Engine as _;
use std::fmt::Write as _;

/// HTML text with `&`, `<`, `>`, `"` and `'` escaped (safe in text and in quoted attributes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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
fn field(value: &Option<String>) -> String {
    match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => escape(v),
        None => "<span class=\"fill\">&nbsp;</span>".to_owned(),
    }
}

/// The whole page: on page 1 what was reviewed, the summary and the sign-off; then the notes;
/// then the appendices (file facts and checks with their ids, the listening set-up, the
/// access log).
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let title = format!("Review report: {}", escape(&r.file_name));
    // `write!` into a String cannot fail.
    write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>Review report</h1>\n\
         <table class=\"facts\">\n"
    )
    .ok();
    writeln!(s, "<tr><th>Show</th><td>{}</td></tr>", field(&r.show)).ok();
    writeln!(s, "<tr><th>Episode</th><td>{}</td></tr>", field(&r.episode)).ok();
    writeln!(
        s,
        "<tr><th>Mix version</th><td>{}</td></tr>",
        field(&r.mix_version)
    )
    .ok();
    fact(&mut s, "File", &r.file_name);
    fact(&mut s, "Reviewer", &r.reviewer);
    fact(&mut s, "Report made", &r.date);
    s.push_str("</table>\n");
    summary_box(&mut s, r);
    s.push_str(
        "<div class=\"signoff\">\n<h2>Sign-off</h2>\n\
         <p>Reviewed by: ______________________________ &nbsp; Date: ______________</p>\n\
         <p>Approved by: ______________________________ &nbsp; Date: ______________</p>\n\
         </div>\n",
    );
    writeln!(s, "<h2>Notes ({})</h2>", r.notes.len()).ok();
    if r.notes.is_empty() {
        s.push_str("<p class=\"muted\">No notes.</p>\n");
    } else {
        s.push_str(
            "<table class=\"notes\">\n<colgroup><col class=\"n\"><col class=\"where\">\
             <col class=\"what\"><col><col class=\"pic\"></colgroup>\n\
             <thead><tr><th>#</th><th>Where</th><th>What</th><th>Note</th><th>Picture</th></tr></thead>\n<tbody>\n",
        );
        for (i, n) in r.notes.iter().enumerate() {
            note_row(&mut s, i + 1, n);
        }
        s.push_str("</tbody>\n</table>\n");
    }
    s.push_str("<div class=\"appendix\">\n<h2>Appendix A: the file and its checks</h2>\n<table class=\"facts\">\n");
    fact(&mut s, "Name", &r.file_name);
    fact(&mut s, "Size", &format!("{} bytes", r.file_size));
    writeln!(
        s,
        "<tr><th>SHA-256</th><td class=\"tc\">{}</td></tr>",
        escape(&r.sha256)
    )
    .ok();
    for (k, v) in &r.probe {
        fact(&mut s, k, v);
    }
    fact(&mut s, "Delivery check", &r.spec_check);
    for (k, v) in &r.loudness {
        fact(&mut s, k, v);
    }
    if let Some((pass, line)) = &r.loudness_verdict {
        writeln!(
            s,
            "<tr><th>Loudness verdict</th><td class=\"{}\">{}</td></tr>",
            if *pass { "pass" } else { "fail" },
            escape(line)
        )
        .ok();
    }
    s.push_str("</table>\n<h2>Appendix B: the listening set-up</h2>\n<ul>\n");
    for line in &r.listening {
        writeln!(s, "<li>{}</li>", escape(line)).ok();
    }
    s.push_str("</ul>\n");
    access_section(&mut s, r);
    s.push_str("</div>\n</body>\n</html>\n");
    s
}

/// The summary box: the verdict in words, the counts, who reviewed on what, loudness and
/// delivery in a sentence each.
fn summary_box(s: &mut String, r: &Report) {
    let m = &r.summary;
    writeln!(
        s,
        "<div class=\"summary\">\n<p class=\"verdict {}\">{}</p>\n\
         <p>{} open, {} addressed.</p>\n<p>{}</p>",
        if m.ready { "ready" } else { "notready" },
        escape(&m.verdict),
        m.open,
        m.addressed,
        escape(&m.reviewed_on),
    )
    .ok();
    if let Some(l) = &m.loudness {
        writeln!(s, "<p>{}</p>", escape(l)).ok();
    }
    writeln!(s, "<p>{}</p>\n</div>", escape(&m.delivery)).ok();
}

/// Who opened and exported this file, from the access log.
fn access_section(s: &mut String, r: &Report) {
    writeln!(s, "<h2>Appendix C: access log ({})</h2>", r.access.len()).ok();
    if let Some(p) = &r.access_problem {
        writeln!(s, "<p class=\"muted\">{}</p>", escape(p)).ok();
    }
    if r.access.is_empty() {
        s.push_str("<p class=\"muted\">No access recorded for this file.</p>\n");
        return;
    }
    s.push_str(
        "<table class=\"notes\">\n<thead><tr><th>Time (UTC)</th><th>Event</th><th>Who</th>\
         <th>Where</th></tr></thead>\n<tbody>\n",
    );
    for a in &r.access {
        let detail = if a.detail.is_empty() {
            String::new()
        } else {
            format!("<br><span class=\"muted\">{}</span>", escape(&a.detail))
        };
        writeln!(
            s,
            "<tr><td class=\"tc\">{}</td><td>{}</td><td>{}</td><td>{}{detail}</td></tr>",
            escape(&a.time),
            escape(&a.event),
            escape(&a.who),
            escape(&a.path),
        )
        .ok();
    }
    s.push_str("</tbody>\n</table>\n");
}

fn fact(s: &mut String, key: &str, value: &str) {
    writeln!(
        s,
        "<tr><th>{}</th><td>{}</td></tr>",
        escape(key),
        escape(value)
    )
    .ok();
}

fn note_row(s: &mut String, number: usize, n: &ReportNote) {
    let by = if n.author.is_empty() {
        String::new()
    } else {
        format!("<br><span class=\"muted\">{}</span>", escape(&n.author))
    };
    let setup = n
        .setup
        .as_deref()
        .map(|x| format!("<br><span class=\"muted\">heard on {}</span>", escape(x)))
        .unwrap_or_default();
    let picture = match &n.thumbnail_png {
        Some(png) => format!(
            "<img alt=\"frame at {}\" src=\"data:image/png;base64,{}\">",
            escape(&n.timecode),
            base64::engine::general_purpose::STANDARD.encode(png)
        ),
        None => "<span class=\"muted\">no picture</span>".to_owned(),
    };
    // A range as its first and last frame, as the window shows it.
    let place = if n.last_timecode.is_empty() {
        escape(&n.timecode)
    } else {
        format!("{}<br>– {}", escape(&n.timecode), escape(&n.last_timecode))
    };
    writeln!(
        s,
        "<tr><td>{number}</td><td class=\"tc\">{place}</td><td>{}<br><span class=\"muted\">{}</span></td>\
         <td class=\"text\">{}{by}{setup}</td><td class=\"thumb\">{picture}</td></tr>",
        escape(&n.category),
        escape(&n.status),
        escape(&n.text),
    )
    .ok();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outside_string_is_escaped() {
        let r = Report {
            file_name: "a&b <x>.mov".into(),
            reviewer: "O'Neil \"Q\"".into(),
            notes: vec![ReportNote {
                timecode: "01:00:00:00".into(),
                text: "<script>alert(1)</script> & more".into(),
                author: "<b>".into(),
                thumbnail_png: Some(vec![0x89, b'P', b'N', b'G']),
                ..ReportNote::default()
            }],
            access: vec![super::super::ReportAccess {
                time: "2026-05-01T14:03:07.125Z".into(),
                event: "open".into(),
                who: "<i>Ana</i>".into(),
                path: "/m/a&b.mov".into(),
                detail: "<script>x</script>".into(),
            }],
            ..Report::default()
        };
        let html = render(&r);
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("access log (1)") && html.contains("&lt;i&gt;Ana&lt;/i&gt;"));
        assert!(!html.contains("<i>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"));
        assert!(html.contains("a&amp;b &lt;x&gt;.mov"));
        assert!(html.contains("O&#39;Neil &quot;Q&quot;"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("src=\"data:image/png;base64,iVBORw==\""));
        assert_eq!(html.matches("<img").count(), 1);
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
            summary: super::super::Summary {
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
        // Rule ids only after the appendix starts.
        assert!(html.find("frame-size").expect("id") > appendix);
    }
}
