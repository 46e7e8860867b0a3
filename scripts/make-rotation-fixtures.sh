#!/usr/bin/env bash
# Generates the display-matrix (rotation) fixtures with the ffmpeg CLI into
# tests/fixtures/cache-rotation (not committed). One upright 320x180 clip carrying its frame
# number as the 12-bit code of scripts/make-fixtures.sh (top quarter, 16 blocks, bit 0 left),
# so the picture is visibly asymmetric, then the same bitstream remuxed (-c copy) with a display
# matrix in the video tkhd: rotN.mov is shown turned N° clockwise, as a phone's portrait clip
# is. Rebuilt only when this script changes.
#
# FFmpeg 5.1's `-metadata:s:v rotate=R` (honoured only when stream-copying) writes the matrix of
# av_display_rotation_set(R): R° counter-clockwise, so a clockwise turn of N° needs R = 360 − N.
# ffprobe then reports `rotation=-N`; each file is checked for that below.
# mirror.mov has its matrix patched to (−1 0 0 1): mirrored left–right, which FFmpeg 5.1's CLI
# cannot write.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/cache-rotation
stamp="$out/.recipe-$(sha256sum "$0" | cut -c1-16)"
[ -f "$stamp" ] && exit 0
command -v ffmpeg >/dev/null || { echo "ffmpeg CLI missing: run scripts/install-deps.sh test" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out"

w=320 h=180 rate=25
code="color=black:size=16x1:rate=$rate,format=gray,geq=lum='if(lt(X\,12)\,255*mod(floor(N/pow(2\,X))\,2)\,if(eq(X\,12)\,255\,0))',scale=$w:$((h/4)):flags=neighbor,format=yuv420p"
filter="testsrc2=size=${w}x${h}:rate=$rate,format=yuv420p[bg];$code[code];[bg][code]overlay=0:0:shortest=1,format=yuv420p[v]"
ffmpeg -v error -y -filter_complex "$filter" -map "[v]" -frames:v 50 \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 12 -keyint_min 12 -sc_threshold 0 -bf 0 \
  -timecode 01:00:00:00 -movflags +faststart "$out/rot0.mov"

# rotate NAME CLOCKWISE_DEGREES
rotate() {
  local name=$1 cw=$2
  ffmpeg -v error -y -i "$out/rot0.mov" -map 0 -c copy -metadata:s:v:0 rotate=$(( (360 - cw) % 360 )) \
    -movflags +faststart "$out/$name"
  local got
  got=$(ffprobe -v error -select_streams v:0 -show_entries stream_side_data=rotation -of csv=p=0 "$out/$name")
  # ffprobe states FFmpeg's counter-clockwise angle in (−180, 180].
  local want=$(( cw == 180 ? -180 : (cw > 180 ? 360 - cw : -cw) ))
  [ "${got%%,*}" = "$want" ] || { echo "$name: ffprobe says rotation ${got:-none}, wanted $want" >&2; exit 1; }
}
rotate rot90.mov 90
rotate rot180.mov 180
rotate rot270.mov 270

# Mirrored: the first tkhd (the video track's) gets a = −1, d = 1, x = width. Its matrix starts
# 40 bytes into the version-0 payload, i.e. 44 bytes after the type code grep finds.
cp "$out/rot0.mov" "$out/mirror.mov"
at=$(grep -obUa tkhd "$out/mirror.mov" | head -1 | cut -d: -f1)
printf '\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01\x40\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00' |
  dd of="$out/mirror.mov" bs=1 seek=$(( at + 44 )) conv=notrunc status=none

touch "$stamp"
echo "rotation fixtures ready in $out"
