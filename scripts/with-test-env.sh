#!/usr/bin/env bash
# Runs a command inside Earmark's test environment: a private X server (Xvfb) for real windows
# and a private PulseAudio server with a 48 kHz null sink ("review") whose monitor tests record.
# Both are started here and stopped on exit; nothing on the machine is touched by hand.
#   scripts/with-test-env.sh cargo test --release
set -euo pipefail
runtime=$(mktemp -d /tmp/earmark-test-env.XXXXXX)
chmod 700 "$runtime"
export XDG_RUNTIME_DIR="$runtime"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$runtime"
}
trap cleanup EXIT

# A free display number.
display=99
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1600x1000x24 -nolisten tcp >"$runtime/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
[ -e "/tmp/.X11-unix/X$display" ] || { echo "Xvfb did not start:"; cat "$runtime/xvfb.log"; exit 1; } >&2
export DISPLAY=":$display"

if command -v pulseaudio >/dev/null; then
  pulseaudio -n --daemonize=no --exit-idle-time=-1 --disallow-exit --log-target=stderr \
    --load="module-null-sink sink_name=review rate=48000 sink_properties=device.description=Review" \
    --load="module-null-sink sink_name=review44 rate=44100 sink_properties=device.description=Review44" \
    --load="module-native-protocol-unix" >"$runtime/pulse.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  if pactl info >/dev/null 2>&1; then
    pactl set-default-sink review
    # A null sink left alone renders two seconds ahead, so every new stream would wait ~1.7 s
    # before it is heard (no real output device behaves so). A low-latency stream of silence
    # on each sink keeps it rendering 10 ms ahead, like hardware; it adds nothing to recordings.
    for sink in review review44; do
      pacat --playback --device="$sink" --latency-msec=10 --raw --format=float32le \
        --rate=48000 --channels=2 /dev/zero >/dev/null 2>&1 &
      pids+=($!)
    done
    # The two seconds already rendered must play out before the low latency takes hold.
    for _ in $(seq 50); do
      lat=$(pactl list sinks | awk '/^\tLatency:/ {print $2; exit}')
      [ -n "$lat" ] && [ "$lat" -lt 100000 ] && break
      sleep 0.1
    done
  else
    echo "warning: PulseAudio did not start (audio tests will fail):" >&2; tail -5 "$runtime/pulse.log" >&2
  fi
fi

"$@"
