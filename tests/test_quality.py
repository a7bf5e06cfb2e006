"""Static quality gates run in the suite: ruff, mypy, import-linter layers, and the quick start."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from tests.support.prereq import require, require_tool

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SYSTEM_DEPS = ROOT / "packaging" / "linux" / "system-deps.sh"


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


def test_the_version_is_written_in_one_place() -> None:
    import skydesk

    git = require_tool("git")
    listing = _run(git, "ls-files", "-z")
    require(listing.returncode == 0, "a git checkout (to list the tracked files)")
    version = re.compile(rf"(?<![\w.]){re.escape(skydesk.__version__)}(?![\w.])".encode())
    holders = []
    for name in filter(None, listing.stdout.split("\0")):
        data = (ROOT / name).read_bytes() if (ROOT / name).is_file() else b""
        if b"\0" not in data and version.search(data):  # text files only (icons are binary)
            holders.append(name)
    # pyproject, build.sh and the spec read skydesk/__init__.py; a test ties the metainfo's release to it.
    assert sorted(holders) == [
        "packaging/linux/io.github.skydesk.Skydesk.metainfo.xml",
        "skydesk/__init__.py",
    ]


@pytest.mark.parametrize("script", [".ci/run", "packaging/linux/system-deps.sh"])
def test_scripts_are_executable_and_strict(script: str) -> None:
    path = ROOT / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    assert "set -euo pipefail" in path.read_text(encoding="utf-8"), f"{script} lacks `set -euo pipefail`"
    _assert_clean(_run("bash", "-n", path), f"bash -n {script}")


# ---------------------------------------------------------------------------- dependencies


def _distribution_name(requirement: str) -> str:
    """``"PyJWT[crypto]>=2.8"`` -> ``"pyjwt"`` (PEP 503 normalised)."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _third_party_imports(directory: Path) -> set[str]:
    """Top-level names of every absolute import in ``directory``, minus the stdlib and our own packages."""
    names: set[str] = set()
    for path in directory.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"__future__", "skydesk", "tests"}


@pytest.mark.parametrize(("directory", "extras"), [("skydesk", ()), ("tests", ("test", "package"))])
def test_every_import_is_a_declared_dependency(directory: str, extras: tuple[str, ...]) -> None:
    # Catches an import that works here only because the development venv happens to have the package.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + [
        r for extra in extras for r in project["optional-dependencies"][extra]
    ]
    declared = {_distribution_name(r) for r in requirements}
    # A package that a declared one requires (shiboken6 for PySide6, starlette for FastAPI) is there too.
    allowed = declared | {_distribution_name(r) for d in declared for r in metadata.requires(d) or []}
    providers = metadata.packages_distributions()
    undeclared = {
        name: providers.get(name, ["?"])
        for name in _third_party_imports(ROOT / directory)
        if not {_distribution_name(d) for d in providers.get(name, [])} & allowed
    }
    assert undeclared == {}, f"imported by {directory}/ but not declared in pyproject.toml"


# ---------------------------------------------------------------------------- system packages


def _script_packages(variable: str) -> set[str]:
    match = re.search(rf"^{variable}=\((.*?)\)", SYSTEM_DEPS.read_text(encoding="utf-8"), re.M | re.S)
    assert match, f"{variable} not found in {SYSTEM_DEPS.name}"
    return set(match.group(1).split())


def test_readme_lists_the_packages_system_deps_installs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## System packages on Linux", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "the Linux section lists the runtime packages in a code block"
    assert set(block.group(1).split()) == _script_packages("runtime_pkgs")
    assert "libxcb-cursor0" in block.group(1)
    missing = {pkg for pkg in _script_packages("test_pkgs") if f"`{pkg}`" not in section}
    assert missing == set(), "the README names every package system-deps.sh adds for the tests"


@pytest.mark.parametrize("profile", ["runtime", "test"])
def test_system_deps_does_nothing_when_everything_is_installed(profile: str, tmp_path: Path) -> None:
    require_tool("dpkg-query")
    # Stand-ins that record being called: with every package present the script must not reach them.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    calls = tmp_path / "calls"
    for tool in ("apt-get", "sudo"):
        (fake_bin / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> "{calls}"\nexit 1\n')
        (fake_bin / tool).chmod(0o755)
    proc = subprocess.run(
        [str(SYSTEM_DEPS), profile],
        env={**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    require("installing" not in proc.stdout, f"the Debian packages of `system-deps.sh {profile}`")
    _assert_clean(proc, f"system-deps.sh {profile}")
    assert f"system-deps ({profile}): all" in proc.stdout and "already installed" in proc.stdout
    assert not calls.exists(), calls.read_text()


def _nested_event_passes(tree: ast.AST) -> list[int]:
    """Lines of processEvents() calls made directly in an async function (not in a def nested in it)."""
    found: list[int] = []

    def visit(node: ast.AST, in_async: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.AsyncFunctionDef):
                visit(child, True)
            elif isinstance(child, ast.FunctionDef | ast.Lambda):
                visit(child, False)
            else:
                if (
                    in_async
                    and isinstance(child, ast.Call)
                    and isinstance(child.func, ast.Attribute)
                    and child.func.attr == "processEvents"
                ):
                    found.append(child.lineno)
                visit(child, in_async)

    visit(tree, False)
    return found


def test_no_async_test_runs_a_nested_qt_event_pass() -> None:
    """A processEvents() inside a task step runs other tasks' steps re-entrantly; asyncio refuses them and
    the lost step leaves a request hanging forever (it hung whole xdist workers). Await instead."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == "test_event_loop.py":  # reproduces exactly this, on purpose
            continue
        offenders += [
            f"{path.relative_to(ROOT)}:{n}" for n in _nested_event_passes(ast.parse(path.read_text()))
        ]
    assert offenders == [], offenders


def test_the_app_never_runs_a_nested_qt_event_loop() -> None:
    """Slots and operation callbacks run inside asyncio task steps: a modal ``exec()`` or a
    ``processEvents()`` there loses other tasks' steps (see above). Dialogs are opened with ``open()``.
    The one allowed loop is start-up's wait for the first paint, which runs before asyncio exists."""
    allowed = {("skydesk/app.py", "wait_until_painted")}
    offenders = []
    for path in sorted((ROOT / "skydesk").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text())
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(func):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("exec", "exec_", "processEvents")
                    and (rel, func.name) not in allowed
                ):
                    offenders.append(f"{rel}:{node.lineno} in {func.name}()")
    assert offenders == [], offenders
