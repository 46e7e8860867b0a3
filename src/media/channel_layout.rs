//! Where each channel of a sound track belongs: the speaker positions of a layout, as plain
//! data for everything above the demuxer (fold-down, loudness weights, labels).
//!
//! The speaker bits are the WAVE_FORMAT_EXTENSIBLE mask, which FFmpeg's native channel order and
//! symphonia's positions share: channel *i* of a track sits at the *i*-th set bit, lowest first.
//! A track that states no layout gets the usual one for its channel count (1 mono, 2 stereo,
//! 6 as 5.1, 8 as 7.1), as FFmpeg and every DAW assume.

use serde::Serialize;

/// One speaker position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Speaker {
    Left,
    Right,
    Centre,
    Lfe,
    /// Surround left behind the listener (5.1 "back", 7.1 rear).
    BackLeft,
    BackRight,
    FrontLeftOfCentre,
    FrontRightOfCentre,
    BackCentre,
    /// Surround left beside the listener (5.1 "side", 7.1 side).
    SideLeft,
    SideRight,
    /// A mono track's one channel (shown in both ears).
    Mono,
    /// A position Earmark does not place (height, wide, second LFE, discrete).
    Other,
}

impl Speaker {
    /// The speaker of one WAVE_FORMAT_EXTENSIBLE / FFmpeg mask bit.
    fn of_bit(bit: u32) -> Self {
        match bit {
            0 => Self::Left,
            1 => Self::Right,
            2 => Self::Centre,
            3 => Self::Lfe,
            4 => Self::BackLeft,
            5 => Self::BackRight,
            6 => Self::FrontLeftOfCentre,
            7 => Self::FrontRightOfCentre,
            8 => Self::BackCentre,
            9 => Self::SideLeft,
            10 => Self::SideRight,
            _ => Self::Other,
        }
    }

    /// A short label, as a mixer writes it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Left => "L",
            Self::Right => "R",
            Self::Centre => "C",
            Self::Lfe => "LFE",
            Self::BackLeft => "Lrs",
            Self::BackRight => "Rrs",
            Self::FrontLeftOfCentre => "Lc",
            Self::FrontRightOfCentre => "Rc",
            Self::BackCentre => "Cs",
            Self::SideLeft => "Ls",
            Self::SideRight => "Rs",
            Self::Mono => "M",
            Self::Other => "?",
        }
    }

    /// True for the surround positions (behind or beside the listener).
    pub fn is_surround(self) -> bool {
        matches!(
            self,
            Self::BackLeft | Self::BackRight | Self::BackCentre | Self::SideLeft | Self::SideRight
        )
    }
}

/// The speaker of each channel of a track, in channel order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ChannelLayout {
    pub speakers: Vec<Speaker>,
}

impl ChannelLayout {
    /// The layout a mask states for `count` channels; the usual one when the mask is empty or
    /// does not match the count.
    pub fn from_mask(mask: u64, count: u16) -> Self {
        if mask.count_ones() != u32::from(count) || count == 0 {
            return Self::usual(count);
        }
        if count == 1 && mask == 0b100 {
            // FFmpeg's "mono" is a centre channel; on headphones it belongs in both ears.
            return Self::usual(1);
        }
        let speakers = (0..64)
            .filter(|b| mask & (1u64 << b) != 0)
            .map(Speaker::of_bit)
            .collect();
        Self { speakers }
    }

    /// The layout assumed for `count` channels when a file does not say.
    pub fn usual(count: u16) -> Self {
        use Speaker::*;
        let speakers = match count {
            1 => vec![Mono],
            2 => vec![Left, Right],
            3 => vec![Left, Right, Centre],
            4 => vec![Left, Right, BackLeft, BackRight],
            5 => vec![Left, Right, Centre, SideLeft, SideRight],
            6 => vec![Left, Right, Centre, Lfe, SideLeft, SideRight],
            7 => vec![Left, Right, Centre, Lfe, BackCentre, SideLeft, SideRight],
            8 => vec![
                Left, Right, Centre, Lfe, BackLeft, BackRight, SideLeft, SideRight,
            ],
            n => vec![Other; usize::from(n)],
        };
        Self { speakers }
    }

    /// Left and right: the layout of a split-mono pair once joined.
    pub fn stereo() -> Self {
        Self::usual(2)
    }

    pub fn channels(&self) -> usize {
        self.speakers.len()
    }

    /// "mono", "stereo", "5.1", "7.1", … or "6 channels" for an unknown arrangement.
    pub fn name(&self) -> String {
        use Speaker::*;
        let has = |s: Speaker| self.speakers.contains(&s);
        let lfe = has(Lfe);
        let surrounds = self.speakers.iter().filter(|s| s.is_surround()).count();
        let fronts = self
            .speakers
            .iter()
            .filter(|s| matches!(s, Left | Right | Centre))
            .count();
        if self.speakers.contains(&Other) {
            return format!("{} channels", self.speakers.len());
        }
        match (self.speakers.as_slice(), fronts, surrounds, lfe) {
            ([Mono], ..) => "mono".into(),
            ([Left, Right], ..) => "stereo".into(),
            (_, 3, 2, true) if self.channels() == 6 => "5.1".into(),
            (_, 3, 2, false) if self.channels() == 5 => "5.0".into(),
            (_, 3, 4, true) if self.channels() == 8 => "7.1".into(),
            (_, 3, 4, false) if self.channels() == 7 => "7.0".into(),
            _ => {
                let labels: Vec<&str> = self.speakers.iter().map(|s| s.label()).collect();
                labels.join(" ")
            }
        }
    }

    /// BS.1770 channel weights: 1.0 at the front, 1.41 (+1.5 dB) for the surrounds, LFE not
    /// measured.
    pub fn loudness_weights(&self) -> Vec<f64> {
        self.speakers
            .iter()
            .map(|s| match s {
                Speaker::Lfe => 0.0,
                s if s.is_surround() => 1.41,
                _ => 1.0,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_give_positions_in_channel_order() {
        // FFmpeg's 5.1(side): FL FR FC LFE SL SR.
        let l = ChannelLayout::from_mask(0x60f, 6);
        assert_eq!(l.name(), "5.1");
        assert_eq!(
            l.speakers,
            [
                Speaker::Left,
                Speaker::Right,
                Speaker::Centre,
                Speaker::Lfe,
                Speaker::SideLeft,
                Speaker::SideRight
            ]
        );
        assert_eq!(l.loudness_weights(), [1.0, 1.0, 1.0, 0.0, 1.41, 1.41]);
        // 5.1 with back surrounds, 7.1.
        assert_eq!(ChannelLayout::from_mask(0x3f, 6).name(), "5.1");
        assert_eq!(ChannelLayout::from_mask(0x63f, 8).name(), "7.1");
        assert_eq!(ChannelLayout::from_mask(0x3, 2).name(), "stereo");
    }

    #[test]
    fn a_missing_or_wrong_mask_gives_the_usual_layout() {
        assert_eq!(ChannelLayout::from_mask(0, 1).name(), "mono");
        assert_eq!(ChannelLayout::from_mask(0x4, 1).name(), "mono");
        assert_eq!(ChannelLayout::from_mask(0, 2).name(), "stereo");
        assert_eq!(ChannelLayout::from_mask(0x3, 6).name(), "5.1");
        assert_eq!(ChannelLayout::from_mask(0, 8).name(), "7.1");
        assert_eq!(ChannelLayout::from_mask(0, 12).name(), "12 channels");
        assert_eq!(ChannelLayout::usual(0).channels(), 0);
    }
}
