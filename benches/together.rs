//! Reviewing together, on loopback (`make bench`, inside the test environment: PulseAudio null
//! sink for each participant's sound). Real processes, as users run them: a host and a guest
//! (`earmark FILE --host|--join … --exit --relay none`), the host driven on its standard input.
//! - control latency: a seek typed on the host until the guest prints that it stands on the
//!   frame — against the host's own seek (typed until the host prints it), measured in the same
//!   run, so the ratio is what sharing costs over reviewing alone;
//! - a note typed on one participant until the other prints it;
//! - re-convergence: a seek typed on the host while both play, until the guest has started
//!   again from there and runs within a frame of the host (its "starting with the host" line,
//!   then its "playing, ±X ms from the host" lines, every 100 ms while a start settles);
//! - what a session costs: CPU of each process over 10 s of a paused shared review, and their
//!   memory (RSS), against a review that is not shared (`--host` alone, nobody joined).
//!
//! No relay or impairment: this kernel has no netem (see shared/reference/together.md).

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

const SEEKS: usize = 30;
const RESEEKS: usize = 10;

/// The offset in a guest's `playing, ±X ms from the host` line.
fn offset_ms(line: &str) -> Option<f64> {
    line.strip_prefix("playing, ")?
        .strip_suffix(" ms from the host")?
        .parse()
        .ok()
}

fn earmark() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/earmark")
}

fn file() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cache-sync/sync_25.mov");
    if !p.exists() {
        eprintln!("{} is missing: run `make fixtures`", p.display());
        std::process::exit(2);
    }
    p
}

struct Seat {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    _home: tempfile::TempDir,
}

impl Seat {
    fn start(name: &str, role: &[&str]) -> Self {
        let home = tempfile::tempdir().expect("temp home");
        let mut child = Command::new(earmark())
            .arg(file())
            .args(role)
            .args([
                "--exit", "--relay", "none", "--device", "Review", "--name", name,
            ])
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                eprintln!(
                    "cannot run {}: {e} (cargo build --release)",
                    earmark().display()
                );
                std::process::exit(2)
            });
        let stdin = child.stdin.take().expect("stdin");
        let out = child.stdout.take().expect("stdout");
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            stdin,
            lines,
            _home: home,
        }
    }

    fn type_line(&mut self, l: &str) {
        let _ = writeln!(self.stdin, "{l}");
        let _ = self.stdin.flush();
    }

    fn wait_for(&self, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) if ok(&l) => return l,
                Ok(l) => seen.push(l),
                Err(_) => break,
            }
        }
        let tail = seen.len().saturating_sub(10);
        eprintln!(
            "a participant never printed what was waited for; its last lines:\n{}",
            seen[tail..].join("\n")
        );
        std::process::exit(1)
    }

    fn drain(&self) {
        while self.lines.try_recv().is_ok() {}
    }

    /// User + system CPU ticks (10 ms) and resident memory (KiB) from /proc.
    fn cpu_and_rss(&self) -> (u64, u64) {
        let pid = self.child.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
        let f: Vec<&str> = after.split_whitespace().collect();
        let ticks = f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
            + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let rss = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        (ticks, rss)
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn spread(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let at = |q: f64| ms(v[((v.len() - 1) as f64 * q).round() as usize]);
    (at(0.5), at(0.95), at(1.0))
}

/// CPU (percent of one core) of each seat over `secs` of a paused review.
fn idle_cpu(seats: &[&Seat], secs: u64) -> Vec<f64> {
    let before: Vec<u64> = seats.iter().map(|s| s.cpu_and_rss().0).collect();
    std::thread::sleep(Duration::from_secs(secs));
    seats
        .iter()
        .zip(before)
        .map(|(s, b)| (s.cpu_and_rss().0 - b) as f64 * 10.0 / (secs as f64 * 1000.0) * 100.0)
        .collect()
}

/// Seeks typed on `host`: how long until it, and `guest` if there is one, stand on the frame.
fn seeks(host: &mut Seat, guest: Option<&Seat>) -> (Vec<Duration>, Vec<Duration>) {
    let (mut local, mut remote) = (Vec::new(), Vec::new());
    for i in 0..SEEKS {
        let frame = 20 + (i * 37) % 260;
        host.drain();
        if let Some(g) = guest {
            g.drain();
        }
        let want = format!("at frame {frame} paused");
        let typed = Instant::now();
        host.type_line(&format!("seek {frame}"));
        host.wait_for(|l| l == want);
        local.push(typed.elapsed());
        if let Some(g) = guest {
            g.wait_for(|l| l == want);
            remote.push(typed.elapsed());
        }
    }
    (local, remote)
}

fn main() {
    // Alone first: a host nobody joined is a review that is not shared; it does the same seeks.
    let mut alone = Seat::start("Jo", &["--host"]);
    // The invitation comes once the file is hashed and the link is up.
    alone.wait_for(|l| l.starts_with("invitation: "));
    std::thread::sleep(Duration::from_secs(2));
    let (alone_seeks, _) = seeks(&mut alone, None);
    let alone_cpu = idle_cpu(&[&alone], 10)[0];
    let alone_rss = alone.cpu_and_rss().1;
    alone.type_line("quit");
    drop(alone);

    let mut host = Seat::start("Jo", &["--host"]);
    let inv = host.wait_for(|l| l.starts_with("invitation: "))["invitation: ".len()..].to_owned();
    let guest = Seat::start("Sam", &["--join", &inv]);
    guest.wait_for(|l| l.starts_with("joined Jo's review"));
    std::thread::sleep(Duration::from_secs(2));
    let (local, remote) = seeks(&mut host, Some(&guest));
    let mut notes = Vec::new();
    for i in 0..10 {
        guest.drain();
        let text = format!("note {i}: ça sature — 音割れ");
        let typed = Instant::now();
        host.type_line(&format!("note {text}"));
        guest.wait_for(|l| l.ends_with(&text));
        notes.push(typed.elapsed());
    }
    // Re-convergence: seeks typed on the host while both play, until the guest reports it
    // runs within one frame (40 ms) of the host again.
    host.type_line("play");
    guest.wait_for(|l| l.starts_with("playing, "));
    std::thread::sleep(Duration::from_secs(2));
    let mut converge = Vec::new();
    let mut landed = Vec::new();
    for i in 0..RESEEKS {
        let frame = 20 + (i * 53) % 200;
        std::thread::sleep(Duration::from_millis(1500));
        guest.drain();
        let typed = Instant::now();
        host.type_line(&format!("seek {frame}"));
        guest.wait_for(|l| l.starts_with("starting with the host at frame "));
        let line = guest.wait_for(|l| offset_ms(l).is_some_and(|ms| ms.abs() <= 40.0));
        converge.push(typed.elapsed());
        landed.push(offset_ms(&line).unwrap_or(f64::NAN));
    }
    host.type_line("pause");
    guest.wait_for(|l| l.starts_with("at frame "));
    let cpu = idle_cpu(&[&host, &guest], 10);
    let (host_rss, guest_rss) = (host.cpu_and_rss().1, guest.cpu_and_rss().1);

    let (am, ap, aw) = spread(alone_seeks);
    let (lm, lp, lw) = spread(local);
    let (rm, rp, rw) = spread(remote);
    let (nm, np, nw) = spread(notes);
    println!("Review together on loopback: {SEEKS} seeks on sync_25.mov (720p25 H.264 + AAC)");
    println!(
        "  not shared: seek typed → on the frame:        median {am:.1} ms, p95 {ap:.1} ms, worst {aw:.1} ms"
    );
    println!(
        "  shared: seek typed on the host → host on it:  median {lm:.1} ms, p95 {lp:.1} ms, worst {lw:.1} ms"
    );
    println!(
        "  shared: seek typed on the host → guest on it: median {rm:.1} ms, p95 {rp:.1} ms, worst {rw:.1} ms \
         ({:.2}× not shared, median)",
        rm / am.max(0.001)
    );
    println!(
        "  note typed on the host → shown on the guest:  median {nm:.1} ms, p95 {np:.1} ms, worst {nw:.1} ms"
    );
    let (cm, cp, cw) = spread(converge);
    println!(
        "  seek while playing → guest within a frame:   median {cm:.0} ms, p95 {cp:.0} ms, worst {cw:.0} ms \
         (its offset then: {})",
        landed
            .iter()
            .map(|ms| format!("{ms:+.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  paused, 10 s: host {:.2} %, guest {:.2} % of one core; not shared {alone_cpu:.2} %",
        cpu[0], cpu[1]
    );
    println!(
        "  memory (RSS): host {} MiB, guest {} MiB; not shared {} MiB",
        host_rss / 1024,
        guest_rss / 1024,
        alone_rss / 1024
    );
    host.type_line("quit");
}
