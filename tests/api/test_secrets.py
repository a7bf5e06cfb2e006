"""Tokens and passwords never reach exception messages, reprs or logs, even when the server echoes them.

Uses the mock transport because only a scripted server can be made to echo a token back.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from skydesk.api import ApiError, SkylightClient

from .fakes import APP, FakeApi, json_response

PASSWORD = "tech-demo-pw"


async def test_tokens_never_appear_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    api = FakeApi()
    known: list[str] = []

    def echo_token(request: httpx.Request) -> httpx.Response:
        auth = request.headers["Authorization"]
        token = auth.split(" ", 1)[1]
        path = request.url.path
        if path.endswith("/s-401"):
            return json_response(401, {"error": f"token {token} rejected"})
        if path.endswith("/s-400"):
            return json_response(400, {"error": auth, "details": [{"field": "x", "message": token}]})
        if path.endswith("/s-500"):
            return httpx.Response(500, content=f"crash while handling {auth}".encode())
        if path.endswith("/s-404"):
            return json_response(404, {"error": f"no session for Bearer: {token}"})
        raise httpx.ReadError(f"reset while sending {auth}", request=request)

    api.handler = echo_token
    client = api.client()
    await client.login("demo", "tech", PASSWORD)
    known += [api.issued[-1], client.refresh_token or ""]
    errors: list[ApiError] = []
    for sid in ("s-401", "s-400", "s-500", "s-404", "s-reset"):
        with pytest.raises(ApiError) as err:
            await client.get_session(APP, sid)
        errors.append(err.value)
    await client.aclose()

    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(client)]
    texts += [str(d) for e in errors for d in getattr(e, "details", [])]
    texts.append(caplog.text)
    texts += [str(r.args) for r in caplog.records]
    for secret in [*known, PASSWORD]:
        assert secret
        for text in texts:
            assert secret not in text
    assert any("[redacted]" in t for t in texts)  # the echoes really happened and were scrubbed
    assert all("api.test.invalid" in str(e) for e in errors)


async def test_client_repr_shows_user_not_tokens() -> None:
    api = FakeApi()
    async with api.client() as client:
        await client.login("demo", "tech", PASSWORD)
        text = repr(client) + repr(client._auth.tokens)
        assert "tech" in text
        assert client.refresh_token is not None and client.refresh_token not in text
        assert api.issued[-1] not in text


async def test_login_failure_message_is_for_a_person() -> None:
    async def reject(request: httpx.Request) -> httpx.Response:
        return json_response(401, {"error": "Invalid username or password"})

    client = SkylightClient("api.test.invalid", transport=httpx.MockTransport(reject))
    async with client:
        with pytest.raises(ApiError) as err:
            await client.login("demo", "tech", PASSWORD)
    assert str(err.value) == "api.test.invalid did not accept the sign-in: Invalid username or password"
    assert PASSWORD not in repr(err.value)
