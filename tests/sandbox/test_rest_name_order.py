"""Sorting by name is case-insensitive (casefold, ties in creation order), also for older state dirs."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from skydesk.sandbox.auth import TokenIssuer
from skydesk.sandbox.service import SandboxService
from tests.sandbox.conftest import RestServer, make_session, sessions_url

# Mixed case, a casefold tie ("Crew a5" / "crew A5"), and "ß" which folds to "ss" (ties "STRASSE").
NAMES = ["Crew a5", "bdd2c139 a", "crew A5", "Zulu", "alpha", "Straße 1", "STRASSE 1", "Émile", "émile"]


def expected_order(names: list[str]) -> list[str]:
    """The contract's rule: casefold(name), then creation order (``names`` is in creation order)."""
    return [n for _, n in sorted(enumerate(names), key=lambda item: (item[1].casefold(), item[0]))]


def walk(client: httpx.Client, url: str, params: dict[str, Any], *, backward: bool = False) -> list[str]:
    """Every item's name, page by page (limit 2); backward starts from the last page and uses prevCursor."""
    params = {**params, "limit": 2}
    page = client.get(url, params=params).json()
    if backward:
        while page["page"]["nextCursor"]:
            page = client.get(url, params={**params, "nextCursor": page["page"]["nextCursor"]}).json()
    pages = [[item.get("name", item.get("filename")) for item in page["data"]]]
    key = "prevCursor" if backward else "nextCursor"
    while page["page"][key]:
        page = client.get(url, params={**params, key: page["page"][key]}).json()
        pages.append([item.get("name", item.get("filename")) for item in page["data"]])
    if backward:
        pages.reverse()
    return [name for chunk in pages for name in chunk]


def test_session_names_sort_case_insensitively_both_ways(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    for name in NAMES:
        make_session(tech, app, name=name, properties={"run": tag})
    url, run = sessions_url(app), {"prop.run": tag}
    order = expected_order(NAMES)
    assert order[:3] == ["alpha", "bdd2c139 a", "Crew a5"]  # not every capital first
    assert walk(tech, url, {**run, "sort": "name"}) == order
    assert walk(tech, url, {**run, "sort": "name"}, backward=True) == order
    assert walk(tech, url, {**run, "sort": "-name"}) == order[::-1]  # the exact reverse, ties included
    assert walk(tech, url, {**run, "sort": "-name"}, backward=True) == order[::-1]


def test_a_renamed_session_moves_to_its_folded_place(
    rest_server: RestServer, as_user: Callable[..., httpx.Client], tag: str
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    first = make_session(tech, app, name="mango", properties={"run": tag})
    make_session(tech, app, name="Kiwi", properties={"run": tag})
    tech.patch(sessions_url(app, first["sessionId"]), json={"name": "apple"})
    listed = tech.get(sessions_url(app), params={"prop.run": tag, "sort": "name"}).json()["data"]
    assert [s["name"] for s in listed] == ["apple", "Kiwi"]  # by bytes, "Kiwi" would come first


def test_media_filenames_sort_case_insensitively(
    rest_server: RestServer, as_user: Callable[..., httpx.Client]
) -> None:
    tech, app = as_user("tech"), rest_server.app_id()
    sid = make_session(tech, app, name="Photos")["sessionId"]
    files = ["b.png", "A.png", "c.PNG", "a.png", "B.jpg"]
    made = []
    for name in files:
        r = tech.post(sessions_url(app, sid, "media"), json={"filename": name})
        assert r.status_code == 201, r.text
        made.append(r.json())
    url = sessions_url(app, sid, "media")
    order = expected_order(files)
    assert order == ["A.png", "a.png", "B.jpg", "b.png", "c.PNG"]
    assert walk(tech, url, {"sort": "filename"}) == order
    assert walk(tech, url, {"sort": "name"}, backward=True) == order
    assert walk(tech, url, {"sort": "-filename"}) == order[::-1]
    # Renaming keeps the key in step.
    tech.patch(sessions_url(app, sid, "media", made[4]["mediaId"]), json={"filename": "0.jpg"})
    assert walk(tech, url, {"sort": "filename"})[0] == "0.jpg"


def _make_version_1(db: Path) -> None:
    """Turn a current database back into what the first sandbox release left on disk."""
    conn = sqlite3.connect(db)
    conn.executescript(
        """
        DROP INDEX ix_media_session_filename;
        ALTER TABLE media DROP COLUMN filename_key;
        DROP INDEX ix_sessions_app_name_key;
        CREATE INDEX ix_sessions_app_name ON sessions (application_id, name, seq);
        UPDATE meta SET value = '1' WHERE key = 'schema_version';
        """
    )
    conn.close()


def test_an_older_state_db_is_migrated_when_opened(tmp_path: Path) -> None:
    issuer = TokenIssuer(tmp_path / "jwt.pem", token_ttl=300, refresh_ttl=300)
    service = SandboxService(tmp_path / "sandbox.db", issuer)
    service.seed(40)
    service.close()
    _make_version_1(tmp_path / "sandbox.db")

    service = SandboxService(tmp_path / "sandbox.db", issuer)
    try:
        with service.store.read() as conn:
            assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "3"
            media = conn.execute("SELECT filename, filename_key FROM media").fetchall()
            indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            plan = conn.execute(
                "EXPLAIN QUERY PLAN SELECT seq FROM sessions WHERE application_id = ? "
                "ORDER BY name_folded, seq LIMIT 50",
                ("x",),
            ).fetchall()
        assert media and all(m["filename_key"] == m["filename"].casefold() for m in media)
        assert {"ix_sessions_app_name_key", "ix_media_session_filename"} <= indexes
        assert "ix_sessions_app_name" not in indexes
        assert "ix_sessions_app_name_key" in str([tuple(p) for p in plan])  # an index walk, no sort
        dispatch = service.actor_by_username("dispatch")
        app = service.applications()[0].application_id
        listed = service.list_sessions(dispatch, app, {"sort": "name", "limit": "200"})["data"]
        assert [s["name"] for s in listed] == sorted((s["name"] for s in listed), key=str.casefold)
        session = next(s for s in listed if service.list_media(dispatch, app, s["sessionId"], {})["data"])
        created = service.create_media(dispatch, app, session["sessionId"], {"filename": "0-First.png"})
        files = service.list_media(dispatch, app, session["sessionId"], {"sort": "filename"})["data"]
        assert files[0]["mediaId"] == created["mediaId"]
    finally:
        service.close()
    # Opening an up-to-date database again changes nothing.
    SandboxService(tmp_path / "sandbox.db", issuer).close()
