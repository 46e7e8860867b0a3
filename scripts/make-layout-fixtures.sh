#!/usr/bin/env bash
# Generates the sound-layout fixtures with the ffmpeg CLI into tests/fixtures/cache-layout (not
# committed), for tests/device/track_layouts.rs: every layout review files come in — LPCM of each
# QuickTime flavour, AAC of each profile, mono, split-mono track pairs, 5.1/7.1, several tracks.
#
# Every file is 6 s. Each channel is a sine at −20 dBFS peak (amplitude 0.1) at its own frequency,
# so a recording tells the channels apart by frequency:
#   L 500 Hz, R 700 Hz, C 900 Hz, LFE 60 Hz, Ls 1100 Hz, Rs 1300 Hz (5.1);
#   7.1: side L/R 1100/1300 Hz, back L/R 1500/1700 Hz; mono 900 Hz;
#   the second ("M&E") track of stereo_me.mov: L 1500 Hz, R 1700 Hz.
# Every 500/700 Hz programme (and its split-mono halves) also carries one marker click (+0.5, one
# sample) at sample 264 000 = 5.5 s in both channels, so a decode offset by a whole number of tone
# periods still shows (tests compare decodes at zero lag); the level tests play 1 s to 4 s.
# Movies have a small picture: testsrc2 320x180 at 25 fps, H.264 (GOP 1 s, no B-frames), a
# timecode track from 01:00:00:00, index in front (faststart). WAV files have no time reference.
#
# HE-AAC: Debian's FFmpeg has no HE-AAC encoder (no libfdk_aac; FFmpeg's own `aac` encoder
# refuses `-profile:a aac_he`), Debian main has no other (fdk-aac and faac are not in main), and
# the FFmpeg builds on PyPI (imageio-ffmpeg, PyAV) have none either. So aac_he_standin.mov is an
# honest stand-in: AAC-LC encoded at 24 kHz (500/700 Hz, well inside the core band) whose
# AudioSpecificConfig is rewritten to explicit hierarchical SBR signalling — audioObjectType 5
# (SBR), core rate 24 kHz, extension rate 48 kHz, then audioObjectType 2 — bytes 2B 11 88 00 (was
# 13 10 56 E5 00). The frames carry no SBR extension payload, so an HE-AAC decoder (FFmpeg's)
# runs its SBR path with SBR "off": QMF analysis at 24 kHz, synthesis at 48 kHz — the decoded
# sound is the LC core upsampled to 48 kHz by the SBR filter banks, and ffprobe calls it HE-AAC
# at 48 kHz. The container is left as encoded (mdhd timescale 24 000, 1024-sample packets, edit
# list in 24 kHz units), so only levels, not sample timing, are meaningful for this file.
#
# Each file is checked with ffprobe (codec, profile, tag, channels, layout, rate, handler) and a
# one-line summary is printed. Re-running is free: files are rebuilt only when this script changes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/cache-layout
stamp="$out/.recipe-$(sha256sum "$0" | cut -c1-16)"
[ -f "$stamp" ] && exit 0
command -v ffmpeg >/dev/null || { echo "ffmpeg CLI missing: run scripts/install-deps.sh test" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 missing (the HE-AAC stand-in is patched with it)" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out"

secs=6
# A sine at −20 dBFS peak; the marker click (escaped for a filter graph).
tone() { echo "0.1*sin(2*PI*$1*t)"; }
mark="+0.5*eq(n\\,264000)"
# src RATE LAYOUT EXPR... : a lavfi source with one expression per channel.
src() {
  local rate=$1 layout=$2; shift 2
  local IFS='|'
  echo "aevalsrc='$*':s=$rate:d=$secs:channel_layout=$layout"
}
stereo="$(src 48000 stereo "$(tone 500)$mark" "$(tone 700)$mark")"
left="$(src 48000 mono "$(tone 500)$mark")"
right="$(src 48000 mono "$(tone 700)$mark")"
me="$(src 48000 stereo "$(tone 1500)" "$(tone 1700)")"
mono="$(src 48000 mono "$(tone 900)")"
# FFmpeg's "5.1" is FL FR FC LFE BL BR (WAVE mask 0x3F); "7.1" is FL FR FC LFE BL BR SL SR (0x63F).
s51="$(src 48000 5.1 "$(tone 500)" "$(tone 700)" "$(tone 900)" "$(tone 60)" "$(tone 1100)" "$(tone 1300)")"
s71="$(src 48000 7.1 "$(tone 500)" "$(tone 700)" "$(tone 900)" "$(tone 60)" "$(tone 1500)" "$(tone 1700)" "$(tone 1100)" "$(tone 1300)")"
aac=(-c:a aac -aac_pns 0)

# movie NAME [INPUT ARGS...] -- [OUTPUT ARGS...]: the picture is input 0 and the first track;
# the caller's inputs follow it and the caller maps and encodes the sound.
movie() {
  local name=$1; shift
  local inputs=()
  while [ "$1" != -- ]; do inputs+=("$1"); shift; done
  shift
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=320x180:rate=25" "${inputs[@]}" -map 0:v "$@" \
    -t "$secs" -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 25 -bf 0 \
    -timecode 01:00:00:00 -movflags +faststart "$out/$name"
}

# LPCM, each QuickTime sample entry. FFmpeg writes a version-1 sound description whose `wave`
# atom holds `frma` and `enda` (0 = big-endian, 1 = little-endian): in24 little-endian is `in24`
# with `enda` 1.
for pair in pcm_in24_be:pcm_s24be pcm_in24_le:pcm_s24le pcm_sowt:pcm_s16le pcm_twos:pcm_s16be \
  pcm_in32:pcm_s32be pcm_fl32:pcm_f32be; do
  movie "${pair%%:*}.mov" -f lavfi -i "$stereo" -- -map 1:a -c:a "${pair#*:}"
done

movie mono_aac.mov -f lavfi -i "$mono" -- -map 1:a "${aac[@]}" -b:a 96k
# Split mono as Avid exports A1/A2: two mono tracks, the left one first.
names=(-metadata:s:a:0 title=Left -metadata:s:a:0 handler_name=Left
  -metadata:s:a:1 title=Right -metadata:s:a:1 handler_name=Right)
movie split_mono.mov -f lavfi -i "$left" -f lavfi -i "$right" -- -map 1:a -map 2:a \
  "${aac[@]}" -b:a 96k "${names[@]}"
movie split_mono_pcm.mov -f lavfi -i "$left" -f lavfi -i "$right" -- -map 1:a -map 2:a \
  -c:a pcm_s24be "${names[@]}"
movie surround51_aac.mov -f lavfi -i "$s51" -- -map 1:a "${aac[@]}" -b:a 384k
ffmpeg -v error -y -f lavfi -i "$s51" -c:a pcm_s24le "$out/surround51.wav"
ffmpeg -v error -y -f lavfi -i "$s71" -c:a pcm_s24le "$out/surround71.wav"
movie stereo_me.mov -f lavfi -i "$stereo" -f lavfi -i "$me" -- -map 1:a -map 2:a \
  "${aac[@]}" -b:a 192k \
  -metadata:s:a:0 "title=Stereo mix" -metadata:s:a:0 "handler_name=Stereo mix" \
  -metadata:s:a:1 "title=M&E" -metadata:s:a:1 "handler_name=M&E"
movie aac_main.mov -f lavfi -i "$stereo" -- -map 1:a "${aac[@]}" -profile:a aac_main -b:a 192k

# The HE-AAC stand-in (see the top of this file): AAC-LC at 24 kHz, then the AudioSpecificConfig
# in `esds` rewritten; every enclosing atom's size, the descriptor lengths and (the index being
# in front of the media) every chunk offset follow the one byte it is shorter.
movie aac_he_standin.mov -f lavfi -i "$(src 24000 stereo "$(tone 500)$mark" "$(tone 700)$mark")" -- \
  -map 1:a "${aac[@]}" -b:a 128k
python3 - "$out/aac_he_standin.mov" 2b118800 <<'PY'
import struct, sys

path, asc = sys.argv[1], bytes.fromhex(sys.argv[2])
data = open(path, "rb").read()
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"wave", b"udta", b"edts", b"dinf"}
found = []

def length(n, width):
    out = [n >> (7 * i) & 0x7F for i in reversed(range(width))]
    assert n < 1 << (7 * width), "descriptor too long for its length field"
    return bytes([b | 0x80 for b in out[:-1]] + [out[-1]])

def descriptors(buf):
    out, i = b"", 0
    while i < len(buf):
        tag, i, n, width = buf[i], i + 1, 0, 0
        while True:
            b, i, width = buf[i], i + 1, width + 1
            n = n << 7 | b & 0x7F
            if not b & 0x80:
                break
        body, i = buf[i:i + n], i + n
        if tag == 0x03:  # ES_Descriptor: ES_ID, flags, optional fields, then sub-descriptors
            flags, at = body[2], 3
            at += 2 if flags & 0x80 else 0
            at += 1 + body[at] if flags & 0x40 else 0
            at += 2 if flags & 0x20 else 0
            body = body[:at] + descriptors(body[at:])
        elif tag == 0x04:  # DecoderConfigDescriptor: 13 bytes, then DecoderSpecificInfo
            body = body[:13] + descriptors(body[13:])
        elif tag == 0x05:  # DecoderSpecificInfo: the AudioSpecificConfig
            found.append(body)
            body = asc
        out += bytes([tag]) + length(len(body), width) + body
    return out

def atoms(buf, shift, in_stsd=False):
    out, i = b"", 0
    while i < len(buf):
        size, kind = struct.unpack(">I4s", buf[i:i + 8])
        assert size >= 8, f"atom {kind!r} of size {size} inside moov"
        body = buf[i + 8:i + size]
        if kind in CONTAINERS:
            body = atoms(body, shift)
        elif kind == b"stsd":
            body = body[:8] + atoms(body[8:], shift, True)
        elif kind == b"mp4a" and in_stsd:
            skip = 28 + {0: 0, 1: 16, 2: 36}[struct.unpack(">H", body[8:10])[0]]
            body = body[:skip] + atoms(body[skip:], shift)
        elif kind == b"esds":
            body = body[:4] + descriptors(body[4:])
        elif kind == b"stco":
            n = struct.unpack(">I", body[4:8])[0]
            offs = struct.unpack(f">{n}I", body[8:8 + 4 * n])
            body = body[:8] + struct.pack(f">{n}I", *(o + shift for o in offs))
        elif kind == b"co64":
            n = struct.unpack(">I", body[4:8])[0]
            offs = struct.unpack(f">{n}Q", body[8:8 + 8 * n])
            body = body[:8] + struct.pack(f">{n}Q", *(o + shift for o in offs))
        out += struct.pack(">I4s", len(body) + 8, kind) + body
        i += size
    return out

# Top level: find moov (and whether it precedes the media).
i, moov, mdat = 0, None, None
while i < len(data):
    size, kind = struct.unpack(">I4s", data[i:i + 8])
    size = struct.unpack(">Q", data[i + 8:i + 16])[0] if size == 1 else size or len(data) - i
    if kind == b"moov":
        moov = (i, i + size)
    elif kind == b"mdat" and mdat is None:
        mdat = i
    i += size
assert moov and mdat is not None, "moov or mdat missing"
old = data[moov[0]:moov[1]]
new = atoms(old, 0)
assert found == [bytes.fromhex("131056e500")], f"unexpected AudioSpecificConfig {found}"
if moov[0] < mdat:
    new = atoms(old, len(new) - len(old))
open(path, "wb").write(data[:moov[0]] + new + data[moov[1]:])
PY

movie picture_only.mov --
ffmpeg -v error -y -f lavfi -i "$stereo" "${aac[@]}" -b:a 192k -movflags +faststart "$out/sound_only.m4a"
# A plain stereo WAV: the path that played before these layouts, as a control for the harness.
ffmpeg -v error -y -f lavfi -i "$stereo" -c:a pcm_s24le "$out/stereo_pcm.wav"

# Checks: what ffprobe reads back must be what was meant, and each file gets a one-line summary.
# A WAV's channel mask (WAVEFORMATEXTENSIBLE: format tag 0xFFFE, mask at byte 20 of `fmt `).
wav_mask() {
  python3 - "$1" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"fmt ") + 8
tag = struct.unpack("<H", d[i:i + 2])[0]
print(f"fmt 0x{tag:04x} mask 0x{struct.unpack('<I', d[i + 20:i + 24])[0]:x}" if tag == 0xFFFE else f"fmt 0x{tag:04x}")
PY
}
# The AudioSpecificConfig of each AAC track (DecoderSpecificInfo, tag 5, in `esds`).
asc() {
  python3 - "$1" <<'PY'
import sys
d, i, found = open(sys.argv[1], "rb").read(), 0, []
while (i := d.find(b"esds", i) + 1) > 0:
    j = d.index(b"\x05\x80\x80\x80", i)
    found.append(d[j + 5:j + 5 + d[j + 4]].hex())
print("asc " + " ".join(found))
PY
}
summary() {
  ffprobe -v error -show_entries \
    stream=codec_type,codec_name,profile,codec_tag_string,channels,channel_layout,sample_rate:stream_tags=handler_name \
    -of csv=p=0 "$1" |
    awk -F, '$1 != "" { printf "%s%s", (NR > 1 ? " | " : ""), $0 } END { print "" }'
}
# check NAME PATTERN...: every pattern (extended regex) must be in the file's ffprobe summary.
check() {
  local name=$1; shift
  local line
  line="$(summary "$out/$name")"
  [[ "$name" == *.wav ]] && line="$line | $(wav_mask "$out/$name")"
  [[ "$name" == aac_* ]] && line="$line | $(asc "$out/$name")"
  for p in "$@"; do
    grep -Eq -- "$p" <<<"$line" || { echo "$name: expected /$p/ in: $line" >&2; exit 1; }
  done
  printf '%-22s %s\n' "$name" "$line"
}
check pcm_in24_be.mov    "pcm_s24be,unknown,audio,in24,48000,2,stereo" "h264"
check pcm_in24_le.mov    "pcm_s24le,unknown,audio,in24,48000,2,stereo"
check pcm_sowt.mov       "pcm_s16le,unknown,audio,sowt,48000,2,stereo"
check pcm_twos.mov       "pcm_s16be,unknown,audio,twos,48000,2,stereo"
check pcm_in32.mov       "pcm_s32be,unknown,audio,in32,48000,2,stereo"
check pcm_fl32.mov       "pcm_f32be,unknown,audio,fl32,48000,2,stereo"
check mono_aac.mov       "aac,LC,audio,mp4a,48000,1,mono"
check split_mono.mov     "aac,LC,audio,mp4a,48000,1,mono,Left \| aac,LC,audio,mp4a,48000,1,mono,Right"
check split_mono_pcm.mov "pcm_s24be,unknown,audio,in24,48000,1,[a-z]+,Left \| pcm_s24be,unknown,audio,in24,48000,1,[a-z]+,Right"
check surround51_aac.mov "aac,LC,audio,mp4a,48000,6,5.1,"
check surround51.wav     "pcm_s24le,unknown,audio,[^,]*,48000,6,5.1" "mask 0x3f$"
check surround71.wav     "pcm_s24le,unknown,audio,[^,]*,48000,8,7.1" "mask 0x63f$"
check stereo_me.mov      "aac,LC,audio,mp4a,48000,2,stereo,Stereo mix \| aac,LC,audio,mp4a,48000,2,stereo,M&E"
check aac_main.mov       "aac,Main,audio,mp4a,48000,2,stereo" "asc 0990"
# FFmpeg names the profile HE-AAC only once it meets SBR data in a frame; this file signals SBR
# (AOT 5) in its AudioSpecificConfig and carries none, so ffprobe says LC at the 48 kHz output rate.
check aac_he_standin.mov "aac,LC,audio,mp4a,48000,2,stereo" "asc 2b118800$"
check picture_only.mov   "h264" "tmcd"
! summary "$out/picture_only.mov" | grep -q audio || { echo "picture_only.mov has sound" >&2; exit 1; }
check sound_only.m4a     "^aac,LC,audio,mp4a,48000,2,stereo,SoundHandler$"
check stereo_pcm.wav     "^pcm_s24le,unknown,audio,[^,]*,48000,2,stereo" "fmt 0x(0001|fffe)"
touch "$stamp"
echo "layout fixtures ready in $out"
