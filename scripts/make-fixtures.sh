#!/usr/bin/env bash
# Generates the test fixtures with the ffmpeg CLI into tests/fixtures/cache (not committed).
# Each picture carries its own frame index as a 12-bit binary code: the top quarter of the frame
# is 16 blocks wide; block i (i < 12, left = least significant) is white when bit i is set,
# block 12 is always white and block 13 always black (references for the reader's threshold).
# Below it runs testsrc2, so the encoder sees real motion and uses B-frames where allowed.
# Re-running is free: files are rebuilt only when this script changes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/cache
stamp="$out/.recipe-$(sha256sum "$0" | cut -c1-16)"
[ -f "$stamp" ] && exit 0
command -v ffmpeg >/dev/null || { echo "ffmpeg CLI missing: run scripts/install-deps.sh test" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out"

# fixture NAME WxH RATE GOP BFRAMES FRAMES TIMECODE(or -) AUDIO(1/0)
fixture() {
  local name=$1 size=$2 rate=$3 gop=$4 bf=$5 frames=$6 tc=$7 audio=$8
  local w=${size%x*} h=${size#*x}
  local code="color=black:size=16x1:rate=$rate,format=gray,geq=lum='if(lt(X\,12)\,255*mod(floor(N/pow(2\,X))\,2)\,if(eq(X\,12)\,255\,0))',scale=$w:$((h/4)):flags=neighbor,format=yuv420p"
  local filter="testsrc2=size=$size:rate=$rate,format=yuv420p[bg];$code[code];[bg][code]overlay=0:0:shortest=1,format=yuv420p[v]"
  local args=(-v error -y -filter_complex "$filter" -map "[v]" -frames:v "$frames")
  if [ "$audio" = 1 ]; then
    args+=(-f lavfi -i "sine=frequency=1000:sample_rate=48000" -map 0:a -ac 2 -c:a aac -b:a 128k -shortest)
  fi
  local x264=(-c:v libx264 -preset veryfast -pix_fmt yuv420p -g "$gop" -keyint_min "$gop" -sc_threshold 0 -bf "$bf")
  [ "$bf" -gt 0 ] && x264+=(-x264-params b-adapt=0)
  local tcargs=()
  [ "$tc" != - ] && tcargs=(-timecode "$tc")
  if [ "$audio" = 1 ]; then
    ffmpeg -f lavfi -i "sine=frequency=1000:sample_rate=48000" -v error -y -filter_complex "$filter" \
      -map "[v]" -map 0:a -frames:v "$frames" -ac 2 -c:a aac -b:a 128k -shortest \
      "${x264[@]}" "${tcargs[@]}" -movflags +faststart "$out/$name.mov"
  else
    ffmpeg "${args[@]}" "${x264[@]}" "${tcargs[@]}" -movflags +faststart "$out/$name.mov"
  fi
}

fixture f23976_1080_g48_b   1920x1080 24000/1001 48  2 300 01:00:00:00 1
fixture f24_720_g12_nob     1280x720  24         12  0 120 00:59:59:00 0
fixture f25_1080_g250_b     1920x1080 25         250 3 520 10:00:00:00 0
fixture f2997df_720_g1      1280x720  30000/1001 1   0 120 "00:00:59;00" 0
fixture f2997ndf_1080_g12_b 1920x1080 30000/1001 12  2 150 01:00:00:00 0
fixture f30_720_g48_b       1280x720  30         48  2 150 - 1
fixture f50_720_g250_nob    1280x720  50         250 0 300 01:00:00:00 0
fixture f5994df_1080_g48_b  1920x1080 60000/1001 48  2 180 "00:09:59;30" 0
fixture f5994ndf_720_g12_b  1280x720  60000/1001 12  1 150 01:00:00:00 0
fixture f60_720_g1          1280x720  60         1   0 120 23:59:59:00 0

# Bad input: moov at the end and the tail cut off; moov first and media cut short; empty; text;
# audio only.
ffmpeg -v error -y -f lavfi -i "testsrc2=size=320x180:rate=25" -frames:v 50 -c:v libx264 -preset veryfast "$out/moov_last.mov"
head -c 20000 "$out/moov_last.mov" > "$out/bad_truncated_moov_last.mov"
head -c $(( $(stat -c %s "$out/f24_720_g12_nob.mov") / 2 )) "$out/f24_720_g12_nob.mov" > "$out/bad_truncated_faststart.mov"
rm "$out/moov_last.mov"
: > "$out/bad_empty.mov"
echo "this is not a QuickTime movie" > "$out/bad_text.mov"
ffmpeg -v error -y -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 1 -c:a aac "$out/bad_audio_only.m4a"
# Sound-only files, 3 s stereo each: a chirp on the left; on the right a quiet sine with one click
# (+0.7) on a known sample, so a test can check the decode starts where FFmpeg's does. The BWF
# and RF64 files carry a bext time reference of 172 800 000 samples = 01:00:00:00 at 48 kHz.
# audio NAME RATE CLICK_SAMPLE CHIRP_HZ ENCODER_ARGS...
audio() {
  local name=$1 rate=$2 click=$3 chirp=$4; shift 4
  ffmpeg -v error -y -f lavfi \
    -i "aevalsrc='0.4*sin(2*PI*($chirp+300*t)*t)|0.2*sin(2*PI*330*t)+0.7*eq(n\,$click)':s=$rate:d=3" \
    "$@" "$out/$name"
}
audio audio_bwf_48k24.wav   48000 24000  200 -c:a pcm_s24le -write_bext 1 -metadata time_reference=172800000
audio audio_rf64_48k24.wav  48000 30000  250 -c:a pcm_s24le -rf64 always -write_bext 1 -metadata time_reference=172800000
audio audio_44k16.aiff      44100 44100  300 -c:a pcm_s16be
audio audio_96k24.flac      96000 120000 350 -c:a flac -sample_fmt s32
# No PNS in the M4A: perceptual noise substitution fills bands from the decoder's random
# generator, whose state after a seek differs from a decode from the start, so seek tests could
# only compare within a tolerance.
audio audio_48k_aac.m4a     48000 72000  400 -c:a aac -b:a 192k -aac_pns 0
touch "$stamp"
echo "fixtures ready in $out"
