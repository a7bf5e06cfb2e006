"""A size-bounded disk cache of thumbnails, one folder per connection profile, in the platform cache dir.

Entries are keyed by the media id and its ETag (a new upload gets a new ETag, so a stale thumbnail is
never shown). The least recently used entries are deleted once the folder grows past its limit. Only
encoded thumbnails are stored: never tokens, never settings. Every method does file I/O, so callers
run them off the GUI thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
from pathlib import Path

from skydesk.core.paths import cache_dir

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 64 * 1024 * 1024


def profile_cache_dir(profile_key: str, kind: str = "thumbnails") -> Path:
    """``<user cache dir>/<kind>/<hash of the profile key>``: a profile name may hold any character."""
    digest = hashlib.sha256(profile_key.encode()).hexdigest()[:16]
    return cache_dir() / kind / digest


class ThumbnailCache:
    """Thumbnails on disk under ``folder``, at most ``limit`` bytes in total (oldest used go first)."""

    def __init__(self, folder: Path, limit: int = DEFAULT_LIMIT) -> None:
        self.folder = Path(folder)
        self.limit = limit
        self._lock = threading.Lock()  # several worker threads may store at once
        self._size: int | None = None  # total bytes, counted once then kept up to date

    def _path(self, media_id: str, etag: str) -> Path:
        name = hashlib.sha256(f"{media_id}\0{etag}".encode()).hexdigest()[:40]
        return self.folder / f"{name}.thumb"

    def get(self, media_id: str, etag: str) -> bytes | None:
        """The stored thumbnail, or None; a hit counts as a use (its time is refreshed)."""
        path = self._path(media_id, etag)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        return data

    def put(self, media_id: str, etag: str, data: bytes) -> None:
        """Store a thumbnail (written to a temp file, then renamed), then trim to the limit."""
        path = self._path(media_id, etag)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".part")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError as exc:  # a full or read-only disk costs only the cache
            log.warning("Could not store a thumbnail in %s: %s", self.folder, exc)
            return
        with self._lock:
            if self._size is None:
                self._size = self._count()
            else:
                self._size += len(data)
            if self._size > self.limit:
                self._trim()

    def size(self) -> int:
        """Bytes the cache holds on disk now."""
        with self._lock:
            self._size = self._count()
            return self._size

    def clear(self) -> None:
        """Delete every entry."""
        with self._lock:
            for entry in self._entries():
                with contextlib.suppress(OSError):
                    entry.unlink()
            self._size = 0

    def _entries(self) -> list[Path]:
        try:
            return [p for p in self.folder.iterdir() if p.suffix == ".thumb"]
        except OSError:
            return []

    def _count(self) -> int:
        total = 0
        for entry in self._entries():
            with contextlib.suppress(OSError):
                total += entry.stat().st_size
        return total

    def _trim(self) -> None:
        """Delete the least recently used entries until the cache is at 80 % of its limit."""
        stats = []
        for entry in self._entries():
            with contextlib.suppress(OSError):
                st = entry.stat()
                stats.append((st.st_mtime, st.st_size, entry))
        stats.sort()
        total = sum(size for _, size, _ in stats)
        # Down to 80 %, so a full cache is not trimmed again on every single store.
        for _, size, entry in stats:
            if total <= self.limit * 0.8:
                break
            with contextlib.suppress(OSError):
                entry.unlink()
                total -= size
        self._size = total
