//! The payload of a QuickTime `chan` atom (CoreAudio `AudioChannelLayout`), which says how a
//! sound track's channels are meant: a stereo pair as L/R or as matrixed Lt/Rt, mono, a
//! multichannel layout. Only the tag, the bitmap and a capped list of channel labels are kept,
//! which is all a stereo check needs.
//!
//! Not [`crate::media::ChannelLayout`], the speaker positions of a decoded track: this is the
//! atom as written, before anything interprets it.

/// Channel descriptions kept from a `chan` atom (a stereo mix has two).
pub const MAX_CHAN_LABELS: usize = 16;

/// A `chan` atom (CoreAudio `AudioChannelLayout`): a layout tag naming the whole layout, or tag
/// 0x00010000 and a bitmap, or tag 0 and one description per channel.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelLayout {
    /// mChannelLayoutTag: 0x00650002 Stereo, 0x00670002 MatrixStereo (Lt/Rt), 0x00640001 Mono …
    pub tag: u32,
    /// mChannelBitmap (bit 0 left, bit 1 right, bit 2 centre …), meaningful for tag 0x00010000.
    pub bitmap: u32,
    /// mChannelLabel of each description (1 L, 2 R, 3 C, 38 Lt, 39 Rt, 42 mono …), for tag 0;
    /// at most [`MAX_CHAN_LABELS`].
    pub labels: Vec<u32>,
}

/// `chan` payload: version/flags(4), tag(4), bitmap(4), description count(4), then 20-byte
/// descriptions (label(4), flags(4), three f32 coordinates). `None` when shorter than the tag.
pub fn parse_chan(payload: &[u8]) -> Option<ChannelLayout> {
    let word = |at: usize| {
        payload
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let tag = word(4)?;
    let count = word(12).map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let labels = (0..count.min(MAX_CHAN_LABELS))
        .map_while(|i| word(16 + i * 20))
        .collect();
    Some(ChannelLayout {
        tag,
        bitmap: word(8).unwrap_or(0),
        labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn chan_reads_tag_bitmap_and_descriptions() {
        // FFmpeg's stereo chan: tag Stereo, no bitmap, no descriptions.
        let stereo = [0, 0, 0, 0, 0, 0x65, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0];
        let c = parse_chan(&stereo).expect("chan");
        assert_eq!((c.tag, c.bitmap, c.labels.len()), (0x0065_0002, 0, 0));
        // Tag 0 with two descriptions labelled Lt, Rt.
        let mut described = vec![0u8; 16 + 40];
        described[15] = 2;
        described[19] = 38;
        described[39] = 39;
        assert_eq!(parse_chan(&described).expect("chan").labels, vec![38, 39]);
        // A count far beyond the bytes present reads only the descriptions that are there.
        described[12] = 0xff;
        assert_eq!(parse_chan(&described).expect("chan").labels.len(), 2);
        assert_eq!(parse_chan(&stereo[..6]), None);
    }

    proptest! {
        #[test]
        fn chan_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_chan(&bytes);
        }
    }
}
