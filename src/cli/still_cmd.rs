//! `earmark still FILE (--frame N | --tc TC) -o OUT.png`.

use super::Outcome;
use crate::video::{FrameReader, write_png};
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
    let image = match reader.rgba(n) {
        Ok(img) => img,
        Err(e) => return Ok(Outcome::BadInput(e.to_string())),
    };
    write_png(&image, output).with_context(|| format!("writing {}", output.display()))?;
    Ok(Outcome::Done)
}
