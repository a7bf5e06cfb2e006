"""Claims: a name that only one skydesk process at a time may use, held as an OS lock on a small file.

The MQTT client id of a user on this device is such a name. The broker lets one connection hold an id:
a second window signed in as the same user with the same id takes it over, the first reconnects and
takes it back, and neither gets its events for long. The first process to claim the id keeps it (and
the events the broker queued for it); another one uses an id of its own.

The lock is ``flock`` (POSIX) or ``msvcrt.locking`` (Windows) on an open file: the OS drops it when the
process ends, however it ends, so a crash never leaves a stale claim. Claim off the GUI thread (it opens
a file).
"""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import IO

__all__ = ["Claim", "claim"]


class Claim:
    """One held claim; ``release()`` (or the end of the process) gives it up."""

    def __init__(self, name: str, fh: IO[bytes]) -> None:
        self.name = name
        self._fh: IO[bytes] | None = fh

    @property
    def held(self) -> bool:
        """True until released."""
        return self._fh is not None

    def release(self) -> None:
        """Give the claim up (idempotent). Closing the file drops the lock."""
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()

    def __repr__(self) -> str:
        return f"Claim({self.name!r}, held={self.held})"


def claim(directory: Path, name: str) -> Claim | None:
    """Claim ``name`` for this process; None when another process (or another claim here) holds it.

    ``name`` may be any text (it is hashed into the file name). Raises OSError when the directory
    cannot be created or the file cannot be opened: callers decide whether to go on unclaimed.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{hashlib.sha256(name.encode()).hexdigest()[:24]}.lock"
    fh = open(path, "a+b")  # the open file is the lock; Claim closes it
    try:
        if not _try_lock(fh):
            fh.close()
            return None
    except BaseException:
        fh.close()
        raise
    return Claim(name, fh)


def _try_lock(fh: IO[bytes]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            fh.seek(0)
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    # flock, not lockf: flock locks belong to the open file, so two claims in one process exclude each
    # other too (POSIX record locks would not), as two windows of one process must.
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # e.g. a filesystem without locks: do not pretend to hold it
        raise OSError(exc.errno, f"cannot lock {os.fspath(fh.name)}: {exc.strerror}") from exc
    return True
