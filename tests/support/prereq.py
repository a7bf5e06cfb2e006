"""Prerequisites: skip locally when a system tool is missing, but fail in CI.

CI sets ``CI=true``; there a missing prerequisite means the run is broken and
must not silently turn into skipped tests.
"""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, what: str) -> None:
    """Skip the calling test when ``condition`` is false, or fail it in CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"prerequisite missing in CI: {what}", pytrace=False)
    pytest.skip(f"prerequisite missing: {what}")


def require_tool(name: str) -> str:
    """Return the path of executable ``name``; skip (or fail in CI) if absent."""
    path = shutil.which(name) or (f"/usr/sbin/{name}" if os.path.exists(f"/usr/sbin/{name}") else None)
    require(path is not None, f"the `{name}` executable (see packaging/linux/system-deps.sh)")
    assert path is not None
    return path
