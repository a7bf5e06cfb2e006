"""Writing a file so that a reader never sees half of it: a hidden temp file beside it, renamed over it."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def replacing(path: Path, *, prefix: str | None = None, newline: str | None = None) -> Iterator[IO[str]]:
    """``with replacing(path) as out:`` writes UTF-8 text to a temp file that replaces ``path`` at the end.

    The data is fsynced before the rename. If the block raises, ``path`` is untouched and the temp file
    removed. Blocking: call it off the GUI thread.
    """
    fd, tmp = tempfile.mkstemp(prefix=prefix or f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
