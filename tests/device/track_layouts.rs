//! Every sound layout review files come in, through the real binary and the real output path:
//! `earmark FILE --play-from TC --play-for 3 [--audio SPEC] [--fold-down bs775|ltrt] --device
//! PRIVATE --exit` plays into a PulseAudio null sink of the case's own, `parec` records that
//! sink's monitor, and each channel's tone is measured by frequency (`common/tones.rs`). With a
//! sink each, two cases measure at once (`run::shared()`); none runs beside a timing case.
//!
//! The fixtures (`scripts/make-layout-fixtures.sh`) put a sine at −20 dBFS peak in every channel,
//! each at its own frequency: L 500, R 700, C 900, LFE 60, Ls 1100, Rs 1300 Hz (7.1: side L/R
//! 1100/1300, back L/R 1500/1700), mono 900, the M&E track 1500/1700. Levels are asserted within
//! 0.1 dB (the requirement for fold-down coefficients); a tone an ear must not carry must
//! be below −60 dBFS. Also: `probe --json` lists every sound track, `loudness --json` of a 5.1
//! agrees with FFmpeg's ebur128, and a seek in an LPCM QuickTime and in AAC Main lands on the
//! sample FFmpeg's decode has there.
//!
//! Self-checks that pass whatever the player does (fixtures decoded by FFmpeg carry the tones
//! they claim; the fold-down expectations equal FFmpeg's `pan` with the same coefficients; the
//! harness reads the demo clip's line-up tone and a plain stereo WAV right) tell a harness
//! mistake from a player one.

use crate::common;

use crate::pcm;
use crate::run;
use crate::tones;
use common::layout_fixture as layout;

use earmark::audio::AudioSource;
use run::{Home, assert_no_panic, number_after};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use tones::{ChannelReport, Want, channel_report, check, db_of, steady_span};

/// Where movie fixtures start: their timecode track starts at 01:00:00:00.
const MOVIE_FROM: &str = "01:00:01:00";
/// Sound-only files have no time reference: they start at 00:00:00:00.
const SOUND_FROM: &str = "00:00:01:00";
const PLAY_FOR: &str = "3";
/// Every level within this of what the matrix says (dB).
const TOL_DB: f64 = 0.1;
/// Every tone any fixture carries; each test states which it wants where, the rest are absent.
const ALL_TONES: [f64; 8] = [60.0, 500.0, 700.0, 900.0, 1100.0, 1300.0, 1500.0, 1700.0];
/// A sine at −20 dBFS peak, as the fixtures have.
const TONE: f64 = -20.0;
/// The fixtures' marker click: one sample of +0.5 at 5.5 s in every 500/700 Hz programme.
const CLICK: usize = 264_000;
const FILE_FRAMES: usize = 6 * 48_000;

const HALF: f64 = std::f64::consts::FRAC_1_SQRT_2;
/// Lt/Rt: the published Dolby Pro Logic II encode equations (shared/reference/headphones.md,
/// row 6): each surround at √(2/3) into its own side's total and √(1/3), in opposite polarity,
/// into the other. (FFmpeg's swresample DPLII matrix uses 0.866/0.5 for the same idea:
/// measured 1100 Hz L −21.25, R −26.02 dBFS from `aresample=matrix_encoding=dplii`.)
const DPL2_NEAR: f64 = 0.816_496_580_927_726;
const DPL2_FAR: f64 = 0.577_350_269_189_625_8;

use Want::{Absent, At};

/// 500 Hz in L only, 700 Hz in R only, both at −20.
fn stereo() -> Vec<(f64, Want, Want)> {
    vec![(500.0, At(TONE), Absent), (700.0, Absent, At(TONE))]
}

/// The same, ears swapped (split mono `2+1`).
fn swapped() -> Vec<(f64, Want, Want)> {
    vec![(500.0, Absent, At(TONE)), (700.0, At(TONE), Absent)]
}

/// stereo_me.mov's second track: 1500 Hz in L, 1700 Hz in R.
fn m_and_e() -> Vec<(f64, Want, Want)> {
    vec![(1500.0, At(TONE), Absent), (1700.0, Absent, At(TONE))]
}

/// A mono track: its tone in both ears at its own level.
fn mono() -> Vec<(f64, Want, Want)> {
    vec![(900.0, At(TONE), At(TONE))]
}

/// ITU-R BS.775 Lo/Ro: L = L + 0.7071·C + 0.7071·Ls, R = R + 0.7071·C + 0.7071·Rs, LFE dropped.
fn bs775_51() -> Vec<(f64, Want, Want)> {
    let m3 = TONE + db_of(HALF); // −23.01
    vec![
        (500.0, At(TONE), Absent),
        (700.0, Absent, At(TONE)),
        (900.0, At(m3), At(m3)),
        (1100.0, At(m3), Absent),
        (1300.0, Absent, At(m3)),
    ]
}

/// BS.775 extended to 7.1 as Lo/Ro: side and back surrounds each at 0.7071 to their own side.
fn bs775_71() -> Vec<(f64, Want, Want)> {
    let m3 = TONE + db_of(HALF);
    let mut w = bs775_51();
    w.extend([(1500.0, At(m3), Absent), (1700.0, Absent, At(m3))]);
    w
}

/// Lt/Rt: Lt = L + 0.7071·C − 0.8165·Ls − 0.5774·Rs, Rt = R + 0.7071·C + 0.5774·Ls + 0.8165·Rs
/// (magnitudes: 1100 Hz L −21.76, R −24.77; 1300 Hz L −24.77, R −21.76).
fn ltrt_51() -> Vec<(f64, Want, Want)> {
    let m3 = TONE + db_of(HALF);
    let (near, far) = (TONE + db_of(DPL2_NEAR), TONE + db_of(DPL2_FAR));
    vec![
        (500.0, At(TONE), Absent),
        (700.0, Absent, At(TONE)),
        (900.0, At(m3), At(m3)),
        (1100.0, At(near), At(far)),
        (1300.0, At(far), At(near)),
    ]
}

/// The whole expectation: `named` as given, every other tone of [`ALL_TONES`] absent in both ears.
fn expectation(named: &[(f64, Want, Want)]) -> Vec<(f64, Want, Want)> {
    ALL_TONES
        .iter()
        .map(|&hz| {
            named
                .iter()
                .find(|w| w.0 == hz)
                .copied()
                .unwrap_or((hz, Absent, Absent))
        })
        .collect()
}

/// What the sink heard while earmark played, and what earmark said.
struct Recording {
    l: Vec<f32>,
    r: Vec<f32>,
    stderr: String,
    /// Where to measure: the steady middle of what was heard (see `tones::steady_span`), free
    /// of discontinuities; `None` when nothing was heard.
    span: Option<std::ops::Range<usize>>,
    /// Seconds sound was heard.
    heard: f64,
}

impl Recording {
    /// earmark's report lines (the sound it says it played, frames, underruns), for messages.
    fn summary(&self) -> String {
        self.stderr
            .lines()
            .filter(|l| {
                l.starts_with("played ") || l.starts_with("sound") || l.starts_with("earmark")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn pulse_up() -> bool {
    Command::new("pactl")
        .arg("info")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The number in `(N frames of underrun,` of the headless report.
fn underrun_frames(stderr: &str) -> Option<u64> {
    let at = stderr.find(" frames of underrun")?;
    stderr[..at].rsplit('(').next()?.trim().parse().ok()
}

/// Runs of one recording at most: a run the machine spoiled is tried again.
const RUNS: usize = 3;
/// Third-difference limit for a discontinuity (see `tones::discontinuities`).
const GLITCH: f32 = 0.02;

/// Plays `file` from `from` for `secs` with `args` into the 48 kHz sink and records it. A run
/// with an underrun, or with a discontinuity in the measured part of the recording (on this
/// shared two-core machine a stall can starve the sound server or `parec`, which then drops
/// samples earmark played), is tried again. On the last run, discontinuities are stepped
/// around: the levels are measured on the longest clean stretch if it is at least 0.5 s (a
/// note says so — sound that drops out is the dropout tests' business, levels are this file's).
fn play(file: &Path, from: &str, secs: &str, args: &[&str]) -> Recording {
    let _sink = run::shared();
    assert!(
        pulse_up(),
        "no PulseAudio server: run through `make test` (scripts/with-test-env.sh)"
    );
    for attempt in 1..=RUNS {
        let mut rec = record_once(file, from, secs, args);
        let underrun = underrun_frames(&rec.stderr)
            .unwrap_or_else(|| panic!("{}: no playback report:\n{}", file.display(), rec.stderr));
        let Some(steady) = steady_span(&rec.l, &rec.r) else {
            return rec; // silence: measuring says so
        };
        rec.heard = 2.0 * steady.len() as f64 / 48_000.0;
        let glitches = tones::discontinuities(&rec.l[steady.clone()], GLITCH)
            + tones::discontinuities(&rec.r[steady.clone()], GLITCH);
        let why =
            format!("{underrun} frames of underrun, {glitches} discontinuities in the recording");
        if underrun == 0 && glitches == 0 {
            rec.span = Some(steady);
            return rec;
        }
        if attempt < RUNS {
            eprintln!("note: {} {args:?}: {why}; trying again", file.display());
            continue;
        }
        assert_eq!(
            underrun,
            0,
            "{} {args:?}: {why}, on each of {RUNS} runs\n{}",
            file.display(),
            rec.summary()
        );
        let clean = tones::clean_stretch(&rec.l, &rec.r, steady, GLITCH, 480);
        assert!(
            clean.len() >= 24_000,
            "{} {args:?}: {why} on each of {RUNS} runs, no clean half second to measure (the \
             player drops or repeats sound?)\n{}",
            file.display(),
            rec.summary()
        );
        eprintln!(
            "note: {} {args:?}: {why} on each of {RUNS} runs; measuring the {:.2} s between them",
            file.display(),
            clean.len() as f64 / 48_000.0
        );
        rec.span = Some(clean);
        return rec;
    }
    unreachable!("the last run returns or fails")
}

fn record_once(file: &Path, from: &str, secs: &str, args: &[&str]) -> Recording {
    let home = Home::new();
    let raw = home.dir.path().join("capture.raw");
    let sink = common::PrivateSink::plug();
    let mut parec = Command::new("parec")
        .args(["-d", &sink.monitor(), "--format=float32le", "--rate=48000"])
        .args(["--channels=2", "--raw"])
        .stdout(std::fs::File::create(&raw).expect("capture file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("parec runs");
    std::thread::sleep(Duration::from_millis(300));
    let mut cmd = home.earmark();
    cmd.arg(file)
        .args(["--play-from", from, "--play-for", secs])
        .args(args)
        .args(["--device", &sink.description, "--exit"]);
    let done = run::run(cmd, Duration::from_secs(60));
    std::thread::sleep(Duration::from_millis(300));
    parec.kill().ok();
    parec.wait().ok();
    assert_no_panic(&file.display().to_string(), &done);
    assert!(
        done.status.success(),
        "earmark {} {args:?} failed ({:?}):\n{}",
        file.display(),
        done.status,
        done.stderr
    );
    let bytes = std::fs::read(&raw).expect("capture");
    let s: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Recording {
        l: s.iter().step_by(2).copied().collect(),
        r: s.iter().skip(1).step_by(2).copied().collect(),
        stderr: done.stderr,
        span: None,
        heard: 0.0,
    }
}

/// The levels of every tone over the steady middle of what was heard; fails when (nearly)
/// nothing was heard for the `secs` played.
fn measure(rec: &Recording, secs: f64, what: &str) -> ChannelReport {
    let Some(span) = rec.span.clone() else {
        panic!(
            "{what}: nothing was heard (the recording of {:.1} s is silent)\n{}",
            rec.l.len() as f64 / 48_000.0,
            rec.summary()
        );
    };
    assert!(
        rec.heard > 0.8 * secs,
        "{what}: sound heard for {:.2} s of the {secs} s played\n{}",
        rec.heard,
        rec.summary()
    );
    // Half-second windows every 1/8 s: a sample the recorder dropped spoils only the windows
    // over it (see `tones::channel_report_windowed`).
    tones::channel_report_windowed(
        &rec.l[span.clone()],
        &rec.r[span],
        &ALL_TONES,
        24_000,
        6_000,
    )
}

/// Plays `name` (a movie from 01:00:01:00, a sound file from 00:00:01:00) for 3 s with `args`
/// and checks every tone against `want` (the rest absent).
fn assert_plays(name: &str, args: &[&str], want: &[(f64, Want, Want)]) {
    let from = if name.ends_with(".mov") {
        MOVIE_FROM
    } else {
        SOUND_FROM
    };
    assert_plays_file(&layout(name), from, PLAY_FOR, args, want);
}

fn assert_plays_file(
    file: &Path,
    from: &str,
    secs: &str,
    args: &[&str],
    want: &[(f64, Want, Want)],
) {
    let what = format!(
        "{} {}",
        file.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
        args.join(" ")
    );
    let rec = play(file, from, secs, args);
    let report = measure(&rec, secs.parse().expect("seconds"), &what);
    match check(&report, &expectation(want), TOL_DB) {
        Ok(()) => eprintln!("{what}: ok\n{report}"),
        Err(e) => panic!("{what}:\n{e}\n{report}{}", rec.summary()),
    }
}

// ---------------------------------------------------------------------------------------------
// Harness controls: layouts that played before this work, so a failure below is the player's.

#[test]
fn control_demo_clip_line_up_tone_reads_minus_20_in_both_ears() {
    let _device = crate::run::shared();
    // The demo's bars: 1 kHz at −20 dBFS peak in both channels.
    let file = earmark::review::demo_clip();
    let rec = play(&file, "01:00:00:06", "1.2", &[]);
    let span = rec.span.clone().expect("the line-up tone is heard");
    let report = channel_report(&rec.l[span.clone()], &rec.r[span], &[1000.0, 500.0]);
    check(
        &report,
        &[(1000.0, At(TONE), At(TONE)), (500.0, Absent, Absent)],
        TOL_DB,
    )
    .unwrap_or_else(|e| panic!("{e}\n{report}{}", rec.summary()));
}

#[test]
fn control_stereo_wav_plays_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("stereo_pcm.wav", &[], &stereo());
}

// ---------------------------------------------------------------------------------------------
// Several tracks: the stereo mix by default, any track by number.

#[test]
fn stereo_and_m_and_e_plays_the_stereo_mix_by_default() {
    let _device = crate::run::shared();
    assert_plays("stereo_me.mov", &[], &stereo());
}

#[test]
fn stereo_and_m_and_e_audio_auto_is_the_stereo_mix() {
    let _device = crate::run::shared();
    assert_plays("stereo_me.mov", &["--audio", "auto"], &stereo());
}

#[test]
fn stereo_and_m_and_e_audio_1_is_the_stereo_mix() {
    let _device = crate::run::shared();
    assert_plays("stereo_me.mov", &["--audio", "1"], &stereo());
}

#[test]
fn stereo_and_m_and_e_audio_2_is_the_m_and_e() {
    let _device = crate::run::shared();
    assert_plays("stereo_me.mov", &["--audio", "2"], &m_and_e());
}

// ---------------------------------------------------------------------------------------------
// LPCM in QuickTime, every sample entry.

#[test]
fn pcm_in24_big_endian_plays_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("pcm_in24_be.mov", &[], &stereo());
}

#[test]
fn pcm_in24_little_endian_plays_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("pcm_in24_le.mov", &[], &stereo());
}

#[test]
fn pcm_sowt_plays_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("pcm_sowt.mov", &[], &stereo());
}

#[test]
fn pcm_twos_plays_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("pcm_twos.mov", &[], &stereo());
}

#[test]
fn pcm_in32_plays_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("pcm_in32.mov", &[], &stereo());
}

#[test]
fn pcm_fl32_plays_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("pcm_fl32.mov", &[], &stereo());
}

// ---------------------------------------------------------------------------------------------
// AAC profiles and an M4A.

#[test]
fn aac_main_plays_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("aac_main.mov", &[], &stereo());
}

#[test]
fn he_aac_standin_plays_left_and_right() {
    let _device = crate::run::shared();
    // AAC-LC at 24 kHz signalled as HE-AAC (explicit SBR, 48 kHz out): see the fixture script.
    assert_plays("aac_he_standin.mov", &[], &stereo());
}

#[test]
fn sound_only_m4a_plays_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("sound_only.m4a", &[], &stereo());
}

// ---------------------------------------------------------------------------------------------
// Mono and split mono.

#[test]
fn a_mono_track_plays_in_both_ears_at_its_level() {
    let _device = crate::run::shared();
    assert_plays("mono_aac.mov", &[], &mono());
}

#[test]
fn split_mono_aac_pair_plays_as_left_and_right_by_default() {
    let _device = crate::run::shared();
    assert_plays("split_mono.mov", &[], &stereo());
}

#[test]
fn split_mono_aac_pair_audio_1_plus_2_is_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("split_mono.mov", &["--audio", "1+2"], &stereo());
}

#[test]
fn split_mono_aac_pair_audio_2_plus_1_swaps_the_ears() {
    let _device = crate::run::shared();
    assert_plays("split_mono.mov", &["--audio", "2+1"], &swapped());
}

#[test]
fn split_mono_pcm_pair_plays_as_left_and_right_by_default() {
    let _device = crate::run::shared();
    assert_plays("split_mono_pcm.mov", &[], &stereo());
}

#[test]
fn split_mono_pcm_pair_audio_1_plus_2_is_left_and_right() {
    let _device = crate::run::shared();
    assert_plays("split_mono_pcm.mov", &["--audio", "1+2"], &stereo());
}

// ---------------------------------------------------------------------------------------------
// 5.1 and 7.1 folded down to two ears.

#[test]
fn aac_5_1_folds_down_bs775_by_default() {
    let _device = crate::run::shared();
    assert_plays("surround51_aac.mov", &[], &bs775_51());
}

#[test]
fn aac_5_1_folds_down_bs775_when_asked() {
    let _device = crate::run::shared();
    assert_plays("surround51_aac.mov", &["--fold-down", "bs775"], &bs775_51());
}

#[test]
fn aac_5_1_folds_down_ltrt_when_asked() {
    let _device = crate::run::shared();
    assert_plays("surround51_aac.mov", &["--fold-down", "ltrt"], &ltrt_51());
}

#[test]
fn wav_5_1_folds_down_bs775_by_default() {
    let _device = crate::run::shared();
    assert_plays("surround51.wav", &[], &bs775_51());
}

#[test]
fn wav_5_1_folds_down_ltrt_when_asked() {
    let _device = crate::run::shared();
    assert_plays("surround51.wav", &["--fold-down", "ltrt"], &ltrt_51());
}

#[test]
fn wav_7_1_folds_down_bs775_by_default() {
    let _device = crate::run::shared();
    assert_plays("surround71.wav", &[], &bs775_71());
}

// ---------------------------------------------------------------------------------------------
// No sound: picture only plays; asked for sound and none played is a failure.

fn headless(home: &Home, file: &Path, args: &[&str]) -> run::Finished {
    let _sink = run::shared();
    let sink = common::PrivateSink::plug();
    let mut cmd = home.earmark();
    cmd.arg(file)
        .args(["--play-from", MOVIE_FROM, "--play-for", "2"])
        .args(args)
        .args(["--device", &sink.description, "--exit"]);
    let done = run::run(cmd, Duration::from_secs(60));
    assert_no_panic(&format!("{} {args:?}", file.display()), &done);
    done
}

#[test]
fn a_picture_only_file_plays_its_picture_headless() {
    let _device = crate::run::shared();
    let home = Home::new();
    let done = headless(&home, &layout("picture_only.mov"), &[]);
    assert!(
        done.status.success(),
        "picture only, no sound asked for: exit {:?}\n{}",
        done.status,
        done.stderr
    );
    // 2 s at 25 fps: every picture presented or (on a loaded machine) dropped on time.
    let presented = number_after(&done.stderr, "pictures ");
    let dropped = number_after(&done.stderr, "dropped ");
    assert!(
        (45..=52).contains(&(presented + dropped)) && presented >= 30,
        "{presented} pictures presented and {dropped} dropped in 2 s at 25 fps\n{}",
        done.stderr
    );
}

/// A copy of pcm_twos.mov whose sound's sample entry is `qqqq`, a codec no decoder knows: the
/// file has a sound track, and nothing can play it.
fn undecodable_sound(dir: &Path) -> PathBuf {
    let bytes = std::fs::read(layout("pcm_twos.mov")).expect("read");
    let at = bytes
        .windows(4)
        .position(|w| w == b"twos")
        .expect("the twos sample entry");
    assert_eq!(bytes.windows(4).filter(|w| w == b"twos").count(), 1);
    let mut bytes = bytes;
    bytes[at..at + 4].copy_from_slice(b"qqqq");
    let out = dir.join("undecodable_sound.mov");
    std::fs::write(&out, bytes).expect("write");
    out
}

#[test]
fn headless_play_asked_for_sound_that_plays_none_exits_non_zero() {
    let _device = crate::run::shared();
    let home = Home::new();
    let undecodable = undecodable_sound(home.dir.path());
    let cases: [(PathBuf, &[&str]); 6] = [
        // The file has sound, and none of it can be played.
        (undecodable.clone(), &[]),
        (undecodable, &["--audio", "1"]),
        // Sound asked for by track where there is none, or no such track.
        (layout("picture_only.mov"), &["--audio", "1"]),
        (layout("stereo_me.mov"), &["--audio", "3"]),
        (layout("split_mono.mov"), &["--audio", "1+3"]),
        (layout("stereo_me.mov"), &["--audio", "0"]),
    ];
    let mut wrong = Vec::new();
    for (file, args) in cases {
        let done = headless(&home, &file, args);
        let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        if done.status.success() {
            wrong.push(format!("{name} {args:?}: exit 0\n{}", done.stderr));
        } else if !done.stderr.contains("earmark: ") {
            wrong.push(format!(
                "{name} {args:?}: exit {:?} without a message\n{}",
                done.status, done.stderr
            ));
        } else {
            eprintln!("{name} {args:?}: exit {:?} — ok", done.status.code());
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

// ---------------------------------------------------------------------------------------------
// probe --json lists every sound track.

fn probe_json(file: &Path) -> serde_json::Value {
    let _cpu = run::shared(); // not while a recording runs: both want the CPU
    let home = Home::new();
    let mut cmd = home.earmark();
    cmd.arg("probe").arg("--json").arg(file);
    let out = cmd.output().expect("earmark runs");
    assert!(
        out.status.success(),
        "probe {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "probe --json {}: not JSON ({e}):\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

/// One expected entry of `audio_tracks`: track, codec (None: not checked), channels, layout,
/// sample rate, title (None: not checked).
type TrackWant = (
    u64,
    Option<&'static str>,
    u64,
    &'static str,
    u64,
    Option<&'static str>,
);

fn assert_tracks(name: &str, want: &[TrackWant]) {
    let doc = probe_json(&layout(name));
    let tracks = doc
        .get("audio_tracks")
        .and_then(|t| t.as_array())
        .unwrap_or_else(|| panic!("{name}: no `audio_tracks` array in probe --json:\n{doc:#}"));
    assert_eq!(
        tracks.len(),
        want.len(),
        "{name}: audio_tracks {:#}",
        doc["audio_tracks"]
    );
    for (t, &(track, codec, channels, layout, rate, title)) in tracks.iter().zip(want) {
        let ctx = format!("{name} track {track}: {t:#}");
        assert_eq!(t["track"].as_u64(), Some(track), "{ctx}");
        if let Some(codec) = codec {
            assert_eq!(t["codec"].as_str(), Some(codec), "{ctx}");
        }
        assert_eq!(t["channels"].as_u64(), Some(channels), "{ctx}");
        assert_eq!(t["layout"].as_str(), Some(layout), "{ctx}");
        assert_eq!(t["sample_rate"].as_u64(), Some(rate), "{ctx}");
        assert!(t.get("title").is_some(), "{ctx}: no `title` key");
        if let Some(title) = title {
            assert_eq!(t["title"].as_str(), Some(title), "{ctx}");
        }
    }
}

#[test]
fn probe_lists_a_split_mono_pair_with_its_titles() {
    let _device = crate::run::shared();
    assert_tracks(
        "split_mono.mov",
        &[
            (1, Some("aac"), 1, "mono", 48_000, Some("Left")),
            (2, Some("aac"), 1, "mono", 48_000, Some("Right")),
        ],
    );
    assert_tracks(
        "split_mono_pcm.mov",
        &[
            (1, None, 1, "mono", 48_000, Some("Left")),
            (2, None, 1, "mono", 48_000, Some("Right")),
        ],
    );
}

#[test]
fn probe_lists_stereo_mix_and_m_and_e() {
    let _device = crate::run::shared();
    assert_tracks(
        "stereo_me.mov",
        &[
            (1, Some("aac"), 2, "stereo", 48_000, Some("Stereo mix")),
            (2, Some("aac"), 2, "stereo", 48_000, Some("M&E")),
        ],
    );
}

#[test]
fn probe_lists_surround_layouts_and_mono() {
    let _device = crate::run::shared();
    assert_tracks(
        "surround51_aac.mov",
        &[(1, Some("aac"), 6, "5.1", 48_000, None)],
    );
    assert_tracks("surround51.wav", &[(1, None, 6, "5.1", 48_000, None)]);
    assert_tracks("surround71.wav", &[(1, None, 8, "7.1", 48_000, None)]);
    assert_tracks("mono_aac.mov", &[(1, Some("aac"), 1, "mono", 48_000, None)]);
    assert_tracks("picture_only.mov", &[]);
}

// ---------------------------------------------------------------------------------------------
// loudness --json of a 5.1 agrees with FFmpeg's ebur128.

/// `ffmpeg -nostats -i FILE -filter_complex ebur128 -f null -`: the Summary's integrated level.
fn ffmpeg_integrated_lufs(file: &Path) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-nostats", "-hide_banner", "-i"])
        .arg(file)
        .args(["-filter_complex", "ebur128", "-f", "null", "-"])
        .output()
        .expect("the ffmpeg CLI runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "ffmpeg ebur128: {err}");
    // The last Summary: FFmpeg may set the graph up twice, and the unused first ebur128 prints a
    // Summary of nothing (I: -70.0 LUFS) when it is torn down.
    let summary = &err[err
        .rfind("Summary:")
        .unwrap_or_else(|| panic!("no Summary:\n{err}"))..];
    summary
        .lines()
        .find_map(|l| l.trim().strip_prefix("I:"))
        .and_then(|v| v.trim().trim_end_matches("LUFS").trim().parse().ok())
        .unwrap_or_else(|| panic!("no integrated level in the Summary:\n{summary}"))
}

fn earmark_integrated_lufs(file: &Path) -> f64 {
    let home = Home::new();
    let mut cmd = home.earmark();
    cmd.args(["loudness", "--json", "--preset", "none"])
        .arg(file);
    let out = cmd.output().expect("earmark runs");
    assert!(
        out.status.success(),
        "loudness {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("loudness JSON");
    doc["integrated_lufs"]
        .as_f64()
        .unwrap_or_else(|| panic!("no integrated_lufs: {doc:#}"))
}

fn assert_loudness_matches_ffmpeg(name: &str) {
    let file = layout(name);
    let _sink = run::shared(); // not while a recording runs: both want the CPU
    let theirs = ffmpeg_integrated_lufs(&file);
    let ours = earmark_integrated_lufs(&file);
    eprintln!("{name}: earmark {ours:.2} LUFS, ffmpeg ebur128 {theirs:.1} LUFS");
    // ebur128 prints one decimal: its own rounding is within 0.05.
    assert!(
        (ours - theirs).abs() <= 0.1 + 0.05,
        "{name}: earmark {ours:.2} LUFS, ffmpeg ebur128 {theirs:.1} LUFS"
    );
}

#[test]
fn control_loudness_of_a_stereo_wav_matches_ffmpeg() {
    let _device = crate::run::shared();
    assert_loudness_matches_ffmpeg("stereo_pcm.wav");
}

#[test]
fn loudness_of_aac_5_1_matches_ffmpeg_ebur128() {
    let _device = crate::run::shared();
    assert_loudness_matches_ffmpeg("surround51_aac.mov");
}

#[test]
fn loudness_of_wav_5_1_matches_ffmpeg_ebur128() {
    let _device = crate::run::shared();
    assert_loudness_matches_ffmpeg("surround51.wav");
}

// ---------------------------------------------------------------------------------------------
// Sample-exact start after a seek (library level), against the ffmpeg CLI's decode.

/// The frame where the left channel's magnitude peaks (the marker click).
fn click_at(stereo: &[f32]) -> usize {
    stereo
        .chunks_exact(2)
        .enumerate()
        .max_by(|a, b| a.1[0].abs().total_cmp(&b.1[0].abs()))
        .map(|(i, _)| i)
        .expect("samples")
}

/// Decodes `src` from where it stands: at least `frames` frames (fewer at the end), chunks
/// contiguous from `from`.
fn decode_from(src: &mut AudioSource, from: usize, frames: usize, what: &str) -> Vec<f32> {
    let mut got = Vec::new();
    let mut next = from as i64;
    while got.len() < frames * 2 {
        let Some(chunk) = src
            .next_chunk()
            .unwrap_or_else(|e| panic!("{what}: decode: {e}"))
        else {
            break;
        };
        assert_eq!(chunk.start, next, "{what}: chunks contiguous from {from}");
        next += (chunk.samples.len() / 2) as i64;
        got.extend_from_slice(&chunk.samples);
    }
    got
}

fn assert_sample_exact(name: &str, lossless: bool) {
    let path = layout(name);
    let reference = pcm::ffmpeg_f32(&path, &["-map", "0:a:0"]);
    let mut src =
        AudioSource::open(&path).unwrap_or_else(|e| panic!("{name}: AudioSource::open: {e}"));
    assert_eq!(src.info().channels, 2, "{name}");
    assert_eq!(src.info().sample_rate, 48_000, "{name}");

    // The whole decode from the start against FFmpeg's, at zero lag.
    let all = decode_from(&mut src, 0, usize::MAX / 4, name);
    assert_eq!(src.bad_packets(), 0, "{name}");
    let frames = all.len() / 2;
    if lossless {
        assert_eq!(frames, FILE_FRAMES, "{name}: length");
        assert_eq!(reference.len(), all.len(), "{name}: FFmpeg's length");
    } else {
        // FFmpeg's CLI keeps the whole last AAC packet; the track's own end may be shorter.
        let diff = frames.abs_diff(reference.len() / 2);
        assert!(diff < 1024, "{name}: lengths differ by {diff} frames");
    }
    let len = all.len().min(reference.len());
    let zero = pcm::correlation(&all[..len], &reference[..len], 0);
    assert!(zero >= 0.999, "{name}: correlation at zero lag {zero:.6}");
    let (ours_click, theirs_click) = (click_at(&all), click_at(&reference));
    assert_eq!(
        ours_click, theirs_click,
        "{name}: the marker click at frame {ours_click}, in FFmpeg's decode at {theirs_click}"
    );
    assert!(
        ours_click.abs_diff(CLICK) <= if lossless { 0 } else { 64 },
        "{name}: click at {ours_click}, made at {CLICK}"
    );
    if lossless {
        let d = pcm::max_diff(&all[..len], &reference[..len]);
        assert!(d < 1e-6, "{name}: max difference from FFmpeg {d}");
    }

    // Seeks: the first chunk starts on the target, and what follows is FFmpeg's decode there.
    for target in [
        1,
        1023,
        1024,
        1025,
        47_999,
        72_072,
        123_457,
        CLICK - 1500,
        CLICK - 1,
        CLICK,
        FILE_FRAMES - 5000,
    ] {
        let what = format!("{name}: seek to {target}");
        src.seek(target as i64)
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        let got = decode_from(&mut src, target, 4096, &what);
        let want = &reference[target * 2..(target * 2 + got.len()).min(reference.len())];
        assert!(
            got.len() / 2 >= 4096.min(FILE_FRAMES - target - if lossless { 0 } else { 1024 }),
            "{what}: only {} frames",
            got.len() / 2
        );
        let n = got.len().min(want.len());
        let c = pcm::correlation(&got[..n], &want[..n], 0);
        assert!(
            c >= 0.999,
            "{what}: correlation with FFmpeg at zero lag {c:.6}"
        );
        for lag in [-1i64, 1] {
            let off = pcm::correlation(&got[..n], &reference[target * 2..], lag);
            assert!(
                off < c,
                "{what}: lag {lag} correlates better ({off:.6}) than 0 ({c:.6})"
            );
        }
        if (CLICK - 1500..=CLICK).contains(&target) {
            assert_eq!(
                target + click_at(&got[..n]),
                theirs_click,
                "{what}: the click"
            );
        }
        if lossless {
            let d = pcm::max_diff(&got[..n], &want[..n]);
            assert!(d < 1e-6, "{what}: max difference from FFmpeg {d}");
        }
    }
}

#[test]
fn pcm_in24_seek_lands_on_the_exact_sample() {
    let _cpu = run::shared();
    assert_sample_exact("pcm_in24_be.mov", true);
}

#[test]
fn aac_main_seek_lands_on_the_exact_sample() {
    let _cpu = run::shared();
    assert_sample_exact("aac_main.mov", false);
}

// ---------------------------------------------------------------------------------------------
// Self-checks: the fixtures and the expectations, by FFmpeg alone.

/// Each channel of each fixture track, decoded by FFmpeg, carries its own tone at −20 and no
/// other (within 0.1 dB; the AAC encodes included), over 1–5 s.
#[test]
fn self_check_fixtures_carry_the_tones_they_claim() {
    let _cpu = run::shared();
    // file, track (0-based), each channel's frequency in file order.
    let cases: &[(&str, usize, &[f64])] = &[
        ("pcm_in24_be.mov", 0, &[500.0, 700.0]),
        ("pcm_in24_le.mov", 0, &[500.0, 700.0]),
        ("pcm_sowt.mov", 0, &[500.0, 700.0]),
        ("pcm_twos.mov", 0, &[500.0, 700.0]),
        ("pcm_in32.mov", 0, &[500.0, 700.0]),
        ("pcm_fl32.mov", 0, &[500.0, 700.0]),
        ("mono_aac.mov", 0, &[900.0]),
        ("split_mono.mov", 0, &[500.0]),
        ("split_mono.mov", 1, &[700.0]),
        ("split_mono_pcm.mov", 0, &[500.0]),
        ("split_mono_pcm.mov", 1, &[700.0]),
        (
            "surround51_aac.mov",
            0,
            &[500.0, 700.0, 900.0, 60.0, 1100.0, 1300.0],
        ),
        (
            "surround51.wav",
            0,
            &[500.0, 700.0, 900.0, 60.0, 1100.0, 1300.0],
        ),
        // FL FR FC LFE BL BR SL SR.
        (
            "surround71.wav",
            0,
            &[500.0, 700.0, 900.0, 60.0, 1500.0, 1700.0, 1100.0, 1300.0],
        ),
        ("stereo_me.mov", 0, &[500.0, 700.0]),
        ("stereo_me.mov", 1, &[1500.0, 1700.0]),
        ("aac_main.mov", 0, &[500.0, 700.0]),
        ("aac_he_standin.mov", 0, &[500.0, 700.0]),
        ("sound_only.m4a", 0, &[500.0, 700.0]),
        ("stereo_pcm.wav", 0, &[500.0, 700.0]),
    ];
    let mut bad = Vec::new();
    for &(name, track, freqs) in cases {
        let x = pcm::ffmpeg_f32(&layout(name), &["-map", &format!("0:a:{track}")]);
        let ch = freqs.len();
        for (c, &own) in freqs.iter().enumerate() {
            let chan: Vec<f32> = x
                .iter()
                .skip(c)
                .step_by(ch)
                .skip(48_000)
                .take(4 * 48_000)
                .copied()
                .collect();
            for &hz in &ALL_TONES {
                let db = tones::tone_level_db(&chan, 48_000, hz);
                let ok = if hz == own {
                    (db - TONE).abs() <= TOL_DB
                } else {
                    db < tones::ABSENT_DBFS
                };
                if !ok {
                    bad.push(format!(
                        "{name} track {} channel {}: {hz} Hz at {db:.2} dBFS",
                        track + 1,
                        c + 1
                    ));
                }
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// The fold-down expectations above are what FFmpeg's `pan` filter gives with the same
/// coefficients on the fixtures: the expected numbers follow from the matrices.
#[test]
fn self_check_fold_down_expectations_equal_ffmpeg_pan() {
    let _cpu = run::shared();
    let h = HALF;
    let cases = [
        (
            "surround51.wav",
            format!("pan=stereo|FL=FL+{h}*FC+{h}*BL|FR=FR+{h}*FC+{h}*BR"),
            bs775_51(),
        ),
        (
            "surround51_aac.mov",
            format!("pan=stereo|FL=FL+{h}*FC+{h}*BL|FR=FR+{h}*FC+{h}*BR"),
            bs775_51(),
        ),
        (
            "surround51.wav",
            format!(
                "pan=stereo|FL=FL+{h}*FC-{DPL2_NEAR}*BL-{DPL2_FAR}*BR|FR=FR+{h}*FC+{DPL2_FAR}*BL+{DPL2_NEAR}*BR"
            ),
            ltrt_51(),
        ),
        (
            "surround71.wav",
            format!("pan=stereo|FL=FL+{h}*FC+{h}*SL+{h}*BL|FR=FR+{h}*FC+{h}*SR+{h}*BR"),
            bs775_71(),
        ),
    ];
    let mut bad = Vec::new();
    for (name, filter, want) in cases {
        let o = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(layout(name))
            .args(["-af", &filter, "-f", "f32le", "-"])
            .output()
            .expect("the ffmpeg CLI runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let s: Vec<f32> = o
            .stdout
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        let pick = |c: usize| -> Vec<f32> {
            s.iter()
                .skip(c)
                .step_by(2)
                .skip(48_000)
                .take(3 * 48_000)
                .copied()
                .collect()
        };
        let report = channel_report(&pick(0), &pick(1), &ALL_TONES);
        if let Err(e) = check(&report, &expectation(&want), TOL_DB) {
            bad.push(format!("{name} through {filter}:\n{e}\n{report}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn self_check_ebur128_summary_is_parsed() {
    let _cpu = run::shared();
    // EBU Tech 3341 case 1: a 1 kHz sine at the same peak level in both channels reads that level
    // in LUFS; −20 dBFS peak → −20.0 LUFS.
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("k.wav");
    run::ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "aevalsrc=0.1*sin(2*PI*1000*t)|0.1*sin(2*PI*1000*t):s=48000:d=5",
        "-c:a",
        "pcm_f32le",
        f.to_str().expect("UTF-8"),
    ]);
    let i = ffmpeg_integrated_lufs(&f);
    assert!((i + 20.0).abs() <= 0.1, "{i} LUFS");
}
