"""The sandbox's REST API: a FastAPI app over :class:`SandboxService`, with contract-shaped errors."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from .errors import ApiError
from .rest_auth import router as auth_router
from .rest_directory import router as directory_router
from .rest_media import router as media_router
from .rest_sessions import router as sessions_router
from .schemas import REQUEST_MODELS, finish_components, relax_required
from .service import SandboxService

log = logging.getLogger(__name__)

DESCRIPTION = """\
A local, offline implementation of the Skylight Integration API (REST part) for development and tests.

It follows the published Integration API reference. Where the reference is silent, skydesk adopts its
own rules; those operations and parameters carry `x-skydesk-adopted: true` and every rule is written
down in **skydesk/CONTRACT.md** (shipped with skydesk). Errors are always `{"error": "..."}`; a 400
may add `"details": [{"field", "message"}]`.
"""


def _field_name(loc: tuple[Any, ...]) -> str:
    # FastAPI locations look like ("query", "limit") or ("header", "x"); the first part is the source.
    parts = [str(p) for p in loc[1:]] if len(loc) > 1 else [str(p) for p in loc]
    return ".".join(parts) or "request"


def _allowed_methods(request: Request) -> str:
    """Every documented method of the request's path (Starlette names only the first route's)."""
    parts = request.url.path.rstrip("/").split("/")
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern = template.split("/")
        if len(pattern) == len(parts) and all(
            p == q or (p.startswith("{") and q) for p, q in zip(pattern, parts, strict=True)
        ):
            methods.update(m.upper() for m in operations)
    return ", ".join(sorted(methods))


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def on_api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.to_json(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI would answer 422 in its own format; the contract says 400 {"error", "details"}.
        details = [
            {"field": _field_name(tuple(e.get("loc", ()))), "message": str(e.get("msg"))}
            for e in exc.errors()
        ]
        first = details[0] if details else {"field": "request", "message": "is invalid"}
        body = {"error": f"Invalid request: {first['field']}: {first['message']}", "details": details}
        return JSONResponse(body, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never expected: logged with the path only (headers may hold tokens).
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"error": "Internal sandbox error"}, status_code=500)


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The generated document plus the hand-read request body models and the adopted marker."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in REQUEST_MODELS:
        body = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in body.pop("$defs", {}).items():
            schemas.setdefault(name, sub)
        schemas[model.__name__] = body
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            # Validation errors are answered as 400 (see on_validation_error), never FastAPI's 422.
            operation.get("responses", {}).pop("422", None)
            # FastAPI puts a parameter's extra keys into its schema; the marker belongs to the parameter.
            for parameter in operation.get("parameters", []):
                param_schema = parameter.get("schema", {})
                if param_schema.pop("x-skydesk-adopted", False):
                    parameter["x-skydesk-adopted"] = True
                if param_schema.pop("format", None) == "date-time":
                    # An empty value means "no filter" (CONTRACT §5), like every other list parameter.
                    param_schema["anyOf"] = [
                        {"type": "string", "format": "date-time"},
                        {"type": "string", "maxLength": 0},
                    ]
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    finish_components(schemas)
    if app.state.service.lenient:
        relax_required(schemas)
    schema["info"]["x-skydesk-contract"] = "skydesk/CONTRACT.md"
    app.openapi_schema = schema
    return schema


def create_app(service: SandboxService) -> FastAPI:
    """A FastAPI app serving the Skylight REST contract on top of ``service``."""
    app = FastAPI(
        title="skydesk sandbox: Skylight Integration API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=[
            {"name": "authentication", "description": "Login and token refresh"},
            {"name": "directory", "description": "The realm's users and groups (adopted, older SDK)"},
            {"name": "application", "description": "Applications, roles, sessions, data and timelines"},
            {"name": "media", "description": "Session media metadata and content"},
        ],
    )
    app.state.service = service
    _install_error_handlers(app)
    app.include_router(auth_router)
    app.include_router(directory_router)
    app.include_router(sessions_router)
    app.include_router(media_router)

    @app.get("/", include_in_schema=False)
    async def root() -> dict[str, str]:
        return {
            "name": "skydesk sandbox",
            "realm": service.realm,
            "openapi": "/openapi.json",
            "docs": "/docs",
        }

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app
