//! `earmark still FILE (--frame N | --tc TC) -o OUT.png`: one exact frame at native size, with
//! the viewer's watermark burned in unless the settings turn it off (`[watermark] enabled`).

use super::Outcome;
use crate::settings::watermark_for;
use crate::video::{FrameReader, burn_watermark, now_unix_s, write_png};
use anyhow::Context as _;
use std::path::Path;

pub fn run(
    file: &Path,
    frame: Option<u64>,
    tc: Option<&str>,
    output: &Path,
) -> anyhow::Result<Outcome> {
    let mut reader = match FrameReader::open(file) {
        Ok(r) => r,
        Err(e) => return Ok(Outcome::BadInput(e.to_string())),
    };
    // Playback goes on up to the cut of a file cut short; a still (for a report, a note) of a
    // damaged download is refused, naming what is missing, as `probe` and `check` refuse it.
    if let Some(cut) = reader.container().cut_short {
        let e = crate::media::MediaError::Truncated {
            path: file.to_path_buf(),
            needed: cut.needed,
            actual: cut.actual,
        };
        return Ok(Outcome::BadInput(e.to_string()));
    }
    let n = match (frame, tc) {
        (Some(n), _) => n,
        (None, Some(text)) => {
            let parsed = reader.timecode().parse(text);
            match parsed
                .map_err(|e| e.to_string())
                .and_then(|t| reader.frame_of_timecode(t).map_err(|e| e.to_string()))
            {
                Ok(n) => n,
                Err(msg) => return Ok(Outcome::BadInput(msg)),
            }
        }
        (None, None) => {
            return Ok(Outcome::BadInput(
                "give --frame N or --tc HH:MM:SS:FF".into(),
            ));
        }
    };
    let mut image = match reader.rgba(n) {
        Ok(img) => img,
        Err(e) => return Ok(Outcome::BadInput(e.to_string())),
    };
    if let Some(spec) = watermark_for(file)
        && let Some(why) = burn_watermark(&mut image, &spec, now_unix_s())?
    {
        eprintln!("earmark: {why}");
    }
    write_png(&image, output).with_context(|| format!("writing {}", output.display()))?;
    Ok(Outcome::Done)
}
