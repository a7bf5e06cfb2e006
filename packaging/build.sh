#!/usr/bin/env bash
# Build the packaged app: dist/skydesk/ (PyInstaller one-dir) and dist/skydesk-<version>-<os>-<arch>.tar.gz.
#
#   packaging/build.sh [--dist DIR] [--work DIR]
#
# Uses .venv/bin/python (or $PYTHON) and installs PyInstaller from the `package` extra if it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

dist=dist
work=build/pyinstaller
while [[ $# -gt 0 ]]; do
    case $1 in
        --dist) dist=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "usage: $0 [--dist DIR] [--work DIR]" >&2; exit 2 ;;
    esac
done

python=${PYTHON:-.venv/bin/python}
if ! "$python" -c 'import PyInstaller' >/dev/null 2>&1; then
    echo "build: installing PyInstaller (the package extra)"
    "$python" -m pip install --quiet -e '.[package]'
fi

version=$("$python" -c 'import skydesk; print(skydesk.__version__)')
os=$(uname -s | tr '[:upper:]' '[:lower:]')
arch=$(uname -m)
started=$(date +%s)

"$python" -m PyInstaller --noconfirm --log-level WARN --distpath "$dist" --workpath "$work" packaging/skydesk.spec

bundle=$dist/skydesk
# One executable serves both commands; it picks the sandbox when started as skydesk-sandbox.
ln -sf skydesk "$bundle/skydesk-sandbox"

# Desktop integration files, laid out like ~/.local/share (see README, "Packaged build").
share=$bundle/share
install -Dm644 packaging/linux/io.github.skydesk.Skydesk.desktop "$share/applications/io.github.skydesk.Skydesk.desktop"
install -Dm644 packaging/linux/io.github.skydesk.Skydesk.metainfo.xml \
    "$share/metainfo/io.github.skydesk.Skydesk.metainfo.xml"
install -Dm644 resources/icons/skydesk.svg "$share/icons/hicolor/scalable/apps/io.github.skydesk.Skydesk.svg"
for size in 16 24 32 48 64 128 256 512; do
    install -Dm644 "resources/icons/skydesk-$size.png" \
        "$share/icons/hicolor/${size}x${size}/apps/io.github.skydesk.Skydesk.png"
done

tarball=$dist/skydesk-$version-$os-$arch.tar.gz
tar -C "$dist" -czf "$tarball" skydesk
echo "build: $bundle ($(du -sh "$bundle" | cut -f1)) and $tarball ($(du -h "$tarball" | cut -f1))" \
    "in $(($(date +%s) - started)) s"
