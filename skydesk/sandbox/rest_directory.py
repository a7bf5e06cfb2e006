"""Directory routes: the realm's users and groups (adopted from the older SDK's authentication service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from .rest_common import ERRORS, NAME_ORDER_DOC, CurrentActor, Paging, call, query_params, service_of
from .schemas import ADOPTED, TIME, PageInfo
from .service_directory import SEARCH_MAX

router = APIRouter(prefix="/v1/authentication", tags=["directory"])

_REFUSED = (
    " A realm may refuse the directory (403, or 404 where the endpoints do not exist); clients then "
    "keep showing ids."
)


class User(BaseModel):
    """A user of the realm as the directory shows them (never credentials)."""

    model_config = ConfigDict(extra="allow")
    id: str
    username: str
    firstName: str
    lastName: str
    displayName: str
    jobTitle: str
    createdAt: str = TIME


class UserPage(BaseModel):
    """A page of users."""

    data: list[User]
    page: PageInfo


class Group(BaseModel):
    """A group of the realm: its name, description and member user ids."""

    model_config = ConfigDict(extra="allow")
    id: str
    name: str
    description: str
    members: list[str]


class GroupPage(BaseModel):
    """A page of groups."""

    data: list[Group]
    page: PageInfo


def _search(what: str) -> object:
    return Query(
        max_length=SEARCH_MAX,
        description=f"Case-insensitive substring of the {what} (adopted)",
        json_schema_extra=ADOPTED,
    )


_IDS = Query(
    description="Comma-separated ids (at most 100): only these, for looking up many at once (adopted)",
    json_schema_extra=ADOPTED,
)


@router.get(
    "/users",
    response_model=UserPage,
    responses=ERRORS,
    openapi_extra=ADOPTED,
    summary="List the realm's users",
    description="Users of the caller's realm, any signed-in user may read them." + _REFUSED,
)
async def list_users(
    request: Request,
    actor: CurrentActor,
    _paging: Paging,
    search: Annotated[str | None, _search("user name or display name")] = None,
    ids: Annotated[str | None, _IDS] = None,
    sort: Annotated[
        str | None,
        Query(
            pattern=r"^(-?(name|username))?$",
            description="name (display name) or username; prefix '-' for descending. Default: creation "
            "order. " + NAME_ORDER_DOC,
        ),
    ] = None,
) -> JSONResponse:
    """One page of users."""
    return JSONResponse(await call(service_of(request).list_users, actor, query_params(request)))


@router.get(
    "/users/{userId}",
    response_model=User,
    responses=ERRORS,
    openapi_extra=ADOPTED,
    summary="Get a user",
)
async def get_user(userId: str, request: Request, actor: CurrentActor) -> JSONResponse:
    """One user of the realm; 404 when unknown."""
    return JSONResponse(await call(service_of(request).get_user, actor, userId))


@router.get(
    "/groups",
    response_model=GroupPage,
    responses=ERRORS,
    openapi_extra=ADOPTED,
    summary="List the realm's groups",
    description="Groups of the caller's realm with their member ids." + _REFUSED,
)
async def list_groups(
    request: Request,
    actor: CurrentActor,
    _paging: Paging,
    search: Annotated[str | None, _search("group name")] = None,
    ids: Annotated[str | None, _IDS] = None,
    sort: Annotated[
        str | None,
        Query(
            pattern=r"^(-?name)?$",
            description="name; prefix '-' for descending. Default: creation order. " + NAME_ORDER_DOC,
        ),
    ] = None,
) -> JSONResponse:
    """One page of groups."""
    return JSONResponse(await call(service_of(request).list_groups, actor, query_params(request)))


@router.get(
    "/groups/{groupId}",
    response_model=Group,
    responses=ERRORS,
    openapi_extra=ADOPTED,
    summary="Get a group",
)
async def get_group(groupId: str, request: Request, actor: CurrentActor) -> JSONResponse:
    """One group of the realm with its members; 404 when unknown."""
    return JSONResponse(await call(service_of(request).get_group, actor, groupId))
