"""What every route shares: reading bodies safely, the bearer token, device headers and query strings."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPBearer
from starlette.concurrency import run_in_threadpool

from .errors import BadRequest, FieldProblem, PayloadTooLarge, Unauthorized
from .filters import parse_time
from .schemas import ADOPTED, ErrorBody
from .service import SandboxService
from .service_base import Actor, Device

JSON_BODY_MAX = 1024 * 1024
DEVICE_ID_MAX = 255
T = TypeVar("T")

# Declared only so /openapi.json documents the bearer scheme; the header is parsed by current_actor.
bearer_scheme = HTTPBearer(auto_error=False, description="Authorization: Bearer <access_token>")

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Invalid request (with field details)"},
    401: {"model": ErrorBody, "description": "Missing, invalid or expired access token"},
    403: {"model": ErrorBody, "description": "The caller's roles do not allow this"},
    404: {"model": ErrorBody, "description": "Unknown id (or not visible to the caller)"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorBody, "description": "The session is closed"}
}
TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": f"The JSON body is over {JSON_BODY_MAX} bytes"}
}


def body_ref(model: type, *, adopted: bool = False) -> dict[str, Any]:
    """``openapi_extra`` for a JSON request body described by ``model`` (read by hand, see json_body)."""
    extra: dict[str, Any] = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
    }
    if adopted:
        extra.update(ADOPTED)
    return extra


def service_of(request: Request) -> SandboxService:
    """The service the app was created for."""
    service: SandboxService = request.app.state.service
    return service


async def call(fn: Callable[..., T], *args: Any) -> T:
    """Run a (blocking, SQLite) service call on the thread pool, keeping the event loop free."""
    return await run_in_threadpool(fn, *args)


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing (413) anything over ``limit`` bytes before reading it all."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not (declared.isascii() and declared.isdigit()):  # "١٢" is isdigit() too
            raise BadRequest("Content-Length must be a number")
        if int(declared) > limit:
            raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"Request body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


async def json_body(request: Request) -> Any:
    """The parsed JSON body; 400 for a non-JSON content type or malformed JSON, 413 when too big."""
    content_type = request.headers.get("content-type", "application/json")
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise BadRequest(f"Content-Type must be application/json, not {media_type or 'empty'!r}")
    raw = await read_body(request, JSON_BODY_MAX)
    if not raw.strip():
        raise BadRequest("The request body is empty; a JSON object is required")
    try:
        body = json.loads(raw, parse_constant=_reject_constant)
        # Lone surrogates ("\ud800") decode fine but cannot be stored or echoed as UTF-8.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise BadRequest("Malformed JSON: nested too deeply") from None
    except (ValueError, UnicodeError) as exc:
        raise BadRequest(f"Malformed JSON: {str(exc)[:200]}") from None
    return body


def bearer_token(request: Request) -> str:
    """The token of ``Authorization: Bearer <t>`` (the reference's ``Bearer: <t>`` is tolerated)."""
    header = request.headers.get("authorization", "").strip()
    if not header:
        raise Unauthorized("No authorization token found")
    scheme, _, token = header.partition(" ")
    if scheme.lower().rstrip(":") != "bearer" or not token.strip():
        raise Unauthorized("Authorization header must be 'Bearer <access token>'")
    return token.strip()


async def current_actor(request: Request, _: Any = Depends(bearer_scheme)) -> Actor:  # noqa: B008
    """The authenticated caller; 401 when the token is missing, invalid or expired."""
    token = bearer_token(request)
    return await call(service_of(request).authenticate, token)


def device_of(request: Request) -> Device:
    """The ``deviceid`` and ``devicetimestamp`` headers; 400 when the timestamp is not RFC 3339."""
    device_id = request.headers.get("deviceid") or None
    if device_id is not None and len(device_id) > DEVICE_ID_MAX:
        raise BadRequest.invalid([FieldProblem("deviceid", f"must be at most {DEVICE_ID_MAX} characters")])
    raw_time = request.headers.get("devicetimestamp")
    stamp = parse_time(raw_time, "devicetimestamp") if raw_time else None
    return Device(device_id, stamp)


def query_params(request: Request) -> dict[str, str]:
    """The query string as a dict; a repeated key's values are joined with commas (like one list)."""
    merged: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        merged[key] = f"{merged[key]},{value}" if key in merged else value
    return merged


CurrentActor = Annotated[Actor, Depends(current_actor)]

# Query parameters, declared for the OpenAPI document and checked by FastAPI (a bad one is a 400);
# handlers read the values through query_params(), so these dependencies return nothing.
_RANGE = "RFC 3339 date-time; the bound is inclusive (adopted)"
_DATE = {**ADOPTED, "format": "date-time"}


_LIMIT = Query(ge=1, le=200, description="Max items per page: 1-200, default 50")
_NEXT = Query(alias="nextCursor", description="Cursor from page.nextCursor; wins over prevCursor")
_PREV = Query(alias="prevCursor", description="Cursor from page.prevCursor")
_USERS = "Comma-separated user ids"


def _paging(
    limit: Annotated[int | None, _LIMIT] = None,
    next_cursor: Annotated[str | None, _NEXT] = None,
    prev_cursor: Annotated[str | None, _PREV] = None,
) -> None:
    """limit, nextCursor and prevCursor of every list (sort differs per list and is declared there)."""


def _date(alias: str) -> Any:
    return Query(alias=alias, description=_RANGE, json_schema_extra=_DATE)


def _who_and_when(
    created_by: Annotated[str | None, Query(alias="createdBy", description=_USERS)] = None,
    modified_by: Annotated[str | None, Query(alias="modifiedBy", description=_USERS)] = None,
    created_from: Annotated[str | None, _date("createdFrom")] = None,
    created_to: Annotated[str | None, _date("createdTo")] = None,
    modified_from: Annotated[str | None, _date("modifiedFrom")] = None,
    modified_to: Annotated[str | None, _date("modifiedTo")] = None,
) -> None:
    """The creator, modifier and date filters that sessions and media share."""


Paging = Annotated[None, Depends(_paging)]
WhoAndWhen = Annotated[None, Depends(_who_and_when)]

NAME_ORDER_DOC = (
    "Names sort case-insensitively (adopted): by the Unicode case-folded name compared code point by "
    "code point, ties in creation order; a '-' sort is the exact reverse."
)
PROP_FILTER_DOC = (
    "Property filters: `prop.<key>=A,B` matches items whose property `<key>` is A or B; several "
    "`prop.` keys are ANDed. Numbers and booleans match their JSON text (e.g. `prop.orderId=123456`)."
)
