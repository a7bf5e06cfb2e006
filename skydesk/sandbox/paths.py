"""Where the sandbox keeps its state when no --state-dir is given (the user data directory, no Qt)."""

from __future__ import annotations

from pathlib import Path

from skydesk.core.paths import data_dir


def default_state_dir() -> Path:
    """``$XDG_DATA_HOME/skydesk/sandbox`` on Linux (``~/.local/share/skydesk/sandbox`` by default)."""
    return data_dir() / "sandbox"
