"""Shared machinery of the sandbox domain: who is acting, what they may do, and how changes become events."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .auth import TokenIssuer
from .errors import Forbidden, NotFound, Unauthorized
from .store import Store, now_iso

log = logging.getLogger(__name__)

EventListener = Callable[[dict[str, Any], list[str]], None]

# The adopted permissions (CONTRACT §1).
APPLICATION_READ = "application:read"
SESSION_READ_PARTICIPANT = "session:read:participant"
SESSION_READ_ANY = "session:read:any"
SESSION_CREATE = "session:create"
SESSION_UPDATE_PARTICIPANT = "session:update:participant"
SESSION_UPDATE_ANY = "session:update:any"
MEDIA_READ = "media:read"
MEDIA_WRITE = "media:write"
ROLE_READ = "role:read"


@dataclass(frozen=True)
class Actor:
    """The user a request (or a simulated user) acts as, with the groups they belong to."""

    user_id: str
    username: str
    group_ids: tuple[str, ...] = ()

    @property
    def identities(self) -> tuple[str, ...]:
        """Every participant id that stands for this user: their own id and their groups'."""
        return (self.user_id, *self.group_ids)


@dataclass(frozen=True)
class Device:
    """The device headers of a mutation: `deviceid` and `devicetimestamp` (normalised to UTC)."""

    device_id: str | None = None
    timestamp: str | None = None


@dataclass
class ChangeSet:
    """One write transaction plus the events it will publish once it has committed."""

    conn: sqlite3.Connection
    pending: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)


class ServiceBase:
    """State and helpers every resource module of :class:`SandboxService` builds on."""

    #: ``--lenient``: let the reference's required fields default (adopted, off by default).
    lenient: bool = False

    def __init__(self, store: Store, issuer: TokenIssuer, realm: str) -> None:
        self.store = store
        self.issuer = issuer
        self.realm = realm
        self._listeners: list[EventListener] = []
        self._listeners_lock = threading.Lock()

    # ------------------------------------------------------------------ listeners
    def add_event_listener(self, fn: EventListener) -> None:
        """Call ``fn(payload, recipient_user_ids)`` after every committed change, on the changer's thread."""
        with self._listeners_lock:
            self._listeners.append(fn)

    def remove_event_listener(self, fn: EventListener) -> None:
        """Stop calling ``fn``; unknown listeners are ignored."""
        with self._listeners_lock:
            if fn in self._listeners:
                self._listeners.remove(fn)

    def _notify(self, payload: dict[str, Any], recipients: list[str]) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        for fn in listeners:
            try:
                fn(payload, recipients)
            except Exception:
                # A broken listener (e.g. the broker is down) must not undo or fail a committed change.
                log.exception("event listener failed for %s", payload.get("eventType"))

    @contextmanager
    def _change(self) -> Iterator[ChangeSet]:
        """A write transaction whose queued events go to the listeners after COMMIT, outside the lock."""
        with self.store.tx() as conn:
            change = ChangeSet(conn)
            yield change
        for payload, recipients in change.pending:
            self._notify(payload, recipients)

    # ------------------------------------------------------------------ identity
    def actor_for_claims(self, claims: dict[str, Any]) -> Actor:
        """The actor a verified access token stands for; 401 when its user or realm is unknown here."""
        if claims.get("realm") != self.realm:
            raise Unauthorized("The token was issued for another realm")
        actor = self.actor_by_id(str(claims["sub"]))
        if actor is None:
            raise Unauthorized("The token's user no longer exists")
        return actor

    def actor_by_id(self, user_id: str) -> Actor | None:
        """The actor for a user id, or None."""
        with self.store.read() as conn:
            row = conn.execute("SELECT id, username FROM users WHERE id = ?", (user_id,)).fetchone()
            if row is None:
                return None
            groups = conn.execute(
                "SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id", (user_id,)
            ).fetchall()
        return Actor(row["id"], row["username"], tuple(g["group_id"] for g in groups))

    def actor_by_username(self, username: str) -> Actor:
        """The actor for a username (used by the activity simulator and tests); KeyError if unknown."""
        with self.store.read() as conn:
            row = conn.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
        actor = self.actor_by_id(row["id"]) if row else None
        if actor is None:
            raise KeyError(f"no user {username!r}")
        return actor

    def permissions(self, actor: Actor, application_id: str) -> set[str]:
        """The union of the permissions of every role the actor (or one of their groups) holds in the app."""
        marks = ",".join("?" * len(actor.identities))
        with self.store.read() as conn:
            rows = conn.execute(
                f"SELECT DISTINCT r.permissions FROM role_members m JOIN roles r "  # noqa: S608 - placeholders only
                f"ON r.application_id = m.application_id AND r.name = m.role_name "
                f"WHERE m.application_id = ? AND m.participant_id IN ({marks})",
                (application_id, *actor.identities),
            ).fetchall()
        perms: set[str] = set()
        for row in rows:
            perms.update(json.loads(row["permissions"]))
        return perms

    def _require_application(self, actor: Actor, application_id: str) -> set[str]:
        """The actor's permissions in an application they may read; 404 if unknown, 403 if not readable."""
        with self.store.read() as conn:
            exists = conn.execute("SELECT 1 FROM applications WHERE id = ?", (application_id,)).fetchone()
        if exists is None:
            raise NotFound(f"Application {application_id} not found")
        perms = self.permissions(actor, application_id)
        if APPLICATION_READ not in perms:
            raise Forbidden("You do not have application:read on this application")
        return perms

    # ------------------------------------------------------------------ events
    def recipients(self, conn: sqlite3.Connection, participants: Iterable[dict[str, Any]]) -> list[str]:
        """User ids that receive a session's events: user participants plus members of group participants."""
        users: set[str] = set()
        groups: list[str] = []
        for p in participants:
            if p.get("type") == "group":
                groups.append(p["id"])
            else:
                users.add(p["id"])
        if groups:
            marks = ",".join("?" * len(groups))
            rows = conn.execute(
                f"SELECT user_id FROM group_members WHERE group_id IN ({marks})",  # noqa: S608
                groups,
            ).fetchall()
            users.update(r["user_id"] for r in rows)
        # Only known users have a topic; unknown participant ids (external users) are kept but not addressed.
        if not users:
            return []
        marks = ",".join("?" * len(users))
        known = conn.execute(f"SELECT id FROM users WHERE id IN ({marks})", sorted(users)).fetchall()  # noqa: S608
        return sorted(r["id"] for r in known)

    def _record_event(
        self,
        change: ChangeSet,
        *,
        session_seq: int,
        session: dict[str, Any],
        event_type: str,
        actor: Actor,
        device: Device | None,
        recipients: list[str],
        with_session: bool = True,
        data: dict[str, Any] | None = None,
        version: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """Build the CONTRACT §3 payload, append it to the timeline and queue it for the listeners."""
        device = device or Device()
        created_at = now_iso()
        payload: dict[str, Any] = {
            "eventId": str(uuid.uuid4()),
            "eventType": event_type,
            "applicationId": session["applicationId"],
            "sessionId": session["sessionId"],
            "source": "skylight",
            "userId": actor.user_id,
            "createdAt": created_at,
            "timestamp": device.timestamp or created_at,
            "version": session["version"] if version is None else version,
            "deviceId": device.device_id,
        }
        if extra:
            payload.update(extra)
        if with_session:
            payload["session"] = session
        if data is not None:
            payload["data"] = data
        change.conn.execute(
            "INSERT INTO events (session_seq, event_id, event_type, device_id, created_at, payload) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (session_seq, payload["eventId"], event_type, device.device_id, created_at, json.dumps(payload)),
        )
        change.pending.append((payload, recipients))
        return str(payload["eventId"])
