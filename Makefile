# Earmark — two commands on a fresh Debian/Ubuntu machine:
#   make run    installs missing system packages, builds release, opens the demo clip (or FILE=…)
#   make test   installs what tests need, makes fixtures, checks format and lints, runs every test
.PHONY: run build deps test-deps fixtures lint lint-only test test-ready test-build fresh-test bench fuzz soak demo-clip clean-fixtures

CARGO ?= cargo
FILE ?= assets/demo/earmark-demo.mov
FUZZ_SECONDS ?= 300
SOAK_SECONDS ?= 7200
SOAK_INTERVAL ?= 300

run: build
	target/release/earmark "$(FILE)"

build: deps
	$(CARGO) build --release

deps:
	scripts/install-deps.sh build

test-deps:
	scripts/install-deps.sh test

fixtures: test-deps
	scripts/make-fixtures.sh
	scripts/make-sync-fixtures.sh
	scripts/make-spec-fixtures.sh
	scripts/make-layout-fixtures.sh
	scripts/make-rotation-fixtures.sh

lint: deps lint-only

# `make test` in three phases. First the build packages (a fresh machine has none). Then two
# chains side by side, since neither needs the other and each leaves the processor idle at times
# (package downloads, one ffmpeg at a time, linking): the test packages and fixtures, and the
# build of every test binary. Then the tests: the library, the CLI and the checks binary, then
# the device binary with four test threads (its level-measuring cases, each on a null sink of
# its own, run side by side; the timing cases hold the machine alone).
#
# The lint is part of that build, not a second compile: Clippy's driver compiles Earmark's own
# crate (RUSTC_WORKSPACE_WRAPPER, as `cargo clippy` itself does, but building instead of only
# checking), with `-D warnings`, over the library, binary, tests and benches. `cargo clippy`
# would first check every dependency a second time, which on a fresh machine took longer than
# the lint. The tests run under the same wrapper so nothing is compiled again. `make lint` is
# the usual `cargo clippy`.
CLIPPY_DRIVER = $(shell rustc --print sysroot 2>/dev/null)/bin/clippy-driver
test test-ready test-build: export RUSTC_WORKSPACE_WRAPPER = $(CLIPPY_DRIVER)
test test-ready test-build: export CLIPPY_ARGS = -D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__

test: deps
	$(MAKE) --no-print-directory -j2 --output-sync=target test-ready
	scripts/with-test-env.sh sh -c '$(CARGO) test --release --no-fail-fast --lib --bins --test checks; \
	  a=$$?; $(CARGO) test --release --no-fail-fast --test device -- --test-threads=4; \
	  b=$$?; [ $$a -eq 0 ] && [ $$b -eq 0 ]'

test-ready: fixtures test-build

# Every test binary built, linted as it is compiled (above), without running any.
test-build:
	@[ -x "$(CLIPPY_DRIVER)" ] || { echo "no clippy-driver at $(CLIPPY_DRIVER): rustup component add clippy" >&2; exit 1; }
	$(CARGO) fmt --check
	$(CARGO) test --release --no-run --lib --bins --tests --benches

lint-only:
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings

# The two set-up commands proved where nothing was installed before: a clean Debian 12 root
# (cached), a fresh clone of HEAD, `make run` (window screenshot checked) and `make test` in it.
# Takes about half an hour on two cores; needs root. Not part of `make test`.
fresh-test:
	scripts/fresh-test.sh

bench: test-deps
	scripts/make-bench-media.sh
	$(CARGO) bench --bench exact_frames
	scripts/with-test-env.sh $(CARGO) bench --bench playback
	$(CARGO) build --release
	scripts/with-test-env.sh $(CARGO) bench --bench window
	$(CARGO) bench --bench loudness
	$(CARGO) bench --bench spec_check
	$(CARGO) bench --bench notes_store

# Mutation fuzzing of the spec check's readers (tests/checks/fuzz_spec.rs) for FUZZ_SECONDS, with
# integer-overflow checks on in earmark's own code; findings land in tests/fuzz/crashes/.
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(CARGO) test --release --test checks \
	  --config 'profile.release.package.earmark.overflow-checks=true' -- fuzz_spec::fuzz --ignored --exact --nocapture

# Hours of looped 1080p playback through the real output path (tests/device/soak.rs): memory flat
# after a warm-up and no A/V drift; prints a row every SOAK_INTERVAL seconds for BENCHMARKS.md.
soak: test-deps
	scripts/make-sync-fixtures.sh
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_INTERVAL=$(SOAK_INTERVAL) scripts/with-test-env.sh \
	  $(CARGO) test --release --test device -- soak:: --ignored --nocapture

demo-clip: test-deps
	scripts/make-demo-clip.sh

clean-fixtures:
	rm -rf tests/fixtures/cache tests/fixtures/cache-sync tests/fixtures/cache-spec \
	  tests/fixtures/cache-rotation tests/fixtures/cache-layout bench-media
