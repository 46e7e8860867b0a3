//! MPEG-4 audio configuration from an `mp4a` sample description: the `esds` atom's descriptor
//! chain (ES_Descriptor → DecoderConfigDescriptor → DecoderSpecificInfo) and the
//! AudioSpecificConfig at its end, read far enough to tell AAC-LC from HE-AAC (SBR, PS), Low
//! Delay and MP3, and to find the coded rate and channel configuration.
//!
//! Descriptor lengths come from the file, so each body is cut with `slice::get`; a descriptor
//! claiming more bytes than are present ends the walk with what was read so far.

use super::bits::Bits;

/// The fields of an MPEG-4 AudioSpecificConfig that decide "AAC-LC, stereo, 48 kHz".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AudioConfig {
    /// audioObjectType of the core coder (2 = LC).
    pub object_type: u8,
    /// The first object type written, 5 (SBR) or 29 (PS) for hierarchical HE-AAC signalling.
    pub signalled_type: u8,
    /// Sampling rate of the core coder (half the output rate for dual-rate HE-AAC).
    pub sample_rate: Option<u32>,
    /// The SBR output rate, when SBR is signalled explicitly.
    pub extension_rate: Option<u32>,
    pub channel_config: u8,
    /// SBR signalled (hierarchically, or by the backward-compatible extension with its flag set).
    pub sbr: bool,
    /// Parametric stereo signalled.
    pub ps: bool,
}

/// The `esds` of an `mp4a` sample description.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Esds {
    /// objectTypeIndication: 0x40 MPEG-4 audio, 0x67 MPEG-2 AAC LC, 0x6B MP3 …
    pub object_type_indication: u8,
    pub avg_bitrate: u32,
    pub config: Option<AudioConfig>,
}

/// One MPEG-4 descriptor: tag, then a length of up to four 7-bit groups.
fn descriptor(bytes: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *bytes.first()?;
    let mut len = 0usize;
    let mut i = 1;
    loop {
        let b = *bytes.get(i)?;
        len = (len << 7) | usize::from(b & 0x7f);
        i += 1;
        if b & 0x80 == 0 || i > 4 {
            break;
        }
    }
    let body = bytes.get(i..i.checked_add(len)?)?;
    Some((tag, body, bytes.get(i + len..).unwrap_or_default()))
}

/// `esds` payload: version/flags(4), ES_Descriptor (3) → DecoderConfigDescriptor (4) →
/// DecoderSpecificInfo (5, the AudioSpecificConfig). Missing parts are left at their defaults.
pub fn parse_esds(payload: &[u8]) -> Esds {
    let mut out = Esds::default();
    let Some((3, es, _)) = payload.get(4..).and_then(descriptor) else {
        return out;
    };
    let Some(&flags) = es.get(2) else {
        return out;
    };
    let mut at = 3usize;
    if flags & 0x80 != 0 {
        at += 2;
    }
    if flags & 0x40 != 0 {
        at += 1 + usize::from(es.get(at).copied().unwrap_or(0));
    }
    if flags & 0x20 != 0 {
        at += 2;
    }
    let mut rest = es.get(at..).unwrap_or_default();
    while let Some((tag, body, next)) = descriptor(rest) {
        if tag == 4 {
            out.object_type_indication = body.first().copied().unwrap_or(0);
            out.avg_bitrate = body
                .get(9..13)
                .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
            if let Some((5, asc, _)) = body.get(13..).and_then(descriptor) {
                out.config = parse_audio_config(asc);
            }
            break;
        }
        rest = next;
    }
    out
}

/// audioObjectType (§1.6.2.1): five bits, or 31 and six more bits for types from 32 up.
fn object_type(b: &mut Bits<'_>) -> Option<u8> {
    let t = b.read(5)?;
    let t = if t == 31 { 32 + b.read(6)? } else { t };
    u8::try_from(t).ok()
}

/// samplingFrequencyIndex, or index 15 and the rate written out in 24 bits. The reserved
/// indices 13 and 14 give `Some(None)`: the config goes on, its rate unknown.
fn rate(b: &mut Bits<'_>) -> Option<Option<u32>> {
    const RATES: [u32; 13] = [
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
    ];
    let index = b.read(4)?;
    Some(if index == 15 {
        Some(b.read(24)?)
    } else {
        RATES.get(index as usize).copied()
    })
}

/// AudioSpecificConfig (ISO 14496-3 §1.6.2.1): object type, rate, channels; hierarchical SBR/PS
/// (object type 5/29 first); for LC, the GASpecificConfig bits, then the backward-compatible
/// extension (sync 0x2B7) whose *flag*, not its presence, signals SBR (FFmpeg writes it with the
/// flag clear on plain LC).
pub fn parse_audio_config(asc: &[u8]) -> Option<AudioConfig> {
    let mut b = Bits::new(asc);
    let signalled = object_type(&mut b)?;
    let mut c = AudioConfig {
        signalled_type: signalled,
        object_type: signalled,
        sample_rate: rate(&mut b)?,
        channel_config: u8::try_from(b.read(4)?).ok()?,
        ..AudioConfig::default()
    };
    if signalled == 5 || signalled == 29 {
        c.sbr = true;
        c.ps = signalled == 29;
        c.extension_rate = rate(&mut b)?;
        c.object_type = object_type(&mut b)?;
        return Some(c);
    }
    // GASpecificConfig for LC; a program config element (channel config 0) is not followed.
    if c.object_type == 2 && c.channel_config != 0 {
        let _frame_length = b.read(1)?;
        if b.read(1)? == 1 {
            b.read(14)?;
        }
        let _extension = b.read(1)?;
        if b.left() >= 16 && b.read(11)? == 0x2B7 && object_type(&mut b)? == 5 && b.read(1)? == 1 {
            c.sbr = true;
            c.extension_rate = rate(&mut b)?;
            if b.left() >= 12 && b.read(11)? == 0x548 {
                c.ps = b.read(1)? == 1;
            }
        }
    }
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ffmpeg_lc_config_is_lc_without_sbr() {
        let c = parse_audio_config(&[0x11, 0x90, 0x56, 0xE5, 0x00]).expect("asc");
        assert_eq!(
            (c.object_type, c.sample_rate, c.channel_config),
            (2, Some(48000), 2)
        );
        assert!(!c.sbr && !c.ps);
    }

    #[test]
    fn he_aac_signalling_is_seen_both_ways() {
        let hier = parse_audio_config(&[0x2B, 0x11, 0x88, 0x00, 0x00]).expect("asc");
        assert!(hier.sbr);
        assert_eq!(hier.signalled_type, 5);
        let compat = parse_audio_config(&[0x13, 0x10, 0x56, 0xE5, 0x98]).expect("asc");
        assert_eq!(compat.object_type, 2);
        assert!(
            compat.sbr,
            "sbrPresentFlag set in the backward-compatible extension"
        );
    }

    #[test]
    fn sbr_output_rate_is_kept() {
        let hier = parse_audio_config(&[0x2B, 0x11, 0x88, 0x00, 0x00]).expect("asc");
        assert_eq!(
            (hier.sample_rate, hier.extension_rate, hier.object_type),
            (Some(24000), Some(48000), 2)
        );
        let ld = parse_audio_config(&[0xB9, 0x91, 0x00, 0x00, 0x00]).expect("asc");
        assert_eq!((ld.object_type, ld.sample_rate), (23, Some(48000)));
        assert!(!ld.sbr);
    }

    proptest! {
        #[test]
        fn esds_and_asc_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_esds(&bytes);
            let _ = parse_audio_config(&bytes);
        }
    }
}
