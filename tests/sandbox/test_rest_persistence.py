"""A restart (same state dir) keeps users, sessions, data, media and timelines; the seed looks real."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import trustme

from skydesk.sandbox.auth import TokenIssuer
from skydesk.sandbox.rest import create_app
from skydesk.sandbox.service import SandboxService
from tests.sandbox.conftest import RestServer, serve, sessions_url


def start(state: Path, cert: trustme.LeafCert) -> tuple[SandboxService, object, object, str]:
    issuer = TokenIssuer(state / "jwt.pem", token_ttl=300, refresh_ttl=1800)
    service = SandboxService(state / "sandbox.db", issuer)
    service.seed(12)
    server, thread, port = serve(create_app(service), cert, state)
    return service, server, thread, f"https://127.0.0.1:{port}"


def stop(service: SandboxService, server: object, thread: object) -> None:
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(10)  # type: ignore[attr-defined]
    service.close()


def test_restart_keeps_everything(tmp_path: Path, tls_ca: tuple[trustme.CA, str]) -> None:
    ca, ca_file = tls_ca
    cert = ca.issue_cert("127.0.0.1")
    verify = ssl.create_default_context(cafile=ca_file)
    service, server, thread, url = start(tmp_path, cert)
    try:
        app = service.applications()[0].application_id
        with httpx.Client(base_url=url, verify=verify) as c:
            tokens = c.post(
                "/v1/authentication/login/realms/demo",
                json={"username": "tech", "password": "tech-demo-pw", "realm": "demo"},
            ).json()
            c.headers["Authorization"] = f"Bearer {tokens['access_token']}"
            total_before = c.get(sessions_url(app)).json()["page"]["total"]
            sid = c.post(sessions_url(app), json={"name": "Survives", "properties": {"k": "v"}}).json()[
                "sessionId"
            ]
            c.patch(sessions_url(app, sid, "data"), json={"data": {"kept": [1, 2]}})
            media = c.post(
                sessions_url(app, sid, "media"), json={"filename": "m.bin", "totalBytes": 3}
            ).json()
            c.put(sessions_url(app, sid, "media", media["mediaId"], "content"), content=b"abc")
            timeline = c.get(sessions_url(app, sid, "events")).json()["data"]
    finally:
        stop(service, server, thread)

    service, server, thread, url = start(tmp_path, cert)  # seed() must not add sessions again
    try:
        with httpx.Client(base_url=url, verify=verify) as c:
            # Same signing key: the token from before the restart still works, and so does login.
            c.headers["Authorization"] = f"Bearer {tokens['access_token']}"
            assert c.get(sessions_url(app)).json()["page"]["total"] == total_before + 1
            assert c.get(sessions_url(app, sid)).json()["properties"] == {"k": "v"}
            assert c.get(sessions_url(app, sid, "data")).json() == {"kept": [1, 2]}
            assert c.get(sessions_url(app, sid, "media", media["mediaId"], "content")).content == b"abc"
            assert c.get(sessions_url(app, sid, "events")).json()["data"] == timeline
            refreshed = c.post(
                "/v1/authentication/token/refresh", json={"refreshToken": tokens["refresh_token"]}
            )
            assert refreshed.status_code == 200
        assert [u.username for u in service.users()] == ["tech", "dispatch", "sam", "viewer"]
    finally:
        stop(service, server, thread)


def test_seed_is_deterministic(tmp_path: Path) -> None:
    def snapshot(state: Path) -> list[tuple[str, str, str]]:
        issuer = TokenIssuer(state / "jwt.pem", token_ttl=300, refresh_ttl=1800)
        service = SandboxService(state / "sandbox.db", issuer)
        service.seed(30)
        with service.store.read() as conn:
            rows = conn.execute("SELECT id, name, properties FROM sessions ORDER BY seq").fetchall()
        service.close()
        return [tuple(r) for r in rows]

    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first == second and len(first) == 30


@pytest.mark.parametrize("count", [0, 1])
def test_tiny_seeds_work(tmp_path: Path, count: int) -> None:
    service = SandboxService(tmp_path / "db", TokenIssuer(tmp_path / "k.pem", token_ttl=60, refresh_ttl=60))
    service.seed(count)
    assert len(service.users()) == 4 and len(service.applications()) == 3
    service.close()


def test_seed_looks_like_field_work(rest_server: RestServer, as_user: Callable[..., httpx.Client]) -> None:
    from skydesk.sandbox.seed import FIELD_TEAM_ID

    dispatch = as_user("dispatch")
    users = {u.username: u for u in rest_server.service.users()}
    assert users["tech"].roles == ["technician"] and users["dispatch"].roles == ["dispatcher"]
    seeded: list[dict[str, Any]] = []
    for app in rest_server.service.applications():
        page = dispatch.get(sessions_url(app.application_id), params={"limit": 200}).json()
        # Seeded sessions carry a work order; sessions made by other tests do not.
        seeded += [s for s in page["data"] if str(s["properties"].get("orderId", "")).startswith("WO-")]
    assert len(seeded) >= 50
    for s in seeded:
        assert set(s["properties"]) == {"site", "orderId", "assetId", "priority"}
    assert {s["status"] for s in seeded} == {"open", "closed"}
    assert any(
        p == {"id": FIELD_TEAM_ID, "type": "group", "isGuest": False}
        for s in seeded
        for p in s["participants"]
    )
    assert {s["createdBy"] for s in seeded} >= {users["dispatch"].id}
    assert any(s["isDraft"] for s in seeded) and not all(s["isDraft"] for s in seeded)
    closed = next(s for s in seeded if s["status"] == "closed")
    data = dispatch.get(sessions_url(closed["applicationId"], closed["sessionId"], "data")).json()
    steps = data["inspection"]["steps"]
    assert steps and all(step["done"] for step in steps) and {"id", "title", "done"} <= set(steps[0])
    timeline = dispatch.get(sessions_url(closed["applicationId"], closed["sessionId"], "events")).json()
    assert [e["eventType"] for e in timeline["data"]][-1] == "session_closed"
