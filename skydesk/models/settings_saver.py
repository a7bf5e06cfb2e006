"""Saving the settings file from the GUI thread without touching the disk there.

``save()`` takes a snapshot of the settings (plain JSON, on the GUI thread, where they change) and writes it
on a worker thread: the file lock, the merge with another instance's changes, the write and its fsync can
take milliseconds to seconds on a busy or network disk, and the GUI thread never waits on I/O. Writes go one
at a time and in order; saves asked for while one is on its way become one write of the latest state.
``flush()`` (at quit) waits until everything asked for is on disk.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any

from skydesk.core.settings import Settings, SettingsSnapshot, write_snapshot

log = logging.getLogger(__name__)


class SettingsSaver:
    """Writes one Settings object's file on a worker thread, one write at a time, the latest state last."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._dirty = False
        self._writing: asyncio.Future[dict[str, Any]] | None = None
        self.writes = 0  # files written (tests follow it)

    @property
    def pending(self) -> bool:
        """True while a write is on its way or asked for."""
        return self._dirty or self._writing is not None

    def save(self) -> None:
        """Have the settings as they are now written soon, off this thread; returns at once.

        Without a running event loop (a command-line tool, a plain script) it writes here and now.
        """
        self._dirty = True
        if self._writing is not None:
            return  # the write on its way takes the next snapshot when it is done
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._dirty = False
            self._save_here()
            return
        self._start(loop)

    async def flush(self) -> None:
        """Wait until every save asked for so far is on disk (or has failed and been logged)."""
        while self.pending:
            if self._writing is None:
                self._start(asyncio.get_running_loop())
            writing = self._writing
            assert writing is not None
            # wait(), not await: a cancelled flush must not cancel the write (it finishes, and is logged).
            await asyncio.wait({writing})
            await asyncio.sleep(0)  # the write's done-callback runs on the loop; let it

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._dirty = False
        snap = self.settings.snapshot()
        try:
            writing = loop.run_in_executor(None, lambda: write_snapshot(snap))
        except RuntimeError:  # the loop's executor is already shut down: losing the settings is worse
            log.warning("No worker thread left to save the settings; saving them on this thread")
            self._save_here()
            return
        self._writing = writing
        writing.add_done_callback(functools.partial(self._written, snap))

    def _written(self, snap: SettingsSnapshot, writing: asyncio.Future[dict[str, Any]]) -> None:
        self._writing = None
        try:
            written = writing.result()
        except OSError as exc:
            log.warning("Could not save settings: %s", exc)
        else:
            self.writes += 1
            self.settings.take_written(snap, written)
        if self._dirty:
            self._start(asyncio.get_running_loop())

    def _save_here(self) -> None:
        try:
            self.settings.save()
        except OSError as exc:
            log.warning("Could not save settings: %s", exc)
        else:
            self.writes += 1
