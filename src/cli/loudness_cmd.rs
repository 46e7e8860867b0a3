//! `earmark loudness FILE [--json] [--preset ID]`: measures the whole file's sound (BS.1770 /
//! EBU R128, true peak, dialogue estimate) and judges it against a delivery target.

use super::{Outcome, PresetArg};
use crate::analysis::{LoudnessReport, ScanError, ScanOptions, scan_file_with};
use crate::audio::FoldDown;
use crate::meters::Preset;
use serde::Serialize;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32};

/// The `--json` document: the report's keys, then the judgement.
#[derive(Serialize)]
struct JsonOut<'a> {
    file: String,
    #[serde(flatten)]
    report: &'a LoudnessReport,
    preset: &'static str,
    pass: bool,
    judged_on: &'static str,
    problems: &'a [String],
}

pub fn run(
    file: &Path,
    json: bool,
    preset: PresetArg,
    audio: &str,
    fold_down: Option<FoldDown>,
) -> anyhow::Result<Outcome> {
    let audio = match audio.parse() {
        Ok(a) => a,
        Err(e) => return Ok(Outcome::BadInput(format!("--audio {e}"))),
    };
    // Every `PresetArg` is a preset (`values`' tests hold them together).
    let Some(preset) = Preset::by_id(preset.id()) else {
        return Ok(Outcome::BadInput(format!(
            "unknown loudness preset `{}`; one of: {}",
            preset.id(),
            Preset::ids()
        )));
    };
    let started = std::time::Instant::now();
    let options = ScanOptions { audio, fold_down };
    let scan = match scan_file_with(file, options, &AtomicU32::new(0), &AtomicBool::new(false)) {
        Ok(s) => s,
        Err(ScanError::Audio(e)) => return Ok(Outcome::BadInput(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let r = &scan.report;
    let verdict = preset.judge(&r.measured());
    let mut out = std::io::stdout().lock();
    if json {
        let doc = JsonOut {
            file: file.display().to_string(),
            report: r,
            preset: preset.id,
            pass: verdict.pass,
            judged_on: verdict.judged_on,
            problems: &verdict.problems,
        };
        writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(Outcome::Done);
    }
    let v = |x: Option<f64>, unit: &str| match x {
        Some(x) => format!("{x:.1} {unit}"),
        None => "—".to_owned(),
    };
    writeln!(out, "{}", file.display())?;
    writeln!(out, "  measured on      {}", r.measured_on)?;
    writeln!(out, "  integrated       {}", v(r.integrated_lufs, "LUFS"))?;
    writeln!(out, "  loudness range   {}", v(r.loudness_range_lu, "LU"))?;
    writeln!(out, "  true peak        {}", v(r.true_peak_dbtp, "dBTP"))?;
    writeln!(out, "  sample peak      {}", v(r.sample_peak_dbfs, "dBFS"))?;
    writeln!(
        out,
        "  max momentary    {}",
        v(r.max_momentary_lufs, "LUFS")
    )?;
    writeln!(
        out,
        "  max short-term   {}",
        v(r.max_short_term_lufs, "LUFS")
    )?;
    writeln!(
        out,
        "  dialogue (est.)  {} ({:.0} % speech; a voice-detector estimate, not Dolby Dialogue Intelligence)",
        v(r.dialogue_lufs, "LUFS"),
        r.speech_fraction * 100.0
    )?;
    writeln!(
        out,
        "  {}: {} (judged on {})",
        preset.name,
        if verdict.pass { "PASS" } else { "FAIL" },
        verdict.judged_on
    )?;
    for p in &verdict.problems {
        writeln!(out, "    {p}")?;
    }
    let secs = started.elapsed().as_secs_f64();
    writeln!(
        out,
        "  measured {:.1} s of sound in {secs:.2} s ({:.0}x real time)",
        r.duration_s,
        r.duration_s / secs.max(1e-9)
    )?;
    Ok(Outcome::Done)
}
