"""Run the README's Python examples as a reader would: extracted from README.md, against a sandbox."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_example(heading: str, index: int = 0) -> str:
    """The ``index``-th (first by default) ```python block in the README section titled ``heading``."""
    section = README.read_text(encoding="utf-8").split(heading, 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) > index, f"the README section {heading!r} has no python example #{index + 1}"
    return str(blocks[index])


def run_readme_example(heading: str, sandbox: Any, workdir: Path, index: int = 0) -> list[str]:
    """Run that example in ``workdir`` next to the sandbox.json it reads; return its stdout lines."""
    # The README tells the reader to start the sandbox with --info-file sandbox.json; do the same.
    (workdir / "sandbox.json").write_text(json.dumps(sandbox.info.to_json()))
    script = workdir / "example.py"
    script.write_text(readme_example(heading, index))
    result = subprocess.run(
        [sys.executable, str(script)],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(README.parent)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()
