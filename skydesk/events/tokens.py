"""Where the event stream gets its MQTT password (the access token) and its client-id digits."""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
from collections.abc import Callable
from typing import Protocol

from skydesk.api.errors import Timeout

__all__ = ["TokenProvider", "TokenSource", "stable_client_suffix", "token_provider_for"]

TokenProvider = Callable[[bool], str]
"""``provider(force_refresh) -> raw access token``; called on the stream's worker thread.

It may raise ``skydesk.api.errors.SignInRequired`` (the stream then reports AUTH_FAILED and waits
for ``reconnect()``); any other exception is treated as a passing failure and retried with backoff.
"""

DEFAULT_TOKEN_TIMEOUT = 20.0


class TokenSource(Protocol):
    """Anything with ``SkylightClient.access_token``'s signature."""

    async def access_token(self, *, force_refresh: bool = False) -> str:
        """Return a valid access token, refreshing it first when asked or when it is about to expire."""
        ...


def token_provider_for(
    client: TokenSource, loop: asyncio.AbstractEventLoop, *, timeout: float = DEFAULT_TOKEN_TIMEOUT
) -> TokenProvider:
    """Wrap ``client.access_token`` (which lives on ``loop``) as a blocking provider for the MQTT thread."""

    def provider(force_refresh: bool) -> str:
        if loop.is_closed():
            raise RuntimeError("the event loop that owns the API client is closed")
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            # Blocking here would wait for the very loop we are blocking: a deadlock.
            raise RuntimeError("token provider called on its own event loop's thread")
        future = asyncio.run_coroutine_threadsafe(client.access_token(force_refresh=force_refresh), loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise Timeout(f"no access token within {timeout:.0f} s") from None

    return provider


def stable_client_suffix(device_id: str, user_id: str) -> str:
    """Eight digits derived from this installation and user, so the broker's queue survives restarts.

    A hash rather than random digits: the same device and user always get the same MQTT client
    id, which is what lets a persistent session deliver the events queued while the app was closed;
    different users on one device (or one user on two devices) get different ids, barring a
    one-in-10^8 hash collision.
    """
    if not device_id or not user_id:
        raise ValueError("device_id and user_id must not be empty")
    digest = hashlib.sha256(f"skydesk-mqtt\n{device_id}\n{user_id}".encode()).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 100_000_000:08d}"
