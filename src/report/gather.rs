//! Reads everything the report shows from the media file and the user's stores into a plain
//! [`Report`]. Slow parts are the hash (the whole file is read once) and the loudness, which
//! comes from the window's per-content cache when the file was opened before, else is scanned
//! now (and cached for the window).
//!
//! Headphones: what each note says it was heard on (the note's own set-up, taken when it was
//! made) is what matters for judging a remark; the current declarations and calibration
//! records are shown beside it, dated, because they may have changed since.

use super::{Report, ReportAccess, ReportNote, png_thumbnail};
use crate::analysis::{LoudnessReport, ScanJob, ScanState};
use crate::headphones::{CalibrationStatus, CalibrationStore, Declarations};
use crate::meters::{PRESETS, Preset};
use crate::notes::NoteList;
use crate::notes::markers::MarkerContext;
use crate::persist::loudness_cache_dir;
use crate::time::utc_label;
use crate::video::FrameReader;
use std::collections::BTreeMap;

/// Seconds since 1970, UTC, now (the notes' clock, in whole seconds).
fn now_unix_s() -> i64 {
    crate::time::now_ms().div_euclid(1000)
}

/// What the caller decides about the report.
#[derive(Clone, Debug)]
pub struct GatherOptions {
    /// Named as the reviewer; the notes' authors when `None`.
    pub reviewer: Option<String>,
    /// The loudness target the verdict is against.
    pub preset: Preset,
    /// Thumbnail width in pixels.
    pub thumbnail_width: u32,
    /// Measure loudness (off: the section says it was not measured).
    pub loudness: bool,
    /// Burned into every thumbnail (`None`: plain pictures).
    pub watermark: Option<crate::video::WatermarkSpec>,
    /// The show, episode and mix version, as the producer names them (`None`: a line to
    /// fill in by hand on the printed page).
    pub show: Option<String>,
    pub episode: Option<String>,
    pub mix_version: Option<String>,
}

impl Default for GatherOptions {
    fn default() -> Self {
        Self {
            reviewer: None,
            preset: PRESETS[0],
            thumbnail_width: 320,
            loudness: true,
            watermark: None,
            show: None,
            episode: None,
            mix_version: None,
        }
    }
}

/// Builds the report of `notes` on the media `reader` has open.
pub fn gather(
    reader: &mut FrameReader,
    ctx: &MarkerContext,
    notes: &NoteList,
    options: &GatherOptions,
) -> Result<Report, super::ReportError> {
    let path = reader.path().to_path_buf();
    let info = crate::media::describe(reader.container());
    // Through the access log's cache: the log has usually hashed this file already.
    let sha256 = crate::security::sha256_of(&path).map_err(|source| super::ReportError::Hash {
        media: path.clone(),
        source,
    })?;
    let v = &info.video;
    let mut probe = vec![
        ("Container".to_owned(), info.container.clone()),
        (
            "Picture".to_owned(),
            format!(
                "{} {}×{}, {} fps ({}), {} frames{}",
                v.codec,
                v.width,
                v.height,
                v.frame_rate_label,
                v.frame_rate,
                v.frame_count,
                if v.constant_frame_rate {
                    ""
                } else {
                    " (variable rate)"
                }
            ),
        ),
        (
            "Timecode".to_owned(),
            format!(
                "{} – {} ({})",
                info.start_timecode,
                info.end_timecode,
                if info.drop_frame {
                    "drop-frame"
                } else {
                    "non-drop"
                }
            ),
        ),
        (
            "Duration".to_owned(),
            format!("{:.3} s", info.duration_seconds),
        ),
    ];
    probe.push((
        "Sound".to_owned(),
        info.audio.as_ref().map_or("none".to_owned(), |a| {
            format!("{}, {} Hz, {} ch", a.codec, a.sample_rate, a.channels)
        }),
    ));
    let (loudness, loudness_verdict) = if options.loudness && info.audio.is_some() {
        loudness_rows(&path, &options.preset)
    } else {
        (
            vec![("Loudness".to_owned(), "not measured".to_owned())],
            None,
        )
    };
    let mut rows = Vec::with_capacity(notes.len());
    for n in notes.iter() {
        let thumbnail_png = match png_thumbnail(
            reader,
            n.frame.0,
            (v.width, v.height),
            options.thumbnail_width,
            options.watermark.as_ref(),
        ) {
            Ok(png) => Some(png),
            Err(e) => {
                eprintln!("earmark: no thumbnail for frame {}: {e}", n.frame.0);
                None
            }
        };
        rows.push(ReportNote {
            timecode: ctx.timecode_of(n.frame.0).to_string(),
            last_timecode: n
                .last_frame()
                .map(|e| ctx.timecode_of(e.0).to_string())
                .unwrap_or_default(),
            category: n.category.label().to_owned(),
            status: match n.status {
                crate::notes::Status::Open => "Open".to_owned(),
                crate::notes::Status::Addressed => "Addressed".to_owned(),
            },
            author: n.author.clone(),
            text: n.text.clone(),
            setup: n.setup.as_ref().map(|s| s.summary()),
            thumbnail_png,
        });
    }
    let (access, access_problem) = access_rows(&sha256);
    let (spec_check, delivery) = spec_line(&path);
    let reviewer = options.reviewer.clone().unwrap_or_else(|| authors(notes));
    let summary = summary(
        notes,
        &reviewer,
        &loudness_verdict,
        &options.preset,
        delivery,
    );
    Ok(Report {
        show: options.show.clone(),
        episode: options.episode.clone(),
        mix_version: options.mix_version.clone(),
        summary,
        file_name: ctx.media_name.clone(),
        file_size: info.file_size,
        sha256,
        probe,
        spec_check,
        loudness,
        loudness_verdict,
        listening: listening_lines(notes),
        reviewer,
        date: utc_label(now_unix_s()),
        notes: rows,
        access,
        access_problem,
    })
}

/// The access log's entries for the content `sha256`, and what got in the way of showing all.
fn access_rows(sha256: &str) -> (Vec<ReportAccess>, Option<String>) {
    let read =
        crate::security::Dirs::system().and_then(|d| crate::security::read_log(&d.access_log()));
    let (entries, problem) = match read {
        Ok(r) => {
            let problem = (!r.problems.is_empty())
                .then(|| format!("{} damaged lines of the log skipped", r.problems.len()));
            (r.entries, problem)
        }
        Err(e) => (Vec::new(), Some(e.to_string())),
    };
    let rows = entries
        .into_iter()
        .filter(|e| e.is_about(Some(sha256), None))
        .map(|e| ReportAccess {
            who: e.who(),
            time: e.time,
            event: e.event.id().to_owned(),
            path: e.path,
            detail: e.detail,
        })
        .collect();
    (rows, problem)
}

/// The distinct authors, in order of first note; "not named" when no note has one.
fn authors(notes: &NoteList) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for n in notes.iter() {
        let a = n.author.trim();
        if !a.is_empty() && !seen.contains(&a) {
            seen.push(a);
        }
    }
    if seen.is_empty() {
        "not named".to_owned()
    } else {
        seen.join(", ")
    }
}

/// Whether the preset passed, and its verdict in one line (`None`: not measured).
type LoudnessVerdict = Option<(bool, String)>;

/// "note" or "notes".
fn notes_word(count: usize) -> &'static str {
    if count == 1 { "note" } else { "notes" }
}

/// The loudness rows and verdict, from the cache or a scan now.
fn loudness_rows(
    path: &std::path::Path,
    preset: &Preset,
) -> (Vec<(String, String)>, LoudnessVerdict) {
    let job = ScanJob::start(path, loudness_cache_dir());
    let scan = loop {
        match job.state() {
            ScanState::Running(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
            ScanState::Done(scan) => break scan,
            ScanState::NoSound => {
                return (
                    vec![("Loudness".to_owned(), "no sound in this file".to_owned())],
                    None,
                );
            }
            ScanState::Failed(why) => {
                return (
                    vec![("Loudness".to_owned(), format!("not measured: {why}"))],
                    None,
                );
            }
        }
    };
    let r: &LoudnessReport = &scan.report;
    let v = |x: Option<f64>, unit: &str| x.map_or("—".to_owned(), |x| format!("{x:.1} {unit}"));
    let rows = vec![
        ("Integrated".to_owned(), v(r.integrated_lufs, "LUFS")),
        ("Loudness range".to_owned(), v(r.loudness_range_lu, "LU")),
        ("True peak".to_owned(), v(r.true_peak_dbtp, "dBTP")),
        ("Max momentary".to_owned(), v(r.max_momentary_lufs, "LUFS")),
        (
            "Max short-term".to_owned(),
            v(r.max_short_term_lufs, "LUFS"),
        ),
        (
            "Dialogue (estimate)".to_owned(),
            format!(
                "{} ({:.0} % speech; a voice-detector estimate, not Dolby Dialogue Intelligence)",
                v(r.dialogue_lufs, "LUFS"),
                r.speech_fraction * 100.0
            ),
        ),
    ];
    let verdict = preset.judge(&r.measured());
    let mut line = format!(
        "{}: {} (judged on {})",
        preset.name,
        if verdict.pass { "PASS" } else { "FAIL" },
        verdict.judged_on
    );
    for p in &verdict.problems {
        line.push_str("; ");
        line.push_str(p);
    }
    (rows, Some((verdict.pass, line)))
}

/// What the notes were heard on, then the current declarations and their calibration status.
/// The delivery spec check against every known profile, one clause each: "pix-standard: FAIL
/// (frame-size, video-bitrate); pix-screening-room: PASS, 2 warnings; …". A file the check
/// cannot read says why instead of passing.
fn spec_line(path: &std::path::Path) -> (String, String) {
    use crate::delivery::{ProfileSet, Status};
    let set = match ProfileSet::load(crate::delivery::profile::user_profile_dir().as_deref()) {
        Ok(s) => s,
        Err(e) => {
            return (
                format!("not run: {e}"),
                "The delivery check could not run (see the appendix).".into(),
            );
        }
    };
    // The file's facts are read once; every profile judges the same facts.
    let facts = match crate::delivery::Facts::read_path(path) {
        Ok(f) => f,
        Err(e) => {
            return (
                format!("could not check: {e}"),
                "The file could not be checked against the delivery specs (see the appendix)."
                    .into(),
            );
        }
    };
    let mut parts = Vec::new();
    let mut met = Vec::new();
    let mut missed = Vec::new();
    for profile in &set.profiles {
        let r = crate::delivery::rules::evaluate(&facts, profile);
        let failed: Vec<&str> = r
            .rules
            .iter()
            .filter(|x| x.status == Status::Fail)
            .map(|x| x.id.as_str())
            .collect();
        let warned = r.rules.iter().filter(|x| x.status == Status::Warn).count();
        if r.pass {
            met.push(profile.name.clone());
        } else {
            missed.push(profile.name.clone());
        }
        let mut clause = format!("{}: {}", r.profile, if r.pass { "PASS" } else { "FAIL" });
        if !failed.is_empty() {
            clause.push_str(&format!(" ({})", failed.join(", ")));
        }
        if warned > 0 {
            clause.push_str(&format!(
                ", {warned} warning{}",
                if warned == 1 { "" } else { "s" }
            ));
        }
        parts.push(clause);
    }
    if parts.is_empty() {
        return (
            "not run: no spec profiles".to_owned(),
            "No delivery spec to check against.".to_owned(),
        );
    }
    let words = match (met.is_empty(), missed.is_empty()) {
        (_, true) => format!(
            "The file meets the delivery specs checked ({}).",
            met.join(", ")
        ),
        (true, false) => format!(
            "The file does not meet the delivery specs checked ({}); what differs is in the appendix.",
            missed.join(", ")
        ),
        (false, false) => format!(
            "The file meets {} but not {}; what differs is in the appendix.",
            met.join(", "),
            missed.join(", ")
        ),
    };
    (
        format!(
            "{} (details: earmark check FILE --profile ID)",
            parts.join("; ")
        ),
        words,
    )
}

/// The summary box, in plain words.
fn summary(
    notes: &NoteList,
    reviewer: &str,
    loudness: &LoudnessVerdict,
    preset: &Preset,
    delivery: String,
) -> super::Summary {
    let open = notes
        .iter()
        .filter(|n| n.status == crate::notes::Status::Open)
        .count();
    let addressed = notes.len() - open;
    let verdict = match (notes.len(), open) {
        (0, _) => "No notes were made: nothing stands in the way of signing.".to_owned(),
        (_, 0) => format!(
            "All {} {} addressed: ready to sign.",
            notes.len(),
            notes_word(notes.len())
        ),
        (_, n) => format!(
            "{n} {} still open: not ready to sign until {} addressed or accepted.",
            notes_word(n),
            if n == 1 { "it is" } else { "they are" }
        ),
    };
    let mut heard: Vec<String> = Vec::new();
    for n in notes.iter() {
        if let Some(name) = n.setup.as_ref().and_then(|s| s.headphones_name.clone())
            && !heard.contains(&name)
        {
            heard.push(name);
        }
    }
    let reviewed_on = if heard.is_empty() {
        format!("Reviewed by {reviewer}; the headphones were not recorded.")
    } else {
        format!("Reviewed by {reviewer} on {}.", heard.join(" and "))
    };
    let loudness = loudness.as_ref().map(|(pass, _)| {
        if *pass {
            format!("The loudness is within the {} target.", preset.name)
        } else {
            format!(
                "The loudness is outside the {} target (the figures are in the appendix).",
                preset.name
            )
        }
    });
    super::Summary {
        ready: open == 0,
        verdict,
        open,
        addressed,
        reviewed_on,
        loudness,
        delivery,
    }
}

fn listening_lines(notes: &NoteList) -> Vec<String> {
    let mut lines = Vec::new();
    let mut heard: BTreeMap<String, usize> = BTreeMap::new();
    let mut unknown = 0;
    for n in notes.iter() {
        match &n.setup {
            Some(s) => *heard.entry(s.summary()).or_default() += 1,
            None => unknown += 1,
        }
    }
    for (summary, count) in &heard {
        lines.push(format!(
            "Heard on {summary} ({count} {})",
            notes_word(*count)
        ));
    }
    if unknown > 0 {
        lines.push(format!(
            "{unknown} {} without a recorded listening set-up (imported, or made before set-ups were recorded)",
            notes_word(unknown)
        ));
    }
    let declarations = Declarations::default_path()
        .ok()
        .and_then(|p| Declarations::load(&p).ok())
        .unwrap_or_default();
    let calibrations = CalibrationStore::default_path()
        .ok()
        .and_then(|p| CalibrationStore::open(&p).ok())
        .map(|(store, _)| store);
    let now = now_unix_s();
    if declarations.devices.is_empty() {
        lines.push("No headphones declared on this machine".to_owned());
    }
    for (device, d) in &declarations.devices {
        let hp = d.headphones.as_deref();
        let status = calibrations
            .as_ref()
            .map_or(CalibrationStatus::Never, |c| c.status(hp, device, now));
        let status = match status {
            CalibrationStatus::Passed { when } => format!("calibrated {}", utc_label(when)),
            CalibrationStatus::Stale { when } => {
                format!("calibration stale (last {})", utc_label(when))
            }
            CalibrationStatus::Failed { when, which } => format!(
                "calibration failed {} ({})",
                utc_label(when),
                which
                    .iter()
                    .map(|c| c.short())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            CalibrationStatus::Never => "not calibrated".to_owned(),
        };
        lines.push(format!(
            "Now declared: {} on '{device}'{}, {status}",
            hp.unwrap_or("no headphones"),
            d.amplifier
                .as_deref()
                .map(|a| format!(" via {a}"))
                .unwrap_or_default()
        ));
    }
    lines
}
