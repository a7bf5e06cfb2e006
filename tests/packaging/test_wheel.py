"""The wheel that the README's first command installs (`pip install .`, not editable) holds the whole app."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Building fetches setuptools into an isolated environment, as `pip install .` does.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    # pip builds in the source tree, and setuptools would reuse (and ship) a stale build/lib: use a copy.
    source = out / "source"
    shutil.copytree(
        ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "dist", "*.egg-info", "__pycache__")
    )
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert proc.returncode == 0, f"pip wheel failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    (built,) = out.glob("skydesk-*.whl")
    return zipfile.ZipFile(built)


def test_wheel_holds_every_module_the_contract_and_the_icons(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    # A new subpackage must also be listed in pyproject's [tool.setuptools] packages, or it is left out.
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "skydesk").rglob("*.py")}
    assert modules - names == set(), "modules missing from the wheel: add their package to pyproject"
    # The sandbox's OpenAPI description sends readers to the CONTRACT.md shipped with skydesk.
    assert "skydesk/CONTRACT.md" in names
    # The app loads its icon through importlib.resources from the installed skydesk.resources.
    icons = {p.name for p in (ROOT / "resources" / "icons").iterdir()}
    assert {f"skydesk/resources/icons/{name}" for name in icons} <= names
    assert "skydesk/resources/icons/skydesk.svg" in names


def test_wheel_declares_both_commands(wheel: zipfile.ZipFile) -> None:
    (entry_points,) = (n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt"))
    text = wheel.read(entry_points).decode()
    assert "skydesk = skydesk.app:main" in text
    assert "skydesk-sandbox = skydesk.sandbox.cli:main" in text
