"""Routes for applications, roles, sessions, participants, session data and the session timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from .rest_common import (
    CONFLICT,
    ERRORS,
    NAME_ORDER_DOC,
    PROP_FILTER_DOC,
    TOO_LARGE,
    CurrentActor,
    Paging,
    WhoAndWhen,
    body_ref,
    call,
    device_of,
    json_body,
    query_params,
    service_of,
)
from .schemas import (
    ADOPTED,
    Application,
    ApplicationPage,
    CustomEvent,
    DataPatch,
    EventId,
    EventPage,
    Participant,
    ParticipantAdd,
    Role,
    Session,
    SessionCreate,
    SessionPage,
    SessionPatch,
)

router = APIRouter(prefix="/v1/application", tags=["application"])

APP = "/applications/{applicationId}"
SESSION = APP + "/sessions/{sessionId}"
Sort = Annotated[
    str | None,
    Query(
        pattern=r"^(-?(name|createdAt|modifiedAt|_id))?$",
        description="name, createdAt, modifiedAt or _id (creation order); prefix '-' for descending. "
        "Default: creation order. " + NAME_ORDER_DOC,
    ),
]


@router.get(
    "/applications",
    response_model=ApplicationPage,
    responses=ERRORS,
    openapi_extra=ADOPTED,
    summary="List the applications the caller can read",
)
async def list_applications(
    request: Request,
    actor: CurrentActor,
    _paging: Paging,
    sort: Annotated[
        str | None,
        Query(
            pattern=r"^(-?(name|createdAt))?$",
            description="name or createdAt; prefix '-' for descending. Default: creation order. "
            + NAME_ORDER_DOC,
        ),
    ] = None,
) -> JSONResponse:
    """Applications where the caller has application:read (adopted: the SDK's getApplications)."""
    return JSONResponse(await call(service_of(request).list_applications, actor, query_params(request)))


@router.get(
    APP, response_model=Application, responses=ERRORS, openapi_extra=ADOPTED, summary="Get an application"
)
async def get_application(applicationId: str, request: Request, actor: CurrentActor) -> JSONResponse:
    """One application."""
    return JSONResponse(await call(service_of(request).get_application, actor, applicationId))


@router.get(
    APP + "/roles",
    response_model=list[Role],
    responses=ERRORS,
    openapi_extra=ADOPTED,
    summary="List an application's roles (needs role:read)",
)
async def list_roles(applicationId: str, request: Request, actor: CurrentActor) -> JSONResponse:
    """The application's roles with permissions and members."""
    return JSONResponse(await call(service_of(request).list_roles, actor, applicationId))


@router.get(
    APP + "/sessions",
    response_model=SessionPage,
    responses=ERRORS,
    summary="List sessions",
    description="Sessions the caller can see (participants see their own unless they hold session:read:any). "
    + PROP_FILTER_DOC
    + " `participants` matches any listed id and `name` is a case-insensitive substring (adopted).",
)
async def list_sessions(
    applicationId: str,
    request: Request,
    actor: CurrentActor,
    _paging: Paging,
    _who_and_when: WhoAndWhen,
    status: Annotated[str | None, Query(pattern="^(open|closed)?$")] = None,
    participants: Annotated[
        str | None, Query(description="Comma-separated participant ids (any)", json_schema_extra=ADOPTED)
    ] = None,
    name: Annotated[
        str | None, Query(description="Case-insensitive substring of the name", json_schema_extra=ADOPTED)
    ] = None,
    sort: Sort = None,
) -> JSONResponse:
    """One page of sessions."""
    service = service_of(request)
    return JSONResponse(await call(service.list_sessions, actor, applicationId, query_params(request)))


@router.post(
    APP + "/sessions",
    status_code=201,
    response_model=Session,
    responses={**ERRORS, **TOO_LARGE},
    openapi_extra=body_ref(SessionCreate),
    summary="Create a session",
)
async def create_session(applicationId: str, request: Request, actor: CurrentActor) -> JSONResponse:
    """Create a session; the caller joins as a participant, version defaults to the published one."""
    body, device = await json_body(request), device_of(request)
    session = await call(service_of(request).create_session, actor, applicationId, body, device)
    return JSONResponse(session, status_code=201)


@router.get(SESSION, response_model=Session, responses=ERRORS, summary="Get a session")
async def get_session(
    applicationId: str, sessionId: str, request: Request, actor: CurrentActor
) -> JSONResponse:
    """One session."""
    return JSONResponse(await call(service_of(request).get_session, actor, applicationId, sessionId))


@router.patch(
    SESSION,
    response_model=Session,
    responses={**ERRORS, **CONFLICT, **TOO_LARGE},
    openapi_extra=body_ref(SessionPatch),
    summary="Update part of a session",
)
async def patch_session(
    applicationId: str, sessionId: str, request: Request, actor: CurrentActor
) -> JSONResponse:
    """Change the given fields; `status: closed` closes the session. 409 once it is closed."""
    body, device = await json_body(request), device_of(request)
    result = await call(service_of(request).patch_session, actor, applicationId, sessionId, body, device)
    return JSONResponse(result)


@router.get(
    SESSION + "/participants", response_model=list[Participant], responses=ERRORS, summary="List participants"
)
async def list_participants(
    applicationId: str,
    sessionId: str,
    request: Request,
    actor: CurrentActor,
) -> JSONResponse:
    """The session's participants."""
    return JSONResponse(await call(service_of(request).list_participants, actor, applicationId, sessionId))


@router.post(
    SESSION + "/participants",
    status_code=204,
    response_class=Response,
    responses={**ERRORS, **CONFLICT, **TOO_LARGE},
    openapi_extra=body_ref(ParticipantAdd),
    summary="Add a participant",
)
async def add_participant(
    applicationId: str, sessionId: str, request: Request, actor: CurrentActor
) -> Response:
    """Add a user or group (``type`` is required)."""
    body, device = await json_body(request), device_of(request)
    await call(service_of(request).add_participant, actor, applicationId, sessionId, body, device)
    return Response(status_code=204)


@router.delete(
    SESSION + "/participants/{participantId}",
    status_code=204,
    response_class=Response,
    responses={**ERRORS, **CONFLICT},
    summary="Remove a participant",
)
async def remove_participant(
    applicationId: str,
    sessionId: str,
    participantId: str,
    request: Request,
    actor: CurrentActor,
) -> Response:
    """Remove a user or group; 404 if it is not a participant."""
    device = device_of(request)
    service = service_of(request)
    await call(service.remove_participant, actor, applicationId, sessionId, participantId, device)
    return Response(status_code=204)


@router.get(SESSION + "/data", response_model=dict, responses=ERRORS, summary="Get the session data")
async def get_data(applicationId: str, sessionId: str, request: Request, actor: CurrentActor) -> JSONResponse:
    """The session data object."""
    return JSONResponse(await call(service_of(request).get_session_data, actor, applicationId, sessionId))


@router.patch(
    SESSION + "/data",
    response_model=EventId,
    responses={**ERRORS, **CONFLICT, **TOO_LARGE},
    openapi_extra=body_ref(DataPatch),
    summary="Merge-patch the session data",
)
async def patch_data(
    applicationId: str, sessionId: str, request: Request, actor: CurrentActor
) -> JSONResponse:
    """JSON Merge Patch (RFC 7386, adopted): objects merge, arrays are replaced, null deletes a key."""
    body, device = await json_body(request), device_of(request)
    service = service_of(request)
    event_id = await call(service.patch_session_data, actor, applicationId, sessionId, body, device)
    return JSONResponse({"eventId": event_id})


@router.get(
    SESSION + "/events",
    response_model=EventPage,
    responses=ERRORS,
    openapi_extra=ADOPTED,
    summary="List the session timeline",
)
async def list_events(
    applicationId: str,
    sessionId: str,
    request: Request,
    actor: CurrentActor,
    _paging: Paging,
    sort: Annotated[str | None, Query(pattern=r"^(-?createdAt)?$")] = None,
) -> JSONResponse:
    """Every event of the session (the payloads published over MQTT), oldest first."""
    service = service_of(request)
    return JSONResponse(
        await call(service.list_events, actor, applicationId, sessionId, query_params(request))
    )


@router.post(
    SESSION + "/events",
    status_code=201,
    response_model=EventId,
    responses={**ERRORS, **CONFLICT, **TOO_LARGE},
    openapi_extra=body_ref(CustomEvent, adopted=True),
    summary="Create a custom session event",
)
async def create_event(
    applicationId: str, sessionId: str, request: Request, actor: CurrentActor
) -> JSONResponse:
    """Publish a custom event (session_event_created, with customEventType = eventType)."""
    body, device = await json_body(request), device_of(request)
    event_id = await call(service_of(request).create_event, actor, applicationId, sessionId, body, device)
    return JSONResponse({"eventId": event_id}, status_code=201)
