//! Reviewing together, as users do it: separate `earmark` processes on this machine, each with
//! its own copy of the file, its own home and its own sound output (the test environment's null
//! sink), talking over loopback with no relay. The host is driven by lines on its standard
//! input, like a person at the keys; every participant prints what happens on its own.

use crate::run::{Home, ffmpeg};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub(crate) fn sync_file() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cache-sync/sync_25.mov");
    assert!(
        p.exists(),
        "{} is missing: run `make fixtures`",
        p.display()
    );
    p
}

/// One participant: its process, its keyboard, and the lines it printed.
pub(crate) struct Participant {
    name: String,
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    _home: Home,
}

impl Participant {
    pub(crate) fn start(name: &str, file: &Path, role: &[&str]) -> Self {
        Self::start_on(name, file, role, "Review")
    }

    /// A participant whose sound goes to the output PulseAudio calls `device`.
    pub(crate) fn start_on(name: &str, file: &Path, role: &[&str], device: &str) -> Self {
        Self::start_with(name, file, role, device, &[])
    }

    /// The same, with `env` set for the process (fault injection).
    pub(crate) fn start_with(
        name: &str,
        file: &Path,
        role: &[&str],
        device: &str,
        env: &[(&str, &str)],
    ) -> Self {
        let home = Home::new();
        let mut cmd: Command = home.earmark();
        cmd.envs(env.iter().copied());
        // Loopback, no relay, unless the case names one.
        let relay: &[&str] = if role.contains(&"--relay") {
            &[]
        } else {
            &["--relay", "none"]
        };
        cmd.arg(file)
            .args(role)
            .args(relay)
            .args(["--exit", "--device", device, "--name", name])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("earmark starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        let who = name.to_owned();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                eprintln!("[{who}] {line}");
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            name: name.to_owned(),
            child,
            stdin,
            lines,
            seen: Vec::new(),
            _home: home,
        }
    }

    pub(crate) fn host(name: &str, file: &Path) -> (Self, String) {
        Self::host_on(name, file, "Review")
    }

    pub(crate) fn host_on(name: &str, file: &Path, device: &str) -> (Self, String) {
        let mut p = Self::start_on(name, file, &["--host"], device);
        let line = p.wait_for(|l| l.starts_with("invitation: "), 20);
        let invitation = line["invitation: ".len()..].to_owned();
        (p, invitation)
    }

    pub(crate) fn type_line(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").expect("the participant reads its input");
        self.stdin.flush().expect("flush");
    }

    /// Waits up to `secs` for a line `ok` accepts (lines seen before are searched too).
    pub(crate) fn wait_for(&mut self, ok: impl Fn(&str) -> bool, secs: u64) -> String {
        if let Some(l) = self.seen.iter().find(|l| ok(l)) {
            return l.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(secs);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(l) => {
                    self.seen.push(l.clone());
                    if ok(&l) {
                        return l;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "{} never printed the line waited for; it printed:\n{}",
            self.name,
            self.seen.join("\n")
        );
    }

    /// Forgets the lines seen so far (the next wait looks only at new ones).
    pub(crate) fn forget(&mut self) {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
        self.seen.clear();
    }

    /// Every line printed since the last [`Participant::forget`], waiting for none.
    pub(crate) fn drain(&mut self) -> &[String] {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
        &self.seen
    }

    /// The frame of the next `at frame N paused` line.
    pub(crate) fn paused_frame(&mut self, secs: u64) -> u64 {
        let l = self.wait_for(
            |l| l.starts_with("at frame ") && l.ends_with(" paused"),
            secs,
        );
        l["at frame ".len()..l.len() - " paused".len()]
            .parse()
            .expect("a frame number")
    }

    /// What `earmark notes list --json` says in this participant's home, every review.
    pub(crate) fn notes_json(&self) -> String {
        let out = self
            ._home
            .earmark()
            .args(["notes", "list", "--json"])
            .output()
            .expect("earmark notes list");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// This participant's access log, as `earmark log --json` prints it.
    fn access_log(&self) -> String {
        let out = self
            ._home
            .earmark()
            .args(["log", "--json"])
            .output()
            .expect("earmark log");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Ends the process at once, as a crash or a pulled plug would.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub(crate) fn exit_code(&mut self, secs: u64) -> Option<i32> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Ok(Some(s)) = self.child.try_wait() {
                return s.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("{} did not exit", self.name);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Participant {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_guest_follows_the_hosts_seeks_and_plays_to_the_same_frame() {
    let _device = crate::run::exclusive();
    // The guest learns its output's start-up from its first start; a busy two-core VM can
    // spoil that (see twice_if_stalled).
    crate::run::twice_if_stalled("follow", follow_once);
}

fn follow_once() {
    let file = sync_file();
    let (mut host, invitation) = Participant::host("Jo", &file);
    let mut guest = Participant::start("Sam 美咲", &file, &["--join", &invitation]);
    guest.wait_for(
        |l| l.starts_with("joined Jo's review: Jo (control), Sam 美咲"),
        20,
    );
    host.wait_for(|l| l.starts_with("joined: Sam 美咲 ("), 5);

    // A seek while stopped: the guest lands on the same frame.
    host.forget();
    guest.forget();
    host.type_line("seek 100");
    assert_eq!(host.paused_frame(10), 100);
    assert_eq!(guest.paused_frame(10), 100);

    // Two seconds of play, then stop: both stop on the frame the host stopped on.
    host.forget();
    guest.forget();
    host.type_line("play");
    // While playing, the guest runs within a frame (40 ms) of the host by the shared clock.
    let mut offsets = Vec::new();
    let deadline = Instant::now() + Duration::from_millis(6000);
    while Instant::now() < deadline {
        if let Ok(l) = guest.lines.recv_timeout(Duration::from_millis(50))
            && let Some(ms) = l
                .strip_prefix("playing, ")
                .and_then(|r| r.strip_suffix(" ms from the host"))
        {
            offsets.push(ms.parse::<f64>().expect("a number of ms"));
        }
    }
    host.type_line("pause");
    eprintln!("guest's offsets from the host while playing: {offsets:?} ms");
    let last = *offsets.last().expect("the guest reported while playing");
    assert!(
        last.abs() <= 40.0,
        "the guest ran {last} ms from the host: {offsets:?}"
    );
    let stopped = host.paused_frame(10);
    assert!(
        (235..=275).contains(&stopped),
        "6 s from frame 100 at 25 fps ended at {stopped}"
    );
    let followed = guest.wait_for(|l| l == format!("at frame {stopped} paused"), 10);
    eprintln!("host stopped at {stopped}; guest: {followed}");

    // The guest cannot move the host's transport without control.
    guest.type_line("seek 10");
    guest.wait_for(|l| l.contains("ask for control"), 5);

    // The host leaves: the guest is told, and its session ends (exit status 2).
    host.type_line("quit");
    guest.wait_for(|l| l == "ended: Jo ended the review", 10);
    assert_eq!(guest.exit_code(10), Some(2));
    assert_eq!(host.exit_code(10), Some(0));
}

#[test]
fn a_copy_of_another_cut_is_refused_saying_whose_and_how() {
    let _device = crate::run::shared();
    let dir = tempfile::tempdir().expect("tempdir");
    let shorter = dir.path().join("sync_25_cut.mov");
    // The same picture and sound, two seconds shorter: another cut of the same programme.
    ffmpeg(&[
        "-i",
        sync_file().to_str().expect("path"),
        "-t",
        "10",
        "-c",
        "copy",
        "-map",
        "0",
        shorter.to_str().expect("path"),
    ]);
    let (mut host, invitation) = Participant::host("Jo", &sync_file());
    let mut guest = Participant::start("Sam", &shorter, &["--join", &invitation]);
    let why = guest.wait_for(|l| l.starts_with("ended: "), 20);
    assert_eq!(why, "ended: Sam's copy is 2 s shorter — a different cut");
    host.wait_for(
        |l| l == "refused Sam: Sam's copy is 2 s shorter — a different cut",
        5,
    );
    assert_eq!(guest.exit_code(10), Some(2));
}

#[test]
fn a_removed_guest_cannot_come_back_with_the_old_invitation() {
    let _device = crate::run::shared();
    let file = sync_file();
    let (mut host, invitation) = Participant::host("Jo", &file);
    let mut guest = Participant::start("Sam", &file, &["--join", &invitation]);
    guest.wait_for(|l| l.starts_with("joined Jo's review"), 20);
    host.wait_for(|l| l.starts_with("joined: Sam ("), 5);
    host.type_line("remove Sam");
    guest.wait_for(|l| l == "ended: Jo removed you from the review", 10);
    assert_eq!(guest.exit_code(10), Some(2));
    // Again, from a fresh start with the same invitation: the host changed its secret.
    let mut again = Participant::start("Sam", &file, &["--join", &invitation]);
    again.wait_for(
        |l| l == "ended: this invitation is no longer valid: ask for a new one",
        20,
    );
    // A new invitation from the host lets a newcomer in.
    host.forget();
    host.type_line("invite");
    let fresh =
        host.wait_for(|l| l.starts_with("invitation: "), 5)["invitation: ".len()..].to_owned();
    assert_ne!(fresh, invitation);
    let mut newcomer = Participant::start("Ana", &file, &["--join", &fresh]);
    newcomer.wait_for(|l| l.starts_with("joined Jo's review"), 20);
}

#[test]
fn notes_typed_by_anyone_reach_everyone_within_half_a_second_and_stay_in_the_hosts_notes() {
    let _device = crate::run::shared();
    let file = sync_file();
    let (mut host, invitation) = Participant::host("Jo", &file);
    // The host writes a note before anyone joins: a late joiner gets it.
    host.type_line("note Dialogue dips under the score here");
    let mut guest = Participant::start("美咲", &file, &["--join", &invitation]);
    guest.wait_for(|l| l.starts_with("joined Jo's review"), 20);
    guest.wait_for(
        |l| l == "note: Jo at frame 0: Dialogue dips under the score here",
        5,
    );

    // Each side's note reaches the other within half a second.
    fn passes(from: &mut Participant, to: &mut Participant, name: &str, text: &str) {
        to.forget();
        let typed = Instant::now();
        from.type_line(&format!("note {text}"));
        to.wait_for(|l| l == format!("note: {name} at frame 0: {text}"), 5);
        let took = typed.elapsed();
        eprintln!("a note from {name} arrived in {took:?}");
        assert!(took < Duration::from_millis(500), "{took:?}");
    }
    passes(
        &mut guest,
        &mut host,
        "美咲",
        "台詞が小さい — la voix est trop basse",
    );
    passes(
        &mut host,
        &mut guest,
        "Jo",
        "Agreed: ride the music down 2 dB",
    );
    host.type_line("quit");
    assert_eq!(host.exit_code(10), Some(0));

    // The host's own notes now hold everyone's (what its export and report are made from).
    let listed = host.notes_json();
    for text in [
        "Dialogue dips under the score here",
        "台詞が小さい — la voix est trop basse",
        "Agreed: ride the music down 2 dB",
    ] {
        assert!(
            listed.contains(text),
            "{text} not in the host's notes:\n{listed}"
        );
    }
}

#[test]
fn three_reviewers_pass_control_and_a_guest_killed_and_restarted_lands_on_the_frame() {
    let _device = crate::run::exclusive();
    let file = sync_file();
    let (mut host, invitation) = Participant::host("Jo", &file);
    let mut sam = Participant::start("Sam", &file, &["--join", &invitation]);
    let mut ana = Participant::start("Ana", &file, &["--join", &invitation]);
    for g in [&mut sam, &mut ana] {
        g.wait_for(|l| l.starts_with("joined Jo's review"), 20);
    }
    host.wait_for(|l| l.starts_with("joined: Ana ("), 5);
    host.wait_for(|l| l.starts_with("joined: Sam ("), 5);
    for p in [&mut host, &mut sam, &mut ana] {
        p.forget();
    }
    host.type_line("seek 60");
    for p in [&mut host, &mut sam, &mut ana] {
        assert_eq!(p.paused_frame(10), 60, "{}", p.name);
    }

    // Sam asks for control, the host gives it: Sam's seek moves everyone.
    sam.type_line("ask");
    host.wait_for(|l| l == "Sam asks for control", 5);
    host.type_line("give Sam");
    sam.wait_for(|l| l == "control: Sam", 5);
    for p in [&mut host, &mut sam, &mut ana] {
        p.forget();
    }
    sam.type_line("seek 150");
    for p in [&mut host, &mut sam, &mut ana] {
        assert_eq!(p.paused_frame(10), 150, "{}", p.name);
    }
    // Ana, without control, cannot.
    ana.type_line("seek 10");
    ana.wait_for(|l| l.contains("ask for control"), 5);

    // Ana's machine dies; she starts again with the same invitation and lands where all are.
    ana.kill();
    host.wait_for(|l| l.starts_with("left: Ana ("), 30);
    let mut ana = Participant::start("Ana", &file, &["--join", &invitation]);
    ana.wait_for(|l| l.starts_with("joined Jo's review"), 20);
    ana.wait_for(|l| l == "at frame 150 paused", 10);

    host.type_line("quit");
    assert_eq!(host.exit_code(10), Some(0));
    // The host's access log names who joined, left and held control.
    let log = host.access_log();
    for what in [
        "hosting as Jo",
        "joined: Sam (",
        "joined: Ana (",
        "control: Sam",
        "left: Ana (",
    ] {
        assert!(
            log.contains(what),
            "{what} not in the host's access log:\n{log}"
        );
    }
    assert!(log.contains("\"session\""), "{log}");
}

/// Sends a signal to a participant's process (`STOP` freezes it as a hung machine or a dead
/// network would look from outside; `CONT` brings it back).
fn signal(p: &Participant, sig: &str) {
    let ok = Command::new("kill")
        .args([&format!("-{sig}"), &p.child.id().to_string()])
        .status()
        .expect("kill runs")
        .success();
    assert!(ok, "kill -{sig} {}", p.name);
}

#[test]
fn a_guest_that_loses_the_host_pauses_and_joins_again_by_itself() {
    let _device = crate::run::exclusive();
    let file = sync_file();
    let (mut host, invitation) = Participant::host("Jo", &file);
    let mut guest = Participant::start("Sam", &file, &["--join", &invitation]);
    guest.wait_for(|l| l.starts_with("joined Jo's review"), 20);
    guest.forget();
    host.type_line("seek 80");
    assert_eq!(guest.paused_frame(10), 80);

    // The host's side goes silent (frozen: no packets, no goodbye) for longer than the five
    // seconds a connection is given.
    guest.forget();
    signal(&host, "STOP");
    let lost = guest.wait_for(|l| l.starts_with("lost the connection to Jo"), 15);
    assert!(lost.ends_with("paused, joining again"), "{lost}");
    signal(&host, "CONT");

    // Back by itself, with nothing typed: in again, and following the host's next move.
    guest.wait_for(|l| l.starts_with("joined Jo's review"), 30);
    host.forget();
    guest.forget();
    host.type_line("seek 200");
    assert_eq!(host.paused_frame(10), 200);
    assert_eq!(guest.paused_frame(10), 200);
    host.type_line("quit");
    assert_eq!(host.exit_code(10), Some(0));
}

/// The real window hosting and another joining, under the test X server: the guest window's
/// own screenshot shows the host's frame (its frame code read from the pixels), and a console
/// participant sees everyone's playhead and listening set-up.
#[test]
fn windows_host_and_join_and_show_the_same_frame() {
    let _device = crate::run::exclusive();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run through `make test` (scripts/with-test-env.sh starts Xvfb)"
    );
    let file = crate::common::fixture("f24_720_g12_nob.mov");
    let home = Home::new();
    let mut cmd = home.earmark();
    cmd.arg(&file)
        .args([
            "--host", "--relay", "none", "--name", "Jo", "--goto", "#60", "--device", "Review",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut window = KillOnDrop(cmd.spawn().expect("the window starts"));
    let stdout = window.0.stdout.take().expect("stdout");
    let mut out = BufReader::new(stdout).lines();
    let invitation = loop {
        let line = out
            .next()
            .expect("the host window printed its invitation")
            .expect("a line");
        if let Some(inv) = line.strip_prefix("invitation: ") {
            break inv.to_owned();
        }
    };

    // A console participant joins and lands on the window's frame.
    let mut ana = Participant::start("Ana", &file, &["--join", &invitation]);
    ana.wait_for(|l| l.starts_with("joined Jo's review"), 20);
    ana.wait_for(|l| l == "at frame 60 paused", 10);

    // A guest window joins, waits until it stands on the host's frame, and screenshots itself.
    let dir = tempfile::tempdir().expect("tempdir");
    let shot_path = dir.path().join("guest.png");
    let guest_home = Home::new();
    let mut guest = guest_home.earmark();
    guest.arg(&file).args([
        "--join",
        &invitation,
        "--relay",
        "none",
        "--name",
        "Sam 美咲",
        "--device",
        "Review",
    ]);
    let shot = crate::shot::take(guest, &shot_path);
    let code = crate::common::read_code(&crate::shot::crop(&shot.image, shot.picture));
    if let Ok(keep) = std::env::var("EARMARK_KEEP_SHOT") {
        std::fs::copy(&shot_path, keep).expect("copy screenshot");
    }
    assert_eq!(code, 60, "the guest window shows frame {code}, the host 60");

    // Presence: the window host told its playhead and listening set-up.
    ana.forget();
    ana.type_line("who");
    let jo = ana.wait_for(|l| l.starts_with("seat: Jo (host)"), 5);
    assert!(jo.contains("frame 60"), "{jo}");
    assert!(
        jo.contains("listening on ") && jo.contains("calibrated"),
        "{jo}"
    );
    let me = ana.wait_for(|l| l.starts_with("seat: Ana, frame 60, round trip "), 5);
    assert!(me.contains(" ms,"), "{me}");
}

/// Ends a process when the test ends, however it ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// An X server of one participant's own: windows on one display cover each other, and a
/// covered window is not painted (nothing of it is on screen), as on two machines they would
/// not.
struct PrivateDisplay {
    name: String,
    _server: KillOnDrop,
}

impl PrivateDisplay {
    fn start() -> Self {
        let mut n = 150 + std::process::id() % 200;
        while Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            n += 1;
        }
        let server = Command::new("Xvfb")
            .args([
                &format!(":{n}"),
                "-screen",
                "0",
                "1600x1000x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb runs (run through `make test`)");
        let server = KillOnDrop(server);
        let socket = format!("/tmp/.X11-unix/X{n}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while !Path::new(&socket).exists() {
            assert!(Instant::now() < deadline, "Xvfb :{n} did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self {
            name: format!(":{n}"),
            _server: server,
        }
    }
}

/// A window participant on its own display, tracing the pictures it puts on screen
/// (`EARMARK_TRACE_PICTURES`).
fn traced_window(
    home: &Home,
    display: &PrivateDisplay,
    file: &Path,
    invitation: &str,
    name: &str,
    trace: &Path,
) -> KillOnDrop {
    let mut cmd = home.earmark();
    cmd.env("DISPLAY", &display.name);
    cmd.env("EARMARK_TRACE_PICTURES", trace)
        .arg(file)
        .args([
            "--join", invitation, "--relay", "none", "--name", name, "--device", "Review",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    KillOnDrop(cmd.spawn().expect("the window starts"))
}

/// `UNIX_NS FRAME` lines: every picture put on screen, in order.
fn shown(trace: &Path) -> Vec<(i64, u64)> {
    let text = std::fs::read_to_string(trace).expect("the picture trace");
    text.lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            Some((f.next()?.parse().ok()?, f.next()?.parse().ok()?))
        })
        .collect()
}

/// When (ms on the wall clock) a window's pictures put frame 0 on screen, from each picture
/// shown while playing: a window paints at its own pace (on a shared two-core machine, a few
/// pictures a second), but each picture is the frame its clock is at, so `shown at − frame ×
/// period` is the same instant for every picture, give or take a period and the paint's delay.
/// The median over the run, and every picture's reading.
fn frame_zero_at(shown: &[(i64, u64)], from_frame: u64, period_ms: f64) -> (f64, Vec<f64>) {
    let mut at: Vec<f64> = shown
        .iter()
        .filter(|(_, f)| *f >= from_frame)
        .map(|(ns, f)| *ns as f64 / 1e6 - *f as f64 * period_ms)
        .collect();
    let readings = at.clone();
    at.sort_by(f64::total_cmp);
    (at.get(at.len() / 2).copied().unwrap_or(f64::NAN), readings)
}

#[test]
fn two_guest_windows_show_each_frame_within_a_frame_period_of_each_other_while_playing() {
    let _device = crate::run::exclusive();
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "no DISPLAY: run through `make test` (scripts/with-test-env.sh starts Xvfb)"
    );
    let file = sync_file();
    let (mut host, invitation) = Participant::host("Jo", &file);
    let dir = tempfile::tempdir().expect("tempdir");
    let (home_a, home_b) = (Home::new(), Home::new());
    let (trace_a, trace_b) = (dir.path().join("sam.txt"), dir.path().join("ana.txt"));
    let (screen_a, screen_b) = (PrivateDisplay::start(), PrivateDisplay::start());
    let _sam = traced_window(&home_a, &screen_a, &file, &invitation, "Sam", &trace_a);
    host.wait_for(|l| l.starts_with("joined: Sam"), 30);
    let _ana = traced_window(&home_b, &screen_b, &file, &invitation, "Ana", &trace_b);
    host.wait_for(|l| l.starts_with("joined: Ana"), 30);
    std::thread::sleep(Duration::from_secs(3));
    host.type_line("play");
    std::thread::sleep(Duration::from_secs(9));
    host.type_line("pause");
    std::thread::sleep(Duration::from_millis(500));
    let (a, b) = (shown(&trace_a), shown(&trace_b));
    // From a second and a half into the play (both windows running on the shared clock).
    let from = a.first().map_or(0, |x| x.1) + 37;
    let period_ms = 40.0;
    let (zero_a, readings_a) = frame_zero_at(&a, from, period_ms);
    let (zero_b, readings_b) = frame_zero_at(&b, from, period_ms);
    let apart = zero_a - zero_b;
    let late = |zero: f64, r: &[f64]| {
        let mut d: Vec<f64> = r.iter().map(|x| x - zero).collect();
        d.sort_by(f64::total_cmp);
        d.get(((d.len().max(1) - 1) as f64 * 0.95).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    eprintln!(
        "pictures put on screen while playing: Sam {}, Ana {}; each window's frame 0 falls \
         {apart:+.1} ms apart (Sam − Ana, medians); a picture's p95 lateness against its own \
         window: Sam {:.0} ms, Ana {:.0} ms",
        readings_a.len(),
        readings_b.len(),
        late(zero_a, &readings_a),
        late(zero_b, &readings_b)
    );
    assert!(
        readings_a.len() >= 20 && readings_b.len() >= 20,
        "too few pictures shown while playing"
    );
    // One frame period at 25 fps.
    assert!(
        apart.abs() <= period_ms,
        "the two windows show the same frame {apart:+.1} ms apart"
    );
}
