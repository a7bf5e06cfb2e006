"""The session table's columns: their order, titles, which sort on the server, and the text of each cell."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skydesk.api import Session

COL_NAME, COL_STATUS, COL_PARTICIPANTS, COL_CREATED, COL_MODIFIED = range(5)
FIXED_HEADERS = ("Name", "Status", "Participants", "Created", "Modified")
DEFAULT_PROPERTY_COLUMNS = ("site", "orderId", "assetId", "priority")
SORTABLE_COLUMNS = {COL_NAME: "name", COL_CREATED: "createdAt", COL_MODIFIED: "modifiedAt"}


def format_time(value: datetime) -> str:
    """A timestamp in the user's local time zone, to the minute (as ``astimezone().strftime(...)``)."""
    # Two cells of every painted row: astimezone() builds a named time-zone object and strftime parses its
    # format each time, ~6 us together here; the local time's fields take half that (first page paint, B2).
    try:
        local = time.localtime(value.timestamp())
    except (OverflowError, OSError, ValueError):  # outside what the C library converts
        return value.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"{local.tm_year}-{local.tm_mon:02d}-{local.tm_mday:02d} {local.tm_hour:02d}:{local.tm_min:02d}"


def property_cell(value: Any) -> str:
    """A property value as the table shows it (missing = blank)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def cell_text(
    session: Session, column: int, property_columns: Sequence[str], participant_label: Callable[[str], str]
) -> str:
    """What the cell of `session` in `column` shows."""
    if column == COL_NAME:
        return session.name or "(unnamed)"
    if column == COL_STATUS:
        return session.status.capitalize()
    if column == COL_PARTICIPANTS:
        return ", ".join(participant_label(p.id) for p in session.participants)
    if column == COL_CREATED:
        return format_time(session.created_at)
    if column == COL_MODIFIED:
        return format_time(session.modified_at)
    prop = column - len(FIXED_HEADERS)
    if 0 <= prop < len(property_columns):
        return property_cell(session.properties.get(property_columns[prop]))
    return ""
