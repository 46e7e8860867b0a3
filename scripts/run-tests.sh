#!/usr/bin/env bash
# `make test` once the build packages are in: every check.
#
# While the test packages install and the fixtures are made (downloads, then ffmpeg, at normal
# priority), the compiles run beside them in the idle scheduling class: `cargo fmt --check`,
# and every test binary built, clippy linting Earmark's own code as it compiles
# (scripts/lint-wrapper.sh: no second check build of the dependencies). The idle class only
# ever gets a core nobody else wants, so the packages and fixtures take as long as they would
# alone and the compiles use what is left (most of it, while packages download). Then the tests run one binary after the other with
# the machine to themselves, as the device cases' timing needs: the unit tests and tests/checks,
# then tests/device with eight test threads.
#
# (Tried and withdrawn, 2026-12-07: the device tests *beside* the idle-class compiles and checks.
# `make test` took ~650 s instead of ~800 s on a fresh machine, but the reviewers-heard-together
# case failed twice in a row there, a 30 ms jump in one run: the idle class keeps the cores
# free, not the memory bus, the disk or the hypervisor's scheduling. See BENCHMARKS.md.
# Tried twice, no faster: tests/checks beside tests/device's shared cases only, the exclusive
# ones waiting on a machine-wide flock — both are CPU-bound on two cores: checks 87 → 152 s,
# device 309 → 384 s, and a window case failed.)
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
  # Clippy runs inside the test build (scripts/lint-wrapper.sh says how and why): every test
  # executable gets a verdict in target/lint/.
  stamp "compiles: the test binaries, linted as they are compiled"
  RUSTC_WRAPPER="$PWD/scripts/lint-wrapper.sh" $CARGO test --release --no-run --lib --bins \
    --test checks --test device --message-format=json-render-diagnostics >"$logs/test-build.json" || return 2
  stamp "compiles: clippy's verdicts"
  lint_verdicts || rc=1
  stamp "compiles: done"
  return $rc
}
# Clippy's verdict on each of Earmark's test executables the build just listed (the lib's and
# bin's unit tests, tests/checks with the benches, tests/device): a stamp newer than the
# executable says whether it passed. An executable without one (built by a plain `cargo test`),
# or a bench edited since tests/checks was linted, sends the lint to the plain `cargo clippy`,
# which checks everything again and alone decides then.
lint_verdicts() {
  local exe base f seen=0 failures=() unstamped=() checks_stamp=""
  # Earmark's units by their manifest: cargo shortens the package id to
  # `path+file:///…/earmark#0.1.0` when the folder is named for the package, as a clone is.
  for exe in $(grep '"reason":"compiler-artifact"' "$logs/test-build.json" |
    grep -F "\"manifest_path\":\"$(pwd -P)/Cargo.toml\"" |
    grep -o '"executable":"[^"]*/deps/[^"]*"' | sed 's/^"executable":"//; s/"$//'); do
    seen=$((seen + 1))
    base=target/lint/$(basename "$exe")
    case "$base" in target/lint/checks-*) checks_stamp=$base ;; esac
    if [ "$base.failed" -nt "$exe" ]; then
      failures+=("$base.failed")
    elif ! [ "$base.ok" -nt "$exe" ]; then
      unstamped+=("$(basename "$exe")")
    fi
  done
  # The benches are linted with tests/checks (lint-wrapper.sh): one edited since needs the lint.
  for f in benches/*.rs; do
    if ! [ "$checks_stamp.ok" -nt "$f" ] && ! [ "$checks_stamp.failed" -nt "$f" ]; then
      unstamped+=("$f")
    fi
  done
  if [ "$seen" = 0 ]; then
    echo "clippy: the test build listed no executables of Earmark's: cargo clippy"
    unstamped=(all)
  fi
  if [ "${#unstamped[@]}" -gt 0 ]; then
    echo "clippy: no verdict for ${unstamped[*]} (built outside make test): cargo clippy"
    $CARGO clippy --release --all-targets -- -D warnings || return 1
  elif [ "${#failures[@]}" -gt 0 ]; then
    cat "${failures[@]}"
    return 1
  fi
  echo "clippy: no warnings"
}
export -f compiles lint_verdicts stamp
export CARGO t0 logs
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
