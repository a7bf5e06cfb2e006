"""Apply a session-data patch locally, the way the server does (JSON Merge Patch, RFC 7386).

Useful to keep a cached copy of a session's data current from ``session_data_updated`` events, whose
``data`` is the patch that was applied, without fetching the whole document again.
"""

from __future__ import annotations

from typing import Any


def merge_patch(target: Any, patch: Any) -> Any:
    """Return ``target`` with ``patch`` applied; objects merge recursively, ``null`` deletes a key,
    anything else (arrays included) replaces. ``target`` is not modified."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
