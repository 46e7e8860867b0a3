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
//! The same shared measurements again through an impaired network: this kernel has no netem
//! (see shared/reference/together.md), so the guest reaches the host only through a UDP proxy
//! here that holds every datagram for a fixed delay each way and drops a share of them
//! (`EARMARK_FAULT_DIAL_VIA` points the guest at it; the host listens on IPv6 loopback only and
//! the guest on IPv4 only (`EARMARK_FAULT_BIND`), so the guest cannot move to the host's own
//! address when iroh tells it over the connection: everything passes the proxy).

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{SocketAddr, UdpSocket};
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
        Self::start_with(name, role, &[])
    }

    fn start_with(name: &str, role: &[&str], env: &[(&str, String)]) -> Self {
        let home = tempfile::tempdir().expect("temp home");
        let mut child = Command::new(earmark())
            .envs(env.iter().map(|(k, v)| (k, v.as_str())))
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
        let who = name.to_owned();
        let verbose = std::env::var_os("BENCH_VERBOSE").is_some();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                if verbose {
                    eprintln!("[{who}] {l}");
                }
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

    /// The first line `ok` accepts within `patience`, if one comes.
    fn line_within(&self, ok: impl Fn(&str) -> bool, patience: Duration) -> Option<String> {
        let deadline = Instant::now() + patience;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) if ok(&l) => return Some(l),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        None
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
    if v.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
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

/// A network path that delays every datagram by `delay` each way and drops `loss` of them.
#[derive(Clone, Copy)]
struct Impairment {
    delay: Duration,
    loss: f64,
}

/// A UDP proxy to `upstream` with `imp` in both directions; returns the address to dial. Runs
/// until the process ends.
fn udp_proxy(upstream: SocketAddr, imp: Impairment) -> SocketAddr {
    let outside = UdpSocket::bind("127.0.0.1:0").expect("proxy socket");
    let inside = UdpSocket::bind(if upstream.is_ipv6() {
        "[::1]:0"
    } else {
        "127.0.0.1:0"
    })
    .expect("proxy socket");
    let addr = outside.local_addr().expect("proxy address");
    let client = std::sync::Arc::new(std::sync::Mutex::new(None::<SocketAddr>));
    // One direction: datagrams read from `from` are held, then written by `send` (to a fixed
    // address, or back to wherever the guest last wrote from).
    fn direction(
        name: &str,
        from: UdpSocket,
        imp: Impairment,
        seed: u64,
        mut remember: impl FnMut(SocketAddr) + Send + 'static,
        mut send: impl FnMut(&[u8]) + Send + 'static,
    ) {
        let (tx, rx) = std::sync::mpsc::channel::<(Instant, Vec<u8>)>();
        std::thread::Builder::new()
            .name(format!("proxy-{name}-out"))
            .spawn(move || {
                for (due, bytes) in rx {
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    send(&bytes);
                }
            })
            .expect("proxy thread");
        std::thread::Builder::new()
            .name(format!("proxy-{name}-in"))
            .spawn(move || {
                let mut buf = vec![0u8; 65_536];
                let mut rng = seed;
                while let Ok((n, src)) = from.recv_from(&mut buf) {
                    remember(src);
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    if (rng % 1_000_000) as f64 / 1e6 < imp.loss {
                        continue;
                    }
                    if tx
                        .send((Instant::now() + imp.delay, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            })
            .expect("proxy thread");
    }
    let (outside_rx, inside_tx) = (
        outside.try_clone().expect("socket"),
        inside.try_clone().expect("socket"),
    );
    let seen = client.clone();
    direction(
        "up",
        outside_rx,
        imp,
        0x9e37_79b9_7f4a_7c15,
        move |src| {
            if let Ok(mut c) = seen.lock() {
                *c = Some(src);
            }
        },
        move |b| {
            let _ = inside_tx.send_to(b, upstream);
        },
    );
    direction(
        "down",
        inside,
        imp,
        0x2545_f491_4f6c_dd1d,
        |_| {},
        move |b| {
            if let Some(to) = client.lock().ok().and_then(|c| *c) {
                let _ = outside.send_to(b, to);
            }
        },
    );
    addr
}

/// Where an invitation says its host listens on this machine (a loopback address).
fn host_address(invitation: &str) -> SocketAddr {
    use base64::Engine as _;
    let body = invitation
        .strip_prefix("earmark-invite:")
        .expect("an earmark invitation");
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(body)
        .expect("base64");
    let v: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    v["host"]["addrs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["Ip"].as_str()?.parse::<SocketAddr>().ok())
        .find(|a| a.ip().is_loopback())
        .expect("the host listens on loopback")
}

/// What one shared run measured.
struct Shared {
    local: Vec<Duration>,
    remote: Vec<Duration>,
    notes: Vec<Duration>,
    converge: Vec<Duration>,
    landed: Vec<f64>,
    cpu: Vec<f64>,
    rss: (u64, u64),
    round_trip: String,
    /// Seeks while playing the guest did not follow within 10 s.
    missed: usize,
}

/// A host and a guest (through `imp`, when given): seeks, notes, seeks while playing, idle cost.
fn shared_run(imp: Option<Impairment>) -> Shared {
    // Impaired, the host listens on IPv6 loopback only and the guest on IPv4 only: the proxy
    // between them is the guest's only way to the host (iroh tells each side the other's own
    // addresses over the connection and would move to them).
    let host_env: Vec<(&str, String)> = match imp {
        Some(_) => vec![("EARMARK_FAULT_BIND", "[::1]:0".into())],
        None => Vec::new(),
    };
    let mut host = Seat::start_with("Jo", &["--host"], &host_env);
    let inv = host.wait_for(|l| l.starts_with("invitation: "))["invitation: ".len()..].to_owned();
    let env: Vec<(&str, String)> = match imp {
        Some(imp) => {
            let via = udp_proxy(host_address(&inv), imp);
            vec![
                ("EARMARK_FAULT_DIAL_VIA", via.to_string()),
                ("EARMARK_FAULT_BIND", "127.0.0.1:0".into()),
            ]
        }
        None => Vec::new(),
    };
    let guest = Seat::start_with("Sam", &["--join", &inv], &env);
    guest.wait_for(|l| l.starts_with("joined Jo's review"));
    std::thread::sleep(Duration::from_secs(2));
    // The guest's presence (with its measured round trip) arrives every few seconds.
    let mut round_trip = String::from("(no round trip reported)");
    for _ in 0..10 {
        host.drain();
        host.type_line("who");
        if let Some(l) = host.line_within(
            |l| l.contains("Sam") && l.contains("round trip ") && !l.contains("round trip ?"),
            Duration::from_secs(1),
        ) {
            round_trip = l.trim().to_owned();
            break;
        }
    }
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
    // runs within one frame (40 ms) of the host again. Looped over the whole file, so a slow
    // round never runs into the end.
    eprintln!(
        "[bench] seeks while playing ({})",
        if imp.is_some() {
            "impaired"
        } else {
            "loopback"
        }
    );
    host.type_line("loop 0 299");
    host.type_line("play");
    guest.wait_for(|l| l.starts_with("playing, "));
    std::thread::sleep(Duration::from_secs(2));
    let mut converge = Vec::new();
    let mut landed = Vec::new();
    let mut missed = 0;
    for i in 0..RESEEKS {
        let frame = 20 + (i * 53) % 200;
        std::thread::sleep(Duration::from_millis(1500));
        guest.drain();
        let typed = Instant::now();
        eprintln!("[bench] seek {frame} while playing");
        host.type_line(&format!("seek {frame}"));
        // A guest that does not start again is counted and said, not waited for forever.
        let started = guest.line_within(
            |l| l.starts_with("starting with the host at frame "),
            Duration::from_secs(10),
        );
        let line = started.and_then(|_| {
            guest.line_within(
                |l| offset_ms(l).is_some_and(|ms| ms.abs() <= 40.0),
                Duration::from_secs(10),
            )
        });
        match line {
            Some(line) => {
                converge.push(typed.elapsed());
                landed.push(offset_ms(&line).unwrap_or(f64::NAN));
            }
            None => {
                eprintln!("[bench] the guest did not start again from frame {frame}");
                missed += 1;
            }
        }
    }
    host.type_line("pause");
    guest.wait_for(|l| l.starts_with("at frame "));
    let cpu = idle_cpu(&[&host, &guest], 10);
    let rss = (host.cpu_and_rss().1, guest.cpu_and_rss().1);
    host.type_line("quit");
    Shared {
        local,
        remote,
        notes,
        converge,
        landed,
        cpu,
        rss,
        round_trip,
        missed,
    }
}

/// Prints one shared run, against the review that is not shared (`alone_median`, ms).
fn report(r: Shared, alone_median: f64) {
    let (lm, lp, lw) = spread(r.local);
    let (rm, rp, rw) = spread(r.remote);
    let (nm, np, nw) = spread(r.notes);
    println!("  the host's `who` on the guest: {}", r.round_trip);
    println!(
        "  shared: seek typed on the host → host on it:  median {lm:.1} ms, p95 {lp:.1} ms, worst {lw:.1} ms"
    );
    println!(
        "  shared: seek typed on the host → guest on it: median {rm:.1} ms, p95 {rp:.1} ms, worst {rw:.1} ms \
         ({:.2}× not shared, median)",
        rm / alone_median.max(0.001)
    );
    println!(
        "  note typed on the host → shown on the guest:  median {nm:.1} ms, p95 {np:.1} ms, worst {nw:.1} ms"
    );
    let (cm, cp, cw) = spread(r.converge);
    println!(
        "  seek while playing → guest within a frame:   median {cm:.0} ms, p95 {cp:.0} ms, worst {cw:.0} ms \
         ({} of {RESEEKS} not followed; its offset then: {})",
        r.missed,
        r.landed
            .iter()
            .map(|ms| format!("{ms:+.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "  paused, 10 s: host {:.2} %, guest {:.2} % of one core",
        r.cpu[0], r.cpu[1]
    );
    println!(
        "  memory (RSS): host {} MiB, guest {} MiB",
        r.rss.0 / 1024,
        r.rss.1 / 1024
    );
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

    let loopback = shared_run(None);
    let imp = Impairment {
        delay: Duration::from_millis(40),
        loss: 0.02,
    };
    let impaired = shared_run(Some(imp));

    let (am, ap, aw) = spread(alone_seeks);
    println!("Review together: {SEEKS} seeks on sync_25.mov (720p25 H.264 + AAC)");
    println!(
        "  not shared: seek typed → on the frame:        median {am:.1} ms, p95 {ap:.1} ms, worst {aw:.1} ms; \
         paused {alone_cpu:.2} % of one core, {} MiB",
        alone_rss / 1024
    );
    println!("On loopback:");
    report(loopback, am);
    println!(
        "Through a UDP proxy adding {} ms each way and dropping {:.0} % of datagrams each way:",
        imp.delay.as_millis(),
        imp.loss * 100.0
    );
    report(impaired, am);
}
