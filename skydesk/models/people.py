"""The people directory of the app: names for user and group ids, looked up in batches and cached.

Views never wait for it. ``label(id)`` answers at once: the name when it is known, else the user's own
label for that id, else a short form of the id; an id it has not seen is queued and looked up with the
others of the same paint, in one request per 100 ids (CONTRACT §10). ``changed`` then names the ids
that have a name now. A realm that refuses the directory (403 or 404) is remembered per profile:
ids stay ids, with the "name this person" labels kept in the settings, and no error is shown.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from skydesk.api.directory import IDS_PER_REQUEST, Group, User
from skydesk.core.settings import Settings
from skydesk.models.auth import AuthController
from skydesk.models.operations import Operations
from skydesk.models.problems import Doing, Problem

if TYPE_CHECKING:
    from skydesk.api import SkylightClient

LOOKING_UP = Doing("looking up people", "Names could not be looked up", subject="person")
SEARCHING = Doing("searching for people", "The people search did not work", subject="person")
CACHE_TTL = 15 * 60.0  # seconds a looked-up name (or "no such person") is trusted
RETRY_AFTER = 30.0  # seconds before ids whose lookup failed (offline, 5xx) are asked for again
SEARCH_LIMIT = 20
REFUSED_KINDS = frozenset({"forbidden", "gone"})  # 403 / 404: this realm has no directory for us


def people_tooltip(ids: Sequence[str], label: Callable[[str], str]) -> str:
    """One line per person, ``name: id``, for the tooltip of a cell that names them."""
    return "\n".join(f"{label(pid)}: {pid}" if label(pid) != pid else pid for pid in ids)


def short_id(person_id: str) -> str:
    """A short form of an id for a cell: the first 8 characters of a long id, with an ellipsis."""
    return f"{person_id[:8]}…" if len(person_id) > 12 else person_id


@dataclass(frozen=True)
class Person:
    """A user or group as the app shows them; ``known`` is False for an id the directory does not know."""

    id: str
    kind: str = "user"  # "user" or "group"
    name: str = ""
    username: str = ""
    job_title: str = ""
    description: str = ""
    members: tuple[str, ...] = ()
    known: bool = True

    @classmethod
    def of_user(cls, user: User) -> Person:
        """A person from a directory user."""
        return cls(user.id, "user", user.display_name, user.username, user.job_title)

    @classmethod
    def of_group(cls, group: Group) -> Person:
        """A person (a group) from a directory group."""
        return cls(group.id, "group", group.name, description=group.description, members=group.members)

    @property
    def is_group(self) -> bool:
        """True for a group."""
        return self.kind == "group"

    @property
    def detail(self) -> str:
        """The second line under the name: user name and job title, or a group's member count."""
        if self.is_group:
            count = len(self.members)
            return f"Group · {count} member{'s' if count != 1 else ''}"
        return " · ".join(x for x in (self.username, self.job_title) if x)

    def matches(self, text: str) -> bool:
        """Whether ``text`` (any case) is part of the name, user name or job title."""
        needle = text.casefold()
        return any(needle in x.casefold() for x in (self.name, self.username, self.job_title) if x)


@dataclass
class _Cache:
    """What one profile's directory said: id -> (person or None for "unknown", when it was asked)."""

    entries: dict[str, tuple[Person | None, float]] = field(default_factory=dict)
    failed: dict[str, float] = field(default_factory=dict)  # id -> when its lookup failed
    refused: bool = False


class PeopleDirectory(QObject):
    """Names for ids, from the realm's directory (batched, cached per profile) or the user's own labels."""

    changed = Signal(list)  # ids whose name (or local label) is new
    search_results = Signal(str, list)  # the search text, list[Person] best first
    refused_changed = Signal(bool)  # the directory of this profile was refused (True) or is back

    def __init__(
        self,
        auth: AuthController,
        ops: Operations,
        settings: Settings,
        *,
        ttl: float = CACHE_TTL,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._auth = auth
        self._ops = ops
        self._settings = settings
        self._ttl = ttl
        self._clock = clock
        self._caches: dict[str, _Cache] = {}
        self._pending: dict[str, None] = {}  # ids to look up in the next batch, in order
        self._inflight: set[str] = set()
        self._batches = 0
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)  # after the current paint: all its ids go in one batch
        self._flush_timer.timeout.connect(self._flush)
        auth.signed_in.connect(self._on_auth_signed_in)
        auth.signed_out.connect(self._on_auth_signed_out)

    # ------------------------------------------------------------------ answers (never block)
    @property
    def profile_key(self) -> str:
        """The profile whose cache and labels are in use ("" before any sign-in)."""
        profile = self._auth.profile
        return profile.name if profile is not None else ""

    @property
    def refused(self) -> bool:
        """True when this profile's realm refused the directory: ids stay ids, with local labels."""
        return self._cache().refused

    def person(self, person_id: str) -> Person | None:
        """What is known about an id (None until looked up, or when the directory does not know it)."""
        entry = self._cache().entries.get(person_id)
        return entry[0] if entry is not None else None

    def name(self, person_id: str) -> str | None:
        """The directory name or the local label of an id, or None; queues a lookup when unseen."""
        self.want([person_id])
        person = self.person(person_id)
        if person is not None and person.name:
            return person.name
        return self.local_label(person_id)

    def label(self, person_id: str) -> str:
        """What a cell shows for an id right now: its name, its local label, else its short id."""
        return self.name(person_id) or short_id(person_id)

    def subtitle(self, person_id: str) -> str:
        """What follows a name in a list: a user's job title, a group's member count, else ""."""
        person = self.person(person_id)
        if person is None:
            return ""
        if person.is_group:
            count = len(person.members)
            return f"{count} member{'s' if count != 1 else ''}"
        return person.job_title

    def is_unknown(self, person_id: str) -> bool:
        """True once the directory answered that it has no such user or group."""
        entry = self._cache().entries.get(person_id)
        return entry is not None and entry[0] is None

    # ------------------------------------------------------------------ local labels
    def local_label(self, person_id: str) -> str | None:
        """The user's own label for an id in this profile, if they set one."""
        return self._settings.people_labels.get(self.profile_key, {}).get(person_id) or None

    def set_local_label(self, person_id: str, label: str) -> None:
        """Name a person locally (kept per profile in the settings); an empty label removes it."""
        labels = self._settings.people_labels.setdefault(self.profile_key, {})
        text = " ".join(label.split())
        if text:
            labels[person_id] = text
        else:
            labels.pop(person_id, None)
        if not labels:
            self._settings.people_labels.pop(self.profile_key, None)
        self.changed.emit([person_id])

    # ------------------------------------------------------------------ lookups
    def want(self, ids: Iterable[str]) -> None:
        """Queue ids for the next batch unless they are known and fresh, in flight, or refused."""
        cache = self._cache()
        if cache.refused or self._auth.client is None:
            return
        now = self._clock()
        queued = False
        for pid in ids:
            if not pid or pid in self._pending or pid in self._inflight:
                continue
            entry = cache.entries.get(pid)
            if entry is not None and now - entry[1] < self._ttl:
                continue
            failed = cache.failed.get(pid)
            if failed is not None and now - failed < RETRY_AFTER:
                continue
            self._pending[pid] = None
            queued = True
        if queued and not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        ids = list(self._pending)
        self._pending.clear()
        for start in range(0, len(ids), IDS_PER_REQUEST):
            self._look_up_batch(self.profile_key, ids[start : start + IDS_PER_REQUEST])

    def _look_up_batch(self, profile: str, batch: list[str]) -> None:
        self._inflight.update(batch)
        self._batches += 1
        self._ops.read(
            f"people.lookup.{self._batches}",  # one key per batch: a batch never pre-empts another
            lambda c: _look_up(c, batch),
            doing=LOOKING_UP,
            scope="people",
            quiet=True,
            success=lambda found: self._on_found(profile, batch, found),
            failure=lambda problem: self._on_lookup_failed(profile, batch, problem),
        )

    def _on_found(self, profile: str, batch: Sequence[str], found: list[Person]) -> None:
        self._inflight.difference_update(batch)
        cache = self._cache(profile)
        now = self._clock()
        by_id = {p.id: p for p in found}
        for pid in batch:
            cache.entries[pid] = (by_id.get(pid), now)
            cache.failed.pop(pid, None)
        self._set_refused(cache, False)
        named = [pid for pid in batch if pid in by_id]
        if named and profile == self.profile_key:
            self.changed.emit(named)

    def _on_lookup_failed(self, profile: str, batch: Sequence[str], problem: Problem) -> None:
        self._inflight.difference_update(batch)
        cache = self._cache(profile)
        if problem.kind in REFUSED_KINDS:
            self._set_refused(cache, True)
            return
        now = self._clock()
        for pid in batch:
            cache.failed[pid] = now

    # ------------------------------------------------------------------ search (the people picker)
    def search(self, text: str) -> None:
        """Find users and groups by name, user name or job title; answers with ``search_results``."""
        text = " ".join(text.split())
        if not text or self.refused or self._auth.client is None:
            self._ops.cancel("people.search")
            self.search_results.emit(text, self._local_matches(text) if text else [])
            return
        profile = self.profile_key
        self._ops.read(
            "people.search",
            lambda c: _search(c, text),
            doing=SEARCHING,
            scope="people",
            quiet=True,
            success=lambda found: self._on_search_found(profile, text, found),
            failure=lambda problem: self._on_search_failed(profile, text, problem),
        )

    def _on_search_found(self, profile: str, text: str, found: list[Person]) -> None:
        cache = self._cache(profile)
        now = self._clock()
        for person in found:
            cache.entries[person.id] = (person, now)
        self._set_refused(cache, False)
        seen = {p.id for p in found}
        extra = [p for p in self._local_matches(text) if p.id not in seen]
        self.search_results.emit(text, [*found, *extra])

    def _on_search_failed(self, profile: str, text: str, problem: Problem) -> None:
        if problem.kind in REFUSED_KINDS:
            self._set_refused(self._cache(profile), True)
        self.search_results.emit(text, self._local_matches(text))

    def _local_matches(self, text: str) -> list[Person]:
        """Known people and locally labelled ids matching ``text``, by name."""
        found = {p.id: p for p, _ in self._cache().entries.values() if p is not None and p.matches(text)}
        needle = text.casefold()
        for pid, label in self._settings.people_labels.get(self.profile_key, {}).items():
            if pid not in found and (needle in label.casefold() or needle in pid.casefold()):
                found[pid] = self.person(pid) or Person(pid, name=label, known=False)
        return sorted(found.values(), key=lambda p: (p.is_group, p.name.casefold()))

    # ------------------------------------------------------------------ state
    def _cache(self, profile: str | None = None) -> _Cache:
        key = self.profile_key if profile is None else profile
        return self._caches.setdefault(key, _Cache())

    def _set_refused(self, cache: _Cache, refused: bool) -> None:
        if cache.refused != refused:
            cache.refused = refused
            if cache is self._cache():
                self.refused_changed.emit(refused)

    def _on_auth_signed_in(self, *_args: object) -> None:
        # A new sign-in may be to a realm that serves the directory now: ask again, keep the cache.
        cache = self._cache()
        cache.failed.clear()
        self._set_refused(cache, False)

    def _on_auth_signed_out(self) -> None:
        self._pending.clear()
        self._inflight.clear()
        self._flush_timer.stop()


async def _look_up(client: SkylightClient, ids: list[str]) -> list[Person]:
    """Users among ``ids``, then groups among the rest: at most two requests for up to 100 ids."""
    users = [Person.of_user(u) for u in await client.get_users(ids=ids)]
    rest = [pid for pid in ids if pid not in {u.id for u in users}]
    groups = [Person.of_group(g) for g in await client.get_groups(ids=rest)] if rest else []
    return users + groups


async def _search(client: SkylightClient, text: str) -> list[Person]:
    users = [Person.of_user(u) for u in await client.get_users(search=text, limit=SEARCH_LIMIT)]
    groups = [Person.of_group(g) for g in await client.get_groups(search=text, limit=SEARCH_LIMIT)]
    return users + groups
