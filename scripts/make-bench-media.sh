#!/usr/bin/env bash
# Generates the benchmark media into bench-media/ (not committed), in two groups, each rebuilt
# only when its own recipe (the lines between its markers) changes:
# - playback: 60 s of 1920x1080 23.976 fps H.264 High at ~10 Mbit/s with film-like grain (so
#   the decoder works as hard as on real programme), one file with GOP 48 and one with GOP 250,
#   both with 2 B-frames and a tmcd track; and 60 s of 1080p59.94 at ~16 Mbit/s for the playback
#   benchmark.
# - spec: a ≥ 1 GiB PIX Screening Room review file for the spec-check benchmark
#   (benches/spec_check.rs): 1080p23.976 H.264 at ~9.5 Mbit/s, closed GOP 24, no B-frames, AAC-LC
#   192 kbit/s 48 kHz stereo, tmcd, fast start — about 15 minutes, so its sample tables are as
#   long as a real reel's; and the same streams with the movie header at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-media
mkdir -p "$out"
# recipe NAME: the stamp file for the group NAME, named after the hash of its recipe lines.
recipe() { echo "$out/.recipe-$1-$(sed -n "/^# >>> $1$/,/^# <<< $1$/p" "$0" | sha256sum | cut -c1-16)"; }

# >>> playback
stamp=$(recipe playback)
if [ ! -f "$stamp" ]; then
  rm -f "$out"/bench_*.mov "$out"/.recipe-playback-*
  for gop in 48 250; do
    ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=24000/1001,noise=alls=12:allf=t" \
      -f lavfi -i "sine=frequency=1000:sample_rate=48000" -frames:v 1440 -map 0:v -map 1:a -shortest \
      -c:v libx264 -preset veryfast -pix_fmt yuv420p -b:v 10M -maxrate 12M -bufsize 20M \
      -g $gop -keyint_min $gop -sc_threshold 0 -bf 2 -x264-params b-adapt=0 \
      -c:a aac -b:a 192k -ac 2 -timecode 01:00:00:00 -movflags +faststart "$out/bench_1080p23976_gop$gop.mov"
  done
  # 60 s of 1080p59.94 (the heaviest review format): GOP 60, same grain and bitrate class.
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=60000/1001,noise=alls=12:allf=t" \
    -f lavfi -i "sine=frequency=1000:sample_rate=48000" -frames:v 3600 -map 0:v -map 1:a -shortest \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p -b:v 16M -maxrate 20M -bufsize 32M \
    -g 60 -keyint_min 60 -sc_threshold 0 -bf 2 -x264-params b-adapt=0 \
    -c:a aac -b:a 192k -ac 2 -timecode "01:00:00;00" -movflags +faststart "$out/bench_1080p5994_gop60.mov"
  touch "$stamp"
fi
# <<< playback

# >>> spec
stamp=$(recipe spec)
if [ ! -f "$stamp" ]; then
  rm -f "$out"/spec_*.mov "$out"/.recipe-spec-*
  # One minute of grainy picture (1440 frames, ~15 s of ultrafast encoding on 2 cores) …
  unit="$out/spec_unit.tmp.mov"
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=24000/1001,noise=alls=12:allf=t" \
    -frames:v 1440 -an -c:v libx264 -preset ultrafast -pix_fmt yuv420p \
    -b:v 9500k -maxrate 10M -bufsize 10M -bf 0 -g 24 -keyint_min 24 -sc_threshold 0 \
    -color_primaries bt709 -color_trc bt709 -colorspace bt709 "$unit"
  # … repeated by stream copy until the file passes 1 GiB (looping the picture alone keeps its
  # timing one unbroken 1001/24000 run), with the sound encoded fresh over the whole length.
  loops=$(( (1073741824 + $(stat -c %s "$unit") - 1) / $(stat -c %s "$unit") ))
  ffmpeg -v error -y -stream_loop $((loops - 1)) -i "$unit" \
    -f lavfi -i "sine=frequency=1000:sample_rate=48000" -map 0:v -map 1:a -shortest \
    -c:v copy -c:a aac -b:a 192k -ar 48000 -ac 2 -metadata:s:v:0 encoder=H.264 \
    -use_editlist 0 -avoid_negative_ts make_non_negative -timecode 01:00:00:00 \
    -movflags +faststart "$out/spec_1gb_faststart.mov"
  # Same streams, movie header (moov) after the media (mdat): ffmpeg's default layout.
  ffmpeg -v error -y -i "$out/spec_1gb_faststart.mov" -map 0:v -map 0:a -c copy \
    -metadata:s:v:0 encoder=H.264 -use_editlist 0 -avoid_negative_ts make_non_negative \
    -timecode 01:00:00:00 "$out/spec_1gb_moov_at_end.mov"
  rm -f "$unit"
  touch "$stamp"
fi
# <<< spec
ls -la "$out"
