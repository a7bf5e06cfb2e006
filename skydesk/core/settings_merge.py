"""Two skydesk instances on one settings file: a file lock and a three-way merge, so neither loses the
other's changes (or corrupts the file) when both save.

Each instance remembers the JSON it last read or wrote (the *base*). On save it takes the lock, reads what
is on disk now (*theirs*), and keeps every value it did not change itself from theirs. Profiles are merged
by name, dictionaries key by key; a value both changed takes this instance's (the later save wins).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not on Windows: there the atomic rename alone keeps the file whole
    fcntl = None  # type: ignore[assignment]

_MISSING: Any = object()
_BY_NAME = ("profiles",)  # lists of objects identified by their "name"


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the file's directory (blocking) while the block runs.

    The directory, not a lock file beside it: nothing is left behind, and a rename inside it is covered.
    """
    if fcntl is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def merge(base: Any, ours: Any, theirs: Any) -> Any:
    """The three-way merge of JSON values: our changes since ``base`` applied over ``theirs``."""
    if ours == theirs:
        return ours
    if ours == base:
        return theirs  # only they changed it
    if isinstance(ours, dict) and isinstance(theirs, dict):
        base_dict = base if isinstance(base, dict) else {}
        merged: dict[str, Any] = {}
        for key in [*ours, *(k for k in theirs if k not in ours)]:
            value = _merge_key(
                key, base_dict.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING)
            )
            if value is not _MISSING:
                merged[key] = value
        return merged
    return ours


def _merge_key(key: str, base: Any, ours: Any, theirs: Any) -> Any:
    if ours is _MISSING:
        # We never had it (theirs added it) or we removed it (keep it removed unless they changed it).
        return theirs if base is _MISSING or theirs != base else _MISSING
    if theirs is _MISSING:
        # They removed it (keep it removed unless we changed it), or it is new here.
        return _MISSING if base is not _MISSING and ours == base else ours
    if key in _BY_NAME and all(isinstance(v, list) for v in (ours, theirs)):
        base_list = base if isinstance(base, list) else []
        return _unnamed(merge(_named(base_list), _named(ours), _named(theirs)))
    return merge(base, ours, theirs)


def _named(items: list[Any]) -> dict[str, Any]:
    return {str(item.get("name")): item for item in items if isinstance(item, dict)}


def _unnamed(items: Any) -> list[Any]:
    return list(items.values()) if isinstance(items, dict) else list(items)
