"""What the signed-in user may do in the current application, worked out from its roles (CONTRACT §2).

After sign-in and whenever the application changes, the roles are read (``get_roles``), and the user's
groups among the role holders are asked of the directory. Rights are the union of the roles held by the
user or by a group they are in. ``verdict(action, session)`` then says whether an action is allowed, and
why not, in words for a tooltip. Where the roles cannot be read (no ``role:read``, or offline) rights are
unknown and everything is allowed: the app tries, and the server's 403 is worded for the action. A 403
that still happens (roles changed meanwhile) reloads the rights.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from skydesk.api.models import Role
from skydesk.models.auth import AuthController
from skydesk.models.operations import Operations
from skydesk.models.problems import (
    ADDING_PARTICIPANT,
    CLOSING_SESSION,
    CREATING_SESSION,
    REMOVING_PARTICIPANT,
    SAVING_CHANGES,
    Doing,
    Problem,
)

if TYPE_CHECKING:
    from skydesk.api import Group, Session, SkylightClient

READING_ROLES = Doing("reading the roles", "Your rights could not be read", subject="application")
UPDATE_ANY = "session:update:any"
UPDATE_MINE = "session:update:participant"

# action -> (the permissions that allow it, words after "does not allow"); a session action needing
# UPDATE_MINE is allowed only on the sessions the user takes part in.
ACTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "create_session": (("session:create",), "creating sessions"),
    "edit_session": ((UPDATE_ANY, UPDATE_MINE), "changing sessions"),
    "close_session": ((UPDATE_ANY, UPDATE_MINE), "closing sessions"),
    "add_participant": ((UPDATE_ANY, UPDATE_MINE), "adding participants"),
    "remove_participant": ((UPDATE_ANY, UPDATE_MINE), "removing participants"),
    "edit_data": ((UPDATE_ANY, UPDATE_MINE), "editing session data"),
    "upload_media": (("media:write",), "uploading media"),
    "read_media": (("media:read",), "seeing media"),
    "read_roles": (("role:read",), "seeing its roles"),
}

# What the app's own writes were doing -> the action a 403 there denies (other writes call note_forbidden).
DOINGS = {
    "create_session": CREATING_SESSION,
    "edit_session": SAVING_CHANGES,
    "close_session": CLOSING_SESSION,
    "add_participant": ADDING_PARTICIPANT,
    "remove_participant": REMOVING_PARTICIPANT,
}
DOING_ACTIONS = {doing.what: action for action, doing in DOINGS.items()}


@dataclass(frozen=True)
class Verdict:
    """Whether an action is allowed, and the reason (for a tooltip) when it is not."""

    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


ALLOWED = Verdict(True)


@dataclass(frozen=True)
class Rights:
    """The signed-in user's rights in one application; ``known`` is False when they could not be read."""

    application_id: str
    application_name: str
    known: bool = False
    roles: tuple[Role, ...] = ()
    permissions: frozenset[str] = frozenset()  # from roles that surely apply
    maybe: frozenset[str] = frozenset()  # from roles of groups whose members could not be read
    my_roles: frozenset[str] = frozenset()
    user_id: str = ""
    identities: frozenset[str] = frozenset()  # the user's id and the ids of their groups
    unsure_groups: frozenset[str] = frozenset()  # groups whose membership is unknown

    def holds(self, permission: str) -> bool:
        """True when a role surely or possibly (through an unreadable group) grants ``permission``."""
        return not self.known or permission in self.permissions or permission in self.maybe

    def takes_part(self, session: Session) -> bool:
        """Whether the user is (or may be, through an unreadable group) a participant of ``session``."""
        ids = {p.id for p in session.participants}
        return bool(ids & (self.identities | self.unsure_groups))


@dataclass
class _Load:
    """One load of the rights: the roles read so far, for the second step (the groups)."""

    application_id: str
    application_name: str
    roles: list[Role] = field(default_factory=list)


class Permissions(QObject):
    """The signed-in user's rights in the current application; ``changed`` after every (re)load."""

    changed = Signal()

    def __init__(self, auth: AuthController, ops: Operations, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._auth = auth
        self._ops = ops
        self._rights: Rights | None = None
        self._app: tuple[str, str] | None = None
        # action -> reason, learnt from 403s while the roles cannot be read (the server said no)
        self._denied: dict[str, str] = {}
        auth.signed_in.connect(self._on_auth_signed_in)
        auth.signed_out.connect(self._on_auth_signed_out)
        ops.problem_raised.connect(self._on_ops_problem_raised)
        ops.reword = self._reword

    @property
    def rights(self) -> Rights | None:
        """The rights last read (None before an application is chosen)."""
        return self._rights

    @property
    def application_name(self) -> str:
        """The name of the application the rights are for ("" if none)."""
        return self._app[1] if self._app else ""

    # ------------------------------------------------------------------ loading
    def set_application(self, application_id: str | None, name: str = "", read: bool = True) -> None:
        """Read the rights in ``application_id`` (None forgets them); ``read=False`` leaves it to reload()."""
        self._app = (application_id, name or application_id) if application_id else None
        self._rights = Rights(*self._app) if self._app else None
        self._denied.clear()
        self.changed.emit()
        if read:
            self.reload()

    def reload(self) -> None:
        """Read the roles again (after a 403, or when they may have changed)."""
        if self._app is None or self._auth.client is None:
            return
        load = _Load(*self._app)
        self._ops.read(
            "permissions.roles",
            lambda c: c.get_roles(load.application_id),
            doing=READING_ROLES,
            scope="permissions",
            quiet=True,
            success=lambda roles: self._on_roles(load, roles),
            failure=lambda problem: self._on_not_read(load, problem),
        )

    def _on_roles(self, load: _Load, roles: list[Role]) -> None:
        load.roles = list(roles)
        groups = sorted({p.id for r in roles for p in r.participants if p.type == "group"})
        if not groups:
            self._settle(load, [], unsure=())
            return
        self._ops.read(
            "permissions.groups",
            lambda c: _groups(c, groups),
            doing=READING_ROLES,
            scope="permissions",
            quiet=True,
            success=lambda found: self._settle(load, found, unsure=()),
            # The directory is refused: who is in those groups is unknown, so their roles may apply.
            failure=lambda _problem: self._settle(load, [], unsure=groups),
        )

    def _on_not_read(self, load: _Load, _problem: Problem) -> None:
        # No role:read (or the roles could not be read): fall back to trying, the server decides.
        if self._app == (load.application_id, load.application_name):
            self._rights = Rights(load.application_id, load.application_name)
            self.changed.emit()

    def _settle(self, load: _Load, groups: Iterable[Group], unsure: Iterable[str]) -> None:
        if self._app != (load.application_id, load.application_name):
            return  # the application changed meanwhile; its own load will settle
        client = self._auth.client
        user_id = client.user_id if client is not None else None
        mine = {g.id for g in groups if user_id in g.members}
        identities = frozenset({user_id, *mine} if user_id else mine)
        unsure_set = frozenset(unsure)
        sure: set[str] = set()
        maybe: set[str] = set()
        held: set[str] = set()
        for role in load.roles:
            holders = {p.id for p in role.participants}
            if holders & identities:
                sure.update(role.permissions)
                held.add(role.name)
            elif holders & unsure_set:
                maybe.update(role.permissions)
        self._rights = Rights(
            load.application_id,
            load.application_name,
            known=True,
            roles=tuple(load.roles),
            permissions=frozenset(sure),
            maybe=frozenset(maybe - sure),
            my_roles=frozenset(held),
            user_id=user_id or "",
            identities=identities,
            unsure_groups=unsure_set,
        )
        self._denied.clear()  # the roles are authoritative again
        self.changed.emit()

    # ------------------------------------------------------------------ answers
    def verdict(self, action: str, session: Session | None = None) -> Verdict:
        """May the user do ``action`` (a key of ACTIONS), on ``session`` where it concerns one?"""
        rights = self._rights
        if action in self._denied:
            # The server said no since the roles were read: believe it until they are read again.
            return Verdict(False, self._denied[action])
        if rights is None or not rights.known:
            return ALLOWED  # unknown rights: try, and let the server decide
        needed, words = ACTIONS[action]
        if not any(rights.holds(p) for p in needed):
            return Verdict(False, f"Your role in {rights.application_name} does not allow {words}")
        if UPDATE_MINE in needed and session is not None and not rights.holds(UPDATE_ANY):
            if not rights.takes_part(session):
                where = rights.application_name
                return Verdict(
                    False, f"Your role in {where} allows {words} only in sessions you take part in"
                )
        return ALLOWED

    def may(self, action: str, session: Session | None = None) -> bool:
        """Shorthand for ``verdict(action, session).allowed``."""
        return self.verdict(action, session).allowed

    def forbidden_words(self, action: str) -> str:
        """How a 403 for ``action`` reads: the role (no longer) allows it (the rights are reloaded)."""
        _, words = ACTIONS[action]
        where = self.application_name or "this application"
        # Rights read before said yes: they changed meanwhile. Unknown rights: the server just said no.
        when = "no longer allows" if self._rights is not None and self._rights.known else "does not allow"
        return f"Your role in {where} {when} {words}"

    def _reword(self, problem: Problem) -> Problem:
        """A 403 of one of the app's writes, in words for the action: "The session was not created: your
        role in Field Inspection no longer allows creating sessions."."""
        action = DOING_ACTIONS.get(problem.doing) if problem.kind == "forbidden" else None
        if action is None:
            return problem
        words = self.forbidden_words(action)
        return replace(problem, message=f"{DOINGS[action].failed}: {words[:1].lower()}{words[1:]}.")

    def note_forbidden(self, action: str) -> None:
        """The server refused ``action`` with a 403: read the rights again, and until they are known
        again, keep it disabled with the reason. Writes outside DOING_ACTIONS (data, media) call this."""
        if self._app is None or action not in ACTIONS:
            return
        self._denied[action] = self.forbidden_words(action)
        self.changed.emit()
        self.reload()

    # ------------------------------------------------------------------ signals
    def _on_ops_problem_raised(self, problem: Problem) -> None:
        # A 403 while the rights said yes: they changed on the server. Read them again, so the button
        # that just failed becomes disabled with its reason.
        if problem.kind != "forbidden" or problem.scope in ("permissions", "people"):
            return
        action = DOING_ACTIONS.get(problem.doing)
        if action is not None:
            self.note_forbidden(action)
        else:
            self.reload()

    def _on_auth_signed_in(self, *_args: object) -> None:
        self.reload()

    def _on_auth_signed_out(self) -> None:
        self._app = None
        self._rights = None
        self.changed.emit()


async def _groups(client: SkylightClient, ids: list[str]) -> list[Group]:
    return await client.get_groups(ids=ids)
