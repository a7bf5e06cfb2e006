"""How exported sessions are written: CSV (RFC 4180) and JSON, row by row, into an open text file.

Nothing is kept after a row is written, so memory stays flat however many sessions are exported. Values are
exact rather than as the table shows them: times are ISO 8601 in UTC, participants are ids.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from operator import attrgetter
from typing import IO, TYPE_CHECKING, Any

from skydesk.models.session_columns import FIXED_HEADERS, property_cell

if TYPE_CHECKING:
    from skydesk.api import Media, Session

CSV, JSON = "csv", "json"
ID_HEADER = "Id"


@dataclass(frozen=True)
class ExportSpec:
    """What the list shows: which columns (fixed titles and property keys) in which order."""

    columns: tuple[str, ...]  # fixed column titles (FIXED_HEADERS) and property keys, as displayed
    fmt: str = CSV
    bom: bool = False  # UTF-8 with a byte-order mark, for spreadsheets that guess the encoding otherwise

    @property
    def encoding(self) -> str:
        """The file encoding."""
        return "utf-8-sig" if self.bom and self.fmt == CSV else "utf-8"


def iso(value: datetime) -> str:
    """A timestamp as ISO 8601 in UTC, to the millisecond (``2026-12-01T09:41:00.000Z``)."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _fixed_value(session: Session, title: str) -> Any:
    if title == "Name":
        return session.name
    if title == "Status":
        return session.status
    if title == "Participants":
        return [p.to_json() for p in session.participants]
    if title == "Created":
        return iso(session.created_at)
    return iso(session.modified_at)


def _csv_cell(column: str) -> Callable[[Session], Any]:
    """How a CSV cell of ``column`` is made from a session (participants as ids, times ISO 8601)."""
    if column == "Name":
        return attrgetter("name")
    if column == "Status":
        return attrgetter("status")
    if column == "Participants":
        return lambda session: "; ".join(p.id for p in session.participants)
    if column == "Created":
        return lambda session: iso(session.created_at)
    if column == "Modified":
        return lambda session: iso(session.modified_at)
    return lambda session: property_cell(session.properties.get(column))


class SessionWriter:
    """Writes a header, one session at a time, and a footer, in CSV or JSON."""

    def __init__(self, out: IO[str], spec: ExportSpec, about: dict[str, Any]) -> None:
        self._out = out
        self._spec = spec
        self._about = about  # application, filters, sort: written at the top of a JSON export
        self._count = 0
        # lineterminator: RFC 4180 ends every record with CRLF; the writer quotes only where needed.
        self._csv = csv.writer(out, lineterminator="\r\n") if spec.fmt == CSV else None
        self._cells = [_csv_cell(column) for column in spec.columns]  # chosen once, not per row

    def header(self) -> None:
        """The CSV title row, or the opening of the JSON document."""
        if self._csv is not None:
            self._csv.writerow([ID_HEADER, *self._spec.columns])
            return
        head = json.dumps({**self._about, "columns": list(self._spec.columns)}, ensure_ascii=False, indent=1)
        self._out.write(head[: head.rindex("}")].rstrip() + ',\n "sessions": [')

    def write(self, sessions: Sequence[Session]) -> None:
        """Append sessions."""
        if self._csv is not None:
            cells = self._cells
            self._csv.writerows([s.session_id, *[cell(s) for cell in cells]] for s in sessions)
            self._count += len(sessions)
            return
        for session in sessions:
            self._out.write(",\n  " if self._count else "\n  ")
            self._out.write(json.dumps(self._json_row(session), ensure_ascii=False))
            self._count += 1

    def footer(self) -> None:
        """Close the JSON document (CSV has no footer)."""
        if self._csv is None:
            self._out.write(f'\n ],\n "count": {self._count}\n}}\n')

    def _json_row(self, session: Session) -> dict[str, Any]:
        row: dict[str, Any] = {"id": session.session_id}
        properties: dict[str, Any] = {}
        for column in self._spec.columns:
            if column in FIXED_HEADERS:
                row[column] = _fixed_value(session, column)
            elif column in session.properties:
                properties[column] = session.properties[column]
        if any(c not in FIXED_HEADERS for c in self._spec.columns):
            row["properties"] = properties
        return row


def session_document(
    session: Session, data: dict[str, Any], participants: Sequence[Any], media: Sequence[Media]
) -> dict[str, Any]:
    """One session with its data, participants and media metadata, as written by "Export session"."""
    return {
        "sessionId": session.session_id,
        "applicationId": session.application_id,
        "name": session.name,
        "description": session.description,
        "status": session.status,
        "version": session.version,
        "isDraft": session.is_draft,
        "properties": dict(session.properties),
        "createdBy": session.created_by,
        "createdAt": iso(session.created_at),
        "modifiedBy": session.modified_by,
        "modifiedAt": iso(session.modified_at),
        "participants": [p.to_json() for p in participants],
        "data": data,
        "media": [_media_json(m) for m in media],
    }


def _media_json(media: Media) -> dict[str, Any]:
    raw = asdict(media)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        camel = key.split("_")[0] + "".join(part.capitalize() for part in key.split("_")[1:])
        out[camel] = iso(value) if isinstance(value, datetime) else value
    out["labels"] = list(media.labels)
    out["annotations"] = [{"annotationId": a.annotation_id, "path": a.path} for a in media.annotations]
    return out
