#!/usr/bin/env bash
# The body of `make test` (after its packages are installed): format check; the fixtures made
# while the code compiles (ffmpeg and the compiler rarely both fill two cores: the compiler's
# long single-crate stretches and links leave one idle); one linted build of every target
# (scripts/linted.sh); then the unit and check binaries, and the device binary with four threads
# (its level cases, each on a null sink of its own, run side by side; its timing cases hold the
# machine alone whatever the thread count). Prints how long each phase took.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
mkdir -p target
t0=$(date +%s)
phase() { echo "== $1 (at $(( $(date +%s) - t0 )) s)"; }

phase "format"
$CARGO fmt --check

phase "fixtures (in the background, log in target/fixtures.log) and the linted build"
(
  scripts/make-fixtures.sh && scripts/make-sync-fixtures.sh && scripts/make-spec-fixtures.sh &&
    scripts/make-layout-fixtures.sh && scripts/make-rotation-fixtures.sh
) >target/fixtures.log 2>&1 &
fixtures=$!
build=0
scripts/linted.sh $CARGO build --release --all-targets || build=$?
made=0
wait "$fixtures" || made=$?
if [ "$made" -ne 0 ]; then
  cat target/fixtures.log >&2
  echo "making the test fixtures failed (log above, target/fixtures.log)" >&2
fi
[ "$build" -eq 0 ] && [ "$made" -eq 0 ] || exit 1
phase "built and fixtures made"

# Same wrapper as the build, so the test commands find everything built and compile nothing.
status=0
scripts/with-test-env.sh scripts/linted.sh sh -c '
  '"$CARGO"' test --release --no-fail-fast --lib --bins --test checks; a=$?
  echo "== device tests (at $(( $(date +%s) - '"$t0"' )) s)"
  '"$CARGO"' test --release --no-fail-fast --test device -- --test-threads=4; b=$?
  [ $a -eq 0 ] && [ $b -eq 0 ]' || status=$?
phase "done, status $status"
exit "$status"
