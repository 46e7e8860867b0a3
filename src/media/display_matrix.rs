//! Which way up a picture is meant to be shown: the track's display matrix (QuickTime `tkhd`,
//! which FFmpeg hands on as the stream's `AV_PKT_DATA_DISPLAYMATRIX` side data).
//!
//! Phones and some cameras store the picture as the sensor saw it and flag a quarter turn in the
//! matrix; a player that ignores the flag shows it sideways. The matrix maps a stored pixel
//! (x, y), y downwards, to `(a·x + c·y + tx, b·x + d·y + ty)` — QuickTime's layout, which
//! FFmpeg's display matrix keeps (`libavutil/display.h`). Only the signs of a, b, c, d matter
//! here: every one of the eight axis-aligned cases (four quarter turns, each optionally
//! mirrored) is an [`Orientation`]; any other matrix (an arbitrary angle, a shear) is not one
//! and the picture is shown as stored.
//!
//! FFmpeg's own `av_display_rotation_get` returns the angle counter-clockwise; a file written
//! with `ffmpeg … -metadata:s:v rotate=90` holds (a, b, c, d) = (0, 1, −1, 0), which ffprobe
//! calls "rotation of −90°" and which is shown turned 90° clockwise. Degrees here are clockwise,
//! as the `rotate` tag and every phone mean them.

use ffmpeg_next as ffmpeg;

/// How a stored picture is turned to be shown: first mirrored left–right (when `mirrored`), then
/// turned `rotation` degrees clockwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Orientation {
    /// 0, 90, 180 or 270, clockwise.
    pub rotation: u16,
    /// Mirrored left–right before turning.
    pub mirrored: bool,
}

impl Orientation {
    /// Shown as stored.
    pub const UPRIGHT: Self = Self {
        rotation: 0,
        mirrored: false,
    };

    /// A quarter-turn orientation; `None` for any other angle.
    pub fn new(rotation: u16, mirrored: bool) -> Option<Self> {
        matches!(rotation, 0 | 90 | 180 | 270).then_some(Self { rotation, mirrored })
    }

    /// The orientation a 3×3 display matrix (row-major a b u / c d v / x y w, a–d in 16.16
    /// fixed point) describes; `None` when it is not axis-aligned.
    pub fn from_matrix(m: &[i32; 9]) -> Option<Self> {
        let [a, b, _, c, d, ..] = *m;
        let largest = [a, b, c, d].iter().map(|v| v.unsigned_abs()).max()?;
        if largest == 0 {
            return None;
        }
        // Rounding in a writer's fixed-point arithmetic may leave a few units where a zero was
        // meant; anything under 1/64 of the largest term counts as zero.
        let sign = |v: i32| {
            if u64::from(v.unsigned_abs()) * 64 < u64::from(largest) {
                0
            } else {
                v.signum()
            }
        };
        let (rotation, mirrored) = match (sign(a), sign(b), sign(c), sign(d)) {
            (1, 0, 0, 1) => (0, false),
            (0, 1, -1, 0) => (90, false),
            (-1, 0, 0, -1) => (180, false),
            (0, -1, 1, 0) => (270, false),
            (-1, 0, 0, 1) => (0, true),
            (0, -1, -1, 0) => (90, true),
            (1, 0, 0, -1) => (180, true),
            (0, 1, 1, 0) => (270, true),
            _ => return None,
        };
        Some(Self { rotation, mirrored })
    }

    /// The orientation FFmpeg reports for `stream` (upright when it carries no display matrix,
    /// or one that is not a quarter turn).
    pub fn of_stream(stream: &ffmpeg::format::stream::Stream<'_>) -> Self {
        stream
            .side_data()
            .find(|sd| sd.kind() == ffmpeg::codec::packet::side_data::Type::DisplayMatrix)
            .and_then(|sd| matrix_from_ne_bytes(sd.data()))
            .and_then(|m| Self::from_matrix(&m))
            .unwrap_or_default()
    }

    /// Shown exactly as stored.
    pub fn is_upright(self) -> bool {
        self == Self::UPRIGHT
    }

    /// Whether width and height trade places (a 90° or 270° turn).
    pub fn swaps_sides(self) -> bool {
        self.rotation % 180 == 90
    }

    /// The shown size of a picture stored `width` × `height`.
    pub fn shown_size(self, width: u32, height: u32) -> (u32, u32) {
        if self.swaps_sides() {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// In words, for reports: "turned 90° clockwise", "mirrored, turned 180°", "upright".
    pub fn describe(self) -> String {
        let turn = match self.rotation {
            0 => None,
            180 => Some("turned 180°".to_owned()),
            r => Some(format!("turned {r}° clockwise")),
        };
        match (self.mirrored, turn) {
            (false, None) => "upright".into(),
            (false, Some(t)) => t,
            (true, None) => "mirrored left–right".into(),
            (true, Some(t)) => format!("mirrored left–right, then {t}"),
        }
    }
}

/// Nine native-endian 32-bit integers, as FFmpeg keeps a display matrix in memory.
fn matrix_from_ne_bytes(bytes: &[u8]) -> Option<[i32; 9]> {
    let mut m = [0i32; 9];
    for (i, v) in m.iter_mut().enumerate() {
        let b = bytes.get(i * 4..i * 4 + 4)?;
        *v = i32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
    }
    Some(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: i32 = 0x1_0000;
    const W: i32 = 0x4000_0000;

    fn matrix(a: i32, b: i32, c: i32, d: i32) -> [i32; 9] {
        [a, b, 0, c, d, 0, 0, 0, W]
    }

    #[test]
    fn quarter_turns_as_ffmpeg_writes_them() {
        // movenc's write_matrix for rotate=90 / 180 / 270 (libavformat/movenc.c).
        let cases = [
            (matrix(ONE, 0, 0, ONE), 0),
            (matrix(0, ONE, -ONE, 0), 90),
            (matrix(-ONE, 0, 0, -ONE), 180),
            (matrix(0, -ONE, ONE, 0), 270),
        ];
        for (m, rotation) in cases {
            assert_eq!(
                Orientation::from_matrix(&m),
                Some(Orientation {
                    rotation,
                    mirrored: false
                }),
                "{m:?}"
            );
        }
    }

    #[test]
    fn mirrored_cases_and_others() {
        let o = |m| Orientation::from_matrix(&m).map(|o| (o.rotation, o.mirrored));
        assert_eq!(o(matrix(-ONE, 0, 0, ONE)), Some((0, true)));
        assert_eq!(
            o(matrix(ONE, 0, 0, -ONE)),
            Some((180, true)),
            "upside-down flip"
        );
        assert_eq!(o(matrix(0, ONE, ONE, 0)), Some((270, true)), "transpose");
        assert_eq!(o(matrix(0, -ONE, -ONE, 0)), Some((90, true)));
        // 45°, a shear and all zeros are not quarter turns.
        assert_eq!(o(matrix(46341, 46341, -46341, 46341)), None);
        assert_eq!(o(matrix(ONE, ONE / 2, 0, ONE)), None);
        assert_eq!(o([0; 9]), None);
        // Scale is ignored; a few units of rounding count as zero.
        assert_eq!(o(matrix(0, 2 * ONE, -2 * ONE, 3)), Some((90, false)));
    }

    #[test]
    fn shown_size_and_words() {
        let r90 = Orientation::new(90, false).expect("quarter turn");
        assert_eq!(r90.shown_size(320, 180), (180, 320));
        assert!(r90.swaps_sides() && !r90.is_upright());
        assert_eq!(r90.describe(), "turned 90° clockwise");
        assert_eq!(Orientation::UPRIGHT.shown_size(320, 180), (320, 180));
        assert_eq!(Orientation::UPRIGHT.describe(), "upright");
        assert_eq!(
            Orientation::new(180, true).map(Orientation::describe),
            Some("mirrored left–right, then turned 180°".into())
        );
        assert_eq!(Orientation::new(45, false), None);
    }

    #[test]
    fn side_data_bytes_are_native_endian() {
        let m = matrix(0, ONE, -ONE, 0);
        let bytes: Vec<u8> = m.iter().flat_map(|v| v.to_ne_bytes()).collect();
        assert_eq!(matrix_from_ne_bytes(&bytes), Some(m));
        assert_eq!(matrix_from_ne_bytes(&bytes[..35]), None);
    }
}
