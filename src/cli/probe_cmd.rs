//! `earmark probe FILE [--json]`.

use super::Outcome;
use crate::media::{self, MediaInfo};
use std::io::Write as _;
use std::path::Path;

pub fn run(file: &Path, json: bool) -> anyhow::Result<Outcome> {
    let info = match media::probe(file) {
        Ok(info) => info,
        Err(e) => return Ok(Outcome::BadInput(e.to_string())),
    };
    let text = if json {
        serde_json::to_string_pretty(&info)?
    } else {
        human(&info)
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(Outcome::Done)
}

fn human(i: &MediaInfo) -> String {
    let v = &i.video;
    let mut s = format!(
        "{}\n  container  {} ({} bytes)\n  video      {} {}, {}x{} {}, {} fps ({}), {} frames{}, GOP ≤ {}\n",
        i.path,
        i.container,
        i.file_size,
        v.codec,
        v.profile.as_deref().unwrap_or(""),
        v.width,
        v.height,
        v.pixel_format,
        v.frame_rate_label,
        v.frame_rate,
        v.frame_count,
        if v.constant_frame_rate {
            ""
        } else {
            " (variable rate!)"
        },
        v.max_gop,
    );
    match &i.audio {
        Some(a) => s.push_str(&format!(
            "  audio      {} {}, {} Hz, {} ch\n",
            a.codec,
            a.profile.as_deref().unwrap_or(""),
            a.sample_rate,
            a.channels
        )),
        None => s.push_str("  audio      none\n"),
    }
    s.push_str(&format!(
        "  timecode   {} – {} ({}, from {})\n  duration   {:.3} s",
        i.start_timecode,
        i.end_timecode,
        if i.drop_frame {
            "drop-frame"
        } else {
            "non-drop"
        },
        match i.timecode_source {
            media::TimecodeSource::Tmcd => "tmcd track",
            media::TimecodeSource::FfmpegTag => "metadata tag",
            media::TimecodeSource::None => "nowhere: no timecode in file",
        },
        i.duration_seconds
    ));
    s
}
