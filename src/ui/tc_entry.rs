//! What a reviewer may type into the timecode display to jump, read into a frame number.
//!
//! Editors type timecode the way Avid and Pro Tools taught them, so all of these work:
//! - a full label, `01:00:10:00` (`;` before the frames for drop-frame);
//! - fewer fields, `10:00` or `1:02:03`: fields fill from the right (frames last) and the fields
//!   not typed are kept from the timecode on screen;
//! - digits only, `1000`: read right-aligned the same way (`1000` at 01:00:05:10 is 01:00:10:00);
//! - `+12` / `-12`: that many frames later or earlier;
//! - `#240`: frame 240 of the file (0 = the first picture).

use crate::media::SourceTimecode;
use crate::time::Timecode;

/// Reads `text` into a frame of the file, given the frame on screen; the error is in words.
pub fn parse_jump(
    text: &str,
    tc: &SourceTimecode,
    current: u64,
    frame_count: u64,
) -> Result<u64, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("type a timecode, e.g. 01:00:10:00".into());
    }
    let last = frame_count.saturating_sub(1);
    if let Some(rest) = text.strip_prefix('#') {
        let n: u64 = rest
            .trim()
            .parse()
            .map_err(|_| format!("{text:?}: after # comes a frame number"))?;
        return if n <= last {
            Ok(n)
        } else {
            Err(format!("frame {n} is past the last frame ({last})"))
        };
    }
    if let Some((sign, rest)) = text
        .strip_prefix('+')
        .map(|r| (1i64, r))
        .or_else(|| text.strip_prefix('-').map(|r| (-1i64, r)))
    {
        let n: i64 = rest
            .trim()
            .parse()
            .map_err(|_| format!("{text:?}: after {} comes a number of frames", &text[..1]))?;
        let target = current as i64 + sign * n;
        return Ok(target.clamp(0, last as i64) as u64);
    }
    let label = fill_label(text, tc, current)?;
    let parsed = tc.parse(&label).map_err(|e| e.to_string())?;
    let frame = tc.frame_of(parsed) as u64;
    if frame <= last {
        return Ok(frame);
    }
    let first = tc.at_frame(0);
    let end = tc.at_frame(last as i64);
    // Labels between the end and midnight-plus-start wrap to huge frame numbers; whether the
    // label lies before the start tells the two messages apart.
    if parsed.to_frames(tc.rate) < tc.start_frames {
        Err(format!("{parsed} is before the first frame ({first})"))
    } else {
        Err(format!("{parsed} is after the last frame ({end})"))
    }
}

/// Builds a full `HH:MM:SS:FF` label from what was typed, keeping untyped fields from the
/// timecode on screen.
fn fill_label(text: &str, tc: &SourceTimecode, current: u64) -> Result<String, String> {
    let bad = || format!("{text:?} is not a timecode (e.g. 01:00:10:00, 10:00 or 1000)");
    let now: Timecode = tc.at_frame(current as i64);
    let mut fields = [now.hours, now.minutes, now.seconds, now.frames];
    let drop_sep = text.contains([';', '.', ',']);
    let typed: Vec<u32> = if text.bytes().all(|b| b.is_ascii_digit()) {
        if text.len() > 8 {
            return Err(bad());
        }
        // Right-aligned pairs: "1000" → [10, 00], "5" → [5].
        let padded = format!("{text:0>width$}", width = text.len().div_ceil(2) * 2);
        padded
            .as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).ok().and_then(|s| s.parse().ok()))
            .collect::<Option<Vec<u32>>>()
            .ok_or_else(bad)?
    } else {
        let parts: Vec<&str> = text.split([':', ';', '.', ',']).collect();
        if parts.len() > 4
            || parts
                .iter()
                .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        parts
            .iter()
            .map(|p| p.parse().ok())
            .collect::<Option<Vec<u32>>>()
            .ok_or_else(bad)?
    };
    let skip = fields.len() - typed.len();
    for (slot, value) in fields.iter_mut().skip(skip).zip(typed) {
        *slot = value;
    }
    let sep = if drop_sep { ';' } else { ':' };
    Ok(format!(
        "{:02}:{:02}:{:02}{sep}{:02}",
        fields[0], fields[1], fields[2], fields[3]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::TimecodeSource;
    use crate::time::FrameRate;

    fn source(num: i64, den: i64, drop: bool, start: &str) -> SourceTimecode {
        let rate = FrameRate::new(num, den).expect("rate").timecode_rate(drop);
        let tc = Timecode::parse(start, rate).expect("start");
        SourceTimecode::counted_from(tc.to_frames(rate), rate, TimecodeSource::Tmcd)
    }

    #[test]
    fn full_partial_and_digit_entry() {
        let tc = source(24000, 1001, false, "01:00:00:00");
        let count = 24 * 60;
        // On screen: frame 130 = 01:00:05:10.
        assert_eq!(parse_jump("01:00:10:00", &tc, 130, count), Ok(240));
        assert_eq!(parse_jump("10:00", &tc, 130, count), Ok(240));
        assert_eq!(parse_jump("1000", &tc, 130, count), Ok(240));
        assert_eq!(parse_jump("1:00:10:00", &tc, 130, count), Ok(240));
        assert_eq!(parse_jump("12", &tc, 130, count), Ok(132));
        assert_eq!(parse_jump("01001000", &tc, 130, count), Ok(240));
    }

    #[test]
    fn relative_and_frame_numbers() {
        let tc = source(25, 1, false, "10:00:00:00");
        assert_eq!(parse_jump("+12", &tc, 100, 500), Ok(112));
        assert_eq!(parse_jump("-200", &tc, 100, 500), Ok(0));
        assert_eq!(parse_jump("+9999", &tc, 100, 500), Ok(499));
        assert_eq!(parse_jump("#42", &tc, 100, 500), Ok(42));
        assert!(parse_jump("#500", &tc, 100, 500).is_err());
    }

    #[test]
    fn drop_frame_labels() {
        let tc = source(30000, 1001, true, "01:00:00;00");
        // 01:01:00;02 is frame 1800: labels ;00 and ;01 of minute 1 do not exist.
        assert_eq!(parse_jump("01:01:00;02", &tc, 0, 10_000), Ok(1800));
        assert_eq!(parse_jump("01:01:00:02", &tc, 0, 10_000), Ok(1800));
        let skipped = parse_jump("01:01:00;00", &tc, 0, 10_000).expect_err("skipped label");
        assert!(skipped.contains("does not exist"), "{skipped}");
        let ndf = source(25, 1, false, "01:00:00:00");
        assert!(parse_jump("01:00:01;00", &ndf, 0, 100).is_err());
    }

    #[test]
    fn outside_the_file_is_explained() {
        let tc = source(25, 1, false, "01:00:00:00");
        let before = parse_jump("00:59:59:00", &tc, 0, 250).expect_err("before");
        assert!(before.contains("before the first frame"), "{before}");
        let after = parse_jump("01:00:10:00", &tc, 0, 250).expect_err("after");
        assert!(
            after.contains("after the last frame (01:00:09:24)"),
            "{after}"
        );
        assert!(parse_jump("nonsense", &tc, 0, 250).is_err());
        assert!(parse_jump("", &tc, 0, 250).is_err());
        assert!(parse_jump("123456789", &tc, 0, 250).is_err());
        assert!(parse_jump("1:2:3:4:5", &tc, 0, 250).is_err());
    }

    #[test]
    fn midnight_wrap() {
        let tc = source(25, 1, false, "23:59:59:00");
        assert_eq!(parse_jump("00:00:00:00", &tc, 0, 100), Ok(25));
    }
}
