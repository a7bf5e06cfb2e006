"""Passwords and tokens never reach an exception's text, its traceback (crash dialog details) or a repr.

The echoing servers here are ``httpx.MockTransport`` scripts: the sandbox never echoes a password or a
refresh token back, but a real server (or a proxy in front of it) may, and the SDK must not pass it on.
"""

from __future__ import annotations

import json
import traceback
from typing import Any

import httpx
import pytest

from skydesk.api import ApiError, SignInRequired, SkylightClient, ValidationError
from skydesk.core.logs import describe_exception
from tests.api.fakes import make_token

PASSWORD = "Correct-Horse-7731"
OPAQUE_REFRESH = "opaque-refresh-5f0c2a9e41d7"  # not a JWT, so no token pattern can recognise it


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body).encode())


def _everything_said_about(exc: BaseException) -> list[str]:
    """What a log, the crash dialog's details or a developer would see of ``exc`` (and its causes)."""
    texts = [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    texts += [str(d) for d in getattr(exc, "details", [])]
    texts += list(describe_exception(type(exc), exc, exc.__traceback__))
    cause = exc.__cause__ or exc.__context__
    if cause is not None:
        texts += [str(cause), repr(cause)]
    return texts


def _echo_login(status: int, with_details: bool = False) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        body: dict[str, Any] = {"error": f"no account matches password {sent['password']}"}
        if with_details:
            body["details"] = [{"field": "password", "message": f"{sent['password']} is too weak"}]
        return _json(status, body)

    return httpx.MockTransport(handler)


@pytest.mark.parametrize(("status", "with_details"), [(400, True), (401, False), (403, False), (500, False)])
async def test_a_password_echoed_by_the_server_is_cut_out(status: int, with_details: bool) -> None:
    async with SkylightClient("api.test.invalid", transport=_echo_login(status, with_details)) as client:
        with pytest.raises(ApiError) as err:
            await client.login("demo", "tech", PASSWORD)
    texts = _everything_said_about(err.value)
    assert all(PASSWORD not in text for text in texts), "the password is in an error text"
    assert "no account matches password [redacted]" in str(err.value), "the rest of the message stays"
    if with_details:
        assert isinstance(err.value, ValidationError)
        assert [d.message for d in err.value.details] == ["[redacted] is too weak"]


@pytest.mark.parametrize("status", [401, 400, 503])
async def test_an_opaque_refresh_token_echoed_on_refresh_is_cut_out(status: int) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v1/authentication/login"):
            access = make_token(ttl=300)
            return _json(200, {"access_token": access, "expires_in": 300, "refresh_token": OPAQUE_REFRESH})
        sent = json.loads(request.content)["refreshToken"]
        return _json(status, {"error": f"refresh token {sent} is not valid here"})

    client = SkylightClient("api.test.invalid", transport=httpx.MockTransport(handler))
    async with client:
        await client.login("demo", "tech", PASSWORD)
        assert client.refresh_token == OPAQUE_REFRESH
        with pytest.raises(ApiError) as err:
            await client.refresh()
    if status in (400, 401):
        assert isinstance(err.value, SignInRequired), "the app must ask for the password"
    texts = _everything_said_about(err.value)
    assert all(OPAQUE_REFRESH not in text for text in texts), "the refresh token is in an error text"


async def test_reprs_of_client_tokens_stream_store_and_profile_show_no_secret() -> None:
    from keyring.backends import fail

    from skydesk.core.credentials import CredentialStore
    from skydesk.core.settings import ConnectionProfile
    from skydesk.events import EventStream

    access, refresh = make_token(ttl=300), make_token(ttl=900, typ="refresh", salt="r")

    def handler(request: httpx.Request) -> httpx.Response:
        return _json(200, {"access_token": access, "expires_in": 300, "refresh_token": refresh})

    async with SkylightClient("api.test.invalid", transport=httpx.MockTransport(handler)) as client:
        await client.login("demo", "tech", PASSWORD)
        assert await client.access_token() == access and client.refresh_token == refresh
        stream = EventStream(
            host="mqtt.test.invalid",
            realm="demo",
            user_id="u-123",
            token_provider=lambda _force_refresh: access,
            client_suffix="12345678",
        )
        profile = ConnectionProfile(name="p", api_url=client.api_url, mqtt_host="m", username="tech")
        store = CredentialStore(backend=fail.Keyring())
        texts = [repr(client), str(client), repr(client._auth), repr(client._auth.tokens), repr(stream)]
        texts += [repr(profile), repr(store), repr(vars(profile))]
    assert "tech" in repr(client), "the repr still says who is signed in"
    for secret in (access, refresh, PASSWORD):
        assert all(secret not in text for text in texts)


def test_a_password_typed_into_the_api_url_is_not_repeated_at_sign_in() -> None:
    from skydesk.core.settings import ConnectionProfile
    from skydesk.models.auth import _default_client_factory, describe_sign_in_error

    profile = ConnectionProfile(name="p", api_url=f"https://tech:{PASSWORD}@api.example.com", mqtt_host="m")
    with pytest.raises(ValueError) as err:
        _default_client_factory(profile, "device-1")
    shown = describe_sign_in_error(err.value, profile)
    assert PASSWORD not in shown and PASSWORD not in repr(err.value)
    assert "api.example.com" in shown and "must not contain a user name or password" in shown
