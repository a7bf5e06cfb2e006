"""Every failure the SDK reports, and the one place where HTTP outcomes become exceptions.

Exception tree::

    SkydeskError                  anything raised on purpose by skydesk
    └── ApiError                  a call to the Skylight API failed (.message, .status, .host)
        ├── ValidationError       400, or rejected by the client before sending (.details: [FieldError])
        ├── AuthError             401: credentials or token rejected
        │   └── SignInRequired    the refresh token is gone or expired: ask for the password again
        ├── Forbidden             403: the user's roles do not allow this
        ├── NotFound              404
        ├── Conflict              409: e.g. the session is closed
        ├── RateLimited           429 (.retry_after seconds, or None)
        ├── ServerError           5xx
        ├── TransportError        no usable HTTP answer: connection refused/reset, TLS, DNS, ...
        │   └── Timeout           the server did not answer in time
        └── BadResponse           the server answered, but not with what the API promises

httpx exceptions are translated only by :func:`from_transport_error` and HTTP error statuses only by
:func:`from_response`; nothing else in the SDK builds these from raw httpx objects.

Messages are written for a person and never contain a token: server-supplied text passes through
:func:`redact` first.
"""

from __future__ import annotations

import math
import re
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from skydesk.api._json import loads

__all__ = [
    "ApiError",
    "AuthError",
    "BadResponse",
    "Conflict",
    "FieldError",
    "Forbidden",
    "NotFound",
    "RateLimited",
    "ServerError",
    "SignInRequired",
    "SkydeskError",
    "Timeout",
    "TransportError",
    "ValidationError",
    "from_response",
    "from_transport_error",
    "redact",
]

# A JWT is three base64url segments; the first always starts with "eyJ" ('{"' encoded).
_JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_BEARER_RE = re.compile(r"(?i)(bearer:?\s+)\S+")
_MAX_SERVER_TEXT = 300


def redact(text: str) -> str:
    """Replace anything that looks like a token (JWT, bearer value) with ``[redacted]``."""
    text = _JWT_RE.sub("[redacted]", text)
    return _BEARER_RE.sub(r"\1[redacted]", text)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One rejected field: a dotted path (``data.steps.0.bad key``) and a human message."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class SkydeskError(Exception):
    """Base of every exception skydesk raises on purpose."""


class ApiError(SkydeskError):
    """A call to the Skylight API failed; ``message`` is meant for a person."""

    def __init__(self, message: str, *, status: int | None = None, host: str | None = None) -> None:
        self.message = redact(message)
        self.status = status
        self.host = host
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r}, host={self.host!r})"


class ValidationError(ApiError):
    """The input was rejected (by the client before sending, or by the server with 400)."""

    def __init__(
        self,
        message: str,
        *,
        details: list[FieldError] | None = None,
        status: int | None = None,
        host: str | None = None,
    ) -> None:
        self.details: list[FieldError] = list(details or [])
        super().__init__(message, status=status, host=host)

    @classmethod
    def from_fields(cls, details: list[FieldError]) -> ValidationError:
        """Build the client-side error for ``details``, with a message listing every field."""
        listed = "; ".join(str(d) for d in details)
        return cls(f"Please correct the input: {listed}", details=details)


class AuthError(ApiError):
    """The server rejected the credentials or the token (401)."""


class SignInRequired(AuthError):
    """The session cannot be renewed (refresh token invalid or expired): sign in with the password."""


class Forbidden(ApiError):
    """The signed-in user lacks the permission for this action (403)."""


class NotFound(ApiError):
    """The requested item does not exist, or is not visible to this user (404)."""


class Conflict(ApiError):
    """The change conflicts with the item's state, e.g. the session is closed (409)."""


class RateLimited(ApiError):
    """The server asked us to slow down (429); ``retry_after`` is in seconds when it said."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        host: str | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=status, host=host)


class ServerError(ApiError):
    """The server failed (5xx)."""


class TransportError(ApiError):
    """No usable HTTP answer: the connection failed, was reset, or TLS was refused."""

    def __init__(
        self,
        message: str,
        *,
        host: str | None = None,
        outcome_unknown: bool = False,
        untrusted_certificate: bool = False,
    ) -> None:
        #: True when a change may or may not have been applied by the server (do not blindly resend).
        self.outcome_unknown = outcome_unknown
        #: True when the server's TLS certificate could not be verified (retrying will not help).
        self.untrusted_certificate = untrusted_certificate
        super().__init__(message, host=host)


class Timeout(TransportError):
    """The server did not answer in time."""


class BadResponse(ApiError):
    """The server's answer did not have the documented shape."""


# --------------------------------------------------------------------------- mapping

_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def never_reached_server(exc: httpx.TransportError) -> bool:
    """True when ``exc`` proves the request never left this machine, so resending cannot duplicate it."""
    return isinstance(exc, _NEVER_SENT)


def _cert_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    seen: BaseException | None = exc
    for _ in range(10):  # follow the cause chain, bounded against cycles
        if seen is None:
            return None
        if isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def from_transport_error(exc: httpx.TransportError, *, host: str, method: str) -> TransportError:
    """Translate an httpx transport failure into a :class:`TransportError` a person can act on."""
    cert = _cert_failure(exc)
    if cert is not None or "CERTIFICATE_VERIFY_FAILED" in str(exc):
        reason = cert.verify_message if cert is not None and cert.verify_message else "verification failed"
        return TransportError(
            f"The certificate of {host} is untrusted ({reason}). If this is a private server, "
            "choose its CA file in the connection settings.",
            host=host,
            untrusted_certificate=True,
        )
    if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
        return Timeout(f"Could not connect to {host} in time. Check the address and your network.", host=host)
    if isinstance(exc, httpx.ConnectError):
        return TransportError(f"Could not connect to {host}: {_short(exc)}.", host=host)
    changes = method.upper() in ("POST", "PATCH", "PUT", "DELETE")
    unknown = " The change may or may not have been saved; reload before trying again." if changes else ""
    if isinstance(exc, httpx.TimeoutException):
        return Timeout(f"{host} did not answer in time.{unknown}", host=host, outcome_unknown=changes)
    return TransportError(
        f"The connection to {host} failed: {_short(exc)}.{unknown}", host=host, outcome_unknown=changes
    )


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return redact(text)[:_MAX_SERVER_TEXT]


def _server_text(body: Any) -> str | None:
    if isinstance(body, dict):
        for key in ("error", "message", "detail"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:_MAX_SERVER_TEXT]
    return None


def _details(body: Any) -> list[FieldError]:
    raw = body.get("details") if isinstance(body, dict) else None
    out: list[FieldError] = []
    if isinstance(raw, list):
        for item in raw:
            if isinstance(item, dict):
                # Only text is taken: str() of an odd value (say, nested a thousand levels) could fail.
                field, message = item.get("field"), item.get("message")
                out.append(
                    FieldError(
                        field[:_MAX_SERVER_TEXT] if isinstance(field, str) else "",
                        redact(message[:_MAX_SERVER_TEXT]) if isinstance(message, str) else "is invalid",
                    )
                )
    return out


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def from_response(response: httpx.Response, *, host: str) -> ApiError:
    """Translate an HTTP error status (>= 400) into the matching :class:`ApiError` subclass."""
    status = response.status_code
    try:
        content = response.content
    except httpx.ResponseNotRead:  # the error body was lost with the connection
        content = b""
    try:
        body: Any = loads(content) if content else None
    except ValueError:
        body = None
    said = _server_text(body)
    suffix = f": {said}" if said else "."
    if status == 400:
        details = _details(body)
        text = said or "; ".join(str(d) for d in details) or "the request was rejected"
        return ValidationError(
            f"{host} rejected the input: {text}", details=details, status=status, host=host
        )
    if status == 401:
        return AuthError(f"{host} did not accept the sign-in{suffix}", status=status, host=host)
    if status == 403:
        return Forbidden(f"You are not allowed to do this on {host}{suffix}", status=status, host=host)
    if status == 404:
        return NotFound(f"Not found on {host}{suffix}", status=status, host=host)
    if status == 409:
        return Conflict(f"{host} refused the change{suffix}", status=status, host=host)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        wait = f" Try again in {retry_after:.0f} s." if retry_after is not None else " Try again shortly."
        return RateLimited(
            f"{host} is receiving too many requests.{wait}", retry_after=retry_after, host=host
        )
    if status >= 500:
        return ServerError(f"{host} had a problem ({status}){suffix}", status=status, host=host)
    return ApiError(f"{host} answered with an unexpected status {status}{suffix}", status=status, host=host)
