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
body { font: 10.5pt/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #111; margin: 2em; }
h1 { font-size: 16pt; margin: 0 0 .2em; }
h2 { font-size: 12pt; margin: 1.4em 0 .4em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .25em .5em; border-bottom: 1px solid #ddd; }
table.facts th { width: 12em; font-weight: 600; }
table.notes th { background: #eee; }
td.tc { font-family: ui-monospace, 'DejaVu Sans Mono', monospace; white-space: nowrap; }
td.text { white-space: pre-wrap; }
td.thumb img { width: 160px; height: auto; display: block; }
.pass { color: #060; font-weight: 600; }
.fail { color: #a00; font-weight: 600; }
.muted { color: #666; }
.signoff { margin-top: 3em; break-inside: avoid; page-break-inside: avoid; }
.signoff p { margin: 2.2em 0 0; }
@media print {
  body { margin: 0; font-size: 9.5pt; }
  thead { display: table-header-group; }
  tr, img { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
@page { size: A4; margin: 15mm; }
";

/// The whole page.
pub fn render(r: &Report) -> String {
    let mut s = String::new();
    let title = format!("Review report: {}", escape(&r.file_name));
    // `write!` into a String cannot fail.
    write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n\
         <p class=\"muted\">Reviewer: {} · {}</p>\n",
        escape(&r.reviewer),
        escape(&r.date)
    )
    .ok();
    s.push_str("<h2>File</h2>\n<table class=\"facts\">\n");
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
    s.push_str("</table>\n<h2>Checks</h2>\n<table class=\"facts\">\n");
    fact(&mut s, "Spec check", &r.spec_check);
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
    s.push_str("</table>\n<h2>Listening</h2>\n<ul>\n");
    for line in &r.listening {
        writeln!(s, "<li>{}</li>", escape(line)).ok();
    }
    write!(s, "</ul>\n<h2>Notes ({})</h2>\n", r.notes.len()).ok();
    if r.notes.is_empty() {
        s.push_str("<p class=\"muted\">No notes.</p>\n");
    } else {
        s.push_str(
            "<table class=\"notes\">\n<thead><tr><th>#</th><th>Timecode</th><th>End</th>\
             <th>Category</th><th>Status</th><th>Author</th><th>Note</th><th>Picture</th></tr></thead>\n<tbody>\n",
        );
        for (i, n) in r.notes.iter().enumerate() {
            note_row(&mut s, i + 1, n);
        }
        s.push_str("</tbody>\n</table>\n");
    }
    access_section(&mut s, r);
    s.push_str(
        "<div class=\"signoff\">\n<h2>Sign-off</h2>\n\
         <p>Reviewed by: ______________________________ &nbsp; Date: ______________</p>\n\
         <p>Approved by: ______________________________ &nbsp; Date: ______________</p>\n\
         </div>\n</body>\n</html>\n",
    );
    s
}

/// Who opened and exported this file, from the access log.
fn access_section(s: &mut String, r: &Report) {
    writeln!(s, "<h2>Access log ({})</h2>", r.access.len()).ok();
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
    let setup = n
        .setup
        .as_deref()
        .map(|x| format!("<br><span class=\"muted\">{}</span>", escape(x)))
        .unwrap_or_default();
    let picture = match &n.thumbnail_png {
        Some(png) => format!(
            "<img alt=\"frame at {}\" src=\"data:image/png;base64,{}\">",
            escape(&n.timecode),
            base64::engine::general_purpose::STANDARD.encode(png)
        ),
        None => "<span class=\"muted\">no picture</span>".to_owned(),
    };
    writeln!(
        s,
        "<tr><td>{number}</td><td class=\"tc\">{}</td><td class=\"tc\">{}</td><td>{}</td>\
         <td>{}</td><td>{}</td><td class=\"text\">{}{setup}</td><td class=\"thumb\">{picture}</td></tr>",
        escape(&n.timecode),
        escape(&n.last_timecode),
        escape(&n.category),
        escape(&n.status),
        escape(&n.author),
        escape(&n.text),
    ).ok();
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
        assert!(html.contains("Access log (1)") && html.contains("&lt;i&gt;Ana&lt;/i&gt;"));
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
}
