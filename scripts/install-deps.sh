#!/usr/bin/env bash
# Installs the system packages Earmark needs on Debian/Ubuntu, only those missing.
#   scripts/install-deps.sh build   -> FFmpeg dev libs, clang, ALSA, X/Wayland headers, and the
#                                      X keyboard library winit loads at run time (libxkbcommon-x11:
#                                      without it the window cannot open on X11; found by fresh-test),
#                                      and fonts for the scripts reviewers write in (Noto CJK for
#                                      Korean, Japanese, Chinese; Noto core for Hebrew, Arabic,
#                                      Devanagari, Thai …): the window and the burned-in watermark
#                                      find them through the system's font fallback
#   scripts/install-deps.sh test    -> build + ffmpeg CLI, Xvfb, PulseAudio, espeak-ng, sox, mido, xdotool,
#                                      mediainfo (the spec check's cross-check, tests/checks/spec_mediainfo.rs),
#                                      strace (tests/device/no_network.rs), chromium + poppler-utils
#                                      (the report printed to PDF, tests/checks/report_pdf.rs)
set -euo pipefail
want=${1:-build}
build_pkgs=(pkg-config clang libclang-dev libavcodec-dev libavformat-dev libavutil-dev
  libswscale-dev libswresample-dev libavfilter-dev libavdevice-dev libasound2-dev
  libxkbcommon-dev libwayland-dev libx11-dev libxcursor-dev libxrandr-dev libxi-dev
  libgl1-mesa-dev mesa-vulkan-drivers libxkbcommon-x11-0 fonts-noto-core fonts-noto-cjk)
test_pkgs=(ffmpeg xvfb pulseaudio pulseaudio-utils libasound2-plugins espeak-ng sox imagemagick time python3-mido xdotool mediainfo strace
  chromium poppler-utils)
pkgs=("${build_pkgs[@]}")
[ "$want" = test ] && pkgs+=("${test_pkgs[@]}")

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

# Leave the machine in its steady state: packages that bring fonts leave fontconfig's system
# cache stale (the Debian trigger does not always run, e.g. without apt-utils), and the first
# program to use fontconfig afterwards rewrites /var/cache/fontconfig. Build it here, once.
# Cheap when the cache is current (~20 ms); skipped for a non-root user who was not asked to install.
font_cache() {
  command -v fc-cache >/dev/null || return 0
  if [ -z "$sudo" ]; then fc-cache -s || true; elif [ "${1:-}" = installed ]; then $sudo fc-cache -s || true; fi
}

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  font_cache
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "Missing packages: ${missing[*]}. Install them with your system's package manager (see README)." >&2
  exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
font_cache installed
