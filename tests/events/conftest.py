"""Fixtures for the event-stream tests: a real mosquitto over TLS, token minting, a publisher."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from skydesk.events import EventStream
from tests.support.prereq import require_tool

from .helpers import Recorder, make_stream, stream_threads
from .mosquitto import FakeAuthServer, MosquittoBroker, Publisher, TokenMint

USER = "u1"


@pytest.fixture(scope="session")
def mint() -> TokenMint:
    """One throwaway RSA key for the whole run (generating it is the slow part)."""
    return TokenMint()


@pytest.fixture
def mosquitto(tmp_path: Path) -> Iterator[MosquittoBroker]:
    """A private mosquitto (TLS 1.2, password file, ACL, persistence) on a free port."""
    exe = require_tool("mosquitto")
    require_tool("mosquitto_passwd")
    broker = MosquittoBroker(exe=exe, workdir=tmp_path / "mosquitto")
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def auth(mint: TokenMint, mosquitto: MosquittoBroker) -> FakeAuthServer:
    """Tokens for user u1, whose current token is the broker password of ``demo/u1``."""
    server = FakeAuthServer(mint, USER)
    mosquitto.add_user(USER, server.cached)
    return server


@pytest.fixture
def publisher(mosquitto: MosquittoBroker) -> Iterator[Publisher]:
    """An admin client that publishes events into users' topics."""
    pub = Publisher(mosquitto)
    yield pub
    pub.close()


@pytest.fixture(autouse=True)
def _no_stream_thread_left() -> Iterator[None]:
    """Every test must stop its streams: no worker thread it started may outlive it.

    Only this test's: a thread another directory's test left on the same xdist worker is that test's
    failure, not a reason to fail every events test after it.
    """
    before = set(stream_threads())
    yield
    left = [t for t in stream_threads() if t not in before]
    assert not left, f"EventStream threads left running: {left}"


@pytest.fixture
def open_stream() -> Iterator[Callable[..., EventStream]]:
    """Factory for started-later EventStreams that are always stopped at teardown."""
    made: list[EventStream] = []

    def factory(recorder: Recorder, **kwargs: Any) -> EventStream:
        stream = make_stream(recorder, **kwargs)
        made.append(stream)
        return stream

    yield factory
    for stream in made:
        stream.stop()
