"""The README's live-events examples really run: extracted from README.md, run against the sandbox."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.readme import run_readme_example

EVENTS = "## Live session events from a script"


def test_readme_events_example_runs_against_the_sandbox(sandbox: Any, tmp_path: Path) -> None:
    lines = run_readme_example(EVENTS, sandbox, tmp_path)
    shown = "\n".join(lines)
    assert lines[0].startswith("stream CONNECTING: Connecting to "), shown
    assert any(line.startswith("stream CONNECTED: Connected to ") for line in lines), shown
    assert "session_created: Live events demo" in lines, shown
    assert lines[-1] == "stream STOPPED: Stopped", shown


def test_readme_long_form_events_example_runs_against_the_sandbox(sandbox: Any, tmp_path: Path) -> None:
    lines = run_readme_example(EVENTS, sandbox, tmp_path, index=1)
    shown = "\n".join(lines)
    assert any(line.startswith("stream CONNECTED: Connected to ") for line in lines), shown
    assert lines[-1] == "stream STOPPED: Stopped", shown


def test_readme_sync_example_runs_against_the_sandbox(sandbox: Any, tmp_path: Path) -> None:
    lines = run_readme_example("## The SDK without async (scripts and notebooks)", sandbox, tmp_path)
    shown = "\n".join(lines)
    assert any(line.startswith("Field Inspection: ") and line.endswith(" open sessions") for line in lines), (
        shown
    )
    assert "event: {'pressure': {'bar': 4.2}}" in lines, shown
    assert "data: {'pressure': {'bar': 4.2}}" in lines, shown
    assert lines[-2:] == ["timeline: session_created", "timeline: session_data_updated"], shown
