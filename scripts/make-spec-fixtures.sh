#!/usr/bin/env bash
# Generates the delivery-spec-check fixtures (`earmark check`) with the ffmpeg CLI into
# tests/fixtures/cache-spec (not committed). Each file starts from one passing PIX Standard
# recipe and changes one thing, so each rule has a file that passes it and one that does not.
# Clips are 2 s at ultrafast so the whole set builds in seconds. Rebuilt only when this script
# changes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/cache-spec
stamp="$out/.recipe-$(sha256sum "$0" | cut -c1-16)"
[ -f "$stamp" ] && exit 0
command -v ffmpeg >/dev/null || { echo "ffmpeg CLI missing: run scripts/install-deps.sh test" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out"

V720="testsrc2=size=1280x720:rate=24000/1001"
A48="sine=frequency=1000:sample_rate=48000"
VENC=(-c:v libx264 -preset ultrafast -pix_fmt yuv420p -bf 0 -g 24 -keyint_min 24 -sc_threshold 0
      -color_primaries bt709 -color_trc bt709 -colorspace bt709 -b:v 1500k -maxrate 2000k -bufsize 2000k)
AENC=(-c:a aac -b:a 128k -ar 48000 -ac 2)
# No edit lists at all; -avoid_negative_ts keeps the first video sample its real length.
STRICT=(-metadata:s:v:0 encoder=H.264 -use_editlist 0 -avoid_negative_ts make_non_negative
        -timecode 01:00:00:00 -movflags +faststart)

# make NAME.EXT VIDEO_SOURCE AUDIO_SOURCE [extra ffmpeg output args…]; extra args come last so
# they override the defaults above.
make() {
  local name=$1 video=$2 audio=$3; shift 3
  ffmpeg -v error -y -f lavfi -i "$video" -f lavfi -i "$audio" -t 2 -map 0:v -map 1:a \
    "${VENC[@]}" "${AENC[@]}" "${STRICT[@]}" "$@" "$out/$name"
}

make pass_std.mov "$V720" "$A48"
make pass_sr.mov "testsrc2=size=1920x1080:rate=24000/1001" "$A48" -b:a 192k
# FFmpeg's defaults: identity edit on the picture, priming trim on the sound (a warning).
make elst_default.mov "$V720" "$A48" -use_editlist auto -avoid_negative_ts auto
make no_faststart.mov "$V720" "$A48" -movflags 0
make as_mp4.mp4 "$V720" "$A48" -f mp4
make fps25.mov "testsrc2=size=1280x720:rate=25" "$A48"
make fps15.mov "testsrc2=size=1280x720:rate=15" "$A48"
make size_1024x576.mov "testsrc2=size=1024x576:rate=24000/1001" "$A48"
make size_1920x1080.mov "testsrc2=size=1920x1080:rate=24000/1001" "$A48"
make avc3.mov "$V720" "$A48" -tag:v avc3
# Compressor names: "AVC Coding" (Bento4/mp4parser's default: a warning), FFmpeg's own (info).
make name_avc.mov "$V720" "$A48" -metadata:s:v:0 "encoder=AVC Coding"
make name_lavc.mov "$V720" "$A48" -metadata:s:v:0 "encoder=Lavc59.37.100 libx264"
make bframes.mov "$V720" "$A48" -bf 3 -use_editlist auto -avoid_negative_ts auto
# Open GOP needs B-frames in x264 (without them it silently closes the GOP).
make open_gop.mov "$V720" "$A48" -bf 3 -x264-params open-gop=1:keyint=24:min-keyint=24:scenecut=0
make interlaced.mov "$V720" "$A48" -flags +ildct+ilme -x264-params tff=1
make vfr.mov "$V720" "$A48" -vf "select='not(eq(mod(n\,5)\,4))'" -fps_mode vfr
make hi_bitrate.mov "$V720" "$A48" -b:v 6000k -minrate 6000k -maxrate 6000k -bufsize 3000k -x264-params nal-hrd=cbr
make bt2020.mov "$V720" "$A48" -color_primaries bt2020 -color_trc bt709 -colorspace bt2020nc
make mp3_audio.mov "$V720" "$A48" -c:a libmp3lame
make aac_main.mov "$V720" "$A48" -profile:a aac_main
make mono.mov "$V720" "$A48" -ac 1
make surround.mov "$V720" "$A48" -ac 6
make audio_44k.mov "$V720" "sine=frequency=1000:sample_rate=44100" -ar 44100
make no_timecode.mov "$V720" "$A48" -write_tmcd 0
# Beyond 8-bit 4:2:0 (Debian's libx264 encodes 10-bit and 4:2:2): High 10, High 4:2:2 (8- and
# 10-bit), High 4:4:4 Predictive.
make hi10.mov "$V720" "$A48" -pix_fmt yuv420p10le
make hi422.mov "$V720" "$A48" -pix_fmt yuv422p
make hi422_10.mov "$V720" "$A48" -pix_fmt yuv422p10le
make hi444.mov "$V720" "$A48" -pix_fmt yuv444p
# Stored sideways, flagged to be shown turned 90° clockwise: FFmpeg 5.1 writes `rotate=R` as R°
# counter-clockwise, and honours it only when stream-copying (see make-rotation-fixtures.sh).
ffmpeg -v error -y -i "$out/pass_std.mov" -map 0 -c copy -metadata:s:v:0 rotate=270 \
  -use_editlist 0 -movflags +faststart "$out/rotated90.mov"
# Not QuickTime at all: sound files and other containers, 1 s each.
for f in ep1.wav:pcm_s16le ep1_rf64.wav:pcm_s24le ep1.flac:flac ep1.aif:pcm_s16be \
         ep1.mp3:libmp3lame; do
  extra=(); [ "${f%%:*}" = ep1_rf64.wav ] && extra=(-rf64 always)
  ffmpeg -v error -y -f lavfi -i "$A48" -t 1 -c:a "${f#*:}" "${extra[@]}" "$out/${f%%:*}"
done
ffmpeg -v error -y -f lavfi -i "$V720" -f lavfi -i "$A48" -t 1 -map 0:v -map 1:a "${VENC[@]}" \
  "${AENC[@]}" "$out/ep1.mkv"
ffmpeg -v error -y -f lavfi -i "$V720" -f lavfi -i "$A48" -t 1 -map 0:v -map 1:a "${VENC[@]}" \
  "${AENC[@]}" -f mpegts "$out/ep1.ts"
# Two sound tracks: map the sine twice.
ffmpeg -v error -y -f lavfi -i "$V720" -f lavfi -i "$A48" -t 2 -map 0:v -map 1:a -map 1:a \
  "${VENC[@]}" "${AENC[@]}" "${STRICT[@]}" "$out/two_audio.mov"
# No sound at all (allowed: at most one sound track).
ffmpeg -v error -y -f lavfi -i "$V720" -t 2 -map 0:v "${VENC[@]}" "${STRICT[@]}" "$out/no_audio.mov"
# A subtitle (text) track.
printf '1\n00:00:00,000 --> 00:00:01,500\nHello\n' > "$out/subs.srt"
ffmpeg -v error -y -f lavfi -i "$V720" -f lavfi -i "$A48" -i "$out/subs.srt" -t 2 \
  -map 0:v -map 1:a -map 2:s -c:s mov_text "${VENC[@]}" "${AENC[@]}" "${STRICT[@]}" "$out/text_track.mov"
rm "$out/subs.srt"
# Damaged: moov at the end, tail cut off.
head -c 30000 "$out/no_faststart.mov" > "$out/bad_truncated.mov"
# Damaged: cut inside the movie header; and an empty file.
head -c 2000 "$out/pass_std.mov" > "$out/bad_cut_header.mov"
: > "$out/bad_empty.mov"

touch "$stamp"
