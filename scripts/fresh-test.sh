#!/usr/bin/env bash
# Proves the README's two set-up commands on a machine where nothing was installed before:
# a clean Debian 12 root (mmdebstrap, the base cached between runs), a fresh clone of this
# repository's committed HEAD copied into it, the Rust toolchain of this machine lent read-only
# (a new user installs Rust first; it is the only thing they bring), and then, inside it,
# exactly `make run` (the window opened on a private X server, a screenshot taken and checked)
# and `make test`. Prints how long each took. Needs root (chroot, mounts); not part of `make test`.
#   scripts/fresh-test.sh            FRESH_KEEP=1 keeps the root afterwards for a look
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
[ "$(id -u)" -eq 0 ] || { echo "fresh-test needs root (chroot and mounts): sudo make fresh-test" >&2; exit 1; }

# What this script itself needs on the host.
host_missing=()
for p in mmdebstrap xvfb imagemagick xdotool git; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || host_missing+=("$p")
done
if [ ${#host_missing[@]} -gt 0 ]; then
  echo "Installing on this machine: ${host_missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${host_missing[@]}" >/dev/null
fi

toolchain=$(rustc --print sysroot)
[ -x "$toolchain/bin/cargo" ] || { echo "no Rust toolchain at $toolchain" >&2; exit 1; }
for c in rustfmt cargo-clippy; do
  [ -x "$toolchain/bin/$c" ] || { echo "the toolchain at $toolchain has no $c (rustup component add)" >&2; exit 1; }
done

# The base: what a fresh Debian 12 machine has, plus `make` and CA certificates (cargo reaches
# crates.io over TLS). Cached by its package list; delete the cache folder to rebuild it.
cache=${FRESH_CACHE:-/var/cache/earmark-fresh}
mkdir -p "$cache"
include=make,ca-certificates
mirror=http://deb.debian.org/debian
base="$cache/bookworm-$(printf '%s %s' "$include" "$mirror" | sha256sum | cut -c1-12).tar"
t0=$(date +%s)
if [ ! -s "$base" ]; then
  echo "== building the Debian 12 base root (cached in $base)"
  mmdebstrap --quiet --mode=root --variant=important --include="$include" \
    bookworm "${base%.tar}.part.tar" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb http://deb.debian.org/debian-security bookworm-security main"
  mv "${base%.tar}.part.tar" "$base"
fi
t_base=$(( $(date +%s) - t0 ))

work=$(mktemp -d /var/tmp/earmark-fresh.XXXXXX)
root="$work/root"
display=""
xvfb_pid=""
cleanup() {
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  if [ "${FRESH_KEEP:-0}" = 1 ]; then
    echo "root kept in $root"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
mkdir -p "$root"
tar -C "$root" -xf "$base"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# The network's own trust anchors: where package registries are reached through a TLS proxy,
# every machine on that network carries its CA, and so must the fresh one (nothing else is
# copied from this machine).
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
  chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
fi

# A fresh clone of what is committed (not the work tree, not target/).
echo "== cloning $(git -C "$repo" rev-parse --short HEAD) into the root"
mkdir -p "$root/home/reviewer"
git clone -q --no-hardlinks "$repo" "$root/home/reviewer/earmark"
mkdir -p "$root/opt/rust" "$root/tmp/.X11-unix"

# The user's display: an X server on this machine, its socket shared with the root.
display=90
while [ -e "/tmp/.X11-unix/X$display" ] || [ -e "/tmp/.X$display-lock" ]; do display=$((display + 1)); done
Xvfb ":$display" -screen 0 1600x1000x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
[ -e "/tmp/.X11-unix/X$display" ] || { echo "Xvfb did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }

# Runs a shell command inside the root, in a private mount namespace (the mounts vanish with it).
in_root() {
  unshare --mount --fork -- /bin/bash -euo pipefail -c '
    root=$1; toolchain=$2; display=$3; shift 3
    mount --make-rprivate /
    mount --rbind /dev "$root/dev"
    mount -t proc proc "$root/proc"
    mount --rbind /sys "$root/sys"
    mount -t tmpfs tmpfs "$root/tmp"
    mkdir -p "$root/tmp/.X11-unix"
    mount --bind "/tmp/.X11-unix" "$root/tmp/.X11-unix"
    mount --bind "$toolchain" "$root/opt/rust"
    mount -o remount,bind,ro "$root/opt/rust"
    exec chroot "$root" /usr/bin/env -i HOME=/root USER=root LOGNAME=root TERM=dumb \
      PATH=/opt/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      CARGO_HOME=/root/.cargo DISPLAY=":$display" CARGO_TERM_COLOR=never \
      /bin/bash -euo pipefail -c "cd /home/reviewer/earmark && $*"
  ' in_root "$root" "$toolchain" "$display" "$@"
}

# make run: installs the build packages, builds, opens the demo clip. It runs until the window is
# closed, so it is left running until its window shows the picture, photographed, then ended.
echo "== make run"
t0=$(date +%s)
in_root "make run" >"$work/make-run.log" 2>&1 &
run_pid=$!
window=""
while kill -0 "$run_pid" 2>/dev/null; do
  window=$(DISPLAY=":$display" xdotool search --name '^Earmark' 2>/dev/null | head -1 || true)
  [ -n "$window" ] && break
  sleep 2
done
if [ -z "$window" ]; then
  echo "make run ended without a window:" >&2; tail -30 "$work/make-run.log" >&2
  FRESH_KEEP=1
  exit 1
fi
t_window=$(( $(date +%s) - t0 ))
sleep 8 # the demo clip's first picture and the first paint
shot="${FRESH_SHOT:-$repo/target/fresh-test-window.png}"
mkdir -p "$(dirname "$shot")"
DISPLAY=":$display" import -window root "$shot"
pkill -f -x "target/release/earmark assets/demo/earmark-demo.mov" 2>/dev/null || true
wait "$run_pid" 2>/dev/null || true
# A window with the picture in it has thousands of colours; an empty or black one has a few.
colours=$(identify -format '%k' "$shot")
echo "make run: window after ${t_window} s (install + build), screenshot $shot, $colours colours"
[ "$colours" -ge 2000 ] || { echo "the window shows no picture ($colours colours): see $shot" >&2; tail -30 "$work/make-run.log" >&2; exit 1; }

echo "== make test"
t0=$(date +%s)
if ! in_root "make test" >"$work/make-test.log" 2>&1; then
  tail -60 "$work/make-test.log" >&2
  echo "make test FAILED in the fresh root after $(( $(date +%s) - t0 )) s (log: $work/make-test.log)" >&2
  FRESH_KEEP=1
  exit 1
fi
t_test=$(( $(date +%s) - t0 ))
grep -E '^test result:' "$work/make-test.log" | awk '{p+=$4; f+=$6} END {print "make test: " p " passed, " f " failed"}'
cp "$work/make-test.log" "$repo/target/fresh-test-make-test.log"
echo "fresh-test passed: base root ${t_base} s, make run to the window ${t_window} s, make test ${t_test} s"
