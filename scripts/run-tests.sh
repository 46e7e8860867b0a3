#!/usr/bin/env bash
# `make test` once the build packages are in: every check.
#
# While the test packages install and the fixtures are made (downloads, then ffmpeg, at normal
# priority), the compiles run beside them in the idle scheduling class: `cargo fmt --check`,
# clippy, and every test binary built. The idle class only ever gets a core nobody else wants,
# so the packages and fixtures take as long as they would alone and the compiles use what is
# left (most of it, while packages download). Then the tests run one binary after the other with
# the machine to themselves, as the device cases' timing needs: the unit tests and tests/checks,
# then tests/device with eight test threads.
#
# (Tried and withdrawn, 2026-12-07: the device tests *beside* the idle-class compiles and checks.
# `make test` took ~650 s instead of ~800 s on a fresh machine, but the reviewers-heard-together
# case failed twice in a row there, a 30 ms jump in one run: the idle class keeps the cores
# free, not the memory bus, the disk or the hypervisor's scheduling. See BENCHMARKS.md.)
#
# Fails if anything failed; every step still runs. Logs: target/test-logs/.
set -uo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
MAKE=${MAKE:-make}
logs=target/test-logs
mkdir -p "$logs" target/test-times
rm -f target/test-times/device.log target/test-times/retries.log
t0=$(date +%s)
stamp() { echo "== $(( $(date +%s) - t0 )) s: $*"; }

# chrt is util-linux's (every Debian and Ubuntu has it); where the idle class is refused, the
# lowest nice level does nearly as well.
idle=(chrt --idle 0)
"${idle[@]}" true 2>/dev/null || idle=(nice -n 19)
compiles() {
  local rc=0
  stamp "compiles: cargo fmt --check"
  $CARGO fmt --check || rc=1
  stamp "compiles: clippy"
  $CARGO clippy --release --all-targets -- -D warnings || rc=1
  stamp "compiles: the test binaries"
  $CARGO test --release --no-run --lib --bins --test checks --test device || rc=2
  stamp "compiles: done"
  return $rc
}
export -f compiles stamp
export CARGO t0
"${idle[@]}" bash -c compiles >"$logs/compiles.log" 2>&1 &
compiling=$!

stamp "test packages and fixtures (beside the compiles, ${idle[*]})"
$MAKE --no-print-directory fixtures
fixtures_rc=$?
stamp "fixtures done (exit $fixtures_rc); waiting for the compiles"
wait "$compiling"
compiles_rc=$?
cat "$logs/compiles.log"
if [ "$fixtures_rc" -ne 0 ] || [ "$compiles_rc" -eq 2 ]; then
  stamp "make test: no tests run: $([ "$fixtures_rc" -ne 0 ] && echo "the test packages or fixtures could not be made") $([ "$compiles_rc" -eq 2 ] && echo "the tests did not build")"
  exit 1
fi

stamp "unit tests and tests/checks"
scripts/with-test-env.sh $CARGO test --release --no-fail-fast --lib --bins --test checks
checks_rc=$?
stamp "tests/device"
scripts/with-test-env.sh $CARGO test --release --no-fail-fast --test device -- --test-threads=8
device_rc=$?
if [ -s target/test-times/retries.log ]; then
  echo "== device cases run again after a spoilt first run (target/test-times/retries.log):"
  cat target/test-times/retries.log
fi
stamp "all done: format and clippy exit $compiles_rc, unit tests and checks exit $checks_rc, device exit $device_rc"
[ "$compiles_rc" -eq 0 ] && [ "$checks_rc" -eq 0 ] && [ "$device_rc" -eq 0 ]
