"""Media content kept in blocks: a state directory from schema 2 (one BLOB per item) is migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from skydesk.sandbox.auth import TokenIssuer
from skydesk.sandbox.service import SandboxService


def _make_version_2(db: Path) -> dict[str, bytes]:
    """Put every item's content back into one media_content BLOB, as schema 2 kept it."""
    conn = sqlite3.connect(db)
    contents: dict[str, bytes] = {}
    for media_id, seq in conn.execute("SELECT id, seq FROM media").fetchall():
        blocks = conn.execute("SELECT data FROM media_blocks WHERE media_seq = ? ORDER BY offset", (seq,))
        contents[media_id] = b"".join(bytes(b[0]) for b in blocks)
    conn.executescript(
        """
        CREATE TABLE media_content (media_seq INTEGER PRIMARY KEY, content BLOB NOT NULL);
        DROP TABLE media_blocks;
        ALTER TABLE media DROP COLUMN annotations;
        UPDATE meta SET value = '2' WHERE key = 'schema_version';
        """
    )
    for media_id, content in contents.items():
        conn.execute("INSERT INTO media_content SELECT seq, ? FROM media WHERE id = ?", (content, media_id))
    conn.commit()
    conn.close()
    return contents


def test_schema_2_content_is_split_into_blocks(tmp_path: Path) -> None:
    issuer = TokenIssuer(tmp_path / "jwt.pem", token_ttl=300, refresh_ttl=300)
    service = SandboxService(tmp_path / "sandbox.db", issuer)
    service.seed(12)
    service.close()
    contents = _make_version_2(tmp_path / "sandbox.db")
    assert contents and all(c.startswith(b"\x89PNG") for c in contents.values())

    service = SandboxService(tmp_path / "sandbox.db", issuer)
    try:
        with service.store.read() as conn:
            assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "3"
            assert conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'media_content'").fetchone() is None
            rows = conn.execute("SELECT id, seq, annotations FROM media").fetchall()
        dispatch = service.actor_by_username("dispatch")
        for row in rows:
            assert row["annotations"] == "[]"  # older items have none
            media = service.get_media(dispatch, *_where(service, row["seq"]), row["id"])
            blocks, _ = service.download_content(
                dispatch, media["applicationId"], media["sessionId"], row["id"]
            )
            assert b"".join(blocks) == contents[row["id"]]
    finally:
        service.close()


def _where(service: SandboxService, seq: int) -> tuple[str, str]:
    with service.store.read() as conn:
        row = conn.execute("SELECT application_id, session_id FROM media WHERE seq = ?", (seq,)).fetchone()
    return row["application_id"], row["session_id"]
