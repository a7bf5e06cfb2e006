"""Optimistic concurrency without server support: what an edit started from, and who changed it since.

The detail pane keeps one :class:`EditBaseline`. Each time the session arrives again (a live event, a
reload, the answer to a save) it is compared with what the user typed: fields the user did not touch
follow the server silently; a field the user is editing that someone else changed becomes a
:class:`FieldConflict` ("Use theirs" / "Keep mine"), and Save waits until the user has chosen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skydesk.api import Session

EDIT_FIELDS = ("name", "description", "properties")


def property_text(value: Any) -> str:
    """How a property value is shown and edited (the API documents them as strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def field_value(session: Session, field: str) -> Any:
    """The value of an editable field as the editors hold it (properties as a dict of strings)."""
    if field == "properties":
        return {str(k): property_text(v) for k, v in session.properties.items()}
    return getattr(session, field)


def changed_fields(before: Session, after: Session, fields: tuple[str, ...] = EDIT_FIELDS) -> set[str]:
    """The editable fields whose value differs between two states of a session."""
    return {f for f in fields if field_value(before, f) != field_value(after, f)}


@dataclass(frozen=True)
class FieldConflict:
    """Someone else changed ``field`` to ``theirs`` while the user was editing it."""

    field: str
    theirs: Any
    by: str  # user id of who changed it (the session's modifiedBy)


class EditBaseline:
    """The values (and the session state) the user's edit started from, field by field."""

    def __init__(self) -> None:
        self.session: Session | None = None  # the state the baseline values come from
        self.values: dict[str, Any] = {"name": "", "description": "", "properties": {}}
        self.conflicts: dict[str, FieldConflict] = {}

    def start(self, session: Session | None) -> None:
        """A session was opened: everything starts from its values."""
        self.session = session
        self.conflicts = {}
        if session is not None:
            self.values = {f: field_value(session, f) for f in EDIT_FIELDS}

    def dirty(self, current: dict[str, Any]) -> set[str]:
        """The fields whose typed value differs from where the edit started."""
        return {f for f in EDIT_FIELDS if current[f] != self.values[f]}

    def update(self, session: Session, current: dict[str, Any]) -> list[FieldConflict]:
        """The same session arrived again; returns the new conflicts (fields the user typed in stay)."""
        new: list[FieldConflict] = []
        for f in EDIT_FIELDS:
            theirs = field_value(session, f)
            if current[f] == self.values[f] or current[f] == theirs:
                self.values[f] = theirs  # untouched, or the server now holds what the user typed
                self.conflicts.pop(f, None)
            elif theirs != self.values[f]:
                known = self.conflicts.get(f)
                if known is None or known.theirs != theirs:
                    self.conflicts[f] = FieldConflict(f, theirs, session.modified_by)
                    new.append(self.conflicts[f])
        self.session = session
        return new

    def use_theirs(self, field: str) -> Any:
        """Resolve a conflict by taking the other user's value; returns it (for the editor)."""
        conflict = self.conflicts.pop(field)
        self.values[field] = conflict.theirs
        return conflict.theirs

    def keep_mine(self, field: str) -> None:
        """Resolve a conflict by keeping the typed value: Save will replace theirs, knowingly."""
        conflict = self.conflicts.pop(field)
        self.values[field] = conflict.theirs
