"""Desktop integration files: the .desktop entry, AppStream metainfo and the app icon in every size."""

from __future__ import annotations

import configparser
import importlib.util
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

import skydesk
from tests.support.prereq import require, require_tool

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.skydesk.Skydesk"
DESKTOP = ROOT / "packaging" / "linux" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / "linux" / f"{APP_ID}.metainfo.xml"
ICONS = ROOT / "resources" / "icons"


def _load_render_icons() -> ModuleType:
    """packaging/render_icons.py is a script, not part of the package: load it by path."""
    spec = importlib.util.spec_from_file_location("render_icons", ROOT / "packaging" / "render_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


render_icons = _load_render_icons()


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_validates() -> None:
    tool = require_tool("desktop-file-validate")
    proc = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout + proc.stderr


def test_metainfo_validates_without_warnings() -> None:
    tool = require_tool("appstreamcli")
    # --strict fails on warnings and infos too; only pedantic hints (the uppercase in the id) are allowed.
    proc = subprocess.run(
        [tool, "validate", "--no-net", "--strict", str(METAINFO)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_desktop_file_metainfo_and_package_agree() -> None:
    entry = _desktop_entry()
    meta = ET.parse(METAINFO).getroot()
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]

    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] in scripts
    assert meta.findtext("id") == APP_ID
    assert meta.findtext("launchable") == DESKTOP.name
    assert {b.text for b in meta.iter("binary")} <= set(scripts)
    # The app announces this id to the desktop (QGuiApplication.setDesktopFileName), for the Wayland icon.
    from skydesk.app import DESKTOP_FILE_NAME

    assert DESKTOP_FILE_NAME == APP_ID
    newest = meta.find("releases/release")
    assert newest is not None
    assert newest.get("version") == skydesk.__version__, "add a <release> for the new version to the metainfo"


@pytest.fixture(scope="module")
def gui_app() -> QApplication:
    return QApplication.instance() or QApplication([])  # type: ignore[return-value]


@pytest.mark.parametrize("size", render_icons.PNG_SIZES)
def test_png_icon_has_its_size_and_is_drawn(size: int, gui_app: QApplication) -> None:
    image = QImage(str(render_icons.png_path(size)))
    assert (image.width(), image.height()) == (size, size)
    assert image.hasAlphaChannel()
    centre = image.pixelColor(size // 2, size // 2)
    corner = image.pixelColor(0, 0)
    assert centre.alpha() == 255 and corner.alpha() < 64  # a rounded tile on a transparent background


def test_committed_pngs_match_the_svg(gui_app: QApplication) -> None:
    # Catches an SVG edited without running packaging/render_icons.py (small tolerance for Qt versions).
    fresh = render_icons.render(64)
    stored = QImage(str(render_icons.png_path(64))).convertToFormat(fresh.format())

    def rgba(image: QImage, x: int, y: int) -> tuple[int, int, int, int]:
        colour = image.pixelColor(x, y)
        return colour.red(), colour.green(), colour.blue(), colour.alpha()

    worst = max(
        abs(a - b)
        for x in range(64)
        for y in range(64)
        for a, b in zip(rgba(fresh, x, y), rgba(stored, x, y), strict=True)
    )
    assert worst <= 16, "resources/icons PNGs are stale: run .venv/bin/python packaging/render_icons.py"


def test_windows_icon_holds_png_entries_up_to_256() -> None:
    data = (ICONS / "skydesk.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1)
    sizes = []
    for i in range(count):
        side, _, _, _, planes, bits, length, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        assert (planes, bits) == (1, 32)
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.append(side or 256)
    assert sizes == list(render_icons.ICO_SIZES)


def test_icons_ship_in_the_package() -> None:
    from importlib import resources

    icons = resources.files("skydesk.resources") / "icons"
    assert (icons / "skydesk.svg").is_file()
    assert (icons / "skydesk-256.png").is_file()


# ---------------------------------------------------------------------------- the PyInstaller spec


def _run_spec(platform: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, dict[str, Any]]:
    """Run packaging/skydesk.spec as PyInstaller would on ``platform``; returns each build step's arguments.

    Windows and macOS builds cannot run here, so PyInstaller's spec classes are replaced by recorders.
    """
    require(importlib.util.find_spec("PyInstaller") is not None, "PyInstaller (the `package` extra)")
    import PyInstaller.utils.hooks  # noqa: F401 - imported before sys.platform is changed below

    calls: dict[str, dict[str, Any]] = {}

    def recorder(step: str) -> Any:
        def record(*args: Any, **kwargs: Any) -> SimpleNamespace:
            calls[step] = {"args": args, **kwargs}
            return SimpleNamespace(binaries=[], datas=list(kwargs.get("datas", [])), pure=[], scripts=[])

        return record

    spec = ROOT / "packaging" / "skydesk.spec"
    namespace = {name: recorder(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
    namespace.update(SPECPATH=str(spec.parent), __file__=str(spec), __name__="__main__")
    monkeypatch.setattr(sys, "platform", platform)
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), namespace)
    return calls


def test_spec_gives_windows_its_icon_and_no_console(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _run_spec("win32", monkeypatch)
    exe = calls["EXE"]
    assert exe["icon"] == str(ICONS / "skydesk.ico") and (ICONS / "skydesk.ico").is_file()
    assert exe["console"] is False
    assert "BUNDLE" not in calls


def test_spec_makes_a_macos_app_bundle_with_the_package_version(monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = _run_spec("darwin", monkeypatch)["BUNDLE"]
    assert bundle["name"] == "skydesk.app"
    assert bundle["bundle_identifier"] == APP_ID
    assert bundle["version"] == bundle["info_plist"]["CFBundleShortVersionString"] == skydesk.__version__


def test_spec_on_linux_ships_resources_and_leaves_out_unused_qt(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _run_spec("linux", monkeypatch)
    analysis = calls["Analysis"]
    datas = {Path(src).name: dest for src, dest in analysis["datas"]}
    assert datas["icons"] == "skydesk/resources/icons" and datas["CONTRACT.md"] == "skydesk"
    excluded = set(analysis["excludes"])
    assert {"PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngineCore", "PySide6.QtNetwork"} <= excluded
    used = {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg"}
    assert used.isdisjoint(excluded)
    assert calls["EXE"]["icon"] is None and "BUNDLE" not in calls
