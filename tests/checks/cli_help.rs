//! The real binary's own description of its command line (issue 22): `--help` lists the values
//! of every enumerated flag (`--monitor`, `--preset`, `--signal`, `--fold-down`, `--interface`,
//! `--status`, `--format`); a value not among them is refused by the parser (exit 2, clap's
//! "invalid value" naming every valid one) while the spellings taken before they were enums still
//! work; `earmark completions SHELL` prints a script its shell accepts (`bash -n`, and `zsh -n` /
//! `fish -n` where installed); `earmark man` prints a roff page groff reads without a warning,
//! naming every command, and `earmark man --out DIR` writes a page per command.
//!
//! Each run gets its own config, data and cache folders through `XDG_*_HOME`.

use std::path::Path;
use std::process::{Command, Output};

const MONITOR: [&str; 9] = [
    "stereo",
    "mono",
    "left",
    "right",
    "swap",
    "mid",
    "side",
    "ltrt-centre",
    "ltrt-surround",
];
const PRESET: [&str; 6] = [
    "netflix",
    "ebu-r128",
    "atsc-a85",
    "streaming-14",
    "streaming-16",
    "none",
];
const SIGNAL: [&str; 10] = [
    "left-right",
    "left",
    "right",
    "polarity-a",
    "polarity-b",
    "balance",
    "reference",
    "ebu-match",
    "ltrt-centre",
    "ltrt-surround",
];
const FOLD: [&str; 2] = ["bs775", "ltrt"];
const INTERFACE: [&str; 6] = ["built-in", "usb", "bluetooth", "pci", "hdmi", "other"];
const STATUS: [&str; 2] = ["open", "addressed"];
const FORMAT: [&str; 7] = [
    "protools-midi",
    "avid-txt",
    "resolve-edl",
    "edl",
    "fcpxml",
    "csv",
    "html",
];
/// Every command `earmark` has (`headphones` and `notes` have their own).
const SUBCOMMANDS: [&str; 12] = [
    "probe",
    "loudness",
    "headphones",
    "notes",
    "calibrate",
    "check",
    "log",
    "review-complete",
    "still",
    "completions",
    "man",
    "help",
];

fn earmark_in(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs")
}

fn earmark(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("tempdir");
    earmark_in(home.path(), args)
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The text of a run that must succeed.
fn ok(args: &[&str]) -> String {
    let o = earmark(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

#[test]
fn help_lists_the_values_of_every_enumerated_flag() {
    let cases: [(&[&str], &str, &[&str]); 9] = [
        (&["--help"], "--monitor", &MONITOR),
        (&["--help"], "--fold-down", &FOLD),
        (&["calibrate", "--help"], "--signal", &SIGNAL),
        (&["calibrate", "--help"], "--monitor", &MONITOR),
        (&["loudness", "--help"], "--preset", &PRESET),
        (&["loudness", "--help"], "--fold-down", &FOLD),
        (&["notes", "export", "--help"], "--format", &FORMAT),
        (
            &["headphones", "match", "--help"],
            "--interface",
            &INTERFACE,
        ),
        (&["notes", "list", "--help"], "--status", &STATUS),
    ];
    for (args, flag, values) in cases {
        let long = ok(args);
        // The flag's own part of the help: from its line to the next flag's.
        let at = long
            .find(&format!("{flag} <"))
            .unwrap_or_else(|| panic!("{args:?} has no {flag}:\n{long}"));
        let part = &long[at..];
        let part = &part[..part[2..].find("\n  -").map_or(part.len(), |e| e + 2)];
        for v in values {
            assert!(
                part.contains(&format!("- {v}:")) || part.contains(&format!("- {v}\n")),
                "{args:?}: {flag} does not list {v}:\n{part}"
            );
        }
        // The short help lists them in one line.
        let short_args: Vec<&str> = args
            .iter()
            .map(|a| if *a == "--help" { "-h" } else { a })
            .collect();
        let short = ok(&short_args);
        assert!(
            short.contains(&format!("[possible values: {}]", values.join(", "))),
            "{short_args:?}: {flag}:\n{short}"
        );
    }
    // Defaults are shown.
    let help = ok(&["loudness", "--help"]);
    assert!(help.contains("[default: netflix]"), "{help}");
    // Values that come from files are not enumerated, but the help says where they are.
    let help = ok(&["check", "--help"]);
    assert!(
        help.contains("pix-standard") && help.contains("spec_profiles"),
        "{help}"
    );
    let help = ok(&["headphones", "match", "--help"]);
    assert!(help.contains("earmark headphones list"), "{help}");
}

#[test]
fn a_value_not_in_the_set_is_refused_with_the_valid_ones() {
    let home = tempfile::tempdir().expect("tempdir");
    let wav = home.path().join("missing.wav");
    let wav = wav.to_str().expect("utf-8 path");
    // (arguments, flag, valid values, the words the command used before the enums)
    let cases: [(Vec<&str>, &str, &[&str], &str); 9] = [
        (
            vec![wav, "--monitor", "loud", "--play-for", "1", "--exit"],
            "--monitor",
            &MONITOR,
            "unknown --monitor mode",
        ),
        (
            vec!["calibrate", "--signal", "pink", "--play-for", "1"],
            "--signal",
            &SIGNAL,
            "unknown --signal",
        ),
        (
            vec![
                "calibrate",
                "--signal",
                "left",
                "--play-for",
                "1",
                "--monitor",
                "Stereo",
            ],
            "--monitor",
            &MONITOR,
            "unknown --monitor mode",
        ),
        (
            vec!["loudness", "--preset", "loud", wav],
            "--preset",
            &PRESET,
            "unknown loudness preset",
        ),
        (
            vec!["loudness", "--fold-down", "5.1", wav],
            "--fold-down",
            &FOLD,
            "unknown fold-down",
        ),
        (
            vec!["notes", "export", wav, "--format", "pdf", "-o", "x.pdf"],
            "--format",
            &FORMAT,
            "unknown export format",
        ),
        (
            vec![
                "headphones",
                "match",
                "Chord Mojo 2",
                "--interface",
                "radio",
            ],
            "--interface",
            &INTERFACE,
            "unknown --interface",
        ),
        (
            vec!["notes", "list", "--status", "done"],
            "--status",
            &STATUS,
            "unknown status",
        ),
        (
            vec!["completions", "tcsh"],
            "<SHELL>",
            &["bash", "elvish", "fish", "powershell", "zsh"],
            "unknown shell",
        ),
    ];
    for (args, flag, values, words) in cases {
        let o = earmark_in(home.path(), &args);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.starts_with("error: invalid value '") && err.contains(&format!("for '{flag}")),
            "{args:?}: clap's own error:\n{err}"
        );
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(
            err.contains(&format!("possible values: {}", values.join(", "))),
            "{args:?}: names every valid value:\n{err}"
        );
        assert!(o.stdout.is_empty(), "{args:?}: nothing ran");
    }
    // A near miss gets clap's guess.
    let o = earmark_in(
        home.path(),
        &["calibrate", "--signal", "ltrt-center", "--play-for", "1"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean 'ltrt-centre'?"),
        "{}",
        stderr(&o)
    );
    // No value at all is clap's usual complaint, still naming the values.
    let o = earmark_in(home.path(), &["loudness", wav, "--preset"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ebu-r128"), "{}", stderr(&o));
}

#[test]
fn the_spellings_taken_before_the_enums_still_are() {
    let home = tempfile::tempdir().expect("tempdir");
    let wav = home.path().join("missing.wav");
    let wav = wav.to_str().expect("utf-8 path");
    // These get past the parser to the command, which then finds no file (exit 2, its own
    // message, not clap's).
    for args in [
        vec!["loudness", "--preset", "EBU R128", wav],
        vec!["loudness", "--preset", "NETFLIX", wav],
        vec!["loudness", "--preset", "Streaming −14", wav],
        vec!["loudness", "--fold-down", "LoRo", wav],
        vec!["loudness", "--fold-down", "lo/ro", wav],
        vec!["loudness", "--fold-down", "dplii", wav],
        vec!["loudness", "--fold-down", "LTRT", wav],
        vec![
            "notes", "export", wav, "--format", "avid-txt", "-o", "x.txt",
        ],
        vec![
            "notes",
            "export",
            wav,
            "--format",
            "html",
            "--preset",
            "atsc a/85",
            "-o",
            "x.html",
        ],
    ] {
        let o = earmark_in(home.path(), &args);
        let err = stderr(&o);
        assert!(!err.contains("invalid value"), "{args:?}: {err}");
        assert!(err.starts_with("earmark: "), "{args:?}: {err}");
    }
    // And these run to the end.
    for args in [
        vec!["calibrate", "--list", "--monitor", "ltrt-surround"],
        vec!["notes", "list", "--status", "Addressed"],
        vec!["notes", "list", "--status", "open", "--json"],
        vec![
            "headphones",
            "match",
            "Built-in Audio Analog Stereo",
            "--interface",
            "BUILTIN",
            "--json",
        ],
    ] {
        let o = earmark_in(home.path(), &args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    let signals = ok(&["calibrate", "--list"]);
    for s in SIGNAL {
        assert!(
            signals
                .lines()
                .any(|l| l.split_whitespace().next() == Some(s)),
            "--list names {s}:\n{signals}"
        );
    }
}

#[test]
fn completions_are_scripts_their_shells_accept() {
    let dir = tempfile::tempdir().expect("tempdir");
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = ok(&["completions", shell]);
        assert!(script.len() > 1000, "{shell}: {script}");
        let flag = if shell == "fish" {
            "-l monitor"
        } else {
            "--monitor"
        };
        for word in ["review-complete", "completions", "still", flag] {
            assert!(script.contains(word), "{shell} script names {word}");
        }
        // These three complete values too (elvish and PowerShell scripts complete flags only).
        if ["bash", "zsh", "fish"].contains(&shell) {
            for word in [
                "ltrt-surround",
                "ebu-r128",
                "polarity-b",
                "protools-midi",
                "bs775",
            ] {
                assert!(script.contains(word), "{shell} script offers {word}");
            }
        }
        let path = dir.path().join(format!("earmark.{shell}"));
        std::fs::write(&path, &script).expect("write script");
        // A syntax check by the shell itself, where it is installed (bash always is).
        let check = match shell {
            "bash" | "zsh" | "fish" => Some(shell),
            _ => None,
        };
        let Some(program) = check else { continue };
        let run = Command::new(program).arg("-n").arg(&path).output();
        match run {
            Ok(o) => assert!(o.status.success(), "{program} -n: {}", stderr(&o)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && shell != "bash" => {}
            Err(e) => panic!("{program}: {e}"),
        }
    }
    // bash: every command is offered after `earmark `.
    let script = ok(&["completions", "bash"]);
    for sub in SUBCOMMANDS {
        assert!(script.contains(sub), "bash completes {sub}");
    }
    let o = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {}; COMP_WORDS=(earmark calibrate --signal ''); COMP_CWORD=3; \
             COMP_LINE='earmark calibrate --signal '; COMP_POINT=${{#COMP_LINE}}; \
             _earmark earmark '' --signal; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            dir.path().join("earmark.bash").display()
        ))
        .output()
        .expect("bash runs");
    let offered = stdout(&o);
    for s in SIGNAL {
        assert!(
            offered.lines().any(|l| l == s),
            "bash offers --signal {s}: {offered}{}",
            stderr(&o)
        );
    }
}

#[test]
fn man_prints_a_roff_page_naming_every_command() {
    let page = ok(&["man"]);
    let th = page
        .lines()
        .find(|l| l.starts_with(".TH "))
        .unwrap_or_else(|| panic!("no .TH header:\n{page}"));
    assert!(th.starts_with(".TH earmark 1 "), "{th}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH OPTIONS", ".SH SUBCOMMANDS"] {
        assert!(page.contains(section), "{section}");
    }
    for sub in SUBCOMMANDS.iter().filter(|s| **s != "help") {
        let roff = format!("earmark\\-{}(1)", sub.replace('-', "\\-"));
        assert!(page.contains(&roff), "the page names {roff}");
    }
    // groff, where installed, reads it (UTF-8, through preconv as `man` does) without a
    // warning, and the text has the values.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("earmark.1");
    std::fs::write(&path, &page).expect("write page");
    match Command::new("groff")
        // Wide lines, no hyphenation, no bold or underline: plain text to search.
        .args([
            "-k",
            "-man",
            "-Tutf8",
            "-ww",
            "-rLL=300n",
            "-rHY=0",
            "-P-cbou",
        ])
        .arg(&path)
        .output()
    {
        Ok(o) => {
            assert!(o.status.success(), "groff: {}", stderr(&o));
            assert!(o.stderr.is_empty(), "groff warns: {}", stderr(&o));
            // `\-` may come out as a minus sign.
            let plain = stdout(&o).replace(['\u{2010}', '\u{2212}'], "-");
            for v in MONITOR.iter().chain(&FOLD) {
                assert!(plain.contains(v), "the page lists {v}:\n{plain}");
            }
            assert!(plain.contains("probe"), "{plain}");
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => panic!("groff: {e}"),
    }

    // --out: a page per command, each its own .TH.
    let out = dir.path().join("man1");
    let o = earmark(&["man", "--out", out.to_str().expect("utf-8")]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (name, title) in [
        ("earmark.1", ".TH earmark 1"),
        ("earmark-probe.1", ".TH earmark-probe 1"),
        ("earmark-calibrate.1", ".TH earmark-calibrate 1"),
        ("earmark-notes-export.1", ".TH earmark-notes-export 1"),
        (
            "earmark-headphones-match.1",
            ".TH earmark-headphones-match 1",
        ),
        ("earmark-completions.1", ".TH earmark-completions 1"),
    ] {
        let text =
            std::fs::read_to_string(out.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(text.contains(title), "{name}: {text}");
        assert!(stdout(&o).contains(name), "{name} is reported");
    }
    let calibrate = std::fs::read_to_string(out.join("earmark-calibrate.1")).expect("page");
    for s in SIGNAL {
        assert!(
            calibrate.contains(&s.replace('-', "\\-")),
            "calibrate page: {s}"
        );
    }
}
