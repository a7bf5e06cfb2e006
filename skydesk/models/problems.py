"""A problem is data before it is pixels: ``describe(exception, doing)`` turns a failure into plain words.

No Qt here. The operation layer (``skydesk.models.operations``) calls :func:`describe` for every expected
failure; the one presenter (``skydesk.ui.errors.ProblemPresenter``) decides where the words appear.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field

from skydesk.api.errors import (
    ApiError,
    AuthError,
    BadResponse,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    ServerError,
    SignInRequired,
    TransportError,
    ValidationError,
)


class Severity(enum.Enum):
    """How much the problem matters to what the user is doing."""

    INFO = "info"  # passing: the status bar is enough
    WARNING = "warning"  # the user's input or a state they can fix
    ERROR = "error"  # something did not happen


class Action(enum.Enum):
    """What the user can do about a problem; the value is the button's words."""

    RETRY = "Retry"
    SIGN_IN = "Sign in again"
    RELOAD = "Reload"


@dataclass(frozen=True)
class Doing:
    """What the user was doing, in the forms the words need.

    ``failed`` opens the sentence ("The name was not saved"); ``change`` says whether the server may have
    acted (a write); ``conflict`` is the reason a 409 means for this action; ``subject`` names the thing.
    """

    what: str
    failed: str
    change: bool = False
    conflict: str = "the session is closed, so it can no longer be changed"
    subject: str = "session"

    @classmethod
    def of(cls, doing: Doing | str) -> Doing:
        """A Doing from a plain gerund phrase ("loading the list"), or ``doing`` itself."""
        if isinstance(doing, Doing):
            return doing
        return cls(doing, f"{doing[:1].upper()}{doing[1:]} did not work")


# What the app's controllers do; other controllers make their own Doing(...) the same way.
LOADING_APPLICATIONS = Doing("loading the applications", "The applications could not be loaded")
LOADING_LIST = Doing("loading the list", "The session list may be out of date, because loading it failed")
LOADING_SESSION = Doing("loading the session", "The session could not be loaded")
SAVING_CHANGES = Doing("saving the changes", "The changes were not saved", change=True)
CLOSING_SESSION = Doing(
    "closing the session",
    "The session was not closed",
    change=True,
    conflict="the session is already closed",
)
CREATING_SESSION = Doing(
    "creating a session",
    "The session was not created",
    change=True,
    conflict="the server refused it because it conflicts with what it holds",
)
ADDING_PARTICIPANT = Doing("adding a participant", "The participant was not added", change=True)
REMOVING_PARTICIPANT = Doing("removing a participant", "The participant was not removed", change=True)


@dataclass(frozen=True)
class Problem:
    """One failure in words: ``message``, ``severity``, ``action`` (a button) and where it belongs.

    ``scope`` names the place the user was working in ("detail", "list", "create", ...), ``field`` the
    field it concerns when there is one ("name"); the presenter uses them to put the words next to it.
    ``retry`` is what the action button runs (set by the operation layer), ``kind`` a stable word for
    tests and logic ("closed", "offline", "maybe_saved", "unexpected", ...).
    """

    message: str
    severity: Severity = Severity.ERROR
    action: Action | None = None
    kind: str = "error"
    doing: str = ""
    scope: str = ""
    field: str | None = None
    retry: Callable[[], None] | None = dataclass_field(default=None, compare=False, repr=False)

    @property
    def action_label(self) -> str:
        """The action button's words, or "" when there is nothing to do."""
        return self.action.value if self.action is not None else ""

    def placed(self, scope: str, field: str | None = None) -> Problem:
        """This problem, attached to a scope (and field)."""
        return replace(self, scope=scope, field=field if field is not None else self.field)

    def with_retry(self, retry: Callable[[], None] | None) -> Problem:
        """This problem with the callable its action button runs."""
        return replace(self, retry=retry)


def _host(exc: ApiError) -> str:
    return exc.host or "the server"


def _reason(exc: BaseException, doing: Doing) -> tuple[str, Severity, Action | None, str]:
    """(reason words, severity, action, kind) for ``exc`` while ``doing``; the host is named at most once."""
    retry_or_reload = Action.RETRY if not doing.change else Action.RELOAD
    if isinstance(exc, SignInRequired):
        return "your sign-in has expired", Severity.WARNING, Action.SIGN_IN, "sign_in"
    if isinstance(exc, AuthError):
        return f"{_host(exc)} did not accept your sign-in", Severity.WARNING, Action.SIGN_IN, "sign_in"
    if isinstance(exc, Conflict):
        return doing.conflict, Severity.WARNING, Action.RELOAD, "closed" if doing.change else "conflict"
    if isinstance(exc, Forbidden):
        words = (
            "you are not allowed to do this"
            if doing.change
            else f"you are not allowed to see this {doing.subject}"
        )
        return words, Severity.WARNING, None, "forbidden"
    if isinstance(exc, NotFound):
        words = f"this {doing.subject} no longer exists or is no longer visible to you"
        return words, Severity.WARNING, Action.RELOAD, "gone"
    if isinstance(exc, ValidationError):
        listed = "; ".join(f"{d.field}: {d.message}" if d.field else d.message for d in exc.details)
        return listed or "the server refused the input", Severity.WARNING, None, "invalid"
    if isinstance(exc, RateLimited):
        wait = f" Try again in {exc.retry_after:.0f} s" if exc.retry_after else " Try again in a moment"
        return f"{_host(exc)} is busy.{wait}", Severity.INFO, Action.RETRY, "busy"
    if isinstance(exc, ServerError):
        status = f" ({exc.status})" if exc.status else ""
        return f"{_host(exc)} had a problem{status}", Severity.ERROR, retry_or_reload, "server"
    if isinstance(exc, TransportError):
        if exc.untrusted_certificate:
            words = f"the certificate of {_host(exc)} is not trusted; check the CA file of the connection"
            return words, Severity.ERROR, None, "certificate"
        if exc.outcome_unknown:
            words = (
                f"the connection to {_host(exc)} broke before it answered, so the change may or may not "
                "have been saved. Reload to see what the server holds"
            )
            return words, Severity.ERROR, Action.RELOAD, "maybe_saved"
        nothing = "; nothing was changed" if doing.change else ""
        return f"{_host(exc)} cannot be reached{nothing}", Severity.ERROR, Action.RETRY, "offline"
    if isinstance(exc, BadResponse):
        return (
            f"the answer from {_host(exc)} was not understood",
            Severity.ERROR,
            retry_or_reload,
            "bad_answer",
        )
    if isinstance(exc, ApiError):
        status = f" (status {exc.status})" if exc.status else ""
        return f"{_host(exc)} answered unexpectedly{status}", Severity.ERROR, retry_or_reload, "api"
    return "something unexpected went wrong; the details are in the log", Severity.ERROR, None, "unexpected"


def describe(exc: BaseException, doing: Doing | str, *, scope: str = "", field: str | None = None) -> Problem:
    """The Problem for ``exc`` raised while ``doing``: plain words, a severity and an action where one fits.

    A ValidationError naming exactly one field is placed next to that field.
    """
    what = Doing.of(doing)
    reason, severity, action, kind = _reason(exc, what)
    if field is None and isinstance(exc, ValidationError) and len({d.field for d in exc.details}) == 1:
        field = exc.details[0].field.split(".", 1)[0] or None
    message = f"{what.failed}: {reason}"
    if not message.endswith((".", "?", "!")):
        message += "."
    return Problem(message, severity, action, kind, what.what, scope, field)


def signed_out(doing: Doing | str, *, scope: str = "") -> Problem:
    """The Problem for an operation started while nobody is signed in."""
    what = Doing.of(doing)
    return Problem(
        f"{what.failed}: you are signed out.",
        Severity.WARNING,
        Action.SIGN_IN,
        "signed_out",
        what.what,
        scope,
    )
