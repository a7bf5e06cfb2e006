"""The README's SDK example really runs: extracted from README.md and run against the sandbox."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from tests.support.readme import run_readme_example


def test_readme_example_runs_against_the_sandbox(sandbox: Any, tmp_path: Path) -> None:
    lines = run_readme_example("## Use the SDK from a script", sandbox, tmp_path)
    shown = "\n".join(lines)
    assert any(re.fullmatch(r"Field Inspection: \d+ open sessions", line) for line in lines), shown
    assert "data: {'pressure': {'bar': 4.2}}" in lines, shown
    assert "Pump 7 inspection is closed" in lines, shown
