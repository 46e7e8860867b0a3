//! Whole-file loudness analysis: decodes a file's sound and meters all of it, faster than real
//! time, with the same meter the live panel uses.
//!
//! The file is cut into one *lane* per core at 10 ms sub-block boundaries. Each lane decodes its
//! part (symphonia, priming and edit list applied, seeking to the exact sample as playback
//! does), runs the BS.1770 sub-block filter and the voice detector over it, after one second of
//! pre-roll so filters and detector start warm. Lane 0 feeds the gated accumulator as it goes;
//! the others keep their sub-blocks, which join the accumulator in order when lane 0 is done.
//! Channels and 10 ms slices are all the gating ever sees, so the joined result is the result
//! of one pass. The output carries a loudness-over-time curve (short-term, 10 per second).
//!
//! What is measured is the sound chosen for review (a track, or a split-mono pair), on its own
//! channels with BS.1770's weights for their positions (a 5.1's surrounds +1.5 dB, its LFE left
//! out) — or, when asked, on its fold-down to stereo, which is what the reviewer hears. The
//! voice detector always listens to the stereo fold-down.

use crate::audio::{AudioChoice, AudioError, AudioSource, Downmix, FoldDown};
use crate::meters::sub_blocks::SUB_BLOCKS_PER_SECOND;
use crate::meters::{LoudnessAccumulator, Measured, SpeechDetector, SubBlock, SubBlockFilter};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use thiserror::Error;

/// Why a scan did not finish.
#[derive(Debug, Error)]
pub enum ScanError {
    #[error(transparent)]
    Audio(#[from] AudioError),
    #[error("the loudness scan of {0} was cancelled")]
    Cancelled(String),
    #[error("could not start a scan thread: {0}")]
    Thread(std::io::Error),
}

/// The numbers of a whole-file measurement (field names are the `--json` keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoudnessReport {
    pub integrated_lufs: Option<f64>,
    pub loudness_range_lu: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    pub max_momentary_lufs: Option<f64>,
    pub max_short_term_lufs: Option<f64>,
    /// Speech-gated loudness estimate (not Dolby Dialogue Intelligence); `None` with no speech.
    pub dialogue_lufs: Option<f64>,
    /// Share of the programme's 400 ms blocks the voice detector heard speech in (0…1).
    pub speech_fraction: f64,
    /// Per channel, dBTP (`None` for a silent channel).
    pub true_peak_per_channel_dbtp: Vec<Option<f64>>,
    pub duration_s: f64,
    pub sample_rate: u32,
    pub channels: u16,
    /// The layout measured ("stereo", "5.1", …).
    #[serde(default)]
    pub layout: String,
    /// What was measured, in words ("Track 1 of 1 · 5.1", "… folded to stereo, Lo/Ro …").
    #[serde(default)]
    pub measured_on: String,
}

impl LoudnessReport {
    /// What a preset judges.
    pub fn measured(&self) -> Measured {
        Measured {
            integrated_lufs: self.integrated_lufs,
            dialogue_lufs: self.dialogue_lufs,
            speech_fraction: self.speech_fraction,
            true_peak_dbtp: self.true_peak_dbtp.unwrap_or(f64::NEG_INFINITY),
        }
    }
}

/// A scan's result: the report and the loudness over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoudnessScan {
    pub report: LoudnessReport,
    /// Short-term loudness (LUFS, −∞ stored as −200) every 100 ms from the start.
    pub curve: Vec<f32>,
}

/// Curve points per second.
pub const CURVE_RATE: u32 = 10;
/// What −∞ is stored as in the curve (JSON has no infinities).
pub const CURVE_FLOOR: f32 = -200.0;

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some((v * 1000.0).round() / 1000.0)
}

/// Pre-roll before a lane's first sub-block, in sub-blocks (1 s).
const PRE_ROLL_SUBS: u64 = 100;
/// Files shorter than this are not split.
const MIN_LANE_SECONDS: u64 = 20;

/// What a lane hands back: its sub-blocks (lane 0 keeps none) and speech flags.
struct Lane {
    blocks: Vec<SubBlock>,
    flags: Vec<bool>,
}

/// What to measure.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ScanOptions {
    /// The sound chosen for review.
    pub audio: AudioChoice,
    /// Measure its fold-down to stereo (this matrix) instead of its own channels.
    pub fold_down: Option<FoldDown>,
}

/// Meters the whole of `path`'s sound (Earmark's pick of track, on its own channels).
/// `progress` is set to permille done; `cancel` stops it.
pub fn scan_file(
    path: &Path,
    progress: &AtomicU32,
    cancel: &AtomicBool,
) -> Result<LoudnessScan, ScanError> {
    scan_file_with(path, ScanOptions::default(), progress, cancel)
}

/// Meters the whole of the sound `options` name.
pub fn scan_file_with(
    path: &Path,
    options: ScanOptions,
    progress: &AtomicU32,
    cancel: &AtomicBool,
) -> Result<LoudnessScan, ScanError> {
    let source = AudioSource::open_choice(path, options.audio)?;
    let info = source.info().clone();
    let rate = info.sample_rate.max(1);
    // More channels than the meter takes (BS.1770 defines weights up to 7.1): the fold-down.
    let fold_down = options.fold_down.or_else(|| {
        (usize::from(info.channels) > crate::meters::sub_blocks::MAX_CHANNELS)
            .then_some(FoldDown::default())
    });
    let options = ScanOptions {
        fold_down,
        ..options
    };
    let fold = Downmix::new(&info.layout, options.fold_down.unwrap_or_default());
    // What the meter sees: the track's own channels, or the fold-down.
    let (channels, weights, layout) = match options.fold_down {
        Some(_) => (2, vec![1.0, 1.0], "stereo".to_owned()),
        None => (
            info.channels.max(1) as usize,
            info.layout.loudness_weights(),
            info.layout.name(),
        ),
    };
    let measured_on = {
        let which = source.tracks().which();
        match options.fold_down {
            Some(_) if !fold.is_identity() => format!("{which} · {}", fold.words),
            _ => format!("{which} · {}", info.layout.name()),
        }
    };
    let shape = Shape {
        channels,
        weights: &weights,
        fold: &fold,
        folded: options.fold_down.is_some(),
    };
    let total = info.duration_samples;
    let per_sub = |k: u64| k * rate as u64 / SUB_BLOCKS_PER_SECOND;
    let total_subs = total * SUB_BLOCKS_PER_SECOND / rate as u64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
    let lanes = if total == 0 {
        1
    } else {
        cores
            .min(total / (rate as u64 * MIN_LANE_SECONDS))
            .clamp(1, 8)
    };
    // Lane i covers sub-blocks [starts[i], starts[i + 1]); the last runs to the end.
    let starts: Vec<u64> = (0..lanes).map(|i| total_subs * i / lanes).collect();
    let done = AtomicU64::new(0);
    let speech = true;
    let mut acc = LoudnessAccumulator::new(rate, channels);
    let mut curve = Vec::with_capacity(total_subs as usize / 10 + 1);
    let on_block = |acc: &mut LoudnessAccumulator, b: &SubBlock, curve: &mut Vec<f32>| {
        acc.push(b, false);
        if acc.sub_blocks().is_multiple_of(10) {
            let s = acc.short_term();
            curve.push(if s.is_finite() { s as f32 } else { CURVE_FLOOR });
        }
    };
    let report_progress = |n: u64| {
        let d = done.fetch_add(n, Ordering::Relaxed) + n;
        progress.store(
            (d * 1000 / total.max(1)).min(1000) as u32,
            Ordering::Relaxed,
        );
    };
    let results: Vec<Result<Lane, ScanError>> = std::thread::scope(|scope| {
        let mut handles = Vec::new();
        for i in 1..lanes as usize {
            let (first, end) = (starts[i], starts.get(i + 1).copied());
            let path = path.to_path_buf();
            let report = &report_progress;
            let h = std::thread::Builder::new()
                .name(format!("scan-lane-{i}"))
                .spawn_scoped(scope, move || {
                    let mut source = AudioSource::open_choice(&path, options.audio)?;
                    let mut blocks = Vec::new();
                    let flags = run_lane(
                        &mut source,
                        LaneSpan {
                            rate,
                            shape,
                            first,
                            end: end.map(per_sub),
                            speech,
                        },
                        cancel,
                        report,
                        |b| blocks.push(*b),
                    )?;
                    Ok(Lane { blocks, flags })
                })
                .map_err(ScanError::Thread);
            handles.push(h);
        }
        let mut source = source;
        let first = run_lane(
            &mut source,
            LaneSpan {
                rate,
                shape,
                first: 0,
                end: starts.get(1).copied().map(per_sub),
                speech,
            },
            cancel,
            &report_progress,
            |b| on_block(&mut acc, b, &mut curve),
        )
        .map(|flags| Lane {
            blocks: Vec::new(),
            flags,
        });
        let mut all = vec![first];
        for h in handles {
            all.push(match h {
                Ok(h) => h.join().unwrap_or_else(|_| {
                    Err(ScanError::Thread(std::io::Error::other(
                        "a scan lane stopped",
                    )))
                }),
                Err(e) => Err(e),
            });
        }
        all
    });
    let mut flags = Vec::new();
    for lane in results {
        let lane = lane?;
        for b in &lane.blocks {
            on_block(&mut acc, b, &mut curve);
        }
        flags.extend(lane.flags);
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(ScanError::Cancelled(path.display().to_string()));
    }
    let (dialogue, speech_fraction) = if speech {
        acc.dialogue_with(&flags)
    } else {
        (None, 0.0)
    };
    progress.store(1000, Ordering::Relaxed);
    Ok(LoudnessScan {
        report: LoudnessReport {
            integrated_lufs: acc.integrated().and_then(finite),
            loudness_range_lu: acc.loudness_range().and_then(finite),
            true_peak_dbtp: finite(acc.max_true_peak_dbtp()),
            sample_peak_dbfs: finite(acc.max_sample_peak_dbfs()),
            max_momentary_lufs: finite(acc.max_momentary()),
            max_short_term_lufs: finite(acc.max_short_term()),
            dialogue_lufs: dialogue.and_then(finite),
            speech_fraction: (speech_fraction * 1000.0).round() / 1000.0,
            true_peak_per_channel_dbtp: acc.true_peak_dbtp().into_iter().map(finite).collect(),
            duration_s: acc.sub_blocks() as f64 / SUB_BLOCKS_PER_SECOND as f64,
            sample_rate: rate,
            channels: channels as u16,
            layout,
            measured_on,
        },
        curve,
    })
}

/// The channels a lane meters and how it gets them.
#[derive(Clone, Copy)]
struct Shape<'a> {
    /// Channels the meter sees.
    channels: usize,
    /// Their BS.1770 weights.
    weights: &'a [f64],
    /// The track's fold-down to stereo (for the voice detector, and for the meter when folded).
    fold: &'a Downmix,
    /// Meter the fold-down rather than the track's own channels.
    folded: bool,
}

/// Where a lane starts and stops.
#[derive(Clone, Copy)]
struct LaneSpan<'a> {
    rate: u32,
    shape: Shape<'a>,
    /// First sub-block the lane reports.
    first: u64,
    /// Sample where the next lane takes over (`None`: the end of the sound).
    end: Option<u64>,
    speech: bool,
}

/// Decodes and filters one lane, handing its sub-blocks to `out`; returns its speech flags.
fn run_lane(
    source: &mut AudioSource,
    span: LaneSpan,
    cancel: &AtomicBool,
    progress: &dyn Fn(u64),
    mut out: impl FnMut(&SubBlock),
) -> Result<Vec<bool>, ScanError> {
    let LaneSpan {
        rate,
        shape,
        first,
        end,
        speech,
    } = span;
    // What the decoder gives: the track's own channels.
    let channels = shape.fold.channels();
    let pre = first.min(PRE_ROLL_SUBS);
    let from_sub = first - pre;
    let from = from_sub * rate as u64 / SUB_BLOCKS_PER_SECOND;
    if from > 0 {
        source.seek(from as i64)?;
    }
    let mut filter = SubBlockFilter::with_weights(rate, shape.channels, shape.weights);
    let mut stereo: Vec<f32> = Vec::new();
    filter.start_at(from_sub);
    let mut detector = speech.then(|| SpeechDetector::new(rate));
    let mut flags = Vec::new();
    let mut at = from;
    let mut emitted = 0usize;
    while let Some(chunk) = source.next_chunk()? {
        if cancel.load(Ordering::Relaxed) {
            return Err(ScanError::Cancelled(String::new()));
        }
        let frames = (chunk.samples.len() / channels) as u64;
        let take = match end {
            Some(e) => e.saturating_sub(at).min(frames),
            None => frames,
        };
        let samples = &chunk.samples[..take as usize * channels];
        stereo.clear();
        shape.fold.apply(samples, &mut stereo);
        let metered = if shape.folded { &stereo[..] } else { samples };
        filter.push(metered, |k, b| {
            if k >= first {
                emitted += 1;
                out(b);
            }
        });
        if let Some(d) = detector.as_mut() {
            d.push(&stereo, &mut flags);
        }
        progress(take);
        at += take;
        if end.is_some_and(|e| at >= e) {
            break;
        }
    }
    // Flags of the pre-roll belong to the lane before.
    let skip = (pre as usize).min(flags.len());
    flags.drain(..skip);
    // One flag per reported sub-block, whatever the detector's last partial block did.
    flags.resize(emitted, false);
    Ok(flags)
}
