//! Running the real `earmark` binary for the fault-injection tests: a private home per run,
//! stderr collected as it comes (so a test can act when a line appears, e.g. unplug the device
//! once playback is under way), fixtures made with the ffmpeg CLI, and the checks every fault
//! case shares: no panic, and a message that names the file and the problem.
//!
//! Included with `#[path = "common/run.rs"] mod run;` (not through `common/mod.rs`, which the
//! other tests share and which need none of this).

// Each fault test file uses its own part of this.
#![allow(dead_code)]

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

/// The machine, for the device cases. Taken *exclusively* by the cases that time frames or
/// samples (sync, dropouts, loops, reviewers heard together), record the shared `Review` sink,
/// type into a window with xdotool (another window could take the focus) or mount filesystems:
/// a decode beside a sync measurement, or two players on the recorded sink, would spoil each
/// other's results. Taken *shared* by the rest: cases that play into a
/// [`crate::common::PrivateSink`] of their own and measure levels, unplug a sink of their own,
/// or time seconds, not frames. Shared cases run side by side (eight test threads), never
/// beside an exclusive one.
static MACHINE: RwLock<()> = RwLock::new(());

thread_local! {
    /// How many machine guards this thread holds, and whether the outermost is exclusive (a
    /// helper that takes the lock may be called from a case that already holds it).
    static HELD: std::cell::Cell<(u32, bool)> = const { std::cell::Cell::new((0, false)) };
}

enum Guard {
    Exclusive(#[allow(dead_code)] RwLockWriteGuard<'static, ()>),
    Shared(#[allow(dead_code)] RwLockReadGuard<'static, ()>),
}

/// A hold on the machine, released when dropped.
pub struct Exclusive {
    _guard: Option<Guard>,
    since: Instant,
}

impl Drop for Exclusive {
    fn drop(&mut self) {
        HELD.with(|h| {
            let (n, ex) = h.get();
            h.set((n.saturating_sub(1), ex && n > 1));
        });
        // How long each case held the machine, so the slow ones can be found
        // (target/test-times/device.log, one line per case: seconds, how, the test's name).
        if let Some(g) = &self._guard {
            let name = std::thread::current().name().unwrap_or("?").to_string();
            let how = match g {
                Guard::Exclusive(_) => "exclusive",
                Guard::Shared(_) => "shared",
            };
            let held = self.since.elapsed().as_secs_f64();
            append_test_times("device.log", &format!("{held:8.2} {how:9} {name}"));
        }
    }
}

/// Takes the machine for this case alone; taking it again on the same thread is free (a test
/// that failed while holding it does not poison the rest).
pub fn exclusive() -> Exclusive {
    let (n, ex) = HELD.with(|h| h.get());
    assert!(
        n == 0 || ex,
        "a case holding the machine shared asked for it exclusively: take exclusive() first"
    );
    HELD.with(|h| h.set((n + 1, true)));
    let guard =
        (n == 0).then(|| Guard::Exclusive(MACHINE.write().unwrap_or_else(|p| p.into_inner())));
    Exclusive {
        _guard: guard,
        since: Instant::now(),
    }
}

/// Takes the machine shared with other level-measuring cases (each on its own
/// [`crate::common::PrivateSink`]); free when this thread already holds it either way.
pub fn shared() -> Exclusive {
    let (n, ex) = HELD.with(|h| h.get());
    HELD.with(|h| h.set((n + 1, ex)));
    let guard = (n == 0).then(|| Guard::Shared(MACHINE.read().unwrap_or_else(|p| p.into_inner())));
    Exclusive {
        _guard: guard,
        since: Instant::now(),
    }
}

/// A private home for one run: HOME and the XDG config, data and cache folders, so nothing
/// touches the real user's files, and each case starts with no settings, notes or caches.
pub struct Home {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub data: PathBuf,
    pub cache: PathBuf,
    /// PulseAudio's cookie from the real home: the client looks for it under HOME, and
    /// without it the test environment's sound server refuses the connection.
    pulse_cookie: Option<PathBuf>,
}

impl Home {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let make = |name: &str| {
            let p = dir.path().join(name);
            std::fs::create_dir_all(&p).expect("create folder");
            p
        };
        let (config, data, cache) = (make("config"), make("data"), make("cache"));
        Self {
            pulse_cookie: pulse_cookie(),
            config,
            data,
            cache,
            dir,
        }
    }

    /// The binary with this home; arguments are added by the caller.
    pub fn earmark(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_earmark"));
        c.env("HOME", self.dir.path())
            .env("XDG_CONFIG_HOME", &self.config)
            .env("XDG_DATA_HOME", &self.data)
            .env("XDG_CACHE_HOME", &self.cache)
            .stdin(Stdio::null());
        if let Some(cookie) = &self.pulse_cookie {
            c.env("PULSE_COOKIE", cookie);
        }
        c
    }

    /// Earmark's own settings file in this home.
    pub fn settings_file(&self) -> PathBuf {
        self.config.join("earmark/settings.toml")
    }

    /// Earmark's notes folder in this home.
    pub fn notes_root(&self) -> PathBuf {
        self.data.join("earmark/notes")
    }
}

fn pulse_cookie() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PULSE_COOKIE") {
        return Some(PathBuf::from(p));
    }
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(config.join("pulse/cookie")).filter(|p| p.exists())
}

/// A running `earmark` whose stderr is collected line by line.
pub struct Running {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    started: Instant,
}

/// How a run ended.
pub struct Finished {
    pub status: ExitStatus,
    pub stderr: String,
    pub took: Duration,
}

impl Running {
    pub fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start earmark");
        let stderr = child.stderr.take().expect("stderr piped");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap_or_else(|p| p.into_inner()).push(line);
            }
        });
        Self {
            child,
            lines,
            reader: Some(reader),
            started: Instant::now(),
        }
    }

    /// Everything printed so far.
    pub fn stderr(&self) -> String {
        self.lines
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .join("\n")
    }

    /// Waits until a line satisfies `want` and returns it; fails (killing the process) after
    /// `patience`, or when the process ends without printing it.
    pub fn wait_line(
        &mut self,
        what: &str,
        patience: Duration,
        want: impl Fn(&str) -> bool,
    ) -> String {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(l) = self
                .lines
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .find(|l| want(l))
            {
                return l.clone();
            }
            let ended = self.child.try_wait().ok().flatten();
            if ended.is_some() || Instant::now() > deadline {
                // The reader may still hold the last lines of a process that just ended.
                std::thread::sleep(Duration::from_millis(100));
                if let Some(l) = self
                    .lines
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .iter()
                    .find(|l| want(l))
                {
                    return l.clone();
                }
                let _ = self.child.kill();
                panic!(
                    "{what}: not seen within {patience:?} (process ended: {ended:?}); stderr:\n{}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Seconds since the process started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// The process id (for xdotool, kill).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end by itself (killed after `patience`, which fails the test).
    pub fn finish(mut self, patience: Duration) -> Finished {
        let deadline = self.started + patience;
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "earmark did not end within {patience:?}; stderr:\n{}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        Finished {
            status,
            stderr: self.stderr(),
            took: self.started.elapsed(),
        }
    }

    /// Ends the process with SIGKILL (a window a test is done with) and returns what it said.
    pub fn kill(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
        self.stderr()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        // A test that fails midway must not leave a window or player behind.
        if self.reader.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `cmd` to its end (at most `patience`).
pub fn run(cmd: Command, patience: Duration) -> Finished {
    Running::spawn(cmd).finish(patience)
}

/// The checks every fault case makes: the process did not panic or crash.
pub fn assert_no_panic(what: &str, f: &Finished) {
    use std::os::unix::process::ExitStatusExt as _;
    assert_ne!(
        f.status.code(),
        Some(101),
        "{what}: exit status 101 (a Rust panic); stderr:\n{}",
        f.stderr
    );
    assert!(
        f.status.signal().is_none(),
        "{what}: killed by signal {:?} (a crash); stderr:\n{}",
        f.status.signal(),
        f.stderr
    );
    assert!(
        !f.stderr.contains("panicked"),
        "{what}: a thread panicked; stderr:\n{}",
        f.stderr
    );
}

/// The line of `stderr` that starts with `prefix` and contains every one of `words`
/// (case-insensitive for the words); fails with the whole stderr when there is none.
pub fn line_with<'a>(stderr: &'a str, prefix: &str, words: &[&str]) -> &'a str {
    stderr
        .lines()
        .find(|l| {
            l.starts_with(prefix) && {
                let low = l.to_lowercase();
                words.iter().all(|w| low.contains(&w.to_lowercase()))
            }
        })
        .unwrap_or_else(|| {
            panic!("no line starting {prefix:?} with all of {words:?}; stderr:\n{stderr}")
        })
}

/// The number after `before` in `line` (e.g. `played 12345 frames` → 12345).
pub fn number_after(text: &str, before: &str) -> u64 {
    let at = text
        .find(before)
        .unwrap_or_else(|| panic!("{before:?} not in:\n{text}"))
        + before.len();
    text[at..]
        .trim_start()
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number after {before:?} in:\n{text}"))
}

/// Runs the ffmpeg CLI (quiet); fails with its message.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .expect("the ffmpeg CLI is needed (scripts/install-deps.sh test)");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A small review QuickTime like the real ones — H.264 (GOP 1 s, no B-frames) + AAC-LC stereo
/// 48 kHz + a timecode track from 01:00:00:00, 320×180 at 25 fps, `secs` long — written to
/// `dir/name`. `faststart` puts the index (`moov`) at the front, as review deliveries do.
pub fn review_file(dir: &Path, name: &str, secs: u32, faststart: bool) -> PathBuf {
    let out = dir.join(name);
    let t = secs.to_string();
    let mut args = vec![
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=25",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=1000:sample_rate=48000",
        "-t",
        &t,
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-ac",
        "2",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "25",
        "-bf",
        "0",
        "-c:a",
        "aac",
        "-b:a",
        "96k",
        "-timecode",
        "01:00:00:00",
    ];
    if faststart {
        args.extend(["-movflags", "+faststart"]);
    }
    let out_s = out.to_str().expect("UTF-8 temp path");
    args.push(out_s);
    ffmpeg(&args);
    out
}

/// Byte offset of the first `kind` atom's type code in `bytes` (its header starts 4 before).
pub fn find_atom(bytes: &[u8], kind: &[u8; 4]) -> usize {
    bytes
        .windows(4)
        .position(|w| w == kind)
        .unwrap_or_else(|| panic!("no {} atom", String::from_utf8_lossy(kind)))
}

/// Whether this process runs as root (mounting a small filesystem needs it).
pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// A tmpfs mounted on a folder for one test, unmounted when dropped.
pub struct Mount {
    pub at: PathBuf,
}

impl Mount {
    /// Mounts a tmpfs of `size` (mount's syntax, e.g. `256k`) on `at`; `Err` says why not.
    pub fn tmpfs(at: &Path, size: &str) -> Result<Self, String> {
        if !is_root() {
            return Err("not running as root, so no filesystem can be mounted".into());
        }
        std::fs::create_dir_all(at).map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0755"),
                "tmpfs",
            ])
            .arg(at)
            .output()
            .map_err(|e| format!("mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(Self {
            at: at.to_path_buf(),
        })
    }

    /// Remounts read-only (as root, chmod would not stop a write; a read-only mount does).
    pub fn read_only(&self) {
        let out = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.at)
            .output()
            .expect("mount runs");
        assert!(
            out.status.success(),
            "remount read-only: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        // Lazy, so a process still holding a file there cannot keep the mount alive.
        let _ = Command::new("umount").arg("-l").arg(&self.at).status();
    }
}

/// Fills the filesystem holding `dir` to the last byte with a file there; returns the file.
pub fn fill_disk(dir: &Path) -> PathBuf {
    use std::io::Write as _;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).expect("create filler");
    let block = vec![0u8; 4096];
    loop {
        match f.write(&block) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
            Err(e) => panic!("filling {}: {e}", dir.display()),
        }
    }
    // Any last partial block too.
    while f.write(&[0u8]).is_ok_and(|n| n == 1) {}
    let _ = f.flush();
    path
}

/// Runs a real-time check; if it fails, says why and runs it once more, failing on the second.
/// For checks a stalled shared VM can spoil now and then (a decoder starved past a frame's
/// time): a real fault repeats, so it cannot pass twice in a row by luck.
pub fn twice_if_stalled(name: &str, check: impl Fn() + std::panic::RefUnwindSafe) {
    if let Err(why) = std::panic::catch_unwind(&check) {
        let why = why
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| why.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        eprintln!("{name}: first run failed ({why}); running it again");
        note_retry(&format!(
            "{name}: first run failed ({}); ran it again",
            first_line(&why)
        ));
        check();
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Notes that a case ran again after a spoilt run, in `target/test-times/retries.log`: a passing
/// case's stderr is swallowed by the test harness, and a retry should not go unseen.
pub fn note_retry(line: &str) {
    append_test_times("retries.log", line);
}

/// Appends `line` to `target/test-times/FILE` (best effort: a log, never a failure).
fn append_test_times(file: &str, line: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-times");
    let _ = std::fs::create_dir_all(&dir);
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(file))
    {
        use std::io::Write as _;
        let _ = writeln!(f, "{line}");
    }
}
