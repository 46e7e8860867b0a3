//! `earmark check` on spec fixtures byte-patched for what the ffmpeg CLI cannot write
//! (speccheck.md §10.3): a `chan` layout of MatrixStereo (Lt/Rt), Mono or Binaural; HE-AAC and
//! AAC-LD AudioSpecificConfigs; an `H264` sample-entry code; and colour tags where the `colr`
//! atom and the H.264 VUI disagree, or only one of them speaks.
//!
//! Every patch keeps the file's length, so no atom size or chunk offset moves, and every patched
//! byte is found by walking the atoms with our own [`AtomReader`] (not by searching the file), then
//! checked to hold the bytes FFmpeg is known to write before it is changed.

use crate::spec;

use earmark::delivery::facts::{ColourCodes, parse_sps};
use earmark::media::atoms::{Atom, AtomReader, FourCc};
use spec::{Checked, spec_fixture};
use std::io::Cursor;
use std::path::Path;

/// Where the patchable parts of a movie sit (file offsets of whole atoms).
struct Layout {
    video_entry: Atom,
    avcc: Atom,
    colr: Option<Atom>,
    audio_entry: Option<Atom>,
    esds: Option<Atom>,
    chan: Option<Atom>,
}

/// Walks moov/trak/mdia/minf/stbl/stsd of the video and sound tracks, as the spec reader does.
fn locate(bytes: &[u8]) -> Layout {
    let mut r = AtomReader::new(Cursor::new(bytes.to_vec())).expect("reader");
    let top = r.top_level().expect("top level");
    let moov = *top.iter().find(|a| &a.kind == b"moov").expect("moov");
    let mut video = None;
    let mut audio = None;
    for trak in r.children(&moov).expect("moov children") {
        if &trak.kind != b"trak" {
            continue;
        }
        let hdlr = r
            .descend(&trak, &[b"mdia", b"hdlr"])
            .expect("walk")
            .expect("hdlr");
        let handler: FourCc = r.read_payload(&hdlr, 64).expect("hdlr")[8..12]
            .try_into()
            .expect("4 bytes");
        let stsd = r
            .descend(&trak, &[b"mdia", b"minf", b"stbl", b"stsd"])
            .expect("walk")
            .expect("stsd");
        let entry = r.children_after(&stsd, 8).expect("stsd entries")[0];
        match &handler {
            b"vide" if video.is_none() => video = Some(entry),
            b"soun" if audio.is_none() => audio = Some(entry),
            _ => {}
        }
    }
    let video_entry = video.expect("video track");
    let video_ext = r
        .children_after(&video_entry, 78)
        .expect("video extensions");
    let find = |list: &[Atom], kind: &FourCc| list.iter().find(|a| &a.kind == kind).copied();
    let (mut esds, mut chan) = (None, None);
    if let Some(entry) = audio {
        let head = r.read_at(entry.payload_offset(), 28).expect("sound entry");
        let skip = match u16::from_be_bytes([head[8], head[9]]) {
            1 => 44,
            2 => 64,
            _ => 28,
        };
        let mut ext = r.children_after(&entry, skip).expect("sound extensions");
        if let Some(wave) = find(&ext, b"wave") {
            ext.extend(r.children(&wave).expect("wave"));
        }
        esds = find(&ext, b"esds");
        chan = find(&ext, b"chan");
    }
    Layout {
        video_entry,
        avcc: find(&video_ext, b"avcC").expect("avcC"),
        colr: find(&video_ext, b"colr"),
        audio_entry: audio,
        esds,
        chan,
    }
}

fn at(offset: u64) -> usize {
    usize::try_from(offset).expect("offset fits")
}

/// Overwrites `new.len()` bytes at `offset` after checking they hold `old`.
fn replace(bytes: &mut [u8], offset: u64, old: &[u8], new: &[u8]) {
    assert_eq!(old.len(), new.len(), "patches keep the length");
    let span = at(offset)..at(offset) + old.len();
    assert_eq!(&bytes[span.clone()], old, "unexpected bytes at {offset}");
    bytes[span].copy_from_slice(new);
}

/// FFmpeg's AudioSpecificConfig for 48 kHz stereo AAC-LC (with the SBR sync extension, flag 0).
const FFMPEG_LC_ASC: [u8; 5] = [0x11, 0x90, 0x56, 0xE5, 0x00];

/// Rewrites the esds DecoderSpecificInfo (tag 5) in place; `asc` must be the same length.
fn patch_asc(bytes: &mut [u8], asc: &[u8]) {
    let esds = locate(bytes).esds.expect("esds");
    let payload = &bytes[at(esds.payload_offset())..at(esds.end())];
    // Descriptor headers: a tag, then 1–4 length bytes with the top bit as "more follows".
    let header = |b: &[u8], i: usize| -> (u8, usize, usize) {
        let mut len = 0usize;
        let mut j = i + 1;
        loop {
            let byte = b[j];
            len = (len << 7) | usize::from(byte & 0x7f);
            j += 1;
            if byte & 0x80 == 0 {
                break;
            }
        }
        (b[i], j, len)
    };
    // version/flags(4), ES_Descriptor: ES_ID(2) flags(1) (FFmpeg sets no optional fields).
    let (tag, es_body, _) = header(payload, 4);
    assert_eq!((tag, payload[es_body + 2]), (3, 0), "plain ES_Descriptor");
    let (tag, dc_body, _) = header(payload, es_body + 3);
    assert_eq!(tag, 4, "DecoderConfigDescriptor");
    let (tag, dsi_body, len) = header(payload, dc_body + 13);
    assert_eq!(
        (tag, len),
        (5, asc.len()),
        "DecoderSpecificInfo of the same length"
    );
    let offset = esds.payload_offset() + dsi_body as u64;
    replace(bytes, offset, &FFMPEG_LC_ASC, asc);
}

/// Renames the video `colr` extension so readers skip it (an unknown atom, same size).
fn drop_colr(bytes: &mut [u8]) {
    let colr = locate(bytes).colr.expect("colr");
    replace(bytes, colr.offset + 4, b"colr", b"xolr");
}

/// Sets the `nclc` codes of the video `colr` atom.
fn set_colr(bytes: &mut [u8], old: [u16; 3], new: [u16; 3]) {
    let colr = locate(bytes).colr.expect("colr");
    let enc = |c: [u16; 3]| c.iter().flat_map(|v| v.to_be_bytes()).collect::<Vec<u8>>();
    replace(bytes, colr.payload_offset(), b"nclc", b"nclc");
    replace(bytes, colr.payload_offset() + 4, &enc(old), &enc(new));
}

/// Rewrites the three 8-bit VUI colour codes of the `avcC` SPS in place. The bit position is
/// the one place where the old codes stand and rewriting them makes our SPS parser read exactly
/// the new codes with everything else unchanged (so the patch cannot land on look-alike bits).
fn set_vui_colour(bytes: &mut [u8], old: [u8; 3], new: [u8; 3]) {
    let (sps_at, len) = avcc_sps(bytes, &locate(bytes).avcc);
    let sps = bytes[sps_at..sps_at + len].to_vec();
    let before = parse_sps(&sps).expect("fixture SPS parses");
    let codes = |c: [u8; 3]| ColourCodes {
        primaries: c[0].into(),
        transfer: c[1].into(),
        matrix: c[2].into(),
    };
    assert_eq!(before.vui.and_then(|v| v.colour), Some(codes(old)));
    let bit = |b: &[u8], i: usize| (b[i / 8] >> (7 - i % 8)) & 1;
    let read24 =
        |b: &[u8], i: usize| (0..24).fold(0u32, |v, k| (v << 1) | u32::from(bit(b, i + k)));
    let want = |c: [u8; 3]| (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
    let mut good = Vec::new();
    for start in 8..sps.len() * 8 - 24 {
        if read24(&sps, start) != want(old) {
            continue;
        }
        let mut patched = sps.clone();
        for k in 0..24 {
            let i = start + k;
            let on = (want(new) >> (23 - k)) & 1 == 1;
            patched[i / 8] = (patched[i / 8] & !(0x80 >> (i % 8))) | (u8::from(on) << (7 - i % 8));
        }
        let mut expect = before;
        if let Some(v) = expect.vui.as_mut() {
            v.colour = Some(codes(new));
        }
        if parse_sps(&patched) == Some(expect) {
            good.push(patched);
        }
    }
    assert_eq!(
        good.len(),
        1,
        "exactly one place holds the VUI colour codes"
    );
    bytes[sps_at..sps_at + len].copy_from_slice(&good[0]);
}

/// The SPS NAL stored in the `avcC` (the first one): its file offset and length.
fn avcc_sps(bytes: &[u8], avcc: &Atom) -> (usize, usize) {
    let p = at(avcc.payload_offset());
    assert_eq!(bytes[p + 5] & 0x1f, 1, "one SPS");
    (
        p + 8,
        usize::from(u16::from_be_bytes([bytes[p + 6], bytes[p + 7]])),
    )
}

/// The NAL payload without emulation prevention bytes (00 00 03 → 00 00), as bits.
fn rbsp_bits(nal: &[u8]) -> Vec<bool> {
    let mut out = Vec::new();
    let mut zeros = 0;
    for &b in &nal[1..] {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.extend((0..8).rev().map(|i| (b >> i) & 1 == 1));
    }
    out
}

/// A NAL from a header byte and RBSP bits (already ending in the stop bit and alignment).
fn nal_from_bits(header: u8, bits: &[bool]) -> Vec<u8> {
    let mut nal = vec![header];
    let mut zeros = 0;
    for chunk in bits.chunks(8) {
        let b = chunk.iter().fold(0u8, |v, &bit| (v << 1) | u8::from(bit));
        if zeros >= 2 && b <= 3 {
            nal.push(3);
            zeros = 0;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        nal.push(b);
    }
    nal
}

/// Clears colour_description_present_flag in the `avcC` SPS and drops the three codes (what
/// x264 writes when no colour is given), and turns the `colr` atom into padding that grows by
/// the bytes the SPS lost, so the sample entry, and everything after it, keeps its size.
fn strip_vui_colour_and_colr(bytes: &mut [u8]) {
    let layout = locate(bytes);
    let (avcc, colr) = (layout.avcc, layout.colr.expect("colr"));
    assert!(colr.offset >= avcc.end(), "colr follows avcC");
    let (sps_at, sps_len) = avcc_sps(bytes, &avcc);
    let nal = bytes[sps_at..sps_at + sps_len].to_vec();
    let before = parse_sps(&nal).expect("fixture SPS parses");
    let mut expect = before;
    if let Some(v) = expect.vui.as_mut() {
        v.colour = None;
    }
    let bits = rbsp_bits(&nal);
    let stop = bits.iter().rposition(|&b| b).expect("stop bit");
    let codes = before.vui.and_then(|v| v.colour).expect("VUI colour");
    let want: Vec<bool> = [codes.primaries, codes.transfer, codes.matrix]
        .iter()
        .flat_map(|&c| (0..8).rev().map(move |i| (c >> i) & 1 == 1))
        .collect();
    let mut good = Vec::new();
    for start in 1..stop.saturating_sub(24) {
        if !bits[start - 1] || bits[start..start + 24] != want[..] {
            continue;
        }
        let mut out: Vec<bool> = bits[..start - 1].to_vec();
        out.push(false);
        out.extend_from_slice(&bits[start + 24..stop]);
        out.push(true);
        while !out.len().is_multiple_of(8) {
            out.push(false);
        }
        let shorter = nal_from_bits(nal[0], &out);
        if parse_sps(&shorter) == Some(expect) {
            good.push(shorter);
        }
    }
    assert_eq!(
        good.len(),
        1,
        "exactly one place holds the VUI colour description"
    );
    let shorter = &good[0];
    let lost = sps_len - shorter.len();
    // Rebuild avcC … colr: avcC shorter by `lost`, the atoms between unchanged, colr renamed and
    // longer by `lost` (zero filled).
    let mut span = Vec::new();
    let avcc_bytes = &bytes[at(avcc.offset)..at(avcc.end())];
    let head = sps_at - at(avcc.offset);
    let new_avcc_len = u32::try_from(avcc_bytes.len() - lost).expect("size");
    span.extend_from_slice(&new_avcc_len.to_be_bytes());
    span.extend_from_slice(&avcc_bytes[4..head - 2]);
    span.extend_from_slice(&u16::try_from(shorter.len()).expect("len").to_be_bytes());
    span.extend_from_slice(shorter);
    span.extend_from_slice(&avcc_bytes[head + sps_len..]);
    span.extend_from_slice(&bytes[at(avcc.end())..at(colr.offset)]);
    let new_colr_len = u32::try_from(colr.size).expect("size") + u32::try_from(lost).expect("lost");
    span.extend_from_slice(&new_colr_len.to_be_bytes());
    span.extend_from_slice(b"xolr");
    span.extend(std::iter::repeat_n(0u8, new_colr_len as usize - 8));
    let range = at(avcc.offset)..at(colr.end());
    assert_eq!(span.len(), range.len(), "same length");
    bytes[range].copy_from_slice(&span);
}

fn run_check(path: &Path) -> Checked {
    let c = spec::check(path, &["--json", "--profile", "pix-standard"]);
    assert!(!c.json.is_null(), "no JSON: {}", c.stderr.trim());
    c
}

/// Copies `fixture` to a temporary directory, applies `patch`, and checks the copy.
fn check_patched(fixture: &str, patch: impl FnOnce(&mut [u8])) -> Checked {
    let mut bytes = std::fs::read(spec_fixture(fixture)).expect("fixture");
    let len = bytes.len();
    patch(&mut bytes);
    assert_eq!(bytes.len(), len, "patches keep the length");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(fixture);
    std::fs::write(&path, &bytes).expect("write");
    run_check(&path)
}

fn set_chan_tag(bytes: &mut [u8], tag: u32) {
    let chan = locate(bytes)
        .chan
        .expect("FFmpeg writes chan for stereo AAC");
    // Payload: version/flags(4), then the layout tag.
    replace(
        bytes,
        chan.payload_offset() + 4,
        &0x0065_0002u32.to_be_bytes(),
        &tag.to_be_bytes(),
    );
}

#[test]
fn matrix_stereo_chan_passes_as_lt_rt() {
    let c = check_patched("pass_std.mov", |b| set_chan_tag(b, 0x0067_0002));
    assert_eq!(
        c.status("audio-channels"),
        "pass",
        "{}",
        c.rule("audio-channels")
    );
    assert!(c.text("audio-channels", "measured").contains("Lt Rt"));
    assert!(c.text("audio-channels", "message").contains("Lt/Rt"));
    assert_eq!(c.code, 0);
    // The unpatched file says plain stereo.
    let plain = run_check(&spec_fixture("pass_std.mov"));
    assert!(
        plain
            .text("audio-channels", "measured")
            .contains("Stereo (L R)")
    );
}

#[test]
fn other_chan_layouts_on_two_channels_warn() {
    for (tag, word) in [(0x0064_0001, "Mono"), (0x006A_0002, "Binaural")] {
        let c = check_patched("pass_std.mov", |b| set_chan_tag(b, tag));
        assert_eq!(
            c.status("audio-channels"),
            "warn",
            "{}",
            c.rule("audio-channels")
        );
        assert!(
            c.text("audio-channels", "measured").contains(word),
            "{}",
            c.rule("audio-channels")
        );
        assert_eq!(c.code, 0, "a warning does not fail the file");
    }
    let c = check_patched("pass_std.mov", |b| set_chan_tag(b, 0x0093_0006));
    assert!(
        c.text("audio-channels", "measured")
            .contains("0x00930006 (6 channels)"),
        "{}",
        c.rule("audio-channels")
    );
}

#[test]
fn he_aac_signalled_in_the_asc_fails() {
    // Explicit hierarchical: object type 5 (SBR) at 24 kHz, extension 48 kHz, core LC.
    let c = check_patched("pass_std.mov", |b| {
        patch_asc(b, &[0x2B, 0x11, 0x88, 0x00, 0x00]);
    });
    let rule = c.rule("audio-codec-aac-lc");
    assert_eq!(c.status("audio-codec-aac-lc"), "fail", "{rule}");
    assert!(
        c.text("audio-codec-aac-lc", "measured")
            .contains("object type 5")
    );
    assert!(c.text("audio-codec-aac-lc", "message").contains("HE-AAC"));
    assert_eq!(c.code, 1);
    // The SBR output rate is what plays, not the 24 kHz core.
    assert_eq!(c.status("audio-sample-rate"), "pass");
    assert!(
        c.text("audio-sample-rate", "measured")
            .contains("core 24000")
    );
    // Backward-compatible: LC at 24 kHz, then sync 0x2B7, object type 5, sbrPresentFlag 1.
    let c = check_patched("pass_std.mov", |b| {
        patch_asc(b, &[0x13, 0x10, 0x56, 0xE5, 0x98]);
    });
    let rule = c.rule("audio-codec-aac-lc");
    assert_eq!(c.status("audio-codec-aac-lc"), "fail", "{rule}");
    assert!(c.text("audio-codec-aac-lc", "measured").contains("SBR"));
    assert!(
        c.text("audio-codec-aac-lc", "message")
            .contains("sbrPresentFlag")
    );
}

#[test]
fn aac_ld_fails_naming_the_object_type() {
    let c = check_patched("pass_std.mov", |b| {
        patch_asc(b, &[0xB9, 0x91, 0x00, 0x00, 0x00]);
    });
    let rule = c.rule("audio-codec-aac-lc");
    assert_eq!(c.status("audio-codec-aac-lc"), "fail", "{rule}");
    assert!(
        c.text("audio-codec-aac-lc", "measured")
            .contains("object type 23")
    );
    assert!(
        c.text("audio-codec-aac-lc", "message")
            .contains("Low Delay")
    );
    assert_eq!(c.code, 1);
}

#[test]
fn h264_fourcc_fails_the_tag_and_codec_rules() {
    let c = check_patched("pass_std.mov", |b| {
        let entry = locate(b).video_entry;
        replace(b, entry.offset + 4, b"avc1", b"H264");
    });
    assert_eq!(c.status("video-tag"), "fail", "{}", c.rule("video-tag"));
    assert!(
        c.text("video-tag", "measured")
            .contains("sample entry H264")
    );
    assert!(c.text("video-tag", "fix").contains("-tag:v avc1"));
    assert_eq!(c.status("video-codec-h264"), "fail");
    assert!(c.text("video-codec-h264", "message").contains("`H264`"));
    assert_eq!(c.code, 1);
    // The rest of the picture is still read through the renamed entry.
    assert_eq!(c.status("closed-gop"), "pass");
}

#[test]
fn vui_alone_says_709_and_passes() {
    let c = check_patched("pass_std.mov", drop_colr);
    let rule = c.rule("colorimetry");
    assert_eq!(c.status("colorimetry"), "pass", "{rule}");
    let measured = c.text("colorimetry", "measured");
    assert!(
        measured.contains("no colr") && measured.contains("VUI 1-1-1"),
        "{rule}"
    );
    assert!(
        c.text("colorimetry", "message").contains("from the VUI"),
        "{rule}"
    );
    assert_eq!(c.code, 0);
}

#[test]
fn vui_alone_says_bt2020_or_pq_and_fails() {
    let c = check_patched("bt2020.mov", drop_colr);
    let rule = c.rule("colorimetry");
    assert_eq!(c.status("colorimetry"), "fail", "{rule}");
    assert!(
        c.text("colorimetry", "message")
            .contains("the H.264 VUI says 9-1-9"),
        "{rule}"
    );
    let c = check_patched("pass_std.mov", |b| {
        drop_colr(b);
        set_vui_colour(b, [1, 1, 1], [9, 16, 9]);
    });
    let rule = c.rule("colorimetry");
    assert_eq!(c.status("colorimetry"), "fail", "{rule}");
    let message = c.text("colorimetry", "message");
    assert!(
        message.contains("VUI says 9-16-9") && message.contains("PQ"),
        "{rule}"
    );
    assert_eq!(c.code, 1);
}

#[test]
fn colr_and_vui_disagreeing_warns_naming_both() {
    let c = check_patched("pass_std.mov", |b| set_colr(b, [1, 1, 1], [6, 1, 6]));
    let rule = c.rule("colorimetry");
    assert_eq!(c.status("colorimetry"), "warn", "{rule}");
    let message = c.text("colorimetry", "message");
    assert!(
        message.contains("the colr atom says 6-1-6")
            && message.contains("the H.264 VUI says 1-1-1"),
        "{rule}"
    );
    let measured = c.text("colorimetry", "measured");
    assert!(
        measured.contains("colr nclc 6-1-6") && measured.contains("VUI 1-1-1"),
        "{rule}"
    );
    assert_eq!(c.code, 0);
    // The same disagreement the other way round (colr BT.709, VUI BT.601 525).
    let c = check_patched("pass_std.mov", |b| set_vui_colour(b, [1, 1, 1], [6, 6, 6]));
    assert_eq!(c.status("colorimetry"), "warn", "{}", c.rule("colorimetry"));
}

#[test]
fn refused_colr_fails_even_when_the_vui_is_709() {
    let c = check_patched("pass_std.mov", |b| set_colr(b, [1, 1, 1], [9, 18, 9]));
    let rule = c.rule("colorimetry");
    assert_eq!(c.status("colorimetry"), "fail", "{rule}");
    let message = c.text("colorimetry", "message");
    assert!(
        message.contains("the colr atom says 9-18-9") && message.contains("HLG"),
        "{rule}"
    );
    assert!(message.contains("the H.264 VUI says 1-1-1"), "{rule}");
}

#[test]
fn colour_stated_nowhere_warns_assuming_709() {
    let c = check_patched("pass_std.mov", strip_vui_colour_and_colr);
    let rule = c.rule("colorimetry");
    assert_eq!(c.status("colorimetry"), "warn", "{rule}");
    let measured = c.text("colorimetry", "measured");
    assert!(
        measured.contains("no colr") && measured.contains("VUI without colour description"),
        "{rule}"
    );
    let message = c.text("colorimetry", "message");
    assert!(
        message.contains("neither in a colr atom nor in the H.264 VUI")
            && message.contains("BT.709 for HD"),
        "{rule}"
    );
    assert_eq!(c.code, 0);
    // The rest of the file still reads: the picture's rules are unchanged.
    for id in ["video-codec-h264", "closed-gop", "interlace", "frame-size"] {
        assert_eq!(c.status(id), "pass", "{}", c.rule(id));
    }
}

#[test]
fn colour_unspecified_in_both_warns_assuming_709() {
    let c = check_patched("pass_std.mov", |b| {
        drop_colr(b);
        set_vui_colour(b, [1, 1, 1], [2, 2, 2]);
    });
    let rule = c.rule("colorimetry");
    assert_eq!(c.status("colorimetry"), "warn", "{rule}");
    assert!(
        c.text("colorimetry", "message").contains("BT.709 for HD"),
        "{rule}"
    );
    // colr stating 709 fills in a VUI that leaves it unspecified: no disagreement.
    let c = check_patched("pass_std.mov", |b| set_vui_colour(b, [1, 1, 1], [2, 2, 2]));
    assert_eq!(c.status("colorimetry"), "pass", "{}", c.rule("colorimetry"));
}

#[test]
fn unpatched_fixtures_show_both_colour_sources() {
    let c = run_check(&spec_fixture("pass_std.mov"));
    let measured = c.text("colorimetry", "measured");
    assert!(
        measured.contains("colr nclc 1-1-1") && measured.contains("VUI 1-1-1 (limited range)"),
        "{measured}"
    );
    assert_eq!(c.status("colorimetry"), "pass");
    let c = run_check(&spec_fixture("bt2020.mov"));
    assert_eq!(c.status("colorimetry"), "fail");
    assert!(c.text("colorimetry", "message").contains("BT.2020"));
    // The sound entry is located too (guards the walker the patches rely on).
    let bytes = std::fs::read(spec_fixture("pass_std.mov")).expect("fixture");
    assert!(locate(&bytes).audio_entry.is_some());
}
