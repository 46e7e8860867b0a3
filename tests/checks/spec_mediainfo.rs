//! Cross-check of `earmark check --json` against MediaInfo (`mediainfo --Output=JSON`, 23.04 on
//! Debian 12) on every spec fixture (`scripts/make-spec-fixtures.sh`), plus same-length byte
//! patches made here of the cases ffmpeg cannot write (HE-AAC in both signallings, AAC-LD, an
//! Lt/Rt `chan` label, other `colr` codes, a `cmov` header). Both tools read the same bytes
//! independently; every field MediaInfo exposes that a rule measures must agree. Damaged files
//! (`bad_*`) are left to `tests/checks/spec_check.rs`: we refuse them (exit 2), MediaInfo reports what
//! it can salvage.
//!
//! Mapping, MediaInfo field → our rule's `measured` text (parsed here; the JSON has no extra keys
//! for this) and the tolerance:
//!
//! | MediaInfo | ours | agreement |
//! |---|---|---|
//! | General `CodecID` (the major brand) | `container-mov` "brand …" | equal (trimmed) |
//! | General `IsStreamable` | `fast-start` "moov at byte A, mdat at byte B" | Yes ⇔ A < B |
//! | General `Format_Settings` "Compressed header" | `no-cmov` "moov/cmov …" | both or neither |
//! | `VideoCount` / `AudioCount` / `TextCount` | `video-track-count`, `audio-track-count`, `no-text-tracks` | equal (absent = 0; skipped under cmov, which we do not inflate) |
//! | Video `Format` AVC, `CodecID` | `video-codec-h264` sample entry | CodecID = fourcc |
//! | Video `Format_Profile`, `Format_Level` | "profile P level L" (profile_idc, level_idc) | Baseline/Constrained Baseline = 66, Main = 77, High = 100, High 10 = 110, High 4:2:2 = 122, High 4:4:4 Predictive = 244; "3.1" = 31 |
//! | Video `Width`, `Height` | `frame-size` "WxH" | equal |
//! | Video `BitDepth`, `ChromaSubsampling` | `video-bit-depth-chroma` "N-bit 4:2:x" | equal |
//! | Video `Rotation` | `rotation` "turned N° clockwise" / "upright" | N equal (absent = 0) |
//! | Video `FrameRate_Mode` | `constant-frame-rate` status | CFR ⇔ pass (both apply MediaInfo's 0.001 fps rule) |
//! | Video `FrameRate_Num`/`_Den` (CFR) | `frame-rate` "N/D" | equal as fractions |
//! | Video `FrameRate_Minimum`/`_Maximum` (VFR) | "frame durations MIN…MAX / TIMESCALE" | timescale/MAX, timescale/MIN within 0.0005 (MediaInfo prints 3 decimals) |
//! | Video `ScanType` | `interlace` | Progressive ⇔ progressive, MBAFF ⇔ MBAFF, Interlaced ⇔ field coding |
//! | Video and Audio `StreamSize`×8/`Duration` | `video-bitrate`, `audio-bitrate` "K kbps average" | within 1 kbps + 0.5 % |
//! | Video `colour_primaries`, `transfer_characteristics`, `matrix_coefficients` | `colorimetry` "colr nclc P-T-M" (and "VUI P-T-M" when shown) | code → MediaInfo's name; the plain field is the container's, `*_Original` the stream's when they differ; code 2 ⇔ field absent |
//! | Video `colour_range` | "(limited range)" / "(full range)" when shown | equal |
//! | x264's `Encoded_Library_Settings` (the encoder's own claim, in its SEI) | `no-frame-reordering`, `closed-gop`, `interlace` | `bframes` > 0 ⇔ reordered; `open_gop=1` ⇔ some sync sample not IDR; with `scenecut=0` and `keyint_min` = `keyint` = K, sync samples = ⌈FrameCount / K⌉; `interlaced=0` ⇔ progressive |
//! | Audio `Format`, `Format_AdditionalFeatures`, `CodecID` mp4a-OTI-AOT | `audio-codec-aac-lc` "mp4a 0xOTI, object type T … [+ SBR] [+ PS]" or "object type 5/29 … over core object type 2" | OTI equal; AOT 5/29 (hierarchical) ⇔ SBR (and PS) over core type 2, else AOT = T; "LC SBR" ⇔ SBR; "Main" ⇔ 1, "ER AAC LD" ⇔ 23; non-mp4a CodecID = our fourcc |
//! | Audio `SamplingRate` | `audio-sample-rate` first "N Hz" | equal (the output rate: with SBR, the extension rate) |
//! | Audio `Channels`, `ChannelLayout` | `audio-channels` "N channel(s), layout …" | count equal; (L R) ⇔ "L R", Lt Rt ⇔ "Lt Rt", Mono ⇔ "C" |
//! | Other (Type "Time code") `TimeCode_FirstFrame` | `timecode` "tmcd from HH:MM:SS:FF" | equal; no such track ⇔ "no tmcd track" |
//!
//! Bit rates: ours is Σ`stsz` × 8 / (Σ`stts` / media timescale), truncated to whole kbps in the
//! text. MediaInfo's `BitRate` is *not* used: when the encoder states a nominal rate (x264's
//! `bitrate=` in its SEI) close to the measured one, MediaInfo shows the nominal one there (on
//! the 1 GiB benchmark file: 9 500 000 shown, 9 645 474 measured). Its `StreamSize` (bytes of
//! the track's samples) over its `Duration` (seconds, rounded to 1 ms; on a track with an edit
//! list, the edited duration with the trimmed samples' bytes removed) is the same average as
//! ours. The 1 kbps covers our truncation; the 0.5 % covers the 1 ms rounding and edit-list trims
//! (an AAC priming trim removes 1024 of ~97 000 samples and their bytes together, moving the
//! ratio by under 0.1 %).
//!
//! Not compared, because MediaInfo 23.04 does not expose them: open/closed GOP (it has no such
//! field for AVC), frame reordering from the sample tables (`Format_Settings_GOP` "M=…, N=…"
//! appears only once it has parsed enough frames: not on these 2 s clips), edit lists (only a
//! delay), the compressor name (it shows x264's SEI instead). `Format_Settings_RefFrames` is the
//! reference frame count, not reordering. Those are covered by the encoder's own settings above
//! and by `tests/checks/spec_check.rs`.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cache-spec")
}

/// MediaInfo's tracks for `file`, by `@type`.
struct MediaInfo {
    tracks: Vec<Value>,
}

impl MediaInfo {
    fn read(file: &Path) -> Self {
        let out = Command::new("mediainfo")
            .arg("--Output=JSON")
            .arg(file)
            .output()
            .unwrap_or_else(|e| {
                panic!("mediainfo cannot run ({e}): run `scripts/install-deps.sh test`")
            });
        assert!(
            out.status.success(),
            "mediainfo failed on {}",
            file.display()
        );
        let json: Value = serde_json::from_slice(&out.stdout).expect("mediainfo JSON");
        let tracks = json["media"]["track"]
            .as_array()
            .cloned()
            .unwrap_or_else(|| panic!("no tracks from mediainfo for {}", file.display()));
        Self { tracks }
    }

    fn all(&self, kind: &str) -> impl Iterator<Item = &Value> {
        self.tracks.iter().filter(move |t| t["@type"] == kind)
    }

    fn first(&self, kind: &str) -> Option<&Value> {
        self.all(kind).next()
    }

    fn general(&self) -> &Value {
        self.first("General").expect("General track")
    }
}

fn text<'a>(track: &'a Value, key: &str) -> Option<&'a str> {
    track[key].as_str()
}

fn number(track: &Value, key: &str) -> Option<f64> {
    text(track, key).and_then(|s| s.parse().ok())
}

/// The binary under test: the one cargo built, or `EARMARK_BIN` (to cross-check another build,
/// e.g. an installed one, or a copy when other builds share the target directory).
fn earmark_bin() -> PathBuf {
    std::env::var_os("EARMARK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_earmark")))
}

/// Our report, rule id → (status, measured).
struct Ours {
    rules: Vec<(String, String, String)>,
}

impl Ours {
    fn read(file: &Path) -> Self {
        let out = Command::new(earmark_bin())
            .arg("check")
            .arg(file)
            .args(["--json", "--profile", "pix-standard"])
            .output()
            .expect("earmark runs");
        let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "earmark check {} gave no JSON ({e}): {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let rules = json["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
                (s("id"), s("status"), s("measured"))
            })
            .collect();
        Self { rules }
    }

    fn rule(&self, id: &str) -> (&str, &str) {
        self.rules
            .iter()
            .find(|r| r.0 == id)
            .map(|r| (r.1.as_str(), r.2.as_str()))
            .unwrap_or_else(|| panic!("rule {id} missing"))
    }

    fn measured(&self, id: &str) -> &str {
        self.rule(id).1
    }

    fn status(&self, id: &str) -> &str {
        self.rule(id).0
    }
}

/// The unsigned integer right after `prefix` in `s`.
fn num_after(s: &str, prefix: &str) -> Option<u64> {
    let rest = &s[s.find(prefix)? + prefix.len()..];
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The first "P-T-M" colour triple after `prefix`.
fn triple_after(s: &str, prefix: &str) -> Option<[u16; 3]> {
    let rest = &s[s.find(prefix)? + prefix.len()..];
    let word = rest.split_whitespace().find(|w| w.contains('-'))?;
    let word = word.trim_end_matches([';', ',', ')']);
    let mut parts = word.split('-').map(|p| p.parse::<u16>().ok());
    let t = [parts.next()??, parts.next()??, parts.next()??];
    parts.next().is_none().then_some(t)
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn reduced(n: u64, d: u64) -> (u64, u64) {
    let g = gcd(n, d).max(1);
    (n / g, d / g)
}

/// A code's name as MediaInfo prints it.
type CodeName = fn(u16) -> Option<&'static str>;

/// MediaInfo's names for the H.273 codes (as 23.04 prints them).
fn primaries_name(code: u16) -> Option<&'static str> {
    Some(match code {
        1 => "BT.709",
        5 => "BT.601 PAL",
        6 => "BT.601 NTSC",
        7 => "SMPTE 240M",
        9 => "BT.2020",
        _ => return None,
    })
}

fn transfer_name(code: u16) -> Option<&'static str> {
    Some(match code {
        1 => "BT.709",
        6 => "BT.601",
        7 => "SMPTE 240M",
        11 => "xvYCC",
        16 => "PQ",
        18 => "HLG",
        _ => return None,
    })
}

fn matrix_name(code: u16) -> Option<&'static str> {
    Some(match code {
        1 => "BT.709",
        5 | 6 => "BT.601",
        7 => "SMPTE 240M",
        9 => "BT.2020 non-constant",
        _ => return None,
    })
}

/// Everything that disagrees for one file, in words.
fn compare(file: &Path) -> Vec<String> {
    let mi = MediaInfo::read(file);
    let ours = Ours::read(file);
    let mut bad = Vec::new();
    let mut differ = |what: &str, theirs: &dyn std::fmt::Debug, mine: &dyn std::fmt::Debug| {
        bad.push(format!("{what}: MediaInfo {theirs:?}, earmark {mine:?}"));
    };
    let g = mi.general();

    // Container.
    let m = ours.measured("container-mov");
    let brand = m
        .strip_prefix("brand ")
        .and_then(|r| r.split(", extension").next())
        .unwrap_or_default()
        .trim();
    if text(g, "CodecID").map(str::trim) != Some(brand) {
        differ("major brand", &text(g, "CodecID"), &m);
    }
    let m = ours.measured("fast-start");
    let moov_first = match (num_after(m, "moov at byte "), num_after(m, "mdat at byte ")) {
        (Some(moov), Some(mdat)) => Some(moov < mdat),
        _ => None,
    };
    let streamable = text(g, "IsStreamable").map(|s| s == "Yes");
    if moov_first.is_some() && streamable != moov_first {
        differ("fast start (IsStreamable)", &streamable, &m);
    }
    let mi_cmov = text(g, "Format_Settings").is_some_and(|s| s.contains("Compressed header"));
    let our_cmov = ours.measured("no-cmov").starts_with("moov/cmov");
    if mi_cmov != our_cmov {
        differ("compressed header", &mi_cmov, &ours.measured("no-cmov"));
    }

    // Track counts (not measured under cmov: the no-cmov rule fails the file instead).
    let count = |key: &str| number(g, key).map_or(0, |n| n as u64);
    let text_tracks = |m: &str| {
        if m == "none" {
            Some(0)
        } else {
            Some(m.split(", ").filter(|t| t.contains(" track ")).count() as u64)
        }
    };
    for (key, id, parse) in [
        (
            "VideoCount",
            "video-track-count",
            (|m: &str| num_after(m, "")) as fn(&str) -> Option<u64>,
        ),
        ("AudioCount", "audio-track-count", |m: &str| {
            num_after(m, "")
        }),
        ("TextCount", "no-text-tracks", text_tracks),
    ] {
        let m = ours.measured(id);
        if m == "-" {
            continue;
        }
        if parse(m) != Some(count(key)) {
            differ(key, &count(key), &m);
        }
    }

    if let Some(v) = mi.first("Video") {
        compare_video(v, &ours, &mut differ);
    } else if ours.measured("video-track-count").starts_with('1') {
        differ("video track", &"none", &ours.measured("video-track-count"));
    }
    if let Some(a) = mi.first("Audio") {
        compare_audio(a, &ours, &mut differ);
    }

    // Timecode.
    let tc = mi
        .all("Other")
        .find(|t| text(t, "Type") == Some("Time code"))
        .and_then(|t| text(t, "TimeCode_FirstFrame"));
    let m = ours.measured("timecode");
    let mine = m.strip_prefix("tmcd from ");
    if m != "-" && tc != mine {
        differ("timecode of first frame", &tc, &m);
    }
    bad
}

/// Our whole-kbps average against MediaInfo's StreamSize×8/Duration (see the header).
fn bit_rate_agrees(track: &Value, measured: &str) -> Option<bool> {
    let kbps = num_after(measured, "")? as f64;
    let bytes = number(track, "StreamSize")?;
    let secs = number(track, "Duration")?;
    let theirs = bytes * 8.0 / secs / 1000.0;
    Some((kbps - theirs).abs() <= 1.0 + theirs * 0.005)
}

fn compare_video(
    v: &Value,
    ours: &Ours,
    differ: &mut impl FnMut(&str, &dyn std::fmt::Debug, &dyn std::fmt::Debug),
) {
    let m = ours.measured("video-codec-h264");
    if m == "-" {
        return;
    }
    let fourcc = m.split(',').next().unwrap_or_default();
    if text(v, "CodecID") != Some(fourcc) {
        differ("video CodecID", &text(v, "CodecID"), &m);
    }
    if fourcc.starts_with("avc") && text(v, "Format") != Some("AVC") {
        differ("video Format", &text(v, "Format"), &m);
    }
    let profile = match text(v, "Format_Profile") {
        Some("Baseline" | "Constrained Baseline") => Some(66),
        Some("Main") => Some(77),
        Some("High") => Some(100),
        Some("High 10") => Some(110),
        Some("High 4:2:2") => Some(122),
        Some("High 4:4:4 Predictive") => Some(244),
        _ => None,
    };
    if profile != num_after(m, "profile ") {
        differ("AVC profile", &text(v, "Format_Profile"), &m);
    }
    let level = text(v, "Format_Level").and_then(|l| {
        let (major, minor) = l.split_once('.').unwrap_or((l, "0"));
        Some(major.parse::<u64>().ok()? * 10 + minor.parse::<u64>().ok()?)
    });
    if level != num_after(m, "level ") {
        differ("AVC level", &text(v, "Format_Level"), &m);
    }

    // "10-bit 4:2:2 (High 4:2:2 profile, …)": MediaInfo's BitDepth and ChromaSubsampling.
    let m = ours.measured("video-bit-depth-chroma");
    let mine = m
        .split_once("-bit ")
        .map(|(depth, rest)| (depth, rest.split_whitespace().next().unwrap_or_default()));
    if m != "-" && mine != text(v, "BitDepth").zip(text(v, "ChromaSubsampling")) {
        differ(
            "bit depth and chroma",
            &(text(v, "BitDepth"), text(v, "ChromaSubsampling")),
            &m,
        );
    }
    // MediaInfo's Rotation is the clockwise turn of a quarter-turn matrix ("90.000").
    let m = ours.measured("rotation");
    let turn = if m.starts_with("upright") {
        Some(0.0)
    } else {
        num_after(m, "turned ").map(|d| d as f64)
    };
    if m != "-" && turn != number(v, "Rotation").or(Some(0.0)) {
        differ("rotation", &text(v, "Rotation"), &m);
    }

    let m = ours.measured("frame-size");
    let size = m.split_once('x').and_then(|(w, h)| {
        Some((
            w.parse::<f64>().ok()?,
            h.split_whitespace().next()?.parse::<f64>().ok()?,
        ))
    });
    if size != number(v, "Width").zip(number(v, "Height")) {
        differ("frame size", &(text(v, "Width"), text(v, "Height")), &m);
    }

    let cfr_ours = ours.status("constant-frame-rate") == "pass";
    let cfr_theirs = text(v, "FrameRate_Mode") == Some("CFR");
    if cfr_ours != cfr_theirs {
        differ(
            "frame rate mode",
            &text(v, "FrameRate_Mode"),
            &ours.measured("constant-frame-rate"),
        );
    }
    if cfr_theirs {
        let m = ours.measured("frame-rate");
        let mine = m.split_whitespace().next().and_then(|r| {
            let (n, d) = r.split_once('/')?;
            Some(reduced(n.parse().ok()?, d.parse().ok()?))
        });
        let theirs = number(v, "FrameRate_Num")
            .zip(number(v, "FrameRate_Den"))
            .map(|(n, d)| reduced(n as u64, d as u64));
        if mine != theirs {
            differ("frame rate", &theirs, &m);
        }
    } else {
        let m = ours.measured("constant-frame-rate");
        let (min, max, scale) = (
            num_after(m, "frame durations ").unwrap_or(0) as f64,
            num_after(m, "…").unwrap_or(0) as f64,
            num_after(m, "/ ").unwrap_or(0) as f64,
        );
        let close = |key: &str, fps: f64| number(v, key).is_some_and(|x| (x - fps).abs() < 0.0005);
        if !close("FrameRate_Minimum", scale / max) || !close("FrameRate_Maximum", scale / min) {
            differ(
                "VFR frame rate range",
                &(text(v, "FrameRate_Minimum"), text(v, "FrameRate_Maximum")),
                &m,
            );
        }
    }

    let m = ours.measured("interlace");
    let scan_ours = if m.starts_with("progressive") {
        "Progressive"
    } else if m.contains("MBAFF") {
        "MBAFF"
    } else if m.contains("field coding") {
        "Interlaced"
    } else {
        "?"
    };
    if text(v, "ScanType") != Some(scan_ours) {
        differ("scan type", &text(v, "ScanType"), &m);
    }

    let m = ours.measured("video-bitrate");
    if bit_rate_agrees(v, m) != Some(true) {
        differ(
            "video bit rate (StreamSize×8/Duration)",
            &(text(v, "StreamSize"), text(v, "Duration")),
            &m,
        );
    }

    compare_colour(v, ours.measured("colorimetry"), differ);
    compare_x264(v, ours, differ);
}

fn compare_colour(
    v: &Value,
    m: &str,
    differ: &mut impl FnMut(&str, &dyn std::fmt::Debug, &dyn std::fmt::Debug),
) {
    // Older reports print "nclc P-T-M", newer ones "colr nclc P-T-M; VUI P-T-M (… range)".
    let colr = triple_after(m, "nclc")
        .or_else(|| triple_after(m, "nclx"))
        .filter(|_| !m.starts_with("no colr"));
    let vui = triple_after(m, "VUI ");
    let fields: [(&str, CodeName); 3] = [
        ("colour_primaries", primaries_name),
        ("transfer_characteristics", transfer_name),
        ("matrix_coefficients", matrix_name),
    ];
    for (i, (key, name)) in fields.iter().enumerate() {
        let plain = text(v, key);
        let source = text(v, &format!("{key}_Source")).unwrap_or_default();
        let original = text(v, &format!("{key}_Original"));
        if let Some(c) = colr {
            // MediaInfo shows the container's value in the plain field (code 2: no field).
            let theirs = if source.contains("Container") {
                plain
            } else {
                None
            };
            if name(c[i]) != theirs {
                differ(&format!("colr {key}"), &(plain, source), &m);
            }
        }
        if let Some(c) = vui {
            // The stream's value: `*_Original` when it differs from the container's, else plain.
            let theirs = original.or(plain.filter(|_| source.contains("Stream")));
            if name(c[i]) != theirs {
                differ(&format!("VUI {key}"), &(plain, original, source), &m);
            }
        }
    }
    let range = if m.contains("(limited range)") {
        Some("Limited")
    } else if m.contains("(full range)") {
        Some("Full")
    } else {
        None
    };
    if range.is_some() && range != text(v, "colour_range") {
        differ("colour range", &text(v, "colour_range"), &m);
    }
}

/// x264 writes its settings into the stream; MediaInfo shows them. They are the encoder's own
/// account of B-frames, open GOPs, keyframe spacing and interlacing.
fn compare_x264(
    v: &Value,
    ours: &Ours,
    differ: &mut impl FnMut(&str, &dyn std::fmt::Debug, &dyn std::fmt::Debug),
) {
    let Some(settings) = text(v, "Encoded_Library_Settings") else {
        return;
    };
    let setting = |key: &str| {
        settings
            .split(" / ")
            .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
    };
    let m = ours.measured("no-frame-reordering");
    if let Some(bframes) = setting("bframes").and_then(|b| b.parse::<u32>().ok())
        && (bframes > 0) != m.contains("reordered")
    {
        differ("x264 bframes", &bframes, &m);
    }
    let m = ours.measured("closed-gop");
    let non_idr = num_after(m, "");
    let syncs = num_after(m, " of ");
    if let Some(open) = setting("open_gop")
        && syncs.is_some_and(|s| s >= 2)
        && (open == "1") != non_idr.is_some_and(|n| n > 0)
    {
        differ("x264 open_gop", &open, &m);
    }
    let keyint = setting("keyint").and_then(|k| k.parse::<u64>().ok());
    let frames = number(v, "FrameCount").map(|f| f as u64);
    if setting("scenecut") == Some("0")
        && keyint.is_some()
        && setting("keyint_min") == setting("keyint")
        && let (Some(k), Some(f)) = (keyint, frames)
        && syncs != Some(f.div_ceil(k))
    {
        differ("x264 keyint → sync samples", &(k, f), &m);
    }
    let m = ours.measured("interlace");
    if let Some(i) = setting("interlaced")
        && (i == "0") != m.starts_with("progressive")
    {
        differ("x264 interlaced", &i, &m);
    }
}

fn compare_audio(
    a: &Value,
    ours: &Ours,
    differ: &mut impl FnMut(&str, &dyn std::fmt::Debug, &dyn std::fmt::Debug),
) {
    let m = ours.measured("audio-codec-aac-lc");
    if m == "-" {
        return;
    }
    let codec_id = text(a, "CodecID").unwrap_or_default();
    if let Some(rest) = codec_id.strip_prefix("mp4a-") {
        let (oti, aot) = rest.split_once('-').unwrap_or((rest, ""));
        let oti = u64::from_str_radix(oti, 16).ok();
        let aot = aot.parse::<u64>().ok();
        let our_oti = m
            .split("0x")
            .nth(1)
            .and_then(|h| u64::from_str_radix(h.get(..2)?, 16).ok());
        if oti != our_oti {
            differ("AAC object type indication", &codec_id, &m);
        }
        // "object type T (…)" [+ SBR] [+ PS], or for hierarchical signalling "object type 5
        // (SBR, …) over core object type 2 (…)".
        let signalled = num_after(m, "object type ");
        let core = num_after(m, "core object type ").or(signalled);
        let sbr = m.contains("+ SBR") || matches!(signalled, Some(5 | 29));
        let ps = m.contains("+ PS") || signalled == Some(29);
        let agrees = match aot {
            Some(5) => core == Some(2) && sbr && !ps,
            Some(29) => core == Some(2) && sbr && ps,
            t => t == signalled && t == core,
        };
        if !agrees {
            differ("AAC object type (CodecID)", &codec_id, &m);
        }
        let features = text(a, "Format_AdditionalFeatures").unwrap_or_default();
        let mi_sbr = features.contains("SBR");
        let mi_ps = features.split_whitespace().any(|w| w == "PS");
        if (mi_sbr, mi_ps) != (sbr, ps) {
            differ("AAC SBR/PS", &features, &m);
        }
        let format_ok = match (text(a, "Format"), core) {
            (Some("AAC"), Some(1)) => features == "Main",
            (Some("AAC"), Some(2)) => features.starts_with("LC"),
            (Some("ER AAC LD"), Some(23)) => true,
            _ => false,
        };
        if !format_ok {
            differ("AAC format", &(text(a, "Format"), features), &m);
        }
    } else if codec_id != m {
        differ("audio CodecID", &codec_id, &m);
    }

    let m = ours.measured("audio-sample-rate");
    if num_after(m, "").map(|r| r as f64) != number(a, "SamplingRate") {
        differ("sampling rate", &text(a, "SamplingRate"), &m);
    }

    let m = ours.measured("audio-channels");
    if num_after(m, "").map(|n| n as f64) != number(a, "Channels") {
        differ("channels", &text(a, "Channels"), &m);
    }
    let layout = if m.contains("Lt Rt") {
        Some("Lt Rt")
    } else if m.contains("(L R)") {
        Some("L R")
    } else if m.contains("layout Mono") {
        Some("C")
    } else {
        None
    };
    if layout.is_some() && layout != text(a, "ChannelLayout") {
        differ("channel layout", &text(a, "ChannelLayout"), &m);
    }

    let m = ours.measured("audio-bitrate");
    if bit_rate_agrees(a, m) != Some(true) {
        differ(
            "audio bit rate (StreamSize×8/Duration)",
            &(text(a, "StreamSize"), text(a, "Duration")),
            &m,
        );
    }
}

/// `name` with the single occurrence of `old` replaced by `new` (same length), written to `dir`.
fn patched(dir: &Path, from: &str, name: &str, old: &[u8], new: &[u8]) -> PathBuf {
    assert_eq!(old.len(), new.len());
    let mut bytes = std::fs::read(spec_dir().join(from)).expect("read fixture");
    let at: Vec<usize> = bytes
        .windows(old.len())
        .enumerate()
        .filter(|(_, w)| *w == old)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(at.len(), 1, "{name}: pattern found {} times", at.len());
    bytes[at[0]..at[0] + old.len()].copy_from_slice(new);
    let out = dir.join(name);
    std::fs::write(&out, bytes).expect("write patched fixture");
    out
}

/// zlib stream of `data` in stored (uncompressed) deflate blocks: what `cmov` needs, with no
/// compressor.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(0xffff).collect();
    for (i, block) in blocks.iter().enumerate() {
        out.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        out.extend(len.to_le_bytes());
        out.extend((!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65521;
        b = (b + a) % 65521;
    }
    out.extend(((b << 16) | a).to_be_bytes());
    out
}

fn atom(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
    let mut out = u32::try_from(payload.len() + 8)
        .expect("atom size")
        .to_be_bytes()
        .to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(payload);
    out
}

/// `no_faststart.mov` with its trailing `moov` replaced by `moov{cmov{dcom zlib, cmvd}}`; the
/// media stays where it was, so no offset moves.
fn with_cmov(dir: &Path) -> PathBuf {
    let bytes = std::fs::read(spec_dir().join("no_faststart.mov")).expect("read fixture");
    let at = bytes
        .windows(4)
        .rposition(|w| w == b"moov")
        .expect("moov")
        .checked_sub(4)
        .expect("moov header");
    let moov = &bytes[at..];
    let size = u32::from_be_bytes([moov[0], moov[1], moov[2], moov[3]]) as usize;
    assert_eq!(size, moov.len(), "moov is the last atom");
    let mut cmvd = u32::try_from(moov.len())
        .expect("moov size")
        .to_be_bytes()
        .to_vec();
    cmvd.extend(zlib_stored(moov));
    let cmov = [atom(b"dcom", b"zlib"), atom(b"cmvd", &cmvd)].concat();
    let mut out = bytes[..at].to_vec();
    out.extend(atom(b"moov", &atom(b"cmov", &cmov)));
    let path = dir.join("cmov.mov");
    std::fs::write(&path, out).expect("write cmov fixture");
    path
}

/// The patched cases: (name, AudioSpecificConfig or colr or chan bytes from → to).
fn patched_cases(dir: &Path) -> Vec<PathBuf> {
    // FFmpeg's 5-byte ASC for 48 kHz stereo LC, after the last byte of its descriptor length.
    let lc = [0x05, 0x11, 0x90, 0x56, 0xE5, 0x00];
    let asc = |name: &str, new: [u8; 5]| {
        let mut to = lc;
        to[1..].copy_from_slice(&new);
        patched(dir, "pass_std.mov", name, &lc, &to)
    };
    let colr = |p: u16, t: u16, m: u16| {
        let mut from = b"colrnclc".to_vec();
        from.extend([0, 1, 0, 1, 0, 1]);
        let mut to = b"colrnclc".to_vec();
        for c in [p, t, m] {
            to.extend(c.to_be_bytes());
        }
        patched(
            dir,
            "pass_std.mov",
            &format!("colr_{p}_{t}_{m}.mov"),
            &from,
            &to,
        )
    };
    let mut cases = vec![
        // HE-AAC, explicit hierarchical: AOT 5, core 24 kHz, extension 48 kHz, then AOT 2.
        asc("he_aac_hierarchical.mov", [0x2B, 0x11, 0x88, 0x00, 0x00]),
        // HE-AAC, backward compatible: AOT 2 at 24 kHz, sync 0x2B7, AOT 5, flag 1, 48 kHz.
        asc("he_aac_compatible.mov", [0x13, 0x10, 0x56, 0xE5, 0x98]),
        // AAC-LD: AOT 23, 48 kHz, stereo.
        asc("aac_ld.mov", [0xB9, 0x91, 0x00, 0x00, 0x00]),
        // The chan layout tag Stereo → MatrixStereo (Lt/Rt).
        patched(
            dir,
            "pass_std.mov",
            "lt_rt.mov",
            b"chan\0\0\0\0\x00\x65\x00\x02",
            b"chan\0\0\0\0\x00\x67\x00\x02",
        ),
        with_cmov(dir),
    ];
    for (p, t, m) in [
        (6, 1, 6),
        (5, 1, 6),
        (1, 11, 1),
        (1, 6, 1),
        (7, 7, 7),
        (9, 16, 9),
        (9, 18, 9),
        (2, 2, 2),
    ] {
        cases.push(colr(p, t, m));
    }
    cases
}

#[test]
fn every_field_mediainfo_exposes_agrees() {
    let dir = spec_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "fixtures missing ({e}) in {}: run `make fixtures` (scripts/make-spec-fixtures.sh)",
                dir.display()
            )
        })
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            (name.ends_with(".mov") || name.ends_with(".mp4")) && !name.starts_with("bad_")
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 25,
        "only {} spec fixtures in {}: run `make fixtures`",
        files.len(),
        dir.display()
    );
    let tmp = tempfile::tempdir().expect("temp dir");
    files.extend(patched_cases(tmp.path()));
    let mut report = Vec::new();
    for f in &files {
        for problem in compare(f) {
            report.push(format!(
                "{}: {problem}",
                f.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(
        report.is_empty(),
        "earmark and MediaInfo disagree on {} point(s) over {} files:\n{}",
        report.len(),
        files.len(),
        report.join("\n")
    );
}

/// The parser of our measured text must not make a disagreement vanish: a wrong value is seen.
#[test]
fn a_planted_difference_is_caught() {
    let v: Value = serde_json::json!({
        "colour_primaries": "BT.709", "colour_primaries_Source": "Container / Stream",
        "transfer_characteristics": "BT.709", "transfer_characteristics_Source": "Container / Stream",
        "matrix_coefficients": "BT.709", "matrix_coefficients_Source": "Container / Stream",
        "colour_range": "Limited"
    });
    let planted = |measured: &str| {
        let mut seen = Vec::new();
        compare_colour(
            &v,
            measured,
            &mut |what: &str, _: &dyn std::fmt::Debug, _: &dyn std::fmt::Debug| {
                seen.push(what.to_owned());
            },
        );
        seen
    };
    assert!(planted("colr nclc 1-1-1; VUI 1-1-1 (limited range)").is_empty());
    assert_eq!(
        planted("colr nclc 6-1-6; VUI 1-1-1 (full range)"),
        [
            "colr colour_primaries",
            "colr matrix_coefficients",
            "colour range"
        ]
    );
    assert_eq!(
        planted("colr nclc 1-1-1; VUI 9-16-9"),
        [
            "VUI colour_primaries",
            "VUI transfer_characteristics",
            "VUI matrix_coefficients"
        ]
    );
    let track: Value = serde_json::json!({"StreamSize": "424782", "Duration": "2.002"});
    assert_eq!(bit_rate_agrees(&track, "1697 kbps average"), Some(true));
    assert_eq!(bit_rate_agrees(&track, "1720 kbps average"), Some(false));
    assert_eq!(triple_after("nclc 9-16-9", "nclc"), Some([9, 16, 9]));
    assert_eq!(num_after("0 of 2 sync samples", " of "), Some(2));
}
