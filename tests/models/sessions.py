"""Session objects for model tests (the real SDK dataclasses, built like the server would)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from skydesk.api.models import Participant, Session

BASE = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def make_session(n: int, **overrides: Any) -> Session:
    """Session number `n`: created n minutes after BASE, open, two participants, a few properties."""
    created = BASE + timedelta(minutes=n)
    fields: dict[str, Any] = {
        "session_id": f"s{n:05d}",
        "application_id": "app-1",
        "version": 3,
        "name": f"Inspection {n:05d}",
        "description": "",
        "participants": (Participant("u-tech"), Participant("field-team", "group")),
        "status": "open",
        "properties": {"site": "North" if n % 2 else "South", "priority": str(n % 3)},
        "created_by": "u-tech",
        "created_at": created,
        "modified_by": "u-tech",
        "modified_at": created,
        "is_draft": False,
    }
    fields.update(overrides)
    return Session(**fields)


def changed(session: Session, minutes: int = 60, **overrides: Any) -> Session:
    """`session` as modified `minutes` later."""
    return replace(session, modified_at=session.modified_at + timedelta(minutes=minutes), **overrides)
