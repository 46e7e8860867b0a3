//! The review report as a producer signs it: printed to PDF by a headless browser (Chromium's
//! `--print-to-pdf`, what "Print → Save as PDF" does), then read back with poppler's tools, an
//! independent reader: `pdfinfo` for the page count, `pdftotext` for what each page says,
//! `pdftoppm` to render the pages to PNG (kept in `target/report-pdf/` to look at).
//!
//! For a five-note review the summary and the sign-off must share page 1 with the header; the
//! note text must not wrap every few words (the note column holds a sentence per line); the
//! rule ids wait for the appendix.

use crate::notes_cli::earmark;
use std::path::Path;
use std::process::Command;

const TONE: &str = "tests/fixtures/cache-sync/tone_1080p23976_62s.mov";

/// Five notes, one a range, one in Hindi, two addressed.
const NOTES_CSV: &str = "timecode,last_timecode,category,author,text,status\n\
01:00:02:00,,dialogue,Ana,The line at the door is buried under the rain; lift it 2 dB or duck the rain bed,open\n\
01:00:10:00,01:00:14:00,music,Ana,Score swells over the whole exchange and masks the last line of it,open\n\
01:00:20:12,,effects,Ana,Door slam is late by two frames against the picture,addressed\n\
01:00:31:00,,mix-balance,प्रिया,संवाद बहुत धीमा है; संगीत को थोड़ा कम करें,open\n\
01:00:45:03,,technical,Ana,Click in the left channel at the cut,addressed\n";

/// `notes_cli::ok`, saying which program failed.
fn ok(what: &str, o: std::process::Output) -> String {
    if !o.status.success() {
        eprintln!("{what} failed");
    }
    crate::notes_cli::ok(&o)
}

fn tool(name: &str, args: &[&str]) -> String {
    let o = Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} runs ({e}); `make test` installs it"));
    ok(name, o)
}

/// Chromium as Debian or Ubuntu names it.
fn chromium() -> &'static str {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("a headless Chromium (`make test` installs the chromium package)")
}

#[test]
fn a_five_note_report_prints_with_summary_and_sign_off_on_page_one() {
    let home = tempfile::tempdir().expect("tempdir");
    let media = Path::new(env!("CARGO_MANIFEST_DIR")).join(TONE);
    assert!(
        media.exists(),
        "{} missing: run `make fixtures`",
        media.display()
    );
    let media = media.display().to_string();
    let csv = home.path().join("notes.csv");
    std::fs::write(&csv, NOTES_CSV).expect("csv");
    ok(
        "import",
        earmark(
            home.path(),
            &["notes", "import", &media, &csv.display().to_string()],
        ),
    );
    let html = home.path().join("report.html");
    ok(
        "export",
        earmark(
            home.path(),
            &[
                "notes",
                "export",
                &media,
                "--format",
                "html",
                "-o",
                &html.display().to_string(),
                "--reviewer",
                "Ana Lima",
                "--show",
                "Harbour Road",
                "--episode",
                "104",
                "--mix-version",
                "v3",
            ],
        ),
    );
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-pdf");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).expect("out folder");
    let pdf = out.join("report.pdf");
    let profile = home.path().join("chromium-profile");
    tool(
        chromium(),
        &[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            // Containers give /dev/shm a few MB; Chromium then crashes printing without this.
            "--disable-dev-shm-usage",
            "--no-pdf-header-footer",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--print-to-pdf={}", pdf.display()),
            &format!("file://{}", html.display()),
        ],
    );
    let info = tool("pdfinfo", &[&pdf.display().to_string()]);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no page count in {info}"));
    let page = |n: usize| {
        tool(
            "pdftotext",
            &[
                "-layout",
                "-f",
                &n.to_string(),
                "-l",
                &n.to_string(),
                &pdf.display().to_string(),
                "-",
            ],
        )
    };
    let first = page(1);
    for want in [
        "Review report",
        "Harbour Road",
        "104",
        "v3",
        "3 notes still open",
        "3 open, 2 addressed.",
        "Sign-off",
        "Approved by",
    ] {
        assert!(first.contains(want), "page 1 lacks {want:?}:\n{first}");
    }
    // Five notes fit beside the appendix on a few pages; the appendix starts a page.
    assert!((2..=4).contains(&pages), "{pages} pages:\n{info}");
    let all: String = (1..=pages).map(page).collect::<Vec<_>>().join("\u{c}");
    let appendix = all.find("Appendix A").expect("appendix");
    assert!(
        all[..appendix].find("frame-size").is_none() && !first.contains("pix-standard"),
        "rule and profile ids only in the appendix"
    );
    // The note column is wide: the first note's opening words sit on one line.
    assert!(
        all.contains("The line at the door is buried"),
        "the note text wraps every few words:\n{all}"
    );
    assert!(all.contains("01:00:14:00"), "the range's last frame");
    tool(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "50",
            &pdf.display().to_string(),
            &out.join("page").display().to_string(),
        ],
    );
    let pngs = std::fs::read_dir(&out)
        .expect("pages")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "png"))
        })
        .count();
    assert_eq!(pngs, pages, "one PNG per page");
}
