"""The packaged app: build the PyInstaller bundle with packaging/build.sh, then run what users would run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import skydesk
from tests.support.prereq import require_tool

ROOT = Path(__file__).resolve().parents[2]
BUILD_TIMEOUT = 900  # seconds; a clean build takes about a minute on two busy cores
RUN_TIMEOUT = 120

pytestmark = [pytest.mark.slow, pytest.mark.timeout(BUILD_TIMEOUT + 60)]


@dataclass(frozen=True)
class Bundle:
    """A built bundle: the one-dir app and its tarball."""

    directory: Path
    tarball: Path

    @property
    def executable(self) -> Path:
        return self.directory / "skydesk"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundle]:
    """Build once per run into a temp dir (never touches the developer's dist/)."""
    require_tool("ldd")  # the spec prunes unused system libraries with it
    out = tmp_path_factory.mktemp("frozen")
    started = time.monotonic()
    proc = subprocess.run(
        [str(ROOT / "packaging" / "build.sh"), "--dist", str(out / "dist"), "--work", str(out / "work")],
        cwd=ROOT,
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 0, f"build.sh failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    print(f"bundle built in {time.monotonic() - started:.0f} s: {proc.stdout.strip().splitlines()[-1]}")
    arch = os.uname().machine
    yield Bundle(
        out / "dist" / "skydesk", out / "dist" / f"skydesk-{skydesk.__version__}-linux-{arch}.tar.gz"
    )


def _user_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for one run of the frozen app with its own config, data and log dirs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "PYTHON", "QT_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_STATE_HOME=str(home / ".local/state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        **extra,
    )
    return env


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)


def _assert_loaded_sessions(proc: subprocess.CompletedProcess[str]) -> int:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    match = re.search(r"loaded (\d+) of (\d+) sessions", proc.stderr)
    assert match, f"the app did not report loaded sessions:\n{proc.stderr}"
    assert int(match.group(1)) > 0, proc.stderr
    # QGuiApplication.setDesktopFileName: Wayland finds the icon through the installed .desktop file.
    assert "(desktop file io.github.skydesk.Skydesk)" in proc.stderr, proc.stderr
    return int(match.group(1))


def test_frozen_demo_signs_in_loads_sessions_and_exits_0(bundle: Bundle, tmp_path: Path) -> None:
    env = _user_env(tmp_path, QT_QPA_PLATFORM="offscreen")
    started = time.monotonic()
    proc = _run([str(bundle.executable), "--demo", "--quit-after-load"], env)
    elapsed = time.monotonic() - started
    loaded = _assert_loaded_sessions(proc)
    print(f"frozen --demo --quit-after-load: {loaded} sessions, {elapsed:.1f} s (cold, fresh user dirs)")

    log_file = tmp_path / ".local/state/skydesk/logs/skydesk.log"
    log_text = log_file.read_text(encoding="utf-8")
    assert "skydesk stopped cleanly" in log_text
    for secret in ("tech-demo-pw", "Bearer ", "eyJ"):
        assert secret not in log_text


def test_frozen_app_runs_on_a_real_x_server(bundle: Bundle, tmp_path: Path) -> None:
    # Offscreen hides missing libraries of the xcb platform plugin; Xvfb does not.
    xvfb_run = require_tool("xvfb-run")
    env = _user_env(tmp_path, QT_QPA_PLATFORM="xcb")
    shot = tmp_path / "window.png"
    proc = _run(
        [xvfb_run, "-a", "-s", "-screen 0 1280x800x24", str(bundle.executable), "--demo", "--quit-after-load",
         "--screenshot", str(shot)],
        env,
    )  # fmt: skip
    _assert_loaded_sessions(proc)
    assert shot.stat().st_size > 10_000  # a real window, not an empty image


def test_frozen_sandbox_command(bundle: Bundle, tmp_path: Path) -> None:
    proc = _run([str(bundle.directory / "skydesk-sandbox"), "--help"], _user_env(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "usage: skydesk-sandbox" in proc.stdout and "--info-file" in proc.stdout


def test_bundle_leaves_out_unused_qt_and_stays_small(bundle: Bundle) -> None:
    files = [p for p in bundle.directory.rglob("*") if p.is_file() and not p.is_symlink()]
    names = {p.name for p in files}
    for unused in ("libQt6Quick.so.6", "libQt6Qml.so.6", "libQt6Pdf.so.6", "libQt6VirtualKeyboard.so.6",
                   "libgtk-3.so.0"):  # fmt: skip
        assert unused not in names
    assert "libqxcb.so" in names and "libqwayland.so" in names and "libqsvg.so" in names
    assert (bundle.directory / "_internal/skydesk/resources/icons/skydesk.svg").is_file()
    assert (bundle.directory / "_internal/skydesk/CONTRACT.md").is_file()
    size_mb = sum(p.stat().st_size for p in files) / 1e6
    print(f"bundle size {size_mb:.0f} MB, tarball {bundle.tarball.stat().st_size / 1e6:.0f} MB")
    assert size_mb < 250, "the bundle grew a lot: did a new import pull in a big Qt module?"


def test_tarball_holds_the_bundle_and_desktop_files(bundle: Bundle) -> None:
    with tarfile.open(bundle.tarball) as tar:
        names = set(tar.getnames())
    assert "skydesk/skydesk" in names
    assert "skydesk/skydesk-sandbox" in names
    assert "skydesk/share/applications/io.github.skydesk.Skydesk.desktop" in names
    assert "skydesk/share/icons/hicolor/256x256/apps/io.github.skydesk.Skydesk.png" in names
