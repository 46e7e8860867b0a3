//! Pro Tools markers as a Standard MIDI File (also read by Cubase/Nuendo's "Import Markers").
//!
//! Why MIDI: Pro Tools reads no other marker format a third party can write (its session files
//! are proprietary and it never imports its own session text), so the public tools that feed
//! markers to Pro Tools all write an SMF with marker meta events (markers.md §2.1).
//!
//! The recipe (markers.md §2.2, as DAWFileKit and MarkersExtractor do it):
//! - format 0, one track, 9600 ticks per quarter note (the resolution Pro Tools uses);
//! - at tick 0: track name (FF 03), SMPTE offset (FF 54) = the Pro Tools session start, tempo
//!   (FF 51) 120 bpm = 500 000 µs per quarter (exactly representable, Pro Tools' default), and a
//!   4/4 time signature (FF 58); 120 bpm × 9600 ticks gives 19 200 ticks per real second;
//! - one marker (FF 06) per note at the tick of its real time since the session start, which is
//!   `timecode frames since the session start × den / num` seconds of the exact rate — real
//!   time, not timecode seconds: at 23.976 an hour of timecode is 3603.6 s;
//! - ticks: the first tick at or after the frame's start, plus a margin of about 1 ms (1.5 ms at
//!   drop-frame rates, as DAWFileKit does) so Pro Tools' own tick → sample rounding never puts a
//!   marker on the frame before. The margin is far below a frame (a 59.94 frame is 320 ticks).
//!
//! Timing traps (markers.md §2.3), which the lead's UI should repeat to the user
//! ([`import_advice`]): tick 0 is placed at the session start, so FF 54 must be the *session*
//! start (with pre-roll, earlier than the media); Pro Tools maps ticks through the file's tempo
//! only with "Import Tempo Map From MIDI File" on; the FF 54 rate code cannot say 23.976 (it
//! says 24), 29.97 non-drop (30), 50 (25) or 59.94/60 (29.97 drop / 30), so the session's own
//! timecode rate must be checked. For 50/59.94/60 the offset's frame field is written in the
//! code's rate and the remainder in sub-frames (1/100 frame), which is exact for those rates.
//!
//! What the format cannot carry: an SMF marker is a name at a point. So the name is
//! `TAG: text (author)`, with `[addressed] ` first when addressed and `[to <timecode>]` last for
//! a range; line breaks and tabs become spaces; and unless [`ProToolsOptions::utf8`] is set the
//! name is strict ASCII (accents folded, other characters `?`), the safe default of the public
//! writers. Whether Pro Tools shortens long names is unverified.

use super::text::{ascii, one_line, with_status};
use super::{Marker, MarkerContext, MarkerError, in_frame_order};

/// Ticks per quarter note in the header (bit 15 clear: musical time).
pub const PPQ: u16 = 9600;
/// Microseconds per quarter note: 120 bpm.
pub const TEMPO_US_PER_QUARTER: u32 = 500_000;
/// Ticks per real second at [`PPQ`] and [`TEMPO_US_PER_QUARTER`].
pub const TICKS_PER_SECOND: i64 = 19_200;
/// The margin after a frame's start, in ticks: about 1.0 ms, and 1.5 ms at drop-frame rates.
const MARGIN_TICKS: i64 = 20;
const MARGIN_TICKS_DROP_FRAME: i64 = 29;
/// The largest delta time a variable-length quantity holds (four bytes of seven bits).
const MAX_DELTA: i64 = 0x0FFF_FFFF;

/// Export choices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProToolsOptions {
    /// Write marker names as UTF-8 instead of strict ASCII.
    pub utf8: bool,
}

/// The FF 54 rate code for this context (0 = 24, 1 = 25, 2 = 29.97 drop, 3 = 30) and the
/// frames per second that code counts in.
pub fn smpte_rate_code(ctx: &MarkerContext) -> (u8, u32) {
    let tc = ctx.timecode_rate();
    if tc.drop_frame {
        (2, 30)
    } else if tc.fps.is_multiple_of(25) {
        (1, 25)
    } else if tc.fps.is_multiple_of(24) {
        (0, 24)
    } else {
        (3, 30)
    }
}

/// The tick at which media frame `frame` is placed (ticks since the session start).
pub fn tick_of(frame: u64, ctx: &MarkerContext) -> Result<i64, MarkerError> {
    let tc_rate = ctx.timecode_rate();
    let session = ctx.session_start.to_frames(tc_rate);
    let frame = i64::try_from(frame).unwrap_or(i64::MAX / 4);
    let offset = ctx.start_count().saturating_add(frame) - session;
    if offset < 0 {
        return Err(MarkerError::BeforeSessionStart {
            timecode: ctx.timecode_of(frame.unsigned_abs()).to_string(),
            session_start: ctx.session_start.to_string(),
        });
    }
    let (num, den) = (ctx.rate.0.num as i128, ctx.rate.0.den as i128);
    // Ceiling of offset × den / num seconds × 19 200 ticks, exact in i128.
    let exact_num = offset as i128 * den * TICKS_PER_SECOND as i128;
    let first_tick = (exact_num + num - 1) / num;
    let margin = if tc_rate.drop_frame {
        MARGIN_TICKS_DROP_FRAME
    } else {
        MARGIN_TICKS
    };
    Ok(i64::try_from(first_tick).unwrap_or(i64::MAX - margin) + margin)
}

/// Writes the markers, in frame order, as a format-0 Standard MIDI File.
pub fn export(
    markers: &[Marker],
    ctx: &MarkerContext,
    options: &ProToolsOptions,
) -> Result<Vec<u8>, MarkerError> {
    let mut track = Vec::new();
    meta(
        &mut track,
        0,
        0x03,
        text_bytes(&ctx.media_name, options).as_slice(),
    );
    meta(&mut track, 0, 0x54, &smpte_offset(ctx));
    meta(
        &mut track,
        0,
        0x51,
        &TEMPO_US_PER_QUARTER.to_be_bytes()[1..],
    );
    meta(&mut track, 0, 0x58, &[4, 2, 24, 8]);
    let mut previous: Option<(i64, &Marker)> = None;
    for m in in_frame_order(markers) {
        let tick = tick_of(m.frame, ctx)?;
        let delta = tick - previous.map_or(0, |(t, _)| t);
        if delta > MAX_DELTA {
            return Err(MarkerError::MidiGapTooLong {
                from: previous.map_or_else(
                    || ctx.session_start.to_string(),
                    |(_, p)| ctx.timecode_of(p.frame).to_string(),
                ),
                to: ctx.timecode_of(m.frame).to_string(),
            });
        }
        meta(
            &mut track,
            delta as u32,
            0x06,
            &text_bytes(&marker_name(m, ctx), options),
        );
        previous = Some((tick, m));
    }
    meta(&mut track, 0, 0x2F, &[]);

    let mut file = Vec::with_capacity(22 + track.len());
    file.extend_from_slice(b"MThd");
    file.extend_from_slice(&6u32.to_be_bytes());
    file.extend_from_slice(&0u16.to_be_bytes()); // format 0
    file.extend_from_slice(&1u16.to_be_bytes()); // one track
    file.extend_from_slice(&PPQ.to_be_bytes());
    file.extend_from_slice(b"MTrk");
    let len = u32::try_from(track.len()).map_err(|_| MarkerError::MidiGapTooLong {
        from: ctx.session_start.to_string(),
        to: "the end of the file (over 4 GB of markers)".into(),
    })?;
    file.extend_from_slice(&len.to_be_bytes());
    file.extend_from_slice(&track);
    Ok(file)
}

/// What to tell the user before they import the file into Pro Tools.
pub fn import_advice(ctx: &MarkerContext) -> Vec<String> {
    let (code, code_fps) = smpte_rate_code(ctx);
    let mut advice = vec![
        "In Pro Tools, File > Import > MIDI, and turn on \"Import Tempo Map From MIDI File\" \
         (or keep the session at 120 bpm): markers are placed through the file's tempo."
            .to_owned(),
        format!(
            "The file starts at {}; the session start must be the same (or import with Spot at \
             that timecode).",
            ctx.session_start
        ),
    ];
    let code_name = ["24", "25", "29.97 drop", "30"][usize::from(code)];
    let label = ctx.rate.label();
    let df = if ctx.timecode_rate().drop_frame {
        " drop"
    } else {
        ""
    };
    if format!("{label}{df}") != code_name {
        advice.push(format!(
            "MIDI files cannot say {label}{df} fps; this one says {code_name} ({code_fps} fps \
             code). Check Session Setup: the session's timecode rate must be {label}{df}."
        ));
    }
    advice
}

/// The marker's name: status, category tag, text, author, range end; on one line.
fn marker_name(m: &Marker, ctx: &MarkerContext) -> String {
    let mut name = format!("{}: {}", m.category.tag(), m.text);
    let author = m.author.trim();
    if !author.is_empty() {
        name.push_str(&format!(" ({author})"));
    }
    if m.duration_frames() > 1 {
        // The range's last frame, as the window and the report show it.
        name.push_str(&format!(" [to {}]", ctx.timecode_of(m.end_exclusive() - 1)));
    }
    one_line(&with_status(&name, m.status))
}

fn text_bytes(text: &str, options: &ProToolsOptions) -> Vec<u8> {
    let text = one_line(text);
    if options.utf8 {
        text.into_bytes()
    } else {
        ascii(&text).into_bytes()
    }
}

/// FF 54 data: `hr mn se fr ff`, the session start in the rate code's frames plus sub-frames.
fn smpte_offset(ctx: &MarkerContext) -> [u8; 5] {
    let (code, code_fps) = smpte_rate_code(ctx);
    let fps = ctx.timecode_rate().fps.max(1);
    let s = ctx.session_start;
    let scaled = s.frames * code_fps;
    let frames = scaled / fps;
    let sub_frames = (scaled % fps) * 100 / fps;
    // Hours < 24 and minutes/seconds < 60 for a validated timecode; the casts cannot truncate.
    [
        (code << 5) | (s.hours as u8 & 0x1F),
        s.minutes as u8,
        s.seconds as u8,
        frames as u8,
        sub_frames as u8,
    ]
}

/// Appends one meta event: delta time, FF, type, length, data.
fn meta(track: &mut Vec<u8>, delta: u32, kind: u8, data: &[u8]) {
    push_vlq(track, delta);
    track.push(0xFF);
    track.push(kind);
    push_vlq(track, u32::try_from(data.len()).unwrap_or(0x0FFF_FFFF));
    track.extend_from_slice(data);
}

/// A variable-length quantity: seven bits per byte, most significant first, high bit = more.
fn push_vlq(out: &mut Vec<u8>, value: u32) {
    let value = value & 0x0FFF_FFFF;
    let mut started = false;
    for shift in [21, 14, 7] {
        let group = ((value >> shift) & 0x7F) as u8;
        if group != 0 || started {
            out.push(group | 0x80);
            started = true;
        }
    }
    out.push((value & 0x7F) as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::markers::Category;
    use crate::time::{FrameRate, Timecode};

    fn ctx(num: i64, den: i64, start: &str, drop_frame: bool) -> MarkerContext {
        let rate = FrameRate::new(num, den).expect("rate");
        let tc = Timecode::parse(start, rate.timecode_rate(drop_frame)).expect("tc");
        MarkerContext::new(rate, tc, "Markers").expect("ctx")
    }

    #[test]
    fn vlq_encoding() {
        let enc = |v| {
            let mut out = Vec::new();
            push_vlq(&mut out, v);
            out
        };
        assert_eq!(enc(0), [0x00]);
        assert_eq!(enc(0x7F), [0x7F]);
        assert_eq!(enc(0x80), [0x81, 0x00]);
        assert_eq!(enc(105_216), [0x86, 0xB6, 0x00]);
        assert_eq!(enc(2_198_784), [0x81, 0x86, 0x9A, 0x00]);
        assert_eq!(enc(0x0FFF_FFFF), [0xFF, 0xFF, 0xFF, 0x7F]);
    }

    /// The reference example in markers.md: 25 fps from 01:00:00:00, markers at 5.48 s and
    /// 120 s are ticks 105 216 and 2 304 000 before our margin.
    #[test]
    fn reference_example_header_and_ticks() {
        let c = ctx(25, 1, "01:00:00:00", false);
        assert_eq!(tick_of(137, &c), Ok(105_216 + MARGIN_TICKS));
        assert_eq!(tick_of(3000, &c), Ok(2_304_000 + MARGIN_TICKS));
        let smf = export(
            &[Marker::new(137, Category::Effects, "door slam late")],
            &c,
            &ProToolsOptions::default(),
        )
        .expect("export");
        assert_eq!(&smf[..14], b"MThd\0\0\0\x06\0\0\0\x01\x25\x80");
        let offset = [0x00, 0xFF, 0x54, 0x05, 0x21, 0, 0, 0, 0];
        assert!(smf.windows(9).any(|w| w == offset));
        let tempo = [0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20];
        assert!(smf.windows(7).any(|w| w == tempo));
    }

    #[test]
    fn every_tick_lands_inside_its_frame() {
        for (num, den, start, df) in [
            (24000, 1001, "01:00:00:00", false),
            (30000, 1001, "01:00:00;00", true),
            (60000, 1001, "00:59:59;56", true),
            (25, 1, "10:00:00:00", false),
        ] {
            let c = ctx(num, den, start, df);
            for frame in [0u64, 1, 2, 1799, 1800, 17_982, 107_891, 215_783] {
                let tick = tick_of(frame, &c).expect("tick") as i128;
                // floor(tick × num / (den × 19 200)) must give the frame back.
                let back = tick * num as i128 / (den as i128 * TICKS_PER_SECOND as i128);
                assert_eq!(back, frame as i128, "{num}/{den} frame {frame}");
            }
        }
    }

    #[test]
    fn session_start_with_pre_roll() {
        let c = ctx(25, 1, "01:00:00:00", false);
        let pre = Timecode::parse("00:59:50:00", c.timecode_rate()).expect("tc");
        let c = c.with_session_start(pre).expect("session");
        assert_eq!(tick_of(0, &c), Ok(10 * TICKS_PER_SECOND + MARGIN_TICKS));
        let late = Timecode::parse("01:00:10:00", c.timecode_rate()).expect("tc");
        let c = c.with_session_start(late).expect("session");
        assert!(matches!(
            tick_of(0, &c),
            Err(MarkerError::BeforeSessionStart { .. })
        ));
    }

    #[test]
    fn smpte_offset_for_high_rates() {
        let c = ctx(60000, 1001, "01:00:00;59", true);
        assert_eq!(smpte_offset(&c), [(2 << 5) | 1, 0, 0, 29, 50]);
        let c = ctx(24000, 1001, "01:00:00:00", false);
        assert_eq!(smpte_offset(&c), [1, 0, 0, 0, 0]);
        assert_eq!(import_advice(&c).len(), 3);
        assert_eq!(import_advice(&ctx(25, 1, "01:00:00:00", false)).len(), 2);
    }

    #[test]
    fn names_are_ascii_by_default() {
        let c = ctx(25, 1, "01:00:00:00", false);
        let mut m = Marker::new(0, Category::Other, "Ünïcødé — 日本語\nnext");
        m.end_frame = Some(50);
        assert_eq!(
            String::from_utf8(text_bytes(
                &marker_name(&m, &c),
                &ProToolsOptions::default()
            )),
            Ok("NOTE: Unicode - ??? next [to 01:00:01:24]".to_owned())
        );
    }
}
