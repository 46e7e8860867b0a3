#!/usr/bin/env bash
# Clippy inside `make test`'s test build, without a second build of the crate graph.
#
# `cargo clippy` checks every dependency again in check mode (~700 crates, ~2 minutes here on
# two cores) although the release build already compiled them all; clippy's own work on
# Earmark is ~30 s. Set as RUSTC_WRAPPER for the test build, this script compiles every unit
# exactly as cargo asked — the tests run the program users get — and, for Earmark's own
# units, runs clippy-driver beside the compile with the same arguments, emitting metadata only
# into a scratch folder, against the dependencies the build already made. (RUSTC_WRAPPER,
# unlike RUSTC_WORKSPACE_WRAPPER, is not part of cargo's fingerprints, so nothing already
# built is built again.)
#
# What is linted matches `cargo clippy --all-targets`: the lib's and the bin's unit tests and
# the integration tests as they are compiled, the plain lib and bin from their test units'
# arguments without `--test` (the plain ones are usually built already, by `make build`), and
# each bench from tests/checks' arguments (`make test` does not build them). The verdict is a
# stamp per test executable in target/lint/: NAME.ok, or NAME.failed holding clippy's messages. The build itself never fails on a lint; the caller
# (scripts/run-tests.sh) reads the stamps, and runs the plain `cargo clippy` where a unit has
# none newer than its executable (built by a plain `cargo test`, say).
set -uo pipefail
rustc=$1
shift

# Dependencies, and cargo asking the compiler what it can do: compile as asked.
[ "${CARGO_PRIMARY_PACKAGE:-}" = 1 ] && [ "${CARGO_PKG_NAME:-}" = earmark ] || exec "$rustc" "$@"

crate="" extra="" source="" test=0 prev=""
for a in "$@"; do
  case "$prev" in
    --crate-name) crate=$a ;;
  esac
  case "$a" in
    --test) test=1 ;;
    extra-filename=*) extra=${a#extra-filename=} ;;
    *.rs) source=$a ;;
  esac
  prev=$a
done
# The plain lib and bin are linted through their test units (below), not twice.
if [ "$test" = 0 ] && { [ "$source" = src/lib.rs ] || [ "$source" = src/main.rs ]; }; then
  exec "$rustc" "$@"
fi

driver="$(dirname "$rustc")/clippy-driver"
[ -x "$driver" ] || driver=$(command -v clippy-driver) || exec "$rustc" "$@"
stamps="$CARGO_MANIFEST_DIR/target/lint"
mkdir -p "$stamps"
name="$crate$extra"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/earmark-lint.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
rm -f "$stamps/$name.ok" "$stamps/$name.failed"

# One lint: the compile's arguments made a lint — metadata only, into the scratch folder, no
# incremental state (the compile beside it owns that), human-readable messages, warnings
# denied — and without `--test` when $2 names the crate type to lint as instead.
lint() {
  local label=$1 as=$2 bench=${bench_name:-} out="$scratch/$1" args=() a drop_c=0 prev=""
  shift 2
  mkdir -p "$out"
  local skip=0
  for a in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; args+=("$out"); continue; fi
    if [ "$drop_c" = 1 ]; then
      drop_c=0
      case "$a" in
        incremental=*) continue ;;
        *) args+=(-C "$a"); continue ;;
      esac
    fi
    if [ -n "$bench" ] && [ "$prev" = --crate-name ]; then args+=("$bench"); prev=$a; continue; fi
    prev=$a
    if [ -n "$bench" ] && [ "$a" = "$source" ]; then args+=("benches/$bench.rs"); continue; fi
    case "$a" in
      --emit=*) args+=(--emit=metadata) ;;
      --error-format=*) args+=(--error-format=human) ;;
      --json=*) ;;
      --out-dir) args+=(--out-dir); skip=1 ;;
      -C) drop_c=1 ;;
      --test) [ -n "$as" ] || args+=(--test) ;;
      *) args+=("$a") ;;
    esac
  done
  [ -n "$as" ] && args+=(--crate-type "$as")
  if ! "$driver" "$rustc" "${args[@]}" -D warnings >"$scratch/$label.log" 2>&1; then
    local shown=$source
    [ -n "$bench" ] && shown=benches/$bench.rs
    { echo "== clippy: ${bench:-$crate} ($label, $shown)"; cat "$scratch/$label.log"; } >>"$scratch/failed"
  fi
}

lints() {
  lint "$([ "$test" = 1 ] && echo test || echo target)" "" "$@"
  if [ "$test" = 1 ] && [ "$source" = src/lib.rs ]; then lint lib lib "$@"; fi
  if [ "$test" = 1 ] && [ "$source" = src/main.rs ]; then lint bin bin "$@"; fi
  # The benches are not built by `make test`; they see what the integration tests see (the
  # lib, the dependencies and dev-dependencies), so tests/checks' arguments lint them.
  if [ "$test" = 1 ] && [ "$source" = tests/checks/main.rs ]; then
    local f
    for f in benches/*.rs; do
      bench_name=$(basename "$f" .rs) lint "bench-$(basename "$f" .rs)" bin "$@"
    done
  fi
}

lints "$@" &
linting=$!
"$rustc" "$@"
rc=$?
wait "$linting"
if [ -s "$scratch/failed" ]; then
  mv "$scratch/failed" "$stamps/$name.failed"
else
  : >"$stamps/$name.ok"
fi
exit "$rc"
