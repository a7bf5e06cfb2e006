"""The request pipeline: one pooled httpx client, auth headers, device headers, retries, error mapping."""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
import logging
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from skydesk.api._auth import TokenManager
from skydesk.api._json import loads
from skydesk.api._retry import IDEMPOTENT_METHODS, RETRY_STATUSES, RetryPolicy
from skydesk.api.errors import (
    BadResponse,
    RateLimited,
    from_response,
    from_transport_error,
    never_reached_server,
    parse_retry_after,
)

log = logging.getLogger("skydesk.api")

T = TypeVar("T")

CHANGE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
#: A body for one attempt: bytes, or a factory that yields a fresh chunk stream for each attempt.
Body = bytes | Callable[[], AsyncIterator[bytes]] | None
#: httpcore's ``trace`` request extension: awaited with each step's name (``http11.connect_tcp.started``)
Trace = Callable[[str, dict[str, Any]], Awaitable[None]]


def normalise_api_url(url: str) -> str:
    """Trim spaces and trailing slashes and default to https, so user-typed hosts just work."""
    text = url.strip()
    if not text:
        raise ValueError("The API address is empty.")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.username is not None or parts.password is not None:
        # It would be sent to the server, shown in reprs and logs, and saved with the profile.
        raise ValueError(
            f"The API address for {parts.hostname or 'the server'} must not contain a user name or "
            "password; sign in with them instead."
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not a usable API address (expected e.g. https://api.example.com).")
    return text.rstrip("/")


def _host_of(api_url: str) -> str:
    parts = urlsplit(api_url)
    return parts.netloc.rsplit("@", 1)[-1]  # never show credentials embedded in a URL


def _is_loopback(api_url: str) -> bool:
    """Whether the URL's host is this machine (localhost, 127.0.0.0/8 or ::1): nothing crosses a network."""
    host = urlsplit(api_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_device_id() -> str:
    """A device id stable per machine: a hash of /etc/machine-id (never the id itself), else random."""
    try:
        machine = Path("/etc/machine-id").read_text(encoding="ascii").strip()
    except OSError:
        machine = ""
    if not machine:
        return str(uuid.uuid4())
    digest = hashlib.sha256(b"skydesk-device:" + machine.encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def device_timestamp() -> str:
    """Now as RFC 3339 in UTC with milliseconds, e.g. ``2026-01-02T03:04:05.678Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _verify(ca_file: str | None) -> ssl.SSLContext:
    """Always verify: against ``ca_file`` if given, else the operating system's store.

    There is deliberately no way to switch verification off; a server with a private CA gets its CA file.
    """
    # ssl.create_default_context() trusts the operating system's store (httpx alone would use certifi).
    try:
        return ssl.create_default_context(cafile=ca_file)
    except OSError as exc:  # a missing file, or one without a certificate in it (ssl.SSLError)
        reason = getattr(exc, "reason", None) or exc.strerror or str(exc)
        raise ValueError(f"Cannot use the CA file {ca_file!r}: {reason}.") from exc


class HttpCore:
    """The shared HTTP machinery every resource mixin builds on."""

    def __init__(
        self,
        api_url: str,
        *,
        ca_file: str | None = None,
        timeout: float = 15.0,
        device_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        allow_plain_http: bool = False,
    ) -> None:
        self.api_url = normalise_api_url(api_url)
        self.host = _host_of(self.api_url)
        if self.api_url.startswith("http://"):
            if not (allow_plain_http or transport is not None or _is_loopback(self.api_url)):
                raise ValueError(
                    f"{self.host} is plain http://: passwords and tokens would travel unencrypted. "
                    "Use https://, or allow plain HTTP for this connection explicitly."
                )
            # Only for a local sandbox started with --no-tls: passwords and tokens would be readable.
            log.warning("%s is plain HTTP: passwords and tokens travel unencrypted", self.host)
        self.ca_file = ca_file  # kept so the event stream can trust the same CA (skydesk.events)
        self.device_id = device_id or default_device_id()
        self.retry_policy = retry or RetryPolicy()
        self._http = httpx.AsyncClient(
            base_url=self.api_url,
            verify=_verify(ca_file) if transport is None else True,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "skydesk"},
            follow_redirects=False,
        )
        self._auth = TokenManager(self._post_public, self.host)

    async def aclose(self) -> None:
        """Stop a token refresh still in flight and close the connection pool.

        Reference: none (closes the connection pool).
        """
        await self._auth.aclose()
        await self._http.aclose()

    # ------------------------------------------------------------------ public surface of the pipeline
    async def _post_public(self, path: str, body: dict[str, Any]) -> Any:
        """POST without a bearer token (login and refresh)."""
        return await self._json("POST", path, json_body=body, auth=False)

    async def _json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        auth: bool = True,
    ) -> Any:
        """Send a request and return its parsed JSON body (None for an empty body)."""
        body = None if json_body is None else json.dumps(json_body, allow_nan=False).encode()
        response = await self._request(method, path, params=params, body=body, auth=auth)
        return self._decode(_detach(response), method, path)

    async def _body(
        self, path: str, params: Mapping[str, str] | None = None, *, trace: Trace | None = None
    ) -> bytes:
        """GET ``path`` and return its body undecoded (for ``_decode`` later); ``trace`` follows its steps."""
        return _detach(await self._request("GET", path, params=params, trace=trace))

    def _decode(self, content: bytes, method: str, path: str) -> Any:
        """The JSON of a reply's body (None if empty); a BadResponse naming the request if not JSON."""
        if not content:
            return None
        try:
            return loads(content)
        except ValueError:
            raise BadResponse(
                f"{self.host} sent a reply to {method} {path} that is not valid JSON.", host=self.host
            ) from None

    def _parse(self, build: Callable[..., T], body: Any, **kwargs: Any) -> T:
        """``build(body, **kwargs)``; a reply of the wrong shape is reported naming this host."""
        try:
            return build(body, **kwargs)
        except BadResponse as exc:
            if exc.host is not None:
                raise
            said = exc.message
            said = said.replace("The server", self.host, 1) if said.startswith("The server") else said
            raise BadResponse(said if self.host in said else f"{self.host}: {said}", host=self.host) from None
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, RecursionError):
            # The readers name bad fields themselves; this net catches a shape they did not foresee,
            # so no answer, however odd, escapes as anything but the SDK's own error.
            log.warning("unexpected shape of a reply from %s", self.host, exc_info=True)
            raise BadResponse(f"{self.host} sent a reply of an unexpected shape.", host=self.host) from None

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Body = None,
        auth: bool = True,
        content_type: str = "application/json",
        extra_headers: Mapping[str, str] | None = None,
        resendable: bool | None = None,
        trace: Trace | None = None,
    ) -> httpx.Response:
        """Send a request (retrying when safe) and return the fully read, successful response."""
        idempotent = method in IDEMPOTENT_METHODS if resendable is None else resendable
        return await self._send_with_retries(
            method, path, params, body, auth, content_type, extra_headers or {}, idempotent, stream=False,
            trace=trace,
        )  # fmt: skip

    @asynccontextmanager
    async def _open(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Body = None,
        auth: bool = True,
        content_type: str = "application/json",
        extra_headers: Mapping[str, str] | None = None,
        resendable: bool | None = None,
    ) -> AsyncIterator[httpx.Response]:
        """Yield a successful response whose body is still unread (for streaming downloads).

        ``resendable`` overrides the method's idempotency, e.g. False for a body that cannot be re-read.
        """
        idempotent = method in IDEMPOTENT_METHODS if resendable is None else resendable
        response = await self._send_with_retries(
            method, path, params, body, auth, content_type, extra_headers or {}, idempotent, stream=True
        )
        try:
            yield response
        finally:
            await response.aclose()

    # ------------------------------------------------------------------ the pipeline itself
    async def _send_with_retries(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Body,
        auth: bool,
        content_type: str,
        extra_headers: Mapping[str, str],
        idempotent: bool,
        *,
        stream: bool,
        trace: Trace | None = None,
    ) -> httpx.Response:
        """Send until success or a final failure; with ``stream`` the successful body is left unread."""
        policy = self.retry_policy
        started = time.monotonic()
        attempt = 0
        reauthenticated = False
        # Set once an earlier attempt may have reached the server and been applied there.
        maybe_applied = False
        while True:
            attempt += 1
            # Asked on every attempt: a backoff wait may have carried the token past its refresh point.
            token = await self._auth.valid_token() if auth else None
            headers = self._headers(method, token, content_type if body is not None else None, extra_headers)
            request = self._http.build_request(
                method, path, params=params, headers=headers, content=_fresh(body),
                extensions=None if trace is None else {"trace": trace},
            )  # fmt: skip
            t0 = time.monotonic()
            try:
                # Unless streaming, the body is read here too, so a connection lost mid-body is
                # handled (retried or reported) like any other transport failure.
                response = await self._http.send(request, stream=stream)
            except httpx.TransportError as exc:
                error = from_transport_error(exc, host=self.host, method=method)
                safe = idempotent or never_reached_server(exc)
                # A certificate problem will not fix itself: no point in retrying it.
                retryable = safe and not error.untrusted_certificate
                wait = self._retry_wait(policy, attempt, started, None) if retryable else None
                log.info(
                    "%s %s failed after %.0f ms: %s%s",
                    method,
                    path,
                    (time.monotonic() - t0) * 1000,
                    type(exc).__name__,
                    f"; retrying in {wait:.1f} s" if wait is not None else "",
                )
                if wait is None:
                    raise error from exc
                maybe_applied = maybe_applied or not never_reached_server(exc)
                await asyncio.sleep(wait)
                continue
            status = response.status_code
            log.debug("%s %s -> %d in %.0f ms", method, path, status, (time.monotonic() - t0) * 1000)
            if status < 400:
                return response
            if status == 404 and method == "DELETE" and maybe_applied:
                # The earlier DELETE did its work but its answer was lost: the item is gone, as asked.
                log.info("%s %s -> 404 after an unanswered attempt; treating it as done", method, path)
                await response.aclose()
                return httpx.Response(204, request=request)
            if stream:
                try:
                    await response.aread()
                except httpx.TransportError:
                    pass  # the error body is only a nicer message; the status says enough
                finally:
                    await response.aclose()
            if status == 401 and auth and token is not None and not reauthenticated:
                # The token may have expired in flight or been revoked: renew once and resend once.
                # Safe for every method: the server rejected the request before acting on it.
                reauthenticated = True
                await self._auth.token_after_rejection(token)
                attempt -= 1
                continue
            api_error = from_response(response, host=self.host)
            if idempotent and status in RETRY_STATUSES:
                retry_after = api_error.retry_after if isinstance(api_error, RateLimited) else None
                if retry_after is None:
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                wait = self._retry_wait(policy, attempt, started, retry_after)
                if wait is not None:
                    log.info("%s %s -> %d; retrying in %.1f s", method, path, status, wait)
                    # A gateway error (502/504) may come after the server acted; 429/503 mean it did not.
                    maybe_applied = maybe_applied or status in (502, 504)
                    await asyncio.sleep(wait)
                    continue
            raise api_error

    @staticmethod
    def _retry_wait(
        policy: RetryPolicy, attempt: int, started: float, retry_after: float | None
    ) -> float | None:
        """Seconds to wait before the next attempt, or None when the retry budget is spent."""
        if attempt >= policy.max_attempts:
            return None
        wait = policy.delay(attempt, retry_after)
        if time.monotonic() - started + wait > policy.total_budget:
            return None
        return wait

    def _headers(
        self, method: str, token: str | None, content_type: str | None, extra: Mapping[str, str]
    ) -> dict[str, str]:
        headers = dict(extra)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if content_type:
            headers["Content-Type"] = content_type
        if method in CHANGE_METHODS:
            headers["deviceid"] = self.device_id
            headers["devicetimestamp"] = device_timestamp()
        return headers


def _fresh(body: Body) -> bytes | AsyncIterator[bytes] | None:
    """The content for one attempt; streamed bodies are re-created so a retry resends every byte."""
    if body is None or isinstance(body, bytes):
        return body
    return body()


def _detach(response: httpx.Response) -> bytes:
    """The read body of ``response``, with httpx's response <-> stream reference cycle broken.

    httpx binds the body stream back to its response, so every response is a reference cycle that only
    the cyclic collector frees, body included. These live long enough to reach the oldest generation, so
    paging 100,000 sessions (a ~200 kB body a page) grew memory with every page until a full collection.
    Replacing the closed stream lets the response, and its body, go as soon as the caller drops it.
    """
    content = response.content
    response.stream = httpx.ByteStream(b"")
    return content
