#!/usr/bin/env bash
# Generates the playback-engine fixtures with the ffmpeg CLI into tests/fixtures/cache-sync
# (not committed):
#  - sync_<rate>.mov: 720p, 12 s, black picture with one white flash frame every second and a
#    1 kHz beep exactly one frame long starting on the flash frame's first sample (sample
#    maths on integers: frame = floor(n × num / (den × 48000))), tmcd 01:00:00:00;
#  - tone_1080p23976_62s.mov: 62 s of 1080p23.976 H.264 at ~10 Mbit/s with a continuous 1 kHz
#    tone at −20 dBFS, for the no-dropout test.
# Rebuilt only when this script changes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/cache-sync
stamp="$out/.recipe-$(sha256sum "$0" | cut -c1-16)"
[ -f "$stamp" ] && exit 0
command -v ffmpeg >/dev/null || { echo "ffmpeg CLI missing: run scripts/install-deps.sh test" >&2; exit 1; }
rm -rf "$out"; mkdir -p "$out"

# sync NAME NUM DEN PERIOD(frames between flashes)
sync() {
  local name=$1 num=$2 den=$3 period=$4
  local frame="floor(n*$num/($den*48000))"
  ffmpeg -v error -y \
    -f lavfi -i "color=black:size=1280x720:rate=$num/$den,drawbox=enable='eq(mod(n\,$period)\,0)':x=0:y=0:w=iw:h=ih:t=fill:c=white" \
    -f lavfi -i "aevalsrc='if(eq(mod($frame\,$period)\,0)\,0.5*sin(2*PI*1000*n/48000)\,0)|if(eq(mod($frame\,$period)\,0)\,0.5*sin(2*PI*1000*n/48000)\,0)':s=48000" \
    -t 12 -map 0:v -map 1:a -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 24 -bf 2 \
    -c:a aac -b:a 192k -timecode 01:00:00:00 -movflags +faststart "$out/$name.mov"
}
sync sync_23976 24000 1001 24
sync sync_25    25    1    25
sync sync_2997  30000 1001 30
sync sync_5994  60000 1001 60

ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=24000/1001" \
  -f lavfi -i "sine=frequency=1000:sample_rate=48000,volume=0.8" -t 62 -map 0:v -map 1:a \
  -c:v libx264 -preset ultrafast -pix_fmt yuv420p -b:v 10M -g 48 -bf 2 \
  -c:a aac -b:a 192k -ac 2 -timecode 01:00:00:00 -movflags +faststart "$out/tone_1080p23976_62s.mov"
touch "$stamp"
echo "sync fixtures ready in $out"
