"""The exception tree: each HTTP status and failure maps to its class, with a message for a person."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from skydesk.api import (
    NO_RETRY,
    ApiError,
    AuthError,
    BadResponse,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    SignInRequired,
    SkylightClient,
    Timeout,
    TransportError,
    ValidationError,
)

from .fakes import APP, FakeApi, json_response, signed_in


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, ValidationError),
        (401, AuthError),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (429, RateLimited),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (418, ApiError),
    ],
)
async def test_each_status_maps_to_its_error(status: int, cls: type[ApiError]) -> None:
    api = FakeApi(lambda r: json_response(status, {"error": "Session is closed"}))
    async with await signed_in(api, retry=NO_RETRY) as client:
        with pytest.raises(ApiError) as err:
            await client.get_session(APP, "s-1")
    assert type(err.value) is cls
    assert err.value.status == status and err.value.host == "api.test.invalid"
    assert "api.test.invalid" in err.value.message
    # The server's own words are passed on, except for 429, which says when to come back instead.
    said = "too many requests" if status == 429 else "Session is closed"
    assert said in err.value.message
    if status == 401:  # refreshed once, resent once, then reported; not a sign-in problem
        assert not isinstance(err.value, SignInRequired) and len(api.api_requests()) == 2


async def test_an_error_without_a_json_body_still_reads_well() -> None:
    api = FakeApi(lambda r: httpx.Response(502, content=b"<html>Bad Gateway</html>"))
    async with await signed_in(api, retry=NO_RETRY) as client:
        with pytest.raises(ServerError) as err:
            await client.get_session(APP, "s-1")
    assert err.value.message == "api.test.invalid had a problem (502)."


async def test_a_body_of_the_wrong_shape_is_a_bad_response() -> None:
    api = FakeApi(lambda r: json_response(200, ["a", "list"]))
    async with await signed_in(api) as client:
        with pytest.raises(BadResponse, match="expected an object"):
            await client.get_session(APP, "s-1")


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A real TCP server that accepts connections and never answers (a hung API)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    accepted: list[socket.socket] = []
    stop = False

    def serve() -> None:
        while not stop:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, name="test-silent-server", daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop = True
    thread.join(5)
    for conn in [*accepted, listener]:
        conn.close()


async def test_the_configured_timeout_applies_and_names_the_host(silent_server: int) -> None:
    client = SkylightClient(f"http://127.0.0.1:{silent_server}", timeout=0.5, retry=NO_RETRY)
    async with client:
        t0 = time.monotonic()
        with pytest.raises(Timeout) as err:
            await client.login("demo", "tech", "tech-demo-pw")
        took = time.monotonic() - t0
    assert 0.4 <= took < 5
    assert f"127.0.0.1:{silent_server} did not answer in time" in err.value.message
    assert err.value.outcome_unknown  # the login POST was sent; whether it counted is unknown


async def test_a_refused_connection_is_a_transport_error_naming_the_host() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    async with SkylightClient(f"http://127.0.0.1:{port}", retry=NO_RETRY) as client:
        with pytest.raises(TransportError) as err:
            await asyncio.wait_for(client.login("demo", "tech", "pw"), 10)
    assert type(err.value) is TransportError
    assert f"Could not connect to 127.0.0.1:{port}" in err.value.message
    assert not err.value.outcome_unknown
