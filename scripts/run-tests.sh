#!/usr/bin/env bash
# `make test` after its packages and fixtures: every check, in two lanes at once.
#
#   device lane (normal priority): the device test binary (tests/device), run directly, eight
#     cases at a time where they may share the machine. Its timing cases (A/V sync, a minute
#     without dropouts, two reviewers heard within 5 ms) hold the machine alone, but most of
#     their time is spent waiting for the clock: a core stays mostly idle.
#   background lane (SCHED_IDLE, its own X and sound servers): format and clippy, the unit
#     tests and the checks binary (tests/checks). The idle scheduling class only ever gets a core
#     nobody else wants, and a waking device case preempts it at once, so the timing cases keep
#     the machine as if alone while the compiles fill the idle time.
#
# The lanes share nothing but the target directory: the device binary is built first and then
# run without cargo, so the background lane's cargo holds the build lock undisturbed.
# Each lane's whole output is printed (the background lane's after the device lane's); the
# script fails if anything failed. Logs: target/test-logs/{device,background}.log.
set -uo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
logs=target/test-logs
mkdir -p "$logs"
t0=$(date +%s)
stamp() { echo "== $(( $(date +%s) - t0 )) s: $*"; }

# The device binary and the earmark binary it runs (one build graph with `make run`).
rm -f target/test-times/device.log target/test-times/retries.log
stamp "building the device tests"
if ! $CARGO test --release --no-run --test device 2>&1 | tee "$logs/device-build.log"; then
  echo "make test: the device tests did not build (see above)" >&2
  exit 1
fi
device_exe=$(sed -n 's/.*Executable tests\/device\/main.rs (\(.*\))$/\1/p' "$logs/device-build.log" | tail -1)
[ -x "$device_exe" ] || { echo "make test: no device test binary named in $logs/device-build.log" >&2; exit 1; }

# The background lane. chrt is util-linux's (every Debian and Ubuntu has it); where the idle
# class is refused, the lowest nice level is nearly as kind to the timing cases.
idle=(chrt --idle 0)
"${idle[@]}" true 2>/dev/null || idle=(nice -n 19)
background() {
  local rc=0
  stamp "background: cargo fmt --check"
  $CARGO fmt --check || rc=1
  stamp "background: clippy"
  $CARGO clippy --release --all-targets -- -D warnings || rc=1
  stamp "background: unit tests and tests/checks"
  $CARGO test --release --no-fail-fast --lib --bins --test checks || rc=1
  stamp "background: done"
  return $rc
}
export -f background stamp
export CARGO t0
"${idle[@]}" scripts/with-test-env.sh bash -c background >"$logs/background.log" 2>&1 &
bg=$!

stamp "device tests"
scripts/with-test-env.sh "$device_exe" --test-threads=8 2>&1 | tee "$logs/device.log"
device_rc=${PIPESTATUS[0]}
stamp "device tests done (exit $device_rc); waiting for the background lane"

wait "$bg"
bg_rc=$?
echo "== background lane (${idle[*]}): format, clippy, unit tests, tests/checks"
cat "$logs/background.log"
if [ -s target/test-times/retries.log ]; then
  echo "== device cases run again after a spoilt first run (target/test-times/retries.log):"
  cat target/test-times/retries.log
fi
stamp "all done: device exit $device_rc, background exit $bg_rc"
[ "$device_rc" -eq 0 ] && [ "$bg_rc" -eq 0 ]
