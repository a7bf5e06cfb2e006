"""Record everything that would show a traceback: sys.excepthook, sys.unraisablehook, the asyncio loop's
exception handler and skydesk's crash listener (what the crash dialog would show)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

from skydesk.core import logs


class CrashHooks:
    """Installs recorders for the four ways an unhandled exception surfaces; ``seen`` lists them."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def install(self, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
        """Start recording; returns the function that puts the previous hooks back."""
        old_except, old_unraisable = sys.excepthook, sys.unraisablehook
        sys.excepthook = lambda kind, exc, tb: self.seen.append(f"excepthook: {kind.__name__}: {exc}")
        sys.unraisablehook = lambda u: self.seen.append(f"unraisable: {u.exc_type.__name__}: {u.exc_value}")
        old_handler = loop.get_exception_handler()
        loop.set_exception_handler(lambda _loop, ctx: self.seen.append(f"loop: {ctx.get('message')}"))
        remove = logs.add_crash_listener(lambda *args: self.seen.append(f"crash: {args!r}"[:300]))

        def uninstall() -> None:
            sys.excepthook, sys.unraisablehook = old_except, old_unraisable
            loop.set_exception_handler(old_handler)
            remove()

        return uninstall
