#!/usr/bin/env bash
# Runs a cargo command with clippy as the compiler of Earmark's own crates, so one build both
# lints (warnings are errors, as `cargo clippy -- -D warnings`) and produces the binaries.
# `cargo clippy` does the same through the same two variables but stops before code generation,
# which makes the test build compile the crate graph a second time (every dependency checked,
# then built). `make test` uses this; `make lint` stays the plain command for everyday use.
#   scripts/linted.sh cargo build --release --all-targets
set -euo pipefail
driver="$(rustc --print sysroot)/bin/clippy-driver"
[ -x "$driver" ] || { echo "no clippy-driver at $driver: rustup component add clippy" >&2; exit 1; }
export RUSTC_WORKSPACE_WRAPPER="$driver"
# cargo-clippy's way of handing arguments to the driver (see clippy's src/main.rs).
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

# The hand-over above is clippy's internal interface; if a toolchain ever changes it the build
# would pass unlinted, silently. A probe with one lint violation must fail, or we stop here.
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'pub fn f(x: Option<u8>) -> u8 { x.unwrap() }\n' >"$probe/probe.rs"
if CLIPPY_ARGS="-W__CLIPPY_HACKERY__clippy::unwrap_used__CLIPPY_HACKERY__$CLIPPY_ARGS" \
  "$driver" rustc --edition 2021 --crate-type lib --emit metadata -o "$probe/probe.rmeta" \
  "$probe/probe.rs" >"$probe/out" 2>&1; then
  echo "linted.sh: clippy-driver no longer takes its lint settings from CLIPPY_ARGS;" \
    "use 'cargo clippy --release --all-targets -- -D warnings' and fix this script" >&2
  exit 1
fi
grep -q "unwrap_used\|unwrap()" "$probe/out" || { cat "$probe/out" >&2; echo "linted.sh: the probe failed for another reason" >&2; exit 1; }
"$@"
