"""SyncSkylightClient: the SDK for scripts and notebooks, without ``async``/``await``.

It is to :class:`~skydesk.api.SkylightClient` what httpx's ``Client`` is to ``AsyncClient``: the same
methods with the same names, arguments, results and exceptions, each one blocking until done. An
``iter_*`` method returns a plain iterator. The async client runs on a private event loop in a
daemon thread, so the facade also works inside a notebook whose own loop is already running.

Every method is generated from the async client, so the two can never drift apart; ``aclose`` is
called ``close`` here, as in httpx.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import AsyncGenerator, Callable, Coroutine, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

from skydesk.api.client import SkylightClient

__all__ = ["SyncSkylightClient"]

T = TypeVar("T")

#: Plain attributes and properties of the async client that the facade shows as they are.
_STATE = (
    "api_url",
    "host",
    "device_id",
    "ca_file",
    "retry_policy",
    "is_signed_in",
    "user_id",
    "realm",
    "username",
    "refresh_token",
    "access_expires_at",
    "refresh_expires_at",
)


class _LoopThread:
    """One asyncio loop running forever on a daemon thread, for the calls of one facade."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="skydesk-sync", daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the loop and wait for it; Ctrl+C cancels it there."""
        if self.loop.is_closed():
            coro.close()
            raise RuntimeError("this SyncSkylightClient is closed")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result()
        except BaseException:
            future.cancel()  # e.g. KeyboardInterrupt: do not leave the request running unseen
            raise

    def stop(self) -> None:
        """Stop the loop and join its thread."""
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


class SyncSkylightClient:
    """The blocking twin of SkylightClient: same methods, names and errors; ``close()`` when done.

    ``SyncSkylightClient(api_url, **options)`` takes exactly the options of SkylightClient. Use it as
    ``with SyncSkylightClient(url) as client:``. Token listeners run on the facade's loop thread.
    """

    def __init__(self, api_url: str, **options: Any) -> None:
        self._runner = _LoopThread()

        async def build() -> SkylightClient:
            # Built on its own loop, where every later call of the async client runs.
            return SkylightClient(api_url, **options)

        try:
            self.aclient: SkylightClient = self._runner.run(build())
        except BaseException:
            self._runner.stop()
            raise

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The private loop that runs :attr:`aclient` (e.g. for ``skydesk.events.event_stream``)."""
        return self._runner.loop

    def close(self) -> None:
        """Close the connection pool and stop the private loop (Reference: none; httpx's ``close``)."""
        if not self._runner.loop.is_closed():
            try:
                self._runner.run(self.aclient.aclose())
            finally:
                self._runner.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return repr(self.aclient).replace("<SkylightClient", "<SyncSkylightClient", 1)

    def add_token_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever the tokens change (on the facade's loop thread).

        Reference: none (skydesk addition, as SkylightClient.add_token_listener).
        """
        self.aclient.add_token_listener(callback)

    if TYPE_CHECKING:
        # The generated methods below; typed code sees them as Any (see the module docstring).
        def __getattr__(self, name: str) -> Any: ...


def _blocking(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: SyncSkylightClient, *args: Any, **kwargs: Any) -> Any:
        return self._runner.run(getattr(self.aclient, name)(*args, **kwargs))

    call.__doc__ = f"Blocking form of :meth:`SkylightClient.{name}`.\n\n{inspect.getdoc(method) or ''}"
    return call


def _iterating(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: SyncSkylightClient, *args: Any, **kwargs: Any) -> Iterator[Any]:
        pages: AsyncGenerator[Any, None] = getattr(self.aclient, name)(*args, **kwargs)
        try:
            while True:
                try:
                    yield self._runner.run(pages.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            if not self._runner.loop.is_closed():
                self._runner.run(pages.aclose())

    call.__doc__ = f"Iterating form of :meth:`SkylightClient.{name}`.\n\n{inspect.getdoc(method) or ''}"
    return call


def _state(name: str) -> property:
    def read(self: SyncSkylightClient) -> Any:
        return getattr(self.aclient, name)

    read.__doc__ = f"As ``SkylightClient.{name}``."
    return property(read)


def _install() -> None:
    for name, member in inspect.getmembers(SkylightClient):
        if name.startswith("_") or name in ("aclose", "add_token_listener"):
            continue
        if inspect.iscoroutinefunction(member):
            setattr(SyncSkylightClient, name, _blocking(name, member))
        elif inspect.isasyncgenfunction(member):
            setattr(SyncSkylightClient, name, _iterating(name, member))
    for name in _STATE:
        setattr(SyncSkylightClient, name, _state(name))


_install()
