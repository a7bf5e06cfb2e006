"""Static quality gates run in the suite: ruff, mypy, import-linter layers, and the quick start."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*argv: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run a tool from the repository root and capture its combined output."""
    return subprocess.run(
        [str(a) for a in argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _assert_clean(proc: subprocess.CompletedProcess[str], what: str) -> None:
    """Fail with the tool's own output, so the CI log says exactly what to fix."""
    assert proc.returncode == 0, f"{what} failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"


def _readme_commands() -> list[str]:
    """The shell code blocks of README.md, in order, stripped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [m.group(1).strip() for m in re.finditer(r"```sh\n(.*?)```", text, flags=re.DOTALL)]


def test_ruff_check() -> None:
    _assert_clean(_run(sys.executable, "-m", "ruff", "check", "--no-cache", "."), "ruff check")


def test_ruff_format() -> None:
    _assert_clean(
        _run(sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."),
        "ruff format --check (run `.venv/bin/ruff format` on the files listed)",
    )


def test_mypy() -> None:
    # Files and per-package strictness (strict for skydesk.api and skydesk.events) come from pyproject.toml.
    _assert_clean(_run(sys.executable, "-m", "mypy"), "mypy")


def test_import_layers() -> None:
    lint_imports = BIN / "lint-imports"
    assert lint_imports.exists(), f"import-linter is not installed next to {sys.executable}"
    _assert_clean(_run(lint_imports, "--no-cache"), "lint-imports (layer contracts in pyproject.toml)")


def test_readme_opens_with_two_one_line_commands() -> None:
    commands = _readme_commands()
    assert len(commands) >= 2, "README.md must open with the two quick-start commands in ```sh blocks"
    first, second = commands[:2]
    for command in (first, second):
        assert "\n" not in command, f"quick-start command is not a single line:\n{command}"
    assert first.endswith("skydesk --demo"), first
    assert second.startswith("packaging/linux/system-deps.sh test"), second
    assert "pytest" in second, second


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    second = _readme_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert second in ci_lines, f".ci/run does not contain the README's test command verbatim:\n{second}"


@pytest.mark.parametrize("script", [".ci/run", "packaging/linux/system-deps.sh"])
def test_scripts_are_executable_and_strict(script: str) -> None:
    path = ROOT / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    assert "set -euo pipefail" in path.read_text(encoding="utf-8"), f"{script} lacks `set -euo pipefail`"
    _assert_clean(_run("bash", "-n", path), f"bash -n {script}")
