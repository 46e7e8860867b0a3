//! Nothing Earmark decodes reaches the disk outside its own folders: a review in the real
//! window (playing picture and sound, a screenshot asked for), a loudness analysis, a still,
//! a report export and "review complete" run under `strace`, and every file any of them opens
//! for writing, creates, renames into place or links must be in the cache, data or config
//! folder, or be an output the user named. The media's own folder gets nothing: a decoded
//! picture or a sound buffer left beside a deleted review file would defeat deleting it.
//!
//! Deleting clears the cache of the file's content (see tests/checks/review_complete.rs); this test
//! proves there is nothing elsewhere to clear.

use crate::common;

use common::fixture;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// 30 fps with sound, so the review decodes picture and sound.
const FIXTURE: &str = "f30_720_g48_b.mov";

/// The system calls that put a name on the disk.
const TRACED: &str = "trace=open,openat,openat2,creat,rename,renameat,renameat2,link,linkat,\
                      symlink,symlinkat,mkdir,mkdirat,truncate,mknod,mknodat";

/// The folder fontconfig is told to cache in (see [`prepare_home`]), relative to the run's home.
/// fontconfig rebuilds its font cache there on the first run after fonts were installed, so
/// writes there are its own — provided that everything left in the folder afterwards *is* a
/// fontconfig cache (its magic number) or its `CACHEDIR.TAG`. A decoded picture or sound that
/// Earmark's own code wrote there, under any name, is caught by its content.
const FONT_CACHE: &str = "fc-cold";

/// A fontconfig cache file's first four bytes (`FC_CACHE_MAGIC_MMAP`, little-endian here).
const FC_CACHE_MAGIC: [u8; 4] = 0xFC02_FC04u32.to_le_bytes();

/// One call that writes, creates or names a file: the path and the trace line.
#[derive(Debug)]
struct Write {
    path: String,
    line: String,
}

/// What is in fontconfig's cache folder that fontconfig did not put there: every file must be a
/// cache (by its magic number), the cache folder's tag, or an output asked for. Names of the
/// intruders.
fn not_font_caches(folder: &Path, outputs: &[PathBuf]) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| {
            let name = e.file_name();
            let head = std::fs::read(e.path()).unwrap_or_default();
            let tag = name == "CACHEDIR.TAG" && head.starts_with(b"Signature: ");
            !tag && !head.starts_with(&FC_CACHE_MAGIC) && !outputs.contains(&e.path())
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// The calls a trace of one thread (`strace -ff`, so no call is split by another thread)
/// shows writing, creating or naming a file: opens with a write flag or `O_CREAT`, and the
/// target of every rename, link, mkdir. Failed calls (`= -1 …`) wrote nothing and are left out.
fn written_paths(trace: &str) -> Vec<Write> {
    let mut out: Vec<Write> = Vec::new();
    for line in trace.lines() {
        if line.contains("= -1 ") {
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
            out.push(Write {
                path: t.to_owned(),
                line: line.to_owned(),
            });
        }
    }
    out
}

/// Where Earmark may write: its own folders, the outputs asked for, and the kernel's device and
/// process files (sound card, GPU, `/proc/self`), which are not storage.
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

/// The writes of one traced run that break the promise: outside Earmark's folders and the
/// outputs, and not fontconfig's own cache (see [`FONT_CACHE`]).
fn stray_writes<'a>(writes: &'a [Write], h: &Path, outputs: &[PathBuf]) -> Vec<&'a Write> {
    let font_cache = h.join(FONT_CACHE);
    let only_caches = not_font_caches(&font_cache, outputs).is_empty();
    writes
        .iter()
        .filter(|w| {
            let p = Path::new(&w.path);
            let p = if p.is_relative() {
                h.join("media").join(p)
            } else {
                p.to_path_buf()
            };
            let fontconfigs = only_caches && p.starts_with(&font_cache);
            !allowed(&p, h, outputs) && !fontconfigs
        })
        .collect()
}

/// The environment every traced run gets: its own home and XDG folders, and a fontconfig whose
/// cache folder starts empty (outside Earmark's folders), as on the first run after fonts were
/// installed — the case where fontconfig writes.
fn prepare_home(h: &Path) {
    for d in ["media", "home", "out", FONT_CACHE] {
        std::fs::create_dir_all(h.join(d)).expect("folder");
    }
    let conf = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig>\n\
         <dir>/usr/share/fonts</dir>\n<cachedir>{}</cachedir>\n\
         <include ignore_missing=\"yes\">/etc/fonts/conf.d</include>\n</fontconfig>\n",
        h.join(FONT_CACHE).display()
    );
    std::fs::write(h.join("fonts.conf"), conf).expect("fonts.conf");
}

/// A prepared home (see [`prepare_home`]) with the fixture copied in as `media/ep1.mov`.
fn home_with_media() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    prepare_home(dir.path());
    let media = dir.path().join("media/ep1.mov");
    std::fs::copy(fixture(FIXTURE), &media).expect("copy");
    (dir, media)
}

/// Runs earmark under `strace -ff` (one trace file per thread) and returns every write of every
/// thread. Only the traced calls stop the program (`--seccomp-bpf`), so it runs at nearly its
/// own speed; stacks (`-k`) made the window's run ten times slower.
fn run_traced(h: &Path, what: &str, args: &[&str]) -> Vec<Write> {
    let dir = h.join(format!("trace-{}", what.replace(' ', "-")));
    std::fs::create_dir_all(&dir).expect("trace folder");
    let out = Command::new("strace")
        .args([
            "-ff",
            "--seccomp-bpf",
            "-qq",
            "-e",
            TRACED,
            "-e",
            "signal=none",
            "-o",
        ])
        .arg(dir.join("t"))
        .arg(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .current_dir(h.join("media"))
        .env("HOME", h.join("home"))
        .env("XDG_DATA_HOME", h.join("data"))
        .env("XDG_CACHE_HOME", h.join("cache"))
        .env("XDG_CONFIG_HOME", h.join("config"))
        .env("FONTCONFIG_FILE", h.join("fonts.conf"))
        .stdin(Stdio::null())
        .output()
        .expect("strace runs");
    assert!(
        out.status.success(),
        "{what} under strace: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut writes = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("traces").flatten() {
        let trace = std::fs::read_to_string(entry.path()).expect("trace");
        writes.extend(written_paths(&trace));
    }
    writes
}

fn strace_present() {
    assert!(
        Command::new("strace").arg("-V").output().is_ok(),
        "strace is missing: scripts/install-deps.sh test"
    );
}

fn describe(stray: &[&Write]) -> String {
    stray
        .iter()
        .map(|w| w.line.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_review_writes_only_to_earmarks_folders_and_the_outputs_asked_for() {
    let _device = crate::run::shared();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run through `make test` (scripts/with-test-env.sh starts Xvfb)"
    );
    strace_present();
    let (dir, media) = home_with_media();
    let h = dir.path();
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
    let mut font_cache = 0;
    for (what, args) in &runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let written = run_traced(h, what, &args);
        seen += written.len();
        in_cache += written
            .iter()
            .filter(|w| Path::new(&w.path).starts_with(h.join("cache")))
            .count();
        font_cache += written
            .iter()
            .filter(|w| Path::new(&w.path).starts_with(h.join(FONT_CACHE)))
            .count();
        let stray = stray_writes(&written, h, &outputs);
        assert!(
            stray.is_empty(),
            "{what} wrote outside Earmark's folders and the outputs asked for:\n{}",
            describe(&stray)
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
    // The font cache started cold, and the check told fontconfig's rebuild from Earmark's writes.
    assert!(
        font_cache > 0,
        "no font cache write seen: the cold-cache case was not exercised"
    );
    assert_eq!(
        not_font_caches(&h.join(FONT_CACHE), &[]),
        Vec::<String>::new()
    );
}

/// The check is not blind: Earmark's own code writing a decoded picture into the media's
/// folder, or into a folder and under a name a font cache would use, is caught.
#[test]
fn a_decoded_picture_written_in_the_wrong_place_fails_the_check() {
    let _device = crate::run::shared();
    strace_present();
    let (dir, media) = home_with_media();
    let h = dir.path();
    let m = media.to_str().expect("utf-8");
    let beside = h.join("media/frame.png");
    let disguised = h
        .join(FONT_CACHE)
        .join("4c599c202bc5c08e2d34565a40eac3b2-le64.cache-9");
    for (what, target) in [
        ("beside the media", &beside),
        ("as a font cache", &disguised),
    ] {
        let t = target.to_str().expect("utf-8");
        let written = run_traced(h, what, &["still", m, "--frame", "20", "-o", t]);
        assert!(target.exists(), "{what}: the still was written");
        // Nothing was asked for, so the decoded picture is a misplaced write.
        let stray = stray_writes(&written, h, &[]);
        assert!(
            stray
                .iter()
                .any(|w| Path::new(&w.path).parent() == target.parent()),
            "{what}: a decoded picture at {t} slipped through the check; writes seen:\n{}",
            describe(&written.iter().collect::<Vec<_>>())
        );
        // Asked for, the same write is fine.
        let stray = stray_writes(&written, h, std::slice::from_ref(target));
        assert!(stray.is_empty(), "{what}: {}", describe(&stray));
    }
}

#[test]
fn the_write_check_recognises_writes_and_ignores_reads() {
    let _device = crate::run::shared();
    let dir = tempfile::tempdir().expect("temp dir");
    let h = dir.path();
    let fc = h.join(FONT_CACHE);
    std::fs::create_dir_all(&fc).expect("font cache folder");
    let mut cache = FC_CACHE_MAGIC.to_vec();
    cache.extend([8, 0, 0, 0]);
    std::fs::write(fc.join("x-le64.cache-9"), cache).expect("cache");
    std::fs::write(
        fc.join("CACHEDIR.TAG"),
        "Signature: 8a477f597d28d172789f06886806bc55\n",
    )
    .expect("tag");
    let hs = h.display();
    let trace = format!(
        "openat(AT_FDCWD, \"/m/ep1.mov\", O_RDONLY|O_CLOEXEC) = 3\n\
         openat(AT_FDCWD, \"/m/frame.raw\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 4\n\
         openat(AT_FDCWD, \"/m/gone\", O_WRONLY|O_CREAT, 0666) = -1 EACCES (Permission denied)\n\
         renameat2(AT_FDCWD, \"/c/.tmp\", AT_FDCWD, \"/c/scan.json\", 0) = 0\n\
         mkdir(\"/c/earmark\", 0777) = 0\n\
         openat(AT_FDCWD, \"{hs}/{FONT_CACHE}/x-le64.cache-9.NEW\", O_RDWR|O_CREAT, 0666) = 5\n"
    );
    let writes = written_paths(&trace);
    let paths: Vec<&str> = writes.iter().map(|w| w.path.as_str()).collect();
    let in_fc = format!("{hs}/{FONT_CACHE}/x-le64.cache-9.NEW");
    assert_eq!(
        paths,
        ["/m/frame.raw", "/c/scan.json", "/c/earmark", in_fc.as_str()]
    );
    let outputs = [h.join("out/report.html")];
    assert!(allowed(&h.join("cache/earmark/x"), h, &outputs));
    assert!(allowed(&h.join("out/.report.html.tmp-1"), h, &outputs));
    assert!(allowed(Path::new("/dev/snd/pcmC0D0p"), h, &outputs));
    assert!(!allowed(&h.join("media/frame.raw"), h, &outputs));
    assert!(!allowed(Path::new("/tmp/frame.raw"), h, &outputs));
    // Only fontconfig's caches in its folder: its write there is its own.
    let stray = stray_writes(&writes, h, &outputs);
    let stray: Vec<&str> = stray.iter().map(|w| w.path.as_str()).collect();
    assert_eq!(stray, ["/m/frame.raw", "/c/scan.json", "/c/earmark"]);
    // A picture left there, under a cache's name, makes every write there suspect.
    let png = fc.join("y-le64.cache-9");
    std::fs::write(&png, b"\x89PNG\r\n\x1a\n").expect("picture");
    assert_eq!(not_font_caches(&fc, &[]), ["y-le64.cache-9"]);
    let stray = stray_writes(&writes, h, &outputs);
    assert_eq!(stray.len(), 4, "{stray:?}");
    // Unless it is the output asked for.
    assert!(not_font_caches(&fc, std::slice::from_ref(&png)).is_empty());
}
