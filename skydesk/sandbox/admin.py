"""The sandbox's admin API: fault controls over HTTP, on loopback only, behind its own bearer token.

Off unless the sandbox is started with ``admin=True`` (``--admin``). It runs on a server of its own,
so it keeps answering while the REST API it controls is stopped.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from .faults import FaultRule

if TYPE_CHECKING:
    from .controls import FaultControls


class LatencyBody(BaseModel):
    """Latency in milliseconds; a side left out keeps its latency, 0 removes it."""

    rest_ms: float | None = Field(default=None, ge=0, le=60000)
    rest_jitter_ms: float = Field(default=0, ge=0, le=60000)
    mqtt_ms: float | None = Field(default=None, ge=0, le=60000)
    mqtt_jitter_ms: float = Field(default=0, ge=0, le=60000)


class RuleBody(BaseModel):
    """A per-request fault (see FaultRule)."""

    kind: str
    share: float = Field(default=1.0, ge=0, le=1)
    status: int = 503
    retry_after: int | None = 1
    times: int | None = None
    path: str = "/v1/"
    methods: list[str] = Field(default_factory=list)
    size: int = 8 * 1024 * 1024
    body: str = ""  # for "answer": the exact body, sent as UTF-8
    content_type: str = "application/json"


class ExpireBody(BaseModel):
    """Which tokens to expire."""

    refresh: bool = True


class DropBody(BaseModel):
    """Whose MQTT connections to cut: a username or user id, or everyone's."""

    user: str | None = None


class OutageBody(BaseModel):
    """How long a restarted server stays down, in seconds."""

    down_for: float = Field(default=0, ge=0, le=600)


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def create_admin_app(sandbox: FaultControls) -> FastAPI:
    """The admin app for ``sandbox`` (which must stay the object that owns the token)."""
    app = FastAPI(title="skydesk sandbox admin (fault controls)", docs_url=None, redoc_url=None)

    def authorized(request: Request) -> None:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {sandbox.admin_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise _Refused(401, "The admin API needs 'Authorization: Bearer <admin token>'")

    @app.exception_handler(_Refused)
    async def on_refused(_: Request, exc: _Refused) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=exc.status)

    @app.exception_handler(ValueError)
    async def on_value_error(_: Request, exc: ValueError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def on_invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        field = ".".join(str(p) for p in first.get("loc", ())[1:]) or "request"
        return JSONResponse({"error": f"{field}: {first.get('msg', 'is invalid')}"}, status_code=400)

    guarded = [Depends(authorized)]

    @app.get("/admin/faults", dependencies=guarded)
    def show() -> dict[str, Any]:
        return sandbox.faults.snapshot()

    @app.delete("/admin/faults", dependencies=guarded)
    def clear() -> dict[str, Any]:
        sandbox.faults.clear()
        return sandbox.faults.snapshot()

    @app.put("/admin/faults/latency", dependencies=guarded)
    def latency(body: LatencyBody) -> dict[str, Any]:
        sandbox.faults.set_latency(
            rest=None if body.rest_ms is None else body.rest_ms / 1000,
            rest_jitter=body.rest_jitter_ms / 1000,
            mqtt=None if body.mqtt_ms is None else body.mqtt_ms / 1000,
            mqtt_jitter=body.mqtt_jitter_ms / 1000,
        )
        return sandbox.faults.snapshot()

    @app.post("/admin/faults/rules", dependencies=guarded, status_code=201)
    def add_rule(body: RuleBody) -> dict[str, Any]:
        options = body.model_dump()
        options["methods"] = tuple(options["methods"])
        return {"id": sandbox.faults.add(FaultRule(**options))}

    @app.delete("/admin/faults/rules/{rule_id}", dependencies=guarded)
    def remove_rule(rule_id: int) -> dict[str, Any]:
        if not sandbox.faults.remove(rule_id):
            raise _Refused(404, f"No fault rule {rule_id}")
        return {"removed": rule_id}

    @app.post("/admin/tokens/expire", dependencies=guarded)
    def expire(body: ExpireBody | None = None) -> dict[str, Any]:
        refresh = body.refresh if body is not None else True
        sandbox.expire_tokens(refresh=refresh)
        return {"expired": ["access", "refresh"] if refresh else ["access"]}

    @app.post("/admin/mqtt/drop", dependencies=guarded)
    def drop(body: DropBody | None = None) -> dict[str, Any]:
        return {"dropped": sandbox.drop_mqtt(body.user if body is not None else None)}

    def outage(server: str, action: str, body: OutageBody | None) -> dict[str, Any]:
        stop, start, restart = {
            "broker": (sandbox.stop_broker, sandbox.start_broker, sandbox.restart_broker),
            "rest": (sandbox.stop_api, sandbox.start_api, sandbox.restart_api),
        }[server]
        if action == "restart":
            restart(body.down_for if body is not None else 0.0)
        elif action in ("stop", "start"):
            (stop if action == "stop" else start)()
        else:
            raise _Refused(404, f"Use /admin/{server}/stop, /start or /restart")
        return {server: action}

    # Plain `def` handlers run on a worker thread, so a restart with down_for does not block the others.
    @app.post("/admin/broker/{action}", dependencies=guarded)
    def broker(action: str, body: OutageBody | None = None) -> dict[str, Any]:
        return outage("broker", action, body)

    @app.post("/admin/rest/{action}", dependencies=guarded)
    def rest(action: str, body: OutageBody | None = None) -> dict[str, Any]:
        return outage("rest", action, body)

    return app
