"""skydesk.api: an async Python SDK for the Skylight Integration API (REST), with no GUI dependency.

Example::

    async with SkylightClient("https://api.skylight.upskill.io") as client:
        await client.login("myrealm", "me", "secret")
        for app in await client.get_applications():
            print(app.name, len(await client.get_sessions(app.application_id)))
"""

from skydesk.api._retry import NO_RETRY, RetryPolicy
from skydesk.api.client import SkylightClient
from skydesk.api.directory import Group, User
from skydesk.api.errors import (
    ApiError,
    AuthError,
    BadResponse,
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    SignInRequired,
    SkydeskError,
    Timeout,
    TransportError,
    ValidationError,
)
from skydesk.api.merge import merge_patch
from skydesk.api.models import Annotation, Application, Media, Page, Participant, Role, Session, SessionEvent
from skydesk.api.read_ahead import SessionPages
from skydesk.api.sync import SyncSkylightClient

__all__ = [
    "NO_RETRY",
    "Annotation",
    "ApiError",
    "Application",
    "AuthError",
    "BadResponse",
    "Conflict",
    "FieldError",
    "Forbidden",
    "Group",
    "Media",
    "NotFound",
    "Page",
    "Participant",
    "RateLimited",
    "RetryPolicy",
    "Role",
    "ServerError",
    "Session",
    "SessionEvent",
    "SessionPages",
    "SignInRequired",
    "SkydeskError",
    "SkylightClient",
    "SyncSkylightClient",
    "Timeout",
    "TransportError",
    "User",
    "ValidationError",
    "merge_patch",
]
