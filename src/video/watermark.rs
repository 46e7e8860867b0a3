//! The per-viewer watermark's model: who is watching which file, and when (its text); how
//! visible it is (opacity, size); and where it sits: a slow drift over the whole picture, so no
//! fixed crop removes it from a screen recording. Pure maths and text. The window draws it over
//! the picture (`ui::picture_view`), and stills and report thumbnails have it burned into their
//! pixels (`video::watermark_burn`). Both start here, so they say the same thing. What the
//! settings file asks for becomes a [`WatermarkSpec`] in `settings` (`WatermarkSpec::
//! from_settings`), which knows the reviewer and the login; this module knows neither.

use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// The `[watermark]` section of the settings file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WatermarkSettings {
    /// Drawn over the picture and burned into stills and report thumbnails. On by default: a
    /// review copy should say whose it is unless someone decided otherwise.
    pub enabled: bool,
    /// 0–1. Kept at [`MIN_OPACITY`] or more, so a watermark that is on can always be seen.
    pub opacity: f32,
    /// Height of a text line as a fraction of the picture's height.
    pub size: f32,
    /// The reviewer's e-mail, shown after their name (empty: the name alone).
    pub email: String,
}

impl Default for WatermarkSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            opacity: 0.3,
            size: 0.035,
            email: String::new(),
        }
    }
}

/// The faintest a watermark that is on may be.
pub const MIN_OPACITY: f32 = 0.1;
/// Sizes (fraction of the picture's height) a watermark is kept within: legible, never a
/// banner.
pub const SIZE_RANGE: (f32, f32) = (0.015, 0.12);
/// Smallest text line in pixels, so a 180-pixel-high report thumbnail still carries letters
/// that can be read.
pub const MIN_LINE_PX: f32 = 11.0;
/// Hex digits of the content id shown as the file id.
pub const FILE_ID_DIGITS: usize = 12;
/// Salt of the file id's content key (see [`file_id`]). Never change it: ids already seen on
/// leaked pictures would stop matching.
const FILE_ID_SALT: &str = "earmark-watermark";

/// A watermark that is on: what it says and how it looks.
#[derive(Clone, Debug, PartialEq)]
pub struct WatermarkSpec {
    /// The reviewer, with their e-mail when known (`Sam Reyes <sam@example.com>`).
    pub viewer: String,
    /// A short form of the media's content id (empty while it is still being computed, or if
    /// the file could not be read for it).
    pub file_id: String,
    /// 0–1.
    pub opacity: f32,
    /// Text line height as a fraction of the picture's height.
    pub size: f32,
    /// Picks the drift's direction, so different viewers' watermarks do not move in step.
    pub seed: u64,
}

impl WatermarkSpec {
    /// The watermark `w` asks for, shown to `reviewer` (logged in as `login`) on the media whose
    /// id is `file_id`; `None` when it is turned off. A reviewer with no name set is named by
    /// their login, so the mark still says whose screen it was.
    pub fn new(
        w: &WatermarkSettings,
        reviewer: &str,
        login: Option<&str>,
        file_id: String,
    ) -> Option<Self> {
        if !w.enabled {
            return None;
        }
        let viewer = viewer_label(reviewer, &w.email, login);
        let opacity = if w.opacity.is_finite() {
            w.opacity.clamp(MIN_OPACITY, 1.0)
        } else {
            WatermarkSettings::default().opacity
        };
        let size = if w.size.is_finite() {
            w.size.clamp(SIZE_RANGE.0, SIZE_RANGE.1)
        } else {
            WatermarkSettings::default().size
        };
        Some(Self {
            seed: seed_of(&viewer),
            viewer,
            file_id,
            opacity,
            size,
        })
    }

    /// The lines shown at `unix_s` (seconds since 1970): the viewer, then the date, time and
    /// file id.
    pub fn lines(&self, unix_s: i64) -> Vec<String> {
        let mut second = crate::time::utc_label(unix_s);
        if !self.file_id.is_empty() {
            second.push_str(" · file ");
            second.push_str(&self.file_id);
        }
        vec![self.viewer.clone(), second]
    }

    /// The viewer as a code of letters any font has (`viewer 3f9a2c1b`), shown instead of a name
    /// the machine cannot draw. The same label always gives the same code, and the window says
    /// which name it stands for when it shows it.
    pub fn viewer_code(&self) -> String {
        viewer_code(&self.viewer)
    }

    /// Text line height in pixels on a picture `picture_height` pixels high.
    pub fn line_px(&self, picture_height: f32) -> f32 {
        (self.size * picture_height).max(MIN_LINE_PX)
    }

    /// Text line height on a `width` × `height` picture: sized as on the 16:9 frame that fits
    /// inside it, so a portrait picture (a phone clip shown upright) gets letters that fit
    /// across it rather than letters sized for its height and cut off at both sides.
    pub fn line_px_for(&self, width: f32, height: f32) -> f32 {
        self.line_px(height.min(width * 9.0 / 16.0))
    }
}

/// `name <email>`, the name alone, or the login when no name is set.
pub fn viewer_label(reviewer: &str, email: &str, login: Option<&str>) -> String {
    let name = reviewer.trim();
    let email = email.trim();
    let name = match (
        name.is_empty(),
        login.map(str::trim).filter(|l| !l.is_empty()),
    ) {
        (false, _) => name.to_owned(),
        (true, Some(login)) => format!("user {login}"),
        (true, None) => "reviewer not named".to_owned(),
    };
    if email.is_empty() {
        name
    } else {
        format!("{name} <{email}>")
    }
}

/// The file id shown in the watermark: the first [`FILE_ID_DIGITS`] hex digits of the media's
/// content key (`persist::content_id`, 3 MiB read whatever the file's size), so the same file
/// shows the same id wherever it was copied to.
pub fn file_id(path: &Path) -> std::io::Result<String> {
    let mut id = crate::persist::content_id(path, FILE_ID_SALT)?;
    id.truncate(FILE_ID_DIGITS);
    Ok(id)
}

/// Seconds since 1970, now (the watermark's date and time).
pub use crate::time::now_unix_s;

/// The code [`WatermarkSpec::viewer_code`] shows for a viewer label (`name <email>`).
pub fn viewer_code(viewer: &str) -> String {
    format!("viewer {:08x}", seed_of(viewer) >> 32)
}

/// FNV-1a: a stable seed from the viewer's name (std's hasher may change between releases).
fn seed_of(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Periods of the drift along x and y, in seconds. Both are prime, so the path only repeats
/// after their product (about 10 hours) and meanwhile passes through every part of the
/// picture; slow enough that the text can be read while it moves.
pub const DRIFT_PERIODS_S: (f64, f64) = (233.0, 167.0);
/// Space kept between the watermark and the picture's edges, as a fraction of each side.
const EDGE: f32 = 0.01;

/// Where the watermark's top-left corner sits at drift time `t_s` in an `area` (width,
/// height) for a watermark of size `mark`, in the same units. A Lissajous path: it starts at
/// the centre (stills carry it there, where no crop can take it off) and sweeps the whole
/// area, never leaving it; a mark larger than the area is centred on it.
pub fn drift_position(t_s: f64, area: [f32; 2], mark: [f32; 2], seed: u64) -> [f32; 2] {
    let axis = |i: usize, period: f64, flip: bool| {
        let room = (area[i] * (1.0 - 2.0 * EDGE) - mark[i]).max(0.0) / 2.0;
        let phase = (std::f64::consts::TAU * t_s / period).sin() as f32;
        let phase = if flip { -phase } else { phase };
        area[i] / 2.0 + room * phase - mark[i] / 2.0
    };
    // Downwards first, whatever the seed: the test fixtures carry their frame code across the
    // top eighth, and scripted window runs take their screenshots in the first seconds.
    [
        axis(0, DRIFT_PERIODS_S.0, seed & 1 == 1),
        axis(1, DRIFT_PERIODS_S.1, false),
    ]
}

/// Longest step the drift takes between two paints (s).
const DRIFT_STEP_S: f64 = 0.25;

/// The drift's own time. It follows the real clock while the window paints continuously
/// (playing, scrubbing) but moves at most [`DRIFT_STEP_S`] per paint, so a paused window,
/// which does not repaint and so keeps its mark still, does not make it jump across the
/// picture when it wakes.
#[derive(Clone, Debug, Default)]
pub struct DriftClock {
    t_s: f64,
    last: Option<Instant>,
}

impl DriftClock {
    /// Advances to `now` and returns the drift time.
    pub fn tick(&mut self, now: Instant) -> f64 {
        if let Some(last) = self.last {
            self.t_s += now.duration_since(last).as_secs_f64().min(DRIFT_STEP_S);
        }
        self.last = Some(now);
        self.t_s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const AREAS: [[f32; 2]; 3] = [[1920.0, 1080.0], [1280.0, 720.0], [720.0, 576.0]];

    fn mark_for(area: [f32; 2]) -> [f32; 2] {
        // Two lines of about 40 characters at 3.5 % of the height.
        let line = area[1] * 0.035;
        [line * 0.5 * 40.0, line * 2.4]
    }

    #[test]
    fn starts_at_the_centre_and_never_leaves_the_picture() {
        for area in AREAS {
            let mark = mark_for(area);
            for seed in 0..4 {
                let p = drift_position(0.0, area, mark, seed);
                assert!((p[0] + mark[0] / 2.0 - area[0] / 2.0).abs() < 0.01);
                assert!((p[1] + mark[1] / 2.0 - area[1] / 2.0).abs() < 0.01);
                for i in 0..20_000 {
                    let p = drift_position(f64::from(i) * 1.37, area, mark, seed);
                    assert!(p[0] >= 0.0 && p[0] + mark[0] <= area[0], "{area:?} {p:?}");
                    assert!(p[1] >= 0.0 && p[1] + mark[1] <= area[1], "{area:?} {p:?}");
                }
            }
        }
    }

    #[test]
    fn a_mark_larger_than_the_picture_is_centred() {
        let p = drift_position(50.0, [100.0, 50.0], [300.0, 80.0], 3);
        assert_eq!(p, [-100.0, -15.0]);
    }

    #[test]
    fn drifts_slowly() {
        // At most 2 % of the picture's side per second: about 38 px/s across 1080p.
        for area in AREAS {
            let mark = mark_for(area);
            for i in 0..10_000 {
                let t = f64::from(i) * 0.5;
                let a = drift_position(t, area, mark, 1);
                let b = drift_position(t + 0.1, area, mark, 1);
                for axis in 0..2 {
                    let speed = (b[axis] - a[axis]).abs() / 0.1;
                    assert!(speed <= area[axis] * 0.02, "{speed} px/s at {t} s");
                }
            }
        }
    }

    #[test]
    fn visits_every_ninth_of_the_picture_within_fifteen_minutes() {
        for area in AREAS {
            let mark = mark_for(area);
            for seed in 0..4 {
                let mut seen = [false; 9];
                for i in 0..(15 * 60 * 4) {
                    let p = drift_position(f64::from(i) / 4.0, area, mark, seed);
                    let cx = (p[0] + mark[0] / 2.0) / area[0];
                    let cy = (p[1] + mark[1] / 2.0) / area[1];
                    let cell = ((cx * 3.0) as usize).min(2) + 3 * ((cy * 3.0) as usize).min(2);
                    seen[cell] = true;
                }
                assert_eq!(seen, [true; 9], "{area:?} seed {seed}");
            }
        }
    }

    #[test]
    fn keeps_below_the_top_quarter_for_its_first_ninety_seconds() {
        // The test fixtures carry their frame code in the top quarter; scripted window runs
        // take their screenshots within seconds of opening.
        for area in AREAS {
            let mark = mark_for(area);
            for seed in 0..4 {
                for i in 0..900 {
                    let p = drift_position(f64::from(i) / 10.0, area, mark, seed);
                    assert!(p[1] > area[1] / 4.0, "{area:?} seed {seed} at {i}: {p:?}");
                }
            }
        }
    }

    #[test]
    fn the_clock_follows_paints_but_never_jumps() {
        let start = Instant::now();
        let mut c = DriftClock::default();
        assert_eq!(c.tick(start), 0.0);
        let t = c.tick(start + Duration::from_millis(100));
        assert!((t - 0.1).abs() < 1e-9);
        // Paused for ten minutes, then a paint: one step only.
        let t = c.tick(start + Duration::from_secs(600));
        assert!((t - 0.35).abs() < 1e-9, "{t}");
    }

    #[test]
    fn settings_decide_whether_and_how() {
        let mut s = WatermarkSettings {
            email: "sam@example.com".into(),
            ..WatermarkSettings::default()
        };
        let spec =
            WatermarkSpec::new(&s, "Sam Reyes", Some("sam"), "0123456789ab".into()).expect("on");
        assert_eq!(spec.viewer, "Sam Reyes <sam@example.com>");
        assert_eq!(
            spec.lines(1_700_000_000),
            [
                "Sam Reyes <sam@example.com>",
                "2023-11-14 22:13 UTC · file 0123456789ab"
            ]
        );
        s.opacity = 0.0;
        s.size = 9.0;
        let spec = WatermarkSpec::new(&s, "Sam Reyes", None, String::new()).expect("on");
        assert_eq!((spec.opacity, spec.size), (MIN_OPACITY, SIZE_RANGE.1));
        assert_eq!(spec.lines(0)[1], "1970-01-01 00:00 UTC");
        assert_eq!(spec.line_px(1080.0), 1080.0 * SIZE_RANGE.1);
        assert_eq!(spec.line_px(50.0), MIN_LINE_PX);
        assert_eq!(spec.line_px_for(1920.0, 1080.0), spec.line_px(1080.0));
        assert_eq!(
            spec.line_px_for(1080.0, 1920.0),
            spec.line_px(607.5),
            "portrait"
        );
        s.enabled = false;
        assert_eq!(
            WatermarkSpec::new(&s, "Sam Reyes", None, String::new()),
            None
        );
    }

    #[test]
    fn a_viewer_without_a_name_is_named_by_login() {
        assert_eq!(viewer_label("  ", "", Some("sam")), "user sam");
        assert_eq!(
            viewer_label("", "a@b.c", None),
            "reviewer not named <a@b.c>"
        );
        assert_eq!(viewer_label(" Sam ", "", Some("x")), "Sam");
    }

    #[test]
    fn file_id_is_a_short_content_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = dir.path().join("a.mov");
        std::fs::write(&a, b"picture and sound").expect("write");
        let id = file_id(&a).expect("id");
        assert_eq!(id.len(), FILE_ID_DIGITS);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        let b = dir.path().join("renamed.mov");
        std::fs::copy(&a, &b).expect("copy");
        assert_eq!(file_id(&b).expect("id"), id);
    }
}
