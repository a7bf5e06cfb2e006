"""The README's live-events example really runs: extracted from README.md, run against the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.readme import run_readme_example


def test_readme_events_example_runs_against_the_sandbox(sandbox: Any, tmp_path: Path) -> None:
    lines = run_readme_example("## Live session events from a script", sandbox, tmp_path)
    shown = "\n".join(lines)
    assert lines[0].startswith("stream CONNECTING: Connecting to "), shown
    assert any(line.startswith("stream CONNECTED: Connected to ") for line in lines), shown
    assert "session_created: Live events demo" in lines, shown
    assert lines[-1] == "stream STOPPED: Stopped", shown
