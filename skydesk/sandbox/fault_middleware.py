"""Where a :class:`~skydesk.sandbox.faults.FaultPlan` takes effect: an ASGI wrapper and an MQTT delay line."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .faults import (
    ANSWER,
    HUGE,
    INVALID_UTF8,
    MALFORMED,
    MID_BODY,
    RESET,
    STATUS,
    TRUNCATED,
    FaultPlan,
    FaultRule,
)

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]

_REASONS = {
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}
_CLOSE_WAIT = 1.0  # seconds to let the server notice the connection it was told to close


class FaultMiddleware:
    """Wraps the REST app: delays answers and injects the plan's faults (outermost, so uvicorn's own
    ``send`` is what it sees, which lets it close the connection itself)."""

    def __init__(self, app: Asgi, plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        delay = self.plan.rest_delay()
        if delay > 0:
            await asyncio.sleep(delay)
        rule = self.plan.pick(scope["method"], scope["path"])
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.kind == STATUS:
            await _answer_status(send, rule)
        elif rule.kind == ANSWER:
            await _send(send, rule.status, [], rule.body, content_type=rule.content_type.encode())
        else:
            status, headers, body = await _run_captured(self.app, scope, receive)
            if rule.kind == RESET:
                log.info(
                    "Fault: closing the connection before answering %s %s", scope["method"], scope["path"]
                )
                await _close_connection(send)
            elif not body or status in (204, 304):
                self.plan.not_applied(rule)  # nothing to spoil: send the answer as it was
                await _send(send, status, headers, body)
            elif rule.kind == MID_BODY:
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
                await _close_connection(send)
            else:
                await _send(send, status, headers, _spoil(rule, body), content_type=b"application/json")


async def _answer_status(send: Send, rule: FaultRule) -> None:
    reason = _REASONS.get(rule.status, "Server error")
    body = json.dumps({"error": f"{reason} (sandbox fault injection)"}).encode()
    headers = [(b"content-type", b"application/json")]
    if rule.retry_after is not None and rule.status in (429, 503):
        headers.append((b"retry-after", str(rule.retry_after).encode()))
    await _send(send, rule.status, headers, body)


async def _run_captured(app: Asgi, scope: Scope, receive: Receive) -> tuple[int, list[Any], bytes]:
    """Run the real app and keep its answer instead of sending it."""
    start: dict[str, Any] = {}
    chunks: list[bytes] = []

    async def keep(message: Message) -> None:
        if message["type"] == "http.response.start":
            start.update(message)
        elif message["type"] == "http.response.body":
            chunks.append(bytes(message.get("body", b"")))

    await app(scope, receive, keep)
    return int(start.get("status", 500)), list(start.get("headers", [])), b"".join(chunks)


async def _send(
    send: Send, status: int, headers: list[Any], body: bytes, content_type: bytes | None = None
) -> None:
    kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
    kept.append((b"content-length", str(len(body)).encode()))
    type_header = content_type or next((v for k, v in headers if k.lower() == b"content-type"), None)
    if type_header is not None:
        kept.append((b"content-type", type_header))
    await send({"type": "http.response.start", "status": status, "headers": kept})
    await send({"type": "http.response.body", "body": body})


def _spoil(rule: FaultRule, body: bytes) -> bytes:
    if rule.kind == TRUNCATED:
        return body[: max(1, len(body) // 2)]
    if rule.kind == MALFORMED:
        # Valid up to a point, then a stray comma and an unclosed string: a parser must reject it.
        return body[: len(body) // 2] + b',,"unterminated'
    if rule.kind == INVALID_UTF8:
        middle = len(body) // 2
        return body[:middle] + b"\xff\xfe\xc3" + body[middle:]
    if rule.kind == HUGE:
        padding = b"x" * rule.size
        stripped = body.lstrip()
        if stripped.startswith(b"{") and stripped[1:].lstrip().startswith(b"}"):
            return b'{"padding":"' + padding + b'"}'
        if stripped.startswith(b"{"):
            return b'{"padding":"' + padding + b'",' + stripped[1:]
        return body + b" " * rule.size  # whitespace after any JSON value keeps it valid
    return body


async def _close_connection(send: Send) -> None:
    """Close the client's connection from under the request (uvicorn's ``send`` knows its transport)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        # Not served by uvicorn (an in-process ASGI transport): an exception is the closest thing.
        raise ConnectionResetError("sandbox fault injection: connection closed")
    transport.close()  # flushes what was written (a partial body), then closes
    deadline = time.monotonic() + _CLOSE_WAIT
    # Return only once uvicorn has seen the close; it would otherwise log an incomplete answer.
    # (uvicorn offers no event to wait on: its flag is polled.)
    while not getattr(cycle, "disconnected", True) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.005)


class DelayedDelivery:
    """Holds MQTT publishes for the plan's MQTT latency, on one thread, keeping their order."""

    def __init__(self, plan: FaultPlan) -> None:
        self._plan = plan
        self._queue: deque[tuple[float, Callable[[], None]]] = deque()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._last_due = 0.0
        self._busy = False  # the thread holds a delivery it has taken off the queue
        self._stopping = False

    def submit(self, deliver: Callable[[], None]) -> None:
        """Run ``deliver`` now, or after the current MQTT latency (never before an earlier one)."""
        delay = self._plan.mqtt_delay()
        with self._wake:
            if delay <= 0 and not self._queue and not self._busy:
                due = None
            else:
                due = max(self._last_due, time.monotonic() + delay)
                self._last_due = due
                self._queue.append((due, deliver))
                self._ensure_thread()
                self._wake.notify()
        if due is None:
            deliver()

    def stop(self) -> None:
        """Drop what is still held (the sandbox is going away) and join the thread."""
        with self._wake:
            self._stopping = True
            self._queue.clear()
            self._wake.notify()
            thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(5)
        with self._wake:
            self._stopping = False

    def _ensure_thread(self) -> None:
        if self._thread is None and not self._stopping:
            self._thread = threading.Thread(target=self._run, name="sandbox-mqtt-delay", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._queue and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                due, deliver = self._queue[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._wake.wait(wait)
                    continue
                self._queue.popleft()
                self._busy = True
            try:
                deliver()
            except Exception:
                log.exception("A delayed MQTT delivery failed")
            finally:
                with self._wake:
                    self._busy = False
