//! The H.264 sequence parameter set (§7.3.2.1.1) and its VUI (Annex E.1.1), as carried in an
//! `avcC` configuration: chroma format and bit depth, field coding, the cropped picture size,
//! and the VUI's range flag, colour codes and reorder depth.
//!
//! Every syntax element ahead of the wanted ones is read exactly rather than skipped by guess,
//! because one misread scaling list or cropping offset shifts every later bit; values the
//! standard bounds are checked so a hostile SPS is refused, not misread.

use super::bits::Bits;
use super::colour_codes::ColourCodes;

/// What the SPS says about field coding, picture size and (in its VUI) the video signal.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpsFields {
    pub profile_idc: u8,
    /// chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4 (1 unless a High-family
    /// profile says otherwise).
    pub chroma_format_idc: u8,
    /// Bits per luma and per chroma sample (bit_depth_*_minus8 + 8; 8 outside High-family
    /// profiles).
    pub bit_depth_luma: u8,
    pub bit_depth_chroma: u8,
    pub frame_mbs_only: bool,
    pub mb_adaptive_frame_field: bool,
    /// Picture size in luma samples after the SPS frame cropping (1920x1088 coded, 1080 shown).
    pub width: u32,
    pub height: u32,
    /// `None` when vui_parameters_present_flag is 0.
    pub vui: Option<Vui>,
}

/// The parts of the SPS VUI (H.264 Annex E.1.1) the spec check uses. A VUI cut short keeps
/// what was read before the cut; later fields stay `None`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Vui {
    /// video_full_range_flag (`None`: no video_signal_type, which means limited range).
    pub full_range: Option<bool>,
    /// The colour description (`None`: colour_description_present_flag 0, i.e. unspecified).
    pub colour: Option<ColourCodes>,
    /// bitstream_restriction max_num_reorder_frames (`None`: not present or not reached).
    pub max_num_reorder_frames: Option<u32>,
}

/// Profiles whose SPS carries chroma format, bit depths and scaling matrices (H.264 §7.3.2.1.1).
const HIGH_PROFILES: [u32; 13] = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

/// Parses an SPS NAL unit (H.264 §7.3.2.1.1) through to its VUI (Annex E.1.1), after removing
/// emulation prevention bytes: field coding, the cropped picture size, and the VUI's range,
/// colour codes and reorder depth. Every syntax element before the VUI is read exactly (a
/// misread scaling list or cropping offset would shift every later bit), and values the
/// standard bounds (chroma format, POC cycle length, HRD CPB count) are checked so a hostile SPS
/// is refused rather than misread. `None` when the part before the VUI is cut short or invalid.
pub fn parse_sps(nal: &[u8]) -> Option<SpsFields> {
    if nal.first().map(|h| h & 0x1f) != Some(7) {
        return None;
    }
    let mut rbsp = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &b in nal.get(1..)? {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        rbsp.push(b);
    }
    let mut b = Bits::new(&rbsp);
    let profile = b.read(8)?;
    b.read(16)?;
    b.ue()?;
    // 8-bit 4:2:0 unless a High-family profile says otherwise.
    let mut chroma = 1;
    let (mut depth_luma, mut depth_chroma) = (8, 8);
    let mut separate_planes = false;
    if HIGH_PROFILES.contains(&profile) {
        chroma = b.ue()?;
        if chroma > 3 {
            return None;
        }
        if chroma == 3 {
            separate_planes = b.read(1)? == 1;
        }
        // bit_depth_*_minus8 is 0..=6 (14-bit at most).
        depth_luma = b.ue()?.checked_add(8).filter(|d| *d <= 14)?;
        depth_chroma = b.ue()?.checked_add(8).filter(|d| *d <= 14)?;
        b.read(1)?;
        if b.read(1)? == 1 {
            for i in 0..if chroma == 3 { 12 } else { 8 } {
                if b.read(1)? == 1 {
                    skip_scaling_list(&mut b, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    b.ue()?;
    match b.ue()? {
        0 => {
            b.ue()?;
        }
        1 => {
            b.read(1)?;
            b.se()?;
            b.se()?;
            let cycle = b.ue()?;
            if cycle > 255 {
                return None;
            }
            for _ in 0..cycle {
                b.se()?;
            }
        }
        2 => {}
        _ => return None,
    }
    b.ue()?;
    b.read(1)?;
    let width_mbs = u64::from(b.ue()?) + 1;
    let height_units = u64::from(b.ue()?) + 1;
    let frame_mbs_only = b.read(1)? == 1;
    let mb_adaptive_frame_field = !frame_mbs_only && b.read(1)? == 1;
    b.read(1)?;
    let (mut crop_x, mut crop_y) = (0u64, 0u64);
    if b.read(1)? == 1 {
        let (left, right) = (u64::from(b.ue()?), u64::from(b.ue()?));
        let (top, bottom) = (u64::from(b.ue()?), u64::from(b.ue()?));
        crop_x = left + right;
        crop_y = top + bottom;
    }
    // Crop units (Table 6-1, equations 7-19 to 7-22): chroma samples, doubled vertically for
    // field-capable streams; monochrome and separately coded planes count luma samples.
    let array_type = if separate_planes { 0 } else { chroma };
    let (unit_x, unit_y) = match array_type {
        0 => (1, 1),
        1 => (2, 2),
        2 => (2, 1),
        _ => (1, 1),
    };
    let field_factor = if frame_mbs_only { 1 } else { 2 };
    let width = (width_mbs * 16).checked_sub(unit_x * crop_x)?;
    let height = (field_factor * height_units * 16).checked_sub(unit_y * field_factor * crop_y)?;
    let vui = if b.read(1)? == 1 {
        let mut vui = Vui::default();
        // A VUI cut short keeps what came before the cut (the colour codes come early), so
        // where it stopped does not matter here.
        read_vui(&mut b, &mut vui);
        Some(vui)
    } else {
        None
    };
    Some(SpsFields {
        profile_idc: u8::try_from(profile).ok()?,
        chroma_format_idc: u8::try_from(chroma).ok()?,
        bit_depth_luma: u8::try_from(depth_luma).ok()?,
        bit_depth_chroma: u8::try_from(depth_chroma).ok()?,
        frame_mbs_only,
        mb_adaptive_frame_field,
        width: u32::try_from(width).ok()?,
        height: u32::try_from(height).ok()?,
        vui,
    })
}

/// scaling_list() (§7.3.2.1.1.1): delta-coded entries until one makes the next scale 0 (the rest
/// repeat the last value, or the first delta selects the default list).
fn skip_scaling_list(b: &mut Bits<'_>, size: usize) -> Option<()> {
    let (mut last, mut next) = (8i64, 8i64);
    for _ in 0..size {
        if next != 0 {
            let delta = b.se()?;
            // delta_scale is -128..=127; anything else is not a valid SPS.
            if !(-128..=127).contains(&delta) {
                return None;
            }
            next = (last + delta + 256).rem_euclid(256);
        }
        if next != 0 {
            last = next;
        }
    }
    Some(())
}

/// vui_parameters() (Annex E.1.1) up to bitstream_restriction, filling `vui` as it goes; `None`
/// where it stops early.
fn read_vui(b: &mut Bits<'_>, vui: &mut Vui) -> Option<()> {
    if b.read(1)? == 1 && b.read(8)? == 255 {
        // Extended_SAR: sar_width, sar_height.
        b.read(32)?;
    }
    if b.read(1)? == 1 {
        b.read(1)?;
    }
    if b.read(1)? == 1 {
        b.read(3)?;
        let full_range = b.read(1)? == 1;
        vui.full_range = Some(full_range);
        if b.read(1)? == 1 {
            let (p, t, m) = (b.read(8)?, b.read(8)?, b.read(8)?);
            vui.colour = Some(ColourCodes {
                primaries: u16::try_from(p).ok()?,
                transfer: u16::try_from(t).ok()?,
                matrix: u16::try_from(m).ok()?,
            });
        }
    }
    if b.read(1)? == 1 {
        b.ue()?;
        b.ue()?;
    }
    if b.read(1)? == 1 {
        // num_units_in_tick, time_scale, fixed_frame_rate_flag.
        b.read(32)?;
        b.read(32)?;
        b.read(1)?;
    }
    let nal_hrd = b.read(1)? == 1;
    if nal_hrd {
        skip_hrd(b)?;
    }
    let vcl_hrd = b.read(1)? == 1;
    if vcl_hrd {
        skip_hrd(b)?;
    }
    if nal_hrd || vcl_hrd {
        b.read(1)?;
    }
    b.read(1)?;
    if b.read(1)? == 1 {
        b.read(1)?;
        for _ in 0..4 {
            b.ue()?;
        }
        vui.max_num_reorder_frames = Some(b.ue()?);
        b.ue()?;
    }
    Some(())
}

/// hrd_parameters() (Annex E.1.2); cpb_cnt_minus1 is at most 31.
fn skip_hrd(b: &mut Bits<'_>) -> Option<()> {
    let cpb_count = b.ue()?;
    if cpb_count > 31 {
        return None;
    }
    b.read(8)?;
    for _ in 0..=cpb_count {
        b.ue()?;
        b.ue()?;
        b.read(1)?;
    }
    // Four 5-bit length fields (initial delay, removal delay, output delay, time offset).
    b.read(20)?;
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Writes H.264 syntax elements MSB first, for hand-built parameter sets.
    #[derive(Default)]
    struct BitWriter {
        bits: Vec<bool>,
    }

    impl BitWriter {
        fn u(&mut self, n: u32, v: u64) -> &mut Self {
            for i in (0..n).rev() {
                self.bits.push((v >> i) & 1 == 1);
            }
            self
        }

        fn flag(&mut self, on: bool) -> &mut Self {
            self.u(1, u64::from(on))
        }

        fn ue(&mut self, v: u32) -> &mut Self {
            let x = u64::from(v) + 1;
            let len = 64 - x.leading_zeros();
            self.u(len - 1, 0).u(len, x)
        }

        fn se(&mut self, v: i32) -> &mut Self {
            let k = if v > 0 {
                2 * v.unsigned_abs() - 1
            } else {
                2 * v.unsigned_abs()
            };
            self.ue(k)
        }

        /// The SPS NAL: header 0x67, the RBSP with its stop bit, emulation prevention added.
        fn sps_nal(&mut self) -> Vec<u8> {
            self.flag(true);
            while !self.bits.len().is_multiple_of(8) {
                self.flag(false);
            }
            let rbsp: Vec<u8> = self
                .bits
                .chunks(8)
                .map(|c| c.iter().fold(0u8, |b, &bit| (b << 1) | u8::from(bit)))
                .collect();
            let mut nal = vec![0x67];
            let mut zeros = 0;
            for b in rbsp {
                if zeros >= 2 && b <= 3 {
                    nal.push(3);
                    zeros = 0;
                }
                zeros = if b == 0 { zeros + 1 } else { 0 };
                nal.push(b);
            }
            nal
        }
    }

    /// VUI with every optional part present before the colour codes and after them (SAR, overscan,
    /// signal type, chroma location, timing, NAL HRD with two CPBs, bitstream restriction).
    fn full_vui(w: &mut BitWriter, colour: (u64, u64, u64), full_range: bool, reorder: u32) {
        w.flag(true).u(8, 255).u(16, 4).u(16, 3); // aspect_ratio_idc Extended_SAR 4:3
        w.flag(true).flag(false); // overscan_info_present, overscan_appropriate
        w.flag(true).u(3, 5).flag(full_range).flag(true); // video_signal_type, colour present
        w.u(8, colour.0).u(8, colour.1).u(8, colour.2);
        w.flag(true).ue(1).ue(1); // chroma_loc_info
        w.flag(true).u(32, 1001).u(32, 48000).flag(false); // timing_info
        w.flag(true).ue(1).u(4, 4).u(4, 6); // NAL HRD: cpb_cnt_minus1 1, scales
        for _ in 0..2 {
            w.ue(2999).ue(2999).flag(false);
        }
        w.u(5, 23).u(5, 23).u(5, 23).u(5, 24);
        w.flag(false); // vcl_hrd
        w.flag(false).flag(false); // low_delay_hrd, pic_struct_present
        w.flag(true)
            .flag(true)
            .ue(2)
            .ue(1)
            .ue(16)
            .ue(16)
            .ue(reorder)
            .ue(4);
    }

    /// One scaling_list with explicit deltas for every entry.
    fn full_scaling_list(w: &mut BitWriter, size: usize) {
        w.flag(true);
        for j in 0..size {
            w.se(if j % 2 == 0 { 3 } else { -1 });
        }
    }

    #[test]
    fn high_profile_sps_with_scaling_lists_reaches_vui_colour_9_16_9() {
        let mut w = BitWriter::default();
        w.u(8, 100).u(8, 0).u(8, 40).ue(0); // High, level 4.0, sps id 0
        w.ue(1).ue(0).ue(0).flag(false); // 4:2:0, 8-bit, no transform bypass
        w.flag(true); // seq_scaling_matrix_present_flag: 8 lists for 4:2:0
        full_scaling_list(&mut w, 16);
        w.flag(true).se(-8); // next scale 0 at once: use the default list
        w.flag(false);
        // Deltas that reach 0 midway: the rest repeats without further deltas.
        w.flag(true).se(4).se(-12);
        w.flag(false).flag(false);
        full_scaling_list(&mut w, 64);
        w.flag(true).se(120).se(-128);
        w.ue(0); // log2_max_frame_num_minus4
        w.ue(1).flag(false).se(-2).se(5).ue(3).se(1).se(-1).se(7); // POC type 1, cycle of 3
        w.ue(4).flag(false).ue(119).ue(67); // refs, gaps, 120x68 macroblocks
        w.flag(true).flag(true); // frame_mbs_only, direct_8x8
        w.flag(true).ue(0).ue(0).ue(0).ue(4); // crop 8 lines off the bottom
        w.flag(true);
        full_vui(&mut w, (9, 16, 9), true, 0);
        let sps = parse_sps(&w.sps_nal()).expect("sps");
        assert_eq!((sps.profile_idc, sps.width, sps.height), (100, 1920, 1080));
        assert_eq!(
            (
                sps.chroma_format_idc,
                sps.bit_depth_luma,
                sps.bit_depth_chroma
            ),
            (1, 8, 8)
        );
        assert!(sps.frame_mbs_only);
        let vui = sps.vui.expect("vui");
        assert_eq!(
            vui.colour,
            Some(ColourCodes {
                primaries: 9,
                transfer: 16,
                matrix: 9
            })
        );
        assert_eq!(vui.full_range, Some(true));
        assert_eq!(vui.max_num_reorder_frames, Some(0), "read through the HRD");
    }

    #[test]
    fn high_444_interlaced_sps_reads_twelve_lists_and_field_cropping() {
        let mut w = BitWriter::default();
        w.u(8, 244).u(8, 0).u(8, 31).ue(0);
        w.ue(3).flag(false).ue(2).ue(2).flag(true); // 4:4:4, 10-bit, bypass
        w.flag(true);
        for i in 0..12 {
            full_scaling_list(&mut w, if i < 6 { 16 } else { 64 });
        }
        w.ue(2).ue(0).ue(6); // frame num, POC type 0 with its lsb length
        w.ue(2).flag(false).ue(79).ue(22); // 80 MBs wide, 23 map units (field pairs)
        w.flag(false).flag(true).flag(true); // field-capable, MBAFF, direct_8x8
        w.flag(true).ue(0).ue(0).ue(0).ue(8); // 4:4:4 fields: crop unit 2 lines
        w.flag(true);
        full_vui(&mut w, (6, 1, 6), false, 2);
        let sps = parse_sps(&w.sps_nal()).expect("sps");
        assert_eq!((sps.width, sps.height), (1280, 720));
        assert_eq!(
            (
                sps.chroma_format_idc,
                sps.bit_depth_luma,
                sps.bit_depth_chroma
            ),
            (3, 10, 10)
        );
        assert!(!sps.frame_mbs_only && sps.mb_adaptive_frame_field);
        let vui = sps.vui.expect("vui");
        assert_eq!(
            vui.colour.map(|c| (c.primaries, c.transfer, c.matrix)),
            Some((6, 1, 6))
        );
        assert_eq!(vui.max_num_reorder_frames, Some(2));
    }

    #[test]
    fn vui_without_colour_or_cut_short() {
        // Baseline, no VUI at all.
        let mut w = BitWriter::default();
        w.u(8, 66)
            .u(8, 0xc0)
            .u(8, 30)
            .ue(0)
            .ue(0)
            .ue(2)
            .ue(1)
            .flag(false);
        w.ue(79).ue(44).flag(true).flag(true).flag(false);
        let mut no_vui = BitWriter {
            bits: w.bits.clone(),
        };
        assert_eq!(
            parse_sps(&no_vui.flag(false).sps_nal()).map(|s| (s.width, s.height, s.vui)),
            Some((1280, 720, None))
        );
        // Signal type without a colour description: range known, colour unspecified.
        let mut plain = BitWriter {
            bits: w.bits.clone(),
        };
        plain
            .flag(true)
            .flag(false)
            .flag(false)
            .flag(true)
            .u(3, 5)
            .flag(false)
            .flag(false);
        plain
            .flag(false)
            .flag(false)
            .flag(false)
            .flag(false)
            .flag(false)
            .flag(false);
        let vui = parse_sps(&plain.sps_nal())
            .and_then(|s| s.vui)
            .expect("vui");
        assert_eq!((vui.full_range, vui.colour), (Some(false), None));
        // A VUI cut off right after the colour codes keeps them.
        let mut cut = BitWriter {
            bits: w.bits.clone(),
        };
        cut.flag(true)
            .flag(false)
            .flag(false)
            .flag(true)
            .u(3, 5)
            .flag(false)
            .flag(true);
        cut.u(8, 1).u(8, 1).u(8, 1);
        let vui = parse_sps(&cut.sps_nal()).and_then(|s| s.vui).expect("vui");
        assert_eq!(vui.colour.map(|c| c.matrix), Some(1));
        assert_eq!(vui.max_num_reorder_frames, None);
        // Not an SPS, or cut before the VUI: nothing.
        assert_eq!(parse_sps(&[0x68, 0xce, 0x38, 0x80]), None);
        assert_eq!(parse_sps(&[0x67, 0x64, 0x00]), None);
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// SPS bytes from real x264 output (avcC), fields as ffmpeg's `trace_headers` shows them.
    #[test]
    fn real_x264_sps_vui() {
        let cases = [
            // tests/fixtures/cache-spec/pass_std.mov (Constrained Baseline, 1-1-1).
            (
                "6742c01fda014016ec05a808080a000007d2000177001e306540",
                (66, 1280, 720, true),
                (1, 1, 1, false, 0),
            ),
            // bt2020.mov.
            (
                "6742c01fda014016ec05a848084a000007d2000177001e306540",
                (66, 1280, 720, true),
                (9, 1, 9, false, 0),
            ),
            // High 1080p, PQ, full range, NAL HRD, B-frames (emulation prevention inside).
            (
                "67640028acd940780227e5c05b848804a000000300200000064c4c0005b8d8000b71b498600f183196",
                (100, 1920, 1080, true),
                (9, 16, 9, true, 2),
            ),
            // High 4:4:4 MBAFF 720p, 601 525-line.
            (
                "67f40020919b280a0177e27016a0c020c800000300080000030190f8b16cb0",
                (244, 1280, 720, false),
                (6, 1, 6, false, 2),
            ),
        ];
        for (bytes, (profile, width, height, progressive), (p, t, m, full, reorder)) in cases {
            let sps = parse_sps(&hex(bytes)).expect(bytes);
            assert_eq!(
                (sps.profile_idc, sps.width, sps.height, sps.frame_mbs_only),
                (profile, width, height, progressive),
                "{bytes}"
            );
            let vui = sps.vui.expect("vui");
            assert_eq!(
                vui.colour,
                Some(ColourCodes {
                    primaries: p,
                    transfer: t,
                    matrix: m
                }),
                "{bytes}"
            );
            assert_eq!(vui.full_range, Some(full), "{bytes}");
            assert_eq!(vui.max_num_reorder_frames, Some(reorder), "{bytes}");
        }
    }

    /// Bit depth and chroma format from x264's High 10 / 4:2:2 / 4:4:4 headers, and a depth
    /// beyond the standard's 14 bits refused.
    #[test]
    fn high_family_depth_and_chroma() {
        let sps = |profile: u64, chroma: u32, luma: u32, chroma_depth: u32| {
            let mut w = BitWriter::default();
            w.u(8, profile).u(8, 0).u(8, 31).ue(0);
            w.ue(chroma);
            if chroma == 3 {
                w.flag(false);
            }
            w.ue(luma - 8).ue(chroma_depth - 8).flag(false).flag(false);
            w.ue(0).ue(2).ue(1).flag(false).ue(79).ue(44);
            w.flag(true).flag(true).flag(false).flag(false);
            parse_sps(&w.sps_nal())
                .map(|s| (s.chroma_format_idc, s.bit_depth_luma, s.bit_depth_chroma))
        };
        assert_eq!(sps(110, 1, 10, 10), Some((1, 10, 10)));
        assert_eq!(sps(122, 2, 10, 10), Some((2, 10, 10)));
        assert_eq!(sps(122, 2, 8, 8), Some((2, 8, 8)));
        assert_eq!(sps(244, 3, 12, 10), Some((3, 12, 10)));
        assert_eq!(sps(244, 0, 8, 8), Some((0, 8, 8)));
        assert_eq!(
            sps(244, 1, 16, 8),
            None,
            "bit_depth_luma_minus8 8 is not H.264"
        );
    }

    proptest! {
        #[test]
        fn sps_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = parse_sps(&bytes);
        }
    }
}
