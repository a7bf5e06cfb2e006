"""Applications and their roles."""

from __future__ import annotations

from typing import Any

from skydesk.api._http import HttpCore
from skydesk.api._query import APPS, Query, app_path
from skydesk.api.errors import BadResponse
from skydesk.api.models import Application, Page, Role


def _expect_list(body: Any, host: str, what: str) -> list[Any]:
    if not isinstance(body, list):
        raise BadResponse(f"{host} sent a malformed list of {what}.", host=host)
    return body


class ApplicationsMixin(HttpCore):
    """``get_applications``, ``get_application``, ``get_roles``."""

    async def get_applications(self) -> list[Application]:
        """Every application the user may read (``application:read``), across all pages.

        Reference: SDK ``GetApplications``; REST ``GET /v1/application/applications`` (adopted path).
        """
        found: list[Application] = []
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            params = Query().limit(200).cursors(cursor, None).done()
            body = await self._json("GET", APPS, params=params)
            page = self._parse(Page.from_json, body, item=Application.from_json, where="list of applications")
            found.extend(page.items)
            cursor = page.next_cursor
            if not cursor or not page.items or cursor in seen:
                return found
            seen.add(cursor)

    async def get_application(self, application_id: str) -> Application:
        """One application by id.

        Reference: SDK ``GetApplication``; REST ``GET /applications/{app}`` (adopted path).
        """
        return self._parse(Application.from_json, await self._json("GET", app_path(application_id)))

    async def get_roles(self, application_id: str) -> list[Role]:
        """The roles of an application (needs ``role:read``).

        Reference: SDK ``GetRoles``; REST ``GET /applications/{app}/roles`` (adopted path).
        """
        body = await self._json("GET", app_path(application_id, "roles"))
        if isinstance(body, dict) and "data" in body:  # tolerate a paged answer too
            body = body["data"]
        return [self._parse(Role.from_json, r) for r in _expect_list(body, self.host, "roles")]
