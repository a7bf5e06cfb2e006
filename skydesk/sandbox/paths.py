"""Where the sandbox keeps its state when no --state-dir is given (XDG base directories, no Qt)."""

from __future__ import annotations

import os
from pathlib import Path


def default_state_dir() -> Path:
    """``$XDG_DATA_HOME/skydesk/sandbox``, falling back to ``~/.local/share/skydesk/sandbox``."""
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    # The XDG spec says a relative value is invalid and must be ignored.
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "share"
    return root / "skydesk" / "sandbox"
