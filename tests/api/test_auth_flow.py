"""Token lifecycle details the sandbox cannot time on demand: logout, shared proactive refresh, fallback.

The scripted server (httpx.MockTransport) counts refreshes, which is what these rules are about.
"""

from __future__ import annotations

import asyncio

import pytest

from skydesk.api import ServerError, SignInRequired, _auth

from .fakes import APP, FakeApi, json_response, session_json, signed_in


async def test_logout_forgets_everything_and_sends_nothing_more() -> None:
    api = FakeApi(lambda r: json_response(200, session_json()))
    async with await signed_in(api) as client:
        told: list[str | None] = []
        client.add_token_listener(lambda: told.append(client.refresh_token))
        sent_before = len(api.requests)
        await client.logout()
        assert not client.is_signed_in
        assert (client.user_id, client.realm, client.username, client.refresh_token) == (None,) * 4
        assert (client.access_expires_at, client.refresh_expires_at) == (None, None)
        assert told == [None]  # the app deletes the stored refresh token
        with pytest.raises(SignInRequired, match=r"api\.test\.invalid"):
            await client.get_session(APP, "s-1")
        with pytest.raises(SignInRequired):
            await client.access_token()
    assert len(api.requests) == sent_before  # logout is local; nothing was sent without a token


async def test_concurrent_requests_share_one_proactive_refresh() -> None:
    api = FakeApi(lambda r: json_response(200, session_json()), ttl=1)
    api.refresh_delay = 0.2  # keep the refresh in flight while all ten requests ask for a token
    async with await signed_in(api) as client:
        await asyncio.sleep(1.0)  # the 1 s token is now due for renewal
        await asyncio.gather(*(client.get_session(APP, "s-1") for _ in range(10)))
    assert api.refreshes == 1
    fresh = f"Bearer {api.issued[-1]}"
    assert [r.headers["Authorization"] for r in api.api_requests()] == [fresh] * 10


async def test_a_failed_early_refresh_keeps_using_the_still_valid_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A margin wider than the token's life: every use is "early", while the token is still valid.
    monkeypatch.setattr(_auth, "REFRESH_MARGIN_MAX", 1000.0)
    monkeypatch.setattr(_auth, "REFRESH_MARGIN_FRACTION", 1.0)
    api = FakeApi(lambda r: json_response(200, session_json()), ttl=600)
    async with await signed_in(api) as client:
        first = api.issued[-1]
        api.refresh_status = 503  # the auth service is briefly down
        session = await client.get_session(APP, "s-1")
        assert session.session_id == "s-1"
        assert api.refreshes == 1 and api.api_requests()[0].headers["Authorization"] == f"Bearer {first}"
        with pytest.raises(ServerError):  # asked explicitly, the failure is reported
            await client.access_token(force_refresh=True)
        assert client.is_signed_in  # a passing failure does not sign anyone out
