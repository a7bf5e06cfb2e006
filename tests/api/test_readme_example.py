"""The README's SDK example really runs: extracted from README.md and run against the sandbox."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example() -> str:
    """The first ```python block under the heading "Use the SDK from a script"."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Use the SDK from a script", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the README section has no python example"
    return match.group(1)


def test_readme_example_runs_against_the_sandbox(sandbox: Any, tmp_path: Path) -> None:
    # The README tells the reader to start the sandbox with --info-file sandbox.json; do the same.
    (tmp_path / "sandbox.json").write_text(json.dumps(sandbox.info.to_json()))
    script = tmp_path / "example.py"
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
    assert any(re.fullmatch(r"Field Inspection: \d+ open sessions", line) for line in lines), result.stdout
    assert "data: {'pressure': {'bar': 4.2}}" in lines
    assert "Pump 7 inspection is closed" in lines
