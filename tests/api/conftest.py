"""Fixtures for SDK tests against the real sandbox (real TLS sockets, real JWTs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from skydesk.api import SkylightClient


async def sign_in(sandbox: Any, username: str = "tech") -> SkylightClient:
    """A client signed in to ``sandbox`` as a demo user, trusting the sandbox CA."""
    info = sandbox.info
    client = SkylightClient(info.api_url, ca_file=info.ca_file, device_id=f"tests-{username}")
    await client.login(info.realm, username, info.user(username).password)
    return client


@pytest.fixture
async def tech(sandbox: Any) -> AsyncIterator[SkylightClient]:
    """The demo technician (users[0]), a participant-only reader."""
    client = await sign_in(sandbox, "tech")
    yield client
    await client.aclose()


@pytest.fixture
async def dispatch(sandbox: Any) -> AsyncIterator[SkylightClient]:
    """The dispatcher, who may read and update any session."""
    client = await sign_in(sandbox, "dispatch")
    yield client
    await client.aclose()


@pytest.fixture
def app_id(sandbox: Any) -> str:
    """The "Field Inspection" application (published 3, draft 4)."""
    return next(a.application_id for a in sandbox.info.applications if a.name == "Field Inspection")
