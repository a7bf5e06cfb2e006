"""Session media: metadata (list, create, read, patch incl. archive, delete) and content upload/download."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from . import service_base as perm
from .auth import TokenIssuer
from .errors import BadRequest, Conflict, FieldProblem, Forbidden, NotFound
from .filters import MEDIA_SORTS, media_list_query
from .paging import page_request, paginate
from .service_base import Actor
from .service_sessions import SessionOps
from .store import Store, insert_sql, media_json, now_iso, prop_text, store_blocks
from .validation import media_create_body, media_patch_body

_CONTENT_RANGE = re.compile(r"bytes (\d{1,12})-(\d{1,12})/(\d{1,12}|\*)", re.ASCII)  # ASCII digits only


class MediaOps(SessionOps):
    """Media of the sessions an actor can see; writing needs ``media:write`` and an open session."""

    def __init__(self, store: Store, issuer: TokenIssuer, realm: str) -> None:
        super().__init__(store, issuer, realm)
        #: media id -> how many downloads of its content began (tests see what the server was asked)
        self.content_downloads: Counter[str] = Counter()

    def _media_session(
        self, conn: sqlite3.Connection, actor: Actor, application_id: str, session_id: str, *, write: bool
    ) -> sqlite3.Row:
        row, perms = self._session_row(conn, actor, application_id, session_id)
        needed = perm.MEDIA_WRITE if write else perm.MEDIA_READ
        if needed not in perms:
            raise Forbidden(f"You do not have {needed} in this application")
        if write and row["status"] == "closed":
            raise Conflict(f"Session {session_id} is closed")
        return row

    @staticmethod
    def _media_row(conn: sqlite3.Connection, session: sqlite3.Row, media_id: str) -> sqlite3.Row:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM media WHERE id = ? AND session_seq = ?", (media_id, session["seq"])
        ).fetchone()
        if row is None:
            raise NotFound(f"Media {media_id} not found in session {session['id']}")
        return row

    def list_media(
        self, actor: Actor, application_id: str, session_id: str, params: Mapping[str, str]
    ) -> dict[str, Any]:
        """One page of the session's media metadata, filtered as the query asks."""
        request = page_request(params, MEDIA_SORTS)
        with self.store.read() as conn:
            session = self._media_session(conn, actor, application_id, session_id, write=False)
            rows, page = paginate(conn, media_list_query(session["seq"], params), request)
        return {"data": [media_json(r) for r in rows], "page": page}

    def get_media(self, actor: Actor, application_id: str, session_id: str, media_id: str) -> dict[str, Any]:
        """One media item's metadata."""
        with self.store.read() as conn:
            session = self._media_session(conn, actor, application_id, session_id, write=False)
            return media_json(self._media_row(conn, session, media_id))

    def create_media(self, actor: Actor, application_id: str, session_id: str, body: Any) -> dict[str, Any]:
        """Create metadata for media whose bytes are uploaded afterwards (uploadedBytes starts at 0)."""
        with self.store.tx() as conn:
            session = self._media_session(conn, actor, application_id, session_id, write=True)
            fields = media_create_body(body)
            now = now_iso()
            row = {
                "id": str(uuid.uuid4()),
                "session_seq": session["seq"],
                "application_id": application_id,
                "session_id": session_id,
                "filename": fields["filename"],
                "filename_key": fields["filename"].casefold(),
                "title": fields["title"],
                "description": fields["description"],
                "content_type": fields["content_type"],
                "labels": json.dumps(fields["labels"]),
                "properties": json.dumps(fields["properties"]),
                "total_bytes": fields["total_bytes"],
                "uploaded_bytes": 0,
                "etag": "",
                "archived": 0,
                "created_by": actor.user_id,
                "created_at": now,
                "modified_by": actor.user_id,
                "modified_at": now,
            }
            seq = int(conn.execute(insert_sql("media", row), row).lastrowid or 0)
            _index_media(conn, seq, fields["labels"], fields["properties"])
            return media_json(conn.execute("SELECT * FROM media WHERE seq = ?", (seq,)).fetchone())

    def patch_media(
        self, actor: Actor, application_id: str, session_id: str, media_id: str, body: Any
    ) -> dict[str, Any]:
        """Change metadata fields, including ``archived``; labels and properties are replaced whole."""
        with self.store.tx() as conn:
            session = self._media_session(conn, actor, application_id, session_id, write=True)
            media = self._media_row(conn, session, media_id)
            patch = media_patch_body(body)
            sets: dict[str, Any] = {"modified_by": actor.user_id, "modified_at": now_iso()}
            for column in ("filename", "title", "description"):
                if column in patch:
                    sets[column] = patch[column]
            if "filename" in patch:
                sets["filename_key"] = patch["filename"].casefold()
            if "archived" in patch:
                sets["archived"] = int(patch["archived"])
            if "labels" in patch:
                sets["labels"] = json.dumps(patch["labels"])
            if "properties" in patch:
                sets["properties"] = json.dumps(patch["properties"])
            if "labels" in patch or "properties" in patch:
                labels = patch.get("labels", json.loads(media["labels"]))
                props = patch.get("properties", json.loads(media["properties"]))
                conn.execute("DELETE FROM media_labels WHERE media_seq = ?", (media["seq"],))
                conn.execute("DELETE FROM media_properties WHERE media_seq = ?", (media["seq"],))
                _index_media(conn, media["seq"], labels, props)
            assignments = ", ".join(f"{c} = ?" for c in sets)
            conn.execute(f"UPDATE media SET {assignments} WHERE seq = ?", [*sets.values(), media["seq"]])  # noqa: S608
            return media_json(conn.execute("SELECT * FROM media WHERE seq = ?", (media["seq"],)).fetchone())

    def delete_media(self, actor: Actor, application_id: str, session_id: str, media_id: str) -> None:
        """Delete a media item with its content."""
        with self.store.tx() as conn:
            session = self._media_session(conn, actor, application_id, session_id, write=True)
            seq = self._media_row(conn, session, media_id)["seq"]
            for table, column in (
                ("media", "seq"),
                ("media_labels", "media_seq"),
                ("media_properties", "media_seq"),
                ("media_blocks", "media_seq"),
            ):
                conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (seq,))  # noqa: S608

    def upload_content(
        self,
        actor: Actor,
        application_id: str,
        session_id: str,
        media_id: str,
        content: bytes,
        content_range: str | None = None,
    ) -> dict[str, Any]:
        """Store bytes: the whole content, or with ``Content-Range`` one chunk; returns the metadata."""
        with self.store.tx() as conn:
            session = self._media_session(conn, actor, application_id, session_id, write=True)
            media = self._media_row(conn, session, media_id)
            total = media["total_bytes"]
            start = 0
            if content_range:
                start = _chunk_start(content_range, len(content), total)
                if start not in (0, media["uploaded_bytes"]) and start != _last_chunk_start(conn, media):
                    raise Conflict(
                        f"Upload must continue at byte {media['uploaded_bytes']} (or restart at 0), "
                        f"not at {start}"
                    )
            if start + len(content) > total:
                raise BadRequest.invalid(
                    [
                        FieldProblem(
                            "content",
                            f"ends at {start + len(content)} bytes but the media's totalBytes is {total}",
                        )
                    ]
                )
            store_blocks(conn, media["seq"], start, content)
            conn.execute(
                "UPDATE media SET uploaded_bytes = ?, etag = ?, modified_by = ?, modified_at = ? "
                "WHERE seq = ?",
                # The ETag is opaque: a new one for every upload, without hashing up to 2 GiB.
                (start + len(content), uuid.uuid4().hex, actor.user_id, now_iso(), media["seq"]),
            )
            return media_json(conn.execute("SELECT * FROM media WHERE seq = ?", (media["seq"],)).fetchone())

    def download_content(
        self, actor: Actor, application_id: str, session_id: str, media_id: str
    ) -> tuple[Iterator[bytes], dict[str, Any]]:
        """The complete content (read block by block) and metadata; 409 while the upload is incomplete."""
        with self.store.read() as conn:
            session = self._media_session(conn, actor, application_id, session_id, write=False)
            media = self._media_row(conn, session, media_id)
            if media["uploaded_bytes"] < media["total_bytes"]:
                raise Conflict(
                    f"Media {media_id} is not fully uploaded ({media['uploaded_bytes']} of "
                    f"{media['total_bytes']} bytes)"
                )
        self.content_downloads[media_id] += 1
        return self._blocks(media["seq"], media["etag"], media["total_bytes"]), media_json(media)

    def _blocks(self, seq: int, etag: str, total: int) -> Iterator[bytes]:
        """The content one block at a time; stops short if the content changes meanwhile."""
        offset = 0
        while offset < total:
            with self.store.read() as conn:
                row = conn.execute(
                    "SELECT b.data FROM media_blocks b JOIN media m ON m.seq = b.media_seq "
                    "WHERE b.media_seq = ? AND b.offset = ? AND m.etag = ?",
                    (seq, offset, etag),
                ).fetchone()
            if row is None:
                return  # replaced or deleted mid-download: the client sees a short body, not a mix
            data = bytes(row["data"])[: total - offset]
            offset += len(data)
            yield data


def _last_chunk_start(conn: sqlite3.Connection, media: sqlite3.Row) -> int | None:
    row = conn.execute(
        "SELECT chunk_start FROM media_blocks WHERE media_seq = ? ORDER BY offset DESC LIMIT 1",
        (media["seq"],),
    ).fetchone()
    return None if row is None else int(row["chunk_start"])


def _chunk_start(header: str, length: int, total: int) -> int:
    """Where a ``Content-Range: bytes a-b/n`` chunk goes (checked against the body and totalBytes)."""
    match = _CONTENT_RANGE.fullmatch(header.strip())
    if match is None:
        raise BadRequest.invalid([FieldProblem("Content-Range", "must look like 'bytes 0-1023/4096'")])
    start, end, size = int(match[1]), int(match[2]), match[3]
    if end < start or end - start + 1 != length:
        raise BadRequest.invalid([FieldProblem("Content-Range", f"does not match the body length {length}")])
    if size != "*" and int(size) != total:
        raise BadRequest.invalid([FieldProblem("Content-Range", f"total must equal totalBytes ({total})")])
    return start


def _index_media(conn: sqlite3.Connection, seq: int, labels: list[str], props: dict[str, Any]) -> None:
    conn.executemany(
        "INSERT INTO media_labels (media_seq, label) VALUES (?, ?)", [(seq, lb) for lb in labels]
    )
    conn.executemany(
        "INSERT INTO media_properties (media_seq, key, value) VALUES (?, ?, ?)",
        [(seq, k, prop_text(v)) for k, v in props.items()],
    )
