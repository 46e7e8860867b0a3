//! Review notes as markers for other programs: one model, one pure function per target format.
//!
//! A [`Marker`] is a note pinned to a picture frame of the media (frame 0 = first picture), with
//! an optional range, a category, an author and a status. It knows nothing about the UI's note
//! type: the note store converts to and from it. A [`MarkerContext`] says how frames become
//! timecode for this media (exact picture rate, start timecode, drop-frame) and where a Pro Tools
//! session starts.
//!
//! Why frames and not seconds: the targets split into two families. EDLs, Avid marker text and
//! CSV speak in timecode labels, which come from the frame count plus the start timecode; the
//! MIDI file and FCPXML speak in real time, which is `frames × den / num` of the exact rate (an
//! hour of 23.976 timecode is 3603.6 s of real time). Keeping the frame as the one truth and
//! deriving both from it with integer maths means no format can drift by a frame.
//!
//! Each format lives in its own file and documents what it cannot carry:
//! - [`protools_midi`]: Standard MIDI File for Pro Tools (and Cubase/Nuendo).
//! - [`avid_txt`]: Media Composer's tab-separated marker list, export and import.
//! - [`resolve_edl`]: DaVinci Resolve's marker EDL (`|C:` colour, `|M:` name, `|D:` duration).
//! - [`cmx_edl`]: a CMX3600 EDL with Avid-style `* LOC:` locator lines.
//! - [`fcpxml`]: Final Cut Pro XML 1.10, the notes as markers on a clip of the review file.
//! - [`csv`]: a spreadsheet-friendly CSV, export and import; the one lossless round trip.
//!
//! Ranges: `end_frame` is stored exclusive (the first frame after the range), as an EDL's out
//! point is, so a range's length in frames is `end_frame - frame`. Wherever a person reads a
//! range (the window, the notes list, the report, the CSV, a marker's name) it is shown as its
//! first and **last** frame, both inclusive — the frames the reviewer marked — and a format
//! whose spec defines an exclusive out point or a duration (EDL, FCPXML, Avid, Resolve) gets
//! exactly that. A one-frame range and a point marker are the same thing in every target format.

pub mod avid_txt;
pub mod cmx_edl;
pub mod csv;
pub mod fcpxml;
pub mod protools_midi;
pub mod resolve_edl;
mod text;

use crate::time::{FrameRate, Timecode, TimecodeError, TimecodeRate};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// What a note is about. The ids are stable: they are written to CSV and read back, and are
/// the stored form in the notes store.
///
/// Each category has three names, and [`Category::parse`] reads any of them (any case):
///
/// | id | name ([`label`](Self::label)) | short code ([`tag`](Self::tag)) |
/// |---|---|---|
/// | `dialogue` | Dialogue | DX |
/// | `music` | Music | MX |
/// | `effects` | Effects | FX |
/// | `mix-balance` | Mix balance | MIX |
/// | `picture` | Picture | PIC |
/// | `technical` | Technical | TECH |
/// | `other` | Other | NOTE |
///
/// The window's menus show the code and the name together (`MIX  Mix balance`); that reads too.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Dialogue,
    Music,
    Effects,
    MixBalance,
    Picture,
    Technical,
    #[default]
    Other,
}

impl Category {
    /// Every category, in the order menus show them.
    pub const ALL: [Category; 7] = [
        Category::Dialogue,
        Category::Music,
        Category::Effects,
        Category::MixBalance,
        Category::Picture,
        Category::Technical,
        Category::Other,
    ];

    /// The stable machine id (CSV column, settings).
    pub fn id(self) -> &'static str {
        match self {
            Category::Dialogue => "dialogue",
            Category::Music => "music",
            Category::Effects => "effects",
            Category::MixBalance => "mix-balance",
            Category::Picture => "picture",
            Category::Technical => "technical",
            Category::Other => "other",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Category::Dialogue => "Dialogue",
            Category::Music => "Music",
            Category::Effects => "Effects",
            Category::MixBalance => "Mix balance",
            Category::Picture => "Picture",
            Category::Technical => "Technical",
            Category::Other => "Other",
        }
    }

    /// The short tag a dubbing stage uses (DX, MX, FX …), for marker names where space is tight.
    pub fn tag(self) -> &'static str {
        match self {
            Category::Dialogue => "DX",
            Category::Music => "MX",
            Category::Effects => "FX",
            Category::MixBalance => "MIX",
            Category::Picture => "PIC",
            Category::Technical => "TECH",
            Category::Other => "NOTE",
        }
    }

    /// Reads a category as people write it, wherever notes come in (CSV import, the command
    /// line, the notes store): the id (`mix-balance`), the name (`Mix balance`), the short code
    /// (`MIX`) or the menus' code and name (`MIX  Mix balance`). Case does not matter, and
    /// spaces, `-`, `_` and `/` between words are all alike, so `Mix/Balance`, `mix balance`
    /// and `MixBalance` read too. `None` for anything else ([`Category::unknown`] says so).
    pub fn parse(text: &str) -> Option<Self> {
        let same = |form: &str| category_letters(text).eq(category_letters(form));
        Self::ALL.into_iter().find(|c| {
            same(c.id())
                || same(c.label())
                || same(c.tag())
                || category_letters(text)
                    .eq(category_letters(c.tag()).chain(category_letters(c.label())))
        })
    }

    /// The message for a category [`Category::parse`] does not know, listing what it takes.
    pub fn unknown(text: &str) -> String {
        let forms: Vec<String> = Self::ALL
            .iter()
            .map(|c| format!("{}, {} or {}", c.id(), c.label(), c.tag()))
            .collect();
        format!(
            "unknown category {:?}: give an id, a name or a short code, in any case ({})",
            text.trim(),
            forms.join("; ")
        )
    }

    /// Media Composer's marker colour (lower case, as MC writes it). Every category has its own
    /// colour among the eight that MC exports are known to use, so the colour brings the
    /// category back on import; black is left free.
    pub fn avid_colour(self) -> &'static str {
        match self {
            Category::Dialogue => "yellow",
            Category::Music => "green",
            Category::Effects => "cyan",
            Category::MixBalance => "magenta",
            Category::Picture => "blue",
            Category::Technical => "red",
            Category::Other => "white",
        }
    }

    /// The category an Avid colour stands for; colours we never write (black, anything newer
    /// MC versions add) read as [`Category::Other`].
    pub fn from_avid_colour(colour: &str) -> Self {
        let c = colour.trim();
        Self::ALL
            .into_iter()
            .find(|cat| c.eq_ignore_ascii_case(cat.avid_colour()))
            .unwrap_or(Category::Other)
    }

    /// Resolve's marker colour name as the marker EDL writes it (`ResolveColor` + a colour from
    /// the scripting API's list), again one per category.
    pub fn resolve_colour(self) -> &'static str {
        match self {
            Category::Dialogue => "ResolveColorYellow",
            Category::Music => "ResolveColorGreen",
            Category::Effects => "ResolveColorCyan",
            Category::MixBalance => "ResolveColorPink",
            Category::Picture => "ResolveColorBlue",
            Category::Technical => "ResolveColorRed",
            Category::Other => "ResolveColorCream",
        }
    }

    /// The category a Resolve colour stands for; unknown colours read as [`Category::Other`].
    pub fn from_resolve_colour(colour: &str) -> Self {
        let c = colour.trim();
        Self::ALL
            .into_iter()
            .find(|cat| c.eq_ignore_ascii_case(cat.resolve_colour()))
            .unwrap_or(Category::Other)
    }
}

/// A category's letters as [`Category::parse`] compares them: lower case, without spaces, `-`,
/// `_` or `/`.
fn category_letters(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '/'))
        .flat_map(char::to_lowercase)
}

/// Whether a note still needs work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Open,
    Addressed,
}

impl Status {
    /// The stable id written to CSV.
    pub fn id(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Addressed => "addressed",
        }
    }

    /// Reads `open`/`addressed` (any case); an empty field is open.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("open") {
            Some(Status::Open)
        } else if t.eq_ignore_ascii_case("addressed") {
            Some(Status::Addressed)
        } else {
            None
        }
    }
}

/// The last frame (inclusive) of a range starting at `frame` whose stored end is `end`
/// (exclusive); `None` for a point or an empty range. Notes and markers both show ranges so.
pub fn last_frame(frame: u64, end: Option<u64>) -> Option<u64> {
    end.filter(|&e| e > frame).map(|e| e - 1)
}

/// One note as every exporter sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// The picture frame the note is on (0 = first picture of the media).
    pub frame: u64,
    /// For a range note, the first frame after the range (exclusive end); `None` for a point.
    pub end_frame: Option<u64>,
    pub text: String,
    pub category: Category,
    pub author: String,
    pub status: Status,
}

impl Marker {
    /// A point note, open, no author.
    pub fn new(frame: u64, category: Category, text: impl Into<String>) -> Self {
        Self {
            frame,
            end_frame: None,
            text: text.into(),
            category,
            author: String::new(),
            status: Status::Open,
        }
    }

    /// How many frames the note covers: 1 for a point (or an empty/backwards range).
    pub fn duration_frames(&self) -> u64 {
        self.end_frame
            .map_or(1, |end| end.saturating_sub(self.frame))
            .max(1)
    }

    /// The range's last frame (inclusive), as shown to people; `None` for a point.
    pub fn last_frame(&self) -> Option<u64> {
        last_frame(self.frame, self.end_frame)
    }

    /// The exclusive end frame, whether or not the note is a range.
    pub fn end_exclusive(&self) -> u64 {
        self.frame.saturating_add(self.duration_frames())
    }
}

/// Sorts markers by frame, keeping the given order for notes on the same frame (the order they
/// were made in), which every exporter needs: EDL events and MIDI deltas must go forwards.
pub(crate) fn in_frame_order(markers: &[Marker]) -> Vec<&Marker> {
    let mut sorted: Vec<&Marker> = markers.iter().collect();
    sorted.sort_by_key(|m| m.frame);
    sorted
}

/// How frames of this media become timecode, and where the Pro Tools session starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MarkerContext {
    /// The exact picture rate.
    pub rate: FrameRate,
    /// The media's start timecode (the label of frame 0).
    pub start: Timecode,
    /// Drop-frame counting (honoured only at 29.97 and 59.94).
    pub drop_frame: bool,
    /// The media's name, used for titles (EDL `TITLE:`, FCPXML project, MIDI track name).
    pub media_name: String,
    /// The Pro Tools session start: the timecode at tick 0 of the MIDI file. Defaults to the
    /// media start; a session with pre-roll starts earlier.
    pub session_start: Timecode,
    /// The review file itself, for a format that links to it (FCPXML's asset); `None` when not
    /// known (a context rebuilt from the notes store, tests), and such a format then writes
    /// what it can without it.
    pub media: Option<MediaFile>,
}

/// The review file as a format that links to its media needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaFile {
    /// Where it is: a `file:///` URL of its absolute path ([`file_url`]).
    pub url: String,
    /// Its length in picture frames.
    pub frames: u64,
    /// The picture's size as shown (width, height); `None` for sound only.
    pub picture: Option<(u32, u32)>,
    /// The sound the player picks: sample rate (Hz) and channels; `None` without sound.
    pub sound: Option<(u32, u16)>,
}

/// `path` as a `file:///` URL (RFC 8089): the absolute path with every byte other than an
/// unreserved character (RFC 3986: letters, digits, `-._~`) or `/` percent-encoded, so spaces,
/// `#`, `%` and non-ASCII names (UTF-8 bytes, e.g. Korean) survive any URL parser. A relative
/// path is made absolute against the current folder first. On Windows the drive letter
/// starts the path (`file:///C:/…`) and `\` becomes `/`.
pub fn file_url(path: &std::path::Path) -> String {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    #[cfg(unix)]
    let bytes: Vec<u8> = {
        use std::os::unix::ffi::OsStrExt as _;
        path.as_os_str().as_bytes().to_vec()
    };
    #[cfg(not(unix))]
    let bytes: Vec<u8> = {
        let text = path.to_string_lossy().replace('\\', "/");
        let text = text.strip_prefix("//?/").unwrap_or(&text).to_owned();
        if text.starts_with('/') {
            text.into_bytes()
        } else {
            format!("/{text}").into_bytes()
        }
    };
    let mut url = String::from("file://");
    for b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            url.push(char::from(b));
        } else if cfg!(not(unix)) && b == b':' {
            // The drive letter's colon, as Windows file URLs keep it.
            url.push(':');
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

impl MarkerContext {
    /// A context for media starting at `start`; drop-frame follows the start timecode's own
    /// flag, and the Pro Tools session starts where the media does.
    pub fn new(
        rate: FrameRate,
        start: Timecode,
        media_name: impl Into<String>,
    ) -> Result<Self, MarkerError> {
        let drop_frame = start.drop_frame;
        if drop_frame && !rate.supports_drop_frame() {
            return Err(MarkerError::DropFrameRate(rate.label()));
        }
        let tc_rate = rate.timecode_rate(drop_frame);
        start.validate(tc_rate).map_err(MarkerError::Setting)?;
        Ok(Self {
            rate,
            start,
            drop_frame,
            media_name: media_name.into(),
            session_start: start,
            media: None,
        })
    }

    /// The same context, knowing the review file itself.
    pub fn with_media(mut self, media: MediaFile) -> Self {
        self.media = Some(media);
        self
    }

    /// The same context with another Pro Tools session start (validated at this rate).
    pub fn with_session_start(mut self, session_start: Timecode) -> Result<Self, MarkerError> {
        session_start
            .validate(self.timecode_rate())
            .map_err(MarkerError::Setting)?;
        self.session_start = Timecode {
            drop_frame: self.drop_frame,
            ..session_start
        };
        Ok(self)
    }

    /// How timecode counts here.
    pub fn timecode_rate(&self) -> TimecodeRate {
        self.rate.timecode_rate(self.drop_frame)
    }

    /// Frame 0's position counted in timecode frames since 00:00:00:00.
    pub fn start_count(&self) -> i64 {
        self.start.to_frames(self.timecode_rate())
    }

    /// The timecode label of media frame `frame` (wraps at 24 hours, as timecode does).
    pub fn timecode_of(&self, frame: u64) -> Timecode {
        // Frames past i64 are beyond any media; saturate rather than panic (the label wraps anyway).
        let frame = i64::try_from(frame).unwrap_or(i64::MAX);
        Timecode::from_frames(
            self.start_count().saturating_add(frame),
            self.timecode_rate(),
        )
    }

    /// The media frame a timecode label stands for; labels before the media start are refused
    /// (media that runs across midnight is not supported for import).
    pub fn frame_of(&self, tc: Timecode) -> Option<u64> {
        u64::try_from(tc.to_frames(self.timecode_rate()) - self.start_count()).ok()
    }

    /// Parses a timecode string at this rate and returns its media frame; `line`/`column` go
    /// into the error so an importer can point at the cell.
    pub fn parse_frame(&self, text: &str, line: usize, column: usize) -> Result<u64, MarkerError> {
        let tc = Timecode::parse(text, self.timecode_rate()).map_err(|source| {
            MarkerError::Timecode {
                line,
                column,
                source,
            }
        })?;
        self.frame_of(tc).ok_or_else(|| MarkerError::BeforeStart {
            line,
            column,
            timecode: tc.to_string(),
            start: self.start.to_string(),
        })
    }
}

/// Why an export or import failed. Import errors name the 1-based line and column.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MarkerError {
    #[error("line {line}, column {column}: {source}")]
    Timecode {
        line: usize,
        column: usize,
        source: TimecodeError,
    },
    #[error("line {line}, column {column}: timecode {timecode} is before the media start {start}")]
    BeforeStart {
        line: usize,
        column: usize,
        timecode: String,
        start: String,
    },
    #[error("line {line}, column {column}: {message}")]
    Parse {
        line: usize,
        column: usize,
        message: String,
    },
    /// A start or session-start timecode that is not valid at the media's rate.
    #[error("{0}")]
    Setting(TimecodeError),
    #[error("drop-frame timecode asked for at {0} fps, which has no drop-frame counting")]
    DropFrameRate(String),
    #[error(
        "the note at {timecode} is before the Pro Tools session start {session_start}; set an earlier session start"
    )]
    BeforeSessionStart {
        timecode: String,
        session_start: String,
    },
    #[error(
        "the notes at {from} and {to} are too far apart for one MIDI delta time (at most about 3 h 53 min)"
    )]
    MidiGapTooLong { from: String, to: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(num: i64, den: i64) -> FrameRate {
        FrameRate::new(num, den).expect("rate")
    }

    #[test]
    fn categories_have_distinct_colours_and_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::parse(c.id()), Some(c));
            assert_eq!(Category::parse(c.label()), Some(c));
            assert_eq!(Category::parse(&c.tag().to_lowercase()), Some(c));
            assert_eq!(Category::from_avid_colour(c.avid_colour()), c);
            assert_eq!(Category::from_resolve_colour(c.resolve_colour()), c);
        }
        assert_eq!(Category::from_avid_colour("black"), Category::Other);
        assert_eq!(Category::parse("nonsense"), None);
    }

    #[test]
    fn categories_read_by_id_name_and_short_code_in_any_case() {
        for (text, want) in [
            ("mix-balance", Category::MixBalance),
            ("Mix balance", Category::MixBalance),
            ("Mix/Balance", Category::MixBalance),
            ("mix balance", Category::MixBalance),
            ("MIX_BALANCE", Category::MixBalance),
            ("MixBalance", Category::MixBalance),
            ("MIX", Category::MixBalance),
            ("  mix  ", Category::MixBalance),
            ("MIX  Mix balance", Category::MixBalance),
            ("dialogue", Category::Dialogue),
            ("DIALOGUE", Category::Dialogue),
            ("dx", Category::Dialogue),
            ("Dx", Category::Dialogue),
            ("DX  Dialogue", Category::Dialogue),
            ("\tMusic\n", Category::Music),
            ("mx", Category::Music),
            ("FX", Category::Effects),
            ("pic", Category::Picture),
            ("Tech", Category::Technical),
            ("NOTE", Category::Other),
            ("other", Category::Other),
        ] {
            assert_eq!(Category::parse(text), Some(want), "{text:?}");
        }
        for text in ["", "  ", "-", "mixing", "dialog", "MIX Music", "x", "notes"] {
            assert_eq!(Category::parse(text), None, "{text:?}");
        }
        let msg = Category::unknown(" Mix/Balanse ");
        assert!(msg.starts_with("unknown category \"Mix/Balanse\""), "{msg}");
        for c in Category::ALL {
            for form in [c.id(), c.label(), c.tag()] {
                assert!(msg.contains(form), "{form} missing from: {msg}");
            }
        }
    }

    #[test]
    fn context_maps_frames_to_timecode_both_ways() {
        let df = TimecodeRate {
            fps: 30,
            drop_frame: true,
        };
        let start = Timecode::parse("01:00:00;00", df).expect("tc");
        let ctx = MarkerContext::new(rate(30000, 1001), start, "reel").expect("ctx");
        assert!(ctx.drop_frame);
        // One minute of DF timecode holds 1798 frames after the first (frames 00–01 skipped).
        assert_eq!(ctx.timecode_of(1799).to_string(), "01:00:59;29");
        assert_eq!(ctx.timecode_of(1800).to_string(), "01:01:00;02");
        let tc = Timecode::parse("01:10:00;00", df).expect("tc");
        assert_eq!(ctx.frame_of(tc), Some(17_982));
        assert!(matches!(
            ctx.parse_frame("00:59:59;29", 3, 1),
            Err(MarkerError::BeforeStart { line: 3, .. })
        ));
    }

    #[test]
    fn drop_frame_only_where_it_exists() {
        let start = Timecode {
            hours: 1,
            minutes: 0,
            seconds: 0,
            frames: 0,
            drop_frame: true,
        };
        assert!(matches!(
            MarkerContext::new(rate(25, 1), start, "x"),
            Err(MarkerError::DropFrameRate(_))
        ));
    }

    #[test]
    fn file_urls_are_absolute_and_percent_encoded() {
        #[cfg(unix)]
        {
            use std::path::Path;
            assert_eq!(
                file_url(Path::new("/Volumes/Mix Stage/리뷰 #1 v3%.mov")),
                "file:///Volumes/Mix%20Stage/%EB%A6%AC%EB%B7%B0%20%231%20v3%25.mov"
            );
            assert_eq!(
                file_url(Path::new("/a/b-c_d.e~f/A&B'(x).mov")),
                "file:///a/b-c_d.e~f/A%26B%27%28x%29.mov"
            );
            let relative = file_url(Path::new("clip.mov"));
            assert!(relative.starts_with("file:///") && relative.ends_with("/clip.mov"));
        }
    }

    #[test]
    fn durations() {
        let mut m = Marker::new(10, Category::Music, "x");
        assert_eq!(m.duration_frames(), 1);
        m.end_frame = Some(15);
        assert_eq!(m.duration_frames(), 5);
        assert_eq!(m.end_exclusive(), 15);
        m.end_frame = Some(3);
        assert_eq!(m.duration_frames(), 1);
    }
}
