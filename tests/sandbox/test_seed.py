"""The demo seed: deterministic, fine at tiny sizes, and shaped like real field work.

(That a restart keeps everything is tested on the whole Sandbox in test_server.py.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from skydesk.sandbox.auth import TokenIssuer
from skydesk.sandbox.service import SandboxService
from tests.sandbox.conftest import RestServer, sessions_url


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
