"""Sign-in, silent restore from the keyring, sign-out and re-authentication when the session dies."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from PySide6.QtCore import QObject, Signal

from skydesk.api.errors import (
    ApiError,
    AuthError,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    SignInRequired,
    TransportError,
    ValidationError,
)
from skydesk.core.credentials import CredentialStore
from skydesk.core.settings import ConnectionProfile, Settings
from skydesk.core.tasks import TaskRegistry
from skydesk.models.settings_saver import SettingsSaver

if TYPE_CHECKING:
    from skydesk.api import SkylightClient

log = logging.getLogger(__name__)

# How long quitting waits for a keyring write still in flight (a rotated refresh token must not be lost,
# but an unlock prompt nobody answers must not keep the app from exiting either).
KEYRING_SETTLE_TIMEOUT = 10.0

T = TypeVar("T")
ClientFactory = Callable[[ConnectionProfile, str], "SkylightClient"]


def _default_client_factory(profile: ConnectionProfile, device_id: str) -> SkylightClient:
    from skydesk.api import SkylightClient

    return SkylightClient(
        profile.api_url,
        ca_file=profile.ca_file or None,
        device_id=device_id,
        allow_plain_http=profile.allow_plain_http,
    )


def describe_sign_in_error(exc: BaseException, profile: ConnectionProfile) -> str:
    """Plain words for a failed sign-in, naming the host (never a token or password)."""
    # rsplit("@"): a user name or password typed into the URL is never repeated back (or logged).
    host = (
        getattr(exc, "host", None) or urlsplit(profile.api_url).netloc.rsplit("@", 1)[-1] or profile.api_url
    )
    if isinstance(exc, TransportError):
        if exc.untrusted_certificate:
            return f"The certificate of {host} is not trusted. Check the CA file in the connection profile."
        return f"Cannot reach {host}. Check the API URL and your network connection."
    if isinstance(exc, SignInRequired):
        return f"Your sign-in at {host} has expired. Please enter your password again."
    if isinstance(exc, AuthError):
        return f"Wrong username or password for {host}."
    if isinstance(exc, NotFound) or (isinstance(exc, ValidationError) and exc.status == 400):
        return f"The realm “{profile.realm}” is not known at {host}."
    if isinstance(exc, Forbidden):
        return f"{host} refused the sign-in for this user."
    if isinstance(exc, RateLimited):
        return f"{host} is receiving too many requests. Try again in a moment."
    if isinstance(exc, ServerError):
        status = f" ({exc.status})" if exc.status else ""
        return f"The server at {host} had an error{status}. Try again later."
    if isinstance(exc, ApiError):
        return f"Signing in at {host} failed: {exc.message}"
    if isinstance(exc, ValueError):  # the client refused the profile (API URL, CA file), in plain words
        return str(exc)
    return f"Signing in at {host} failed unexpectedly ({type(exc).__name__})."


class _ClientBuild:
    """A client being built on a worker thread (``run_in_executor``); ``await client()`` for it."""

    def __init__(self, build: Callable[[], SkylightClient], *, refused: bool = False) -> None:
        self._built: SkylightClient | None = None  # set by the worker thread once built
        loop = asyncio.get_event_loop()
        if refused:  # quitting: the task registry refuses the sign-in's task, so build nothing for it
            self.future: asyncio.Future[SkylightClient] = loop.create_future()
            self.future.cancel()
            return

        def run() -> SkylightClient:
            client = build()
            self._built = client
            return client

        self.future = loop.run_in_executor(None, run)

    async def client(self) -> SkylightClient:
        """The client, or the factory's error. Built already, it is taken without waiting: asyncio hears
        of the worker's result only a loop turn later, after Qt has painted whatever was due (~4-6 ms)."""
        if self._built is not None:
            return self._built
        return await asyncio.shield(self.future)


class AuthController(QObject):
    """Owns the SkylightClient of the signed-in user and every change of sign-in state."""

    signing_in = Signal(bool)
    signed_in = Signal(str)  # user label, e.g. "tech @ demo"
    sign_in_failed = Signal(str)
    signed_out = Signal()
    reauth_required = Signal(str)
    reauthenticated = Signal()
    keyring_problem = Signal(str)  # "Remember me" could not store the sign-in (keyring locked or gone)

    def __init__(
        self,
        settings: Settings,
        credentials: CredentialStore,
        tasks: TaskRegistry,
        client_factory: ClientFactory | None = None,
        parent: QObject | None = None,
        saver: SettingsSaver | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._saver = saver if saver is not None else SettingsSaver(settings)
        self._credentials = credentials
        self._tasks = tasks
        self._factory = client_factory or _default_client_factory
        self._client: SkylightClient | None = None
        self._profile: ConnectionProfile | None = None
        self._username = ""
        self._remember = False
        self._reauth_pending = False
        self._retries: list[Callable[[], None]] = []
        self._keyring_failed = False  # the last keyring write failed (said once, see _store_token)
        self._keyring_calls: set[asyncio.Future[Any]] = set()

    # ------------------------------------------------------------------ state
    @property
    def client(self) -> SkylightClient | None:
        """The signed-in client, or None."""
        return self._client

    @property
    def profile(self) -> ConnectionProfile | None:
        """The profile of the current sign-in."""
        return self._profile

    @property
    def username(self) -> str:
        """The signed-in (or re-authenticating) username."""
        return self._username

    @property
    def user_label(self) -> str:
        """'user @ realm' for the status bar."""
        realm = self._profile.realm if self._profile else ""
        return f"{self._username} @ {realm}" if realm else self._username

    @property
    def is_signed_in(self) -> bool:
        """True while a client is signed in (even if its refresh token needs a password again)."""
        return self._client is not None

    # ------------------------------------------------------------------ sign in / restore
    def sign_in(self, profile: ConnectionProfile, username: str, password: str, remember: bool) -> None:
        """Sign in on the loop; reports with signing_in, then signed_in or sign_in_failed."""
        made = self._make_client(profile)
        self._tasks.run("auth.sign_in", self._sign_in(profile, username, password, remember, made))

    async def _sign_in(
        self,
        profile: ConnectionProfile,
        username: str,
        password: str,
        remember: bool,
        made: _ClientBuild,
    ) -> None:
        await self._establish(
            profile, username, remember, lambda c: c.login(profile.realm, username, password), made
        )

    def _make_client(self, profile: ConnectionProfile) -> _ClientBuild:
        """Start building the client for ``profile`` on a worker thread, now (it loads the CA bundle).

        Started by the call that asks for the sign-in, not by its task: the task's first step runs only
        after Qt has laid out and painted the progress page (and whatever else was due), so the client was
        built ~5-8 ms after the click and the login request waited for it (benchmark B2). Now it is built
        while that page is painted.
        """
        device_id = self._settings.device_id
        return _ClientBuild(lambda: self._factory(profile, device_id), refused=self._tasks.closed)

    def restore(self, profile: ConnectionProfile) -> bool:
        """Silently sign in with the remembered refresh token; False unless this profile's user is remembered.

        The keyring is read in the task, off the GUI thread: a locked keyring may hold the call for as long
        as its unlock prompt is up. If no token turns out to be there, sign_in_failed says so.
        """
        if not profile.username or not self._credentials.available:
            return False
        if self._settings.remembered_username(profile.name) != profile.username:
            return False
        made = self._make_client(profile)  # built while the keyring is read
        self._tasks.run("auth.sign_in", self._restore(profile, made))
        return True

    async def _restore(self, profile: ConnectionProfile, made: _ClientBuild) -> None:
        self.signing_in.emit(True)
        try:
            token = await self._in_keyring(
                lambda: self._credentials.load_refresh_token(profile, profile.username)
            )
        except asyncio.CancelledError:
            self.signing_in.emit(False)
            self._discard_client(made)
            raise
        if not token:
            self._discard_client(made)
            self.signing_in.emit(False)
            self.sign_in_failed.emit(
                f"The remembered sign-in for {profile.username} could not be read from the keyring "
                "(it may be locked, or the entry was removed). Please sign in."
            )
            return

        def restore(client: SkylightClient) -> Awaitable[None]:
            return client.restore(profile.realm, token)

        await self._establish(profile, profile.username, True, restore, made)

    async def _establish(
        self,
        profile: ConnectionProfile,
        username: str,
        remember: bool,
        authenticate: Callable[[SkylightClient], Awaitable[None]],
        made: _ClientBuild,
    ) -> None:
        self.signing_in.emit(True)
        client: SkylightClient | None = None
        try:
            # Built off the GUI thread (_make_client): it loads the CA bundle (tens of ms on a busy disk).
            client = await made.client()  # a cancelled sign-in closes it (_discard_client)
            await authenticate(client)
        except (ApiError, ValueError) as exc:
            if client is not None:
                await client.aclose()
            if isinstance(exc, SignInRequired) and remember:
                # The remembered token is dead: drop it so we do not try it again at every start.
                await self._in_keyring(lambda: self._credentials.forget(profile, username))
            self.signing_in.emit(False)
            self.sign_in_failed.emit(describe_sign_in_error(exc, profile))
            return
        except asyncio.CancelledError:
            if client is not None:
                await client.aclose()
            else:
                self._discard_client(made)
            self.signing_in.emit(False)
            raise
        old = self._client
        self._client, self._profile, self._username = client, profile, username
        self._remember = remember and self._credentials.available
        client.add_token_listener(self._on_client_tokens)
        if old is not None and old is not client:
            await old.aclose()
        had_remembered = self._settings.remembered_username(profile.name)
        self._remember_profile(profile, username)
        if self._remember:
            await self._store_token()
        if had_remembered and not (self._remember and had_remembered == username):
            # This profile's remembered sign-in is replaced by one not remembered (or by another user's):
            # forget it. Only then, so users who never ticked "Remember me" for this profile are never asked
            # to unlock their keyring.
            await self._in_keyring(lambda: self._credentials.forget(profile, had_remembered))
        self.signing_in.emit(False)
        self.signed_in.emit(self.user_label)

    def _discard_client(self, made: _ClientBuild) -> None:
        """Close, once built, the client made for a sign-in that will not use it (cancelled, no token)."""

        def built(future: asyncio.Future[SkylightClient]) -> None:
            if future.cancelled() or future.exception() is not None:  # (looked at: never "not retrieved")
                return
            client = future.result()
            if self._tasks.closed:
                return  # quitting: it has opened no connection, so nothing is left open
            self._tasks.run(f"auth.discard_client.{id(client)}", client.aclose())

        made.future.add_done_callback(built)

    def _remember_profile(self, profile: ConnectionProfile, username: str) -> None:
        stored = ConnectionProfile(**{**profile.__dict__, "username": username})
        self._profile = stored
        self._settings.upsert_profile(stored)
        self._settings.last_profile = stored.name
        if self._remember:
            self._settings.remembered[stored.name] = username
        else:
            self._settings.remembered.pop(stored.name, None)
        self._save_settings()

    def _save_settings(self) -> None:
        # On a worker thread, in order; the sign-in goes on meanwhile (app quit flushes it: AppServices).
        self._saver.save()

    def _on_client_tokens(self) -> None:
        # Called by the SDK after login/refresh: the refresh token may have rotated.
        if self._remember and self._client is not None:
            self._tasks.run("auth.store_token", self._store_token())

    async def _store_token(self) -> None:
        client, profile = self._client, self._profile
        if client is None or profile is None or not client.refresh_token:
            return
        token, username = client.refresh_token, self._username

        def save() -> bool:
            return self._credentials.save_refresh_token(profile, username, token)

        # A closure, not positional arguments: executors (qasync's at DEBUG) log the arguments they get.
        stored = await self._in_keyring(save)
        if not stored and self._remember and not self._keyring_failed:
            # Said once until it works again (every token refresh tries); nothing is written anywhere else.
            self.keyring_problem.emit(
                "Your sign-in could not be saved in the keyring (it is locked or not running), "
                "so skydesk will ask for your password next time."
            )
        self._keyring_failed = not stored

    def _in_keyring(self, call: Callable[[], T]) -> Awaitable[T]:
        """Run a keyring call on a worker thread; it can take seconds (a D-Bus round trip, an unlock prompt).

        The call is shielded: a cancelled caller does not abandon a write half-way, and settle_keyring()
        (at quit) still waits for it. `call` takes no arguments, so no executor ever logs a token.
        """
        future = asyncio.get_running_loop().run_in_executor(None, call)
        self._keyring_calls.add(future)
        future.add_done_callback(self._keyring_calls.discard)
        return asyncio.shield(future)

    async def settle_keyring(self) -> None:
        """Wait for keyring work in flight, including a token write not yet started (call before quitting)."""
        pending: set[asyncio.Future[Any]] = set(self._keyring_calls)
        store = self._tasks.get("auth.store_token")
        if store is not None and not store.done():
            pending.add(store)
        if not pending:
            return
        _done, late = await asyncio.wait(pending, timeout=KEYRING_SETTLE_TIMEOUT)
        if late:
            log.warning(
                "The keyring did not answer within %.0f s; quitting without waiting for it",
                KEYRING_SETTLE_TIMEOUT,
            )

    # ------------------------------------------------------------------ sign out
    def sign_out(self, forget: bool = True) -> None:
        """Forget the remembered sign-in, log out and close the client.

        ``forget=False`` (switching to another profile) only closes the client: a remembered sign-in stays
        in the keyring and valid on the server, for the next time this profile is chosen.
        """
        self._tasks.run("auth.sign_out", self._sign_out(forget))

    async def _sign_out(self, forget: bool = True) -> None:
        client, profile = self._client, self._profile
        self._client = None
        self._remember = False
        self._reauth_pending = False
        self._retries.clear()
        remembered = self._settings.remembered.get(profile.name, "") if profile is not None else ""
        if forget and profile is not None and remembered:
            self._settings.remembered.pop(profile.name, None)
            self._save_settings()
            await self._in_keyring(lambda: self._credentials.forget(profile, remembered))
        if client is not None:
            try:
                if forget or not remembered:
                    await client.logout()
            except ApiError as exc:
                log.info("Logout request failed (%s); tokens are forgotten locally anyway", exc)
            finally:
                await client.aclose()
        self.signed_out.emit()

    async def aclose(self) -> None:
        """Close the HTTP client (shutdown); stays signed in for the next start if remembered."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    # ------------------------------------------------------------------ re-authentication
    def handle_sign_in_required(self, exc: SignInRequired, retry: Callable[[], None] | None = None) -> None:
        """Called by controllers when a call needs the password again; `retry` re-runs their operation."""
        if retry is not None:
            self._retries.append(retry)
        if not self._reauth_pending:
            self._reauth_pending = True
            host = exc.host or (self._client.host if self._client else "the server")
            self.reauth_required.emit(
                f"Your session at {host} has expired. Enter the password for {self._username} to continue."
            )

    def reauthenticate(self, password: str) -> None:
        """Sign in again with the same profile and username, then re-run what failed."""
        self._tasks.run("auth.reauth", self._reauthenticate(password))

    async def _reauthenticate(self, password: str) -> None:
        client, profile = self._client, self._profile
        if client is None or profile is None:
            self.sign_in_failed.emit("You are signed out. Sign in again.")
            return
        self.signing_in.emit(True)
        try:
            await client.login(profile.realm, self._username, password)
        except ApiError as exc:
            self.signing_in.emit(False)
            self.sign_in_failed.emit(describe_sign_in_error(exc, profile))
            return
        self.signing_in.emit(False)
        self._reauth_pending = False
        retries, self._retries = self._retries, []
        self.reauthenticated.emit()
        for retry in retries:
            retry()
