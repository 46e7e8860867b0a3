//! Earmark makes no network connections: review content stays on the machine. The real binary
//! runs a review in a real window (under the Xvfb and PulseAudio that `make test` starts) and
//! the commands around it (report export, review complete), and two independent witnesses
//! watch:
//!
//! - the kernel's socket tables: while the window runs, every socket among its open files
//!   (`/proc/<pid>/fd`) is looked up in `/proc/<pid>/net/{tcp,tcp6,udp,udp6,udplite,udplite6,
//!   raw,raw6}`; none may be there. X11 and PulseAudio talk over unix sockets, which are
//!   allowed (and must be seen, or the watching did not work);
//! - `strace -f -e trace=socket,connect`: a socket opened and closed between two looks is still
//!   in the trace; no `AF_INET`/`AF_INET6`/`AF_PACKET` socket or connect may appear.

use crate::common;

use common::fixture;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// 30 fps with sound, so a review plays picture and sound.
const FIXTURE: &str = "f30_720_g48_b.mov";

/// The network tables: a socket found in one of them is a network socket.
const INET_TABLES: [&str; 8] = [
    "tcp", "tcp6", "udp", "udp6", "udplite", "udplite6", "raw", "raw6",
];

/// One window at a time: on a two-core machine, windows painting side by side (in software)
/// would steal each other's frames.
static ONE_WINDOW: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn earmark(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_earmark"));
    env(&mut c, home);
    c
}

fn env(c: &mut Command, home: &Path) {
    c.env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .stdin(Stdio::null());
}

fn window_args<'a>(media: &'a str, shot: &'a str) -> [&'a str; 8] {
    [
        media,
        "--goto",
        "00:00:01:00",
        "--play-for",
        "1",
        "--screenshot",
        shot,
        "--exit",
    ]
}

/// The socket inodes among `pid`'s open files.
fn socket_inodes(pid: u32) -> Vec<u64> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| std::fs::read_link(e.path()).ok())
        .filter_map(|t| {
            let t = t.to_string_lossy().into_owned();
            t.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
        })
        .collect()
}

/// The inodes listed in `/proc/<pid>/net/<table>` (column `column`, after the header).
fn table_inodes(pid: u32, table: &str, column: usize) -> HashSet<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/net/{table}"))
        .unwrap_or_default()
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(column)?.parse().ok())
        .collect()
}

/// What each socket seen was, by kind ("unix", "netlink", "tcp", …, or "gone" when it closed
/// before it could be looked up).
#[derive(Default)]
struct Watch {
    kinds: BTreeMap<u64, String>,
    looks: usize,
}

impl Watch {
    fn look(&mut self, pid: u32) {
        let sockets = socket_inodes(pid);
        self.looks += 1;
        if sockets.is_empty() {
            return;
        }
        let mut tables: Vec<(String, HashSet<u64>)> = INET_TABLES
            .iter()
            .map(|t| ((*t).to_owned(), table_inodes(pid, t, 9)))
            .collect();
        tables.push(("unix".into(), table_inodes(pid, "unix", 6)));
        tables.push(("netlink".into(), table_inodes(pid, "netlink", 9)));
        for s in sockets {
            let kind = tables
                .iter()
                .find(|(_, set)| set.contains(&s))
                .map_or("gone".to_owned(), |(k, _)| k.clone());
            // A kind once seen is kept: "gone" never hides a network socket seen before.
            let entry = self.kinds.entry(s).or_insert_with(|| kind.clone());
            if entry == "gone" {
                *entry = kind;
            }
        }
    }

    fn network(&self) -> Vec<(u64, &str)> {
        self.kinds
            .iter()
            .filter(|(_, k)| INET_TABLES.contains(&k.as_str()))
            .map(|(s, k)| (*s, k.as_str()))
            .collect()
    }
}

/// Runs `cmd` to completion, looking at its sockets every few milliseconds.
fn run_watched(mut cmd: Command, what: &str) -> (Watch, String) {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let pid = child.id();
    let mut watch = Watch::default();
    let started = Instant::now();
    let status = loop {
        watch.look(pid);
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            child.kill().ok();
            panic!("{what} did not finish within 120 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut log = String::new();
    if let Some(mut err) = child.stderr.take() {
        std::io::Read::read_to_string(&mut err, &mut log).ok();
    }
    assert!(status.success(), "{what} exited with {status}: {log}");
    (watch, log)
}

/// The lines of an strace output that open or reach anything but a local socket.
fn network_calls(trace: &str) -> Vec<&str> {
    trace
        .lines()
        .filter(|l| {
            ["AF_INET", "PF_INET", "AF_PACKET", "PF_PACKET"]
                .iter()
                .any(|f| l.contains(f))
        })
        .collect()
}

#[test]
fn a_review_in_the_window_opens_only_local_sockets() {
    let _device = crate::run::shared();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run through `make test` (scripts/with-test-env.sh starts Xvfb)"
    );
    let _turn = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().expect("temp dir");
    let media = fixture(FIXTURE);
    let shot = home.path().join("shot.png");
    let mut cmd = earmark(home.path());
    cmd.args(window_args(
        media.to_str().expect("utf-8"),
        shot.to_str().expect("utf-8"),
    ));
    let (watch, log) = run_watched(cmd, "the review window");
    eprintln!(
        "{} looks at the window's sockets; seen: {:?}",
        watch.looks, watch.kinds
    );
    assert!(shot.exists(), "the review ran to its screenshot: {log}");
    assert!(
        watch.network().is_empty(),
        "network sockets: {:?} (all seen: {:?})",
        watch.network(),
        watch.kinds
    );
    assert!(
        watch.kinds.values().any(|k| k == "unix"),
        "the display and sound connections (unix sockets) were seen in {} looks: {:?}",
        watch.looks,
        watch.kinds
    );
}

#[test]
fn no_inet_socket_is_ever_opened_under_strace() {
    let _device = crate::run::shared();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run through `make test` (scripts/with-test-env.sh starts Xvfb)"
    );
    assert!(
        Command::new("strace").arg("-V").output().is_ok(),
        "strace is missing: scripts/install-deps.sh test"
    );
    let _turn = ONE_WINDOW.lock().unwrap_or_else(|p| p.into_inner());
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    // A copy, because the review ends by deleting it.
    let media = h.join("ep1.mov");
    std::fs::copy(fixture(FIXTURE), &media).expect("copy");
    let m = media.to_str().expect("utf-8").to_owned();
    let shot = h.join("shot.png");
    let report = h.join("report.html");
    let runs: Vec<(&str, Vec<String>)> = vec![
        (
            "the review window",
            window_args(&m, shot.to_str().expect("utf-8"))
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        ),
        (
            "the report export",
            ["notes", "export", &m, "--format", "html", "-o"]
                .iter()
                .map(|s| (*s).to_owned())
                .chain([report.display().to_string()])
                .collect(),
        ),
        (
            "review complete",
            ["review-complete", &m, "--yes"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        ),
    ];
    let mut all_sockets = 0;
    for (i, (what, args)) in runs.iter().enumerate() {
        let trace_path = h.join(format!("trace{i}.txt"));
        let mut cmd = Command::new("strace");
        cmd.args([
            "-f",
            "-qq",
            "-e",
            "trace=socket,connect",
            "-e",
            "signal=none",
            "-o",
        ])
        .arg(&trace_path)
        .arg(env!("CARGO_BIN_EXE_earmark"))
        .args(args);
        env(&mut cmd, h);
        let out = cmd.output().expect("strace runs");
        assert!(
            out.status.success(),
            "{what} under strace: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let trace = std::fs::read_to_string(&trace_path).expect("trace");
        let bad = network_calls(&trace);
        assert!(
            bad.is_empty(),
            "{what} reached for the network:\n{}",
            bad.join("\n")
        );
        all_sockets += trace.matches("socket(").count();
        if i == 0 {
            assert!(
                trace.contains("socket(AF_UNIX"),
                "the window's display connection is in the trace (strace saw the process):\n{trace}"
            );
        }
    }
    assert!(shot.exists() && report.exists() && !media.exists());
    assert!(all_sockets > 0);
}

/// A playlist naming a network address, saved as a review file: opening it must not reach out.
#[test]
fn a_file_that_points_at_the_network_is_not_followed() {
    let _device = crate::run::shared();
    let home = tempfile::tempdir().expect("temp dir");
    let h = home.path();
    let playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n\
                    http://127.0.0.1:9/segment.ts\n#EXT-X-ENDLIST\n";
    for name in ["ep1.m3u8", "ep1.mov"] {
        let file = h.join(name);
        std::fs::write(&file, playlist).expect("write");
        for command in ["probe", "loudness", "check"] {
            let trace_path = h.join("trace.txt");
            let mut cmd = Command::new("strace");
            cmd.args([
                "-f",
                "-qq",
                "-e",
                "trace=socket,connect",
                "-e",
                "signal=none",
                "-o",
            ])
            .arg(&trace_path)
            .arg(env!("CARGO_BIN_EXE_earmark"))
            .arg(command)
            .arg(&file);
            env(&mut cmd, h);
            let out = cmd.output().expect("strace runs");
            assert_eq!(
                out.status.code(),
                Some(2),
                "{command} {name}: refused as bad input: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let trace = std::fs::read_to_string(&trace_path).expect("trace");
            let bad = network_calls(&trace);
            assert!(bad.is_empty(), "{command} {name}:\n{}", bad.join("\n"));
        }
    }
}

#[test]
fn the_trace_check_recognises_a_network_socket() {
    let _device = crate::run::shared();
    let trace = "101 socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3\n\
                 101 connect(3, {sa_family=AF_UNIX, sun_path=\"/tmp/.X11-unix/X99\"}, 20) = 0\n\
                 102 socket(AF_INET6, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 7\n\
                 102 connect(7, {sa_family=AF_INET, sin_port=htons(53)}, 16) = 0\n";
    assert_eq!(network_calls(trace).len(), 2);
}
