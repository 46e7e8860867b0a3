#!/usr/bin/env bash
# Regenerates the committed seed corpus of the spec-check fuzzer (tests/fuzz/corpus/, read by
# tests/checks/fuzz_spec.rs). Seeds are tiny (64x64, a handful of frames) so mutated copies parse in
# microseconds: movies in each layout the reader must handle (faststart or not, MP4, fragmented,
# B-frames, open GOP, interlaced, High 4:2:2 / 4:4:4 with scaling lists, avc3, MP3, 5.1, text,
# drop-frame timecode), then rewritten by hand into forms FFmpeg never writes for small files
# (cmov, co64, 64-bit mdat size, size-0 last atom, moov only), plus the raw SPS / PPS / esds /
# AudioSpecificConfig blobs the header parsers are fuzzed on directly.
#
# The files are committed; run this only to change the corpus (needs the ffmpeg CLI and python3).
# The whole corpus must stay under about 300 KB.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fuzz/corpus
command -v ffmpeg >/dev/null || { echo "ffmpeg CLI missing: run scripts/install-deps.sh test" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 missing" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

V="testsrc2=size=64x64:rate=24000/1001"
A="sine=frequency=1000:sample_rate=48000"
VENC=(-c:v libx264 -preset ultrafast -pix_fmt yuv420p -bf 0 -g 3 -keyint_min 3 -sc_threshold 0)
AENC=(-c:a aac -b:a 32k -ar 48000 -ac 2)
BASE=(-use_editlist 0 -avoid_negative_ts make_non_negative -timecode 01:00:00:00 -movflags +faststart)

# seed NAME FRAMES [extra output args…]: picture + sound, extra args override the defaults.
seed() {
  local name=$1 frames=$2; shift 2
  ffmpeg -v error -y -f lavfi -i "$V" -f lavfi -i "$A" -frames:v "$frames" -t 0.3 -map 0:v -map 1:a \
    "${VENC[@]}" "${AENC[@]}" "${BASE[@]}" "$@" "$out/$name"
}

seed std.mov 3
seed no_faststart.mov 3 -movflags 0
seed as_mp4.mp4 3 -f mp4
seed fragmented.mp4 6 -f mp4 -movflags frag_keyframe+empty_moov+default_base_moof
seed edits.mov 3 -use_editlist auto -avoid_negative_ts auto
seed bframes.mov 8 -bf 2 -g 8 -use_editlist auto -avoid_negative_ts auto
seed open_gop.mov 8 -bf 2 -x264-params open-gop=1:keyint=4:min-keyint=4:scenecut=0
seed interlaced.mov 3 -flags +ildct+ilme -x264-params tff=1
seed high422_cqm.mov 2 -pix_fmt yuv422p -x264-params cqm=jvt
seed high444_cqm.mov 2 -pix_fmt yuv444p -x264-params cqm=jvt
seed avc3.mov 3 -tag:v avc3
seed bt2020.mov 2 -color_primaries bt2020 -color_trc bt709 -colorspace bt2020nc
seed mp3_mono.mov 3 -c:a libmp3lame -ac 1
seed surround.mov 2 -ac 6
seed aac_main.mov 2 -profile:a aac_main
seed drop_frame.mov 3 -r 30000/1001 -timecode 01:00:00\;00
seed audio_44k.mp4 2 -ar 44100 -f mp4
ffmpeg -v error -y -f lavfi -i "$V" -frames:v 3 -map 0:v "${VENC[@]}" "${BASE[@]}" "$out/video_only.mov"
ffmpeg -v error -y -f lavfi -i "$A" -t 0.1 -map 0:a "${AENC[@]}" -movflags +faststart "$out/audio_only.m4a"
printf '1\n00:00:00,000 --> 00:00:00,100\nHi\n' > "$tmp/subs.srt"
ffmpeg -v error -y -f lavfi -i "$V" -f lavfi -i "$A" -i "$tmp/subs.srt" -frames:v 3 -t 0.3 \
  -map 0:v -map 1:a -map 2:s -c:s mov_text "${VENC[@]}" "${AENC[@]}" "${BASE[@]}" "$out/text_track.mov"

python3 - "$out" <<'PY'
import struct, sys, zlib, pathlib

out = pathlib.Path(sys.argv[1])
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"udta", b"mvex",
              b"moof", b"traf", b"tref", b"wave"}
SKIP = {b"stsd": 8, b"avc1": 78, b"avc3": 78, b"mp4a": 28, b".mp3": 28, b"meta": 4}

def atoms(buf, start, end, path=()):
    """(path, offset, header_len, size) for every atom, depth first."""
    pos = start
    while end - pos >= 8:
        size, kind = struct.unpack(">I4s", buf[pos:pos + 8])
        head = 8
        if size == 1:
            size, head = struct.unpack(">Q", buf[pos + 8:pos + 16])[0], 16
        elif size == 0:
            size = end - pos
        if size < head or pos + size > end:
            return
        yield path + (kind,), pos, head, size
        skip = SKIP.get(kind, 0)
        if kind in (b"mp4a", b".mp3") and size >= 36:
            # Sound sample description version 1 and 2 carry 16 / 36 more bytes.
            skip = {1: 44, 2: 64}.get(struct.unpack(">H", buf[pos + 16:pos + 18])[0], 28)
        if kind in CONTAINERS or kind in SKIP:
            yield from atoms(buf, pos + head + skip, pos + size, path + (kind,))
        pos += size

def find(buf, name):
    return [(o, h, s) for p, o, h, s in atoms(buf, 0, len(buf)) if p[-1] == name]

def box(kind, payload):
    return struct.pack(">I", len(payload) + 8) + kind + payload

def resize_parents(buf, at, delta):
    """Grow every atom enclosing byte `at` by `delta` (32-bit sizes only)."""
    buf = bytearray(buf)
    for p, o, h, s in list(atoms(bytes(buf), 0, len(buf))):
        if o < at < o + s and h == 8:
            buf[o:o + 4] = struct.pack(">I", s + delta)
    return bytes(buf)

std = (out / "std.mov").read_bytes()
(moov_at, _, moov_size), = find(std, b"moov")
moov = std[moov_at:moov_at + moov_size]

# cmov: the movie header zlib-compressed inside moov/cmov{dcom, cmvd}, as old QuickTime wrote.
cmov = box(b"cmov", box(b"dcom", b"zlib") + box(b"cmvd", struct.pack(">I", len(moov)) + zlib.compress(moov)))
(out / "cmov.mov").write_bytes(std[:moov_at] + box(b"moov", cmov) + std[moov_at + moov_size:])

# moov only: cut right after the movie header, so every chunk offset points past the end.
(out / "moov_only.mov").write_bytes(std[:moov_at + moov_size])

# co64: each stco rewritten with 64-bit offsets (the file grows; offsets are shifted to match).
buf = std
for o, h, s in sorted(find(buf, b"stco"), reverse=True):
    n = struct.unpack(">I", buf[o + 12:o + 16])[0]
    offs = struct.unpack(">%dI" % n, buf[o + 16:o + 16 + 4 * n])
    grow = 4 * n
    new = box(b"co64", buf[o + 8:o + 16] + b"".join(struct.pack(">Q", x) for x in offs))
    buf = resize_parents(buf[:o] + new + buf[o + s:], o, grow)
grow = len(buf) - len(std)
for o, h, s in find(buf, b"co64"):
    n = struct.unpack(">I", buf[o + 12:o + 16])[0]
    offs = struct.unpack(">%dQ" % n, buf[o + 16:o + 16 + 8 * n])
    buf = buf[:o + 16] + b"".join(struct.pack(">Q", x + grow) for x in offs) + buf[o + 16 + 8 * n:]
(out / "co64.mov").write_bytes(buf)

# 64-bit mdat: FFmpeg's 8-byte `wide` placeholder + mdat become one 16-byte largesize header.
nf = (out / "no_faststart.mov").read_bytes()
(wo, _, ws), = find(nf, b"wide")
(mo, _, ms), = find(nf, b"mdat")
assert mo == wo + ws
large = struct.pack(">I4sQ", 1, b"mdat", ms + 8)
(out / "largesize_mdat.mov").write_bytes(nf[:wo] + large + nf[mo + 8:])

# size 0: the last top-level atom (mdat in a faststart file) runs to the end of the file.
(mo, _, ms), = find(std, b"mdat")
assert mo + ms == len(std)
(out / "size0_mdat.mov").write_bytes(std[:mo] + b"\0\0\0\0" + std[mo + 4:])

def descriptor(b):
    """(tag, body, rest) of one MPEG-4 descriptor (length in up to four 7-bit groups)."""
    if len(b) < 2:
        return None
    tag, n, i = b[0], 0, 1
    while i < len(b) and i <= 4:
        n, i = (n << 7) | (b[i] & 0x7F), i + 1
        if b[i - 1] & 0x80 == 0:
            break
    return tag, b[i:i + n], b[i + n:]

def audio_config(esds):
    """The DecoderSpecificInfo (AudioSpecificConfig) inside an esds payload, if any."""
    d = descriptor(esds[4:])
    if not d or d[0] != 3:
        return None
    es = d[1]
    flags, at = es[2], 3
    at += 2 if flags & 0x80 else 0
    at += 1 + es[at] if flags & 0x40 else 0
    at += 2 if flags & 0x20 else 0
    rest = es[at:]
    while (d := descriptor(rest)) is not None:
        if d[0] == 4:
            dsi = descriptor(d[1][13:])
            return dsi[1] if dsi and dsi[0] == 5 else None
        rest = d[2]
    return None

# Raw header blobs for the direct parser fuzzing, one file per distinct blob.
seen = set()
def blob(name, data):
    if data and data not in seen:
        seen.add(data)
        (out / name).write_bytes(data)

for f in sorted(out.glob("*.mov")) + sorted(out.glob("*.mp4")) + sorted(out.glob("*.m4a")):
    buf = f.read_bytes()
    stem = f.stem
    for o, h, s in find(buf, b"avcC")[:1]:
        c = buf[o + h:o + s]
        n_sps, at = c[5] & 0x1f, 6
        for i in range(n_sps):
            ln = struct.unpack(">H", c[at:at + 2])[0]
            blob(f"{stem}.sps", c[at + 2:at + 2 + ln])
            at += 2 + ln
        n_pps = c[at]; at += 1
        for i in range(n_pps):
            ln = struct.unpack(">H", c[at:at + 2])[0]
            blob(f"{stem}.pps", c[at + 2:at + 2 + ln])
            at += 2 + ln
    for o, h, s in find(buf, b"esds")[:1]:
        e = buf[o + h:o + s]
        blob(f"{stem}.esds", e)
        blob(f"{stem}.asc", audio_config(e) or b"")

# Hand-made AudioSpecificConfigs FFmpeg's encoder does not write: HE-AAC signalled
# hierarchically (object type 5), HE-AAC v2 (29), the backward-compatible SBR extension,
# an escaped object type (31 → 32 + 6 bits) and an explicit 24-bit sample rate (index 15).
for name, blob in {
    "he_aac_hier.asc": bytes([0x2B, 0x11, 0x88, 0x00, 0x00]),
    "he_aac_v2.asc": bytes([0xEB, 0x09, 0x88, 0x00, 0x00]),
    "he_aac_compat.asc": bytes([0x13, 0x10, 0x56, 0xE5, 0x98]),
    "escaped_type.asc": bytes([0xF8, 0x1E, 0x20, 0x00]),
    "explicit_rate.asc": bytes([0x17, 0x80, 0x5D, 0xC0, 0x10]),
}.items():
    (out / name).write_bytes(blob)
PY

# Files derived from std/no_faststart keep them; drop nothing. Report the size.
du -sh "$out"
ls "$out" | wc -l
