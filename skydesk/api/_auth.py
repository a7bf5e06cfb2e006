"""Token lifecycle: login, proactive refresh, one shared refresh in flight, and sign-in-required."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from skydesk.api.errors import (
    ApiError,
    AuthError,
    BadResponse,
    FieldError,
    SignInRequired,
    TransportError,
    ValidationError,
)

log = logging.getLogger("skydesk.api")

LOGIN_PATH = "/v1/authentication/login/realms/{realm}"
REFRESH_PATH = "/v1/authentication/token/refresh"

#: Refresh this long before expiry at most; short tokens use 10 % of their lifetime instead.
REFRESH_MARGIN_MAX = 30.0
REFRESH_MARGIN_FRACTION = 0.1
JWT_GRANULARITY = 1.0
_TTL_MAX = 10 * 365 * 24 * 3600.0  # ten years: longer token lifetimes are a broken answer

PostJson = Callable[[str, dict[str, Any]], Awaitable[Any]]


def _claims(token: str) -> dict[str, Any]:
    """Read a JWT's claims WITHOUT verifying its signature.

    The client does not have (and must not need) the server's signing key. These claims only
    tell us who we are signed in as and when to refresh; every authorisation decision is made by
    the server, which does verify the signature. Nothing here is trusted for security.
    """
    try:
        claims = jwt.decode(token, options={"verify_signature": False, "verify_exp": False})
    except (jwt.PyJWTError, ValueError, RecursionError):  # garbage, or claims nested too deeply
        return {}
    return claims if isinstance(claims, dict) else {}


# Shorter secrets are not cut out of messages: removing every "ab" would garble the text and hide nothing.
_MIN_SCRUB_LENGTH = 4


def _scrub(exc: ApiError, secret: str) -> None:
    """Cut ``secret`` (the password or refresh token just sent) out of a failure's text, in place.

    A server may echo what it was sent in its error body; :func:`~skydesk.api.errors.redact` only knows
    what tokens look like, and a password or an opaque refresh token looks like anything.
    """
    if len(secret) < _MIN_SCRUB_LENGTH:
        return
    if secret in exc.message:
        exc.message = exc.message.replace(secret, "[redacted]")
        exc.args = (exc.message,)
    if isinstance(exc, ValidationError):
        exc.details = [
            FieldError(d.field.replace(secret, "[redacted]"), d.message.replace(secret, "[redacted]"))
            for d in exc.details
        ]


def _number(body: dict[str, Any], key: str) -> float | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadResponse(f"The server sent a malformed sign-in answer: '{key}' is not a number.")
    if not 0 <= value <= _TTL_MAX:  # also false for NaN, which Python's JSON parser accepts
        raise BadResponse(f"The server sent a malformed sign-in answer: '{key}' is out of range.")
    return float(value)


def _ttl(seconds: float) -> float:
    """A lifetime worked out from token claims, kept to what time arithmetic can handle."""
    return min(max(seconds, 0.0), _TTL_MAX) if math.isfinite(seconds) else 60.0


def _usable(ttl: float) -> float:
    """How long a token can be relied on: JWT times are whole seconds, so the server's "now + ttl"
    may end up to a second before our "received + ttl". Short tokens keep at least half their life."""
    return max(ttl - JWT_GRANULARITY, ttl / 2)


def _when(epoch: object) -> datetime | None:
    if isinstance(epoch, int | float) and not isinstance(epoch, bool):
        try:
            return datetime.fromtimestamp(epoch, UTC)
        except (OverflowError, ValueError, OSError):  # a claim far outside any calendar
            return None
    return None


@dataclass(frozen=True, slots=True)
class _Tokens:
    """The current token pair plus when to renew it (monotonic clock: immune to wall-clock jumps)."""

    access_token: str
    refresh_token: str
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None
    access_deadline: float
    refresh_deadline: float | None
    ttl: float

    def __repr__(self) -> str:  # never show tokens, even in a debugger or a crash dump
        expiry = f"access_expires_at={self.access_expires_at}, refresh_expires_at={self.refresh_expires_at}"
        return f"_Tokens({expiry})"


class TokenManager:
    """Holds the tokens of one client and renews them; every token use goes through here."""

    def __init__(self, post_json: PostJson, host: str) -> None:
        self._post_json = post_json
        self._host = host
        self._tokens: _Tokens | None = None
        self._inflight: asyncio.Task[None] | None = None
        self._generation = 0  # bumped on login/logout so a late refresh cannot resurrect old state
        self._listeners: list[Callable[[], None]] = []
        self.realm: str | None = None
        self.user_id: str | None = None
        self.username: str | None = None

    # ------------------------------------------------------------------ state
    @property
    def tokens(self) -> _Tokens | None:
        """The current token pair, or None when signed out."""
        return self._tokens

    def add_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after every change of tokens (login, refresh, logout, sign-in required)."""
        self._listeners.append(callback)

    def _notify(self) -> None:
        for callback in list(self._listeners):
            try:
                callback()
            except Exception:  # a faulty listener must not break the request that refreshed
                log.exception("token listener failed")

    def forget(self, *, keep_identity: bool) -> None:
        """Drop the tokens; with ``keep_identity`` the app still knows whom to ask for a password."""
        self._generation += 1
        self._tokens = None
        if not keep_identity:
            self.realm = self.user_id = self.username = None
        self._notify()

    async def aclose(self) -> None:
        """Cancel a refresh still in flight (the client is closing; nobody will use its result)."""
        task = self._inflight
        if task is not None and not task.done():
            task.cancel()  # its done-callback retrieves the outcome; awaiting could swallow our own cancel

    # ------------------------------------------------------------------ sign-in
    async def login(self, realm: str, username: str, password: str) -> None:
        """Sign in with a password."""
        self._generation += 1
        generation = self._generation
        started = time.monotonic()
        try:
            body = await self._post_json(
                LOGIN_PATH.format(realm=realm), {"username": username, "password": password, "realm": realm}
            )
        except ApiError as exc:
            _scrub(exc, password)
            raise
        self._accept(body, realm=realm, started=started, generation=generation)
        log.info("signed in to %s as %s", self._host, self.username or self.user_id)

    async def restore(self, realm: str, refresh_token: str) -> None:
        """Resume from a stored refresh token; raises SignInRequired when it is no longer valid."""
        self._generation += 1
        claims = _claims(refresh_token)
        self.realm = realm
        self.user_id = claims.get("sub") if isinstance(claims.get("sub"), str) else None
        deadline = None
        exp = claims.get("exp")
        if isinstance(exp, int | float):
            deadline = time.monotonic() + (float(exp) - time.time())
        # A placeholder pair whose access part is already due, so the refresh below runs.
        self._tokens = _Tokens("", refresh_token, None, _when(exp), 0.0, deadline, 0.0)
        await self.refresh()

    async def refresh(self) -> None:
        """Renew the access token now; concurrent callers share one request."""
        task = self._inflight
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(self._do_refresh(), name="skydesk-token-refresh")
            self._inflight = task
            task.add_done_callback(self._refresh_done)
        # shield: a caller being cancelled must not abort a refresh others are waiting for, and a
        # refresh the server already answered must not be thrown away (the old token may be spent).
        await asyncio.shield(task)

    def _refresh_done(self, task: asyncio.Task[None]) -> None:
        if self._inflight is task:
            self._inflight = None
        if not task.cancelled():
            task.exception()  # mark as retrieved: waiters re-raise it; avoid "never retrieved" noise

    async def _do_refresh(self) -> None:
        tokens = self._tokens
        if tokens is None or not tokens.refresh_token:
            raise SignInRequired(f"You are not signed in to {self._host}. Please sign in.", host=self._host)
        if tokens.refresh_deadline is not None and time.monotonic() >= tokens.refresh_deadline:
            self.forget(keep_identity=True)
            raise SignInRequired(
                f"Your sign-in to {self._host} has expired. Please enter your password again.",
                host=self._host,
            )
        generation = self._generation
        started = time.monotonic()
        try:
            body = await self._post_json(REFRESH_PATH, {"refreshToken": tokens.refresh_token})
        except ApiError as exc:
            _scrub(exc, tokens.refresh_token)
            if not isinstance(exc, AuthError | ValidationError):
                raise
            # 400/401 on refresh: the server no longer honours this refresh token.
            if generation == self._generation:
                self.forget(keep_identity=True)
            raise SignInRequired(
                f"Your sign-in to {self._host} is no longer valid. Please enter your password again.",
                status=exc.status,
                host=self._host,
            ) from exc
        self._accept(body, realm=self.realm, started=started, generation=generation)
        log.debug("access token renewed for %s", self._host)

    def _accept(self, body: Any, *, realm: str | None, started: float, generation: int) -> None:
        if generation != self._generation:
            log.debug("discarding tokens from a sign-in that was superseded")
            return
        if not isinstance(body, dict):
            raise BadResponse(f"{self._host} sent a malformed sign-in answer.", host=self._host)
        access = body.get("access_token")
        refresh = body.get("refresh_token") or (self._tokens.refresh_token if self._tokens else None)
        if not isinstance(access, str) or not access or not isinstance(refresh, str):
            raise BadResponse(f"{self._host} sent a sign-in answer without tokens.", host=self._host)
        claims = _claims(access)
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise BadResponse(f"{self._host} sent an access token without a user id.", host=self._host)
        now = time.time()
        exp = claims.get("exp")
        ttl = _number(body, "expires_in")
        if ttl is None:
            # Fall back to the token's own lifetime; exp - iat is immune to clock skew, exp - now is not.
            iat = claims.get("iat")
            if isinstance(exp, int | float) and isinstance(iat, int | float):
                ttl = _ttl(float(exp) - float(iat))
            elif isinstance(exp, int | float):
                ttl = _ttl(float(exp) - now)
            else:
                ttl = 60.0
        refresh_ttl = _number(body, "refresh_expires_in")
        refresh_claims = _claims(refresh)
        refresh_exp = refresh_claims.get("exp")
        if refresh_ttl is None and isinstance(refresh_exp, int | float):
            refresh_ttl = _ttl(float(refresh_exp) - now)
        # Deadlines count from when the request was sent, so network time eats into the margin, not past it.
        self._tokens = _Tokens(
            access_token=access,
            refresh_token=refresh,
            access_expires_at=_when(exp) or datetime.now(UTC) + timedelta(seconds=ttl),
            refresh_expires_at=_when(refresh_exp)
            or (datetime.now(UTC) + timedelta(seconds=refresh_ttl) if refresh_ttl is not None else None),
            access_deadline=started + _usable(ttl),
            refresh_deadline=None if refresh_ttl is None else started + refresh_ttl,
            ttl=ttl,
        )
        self.realm = realm if realm is not None else claims.get("realm")
        self.user_id = sub
        name = claims.get("preferred_username")
        if isinstance(name, str):
            self.username = name
        self._notify()

    # ------------------------------------------------------------------ token use
    def _due(self, tokens: _Tokens) -> bool:
        margin = min(REFRESH_MARGIN_MAX, REFRESH_MARGIN_FRACTION * tokens.ttl)
        return time.monotonic() >= tokens.access_deadline - margin

    async def valid_token(self, *, force_refresh: bool = False) -> str:
        """An access token that is not about to expire, refreshing first when needed."""
        tokens = self._tokens
        if tokens is None:
            raise SignInRequired(f"You are not signed in to {self._host}. Please sign in.", host=self._host)
        if force_refresh or self._due(tokens):
            try:
                await self.refresh()
            except (TransportError, ApiError) as exc:
                still_valid = time.monotonic() < tokens.access_deadline and tokens.access_token
                if isinstance(exc, SignInRequired) or force_refresh or not still_valid:
                    raise
                # A proactive refresh failed for a passing reason: the current token still works.
                log.warning("early token refresh failed (%s); using the current token", exc)
        current = self._tokens
        if current is None:  # pragma: no cover - refresh either sets tokens or raises
            raise SignInRequired(f"You are not signed in to {self._host}.", host=self._host)
        return current.access_token

    async def token_after_rejection(self, rejected: str) -> str:
        """After a 401 for ``rejected``: a new token (refreshing unless someone already did)."""
        current = self._tokens
        if current is not None and current.access_token and current.access_token != rejected:
            return current.access_token
        await self.refresh()
        return await self.valid_token()
