"""Routes for session media: metadata and content."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse

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
    json_body,
    query_params,
    read_body,
    service_of,
)
from .schemas import ADOPTED, ErrorBody, Media, MediaCreate, MediaPage, MediaPatch
from .validation import MEDIA_BODY_MAX

router = APIRouter(prefix="/v1/application/applications/{applicationId}/sessions/{sessionId}", tags=["media"])
ITEM = "/media/{mediaId}"
_CONTENT_TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": f"A request body over {MEDIA_BODY_MAX} bytes (send chunks)"}
}
_CSV = "Comma-separated list"


@router.get(
    "/media",
    response_model=MediaPage,
    responses=ERRORS,
    summary="List session media metadata",
    description="Media of a session. " + PROP_FILTER_DOC,
)
async def list_media(
    applicationId: str,
    sessionId: str,
    request: Request,
    actor: CurrentActor,
    _paging: Paging,
    _who_and_when: WhoAndWhen,
    archived: Annotated[
        str | None, Query(pattern="^(include|exclude|only)?$", description="Default: exclude")
    ] = None,
    content_type: Annotated[
        str | None, Query(alias="contentType", description=_CSV + "; 'image/*' matches a whole type")
    ] = None,
    labels: Annotated[str | None, Query(description=_CSV + " (any of them)")] = None,
    exclude_labels: Annotated[str | None, Query(alias="excludeLabels", description=_CSV)] = None,
    sort: Annotated[
        str | None,
        Query(
            pattern=r"^(-?(filename|name|createdAt|modifiedAt|_id))?$",
            description="filename (alias name), createdAt, modifiedAt or _id (creation order); prefix "
            "'-' for descending. Default: _id. " + NAME_ORDER_DOC.replace("Names", "Filenames"),
        ),
    ] = None,
) -> JSONResponse:
    """One page of media metadata (archived items are excluded by default)."""
    service = service_of(request)
    return JSONResponse(
        await call(service.list_media, actor, applicationId, sessionId, query_params(request))
    )


@router.post(
    "/media",
    status_code=201,
    response_model=Media,
    responses={**ERRORS, **CONFLICT, **TOO_LARGE},
    openapi_extra=body_ref(MediaCreate),
    summary="Create session media metadata",
)
async def create_media(
    applicationId: str, sessionId: str, request: Request, actor: CurrentActor
) -> JSONResponse:
    """Metadata first; upload the bytes with PUT .../content (uploadedBytes starts at 0)."""
    body = await json_body(request)
    media = await call(service_of(request).create_media, actor, applicationId, sessionId, body)
    return JSONResponse(media, status_code=201)


@router.get(ITEM, response_model=Media, responses=ERRORS, openapi_extra=ADOPTED, summary="Get media metadata")
async def get_media(
    applicationId: str,
    sessionId: str,
    mediaId: str,
    request: Request,
    actor: CurrentActor,
) -> JSONResponse:
    """One media item's metadata."""
    return JSONResponse(await call(service_of(request).get_media, actor, applicationId, sessionId, mediaId))


@router.patch(
    ITEM,
    response_model=Media,
    responses={**ERRORS, **CONFLICT, **TOO_LARGE},
    openapi_extra=body_ref(MediaPatch, adopted=True),
    summary="Update media metadata (archive with archived: true)",
)
async def patch_media(
    applicationId: str,
    sessionId: str,
    mediaId: str,
    request: Request,
    actor: CurrentActor,
) -> JSONResponse:
    """Change metadata fields; labels and properties are replaced whole."""
    body = await json_body(request)
    service = service_of(request)
    return JSONResponse(await call(service.patch_media, actor, applicationId, sessionId, mediaId, body))


@router.delete(
    ITEM,
    status_code=204,
    response_class=Response,
    responses={**ERRORS, **CONFLICT},
    openapi_extra=ADOPTED,
    summary="Delete media and its content",
)
async def delete_media(
    applicationId: str,
    sessionId: str,
    mediaId: str,
    request: Request,
    actor: CurrentActor,
) -> Response:
    """Delete one media item."""
    await call(service_of(request).delete_media, actor, applicationId, sessionId, mediaId)
    return Response(status_code=204)


@router.put(
    ITEM + "/content",
    response_model=Media,
    responses={**ERRORS, **CONFLICT, **_CONTENT_TOO_LARGE},
    openapi_extra={
        **ADOPTED,
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        },
    },
    summary="Upload media content",
)
async def upload_content(
    applicationId: str,
    sessionId: str,
    mediaId: str,
    request: Request,
    actor: CurrentActor,
    content_range: Annotated[
        str | None,
        Header(
            alias="content-range",
            description="Optional 'bytes a-b/total': one chunk, starting at 0, at uploadedBytes, "
            "or where the last chunk started (a resend)",
        ),
    ] = None,
) -> JSONResponse:
    """Store the bytes (all of them, or the next chunk with Content-Range); returns the metadata."""
    content = await read_body(request, MEDIA_BODY_MAX)
    service = service_of(request)
    media = await call(
        service.upload_content,
        actor,
        applicationId,
        sessionId,
        mediaId,
        content,
        request.headers.get("content-range"),
    )
    return JSONResponse(media)


@router.get(
    ITEM + "/content",
    response_class=Response,
    responses={
        200: {
            "description": "The bytes, with the media's own content type",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        **ERRORS,
        409: {"model": ErrorBody, "description": "The upload is not complete"},
    },
    openapi_extra=ADOPTED,
    summary="Download media content",
)
async def download_content(
    applicationId: str,
    sessionId: str,
    mediaId: str,
    request: Request,
    actor: CurrentActor,
) -> Response:
    """The complete bytes, with the media's content type and ETag."""
    service = service_of(request)
    blocks, media = await call(service.download_content, actor, applicationId, sessionId, mediaId)
    # Streamed block by block (Starlette runs the iterator in a worker thread): up to 2 GiB never
    # sits in memory. Content-Length lets the client tell a complete download from a cut one.
    headers = {"ETag": f'"{media["etag"]}"', "Content-Length": str(media["totalBytes"])}
    return StreamingResponse(blocks, media_type=media["contentType"], headers=headers)
