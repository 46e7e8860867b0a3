#!/usr/bin/env bash
# Generates the benchmark media into bench-media/ (not committed): 60 s of 1920x1080 23.976 fps
# H.264 High at ~10 Mbit/s with film-like grain (so the decoder works as hard as on real
# programme), one file with GOP 48 and one with GOP 250, both with 2 B-frames and a tmcd track;
# and 60 s of 1080p59.94 at ~16 Mbit/s for the playback benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench-media
stamp="$out/.recipe-$(sha256sum "$0" | cut -c1-16)"
[ -f "$stamp" ] && exit 0
rm -rf "$out"; mkdir -p "$out"
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
ls -la "$out"
