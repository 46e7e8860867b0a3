# Earmark — two commands on a fresh Debian/Ubuntu machine:
#   make run    installs missing system packages, builds release, opens the demo clip (or FILE=…)
#   make test   installs what tests need, makes fixtures, checks format and lints, runs every test
.PHONY: run build deps test-deps fixtures lint test fresh-test bench fuzz soak demo-clip clean-fixtures man

CARGO ?= cargo
FILE ?= assets/demo/earmark-demo.mov
FUZZ_SECONDS ?= 300
SOAK_SECONDS ?= 7200
SOAK_INTERVAL ?= 300

run: build
	target/release/earmark "$(FILE)"

build: deps
	$(CARGO) build --release

# The man pages, one per command (earmark.1, earmark-notes-export.1, …): `man -l target/man/man1/earmark.1`.
man: build
	target/release/earmark man --out target/man/man1

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

lint: deps
	$(CARGO) fmt --check
	$(CARGO) clippy --release --all-targets -- -D warnings

# Everything (scripts/run-tests.sh): format, clippy and the test builds in the idle scheduling
# class while the test packages install and the fixtures are made; then the tests, one binary at
# a time with the machine to themselves.
test: deps
	CARGO="$(CARGO)" MAKE="$(MAKE)" scripts/run-tests.sh

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
	scripts/with-test-env.sh $(CARGO) bench --bench together

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
