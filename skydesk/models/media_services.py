"""Builds the Media tab's non-visual parts for AppServices and keeps them in step with the sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from skydesk.core.thumb_cache import ThumbnailCache, profile_cache_dir
from skydesk.models.media_controller import MediaController
from skydesk.models.thumbnails import ThumbnailLoader

if TYPE_CHECKING:
    from skydesk.models.permissions import Permissions
    from skydesk.models.services import AppServices


def build_media(services: AppServices) -> tuple[ThumbnailLoader, MediaController]:
    """The thumbnail loader (disk cache per profile) and the media controller, wired to auth and labels."""
    thumbnails = ThumbnailLoader(services.ops, None, parent=services)
    media = MediaController(services.ops, thumbnails, parent=services)
    media.model.user_label = services.labels.label
    services.labels.changed.connect(media.model.refresh_all)

    def signed_in(*_args: object) -> None:
        profile = services.auth.profile
        # One folder per profile (and server): thumbnails of one account never show under another.
        key = f"{profile.name}\0{profile.api_url}" if profile is not None else "default"
        thumbnails.set_cache(ThumbnailCache(profile_cache_dir(key)))

    def signed_out() -> None:
        media.open(None, None)
        thumbnails.set_cache(None)

    services.auth.signed_in.connect(signed_in)
    services.auth.signed_out.connect(signed_out)
    follow_permissions(media, services.permissions)  # the people engineer's rights (PEOPLE-API)
    return thumbnails, media


def follow_permissions(media: MediaController, permissions: Permissions) -> None:
    """Media changes need ``media:write``: keep the tab's actions disabled, with the reason, without it."""

    def update() -> None:
        verdict = permissions.verdict("upload_media")
        media.set_role_permission(verdict.allowed, verdict.reason)

    permissions.changed.connect(update)
    # A 403 on a media change: the rights changed on the server; read them again (PEOPLE-API).
    media.forbidden.connect(lambda: permissions.note_forbidden("upload_media"))
    update()
