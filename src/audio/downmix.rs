//! Any track layout to the two ears: mono in both, stereo as it is, 5.1 and 7.1 folded down —
//! ITU-R BS.775 (Lo/Ro) by default, or a matrix-surround Lt/Rt encode as a choice.
//!
//! Coefficients (a channel's gain into each ear):
//! - BS.775 Lo/Ro: L → L 1, R → R 1, C → both 0.7071 (−3 dB), each surround → its side 0.7071,
//!   a back centre → both 0.5, LFE left out (BS.775 does not fold the LFE).
//! - Lt/Rt, the Dolby Pro Logic II encode equations as published: `Lt = L + 0.707·C − 0.8165·Ls
//!   − 0.5774·Rs`, `Rt = R + 0.707·C + 0.5774·Ls + 0.8165·Rs` (each surround at unit power,
//!   √(2/3) and √(1/3), in opposite polarity between the totals; 7.1's side and back pairs alike,
//!   a back centre at −0.7071/+0.7071). Without the encoder's 90° phase shift, which a
//!   monitoring fold-down cannot add without delaying the sound; Dolby keeps the exact encoder
//!   to itself, and FFmpeg's swresample uses 0.866/0.5 for the same idea.
//!
//! Nothing is normalised: a full-scale 5.1 can fold past 0 dBFS, as it does on a TV that folds
//! down the same way; the output stage clips what a device cannot play.

use crate::media::{ChannelLayout, Speaker};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How more than two channels reach two ears.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FoldDown {
    /// ITU-R BS.775 Lo/Ro.
    #[default]
    Bs775,
    /// Matrix surround (Dolby Pro Logic II encode).
    LtRt,
}

impl FoldDown {
    pub const ALL: [FoldDown; 2] = [FoldDown::Bs775, FoldDown::LtRt];

    pub fn id(self) -> &'static str {
        match self {
            Self::Bs775 => "bs775",
            Self::LtRt => "ltrt",
        }
    }

    /// In words, for menus and the status bar.
    pub fn words(self) -> &'static str {
        match self {
            Self::Bs775 => "Lo/Ro (ITU-R BS.775)",
            Self::LtRt => "Lt/Rt (matrix surround)",
        }
    }
}

impl fmt::Display for FoldDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for FoldDown {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "bs775" | "loro" | "lo/ro" | "itu" => Ok(Self::Bs775),
            "ltrt" | "lt/rt" | "dplii" | "matrix" => Ok(Self::LtRt),
            other => Err(format!("unknown fold-down `{other}`: bs775 or ltrt")),
        }
    }
}

const MINUS_3_DB: f32 = std::f32::consts::FRAC_1_SQRT_2;
/// √(2/3): a Pro Logic II surround's share in its own side's total.
const PLII_NEAR: f32 = 0.816_496_6;
/// √(1/3): its share, in opposite polarity, in the other total.
const PLII_FAR: f32 = 0.577_350_3;

/// A fixed matrix from a track's channels to left and right.
#[derive(Clone, Debug, PartialEq)]
pub struct Downmix {
    channels: usize,
    /// Gain of each input channel into (left, right).
    gains: Vec<(f32, f32)>,
    /// True when the matrix is the identity on two channels (nothing to do).
    identity: bool,
    /// How the layout reaches the ears, in words ("stereo", "mono in both ears", "5.1 folded …").
    pub words: String,
}

impl Downmix {
    /// The matrix for `layout` under `fold` (which only matters past two channels).
    pub fn new(layout: &ChannelLayout, fold: FoldDown) -> Self {
        let name = layout.name();
        let mut gains: Vec<(f32, f32)> =
            layout.speakers.iter().map(|s| gains_of(*s, fold)).collect();
        let placed = gains.iter().any(|g| *g != (0.0, 0.0));
        if !placed && gains.len() >= 2 {
            // Discrete channels with no positions: the first two play as left and right.
            gains[0] = (1.0, 0.0);
            gains[1] = (0.0, 1.0);
        }
        let identity = gains == [(1.0, 0.0), (0.0, 1.0)];
        let words = match (layout.speakers.as_slice(), placed) {
            ([Speaker::Mono], _) => "mono in both ears".to_owned(),
            ([Speaker::Left, Speaker::Right], _) => "stereo".to_owned(),
            (_, false) => format!("{name}: channels 1 and 2 as left and right"),
            _ => format!("{name} folded to stereo, {}", fold.words()),
        };
        Self {
            channels: layout.channels().max(1),
            gains,
            identity,
            words,
        }
    }

    /// Input channels per frame.
    pub fn channels(&self) -> usize {
        self.channels
    }

    /// True when it changes nothing (a stereo track).
    pub fn is_identity(&self) -> bool {
        self.identity
    }

    /// The gain of input channel `c` into (left, right).
    pub fn gains(&self, c: usize) -> (f32, f32) {
        self.gains.get(c).copied().unwrap_or((0.0, 0.0))
    }

    /// Appends `input` (interleaved, `channels()` per frame) to `out` as interleaved stereo.
    pub fn apply(&self, input: &[f32], out: &mut Vec<f32>) {
        if self.identity {
            out.extend_from_slice(input);
            return;
        }
        out.reserve(input.len() / self.channels * 2);
        for frame in input.chunks_exact(self.channels) {
            let (mut l, mut r) = (0.0f32, 0.0f32);
            for (x, (gl, gr)) in frame.iter().zip(&self.gains) {
                l += x * gl;
                r += x * gr;
            }
            out.push(l);
            out.push(r);
        }
    }
}

fn gains_of(s: Speaker, fold: FoldDown) -> (f32, f32) {
    use Speaker::*;
    match (s, fold) {
        (Left | FrontLeftOfCentre, _) => (1.0, 0.0),
        (Right | FrontRightOfCentre, _) => (0.0, 1.0),
        (Mono, _) => (1.0, 1.0),
        (Centre, _) => (MINUS_3_DB, MINUS_3_DB),
        (Lfe | Other, _) => (0.0, 0.0),
        (SideLeft | BackLeft, FoldDown::Bs775) => (MINUS_3_DB, 0.0),
        (SideRight | BackRight, FoldDown::Bs775) => (0.0, MINUS_3_DB),
        (BackCentre, FoldDown::Bs775) => (0.5, 0.5),
        (SideLeft | BackLeft, FoldDown::LtRt) => (-PLII_NEAR, PLII_FAR),
        (SideRight | BackRight, FoldDown::LtRt) => (-PLII_FAR, PLII_NEAR),
        (BackCentre, FoldDown::LtRt) => (-MINUS_3_DB, MINUS_3_DB),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(x: f32) -> f64 {
        20.0 * f64::from(x.abs()).log10()
    }

    #[test]
    fn stereo_is_untouched_and_mono_goes_to_both_ears() {
        let st = Downmix::new(&ChannelLayout::usual(2), FoldDown::Bs775);
        assert!(st.is_identity());
        let mut out = Vec::new();
        st.apply(&[0.1, -0.2, 0.3, 0.4], &mut out);
        assert_eq!(out, [0.1, -0.2, 0.3, 0.4]);
        let mono = Downmix::new(&ChannelLayout::usual(1), FoldDown::LtRt);
        out.clear();
        mono.apply(&[0.5, -0.25], &mut out);
        assert_eq!(out, [0.5, 0.5, -0.25, -0.25]);
        assert_eq!(mono.words, "mono in both ears");
    }

    #[test]
    fn bs775_folds_5_1_at_minus_3_db_and_drops_the_lfe() {
        let m = Downmix::new(&ChannelLayout::usual(6), FoldDown::Bs775);
        // L R C LFE Ls Rs
        assert_eq!(m.gains(0), (1.0, 0.0));
        assert_eq!(m.gains(1), (0.0, 1.0));
        assert!((db(m.gains(2).0) + 3.0103).abs() < 1e-3);
        assert_eq!(m.gains(2).0, m.gains(2).1);
        assert_eq!(m.gains(3), (0.0, 0.0));
        assert!((db(m.gains(4).0) + 3.0103).abs() < 1e-3 && m.gains(4).1 == 0.0);
        assert!((db(m.gains(5).1) + 3.0103).abs() < 1e-3 && m.gains(5).0 == 0.0);
        let mut out = Vec::new();
        m.apply(&[0.1, 0.2, 0.4, 0.9, 0.2, 0.3], &mut out);
        let k = MINUS_3_DB;
        assert!((out[0] - (0.1 + 0.4 * k + 0.2 * k)).abs() < 1e-6);
        assert!((out[1] - (0.2 + 0.4 * k + 0.3 * k)).abs() < 1e-6);
        assert_eq!(m.words, "5.1 folded to stereo, Lo/Ro (ITU-R BS.775)");
    }

    #[test]
    fn ltrt_puts_the_surrounds_out_of_phase_between_the_totals() {
        let m = Downmix::new(&ChannelLayout::usual(6), FoldDown::LtRt);
        let (ll, lr) = m.gains(4);
        let (rl, rr) = m.gains(5);
        assert!(ll < 0.0 && lr > 0.0 && rl < 0.0 && rr > 0.0);
        // √(2/3) = −1.76 dB into its own side, √(1/3) = −4.77 dB into the other.
        assert!((db(ll) + 1.761).abs() < 0.01, "{}", db(ll));
        assert!((db(lr) + 4.771).abs() < 0.01);
        assert!((db(rr) + 1.761).abs() < 0.01);
        // Each surround keeps its power across the two totals.
        assert!((ll * ll + lr * lr - 1.0).abs() < 1e-5);
        // A surround-only signal cancels in a mono fold of the totals less than a centre does,
        // and the centre is still at −3 dB in each.
        assert!((db(m.gains(2).0) + 3.0103).abs() < 1e-3);
        assert_eq!(m.gains(3), (0.0, 0.0));
    }

    #[test]
    fn seven_one_and_unplaced_channels() {
        let m = Downmix::new(&ChannelLayout::usual(8), FoldDown::Bs775);
        assert_eq!(m.words, "7.1 folded to stereo, Lo/Ro (ITU-R BS.775)");
        for c in 4..8 {
            let (l, r) = m.gains(c);
            assert!((db(l.max(r)) + 3.0103).abs() < 1e-3 && l.min(r) == 0.0);
        }
        let odd = Downmix::new(&ChannelLayout::usual(12), FoldDown::Bs775);
        assert_eq!(odd.gains(0), (1.0, 0.0));
        assert_eq!(odd.gains(1), (0.0, 1.0));
        assert_eq!(odd.gains(2), (0.0, 0.0));
        assert!(odd.words.contains("channels 1 and 2"));
        assert_eq!("ltrt".parse::<FoldDown>(), Ok(FoldDown::LtRt));
        assert!("x".parse::<FoldDown>().is_err());
    }
}
