//! Fuzzing the spec check's readers on stable Rust (no libFuzzer): the bounded atom reader
//! (`media::atoms`), `Facts::read` with its sample-table walks and NAL (GOP) scan, `Movie::read`,
//! the header parsers (`parse_sps`, `parse_esds`, `parse_audio_config`) and the rules on
//! whatever facts come out.
//!
//! There is no coverage feedback; instead mutations know the structure (`fuzz/mutate.rs`: atom
//! sizes, counts, versions, nesting, splices between seeds), a generator builds movies with
//! random sample tables over NAL streams (`fuzz/synth.rs`), and an input that makes the targets
//! behave differently (a new "signature": the error kind, or each rule's status and the shape
//! of what it measured) or that walks an atom path not seen before joins the pool that later
//! cases mutate.
//!
//! Every case runs with a counting allocator (`fuzz/guard.rs`: a finding if one request tops
//! [`MAX_SINGLE_ALLOC`] or the live peak tops [`MAX_PEAK`]) and under a watchdog (a finding if
//! it takes longer than `FUZZ_CASE_TIMEOUT_MS`, default 2000). A panic, allocation or hang
//! finding is written to `tests/fuzz/crashes/` with a note of its seed file and mutations.
//!
//! - `corpus_and_regressions_replay_cleanly` (in `make test`): every file of `tests/fuzz/corpus/`
//!   and `tests/fuzz/regressions/` through every target, bounded in memory and time.
//! - `quick_fuzz_fixed_seed` (in `make test`): a few thousand deterministic cases.
//! - `fuzz` (ignored; `make fuzz`): `FUZZ_SECONDS` (default 60) of fuzzing on `FUZZ_JOBS`
//!   threads (default 2) from `FUZZ_SEED` (default: the clock), then a summary.
//! - `replay` (ignored): `FUZZ_REPLAY=path` runs one file and prints what each target made of it.

#[path = "../fuzz/guard.rs"]
mod guard;
#[path = "../fuzz/mutate.rs"]
mod mutate;
#[path = "../fuzz/synth.rs"]
mod synth;

use earmark::delivery::facts::{Facts, parse_audio_config, parse_esds, parse_sps};
use earmark::delivery::{Profile, ProfileSet, rules};
use earmark::media::atoms::{Atom, AtomError, AtomReader, FourCc, MAX_DEPTH};
use earmark::media::movie::Movie;
use mutate::Rng;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::{Cursor, Read, Seek};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOC: guard::Counting = guard::Counting;

/// One allocation larger than this in a case is a finding (64 MiB).
const MAX_SINGLE_ALLOC: usize = 64 << 20;
/// More than this live at once in a case is a finding (256 MiB).
const MAX_PEAK: usize = 256 << 20;
/// Pool entries kept per worker besides the seeds.
const MAX_POOL: usize = 4000;

fn fuzz_dir(sub: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz")
        .join(sub)
}

fn crash_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        std::env::var_os("FUZZ_CRASH_DIR").map_or_else(|| fuzz_dir("crashes"), PathBuf::from)
    })
}

fn case_timeout() -> Duration {
    let ms = std::env::var("FUZZ_CASE_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    Duration::from_millis(ms)
}

// ---------------------------------------------------------------------------------------------
// Inputs and targets

/// Which targets an input goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// A movie: the atom reader, `Facts::read`, `Movie::read`, the rules.
    Movie,
    /// A header blob: `parse_sps`, `parse_esds`, `parse_audio_config`.
    Blob,
}

impl Target {
    /// By file extension: `.sps .pps .esds .asc .blob` are blobs, anything else a movie.
    fn of(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("sps" | "pps" | "esds" | "asc" | "blob") => Self::Blob,
            _ => Self::Movie,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Self::Movie => "mov",
            Self::Blob => "blob",
        }
    }
}

/// One case.
struct Input {
    target: Target,
    bytes: Vec<u8>,
    /// The seed file it grew from (or `synth`).
    origin: String,
    /// The mutations applied, in order.
    log: Vec<String>,
    /// The generator seed of the case (the run seed, worker and case number mixed).
    case_seed: u64,
}

/// What the targets made of one input.
struct Seen {
    signature: u64,
    /// (path hash, parent path hash, four-character code) of every atom the walk visited.
    paths: Vec<(u64, u64, FourCc)>,
    facts_ok: bool,
    error: Option<String>,
    /// What the case allocated (set by `run_case`).
    usage: guard::Usage,
}

fn profiles() -> &'static [Profile] {
    static SET: OnceLock<Vec<Profile>> = OnceLock::new();
    SET.get_or_init(|| ProfileSet::load(None).expect("shipped profiles").profiles)
}

fn known_kind(kind: &FourCc) -> FourCc {
    if mutate::KINDS.contains(&kind) || kind == b"gmhd" || kind == b"sgpd" {
        *kind
    } else {
        *b"????"
    }
}

/// A short label of an error for the summary and the signature (stable across offsets).
fn error_label(e: &AtomError) -> String {
    let kind = |k: &str| {
        if k == "data" || mutate::KINDS.iter().any(|c| c.as_slice() == k.as_bytes()) {
            k.to_owned()
        } else {
            "other".to_owned()
        }
    };
    match e {
        AtomError::Io(_) => "io".into(),
        AtomError::Truncated { kind: k, .. } => format!("truncated {}", kind(k)),
        AtomError::BadSize { .. } => "bad size".into(),
        AtomError::TooLarge { kind: k, .. } => format!("too large {}", kind(k)),
        AtomError::TooMany => "too many atoms".into(),
        AtomError::Malformed { kind: k, why } => format!("malformed {}: {why}", kind(k)),
    }
}

fn exercise(input: &Input) -> Seen {
    match input.target {
        Target::Movie => exercise_movie(&input.bytes, Some("mov")),
        Target::Blob => exercise_blob(&input.bytes),
    }
}

fn exercise_movie(bytes: &[u8], extension: Option<&str>) -> Seen {
    let mut h = DefaultHasher::new();
    let mut error = None;
    let facts = AtomReader::new(Cursor::new(bytes)).and_then(Facts::read);
    let facts_ok = facts.is_ok();
    match facts {
        Ok(mut facts) => {
            facts.extension = extension.map(str::to_owned);
            (facts.tracks.len().min(6), facts.fragmented, facts.cmov).hash(&mut h);
            // The behaviour is what the rules make of the facts: each status and measured value
            // with its numbers left out (so a new shape counts, a new number does not).
            for profile in profiles() {
                let report = rules::evaluate(&facts, profile);
                for r in &report.rules {
                    (r.id, r.status.name()).hash(&mut h);
                    for c in r.measured.chars().filter(|c| !c.is_ascii_digit()) {
                        c.hash(&mut h);
                    }
                }
                std::hint::black_box(report.human("fuzz.mov"));
                std::hint::black_box(serde_json::to_string(&report).expect("report JSON"));
            }
        }
        Err(e) => {
            let label = error_label(&e);
            label.hash(&mut h);
            error = Some(label);
        }
    }
    if let Ok(mut r) = AtomReader::new(Cursor::new(bytes)) {
        match Movie::read(&mut r) {
            Ok(Some(m)) => (m.tracks.len().min(8), m.picture_timecode().is_some()).hash(&mut h),
            Ok(None) => 0u8.hash(&mut h),
            Err(e) => error_label(&e).hash(&mut h),
        }
    }
    let mut paths = Vec::new();
    if let Ok(mut r) = AtomReader::new(Cursor::new(bytes))
        && let Ok(top) = r.top_level()
    {
        walk(&mut r, top, 0, 0, &mut paths);
    }
    Seen {
        signature: h.finish(),
        paths,
        facts_ok,
        error,
        usage: guard::Usage::default(),
    }
}

fn path_hash(parent: u64, kind: FourCc) -> u64 {
    (parent.rotate_left(19) ^ u64::from(u32::from_be_bytes(kind)))
        .wrapping_mul(0x0000_0100_0000_01B3)
        .wrapping_add(1)
}

/// Every atom the reader can list, depth first, reading each payload (capped) on the way.
fn walk<R: Read + Seek>(
    r: &mut AtomReader<R>,
    atoms: Vec<Atom>,
    parent: u64,
    depth: usize,
    out: &mut Vec<(u64, u64, FourCc)>,
) {
    for a in atoms {
        if out.len() >= 20_000 {
            return;
        }
        let kind = known_kind(&a.kind);
        let here = path_hash(parent, kind);
        out.push((here, parent, kind));
        let payload = r.read_payload(&a, 4096).unwrap_or_default();
        if depth + 1 < MAX_DEPTH
            && let Some(skip) = mutate::child_skip(&a.kind, &payload)
            && let Ok(children) = r.children_after(&a, skip as u64)
        {
            walk(r, children, here, depth + 1, out);
        }
    }
}

fn exercise_blob(bytes: &[u8]) -> Seen {
    let mut h = DefaultHasher::new();
    format!(
        "{:?} {:?} {:?}",
        parse_sps(bytes),
        parse_esds(bytes),
        parse_audio_config(bytes)
    )
    .hash(&mut h);
    // An avcC-style SPS with its NAL header stripped, and an ASC inside a descriptor.
    format!("{:?}", bytes.get(1..).and_then(parse_sps)).hash(&mut h);
    Seen {
        signature: h.finish(),
        paths: Vec::new(),
        facts_ok: true,
        error: None,
        usage: guard::Usage::default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Panics, findings

thread_local! {
    /// Panics on this thread are recorded, not printed (fuzz workers and replays).
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The case this thread is running, for the huge-allocation hook.
    static CURRENT: RefCell<Option<Arc<Input>>> = const { RefCell::new(None) };
}

/// Backtraces captured so far (the first few panics only: capturing is slow).
static BACKTRACES: AtomicU32 = AtomicU32::new(0);

fn install_hooks() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                default(info);
                return;
            }
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(non-string panic)".into());
            let at = info
                .location()
                .map_or_else(|| "unknown location".into(), ToString::to_string);
            let mut text = format!("{msg}\n  at {at}");
            if BACKTRACES.fetch_add(1, Ordering::Relaxed) < 20 {
                text.push_str(&format!("\n{}", std::backtrace::Backtrace::force_capture()));
            }
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(text));
        }));
        guard::on_huge_request(|size| {
            CURRENT.with(|c| {
                if let Some(input) = c.borrow().as_ref() {
                    let file = save_finding("alloc", input, &format!("asked for {size} bytes"));
                    eprintln!(
                        "fuzz: a case asked for {size} bytes (refused; aborting). Input: {}",
                        file.display()
                    );
                }
            });
        });
    });
}

/// Writes the input and a note beside it; returns the input's path.
fn save_finding(kind: &str, input: &Input, detail: &str) -> PathBuf {
    let dir = crash_dir();
    std::fs::create_dir_all(dir).ok();
    let mut h = DefaultHasher::new();
    input.bytes.hash(&mut h);
    let stem = format!("{kind}-{:016x}", h.finish());
    let file = dir.join(format!("{stem}.{}", input.target.extension()));
    std::fs::write(&file, &input.bytes).ok();
    let note = format!(
        "finding: {kind}\n{detail}\n\ntarget: {:?}\nseed file: {}\ncase seed: {:#018x}\nmutations:\n{}\n\nreplay: FUZZ_REPLAY={} cargo test --release --test checks fuzz_spec::replay -- --ignored --nocapture\n",
        input.target,
        input.origin,
        input.case_seed,
        input
            .log
            .iter()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n"),
        file.display()
    );
    std::fs::write(dir.join(format!("{stem}.txt")), note).ok();
    file
}

/// One problem found.
#[derive(Clone, Debug)]
struct Finding {
    kind: &'static str,
    /// What went wrong (panic message and location, sizes, time).
    detail: String,
    file: PathBuf,
}

/// The first line of a finding's detail plus its location: findings with equal keys are one bug.
fn finding_key(kind: &str, detail: &str) -> String {
    let at = detail
        .lines()
        .find(|l| l.trim_start().starts_with("at "))
        .unwrap_or("");
    format!("{kind} {at}")
}

/// Runs `input` with panics caught and allocation measured; checks the limits.
fn run_case(input: &Arc<Input>) -> Result<Seen, (&'static str, String)> {
    CURRENT.with(|c| *c.borrow_mut() = Some(Arc::clone(input)));
    QUIET.with(|q| q.set(true));
    let (result, usage) = guard::measure(|| catch_unwind(AssertUnwindSafe(|| exercise(input))));
    QUIET.with(|q| q.set(false));
    CURRENT.with(|c| *c.borrow_mut() = None);
    match result {
        Err(_) => {
            let msg = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_else(|| "panic without a message".into());
            Err(("panic", msg))
        }
        Ok(_) if usage.largest > MAX_SINGLE_ALLOC || usage.peak > MAX_PEAK => Err((
            "alloc",
            format!(
                "largest single allocation {} bytes, peak live {} bytes (limits {MAX_SINGLE_ALLOC}, {MAX_PEAK}); input {} bytes",
                usage.largest,
                usage.peak,
                input.bytes.len()
            ),
        )),
        Ok(seen) => Ok(Seen { usage, ..seen }),
    }
}

// ---------------------------------------------------------------------------------------------
// The fuzz loop

/// A file of the corpus or the pool.
struct Seed {
    name: String,
    target: Target,
    bytes: Vec<u8>,
}

fn load_dir(dir: &Path) -> Vec<Seed> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .filter(|p| {
            !matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("md" | "txt" | "gitignore")
            )
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            Some(Seed {
                name: p.file_name()?.to_string_lossy().into_owned(),
                target: Target::of(&p),
                bytes,
            })
        })
        .collect()
}

/// The seeds every worker starts from: the corpus, then the regressions.
fn seeds() -> Vec<Arc<Seed>> {
    let mut all = load_dir(&fuzz_dir("corpus"));
    all.extend(load_dir(&fuzz_dir("regressions")));
    all.into_iter().map(Arc::new).collect()
}

/// A worker's inputs to mutate: seeds first, then what earned a place.
struct Pool {
    movies: Vec<Arc<Seed>>,
    blobs: Vec<Arc<Seed>>,
    seed_movies: usize,
    seed_blobs: usize,
    sps: Vec<Arc<Seed>>,
    pps: Vec<Arc<Seed>>,
    asc: Vec<Arc<Seed>>,
}

impl Pool {
    fn new(seeds: &[Arc<Seed>]) -> Self {
        let by_ext = |ext: &str| -> Vec<Arc<Seed>> {
            seeds
                .iter()
                .filter(|s| s.name.ends_with(ext))
                .cloned()
                .collect()
        };
        let movies: Vec<_> = seeds
            .iter()
            .filter(|s| s.target == Target::Movie)
            .cloned()
            .collect();
        let blobs: Vec<_> = seeds
            .iter()
            .filter(|s| s.target == Target::Blob)
            .cloned()
            .collect();
        Self {
            seed_movies: movies.len(),
            seed_blobs: blobs.len(),
            movies,
            blobs,
            sps: by_ext(".sps"),
            pps: by_ext(".pps"),
            asc: by_ext(".asc"),
        }
    }

    /// A base to mutate: an original seed 40% of the time, else anything in the pool.
    fn pick<'a>(rng: &mut Rng, all: &'a [Arc<Seed>], seeds: usize) -> Option<&'a Arc<Seed>> {
        if rng.chance(40) && seeds > 0 {
            all.get(rng.below(seeds))
        } else {
            rng.pick(all)
        }
    }

    fn keep(&mut self, rng: &mut Rng, input: &Input, case: u64) {
        let (list, seeds) = match input.target {
            Target::Movie => (&mut self.movies, self.seed_movies),
            Target::Blob => (&mut self.blobs, self.seed_blobs),
        };
        let seed = Arc::new(Seed {
            name: format!("{}#{case}", input.origin.split('#').next().unwrap_or("?")),
            target: input.target,
            bytes: input.bytes.clone(),
        });
        if list.len() < seeds + MAX_POOL {
            list.push(seed);
        } else {
            let i = seeds + rng.below(list.len() - seeds);
            list[i] = seed;
        }
    }

    fn blob_from(
        rng: &mut Rng,
        list: &[Arc<Seed>],
        fallback: &[u8],
        log: &mut Vec<String>,
    ) -> Vec<u8> {
        let mut bytes = rng
            .pick(list)
            .map_or_else(|| fallback.to_vec(), |s| s.bytes.clone());
        if rng.chance(30) {
            mutate::mutate_blob(rng, &mut bytes, fallback, log);
        }
        bytes
    }

    fn make_input(&self, rng: &mut Rng, case_seed: u64) -> Input {
        let mut log = Vec::new();
        let roll = rng.below(100);
        if roll < 60 || (roll < 80 && self.sps.is_empty()) {
            let base = Self::pick(rng, &self.movies, self.seed_movies);
            let donor = rng
                .pick(&self.movies)
                .map_or(&[][..], |d| d.bytes.as_slice());
            let mut bytes = base.map(|b| b.bytes.clone()).unwrap_or_default();
            mutate::mutate_movie(rng, &mut bytes, donor, &mut log);
            Input {
                target: Target::Movie,
                bytes,
                origin: base.map_or_else(|| "empty".into(), |b| b.name.clone()),
                log,
                case_seed,
            }
        } else if roll < 80 {
            let sps = Self::blob_from(rng, &self.sps, &[0x67, 0x64, 0, 0x1E], &mut log);
            let pps = Self::blob_from(rng, &self.pps, &[0x68, 0xEB, 0xE3, 0xCB], &mut log);
            let asc = Self::blob_from(rng, &self.asc, &[0x11, 0x90], &mut log);
            let mut bytes = synth::movie(rng, &sps, &pps, &asc, &mut log);
            if rng.chance(40) {
                let donor = rng
                    .pick(&self.movies)
                    .map_or(&[][..], |d| d.bytes.as_slice());
                mutate::mutate_movie(rng, &mut bytes, donor, &mut log);
            }
            Input {
                target: Target::Movie,
                bytes,
                origin: "synth".into(),
                log,
                case_seed,
            }
        } else {
            let base = Self::pick(rng, &self.blobs, self.seed_blobs);
            let donor = rng
                .pick(&self.blobs)
                .map_or(&[][..], |d| d.bytes.as_slice());
            let mut bytes = base.map(|b| b.bytes.clone()).unwrap_or_default();
            mutate::mutate_blob(rng, &mut bytes, donor, &mut log);
            Input {
                target: Target::Blob,
                bytes,
                origin: base.map_or_else(|| "empty".into(), |b| b.name.clone()),
                log,
                case_seed,
            }
        }
    }
}

/// Counters of one worker, merged at the end.
#[derive(Default)]
struct Stats {
    cases: u64,
    movies: u64,
    synth: u64,
    blobs: u64,
    facts_ok: u64,
    errors: BTreeMap<String, u64>,
    signatures: HashSet<u64>,
    kept: u64,
    /// Path hash → (parent hash, code), to name the distinct atom paths at the end.
    paths: HashMap<u64, (u64, FourCc)>,
    slowest: Duration,
    slowest_input: Option<Arc<Input>>,
    /// The largest single allocation and the highest live peak of a case, with input sizes.
    largest: (usize, usize),
    peak: (usize, usize),
    findings: Vec<Finding>,
    /// Findings by key (one bug found many times counts once here).
    distinct: BTreeMap<String, u64>,
}

impl Stats {
    fn merge(&mut self, o: Stats) {
        self.cases += o.cases;
        self.movies += o.movies;
        self.synth += o.synth;
        self.blobs += o.blobs;
        self.facts_ok += o.facts_ok;
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
        self.signatures.extend(o.signatures);
        self.kept += o.kept;
        self.paths.extend(o.paths);
        self.largest = self.largest.max(o.largest);
        self.peak = self.peak.max(o.peak);
        if o.slowest > self.slowest {
            self.slowest = o.slowest;
            self.slowest_input = o.slowest_input;
        }
        for (k, v) in o.distinct {
            *self.distinct.entry(k).or_default() += v;
        }
        self.findings.extend(o.findings);
    }

    fn record(&mut self, kind: &'static str, detail: String, input: &Input) {
        let key = finding_key(kind, &detail);
        let seen = self.distinct.entry(key).or_default();
        *seen += 1;
        // Keep the first three inputs of each distinct bug.
        if *seen <= 3 {
            let file = save_finding(kind, input, &detail);
            eprintln!(
                "fuzz: {kind} finding ({}), saved {}",
                detail.lines().next().unwrap_or(""),
                file.display()
            );
            self.findings.push(Finding { kind, detail, file });
        }
    }
}

/// When a worker stops.
#[derive(Clone, Copy)]
enum Budget {
    Until(Instant),
    Cases(u64),
}

/// What the watchdog sees of a worker: its current case (number, start, input) and where the
/// kernel counts the worker thread's CPU time.
#[derive(Default)]
struct Slot {
    current: Mutex<Option<(u64, Instant, Arc<Input>)>>,
    schedstat: OnceLock<PathBuf>,
}

/// CPU time a thread has used, from `/proc/<pid>/task/<tid>/schedstat` (Linux).
fn thread_cpu(schedstat: &Path) -> Option<Duration> {
    let text = std::fs::read_to_string(schedstat).ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn mix(a: u64, b: u64) -> u64 {
    let mut r = Rng::new(a ^ b.rotate_left(32));
    r.next_u64()
}

fn work(
    id: u64,
    run_seed: u64,
    seeds: &[Arc<Seed>],
    budget: Budget,
    stop: &AtomicBool,
    slot: &Slot,
) -> Stats {
    install_hooks();
    if let Ok(me) = std::fs::read_link("/proc/thread-self") {
        slot.schedstat
            .set(Path::new("/proc").join(me).join("schedstat"))
            .ok();
    }
    let mut pool = Pool::new(seeds);
    let mut stats = Stats::default();
    let mut keep_rng = Rng::new(mix(run_seed, id));
    let mut case = 0u64;
    loop {
        let done = match budget {
            Budget::Until(t) => Instant::now() >= t,
            Budget::Cases(n) => case >= n,
        };
        if done || stop.load(Ordering::Relaxed) {
            break;
        }
        let case_seed = mix(mix(run_seed, id), case);
        let mut rng = Rng::new(case_seed);
        QUIET.with(|q| q.set(true));
        let made = catch_unwind(AssertUnwindSafe(|| pool.make_input(&mut rng, case_seed)));
        QUIET.with(|q| q.set(false));
        let Ok(input) = made else {
            let msg = LAST_PANIC
                .with(|p| p.borrow_mut().take())
                .unwrap_or_default();
            panic!("the fuzzer's own mutation code panicked (case seed {case_seed:#x}): {msg}");
        };
        let input = Arc::new(input);
        match input.origin.as_str() {
            "synth" => stats.synth += 1,
            _ if input.target == Target::Blob => stats.blobs += 1,
            _ => stats.movies += 1,
        }
        *slot.current.lock().expect("slot") = Some((case, Instant::now(), Arc::clone(&input)));
        let started = Instant::now();
        let outcome = run_case(&input);
        let took = started.elapsed();
        *slot.current.lock().expect("slot") = None;
        if took > stats.slowest {
            stats.slowest = took;
            stats.slowest_input = Some(Arc::clone(&input));
        }
        match outcome {
            Ok(seen) => {
                if seen.usage.largest > stats.largest.0 {
                    stats.largest = (seen.usage.largest, input.bytes.len());
                }
                if seen.usage.peak > stats.peak.0 {
                    stats.peak = (seen.usage.peak, input.bytes.len());
                }
                stats.facts_ok += u64::from(seen.facts_ok && input.target == Target::Movie);
                if let Some(e) = seen.error {
                    *stats.errors.entry(e).or_default() += 1;
                }
                // Kept: a new behaviour, or an atom path never walked before.
                let mut new_path = false;
                for (h, parent, kind) in seen.paths {
                    if stats.paths.len() < 200_000 && !stats.paths.contains_key(&h) {
                        stats.paths.insert(h, (parent, kind));
                        new_path = true;
                    }
                }
                if stats.signatures.insert(seen.signature) | new_path {
                    stats.kept += 1;
                    pool.keep(&mut keep_rng, &input, case);
                }
            }
            Err((kind, detail)) => stats.record(kind, detail, &input),
        }
        stats.cases += 1;
        case += 1;
    }
    stats
}

/// Runs `jobs` workers under a watchdog. A case is a hang when, once past the time limit, it
/// goes on to use the limit again in CPU time (so a worker that a busy machine merely starves
/// is not a hang), or runs for 30 times the limit regardless. Plain threads, not scoped ones: a
/// stuck worker is left behind, to die with the process.
fn fuzz_run(run_seed: u64, jobs: u64, budget: Budget) -> Stats {
    install_hooks();
    let seeds = Arc::new(seeds());
    assert!(
        seeds.iter().any(|s| s.target == Target::Movie),
        "no seed movies in {}",
        fuzz_dir("corpus").display()
    );
    let stop = Arc::new(AtomicBool::new(false));
    let slots: Arc<Vec<Slot>> = Arc::new((0..jobs).map(|_| Slot::default()).collect());
    let limit = case_timeout();
    let mut handles: Vec<_> = (0..jobs)
        .map(|id| {
            let (seeds, stop, slots) = (Arc::clone(&seeds), Arc::clone(&stop), Arc::clone(&slots));
            std::thread::Builder::new()
                .name(format!("fuzz-{id}"))
                .spawn(move || work(id, run_seed, &seeds, budget, &stop, &slots[id as usize]))
                .map(Some)
                .expect("spawn worker")
        })
        .collect();
    let mut total = Stats::default();
    let mut hang: Option<(usize, Finding)> = None;
    // Per worker: the case over the limit and the worker's CPU time when it was first seen so.
    let mut suspects: Vec<Option<(u64, Option<Duration>)>> = vec![None; slots.len()];
    while hang.is_none() && handles.iter().flatten().any(|h| !h.is_finished()) {
        std::thread::sleep(Duration::from_millis(20));
        for (i, slot) in slots.iter().enumerate() {
            let current = slot.current.lock().expect("slot").clone();
            let Some((case, started, input)) = current.filter(|c| c.1.elapsed() > limit) else {
                suspects[i] = None;
                continue;
            };
            let cpu = slot.schedstat.get().and_then(|p| thread_cpu(p));
            let since = match suspects[i] {
                Some((c, since)) if c == case => since,
                _ => {
                    suspects[i] = Some((case, cpu));
                    cpu
                }
            };
            let burnt = cpu.zip(since).map(|(now, then)| now.saturating_sub(then));
            let wall = started.elapsed();
            if burnt.is_some_and(|b| b > limit) || wall > limit * 30 {
                let detail = format!(
                    "still running after {wall:?} ({:?} of CPU since it passed the {limit:?} limit)",
                    burnt.unwrap_or_default()
                );
                let file = save_finding("hang", &input, &detail);
                eprintln!("fuzz: hang, saved {}", file.display());
                hang = Some((
                    i,
                    Finding {
                        kind: "hang",
                        detail,
                        file,
                    },
                ));
                break;
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    if let Some((stuck, _)) = &hang {
        handles[*stuck] = None;
    }
    for h in handles.into_iter().flatten() {
        total.merge(h.join().expect("worker panicked"));
    }
    if let Some((_, finding)) = hang {
        total
            .distinct
            .insert(finding_key("hang", &finding.detail), 1);
        total.findings.push(finding);
    }
    total
}

/// Names of the distinct atom paths seen.
fn path_names(paths: &HashMap<u64, (u64, FourCc)>) -> Vec<String> {
    let mut memo: HashMap<u64, String> = HashMap::new();
    fn name(
        h: u64,
        paths: &HashMap<u64, (u64, FourCc)>,
        memo: &mut HashMap<u64, String>,
        depth: usize,
    ) -> String {
        if h == 0 || depth > 64 {
            return String::new();
        }
        if let Some(n) = memo.get(&h) {
            return n.clone();
        }
        let Some(&(parent, kind)) = paths.get(&h) else {
            return "…".into();
        };
        let up = name(parent, paths, memo, depth + 1);
        let me = earmark::media::atoms::fourcc_str(kind);
        let full = if up.is_empty() {
            me
        } else {
            format!("{up}/{me}")
        };
        memo.insert(h, full.clone());
        full
    }
    let mut names: Vec<String> = paths
        .keys()
        .map(|&h| name(h, paths, &mut memo, 0))
        .collect();
    names.sort();
    names
}

fn print_summary(s: &Stats, elapsed: Duration) {
    let secs = elapsed.as_secs_f64().max(1e-9);
    eprintln!("\n=== spec-check fuzz summary ===");
    eprintln!(
        "cases: {} in {:.1} s ({:.0} cases/s): {} mutated movies, {} generated movies, {} header blobs",
        s.cases,
        elapsed.as_secs_f64(),
        s.cases as f64 / secs,
        s.movies,
        s.synth,
        s.blobs
    );
    let movies = (s.movies + s.synth).max(1);
    eprintln!(
        "movies read to facts: {} ({:.1}%); distinct behaviours (signatures): {}; inputs kept in pools: {}",
        s.facts_ok,
        100.0 * s.facts_ok as f64 / movies as f64,
        s.signatures.len(),
        s.kept
    );
    eprintln!("distinct atom paths walked: {}", s.paths.len());
    if std::env::var_os("FUZZ_VERBOSE").is_some() {
        for n in path_names(&s.paths) {
            eprintln!("  {n}");
        }
    }
    let mut errors: Vec<_> = s.errors.iter().collect();
    errors.sort_by(|a, b| b.1.cmp(a.1));
    eprintln!("most common reader errors:");
    for (e, n) in errors.iter().take(12) {
        eprintln!("  {n:>9}  {e}");
    }
    eprintln!(
        "largest allocation: {} bytes (input {} bytes); highest live peak: {} bytes (input {} bytes)",
        s.largest.0, s.largest.1, s.peak.0, s.peak.1
    );
    if let Some(input) = &s.slowest_input {
        // Wall time includes waiting for a busy CPU: run it again alone for its own time.
        let again = Instant::now();
        run_case(input).ok();
        let again = again.elapsed();
        eprintln!(
            "slowest case: {:?}, {again:?} when run again ({}, {} bytes)",
            s.slowest,
            input.origin,
            input.bytes.len(),
        );
        // Not a finding (those are over the time limit), but worth a look when it is slow even
        // alone: kept beside the findings.
        if again > case_timeout() / 10 {
            let detail = format!("took {:?} ({again:?} run again)", s.slowest);
            let file = save_finding("slowest", input, &detail);
            eprintln!("  saved {}", file.display());
        }
    }
    eprintln!(
        "findings: {} distinct ({} inputs saved in {})",
        s.distinct.len(),
        s.findings.len(),
        crash_dir().display()
    );
    for (k, n) in &s.distinct {
        eprintln!("  {n:>6}x  {k}");
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| {
        let v = v.trim();
        v.strip_prefix("0x")
            .map_or_else(|| v.parse().ok(), |hex| u64::from_str_radix(hex, 16).ok())
    })
}

fn describe_findings(s: &Stats) -> String {
    s.findings
        .iter()
        .map(|f| format!("{} {}\n{}", f.kind, f.file.display(), f.detail))
        .collect::<Vec<_>>()
        .join("\n\n")
}

// ---------------------------------------------------------------------------------------------
// Tests

/// `make fuzz`: fuzz for `FUZZ_SECONDS`, then fail if anything was found.
#[test]
#[ignore = "long-running; `make fuzz` runs it"]
fn fuzz() {
    let seconds = env_u64("FUZZ_SECONDS").unwrap_or(60);
    let jobs = env_u64("FUZZ_JOBS").unwrap_or(2).max(1);
    let seed = env_u64("FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    // The corpus and the regressions first: with overflow checks on (`make fuzz`), this is
    // where an arithmetic-overflow regression shows.
    let (failures, _) = replay_all(&seeds());
    assert!(
        failures.is_empty(),
        "replay failures:\n{}",
        failures.join("\n")
    );
    eprintln!("fuzz: {seconds} s on {jobs} threads, FUZZ_SEED={seed:#x}");
    let start = Instant::now();
    let stats = fuzz_run(
        seed,
        jobs,
        Budget::Until(start + Duration::from_secs(seconds)),
    );
    print_summary(&stats, start.elapsed());
    assert!(
        stats.findings.is_empty(),
        "fuzz findings (FUZZ_SEED={seed:#x}):\n{}",
        describe_findings(&stats)
    );
}

/// A few thousand cases from a fixed seed, as part of `make test`.
#[test]
fn quick_fuzz_fixed_seed() {
    let start = Instant::now();
    let stats = fuzz_run(0x5EED_0FEA_124A_2C00, 1, Budget::Cases(3000));
    print_summary(&stats, start.elapsed());
    assert_eq!(stats.cases, 3000);
    assert!(
        stats.findings.is_empty(),
        "fuzz findings:\n{}",
        describe_findings(&stats)
    );
}

/// Runs every seed (blobs also as movies: a stray file must not panic either) on a thread,
/// each under the time limit. Returns the failures and how many movies read to facts.
fn replay_all(seeds: &[Arc<Seed>]) -> (Vec<String>, usize) {
    install_hooks();
    let (tx, rx) = std::sync::mpsc::channel();
    let runner = {
        let seeds = seeds.to_vec();
        std::thread::spawn(move || {
            for s in &seeds {
                let targets: &[Target] = match s.target {
                    Target::Movie => &[Target::Movie],
                    Target::Blob => &[Target::Blob, Target::Movie],
                };
                for &target in targets {
                    let input = Arc::new(Input {
                        target,
                        bytes: s.bytes.clone(),
                        origin: s.name.clone(),
                        log: Vec::new(),
                        case_seed: 0,
                    });
                    let outcome = run_case(&input).map(|seen| seen.facts_ok);
                    if tx
                        .send((s.name.clone(), s.target, target, outcome))
                        .is_err()
                    {
                        return;
                    }
                }
            }
        })
    };
    let runs = seeds
        .iter()
        .map(|s| if s.target == Target::Blob { 2 } else { 1 })
        .sum::<usize>();
    let (mut failures, mut parsed) = (Vec::new(), 0);
    let mut last = String::from("(the first file)");
    for _ in 0..runs {
        match rx.recv_timeout(case_timeout() * 5) {
            Ok((name, own, target, outcome)) => {
                match outcome {
                    Ok(true) if own == Target::Movie => parsed += 1,
                    Ok(_) => {}
                    Err((kind, detail)) => {
                        failures.push(format!("{name} (as {target:?}): {kind}: {detail}"));
                    }
                }
                last = name;
            }
            Err(_) => {
                failures.push(format!(
                    "the file after {last} did not finish in time (hang)"
                ));
                return (failures, parsed);
            }
        }
    }
    runner.join().expect("replay thread");
    (failures, parsed)
}

/// The regression suite: every corpus and regression file through every target, with no panic,
/// no allocation over the limits and no case over the time limit; and the corpus still parses.
#[test]
fn corpus_and_regressions_replay_cleanly() {
    let corpus = load_dir(&fuzz_dir("corpus"));
    let movies = corpus.iter().filter(|s| s.target == Target::Movie).count();
    assert!(movies >= 20, "corpus has only {movies} movies");
    let (failures, parsed) = replay_all(&corpus.into_iter().map(Arc::new).collect::<Vec<_>>());
    assert!(
        failures.is_empty(),
        "corpus failures:\n{}",
        failures.join("\n")
    );
    assert!(
        parsed >= movies * 3 / 4,
        "only {parsed} of {movies} corpus movies read to facts: is the corpus damaged?"
    );
    let regressions: Vec<_> = load_dir(&fuzz_dir("regressions"))
        .into_iter()
        .map(Arc::new)
        .collect();
    assert!(
        !regressions.is_empty(),
        "no files in tests/fuzz/regressions"
    );
    let (failures, _) = replay_all(&regressions);
    assert!(
        failures.is_empty(),
        "regression failures:\n{}",
        failures.join("\n")
    );
}

/// The finding `bytes` give as `target`, as a key (`None`: clean).
fn finding_of(target: Target, bytes: &[u8]) -> Option<String> {
    let input = Arc::new(Input {
        target,
        bytes: bytes.to_vec(),
        origin: "minimize".into(),
        log: Vec::new(),
        case_seed: 0,
    });
    run_case(&input)
        .err()
        .map(|(kind, detail)| finding_key(kind, &detail))
}

/// `FUZZ_MINIMIZE=file`: shrinks a finding's input while it still gives the same finding
/// (same kind and panic location) by deleting atoms (sizes fixed up), cutting the tail,
/// deleting byte runs and zeroing them; writes `NAME.min.EXT` beside it.
#[test]
#[ignore = "a debugging aid: FUZZ_MINIMIZE=path"]
fn minimize() {
    install_hooks();
    let Some(path) = std::env::var_os("FUZZ_MINIMIZE").map(PathBuf::from) else {
        eprintln!("set FUZZ_MINIMIZE to a file");
        return;
    };
    let target = Target::of(&path);
    let mut best = std::fs::read(&path).expect("FUZZ_MINIMIZE file");
    let key = finding_of(target, &best).expect("the file gives no finding");
    eprintln!("{}: {} bytes, {key}", path.display(), best.len());
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut progress = true;
    while progress && Instant::now() < deadline {
        progress = false;
        let mut candidates: Vec<Vec<u8>> = Vec::new();
        // Whole atoms, largest first.
        let mut nodes = mutate::tree(&best);
        nodes.sort_by_key(|n| std::cmp::Reverse(n.size));
        for n in &nodes {
            let mut c = best.clone();
            mutate::remove(&mut c, n.offset, n.end());
            candidates.push(c);
        }
        // The tail, then runs of bytes of falling length, deleted and zeroed.
        let mut run = best.len() / 2;
        while run >= 1 {
            candidates.push(best[..best.len() - run].to_vec());
            for at in (0..best.len().saturating_sub(run)).step_by(run) {
                let mut c = best.clone();
                mutate::remove(&mut c, at, at + run);
                candidates.push(c);
                if best[at..at + run].iter().any(|&b| b != 0) {
                    let mut z = best.clone();
                    z[at..at + run].fill(0);
                    candidates.push(z);
                }
            }
            run /= 2;
        }
        for c in candidates {
            if Instant::now() >= deadline {
                break;
            }
            let smaller = c.len() < best.len()
                || c.iter().filter(|&&b| b != 0).count() < best.iter().filter(|&&b| b != 0).count();
            if smaller && finding_of(target, &c).as_deref() == Some(key.as_str()) {
                best = c;
                progress = true;
                break;
            }
        }
    }
    let stem = path
        .file_stem()
        .map_or_else(|| "input".into(), |s| s.to_string_lossy().into_owned());
    let ext = path
        .extension()
        .map_or_else(|| "mov".into(), |e| e.to_string_lossy().into_owned());
    let out = path.with_file_name(format!("{stem}.min.{ext}"));
    std::fs::write(&out, &best).expect("write the minimized input");
    eprintln!("minimized to {} bytes: {}", best.len(), out.display());
}

/// `FUZZ_REPLAY=file`: runs one input and prints what each target made of it.
#[test]
#[ignore = "a debugging aid: FUZZ_REPLAY=path"]
fn replay() {
    let Some(path) = std::env::var_os("FUZZ_REPLAY").map(PathBuf::from) else {
        eprintln!("set FUZZ_REPLAY to a file");
        return;
    };
    let bytes = std::fs::read(&path).expect("FUZZ_REPLAY file");
    eprintln!(
        "{}: {} bytes, as {:?}",
        path.display(),
        bytes.len(),
        Target::of(&path)
    );
    match Target::of(&path) {
        Target::Blob => {
            eprintln!("parse_sps: {:?}", parse_sps(&bytes));
            eprintln!("parse_esds: {:?}", parse_esds(&bytes));
            eprintln!("parse_audio_config: {:?}", parse_audio_config(&bytes));
        }
        Target::Movie => {
            let facts = AtomReader::new(Cursor::new(&bytes)).and_then(Facts::read);
            eprintln!("Facts::read: {facts:#?}");
            let mut r = AtomReader::new(Cursor::new(&bytes)).expect("reader");
            eprintln!("Movie::read: {:?}", Movie::read(&mut r));
        }
    }
    let input = Arc::new(Input {
        target: Target::of(&path),
        bytes,
        origin: path.display().to_string(),
        log: Vec::new(),
        case_seed: 0,
    });
    let (outcome, took) = {
        let t = Instant::now();
        (run_case(&input), t.elapsed())
    };
    match outcome {
        Ok(seen) => eprintln!("clean in {took:?}: {} atoms walked", seen.paths.len()),
        Err((kind, detail)) => panic!("{kind}: {detail}"),
    }
}
