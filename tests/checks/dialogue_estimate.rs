//! The dialogue level estimate end to end, on real (synthetic) speech: `espeak-ng` speaks a
//! paragraph at run time, the test mixes it into a 2.0 programme with a music-like bed and a loud
//! music-only passage at known levels, and meters the programme through `SubBlockFilter`,
//! `SpeechDetector` and `LoudnessAccumulator` the way the whole-file analysis does. It checks
//! what the estimate is for: the speech parts are flagged and the music-only part is not, the
//! dialogue reading tracks the speech level (−27 LUFS with a bed 15 dB under it), and the
//! programme's integrated loudness moves away from it when the music is loud.
//!
//! Needs the `espeak-ng` command (Debian package `espeak-ng`, installed by
//! `scripts/install-deps.sh test`); without it the test fails and says so, rather than passing
//! on nothing.
//!
//! The bed's chords sit above the voice's pitch range on purpose: `earshot` calls sustained
//! chords whose notes lie between about 150 and 350 Hz speech (see the report with
//! `SpeechDetector`), which is a limit of the detector, not something this test is about.

use earmark::meters::{LoudnessAccumulator, LoudnessMeter, SpeechDetector, SubBlockFilter};
use std::f64::consts::PI;
use std::path::Path;
use std::process::Command;

const TEXT: &str = "Good evening. The storm reached the coast a little after midnight, and by \
    morning the harbour road was under water. Fishermen who had stayed with their boats said \
    they had never seen anything like it. The council will meet on Thursday to decide what \
    happens next.";

/// Mono 16-bit PCM from a RIFF/WAVE file: (rate, samples in −1…1).
fn read_wav(path: &Path) -> (u32, Vec<f32>) {
    let b = std::fs::read(path).expect("espeak-ng wrote the WAV");
    assert!(
        b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WAVE",
        "not a WAV"
    );
    let (mut at, mut rate, mut fmt_ok) = (12usize, 0u32, false);
    while at + 8 <= b.len() {
        let id = &b[at..at + 4];
        let size = u32::from_le_bytes([b[at + 4], b[at + 5], b[at + 6], b[at + 7]]) as usize;
        let body = at + 8;
        if id == b"fmt " {
            let u16_at = |o: usize| u16::from_le_bytes([b[body + o], b[body + o + 1]]);
            rate = u32::from_le_bytes([b[body + 4], b[body + 5], b[body + 6], b[body + 7]]);
            fmt_ok = u16_at(0) == 1 && u16_at(2) == 1 && u16_at(14) == 16;
        } else if id == b"data" {
            assert!(
                fmt_ok && rate > 0,
                "expected mono 16-bit PCM from espeak-ng"
            );
            // A streamed WAV may carry a placeholder size: take what is there.
            let end = body.saturating_add(size).min(b.len());
            let s = b[body..end]
                .chunks_exact(2)
                .map(|c| f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0)
                .collect();
            return (rate, s);
        }
        at = body + size + (size & 1);
    }
    panic!("no data chunk");
}

/// `TEXT`, spoken by espeak-ng.
fn speech() -> (u32, Vec<f32>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let wav = dir.path().join("speech.wav");
    let run = Command::new("espeak-ng")
        .arg("-w")
        .arg(&wav)
        .arg(TEXT)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "this test needs espeak-ng (apt package `espeak-ng`, \
                 `scripts/install-deps.sh test`): {e}"
            )
        });
    assert!(run.status.success(), "espeak-ng failed: {run:?}");
    read_wav(&wav)
}

/// Windowed-sinc resampling (test quality is plenty: 32 zero crossings, Hann window).
fn resample(x: &[f32], from: u32, to: u32) -> Vec<f32> {
    let ratio = f64::from(to) / f64::from(from);
    let fc = 0.5 * ratio.min(1.0) * 0.95; // cycles per input sample
    let half = (32.0 / ratio.min(1.0)) as i64;
    let n = (x.len() as f64 * ratio) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / ratio;
            let c = t.floor() as i64;
            let mut acc = 0.0;
            for j in (c - half + 1).max(0)..=(c + half).min(x.len() as i64 - 1) {
                let d = t - j as f64;
                let w = 0.5 + 0.5 * (PI * d / half as f64).cos();
                let y = 2.0 * fc * d;
                let sinc = if y.abs() < 1e-9 {
                    1.0
                } else {
                    (PI * y).sin() / (PI * y)
                };
                acc += f64::from(x[j as usize]) * 2.0 * fc * sinc * w;
            }
            acc as f32
        })
        .collect()
}

/// Music-like stereo: a chord progression (soft attack, slow decay, a few harmonics) an octave
/// and more above the voice, changing every second, spread across L and R.
fn music(rate: u32, secs: f64) -> Vec<f32> {
    const CHORDS: [[f64; 3]; 4] = [
        [659.3, 830.6, 987.8],
        [587.3, 740.0, 880.0],
        [523.3, 659.3, 784.0],
        [587.3, 740.0, 987.8],
    ];
    let n = (secs * f64::from(rate)) as usize;
    let mut out = Vec::with_capacity(2 * n);
    for i in 0..n {
        let t = i as f64 / f64::from(rate);
        let k = t as usize;
        let tn = t - k as f64;
        let env = (1.0 - (-tn * 40.0).exp()) * (-tn * 1.5).exp();
        let (mut l, mut r) = (0.0, 0.0);
        for (v, f) in CHORDS[k % 4].iter().enumerate() {
            let mut y = 0.0;
            for h in 1..=3 {
                y += (2.0 * PI * f * h as f64 * t).sin() / (h * h) as f64;
            }
            let pan = v as f64 / 2.0;
            l += y * (1.0 - 0.5 * pan);
            r += y * (0.5 + 0.5 * pan);
        }
        out.push((l * env) as f32);
        out.push((r * env) as f32);
    }
    out
}

/// Integrated loudness of interleaved stereo.
fn integrated(rate: u32, stereo: &[f32]) -> f64 {
    let mut m = LoudnessMeter::new(rate, 2);
    m.push(stereo);
    m.readings().integrated().expect("not silent")
}

fn scaled(mut x: Vec<f32>, rate: u32, lufs: f64) -> Vec<f32> {
    let g = 10f64.powf((lufs - integrated(rate, &x)) / 20.0) as f32;
    x.iter_mut().for_each(|v| *v *= g);
    x
}

fn mix(a: &[f32], b: &[f32]) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

fn share(flags: &[bool]) -> f64 {
    flags.iter().filter(|&&f| f).count() as f64 / flags.len() as f64
}

struct Reading {
    dialogue: Option<f64>,
    integrated: Option<f64>,
    speech_fraction: f64,
    flags: Vec<bool>,
}

/// Meters `programme` as the whole-file analysis would, in odd-sized pushes.
fn meter(rate: u32, programme: &[f32]) -> Reading {
    let mut filter = SubBlockFilter::new(rate, 2);
    let mut detector = SpeechDetector::new(rate);
    let mut acc = LoudnessAccumulator::new(rate, 2);
    let mut flags = Vec::new();
    let mut blocks = Vec::new();
    for chunk in programme.chunks(2 * 4001) {
        filter.push(chunk, |_, b| blocks.push(*b));
        detector.push(chunk, &mut flags);
        assert_eq!(
            flags.len(),
            blocks.len(),
            "one flag per sub-block after every push"
        );
    }
    for (b, &s) in blocks.iter().zip(&flags) {
        acc.push(b, s);
    }
    Reading {
        dialogue: acc.dialogue(),
        integrated: acc.integrated(),
        speech_fraction: acc.speech_fraction(),
        flags,
    }
}

#[test]
fn the_dialogue_estimate_tracks_speech_under_a_bed_and_ignores_loud_music() {
    let (tts_rate, voice) = speech();
    assert!(
        voice.len() > tts_rate as usize * 5,
        "espeak-ng said too little"
    );
    for rate in [48_000, 44_100] {
        let mono = resample(&voice, tts_rate, rate);
        let speech = scaled(mono.iter().flat_map(|&x| [x, x]).collect(), rate, -27.0);
        let secs = speech.len() as f64 / 2.0 / f64::from(rate);
        // Section 1 and 3: speech with a bed 15 dB under it. Section 2: music alone, loud.
        let bed = scaled(music(rate, secs), rate, -42.0);
        let talk = mix(&speech, &bed);
        let loud = scaled(music(rate, 15.0), rate, -18.0);
        let programme: Vec<f32> = [&talk[..], &loud[..], &talk[..]].concat();

        let r = meter(rate, &programme);
        let sub = |s: f64| (s * 100.0) as usize;
        let (talk_end, music_end) = (sub(secs), sub(secs + 15.0));
        // Skip the first 0.3 s of each section: the flags trail the sound by a sub-block or
        // two, and the VAD needs a few frames to settle.
        let in_talk = share(&r.flags[30..talk_end]);
        let in_music = share(&r.flags[talk_end + 30..music_end]);
        let in_talk2 = share(&r.flags[music_end + 30..]);
        let dialogue = r.dialogue.expect("speech found");
        let integrated = r.integrated.expect("not silent");
        eprintln!(
            "{rate} Hz: speech {secs:.1} s; flagged {:.0} % / {:.0} % / {:.0} % \
             (speech / music / speech); speech fraction {:.2}; dialogue {dialogue:.2} LUFS, \
             integrated {integrated:.2} LUFS",
            100.0 * in_talk,
            100.0 * in_music,
            100.0 * in_talk2,
            r.speech_fraction,
        );
        assert!(in_talk >= 0.75 && in_talk2 >= 0.75, "{rate}: speech missed");
        assert!(
            in_music <= 0.1,
            "{rate}: music taken for speech ({in_music})"
        );
        assert!(
            (dialogue - -27.0).abs() <= 1.5,
            "{rate}: dialogue {dialogue}"
        );
        assert!(
            integrated - dialogue >= 3.0,
            "{rate}: integrated {integrated}"
        );

        // The same speech and bed without the loud music: both readings agree with the speech.
        let r = meter(rate, &talk);
        let dialogue = r.dialogue.expect("speech found");
        let integrated = r.integrated.expect("not silent");
        eprintln!(
            "{rate} Hz, bed only: speech fraction {:.2}; dialogue {dialogue:.2}, \
             integrated {integrated:.2}",
            r.speech_fraction
        );
        assert!(r.speech_fraction >= 0.75, "{rate}: {}", r.speech_fraction);
        assert!(
            (dialogue - -27.0).abs() <= 1.5,
            "{rate}: dialogue {dialogue}"
        );
        assert!(
            (integrated - -27.0).abs() <= 1.0,
            "{rate}: integrated {integrated}"
        );
    }
}
