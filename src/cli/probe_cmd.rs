//! `earmark probe FILE [--json]`: review movies, and sound-only files (WAV/BWF, AIFF, FLAC, M4A).

use super::Outcome;
use crate::audio::{AudioError, AudioSource};
use crate::media::{self, AudioOnlyInfo, MediaError, MediaInfo};
use std::io::Write as _;
use std::path::Path;

pub fn run(file: &Path, json: bool) -> anyhow::Result<Outcome> {
    // WAV, AIFF and FLAC go straight to the sound decoders, so their errors (a cut-off file, a
    // damaged header) come from the reader that plays them. Anything else is asked of FFmpeg's
    // demuxer first; a file without a picture is then described by its sound (M4A).
    let sound_file = crate::audio::sniff(file).is_ok_and(|s| s.format.is_sound_file());
    let text = if sound_file {
        match audio_only(file) {
            Ok(info) if json => serde_json::to_string_pretty(&info)?,
            Ok(info) => human_audio_only(&info),
            Err(e) => return Ok(Outcome::BadInput(e.to_string())),
        }
    } else {
        match media::probe(file) {
            Ok(info) if json => serde_json::to_string_pretty(&info)?,
            Ok(info) => human(&info),
            Err(no_video @ MediaError::NoVideo(_)) => match audio_only(file) {
                Ok(info) if json => serde_json::to_string_pretty(&info)?,
                Ok(info) => human_audio_only(&info),
                // Neither picture nor sound: the missing picture is the first thing to say.
                Err(AudioError::NoAudio(_)) => {
                    return Ok(Outcome::BadInput(no_video.to_string()));
                }
                Err(e) => return Ok(Outcome::BadInput(e.to_string())),
            },
            Err(e) => return Ok(Outcome::BadInput(e.to_string())),
        }
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    Ok(Outcome::Done)
}

/// Opens the file's sound (reading its header and checking its end) and summarises it.
fn audio_only(file: &Path) -> Result<AudioOnlyInfo, AudioError> {
    let source = AudioSource::open(file)?;
    let mut info = media::describe_audio_only(
        file,
        source.file_len(),
        source.format().name(),
        source.info(),
        source.start_timecode().as_ref(),
    );
    info.audio_tracks = if source.format().is_sound_file() {
        source.tracks().tracks.clone()
    } else {
        media::audio_tracks(file)?
    };
    Ok(info)
}

fn human_audio_only(i: &AudioOnlyInfo) -> String {
    let a = &i.audio;
    // "23.976" rather than "24000/1001" for people.
    let fps = i
        .timecode_rate
        .as_deref()
        .and_then(crate::time::Rational::parse)
        .and_then(|r| crate::time::FrameRate::new(r.num, r.den))
        .map(|r| r.label());
    let timecode = match (&i.start_timecode, fps) {
        (Some(tc), Some(fps)) => format!(
            "{tc} at {fps} fps{} ({} time reference: {} samples since midnight{})",
            if i.drop_frame { " drop-frame" } else { "" },
            i.timecode_source,
            i.time_reference_samples.unwrap_or(0),
            if i.timecode_rate_stated {
                String::new()
            } else {
                format!("; the file states no rate, {fps} fps assumed")
            }
        ),
        _ => "none (no Broadcast WAV time reference)".to_owned(),
    };
    format!(
        "{}\n  container  {} ({} bytes)\n  video      none (sound only)\n  audio      {}, {} Hz, {} ch ({}), {} samples\n{}  timecode   {timecode}\n  duration   {:.3} s",
        i.path,
        i.container,
        i.file_size,
        a.codec,
        a.sample_rate,
        a.channels,
        a.layout,
        i.duration_samples,
        track_lines(&i.audio_tracks),
        i.duration_seconds
    )
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
            "  audio      {} {}, {} Hz, {} ch ({})\n",
            a.codec,
            a.profile.as_deref().unwrap_or(""),
            a.sample_rate,
            a.channels,
            a.layout
        )),
        None => s.push_str("  audio      none\n"),
    }
    s.push_str(&track_lines(&i.audio_tracks));
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
            media::TimecodeSource::Bwf => "BWF time reference",
            media::TimecodeSource::None => "nowhere: no timecode in file",
        },
        i.duration_seconds
    ));
    s
}

/// One line per sound track when there is more than one: "  track 2    M&E · stereo, AAC-LC, 48000 Hz".
fn track_lines(tracks: &[media::AudioTrack]) -> String {
    if tracks.len() < 2 {
        return String::new();
    }
    tracks
        .iter()
        .map(|t| {
            format!(
                "  track {:<4} {}, {} Hz\n",
                t.track,
                t.label(),
                t.sample_rate
            )
        })
        .collect()
}
