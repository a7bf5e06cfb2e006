"""stable_client_suffix and token_provider_for (a sync provider bridged onto an asyncio loop)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest

from skydesk.api.errors import SignInRequired, Timeout
from skydesk.events import stable_client_suffix, token_provider_for


def test_client_suffix_is_eight_digits_stable_per_device_and_user() -> None:
    a = stable_client_suffix("device-1", "user-1")
    assert len(a) == 8 and a.isdigit()
    assert stable_client_suffix("device-1", "user-1") == a
    assert stable_client_suffix("device-2", "user-1") != a
    assert stable_client_suffix("device-1", "user-2") != a
    with pytest.raises(ValueError, match="must not be empty"):
        stable_client_suffix("", "user-1")


class _Source:
    """Stands in for SkylightClient.access_token to produce faults on demand (slow, signed out).

    The real client is exercised through this bridge in test_stream_sandbox.py.
    """

    def __init__(self) -> None:
        self.calls: list[tuple[bool, threading.Thread]] = []
        self.delay = 0.0
        self.error: Exception | None = None

    async def access_token(self, *, force_refresh: bool = False) -> str:
        self.calls.append((force_refresh, threading.current_thread()))
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return "fresh" if force_refresh else "cached"


@pytest.fixture
def loop_thread() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="test-loop")
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def test_provider_runs_the_coroutine_on_the_clients_loop(loop_thread: asyncio.AbstractEventLoop) -> None:
    source = _Source()
    provider = token_provider_for(source, loop_thread)
    assert provider(False) == "cached"
    assert provider(True) == "fresh"
    assert [f for f, _ in source.calls] == [False, True]
    assert all(t.name == "test-loop" for _, t in source.calls)


def test_provider_passes_sign_in_required_through(loop_thread: asyncio.AbstractEventLoop) -> None:
    source = _Source()
    source.error = SignInRequired("Your session has ended")
    with pytest.raises(SignInRequired):
        token_provider_for(source, loop_thread)(True)


def test_provider_times_out_instead_of_hanging(loop_thread: asyncio.AbstractEventLoop) -> None:
    source = _Source()
    source.delay = 5
    with pytest.raises(Timeout, match="no access token within"):
        token_provider_for(source, loop_thread, timeout=0.2)(False)


async def test_provider_refuses_to_block_its_own_loop() -> None:
    provider = token_provider_for(_Source(), asyncio.get_running_loop())
    with pytest.raises(RuntimeError, match="own event loop"):
        provider(False)


def test_provider_on_a_closed_loop_fails_fast() -> None:
    loop = asyncio.new_event_loop()
    loop.close()
    with pytest.raises(RuntimeError, match="closed"):
        token_provider_for(_Source(), loop)(False)
