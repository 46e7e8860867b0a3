//! Nothing Earmark decodes reaches the disk outside its own folders: a review in the real
//! window (playing picture and sound, a screenshot asked for), a loudness analysis, a still,
//! a report export and "review complete" run under `strace`, and every file any of them opens
//! for writing, creates, renames into place or links must be in the cache, data or config
//! folder, or be an output the user named. The media's own folder gets nothing: a decoded
//! picture or a sound buffer left beside a deleted review file would defeat deleting it.
//!
//! Deleting clears the cache of the file's content (see tests/review_complete.rs); this test
//! proves there is nothing elsewhere to clear.

mod common;

use common::fixture;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// 30 fps with sound, so the review decodes picture and sound.
const FIXTURE: &str = "f30_720_g48_b.mov";

/// The system calls that put a name on the disk.
const TRACED: &str = "trace=open,openat,openat2,creat,rename,renameat,renameat2,link,linkat,\
                      symlink,symlinkat,mkdir,mkdirat,truncate,mknod,mknodat";

/// The files a trace shows being written, created or named, with the call that did it:
/// opens with a write flag or `O_CREAT`, and the target of every rename, link, mkdir.
/// Failed calls (`= -1 …`) wrote nothing and are left out.
fn written_paths(trace: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in trace.lines() {
        if line.contains("= -1 ") || line.contains("<unfinished") || line.contains("resumed>") {
            continue;
        }
        let Some(call_at) = line.find(|c: char| c.is_ascii_alphabetic()) else {
            continue;
        };
        let call = &line[call_at..];
        let name = call.split('(').next().unwrap_or_default();
        let quoted: Vec<&str> = call.split('"').skip(1).step_by(2).collect();
        let target = match name {
            "open" | "openat" | "openat2" => {
                let writes = ["O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"]
                    .iter()
                    .any(|f| call.contains(f));
                if !writes {
                    continue;
                }
                quoted.first().copied()
            }
            "creat" | "mkdir" | "mkdirat" | "truncate" | "mknod" | "mknodat" => {
                quoted.first().copied()
            }
            "rename" | "renameat" | "renameat2" | "link" | "linkat" | "symlink" | "symlinkat" => {
                quoted.last().copied()
            }
            _ => None,
        };
        if let Some(t) = target {
            out.push((t.to_owned(), line.to_owned()));
        }
    }
    out
}

/// Where writing is allowed: the app's folders, the outputs asked for, and the kernel's
/// device and process files (sound card, GPU, `/proc/self`), which are not storage.
fn allowed(path: &Path, home: &Path, outputs: &[PathBuf]) -> bool {
    let own = ["cache", "data", "config"]
        .iter()
        .any(|d| path.starts_with(home.join(d)));
    // An output is written through a temporary file beside it, then renamed.
    let output = outputs.iter().any(|o| {
        path == o
            || (path.parent() == o.parent()
                && path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .zip(o.file_name().and_then(|n| n.to_str()))
                    .is_some_and(|(n, o)| n.contains(o)))
    });
    let kernel = ["/dev/", "/proc/", "/sys/"]
        .iter()
        .any(|d| path.starts_with(d));
    own || output || kernel
}

fn run_traced(home: &Path, what: &str, args: &[&str]) -> String {
    let trace_path = home.join(format!("trace-{}.txt", what.replace(' ', "-")));
    let out = Command::new("strace")
        .args(["-f", "-qq", "-e", TRACED, "-e", "signal=none", "-o"])
        .arg(&trace_path)
        .arg(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .current_dir(home.join("media"))
        .env("HOME", home.join("home"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::null())
        .output()
        .expect("strace runs");
    assert!(
        out.status.success(),
        "{what} under strace: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::read_to_string(&trace_path).expect("trace")
}

#[test]
fn a_review_writes_only_to_earmarks_folders_and_the_outputs_asked_for() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run through `make test` (scripts/with-test-env.sh starts Xvfb)"
    );
    assert!(
        Command::new("strace").arg("-V").output().is_ok(),
        "strace is missing: scripts/install-deps.sh test"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let h = dir.path();
    for d in ["media", "home", "out"] {
        std::fs::create_dir_all(h.join(d)).expect("folder");
    }
    let media = h.join("media/ep1.mov");
    std::fs::copy(fixture(FIXTURE), &media).expect("copy");
    let m = media.to_str().expect("utf-8");
    let shot = h.join("out/shot.png");
    let still = h.join("out/still.png");
    let report = h.join("out/report.html");
    let outputs = [shot.clone(), still.clone(), report.clone()];
    let s = |p: &Path| p.to_str().expect("utf-8").to_owned();
    let runs: Vec<(&str, Vec<String>)> = vec![
        (
            "review window",
            [
                m,
                "--goto",
                "00:00:01:00",
                "--play-for",
                "2",
                "--screenshot",
            ]
            .iter()
            .map(|a| (*a).to_owned())
            .chain([s(&shot), "--exit".into()])
            .collect(),
        ),
        ("loudness", vec!["loudness".into(), m.into()]),
        (
            "still",
            vec![
                "still".into(),
                m.into(),
                "--frame".into(),
                "20".into(),
                "-o".into(),
                s(&still),
            ],
        ),
        (
            "report export",
            ["notes", "export", m, "--format", "html", "-o"]
                .iter()
                .map(|a| (*a).to_owned())
                .chain([s(&report)])
                .collect(),
        ),
        (
            "review complete",
            vec!["review-complete".into(), m.into(), "--yes".into()],
        ),
    ];
    let mut seen = 0;
    let mut in_cache = 0;
    for (what, args) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let trace = run_traced(h, what, &args);
        let written = written_paths(&trace);
        seen += written.len();
        in_cache += written
            .iter()
            .filter(|(p, _)| Path::new(p).starts_with(h.join("cache")))
            .count();
        let stray: Vec<&str> = written
            .iter()
            .filter(|(p, _)| {
                let p = Path::new(p);
                let p = if p.is_relative() {
                    h.join("media").join(p)
                } else {
                    p.to_path_buf()
                };
                !allowed(&p, h, &outputs)
            })
            .map(|(_, line)| line.as_str())
            .collect();
        assert!(
            stray.is_empty(),
            "{what} wrote outside Earmark's folders and the outputs asked for:\n{}",
            stray.join("\n")
        );
    }
    assert!(shot.exists() && still.exists() && report.exists());
    assert!(!media.exists(), "review complete deleted the media");
    let left: Vec<_> = std::fs::read_dir(h.join("media"))
        .expect("media folder")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(left.is_empty(), "left beside the deleted media: {left:?}");
    // The trace saw the writes that do happen (the cache, the outputs): it was watching.
    assert!(
        seen > 0 && in_cache > 0,
        "{seen} writes seen, {in_cache} in the cache"
    );
}

#[test]
fn the_write_check_recognises_writes_and_ignores_reads() {
    let trace = "7 openat(AT_FDCWD, \"/m/ep1.mov\", O_RDONLY|O_CLOEXEC) = 3\n\
                 7 openat(AT_FDCWD, \"/m/frame.raw\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 4\n\
                 8 openat(AT_FDCWD, \"/m/gone\", O_WRONLY|O_CREAT, 0666) = -1 EACCES (Permission denied)\n\
                 8 renameat2(AT_FDCWD, \"/c/.tmp\", AT_FDCWD, \"/c/scan.json\", 0) = 0\n\
                 9 mkdir(\"/c/earmark\", 0777) = 0\n";
    let paths: Vec<String> = written_paths(trace).into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["/m/frame.raw", "/c/scan.json", "/c/earmark"]);
    let home = Path::new("/h");
    let outputs = [PathBuf::from("/h/out/report.html")];
    assert!(allowed(Path::new("/h/cache/earmark/x"), home, &outputs));
    assert!(allowed(
        Path::new("/h/out/.report.html.tmp-1"),
        home,
        &outputs
    ));
    assert!(allowed(Path::new("/dev/snd/pcmC0D0p"), home, &outputs));
    assert!(!allowed(Path::new("/h/media/frame.raw"), home, &outputs));
    assert!(!allowed(Path::new("/tmp/frame.raw"), home, &outputs));
}
