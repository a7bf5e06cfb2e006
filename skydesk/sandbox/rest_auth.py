"""Authentication routes: login with a password, and refresh with a refresh token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from .errors import BadRequest, FieldProblem
from .rest_common import ERRORS, TOO_LARGE, body_ref, call, json_body, service_of
from .schemas import LoginRequest, RefreshRequest, TokenResponse

router = APIRouter(prefix="/v1/authentication", tags=["authentication"])

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _string_fields(body: Any, names: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(body, dict):
        raise BadRequest.invalid([FieldProblem("body", "must be a JSON object")])
    problems = [
        FieldProblem(n, "is required and must be a non-empty string")
        for n in names
        if not isinstance(body.get(n), str) or not body[n]
    ]
    if problems:
        raise BadRequest.invalid(problems)
    return {n: body[n] for n in names}


@router.post(
    "/login/realms/{realm}",
    response_model=TokenResponse,
    responses={
        400: ERRORS[400],
        401: ERRORS[401],
        404: {**ERRORS[404], "description": "Unknown realm"},
        **TOO_LARGE,
    },
    openapi_extra=body_ref(LoginRequest),
    summary="Log in with username and password",
)
async def login(realm: str, request: Request) -> JSONResponse:
    """Tokens for valid credentials. The body realm must equal the path realm (400 otherwise)."""
    fields = _string_fields(await json_body(request), ("username", "password", "realm"))
    if fields["realm"] != realm:
        raise BadRequest.invalid([FieldProblem("realm", f"must equal the realm in the path ({realm!r})")])
    tokens = await call(service_of(request).login, realm, fields["username"], fields["password"])
    return JSONResponse(tokens, headers=_NO_STORE)


@router.post(
    "/token/refresh",
    response_model=TokenResponse,
    responses={400: ERRORS[400], 401: ERRORS[401], **TOO_LARGE},
    openapi_extra=body_ref(RefreshRequest),
    summary="Exchange a refresh token for new tokens",
)
async def refresh(request: Request) -> JSONResponse:
    """New tokens for an unexpired refresh token; 401 when it expired or is not a refresh token."""
    fields = _string_fields(await json_body(request), ("refreshToken",))
    tokens = await call(service_of(request).refresh, fields["refreshToken"])
    return JSONResponse(tokens, headers=_NO_STORE)
