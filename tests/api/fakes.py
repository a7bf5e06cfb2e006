"""A scripted stand-in for the API, used ONLY for faults the real sandbox cannot produce.

It sits behind ``httpx.MockTransport`` and records every request it receives, so tests can assert on
what the server would have seen (how many times a POST arrived, which token it carried, ...).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt

from skydesk.api import NO_RETRY, RetryPolicy, SkylightClient

USER_ID = "u-123"
APP = "app-1"
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, total_budget=10.0)

Handler = Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response]


def make_token(*, ttl: float = 300, typ: str = "access", sub: str = USER_ID, salt: str = "") -> str:
    """A real JWT shaped like the sandbox's; signed with a throwaway key the client never needs."""
    now = int(time.time())
    claims = {"sub": sub, "exp": now + int(ttl), "iat": now, "typ": typ, "realm": "demo", "jti": salt}
    claims["preferred_username"] = "tech"
    return jwt.encode(claims, "test-secret-that-is-long-enough-for-hs256", algorithm="HS256")


def token_body(ttl: float = 300, refresh_ttl: float = 1800, salt: str = "") -> dict[str, Any]:
    """A login/refresh response body."""
    return {
        "access_token": make_token(ttl=ttl, salt="a" + salt),
        "expires_in": ttl,
        "refresh_token": make_token(ttl=refresh_ttl, typ="refresh", salt="r" + salt),
        "refresh_expires_in": refresh_ttl,
    }


def session_json(**over: Any) -> dict[str, Any]:
    """A valid session object as the API sends it."""
    body: dict[str, Any] = {
        "sessionId": "s-1",
        "applicationId": APP,
        "version": 1,
        "name": "Pump 7",
        "description": "",
        "participants": [{"id": USER_ID, "type": "user", "isGuest": False}],
        "status": "open",
        "properties": {},
        "createdBy": USER_ID,
        "createdAt": "2026-01-02T03:04:05.678Z",
        "modifiedBy": USER_ID,
        "modifiedAt": "2026-01-02T03:04:05.678Z",
        "isDraft": False,
    }
    body.update(over)
    return body


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON response."""
    return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)


class FakeApi:
    """Answers login/refresh itself and passes every other request to ``handler``; records all."""

    def __init__(self, handler: Handler | None = None, *, ttl: float = 300) -> None:
        self.handler = handler
        self.ttl = ttl
        self.requests: list[httpx.Request] = []
        self.refreshes = 0
        self.refresh_delay = 0.0
        self.refresh_status = 200
        self.issued: list[str] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.startswith("/v1/authentication/"):
            if request.url.path.endswith("/refresh"):
                self.refreshes += 1
                await asyncio.sleep(self.refresh_delay)
                if self.refresh_status != 200:
                    return json_response(self.refresh_status, {"error": "The refresh token has expired"})
            body = token_body(self.ttl, salt=str(len(self.requests)))
            self.issued.append(body["access_token"])
            return json_response(200, body)
        assert self.handler is not None, f"unexpected request {request.method} {request.url}"
        result = self.handler(request)
        if isinstance(result, httpx.Response):
            return result
        return await result

    def api_requests(self) -> list[httpx.Request]:
        """Requests other than login/refresh."""
        return [r for r in self.requests if not r.url.path.startswith("/v1/authentication/")]

    def client(self, *, retry: RetryPolicy | None = FAST_RETRY) -> SkylightClient:
        """A client wired to this fake."""
        return SkylightClient(
            "https://api.test.invalid/",
            transport=httpx.MockTransport(self),
            device_id="device-1",
            retry=retry or NO_RETRY,
        )


async def signed_in(api: FakeApi, *, retry: RetryPolicy | None = FAST_RETRY) -> SkylightClient:
    """A client that has logged in against ``api``."""
    client = api.client(retry=retry)
    await client.login("demo", "tech", "tech-demo-pw")
    return client
