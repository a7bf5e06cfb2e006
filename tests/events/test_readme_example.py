"""The README's live-events example really runs: extracted from README.md, run against the sandbox."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "## Live session events from a script"


def readme_example() -> str:
    """The first ```python block under the live-events heading."""
    section = README.read_text(encoding="utf-8").split(HEADING, 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README section has no python example"
    return match.group(1)


def test_readme_events_example_runs_against_the_sandbox(sandbox: Any, tmp_path: Path) -> None:
    (tmp_path / "sandbox.json").write_text(json.dumps(sandbox.info.to_json()))
    script = tmp_path / "events_example.py"
    script.write_text(readme_example())
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(README.parent)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("stream CONNECTING: Connecting to "), result.stdout
    assert any(line.startswith("stream CONNECTED: Connected to ") for line in lines), result.stdout
    assert "session_created: Live events demo" in lines, result.stdout
    assert lines[-1] == "stream STOPPED: Stopped", result.stdout
