"""SkylightClient: the async SDK for the Skylight Integration API (REST part)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Self

from skydesk.api.directory import DirectoryMixin
from skydesk.api.media_content import MediaContentMixin
from skydesk.api.session_data import SessionDataMixin
from skydesk.api.sessions import SessionsMixin


class SkylightClient(SessionsMixin, SessionDataMixin, MediaContentMixin, DirectoryMixin):
    """One signed-in connection to a Skylight API: auth, every SDK method, retries, typed results.

    The resource methods live in mixins by topic (applications, sessions, session data, media,
    the directory of users and groups);
    this class adds sign-in and the public state.

    Use it as ``async with SkylightClient(url) as client:``, or call :meth:`aclose` when done.
    :class:`~skydesk.api.sync.SyncSkylightClient` offers the same methods without ``async``.

    Each method's docstring ends with ``Reference:``, naming the Integration SDK method it implements
    and the REST operation it calls (paths after ``/v1/application``, as in CONTRACT.md §3).

    ``SkylightClient(api_url, *, ca_file=None, timeout=15.0, device_id=None, transport=None,
    retry=None, allow_plain_http=False)``: ``api_url`` may lack the scheme (https is assumed) or end in
    slashes; certificates are always verified, against ``ca_file`` (a private CA) or else the system store;
    ``device_id`` is sent with every change (a stable per-machine id by default); ``retry`` bounds the
    resending of idempotent requests (see :class:`RetryPolicy`). A plain ``http://`` URL is refused
    (ValueError) unless it points at this machine or ``allow_plain_http`` is True.
    """

    def __repr__(self) -> str:
        who = self._auth.username or self._auth.user_id or "signed out"
        return f"<SkylightClient {self.api_url} ({who})>"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ auth
    async def login(self, realm: str, username: str, password: str) -> None:
        """Sign in with a user name and password.

        Reference: REST ``POST /v1/authentication/login/realms/{realm}``.
        """
        await self._auth.login(realm, username, password)

    async def restore(self, realm: str, refresh_token: str) -> None:
        """Resume a sign-in from a stored refresh token; raises SignInRequired if it is no longer valid.

        Reference: REST ``POST /v1/authentication/token/refresh`` (with a stored refresh token).
        """
        await self._auth.restore(realm, refresh_token)

    async def refresh(self) -> None:
        """Renew the access token now (concurrent calls share one request).

        Reference: REST ``POST /v1/authentication/token/refresh``.
        """
        await self._auth.refresh()

    async def logout(self) -> None:
        """Forget the tokens locally (the API has no server-side sign-out).

        Reference: none (the API has no sign-out; the tokens are forgotten).
        """
        self._auth.forget(keep_identity=False)

    async def access_token(self, *, force_refresh: bool = False) -> str:
        """A currently valid access token, e.g. as the MQTT password.

        Reference: none (skydesk addition: a valid token, e.g. as the MQTT password).
        """
        return await self._auth.valid_token(force_refresh=force_refresh)

    def add_token_listener(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` whenever the tokens change: login, refresh, logout, sign-in required.

        Read :attr:`refresh_token` inside it to keep the keyring current (None means delete it).

        Reference: none (skydesk addition).
        """
        self._auth.add_listener(callback)

    @property
    def is_signed_in(self) -> bool:
        """True while the client holds a usable token pair."""
        tokens = self._auth.tokens
        return tokens is not None and bool(tokens.access_token)

    @property
    def user_id(self) -> str | None:
        """The signed-in user's id (the token's ``sub``); kept after SignInRequired."""
        return self._auth.user_id

    @property
    def realm(self) -> str | None:
        """The realm signed in to; kept after SignInRequired."""
        return self._auth.realm

    @property
    def username(self) -> str | None:
        """The signed-in user name, when the token names it."""
        return self._auth.username

    @property
    def refresh_token(self) -> str | None:
        """The refresh token, for storing in the keyring only; never log it."""
        tokens = self._auth.tokens
        return tokens.refresh_token if tokens is not None else None

    @property
    def access_expires_at(self) -> datetime | None:
        """When the access token expires (its ``exp``)."""
        tokens = self._auth.tokens
        return tokens.access_expires_at if tokens is not None else None

    @property
    def refresh_expires_at(self) -> datetime | None:
        """When the refresh token expires; after that only the password helps."""
        tokens = self._auth.tokens
        return tokens.refresh_expires_at if tokens is not None else None
