"""SQLite storage of the sandbox: schema, connection, transactions and row-to-JSON conversion.

One connection is shared by uvicorn's threads and the activity simulator, so every use goes through
``Store.tx()`` or ``Store.read()``, which hold one re-entrant lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .ordered_pages import OrderCache

# 2: case-folded sort keys (sessions.name_folded indexed, media.filename_key)
# 3: media content in blocks (media_blocks, for chunked uploads up to 2 GiB), media.annotations
SCHEMA_VERSION = "3"

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS groups (
    id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS group_members (
    group_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (group_id, user_id)
);

CREATE TABLE IF NOT EXISTS applications (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    draft_version INTEGER NOT NULL,
    published_version INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS roles (
    application_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    permissions TEXT NOT NULL,          -- JSON array
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    modified_by TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    PRIMARY KEY (application_id, name)
);
CREATE TABLE IF NOT EXISTS role_members (
    application_id TEXT NOT NULL,
    role_name TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    participant_type TEXT NOT NULL,
    PRIMARY KEY (application_id, role_name, participant_id)
);

CREATE TABLE IF NOT EXISTS sessions (
    seq INTEGER PRIMARY KEY,            -- creation order, and the tiebreaker of every sort
    id TEXT NOT NULL UNIQUE,
    application_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,          -- casefold(name): the name filter and the name sort key
    description TEXT NOT NULL,
    status TEXT NOT NULL,
    is_draft INTEGER NOT NULL,
    properties TEXT NOT NULL,           -- JSON object, as the client sent it
    participants TEXT NOT NULL,         -- JSON array, in order
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    modified_by TEXT NOT NULL,
    modified_at TEXT NOT NULL
);

-- Lookup tables that make filters index searches instead of JSON scans.
CREATE TABLE IF NOT EXISTS session_participants (
    session_seq INTEGER NOT NULL, participant_id TEXT NOT NULL, type TEXT NOT NULL,
    PRIMARY KEY (session_seq, participant_id)
);
CREATE TABLE IF NOT EXISTS session_properties (
    session_seq INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (session_seq, key)
);
CREATE TABLE IF NOT EXISTS session_data (session_seq INTEGER PRIMARY KEY, data TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    session_seq INTEGER NOT NULL,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    device_id TEXT,
    created_at TEXT NOT NULL,
    payload TEXT NOT NULL               -- the exact JSON published over MQTT
);

CREATE TABLE IF NOT EXISTS media (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    session_seq INTEGER NOT NULL,
    application_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    filename_key TEXT NOT NULL,         -- casefold(filename): the filename sort key
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    content_type TEXT NOT NULL,
    labels TEXT NOT NULL,               -- JSON array
    properties TEXT NOT NULL,           -- JSON object
    total_bytes INTEGER NOT NULL,
    uploaded_bytes INTEGER NOT NULL,
    etag TEXT NOT NULL,
    archived INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    modified_by TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    annotations TEXT NOT NULL DEFAULT '[]'  -- JSON array of {annotationId, path (SVG text)}
);
CREATE TABLE IF NOT EXISTS media_labels (
    media_seq INTEGER NOT NULL, label TEXT NOT NULL, PRIMARY KEY (media_seq, label)
);
CREATE TABLE IF NOT EXISTS media_properties (
    media_seq INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (media_seq, key)
);
-- Content in blocks of at most BLOCK_BYTES, so no request ever reads or writes one huge value.
-- chunk_start: where the upload request that wrote the block began (a resent last chunk replaces it).
CREATE TABLE IF NOT EXISTS media_blocks (
    media_seq INTEGER NOT NULL, offset INTEGER NOT NULL, chunk_start INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (media_seq, offset)
);
"""

# Created after the migrations (see Store._migrate): some index columns are missing from older databases.
_INDEXES = """
CREATE INDEX IF NOT EXISTS ix_group_members_user ON group_members (user_id, group_id);
CREATE INDEX IF NOT EXISTS ix_role_members_participant ON role_members (participant_id, application_id);
CREATE INDEX IF NOT EXISTS ix_sessions_app_seq ON sessions (application_id, seq);
CREATE INDEX IF NOT EXISTS ix_sessions_app_created ON sessions (application_id, created_at, seq);
CREATE INDEX IF NOT EXISTS ix_sessions_app_name_key ON sessions (application_id, name_folded, seq);
CREATE INDEX IF NOT EXISTS ix_sessions_app_modified ON sessions (application_id, modified_at, seq);
CREATE INDEX IF NOT EXISTS ix_session_participants_id ON session_participants (participant_id, session_seq);
CREATE INDEX IF NOT EXISTS ix_session_properties_kv ON session_properties (key, value, session_seq);
CREATE INDEX IF NOT EXISTS ix_events_session ON events (session_seq, seq);
CREATE INDEX IF NOT EXISTS ix_media_session ON media (session_seq, seq);
CREATE INDEX IF NOT EXISTS ix_media_session_filename ON media (session_seq, filename_key, seq);
"""

# Case-folded key columns added after the first release: (table, key column, source column).
# A state directory from before gets the column and its values when it is opened.
_FOLDED_KEYS = (("sessions", "name_folded", "name"), ("media", "filename_key", "filename"))
# Directory columns added later: (table, column). Older databases get them empty; being purely
# additive with defaults, they need no schema version of their own.
_DIRECTORY_COLUMNS = (
    ("users", "first_name"),
    ("users", "last_name"),
    ("users", "job_title"),
    ("groups", "description"),
)
# Indexes of earlier schemas that the current one replaces.
_OBSOLETE_INDEXES = ("ix_sessions_app_name",)  # sorted by the raw, case-sensitive name


# Indexes that a bulk seed drops and rebuilds after loading (see seed.py).
BULK_INDEXES = (
    "ix_sessions_app_seq",
    "ix_sessions_app_created",
    "ix_sessions_app_name_key",
    "ix_sessions_app_modified",
    "ix_session_participants_id",
    "ix_session_properties_kv",
)


def index_statements(names: tuple[str, ...]) -> list[str]:
    """The CREATE INDEX statements of the named indexes, taken from the schema."""
    return [
        line.strip().rstrip(";")
        for line in _INDEXES.splitlines()
        if line.startswith("CREATE INDEX") and line.split()[5] in names
    ]


def casefold(text: Any) -> Any:
    """The sort key of a name: ``str.casefold()`` (so "alpha" < "Beta"); non-strings pass through."""
    return text.casefold() if isinstance(text, str) else text


def now_iso() -> str:
    """The current UTC time in the API's fixed-width form (sorts as text)."""
    return iso(datetime.now(UTC))


def iso(moment: datetime) -> str:
    """``moment`` as ``YYYY-MM-DDTHH:MM:SS.mmmZ`` in UTC; fixed width, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def insert_sql(table: str, row: dict[str, Any]) -> str:
    """An INSERT with named placeholders for ``row``'s keys (column names come from our code, never input)."""
    cols = ", ".join(row)
    marks = ", ".join(f":{c}" for c in row)
    return f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608


def prop_text(value: Any) -> str:
    """How a property value is indexed for `prop.*` filters: strings as-is, others as JSON text."""
    return value if isinstance(value, str) else json.dumps(value)


BLOCK_BYTES = 1024 * 1024


def _migrate_media_content(conn: sqlite3.Connection) -> None:
    """Schema 2 kept each item's content as one BLOB in media_content: split it into blocks."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'media_content'").fetchone() is None:
        return
    for row in conn.execute("SELECT media_seq, content FROM media_content").fetchall():
        store_blocks(conn, row["media_seq"], 0, bytes(row["content"]))
    conn.execute("DROP TABLE media_content")


def store_blocks(conn: sqlite3.Connection, media_seq: int, start: int, content: bytes) -> None:
    """Write ``content`` at byte ``start`` in blocks, replacing every block from ``start`` on."""
    conn.execute("DELETE FROM media_blocks WHERE media_seq = ? AND offset >= ?", (media_seq, start))
    view = memoryview(content)
    conn.executemany(
        "INSERT INTO media_blocks (media_seq, offset, chunk_start, data) VALUES (?, ?, ?, ?)",
        # A generator: one block copied at a time, not a second copy of the whole chunk.
        (
            (media_seq, start + i, start, bytes(view[i : i + BLOCK_BYTES]))
            for i in range(0, len(view), BLOCK_BYTES)
        ),
    )


class Store:
    """The sandbox's SQLite database (WAL); a single connection guarded by a lock."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction spans exactly tx().
        self._conn = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=OFF")
        # SQL's lower() only folds ASCII; casefold() lets queries sort and backfill exactly like Python.
        self._conn.create_function("casefold", 1, casefold, deterministic=True)
        self._conn.executescript(_TABLES)
        self._migrate()
        self._conn.executescript(_INDEXES)
        self.orders = OrderCache()  # sort orders of filtered lists, until the next write

    def _migrate(self) -> None:
        """Bring a database made by an older sandbox up to the current schema (idempotent)."""
        with self.tx() as conn:
            for table, column, source in _FOLDED_KEYS:
                present = {r["name"] for r in conn.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
                    conn.execute(f"UPDATE {table} SET {column} = casefold({source})")  # noqa: S608
            for table, column in _DIRECTORY_COLUMNS:
                present = {r["name"] for r in conn.execute(f"PRAGMA table_info({table})")}
                if column not in present:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
            present = {r["name"] for r in conn.execute("PRAGMA table_info(media)")}
            if "annotations" not in present:
                conn.execute("ALTER TABLE media ADD COLUMN annotations TEXT NOT NULL DEFAULT '[]'")
            _migrate_media_content(conn)
            for name in _OBSOLETE_INDEXES:
                conn.execute(f"DROP INDEX IF EXISTS {name}")
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
            )

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: commits when the block ends, rolls back if it raises."""
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """The connection for reads, held exclusively for the block."""
        with self.lock:
            yield self._conn

    def is_empty(self) -> bool:
        """Whether no users exist yet (a fresh database that needs seeding)."""
        with self.read() as conn:
            return conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is None

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        with self.lock:
            self._conn.close()


def session_json(row: sqlite3.Row) -> dict[str, Any]:
    """A sessions row as the API's Session object."""
    return {
        "sessionId": row["id"],
        "applicationId": row["application_id"],
        "version": row["version"],
        "name": row["name"],
        "description": row["description"],
        "participants": json.loads(row["participants"]),
        "status": row["status"],
        "properties": json.loads(row["properties"]),
        "createdBy": row["created_by"],
        "createdAt": row["created_at"],
        "modifiedBy": row["modified_by"],
        "modifiedAt": row["modified_at"],
        "isDraft": bool(row["is_draft"]),
    }


def media_json(row: sqlite3.Row) -> dict[str, Any]:
    """A media row as the API's media metadata object."""
    return {
        "mediaId": row["id"],
        "sessionId": row["session_id"],
        "applicationId": row["application_id"],
        "filename": row["filename"],
        "title": row["title"],
        "description": row["description"],
        "contentType": row["content_type"],
        "labels": json.loads(row["labels"]),
        "properties": json.loads(row["properties"]),
        "totalBytes": row["total_bytes"],
        "uploadedBytes": row["uploaded_bytes"],
        "etag": row["etag"],
        "archived": bool(row["archived"]),
        "annotations": json.loads(row["annotations"]),
        "createdBy": row["created_by"],
        "createdAt": row["created_at"],
        "modifiedBy": row["modified_by"],
        "modifiedAt": row["modified_at"],
    }


def application_json(row: sqlite3.Row) -> dict[str, Any]:
    """An applications row as the API's Application object."""
    return {
        "applicationId": row["id"],
        "name": row["name"],
        "description": row["description"],
        "draftVersion": row["draft_version"],
        "publishedVersion": row["published_version"],
        "createdBy": row["created_by"],
        "createdAt": row["created_at"],
    }
