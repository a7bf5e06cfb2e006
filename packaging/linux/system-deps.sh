#!/usr/bin/env bash
# Install the Debian/Ubuntu packages skydesk needs, and nothing that is already there.
#
#   packaging/linux/system-deps.sh runtime   # what the desktop app needs (Qt's xcb platform plugin)
#   packaging/linux/system-deps.sh test      # runtime + what the test suite needs
#
# Idempotent and quick: it asks dpkg what is installed and only runs `apt-get update` and
# `apt-get install` when something is missing. It uses sudo only when not already root.
set -euo pipefail

usage() {
    echo "usage: $0 runtime|test" >&2
    exit 2
}

[[ $# -eq 1 ]] || usage
profile=$1

# Libraries Qt 6's xcb platform plugin links against that a minimal Debian 12 lacks
# (checked with ldd on PySide6's libqxcb.so; libxcb-cursor0 is required since Qt 6.5).
runtime_pkgs=(
    libxcb-cursor0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
    libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
    libegl1 libgl1 libfontconfig1 libdbus-1-3 libglib2.0-0
)

# mosquitto: the reference broker; gnome-keyring + dbus: a real Secret Service keyring
# (dbus-run-session); xvfb + xauth: xvfb-run for screenshots on a headless machine;
# desktop-file-utils + appstream: validate the .desktop and .metainfo.xml files.
test_pkgs=(
    mosquitto mosquitto-clients gnome-keyring dbus xvfb xauth desktop-file-utils appstream
)

case $profile in
    runtime) wanted=("${runtime_pkgs[@]}") ;;
    test) wanted=("${runtime_pkgs[@]}" "${test_pkgs[@]}") ;;
    *) usage ;;
esac

# Debian's python3 ships the venv module without ensurepip; `python3 -m venv` then fails.
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    wanted+=(python3-venv)
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "system-deps: not a Debian-based system; install the equivalents of these yourself:" >&2
    echo "  ${wanted[*]}" >&2
    exit 0
fi

missing=()
for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "system-deps ($profile): all ${#wanted[@]} packages already installed"
    exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "system-deps: need root (or sudo) to install: ${missing[*]}" >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "system-deps ($profile): installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
