"""Auth, TLS and paging against private sandboxes (short-lived tokens, a known number of sessions)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import jwt
import pytest

from skydesk.api import AuthError, SignInRequired, SkylightClient, TransportError

from .conftest import sign_in


async def test_five_second_tokens_are_refreshed_before_they_expire(
    make_sandbox: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="skydesk.api")
    sb = make_sandbox(token_ttl=3, refresh_ttl=60, seed=0)
    client = await sign_in(sb)
    changes: list[str | None] = []
    client.add_token_listener(lambda: changes.append(client.refresh_token))
    issued: set[str] = set()
    client.add_token_listener(lambda: issued.add(client.refresh_token or ""))
    async with client:
        first = await client.access_token()
        issued.add(first)
        deadline = time.monotonic() + 7.5  # crosses at least two expiries of the 3 s token
        calls = 0
        while time.monotonic() < deadline:
            assert len(await client.get_applications()) == 3
            calls += 1
            await asyncio.sleep(0.25)
        last = await client.access_token()
        assert last != first
        issued.add(last)
    assert len(changes) >= 2
    statuses = [r.getMessage() for r in caplog.records if "->" in r.getMessage()]
    assert len(statuses) >= calls
    # Proactive refresh means the server never had to reject an expired token.
    assert not [s for s in statuses if s.endswith("401") or "-> 401 " in s]
    for token in issued - {""}:  # nothing the client logged contains a token
        assert token not in caplog.text


async def test_expired_refresh_token_needs_the_password(make_sandbox: Any) -> None:
    sb = make_sandbox(token_ttl=1, refresh_ttl=2, seed=0)
    client = await sign_in(sb)
    async with client:
        user_id = client.user_id
        await asyncio.sleep(2.5)
        with pytest.raises(SignInRequired) as err:
            await client.get_applications()
        assert "password" in err.value.message
        assert not client.is_signed_in and client.refresh_token is None
        assert (client.user_id, client.realm) == (user_id, sb.info.realm)  # the app knows whom to ask
        await client.login(sb.info.realm, "tech", "tech-demo-pw")
        assert len(await client.get_applications()) == 3


async def test_restore_from_a_stored_refresh_token(sandbox: Any) -> None:
    first = await sign_in(sandbox)
    async with first:
        stored = first.refresh_token
        user_id = first.user_id
    assert stored is not None
    info = sandbox.info
    async with SkylightClient(info.api_url, ca_file=info.ca_file) as client:
        await client.restore(info.realm, stored)
        assert client.is_signed_in and client.user_id == user_id and client.username == "tech"
        assert await client.get_applications()


async def test_restore_with_a_token_the_server_rejects(sandbox: Any) -> None:
    info = sandbox.info
    forged = jwt.encode({"sub": info.users[0].id, "exp": int(time.time()) + 600, "typ": "refresh"}, "x" * 32)
    async with SkylightClient(info.api_url, ca_file=info.ca_file) as client:
        with pytest.raises(SignInRequired):
            await client.restore(info.realm, forged)
        assert client.user_id == info.users[0].id and not client.is_signed_in
        with pytest.raises(SignInRequired):
            await client.restore(info.realm, "not-a-jwt")


async def test_wrong_password_is_an_auth_error(sandbox: Any) -> None:
    info = sandbox.info
    async with SkylightClient(info.api_url, ca_file=info.ca_file) as client:
        with pytest.raises(AuthError) as err:
            await client.login(info.realm, "tech", "wrong")
    assert not isinstance(err.value, SignInRequired)
    assert err.value.status == 401 and client.host in err.value.message and "wrong" not in err.value.message


async def test_tls_without_the_sandbox_ca_is_untrusted(sandbox: Any) -> None:
    info = sandbox.info
    async with SkylightClient(info.api_url) as client:  # system store only: the sandbox CA is private
        t0 = time.monotonic()
        with pytest.raises(TransportError) as err:
            await client.login(info.realm, "tech", "tech-demo-pw")
    assert err.value.untrusted_certificate
    assert "untrusted" in err.value.message and client.host in err.value.message
    assert time.monotonic() - t0 < 5  # a certificate problem is not retried


async def test_iter_sessions_visits_each_of_300_exactly_once(make_sandbox: Any) -> None:
    sb = make_sandbox(seed=0)
    app_id = next(a.application_id for a in sb.info.applications if a.name == "Pump Maintenance")
    client = await sign_in(sb)
    async with client:
        created: list[str] = []
        for start in range(0, 300, 25):  # batches keep the 2-core CI machine responsive
            batch = await asyncio.gather(
                *(client.create_session(app_id, name=f"S{i:03d}") for i in range(start, start + 25))
            )
            created += [s.session_id for s in batch]
        seen = [s.session_id async for s in client.iter_sessions(app_id, page_size=7)]
        assert len(seen) == 300 and set(seen) == set(created)
        by_name = [s.name async for s in client.iter_sessions(app_id, sort="-name", page_size=200)]
        assert by_name == [f"S{i:03d}" for i in reversed(range(300))]
        assert len(await client.get_sessions(app_id)) == 300
